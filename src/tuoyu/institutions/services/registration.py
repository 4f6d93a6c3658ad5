"""Registrations, changes and deregistrations from the registration authorities (P-REG-10,
P-REG-11; API-CONTRACT §1).

One code path for every channel: the API (`POST /api/v1/registrations`), the entry form and
the Excel upload all end in `registration_event_receive`, which

1. parses the body with `RegistrationIn` (422, field codes as the API renders them);
2. checks who pushes: a registration-authority account (else 403 `out_of_scope`) pushing as
   its own department (else 403 `authority_mismatch`);
3. answers a known `event_id` from the stored event: the same canonical body → the same
   answer again (the API says 200), a different body → 409 `event_conflict`;
4. checks the facts: USCC (`uscc_format`, `uscc_checksum`, and its first character against
   the pushing authority, `uscc_authority_mismatch`, GB 32100-2015), township
   (`unknown_region`), the institution (`unknown_institution`, 409 `already_registered`,
   `institution_deregistered`, `already_deregistered`; 403 `authority_mismatch` when another
   authority holds its registration) and P-REG-10 (`legal_form_mismatch`, `wrong_authority`);
5. applies the event, stores it (the `event_id` unique constraint is the idempotency key)
   and appends the audit event, all in one transaction. A concurrent duplicate that loses
   the race on a unique constraint (event_id, uscc) is answered by re-reading; a
   transaction the database refused because another writer held it ("database is locked",
   a serialization failure) is run again (`tuoyu.core.db.transient_retry`).

The checks of step 4 are `_decide`, which works on the institution in memory and writes
nothing: the single push applies its outcome at once; an upload of many rows
(`registration_events_plan`, `registration_events_write`) checks every row first without
writing and then writes the whole file in one short bulk step ([hardening] point 14).

Decisions (documented here, tested in test_registration_api.py):

* `registered` for a USCC that already has an institution (whatever its state) → 409
  `already_registered`; a USCC is never reused.
* `changed` and `deregistered` come only from the authority that holds the registration
  (403 `authority_mismatch`, API-CONTRACT §1): no authority can take over, change or cancel
  another's institution ([hardening] point 1).
* `changed` carries the facts that changed; absent (or empty) facts stay as they are. The
  registration authority never changes: a change of legal form whose result another
  authority registers (P-REG-10; say a non-profit converted into a company) is refused with
  `wrong_authority` — it is a `deregistered` pushed by the old authority and a `registered`
  pushed by the new one, with the USCC the new one issued.
* `deregistered` also cancels the filing (P-FIL-3) through
  `tuoyu.filings.services.filing_cancel`.
* `changed` moving the premises (`address`, `township_code`) of an institution whose filing
  is filed or in review does not overwrite them: the filing uses them, and premises move
  only through a change filing reviewed on fire, security and health care (P-FIL-3). The
  push is stored with what it pushed (`RegistrationEvent.changes`, and the audit event's
  `premises_held`) and emits `registration_premises_changed` in its transaction; filings
  opens the change filing (or records the premises on the open application). The answer
  stays API-CONTRACT §1's. A not-filed (or cancelled) institution's premises are updated as
  before.
* [accounts-ux] #9 point 1: a `registered` push (single, form or upload) also opens the new
  institution's account (`accounts.services.institution_account_open`), inactive, named by
  its USCC, the institution's administrator; 区卫健局 issues its activation code and hands
  over the letter from the institution's 账号 tab. On the push, because nothing "accepts" a
  registration: the authority's push is the registration (docs/accounts.md).
* `occurred_at` without an offset is read as Asia/Shanghai time and stored converted to
  +08:00, so that "…T01:00:00Z" and "…T09:00:00+08:00" are the same body.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from tuoyu.accounts.services import institution_account_open, institution_accounts_open_bulk
from tuoyu.audit.services import audit_record, diff
from tuoyu.core import events
from tuoyu.core.bulk import bulk_insert, bulk_update_rows
from tuoyu.core.catalogue import CoreError
from tuoyu.core.db import transient_retry
from tuoyu.core.errors import DomainError, ErrorItem, OutOfScope
from tuoyu.core.identifiers import validate_uscc
from tuoyu.institutions.catalogue import InstitutionsAction, InstitutionsError
from tuoyu.institutions.models import Institution, RegistrationEvent
from tuoyu.institutions.registration_rules import (
    AUTHORITY_LABELS,
    LEGAL_FORM_LABELS,
    authority_check,
    authority_for,
    uscc_authority_problem,
)
from tuoyu.institutions.registration_schema import (
    FIELD_LABELS,
    REQUIRED_FOR_REGISTERED,
    SHANGHAI,
    RegistrationIn,
    registration_payload_hash,
    registration_payload_parse,
)
from tuoyu.institutions.search import institution_document
from tuoyu.regions.catalogue import RegionsError
from tuoyu.regions.models import Region

# Clocks of other systems may run a little ahead; beyond this an event "in the future" is
# refused (a technical tolerance, not a policy number).
CLOCK_SKEW = dt.timedelta(minutes=10)


# --- who pushes --------------------------------------------------------------------------


def registration_authority_of(user) -> str:
    """The `authority` value the user pushes as: its department's registration authority.
    403 `out_of_scope` for anyone else (other departments, townships, institutions)."""
    if (
        user is None
        or not getattr(user, "is_authenticated", False)
        or not user.is_active
        or user.scope_kind != "department"
        or not user.department_id
        or not user.department.registration_authority
    ):
        raise OutOfScope("当前账号不是登记机关，不能推送或录入登记信息")
    return user.department.registration_authority


REGISTRATION_ACTIONS = {
    RegistrationEvent.Action.REGISTERED: InstitutionsAction.REGISTRATION_REGISTERED,
    RegistrationEvent.Action.CHANGED: InstitutionsAction.REGISTRATION_CHANGED,
    RegistrationEvent.Action.DEREGISTERED: InstitutionsAction.REGISTRATION_DEREGISTERED,
}


def registration_form_event_id(authority: str) -> str:
    """The event id of an entry made through the form: FORM-<authority>-<uuid>. The form
    carries it from the moment it is shown, so a double submit is answered idempotently."""
    return f"FORM-{authority}-{uuid.uuid4().hex}"


# --- receiving one event -----------------------------------------------------------------


@dataclass(frozen=True)
class RegistrationReceipt:
    institution_id: int
    registration_status: str
    created: bool  # False: a replay of an event received before (the API answers 200)
    event: RegistrationEvent

    @property
    def response(self) -> dict[str, Any]:
        return {
            "institution_id": self.institution_id,
            "registration_status": self.registration_status,
        }


def _replay(event_id: str, digest: str) -> RegistrationReceipt | None:
    return _replay_of(RegistrationEvent.objects.filter(event_id=event_id).first(), digest)


def _replay_of(event: RegistrationEvent | None, digest: str) -> RegistrationReceipt | None:
    """The answer to an event received before (None: not received): the same body is a
    replay, a different one 409 `event_conflict`."""
    if event is None:
        return None
    if event.payload_hash != digest:
        raise DomainError(
            InstitutionsError.EVENT_CONFLICT,
            f"事件编号“{event.event_id}”已于 "
            f"{timezone.localtime(event.received_at):%Y-%m-%d %H:%M} "
            "以不同内容接收过；同一事件编号不能用于不同内容",
            field="event_id",
            status=409,
        )
    return RegistrationReceipt(
        institution_id=event.response.get("institution_id", event.institution_id),
        registration_status=event.response.get("registration_status", ""),
        created=False,
        event=event,
    )


def _own_authority_check(payload: RegistrationIn, own: str) -> None:
    """The body's `authority` is the pushing account's own department (403
    `authority_mismatch`)."""
    if payload.authority != own:
        raise DomainError(
            InstitutionsError.AUTHORITY_MISMATCH,
            f"推送的登记机关“{AUTHORITY_LABELS.get(payload.authority, payload.authority)}”"
            f"与令牌所属部门（{AUTHORITY_LABELS.get(own, own)}）不一致",
            field="authority",
            status=403,
        )


@transient_retry
def registration_event_receive(
    *, acting_user, data: RegistrationIn | dict, channel: str = RegistrationEvent.Channel.API
) -> RegistrationReceipt:
    """Receive one registration event (see the module docstring for the checks and codes).
    Returns the receipt; `created` is False when the event was received before with the
    same body (idempotent replay: nothing new is written). A transaction the database
    refused only because another writer held it runs again (`transient_retry`; 503
    `database_busy` when it stays busy)."""
    payload = registration_payload_parse(data)
    _own_authority_check(payload, registration_authority_of(acting_user))
    body = payload.canonical()
    digest = registration_payload_hash(body)
    receipt = _replay(payload.event_id, digest)
    if receipt is not None:
        return receipt
    try:
        return _receive(
            acting_user=acting_user, payload=payload, body=body, digest=digest, channel=channel
        )
    except IntegrityError:
        # A concurrent push won a unique constraint (event_id or uscc): answer from what
        # it stored. The failed attempt's savepoint or transaction was rolled back.
        receipt = _replay(payload.event_id, digest)
        if receipt is not None:
            return receipt
        if (
            payload.action == RegistrationEvent.Action.REGISTERED
            and Institution.objects.filter(uscc=payload.uscc).exists()
        ):
            raise _already_registered(payload.uscc) from None
        raise


def _already_registered(uscc: str) -> DomainError:
    return DomainError(
        InstitutionsError.ALREADY_REGISTERED,
        f"统一社会信用代码为 {uscc} 的机构已登记，不能重复登记；登记事项有变化时，请报送变更登记",
        field="uscc",
        status=409,
    )


def facts_of(institution: Institution) -> dict[str, Any]:
    """The registration facts of an institution as the event body names them."""
    return {
        "name": institution.name,
        "legal_form": institution.legal_form,
        "for_profit": institution.for_profit,
        "legal_representative": institution.legal_representative,
        "address": institution.address,
        "township_code": institution.township.code if institution.township_id else None,
        "registration_authority": institution.registration_authority,
        "registration_status": institution.registration_status,
    }


# The institution's columns an event may change (what the write saves).
REGISTRATION_FIELDS = [
    "name",
    "legal_form",
    "for_profit",
    "legal_representative",
    "address",
    "township",
    "registration_status",
    "deregistered_at",
    "updated_at",
]


def _township_of_code(code: str) -> Region | None:
    return Region.objects.filter(code=code, level=Region.Level.TOWNSHIP).first()


def _check_fields(
    payload: RegistrationIn,
    errors: list[ErrorItem],
    *,
    township_of: Callable[[str], Region | None] = _township_of_code,
) -> Region | None:
    """The checks of the body's own facts, appended to `errors`; returns the township the
    body names (`township_of` looks it up: one query, or a batch's preloaded codes)."""
    try:
        validate_uscc(payload.uscc)
    except DomainError as exc:
        errors.extend(exc.errors)
    else:
        problem = uscc_authority_problem(authority=payload.authority, uscc=payload.uscc)
        if problem is not None:
            errors.append(problem)
    if payload.action == RegistrationEvent.Action.REGISTERED:
        for name in REQUIRED_FOR_REGISTERED:
            if getattr(payload, name) is None:
                errors.append(
                    ErrorItem(
                        CoreError.REQUIRED, f"登记时“{FIELD_LABELS[name]}”不能为空", field=name
                    )
                )
    if payload.occurred_at > timezone.now() + CLOCK_SKEW:
        errors.append(
            ErrorItem(CoreError.FUTURE_DATE, "“发生时间”晚于当前时间", field="occurred_at")
        )
    township = None
    if (
        payload.township_code is not None
        and payload.action != RegistrationEvent.Action.DEREGISTERED
    ):
        township = township_of(payload.township_code)
        if township is None:
            errors.append(
                ErrorItem(
                    RegionsError.UNKNOWN_REGION,
                    f"“所在镇乡街道”填写的代码“{payload.township_code}”不是本区的镇乡街道",
                    field="township_code",
                )
            )
    return township


@transaction.atomic
def _receive(
    *, acting_user, payload: RegistrationIn, body: dict, digest: str, channel: str
) -> RegistrationReceipt:
    errors: list[ErrorItem] = []
    township = _check_fields(payload, errors)
    found = _institution_locked(payload, errors)
    outcome = _decide(payload, institution=found, township=township, errors=errors)
    institution = outcome.institution
    account = None
    if outcome.created:
        # A USCC registered meanwhile fails here, on the unique constraint (see
        # registration_event_receive).
        institution.save(force_insert=True)
        # [accounts-ux] #9 point 1: the new institution's account, inactive until activated
        # with the code 区卫健局 hands over (docs/accounts.md: why on the push).
        account = institution_account_open(acting_user=acting_user, institution=institution)
    elif outcome.changes:
        institution.save(update_fields=REGISTRATION_FIELDS)
    if outcome.deregistered:
        _deregistered(acting_user=acting_user, institution=institution, payload=payload)
        institution.refresh_from_db()
    _premises_pushed(
        acting_user=acting_user,
        institution=institution,
        payload=payload,
        held=outcome.premises_held,
    )

    event = _event_store(
        acting_user=acting_user,
        payload=payload,
        body=body,
        digest=digest,
        channel=channel,
        institution=institution,
        changes=outcome.changes,
        held=outcome.premises_held,
        account=account,
    )
    return RegistrationReceipt(
        institution_id=institution.pk,
        registration_status=institution.registration_status,
        created=True,
        event=event,
    )


def _institution_locked(payload: RegistrationIn, errors: list[ErrorItem]) -> Institution | None:
    """The institution a `changed` / `deregistered` event is about, row-locked for the rest of
    the transaction; None when the USCC has none (or is malformed)."""
    # A `registered` USCC that exists already is found by the unique constraint on insert
    # (see registration_event_receive), which also catches a concurrent registration.
    if payload.action == RegistrationEvent.Action.REGISTERED or any(
        e.field == "uscc" and e.code != InstitutionsError.USCC_AUTHORITY_MISMATCH for e in errors
    ):
        return None
    return (
        Institution.objects.select_for_update(of=("self",))  # not the township's row
        .select_related("township")
        .filter(uscc=payload.uscc)
        .first()
    )


# --- the checks and the effect of one event, in memory -------------------------------------


@dataclass
class _Outcome:
    """What one event does: `institution` as the event leaves it (new and unsaved for
    `registered`, else changed in memory, not saved) and the changes of its facts."""

    institution: Institution
    changes: dict[str, Any]
    created: bool = False
    deregistered: bool = False
    # P-FIL-3: the pushed premises ({"address" / "township_code": [filed, pushed]}) held
    # back from a filed or in-review institution, for a change filing
    premises_held: dict[str, Any] = field(default_factory=dict)

    @property
    def pushed(self) -> dict[str, Any]:
        """What the event pushed: the changes applied and the premises held back."""
        return {**self.changes, **self.premises_held}


def _decide(
    payload: RegistrationIn,
    *,
    institution: Institution | None,
    township: Region | None,
    errors: list[ErrorItem],
) -> _Outcome:
    """Every check of one event against the institution its USCC names (`institution`;
    None when there is none, and for a single `registered`, which the unique constraint
    decides), then its effect in memory. `errors` holds the problems of the body's own
    facts (`_check_fields`); all of them are raised together with what is found here.
    Writes nothing. Order: 403 `authority_mismatch` (another authority holds the
    registration), 422 with every field problem (P-REG-10 of a registration among them),
    409 `already_registered` / `already_deregistered` / `institution_deregistered`, then
    the P-REG-10 check of a change."""
    action = payload.action
    if action != RegistrationEvent.Action.REGISTERED:
        if institution is not None:
            _holder_check(institution, payload)
        elif not any(e.field == "uscc" for e in errors):
            errors.append(
                ErrorItem(
                    InstitutionsError.UNKNOWN_INSTITUTION,
                    f"统一社会信用代码为 {payload.uscc} 的机构尚未登记，不能推送"
                    f"{'变更' if action == RegistrationEvent.Action.CHANGED else '注销'}",
                    field="uscc",
                )
            )
    elif payload.legal_form is not None and payload.for_profit is not None:
        try:
            authority_check(
                authority=payload.authority,
                legal_form=payload.legal_form,
                for_profit=payload.for_profit,
            )
        except DomainError as exc:
            errors.extend(exc.errors)
    if errors:
        raise DomainError(errors=errors)
    if action == RegistrationEvent.Action.REGISTERED:
        if institution is not None:
            raise _already_registered(payload.uscc)
        return _registered(payload, township)
    if institution.is_deregistered:
        _refuse_deregistered(institution, action)
    if action == RegistrationEvent.Action.CHANGED:
        return _changed(institution, payload, township)
    return _deregistration(institution, payload)


def _holder_check(institution: Institution, payload: RegistrationIn) -> None:
    """Only the authority that holds the registration pushes `changed` or `deregistered`
    for it (403 `authority_mismatch`, API-CONTRACT §1)."""
    holder = institution.registration_authority
    if holder == payload.authority:
        return
    label = AUTHORITY_LABELS.get(holder, holder)
    what = "变更" if payload.action == RegistrationEvent.Action.CHANGED else "注销"
    raise DomainError(
        InstitutionsError.AUTHORITY_MISMATCH,
        f"该机构由{label}登记，其{what}登记只能由{label}推送；"
        f"登记机关改变时（如非营利性转为营利性），由{label}推送注销登记，"
        "再由新的登记机关推送登记",
        field="authority",
        status=403,
    )


def _refuse_deregistered(institution: Institution, action: str) -> None:
    """A deregistered institution takes no further event: a second deregistration is 409
    `already_deregistered`, a change 409 `institution_deregistered`."""
    if action == RegistrationEvent.Action.DEREGISTERED:
        raise DomainError(
            InstitutionsError.ALREADY_DEREGISTERED,
            f"该机构已于 {timezone.localtime(institution.deregistered_at):%Y-%m-%d} 注销登记",
            field="uscc",
            status=409,
        )
    raise DomainError(
        InstitutionsError.INSTITUTION_DEREGISTERED,
        "该机构已注销登记，不能再推送变更",
        field="uscc",
        status=409,
    )


def _registered(payload: RegistrationIn, township: Region | None) -> _Outcome:
    """`registered` (its P-REG-10 check is among the field checks of `_decide`): the new
    institution, unsaved, with its facts as the changes."""
    institution = Institution(
        uscc=payload.uscc,
        name=payload.name,
        legal_form=payload.legal_form,
        for_profit=payload.for_profit,
        legal_representative=payload.legal_representative or "",
        address=payload.address or "",
        township=township,
        registration_authority=payload.authority,
        registered_at=payload.occurred_at,
    )
    return _Outcome(institution, diff({}, facts_of(institution)), created=True)


def _changed(
    institution: Institution, payload: RegistrationIn, township: Region | None
) -> _Outcome:
    """`changed`, pushed by the holder of the registration: absent facts stay as they are.
    The registration authority stays too: a resulting legal form / for-profit pair that
    another authority registers (P-REG-10) is refused with `wrong_authority` — that is a
    deregistration here and a registration there. Changes the institution in memory."""
    legal_form = payload.legal_form or institution.legal_form
    for_profit = payload.for_profit if payload.for_profit is not None else institution.for_profit
    expected = authority_for(legal_form, for_profit)
    if expected is None or expected == institution.registration_authority:
        authority_check(
            authority=institution.registration_authority,
            legal_form=legal_form,
            for_profit=for_profit,
        )  # legal_form_mismatch for an inconsistent pair
    else:
        holder = AUTHORITY_LABELS.get(
            institution.registration_authority, institution.registration_authority
        )
        raise DomainError(
            InstitutionsError.WRONG_AUTHORITY,
            f"变更后为{'营利性' if for_profit else '非营利性'}"
            f"{LEGAL_FORM_LABELS.get(legal_form, legal_form)}，应由{AUTHORITY_LABELS[expected]}"
            f"登记（P-REG-10）；登记机关的改变不能作为变更推送：请由{holder}推送注销登记，"
            f"再由{AUTHORITY_LABELS[expected]}以其赋予的统一社会信用代码推送登记",
            field="legal_form" if payload.legal_form else "for_profit",
        )
    before = facts_of(institution)
    for name in ("name", "legal_form", "for_profit", "legal_representative"):
        value = getattr(payload, name)
        if value is not None:
            setattr(institution, name, value)
    held: dict[str, Any] = {}
    if institution.filing_status in PREMISES_FILED:
        # P-FIL-3: the filing uses the premises; a move waits for a change filing
        if payload.address is not None and payload.address != institution.address:
            held["address"] = [institution.address, payload.address]
        if township is not None and township.pk != institution.township_id:
            held["township_code"] = [before["township_code"], township.code]
    else:
        if payload.address is not None:
            institution.address = payload.address
        if township is not None:
            institution.township = township
    return _Outcome(institution, diff(before, facts_of(institution)), premises_held=held)


# The filing states in which the filing uses the premises (P-FIL-3): a pushed move of them
# opens a change filing instead of overwriting them.
PREMISES_FILED = (Institution.FilingStatus.FILED, Institution.FilingStatus.IN_REVIEW)


def _premises_pushed(
    *, acting_user, institution: Institution, payload: RegistrationIn, held: dict
) -> None:
    """P-FIL-3: the premises a `changed` push moved, held back from a filed or in-review
    institution; filings opens the change filing in this transaction (a failure there
    refuses the push as a whole)."""
    if not held:
        return
    events.emit(
        events.REGISTRATION_PREMISES_CHANGED,
        institution_id=institution.pk,
        acting_user=acting_user,
        address=held["address"][1] if "address" in held else None,
        township_code=held["township_code"][1] if "township_code" in held else None,
        event_id=payload.event_id,
        occurred_at=payload.occurred_at,
    )


def _deregistration(institution: Institution, payload: RegistrationIn) -> _Outcome:
    """`deregistered`, pushed by the holder of the registration: marks the institution
    deregistered in memory; the write then cancels the filing (P-FIL-3, `_deregistered`)."""
    before = facts_of(institution)
    institution.registration_status = Institution.RegistrationStatus.DEREGISTERED
    institution.deregistered_at = payload.occurred_at
    changes = diff(before, facts_of(institution))
    changes["deregistered_at"] = [None, payload.occurred_at.isoformat()]
    return _Outcome(institution, changes, deregistered=True)


def _event_row(
    *,
    acting_user,
    payload: RegistrationIn,
    body: dict,
    digest: str,
    channel: str,
    institution: Institution,
    status: str,
    changes: dict[str, Any],
) -> RegistrationEvent:
    """The (unsaved) stored event with its answer."""
    return RegistrationEvent(
        event_id=payload.event_id,
        authority=payload.authority,
        action=payload.action,
        uscc=payload.uscc,
        payload=body,
        payload_hash=digest,
        institution=institution,
        occurred_at=payload.occurred_at,
        received_by=acting_user,
        channel=channel,
        response={"institution_id": institution.pk, "registration_status": status},
        changes=changes,
    )


def _event_store(
    *,
    acting_user,
    payload: RegistrationIn,
    body: dict,
    digest: str,
    channel: str,
    institution: Institution,
    changes: dict[str, Any],
    held: dict[str, Any] | None = None,
    account=None,
) -> RegistrationEvent:
    """Stores the received event with its answer (the `event_id` unique constraint is the
    idempotency key) and appends the audit event for the action. The event keeps what was
    pushed (`changes` and the premises `held` for a change filing, P-FIL-3); the audit
    event's changes are what was written, the held premises its detail."""
    event = _event_row(
        acting_user=acting_user,
        payload=payload,
        body=body,
        digest=digest,
        channel=channel,
        institution=institution,
        status=institution.registration_status,
        changes={**changes, **(held or {})},
    )
    event.save(force_insert=True)
    detail = {
        "event_id": payload.event_id,
        "event": event.pk,
        "authority": payload.authority,
        "channel": channel,
        "occurred_at": payload.occurred_at.isoformat(),
    }
    if held:
        detail["premises_held"] = held
    if account is not None:
        # [accounts-ux] #9 point 1: the institution's account opened by this push (inactive)
        detail["account"] = {"id": account.pk, "username": account.username, "active": False}
    audit_record(
        action=REGISTRATION_ACTIONS[payload.action],
        actor=acting_user,
        obj=institution,
        changes=changes,
        detail=detail,
    )
    return event


def _deregistered(*, acting_user, institution: Institution, payload: RegistrationIn) -> None:
    """P-FIL-3: a deregistration cancels the filing. The filings app owns how and reacts to
    the event inside this transaction, so a failure there refuses the push as a whole."""
    label = AUTHORITY_LABELS.get(payload.authority, payload.authority)
    events.emit(
        events.INSTITUTION_DEREGISTERED,
        institution_id=institution.pk,
        acting_user=acting_user,
        cancelled_on=timezone.localtime(payload.occurred_at, SHANGHAI).date(),
        reason=f"{label}推送注销登记（事件编号 {payload.event_id}）",
    )


# --- many events at once: an upload ------------------------------------------------------
#
# [hardening] point 14: receiving an upload row by row inside one transaction held
# SQLite's write lock for seconds (2,000 rows: 5–10 s), long enough for concurrent pushes
# to fail. Now every row is checked first with the same `_check_fields` / `_decide` as a
# single push, against the database as it is plus the rows before it, reading only (no
# lock at all); the whole file's problems are reported at once as before. Only a file
# without problems is written: in one short transaction that checks the rows again under
# the lock (a push may have come in between) and writes them in bulk.

_IN_CHUNK = 500  # values of one `__in` lookup


def _chunked(values: Iterable[str]) -> Iterable[list[str]]:
    values = sorted(set(values))
    for start in range(0, len(values), _IN_CHUNK):
        yield values[start : start + _IN_CHUNK]


@dataclass
class PlannedEvent:
    """One row of a batch as checked: a replay of an event received before (`replay`),
    or a new event with its `outcome` and the registration status it leaves."""

    number: int
    payload: RegistrationIn
    body: dict
    digest: str
    replay: RegistrationReceipt | None = None
    outcome: _Outcome | None = None
    status: str = ""


@dataclass
class RegistrationPlan:
    events: list[PlannedEvent] = field(default_factory=list)
    problems: list[ErrorItem] = field(default_factory=list)  # each with its `row`

    @property
    def new(self) -> list[PlannedEvent]:
        return [p for p in self.events if p.outcome is not None]


def registration_events_plan(
    *,
    acting_user,
    rows: Sequence[tuple[int, dict]],
    lock: bool = False,
    max_problems: int | None = None,
) -> RegistrationPlan:
    """Check a batch of events — `(row number, body)` in the order they are received, as
    the rows of an upload — with every check of `registration_event_receive`, each row
    against the database as it is and the rows before it. Reads only (a few queries for the
    whole batch); writes nothing. `problems` holds every problem with its row (up to
    `max_problems`). `lock`: row-lock the institutions named (inside the write's own
    transaction, `registration_events_write`)."""
    own = registration_authority_of(acting_user)
    plan = RegistrationPlan()

    def report(number: int, exc: DomainError) -> None:
        plan.problems.extend(dataclasses.replace(item, row=number) for item in exc.errors)

    def full() -> bool:
        return max_problems is not None and len(plan.problems) >= max_problems

    parsed: list[PlannedEvent] = []
    for number, data in rows:
        if full():
            return plan
        try:
            payload = registration_payload_parse(data)
            _own_authority_check(payload, own)
        except DomainError as exc:
            report(number, exc)
            continue
        body = payload.canonical()
        parsed.append(PlannedEvent(number, payload, body, registration_payload_hash(body)))

    stored: dict[str, RegistrationEvent] = {}
    for chunk in _chunked(p.payload.event_id for p in parsed):
        stored.update((e.event_id, e) for e in RegistrationEvent.objects.filter(event_id__in=chunk))
    institutions: dict[str, Institution] = {}
    for chunk in _chunked(p.payload.uscc for p in parsed):
        found = Institution.objects.select_related("township").filter(uscc__in=chunk)
        if lock:
            found = found.select_for_update(of=("self",))
        institutions.update((i.uscc, i) for i in found)
    townships: dict[str, Region] = {}
    for chunk in _chunked(p.payload.township_code for p in parsed if p.payload.township_code):
        townships.update(
            (r.code, r) for r in Region.objects.filter(level=Region.Level.TOWNSHIP, code__in=chunk)
        )

    for planned in parsed:
        if full():
            break
        payload = planned.payload
        try:
            planned.replay = _replay_of(stored.get(payload.event_id), planned.digest)
            if planned.replay is None:
                errors: list[ErrorItem] = []
                township = _check_fields(payload, errors, township_of=townships.get)
                planned.outcome = _decide(
                    payload,
                    institution=institutions.get(payload.uscc),
                    township=township,
                    errors=errors,
                )
        except DomainError as exc:
            report(planned.number, exc)
            continue
        if planned.outcome is not None:
            institution = planned.outcome.institution
            institutions[payload.uscc] = institution  # what the next rows find
            planned.status = institution.registration_status
        plan.events.append(planned)
    return plan


def registration_events_write(
    *, acting_user, plan: RegistrationPlan, channel: str
) -> list[RegistrationEvent]:
    """Write a checked batch (`registration_events_plan(lock=True)` in the same transaction,
    without problems) in bulk (`tuoyu.core.bulk`: executemany on SQLite, COPY on
    PostgreSQL): the new institutions, the changed ones (one prepared UPDATE for all), the
    filing cancellations of the deregistrations (P-FIL-3), then the events with their
    answers. Returns the stored events. The caller's transaction also appends the audit
    event (one for the batch, `audit_record_bulk`). A USCC or event id stored meanwhile by
    a concurrent push fails on its unique constraint (`tuoyu.core.db.is_integrity_error`)."""
    if plan.problems:
        raise ValueError("只有校验通过的批次才能写入")
    new: list[Institution] = []
    changed: list[Institution] = []
    seen: set[int] = set()
    for planned in plan.new:
        institution = planned.outcome.institution
        if id(institution) in seen:
            continue
        if institution.pk is None:
            seen.add(id(institution))
            new.append(institution)
        elif planned.outcome.changes:
            seen.add(id(institution))
            changed.append(institution)
    bulk_insert(Institution, new)
    _read_back_pks(Institution, "uscc", new)
    institution_accounts_open_bulk(acting_user=acting_user, institutions=new)
    if changed:
        now = timezone.now()
        for institution in changed:
            institution.updated_at = now
            # [scale] #10 point 5: the search tokens follow the name and the address.
            institution.search_tokens = institution_document(institution)
        bulk_update_rows(Institution, [*REGISTRATION_FIELDS, "search_tokens"], changed)
    for planned in plan.new:
        if planned.outcome.deregistered:
            _deregistered(
                acting_user=acting_user,
                institution=planned.outcome.institution,
                payload=planned.payload,
            )
        _premises_pushed(
            acting_user=acting_user,
            institution=planned.outcome.institution,
            payload=planned.payload,
            held=planned.outcome.premises_held,
        )
    stored = [
        _event_row(
            acting_user=acting_user,
            payload=planned.payload,
            body=planned.body,
            digest=planned.digest,
            channel=channel,
            institution=planned.outcome.institution,
            status=planned.status,
            changes=planned.outcome.pushed,
        )
        for planned in plan.new
    ]
    bulk_insert(RegistrationEvent, stored)
    _read_back_pks(RegistrationEvent, "event_id", stored)
    return stored


def _read_back_pks(model, key: str, objs: list) -> None:
    """The ids `bulk_insert` does not return, read back by a natural key (unique)."""
    by_key = {getattr(obj, key): obj for obj in objs}
    for chunk in _chunked(by_key):
        for value, pk in model.objects.filter(**{f"{key}__in": chunk}).values_list(key, "pk"):
            by_key[value].pk = pk
