"""Reads for the policy page: the parameters in force on a date, labelled and formatted.

Policy data is public regulation, not scoped data: every signed-in user may read all of it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from tuoyu import policy
from tuoyu.policy.labels import CHOICES, CONFIDENCE, MAPPING_WORDS, SECTIONS, label_for
from tuoyu.policy.loader import ParamMeta, PolicyDateError, Version
from tuoyu.policy.schema import Target

_ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass(frozen=True)
class ParamRow:
    key: str
    label: str
    display: str
    meta: ParamMeta
    confidence_label: str
    overridden: bool
    """True when a later version in force replaced the first version's value."""
    introduced: bool = False
    """True for a parameter that a later version introduced (not in force before it)."""


@dataclass(frozen=True)
class SectionRows:
    key: str
    label: str
    rows: list[ParamRow]


@dataclass(frozen=True)
class VersionRow:
    version: Version
    in_force: bool
    parameter_count: int


@dataclass
class PolicyPage:
    date_input: str
    day: date | None
    error: str | None = None
    in_force: list[Version] = field(default_factory=list)
    sections: list[SectionRows] = field(default_factory=list)
    versions: list[VersionRow] = field(default_factory=list)
    unverified: int = 0
    today: date | None = None


def parse_day(raw: str | None) -> date:
    """`YYYY-MM-DD` → date; empty → today (Asia/Shanghai). Raises ValueError otherwise."""
    raw = (raw or "").strip()
    if not raw:
        return policy.today()
    if not _ISO_DAY.match(raw):
        raise ValueError(raw)
    return date.fromisoformat(raw)


def _number(value: Decimal | int) -> str:
    if isinstance(value, Decimal):
        return f"{value.normalize():f}"
    return str(value)


def _percent(value: Decimal | int) -> str:
    return f"{_number(Decimal(value) * 100)}%"


# Units that count things take a plural in English ("≥ 1 institution", "≥ 3 institutions",
# [accounts-ux] point 9): each a literal ngettext call, so makemessages finds it. Keyed by
# the unit's Chinese text (the label's msgid), whatever the language in use.
COUNTED_UNITS = {
    "家": lambda n: ngettext("%(n)s 家", "%(n)s 家", n),
    "个": lambda n: ngettext("%(n)s 个", "%(n)s 个", n),
    "名": lambda n: ngettext("%(n)s 名", "%(n)s 名", n),
    "人": lambda n: ngettext("%(n)s 人", "%(n)s 人", n),
    "个月": lambda n: ngettext("%(n)s 个月", "%(n)s 个月", n),
    "天": lambda n: ngettext("%(n)s 天", "%(n)s 天", n),
    "年": lambda n: ngettext("%(n)s 年", "%(n)s 年", n),
    "层": lambda n: ngettext("%(n)s 层", "%(n)s 层", n),
    "小时": lambda n: ngettext("%(n)s 小时", "%(n)s 小时", n),
}


def _unit_key(unit: Any) -> str:
    with translation.override("zh-hans"):
        return str(unit)


def _with_unit(value: Any, unit: Any) -> str:
    key = _unit_key(unit) if unit else ""
    if key == "%":
        return _percent(value)
    if key == "ratio":
        return f"1 : {_number(value)}"
    text = _number(value)
    counted = COUNTED_UNITS.get(key)
    if counted is not None and Decimal(value) == Decimal(value).to_integral_value():
        return counted(int(value)) % {"n": text}
    return f"{text} {unit}" if unit else text


def _words(value: Any) -> str:
    """A code of a policy mapping in words; "health,public_security" → "区卫健局、区公安分局"."""
    parts = [p.strip() for p in str(value).split(",")]
    return "、".join(str(MAPPING_WORDS.get(p, CHOICES.get(p, p))) for p in parts)


def format_value(value: Any, unit: Any = "") -> str:
    """A parameter value as Chinese display text (money stays a plain integer: 50000 元)."""
    if value is None:
        return _("无（本版本未设此项）")
    if isinstance(value, bool):
        return _("是") if value else _("否")
    if isinstance(value, Target):
        return format_target(value, unit)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Mapping):
        # Words, never the stored codes ([accounts-ux] 5): a routing table reads
        # "食品安全 → 区市场监管局；…"; a table of labels (code → its name) lists the names.
        if all(k in MAPPING_WORDS for k in value):
            return "；".join(f"{_words(k)} → {_words(v)}" for k, v in value.items())
        return "、".join(_words(v) for v in value.values())
    if isinstance(value, str):
        return str(CHOICES.get(value, value))
    if isinstance(value, (tuple, list)):
        # a list of codes (eligibility rules, service modes) in words, in the data's order
        return "、".join(_words(v) for v in value)
    return _with_unit(value, unit)


def format_target(target: Target, unit: Any = "") -> str:
    by = _("（截至 %(day)s）") % {"day": target.deadline.isoformat()}
    if target.kind == "trend":
        base = (
            _("较 %(year)s 年明显提高") % {"year": target.baseline_year}
            if target.baseline_year
            else _("明显提高")
        )
        return f"{base}{by}"
    op = "≥" if target.comparison == ">=" else ">"
    return f"{op} {_with_unit(target.value, unit)}{by}"


def policy_page(raw_date: str | None) -> PolicyPage:
    """Everything the page shows for `?date=…`; a bad or uncovered date becomes `error`."""
    today = policy.today()
    page = PolicyPage(date_input=(raw_date or "").strip() or today.isoformat(), day=None)
    page.today = today
    try:
        day = parse_day(raw_date)
    except ValueError:
        page.error = _("日期“%(raw)s”格式不正确，请按 YYYY-MM-DD 填写（例如 2023-08-01）。") % {
            "raw": raw_date
        }
        day = None
    in_force_ids: set[str] = set()
    if day is not None:
        page.day = day
        try:
            page.in_force = policy.versions_at(day)
            params = policy.parameters_at(day)
        except PolicyDateError as exc:
            page.error = exc.message
        else:
            in_force_ids = {v.id for v in page.in_force}
            first = page.in_force[0].id
            current = policy.at(day)
            later = policy.later_keys()
            sections: dict[str, SectionRows] = {}
            for key, value, meta in params:
                section = key.split(".", 1)[0]
                if section not in sections:
                    sections[section] = SectionRows(section, str(SECTIONS[section]), [])
                lab = label_for(key)
                label = str(lab.label)
                if section == "classes":
                    class_type = key.split(".")[1]
                    label = f"{_(current.classes[class_type].name_zh)} · {label}"  # a data text
                sections[section].rows.append(
                    ParamRow(
                        key=key,
                        label=label,
                        display=format_value(value, lab.unit),
                        meta=meta,
                        confidence_label=str(CONFIDENCE[meta.confidence]),
                        overridden=meta.version != first and key not in later,
                        introduced=key in later,
                    )
                )
            page.sections = list(sections.values())
            page.unverified = sum(1 for _k, _v, m in params if m.unverified)
    page.versions = [
        VersionRow(version=v, in_force=v.id in in_force_ids, parameter_count=len(v.params))
        for v in policy.versions()
    ]
    return page
