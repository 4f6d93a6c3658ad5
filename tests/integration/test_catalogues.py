"""[house] point 5: every error code and audit action comes from its app's catalogue.

The static half: the source never passes a string literal or an f-string as the code of
DomainError / ErrorItem / ErrorCollector.add / NotFound / OutOfScope (or a DomainError
subclass's `super().__init__`), nor as the `action=` of audit_record / audit_record_bulk —
so every code and action can be found by its enum member. The catalogues themselves: a code
is declared by one app only, an action reads `<app>.<entity>.<verb>` under its own app,
every entry carries a Chinese message or label.

The runtime half is `settings.TUOYU_STRICT_CATALOGUES` (on in the tests, root conftest.py):
a code or action outside the catalogues raises UnknownCatalogueEntry wherever the suite
reaches it (see src/tuoyu/core/tests/test_catalogue.py).
"""

from __future__ import annotations

import ast
import re
from collections import Counter
from pathlib import Path

import pytest
from django.apps import apps

from tuoyu.accounts.catalogue import AccountsAction
from tuoyu.audit.models import AuditEvent
from tuoyu.audit.services import audit_record
from tuoyu.core.catalogue import (
    ACTION_PATTERN,
    AuditAction,
    ErrorCode,
    UnknownCatalogueEntry,
    all_audit_actions,
    all_error_codes,
    audit_action_enums,
    error_enums,
    legacy_actions,
)

SRC = Path(__file__).resolve().parents[2] / "src" / "tuoyu"
ROOT = SRC.parent.parent

# Literals left in files this work may not edit; their owners replace them with the members
# (JobsError.JOB_NOT_PERIODIC, JobsAction.RUN_ENQUEUE, AuditLogAction.PERSONAL_DATA_READ) and
# then delete the entry here (a stale entry fails `test_pending_literals_are_still_pending`).
PENDING_LITERALS: set[tuple[str, str]] = set()
# Actions still recorded under a name outside the pattern: old name → the catalogue's name
# once the recording site passes the member (then move the old name to legacy_audit_actions).
PENDING_RENAMES: dict[str, str] = {}

CODE_CALLS = {"DomainError", "ErrorItem", "NotFound", "OutOfScope"}
AUDIT_CALLS = {"audit_record", "audit_record_bulk"}
CJK = re.compile(r"[\u4e00-\u9fff]")


def _modules():
    for path in sorted(SRC.rglob("*.py")):
        parts = path.relative_to(SRC).parts
        if "tests" in parts or "migrations" in parts or path.name.startswith("test_"):
            continue
        yield path


def _name(func: ast.expr) -> str | None:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return None


def _literals(node: ast.expr):
    """The string literals and f-strings an expression passes directly (also through a
    conditional, a `+` or an `or`)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        yield node, node.value
    elif isinstance(node, ast.JoinedStr):
        yield node, ast.unparse(node)
    elif isinstance(node, ast.IfExp):
        yield from _literals(node.body)
        yield from _literals(node.orelse)
    elif isinstance(node, ast.BinOp):
        yield from _literals(node.left)
        yield from _literals(node.right)
    elif isinstance(node, ast.BoolOp):
        for value in node.values:
            yield from _literals(value)


def _error_classes(tree: ast.Module) -> set[str]:
    """DomainError and the classes of this module that derive from it (for super().__init__)."""
    known = set(CODE_CALLS) | {"DomainError"}
    found: set[str] = set()
    changed = True
    while changed:
        changed = False
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.ClassDef)
                and node.name not in found
                and any(_name(b) in known | found for b in node.bases)
            ):
                found.add(node.name)
                changed = True
    return found


def _passed_codes(path: Path):
    """(line, literal, what) for every literal passed as a code or an audit action."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    error_classes = _error_classes(tree)
    in_error_class: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef) and node.name in error_classes:
            in_error_class |= {id(n) for n in ast.walk(node)}
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        name = _name(node.func)
        targets: list[tuple[ast.expr, str]] = []
        if name in CODE_CALLS or name in error_classes:
            targets += [(k.value, "code") for k in node.keywords if k.arg == "code"]
            if name in ("DomainError", "ErrorItem") and node.args:
                targets.append((node.args[0], "code"))
        elif name == "add" and (
            len(node.args) >= 2 or any(k.arg in ("field", "row") for k in node.keywords)
        ):
            targets.append((node.args[0], "code") if node.args else None)
        elif (
            name == "__init__"
            and id(node) in in_error_class
            and isinstance(node.func, ast.Attribute)
            and isinstance(node.func.value, ast.Call)
            and _name(node.func.value.func) == "super"
        ):
            if node.args:
                targets.append((node.args[0], "code"))
            targets += [(k.value, "code") for k in node.keywords if k.arg == "code"]
        elif name in AUDIT_CALLS:
            targets += [(k.value, "action") for k in node.keywords if k.arg == "action"]
        for target in filter(None, targets):
            expr, what = target
            for literal, text in _literals(expr):
                yield literal.lineno, text, what


def _all_passed_literals():
    out = []
    for path in _modules():
        rel = path.relative_to(ROOT).as_posix()
        for line, text, what in _passed_codes(path):
            out.append((rel, line, text, what))
    return out


def test_no_literal_codes_or_actions_in_the_source():
    found = [
        f"{rel}:{line}: {what} {text!r}"
        for rel, line, text, what in _all_passed_literals()
        if (rel, text) not in PENDING_LITERALS
    ]
    assert not found, "pass catalogue members (tuoyu.<app>.catalogue), not literals:\n" + "\n".join(
        found
    )


def test_pending_literals_are_still_pending():
    """Once a pending literal is replaced by its member, remove it from PENDING_LITERALS."""
    present = {(rel, text) for rel, _line, text, _what in _all_passed_literals()}
    assert present >= PENDING_LITERALS, sorted(PENDING_LITERALS - present)
    codes, actions = all_error_codes(), all_audit_actions()
    for _rel, text in PENDING_LITERALS:
        assert text in codes or text in actions, f"pending literal {text!r} is not catalogued"


def test_the_scan_sees_literals_and_fstrings(tmp_path):
    """The scanner itself: each forbidden form is reported, members and variables are not."""
    probe = tmp_path / "probe.py"
    probe.write_text(
        "from tuoyu.core.catalogue import CoreError\n"
        "class MyError(DomainError):\n"
        "    def __init__(self):\n"
        "        super().__init__('mine', 'x')\n"
        "DomainError('a', 'm')\n"
        "ErrorItem(code=f'b_{x}', message='m')\n"
        "errors.add('c', 'm', field='f')\n"
        "OutOfScope('message only')\n"
        "NotFound(code='d')\n"
        "audit_record(action=f'app.{verb}')\n"
        "audit_record_bulk(action='e.f.g' if x else 'e.f.h', object_type='t', object_ids=[1])\n"
        "DomainError(CoreError.REQUIRED, 'm')\n"
        "audit_record(action=ACTIONS[x])\n"
        "seen.add('not a code')\n",
        encoding="utf-8",
    )
    got = sorted(text for _line, text, _what in _passed_codes(probe))
    assert got == sorted(["mine", "a", "f'b_{x}'", "c", "d", "f'app.{verb}'", "e.f.g", "e.f.h"])


def _tuoyu_apps() -> list[str]:
    return [c.name.split(".", 1)[1] for c in apps.get_app_configs() if c.name.startswith("tuoyu.")]


def test_every_app_has_its_catalogue():
    """One module per app (web, the shell, raises core's codes)."""
    for app in _tuoyu_apps():
        if app == "web":
            continue
        assert (SRC / app / "catalogue.py").exists(), f"{app}: add src/tuoyu/{app}/catalogue.py"
    owners = Counter(e.app() for e in error_enums())
    for app, count in owners.items():
        assert count == 1, f"{app} declares {count} error enums; one per app"
        assert app in _tuoyu_apps(), f"error enum outside an app's catalogue: {app}"
    for enum_class in error_enums() + audit_action_enums():
        assert enum_class.__module__ == f"tuoyu.{enum_class.app()}.catalogue", enum_class


def test_a_code_means_one_thing_platform_wide():
    declared = Counter(m.value for e in error_enums() for m in e)
    twice = {
        code: [e.__name__ for e in error_enums() if code in e._value2member_map_]
        for code, n in declared.items()
        if n > 1
    }
    assert not twice, f"declared by more than one app: {twice}"
    actions = Counter(m.value for e in audit_action_enums() for m in e)
    assert not [a for a, n in actions.items() if n > 1]


def test_error_codes_are_snake_case_with_a_chinese_message():
    for code, member in all_error_codes().items():
        assert re.fullmatch(r"[a-z][a-z0-9_]*", code), code
        assert isinstance(member, ErrorCode)
        assert CJK.search(str(member.message)), f"{code}: message must be Chinese"


def test_audit_actions_are_app_entity_verb_with_a_chinese_label():
    for action, member in all_audit_actions().items():
        assert isinstance(member, AuditAction)
        assert CJK.search(str(member.label)), f"{action}: label must be Chinese"
        if action in PENDING_RENAMES:
            target = PENDING_RENAMES[action]
            assert ACTION_PATTERN.fullmatch(target) and target.startswith(f"{member.app()}.")
            continue
        assert ACTION_PATTERN.fullmatch(action), f"{action}: not <app>.<entity>.<verb>"
        assert action.startswith(f"{member.app()}."), f"{action}: not under {member.app()}"


def test_legacy_action_names_are_labelled_but_not_current():
    legacy = legacy_actions()
    assert legacy, "the pre-catalogue names of old events"
    current = all_audit_actions()
    for old, member in legacy.items():
        assert old not in current, f"{old} is current and legacy at once"
        assert current[member.value] is member


# Codes named in API-CONTRACT.md that the platform raises today: fixed, never renamed.
CONTRACT_CODES = (
    "out_of_scope",
    "uscc_checksum",
    "uscc_format",
    "id_number_checksum",
    "id_number_format",
    "id_number_birth_date",
    "authority_mismatch",
    "wrong_authority",
    "unknown_region",
    "event_conflict",
    "unknown_institution",
    "class_size_exceeds_standard",
    "future_date",
)


@pytest.mark.parametrize("code", CONTRACT_CODES)
def test_contract_codes_are_catalogued(code):
    assert code in all_error_codes()


@pytest.mark.django_db
def test_audit_record_refuses_an_uncatalogued_action():
    with pytest.raises(UnknownCatalogueEntry):
        audit_record(action="accounts.session.hacked", object_type="accounts.user", object_id="x")
    assert not AuditEvent.objects.exists()
    event = audit_record(
        action=AccountsAction.SESSION_LOGOUT, object_type="accounts.user", object_id="x"
    )
    event.refresh_from_db()
    assert event.action == "accounts.session.logout"
