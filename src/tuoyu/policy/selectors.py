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

from django.utils.translation import gettext as _

from tuoyu import policy
from tuoyu.policy.labels import CHOICES, CONFIDENCE, SECTIONS, label_for
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


def _with_unit(value: Any, unit: str) -> str:
    if unit == "%":
        return _percent(value)
    if unit == "ratio":
        return f"1 : {_number(value)}"
    text = _number(value)
    return f"{text} {unit}" if unit else text


def format_value(value: Any, unit: str = "") -> str:
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
        return "、".join(str(v) for v in value.values())
    if isinstance(value, str):
        if value in CHOICES:
            return f"{CHOICES[value]}（{value}）"
        return value
    return _with_unit(value, unit)


def format_target(target: Target, unit: str = "") -> str:
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
                    label = f"{current.classes[class_type].name_zh} · {label}"
                sections[section].rows.append(
                    ParamRow(
                        key=key,
                        label=label,
                        display=format_value(value, str(lab.unit)),
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
