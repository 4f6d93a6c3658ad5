"""Audit events in words ([accounts-ux] point 5): "张三 登录", "备案申请 #32：待决定 → 已准予".

People never read a stored key or an enum value: a field is named by its label, a value by
its Chinese name. Labels come, in this order, from what the owning app registered
(`register_audit_labels`, in its `AppConfig.ready()`; audit sits below the domain apps and
imports none of them), from the model's field (`verbose_name`, `choices`) found by the
event's `object_type` through the app registry, from the words below for keys many events
share, and for a value that is a catalogued code or a stored enum word anywhere, from the
catalogues and the models' choices. The stored event is never changed: the machine-readable
names stay in the page's attributes (`data-action`, `data-key`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.utils.translation import gettext as _g
from django.utils.translation import gettext_lazy as _

from tuoyu.core.catalogue import all_audit_actions, all_error_codes, audit_action_label

Display = Callable[[str, object], "str | None"]

_fields: dict[str, dict[str, object]] = {}
_displays: dict[str, list[Display]] = {}
_enum_words: dict | None = None

# Keys of `detail` many actions share (and the bookkeeping fields of every model).
COMMON_LABELS = {
    "id": _("编号"),
    "application_id": _("备案申请编号"),
    "review_id": _("审核编号"),
    "event": _("登记事件编号"),
    "event_id": _("登记事件编号"),
    "kind": _("类型"),
    "round": _("审核轮次"),
    "section": _("填报部分"),
    "comment": _("意见"),
    "reasons": _("理由"),
    "note": _("说明"),
    "reason": _("原因"),
    "warnings": _("提示"),
    "filing_number": _("备案编号"),
    "authority": _("登记机关"),
    "channel": _("渠道"),
    "occurred_at": _("发生时间"),
    "seed": _("演示数据种子"),
    "bulk": _("批量写入"),
    "counts": _("数量"),
    "districts": _("区县数"),
    "events": _("事件数"),
    "accounts": _("账号数"),
    "institutions": _("机构数"),
    "rows": _("行数"),
    "created": _("新增条数"),
    "created_keys": _("新增记录"),
    "created_keys_truncated": _("新增记录只列出一部分"),
    "created_by_level": _("各级新增数"),
    "levels": _("各级区划数"),
    "root": _("区划"),
    "code": _("代码"),
    "name": _("名称"),
    "source_version": _("数据来源版本"),
    "demo": _("演示账号"),
    "started_on": _("任职日期"),
    "materials_complete_on": _("材料齐全日期"),
    "deadline_unknown_year": _("无法计算办理时限的年份"),
    "cancelled_on": _("注销日期"),
    "classes_closed": _("撤销的班级"),
    "applications_withdrawn": _("撤回的备案申请"),
    "affordable_designations_closed": _("终止的普惠认定数"),
    "agreement_number": _("连锁协议编号"),
    "in_scope": _("在本辖区内"),
    "township": _("镇乡街道"),
    "townships": _("镇乡街道"),
    "head_uscc": _("总部统一社会信用代码"),
    "institution_uscc": _("机构统一社会信用代码"),
    "uscc": _("统一社会信用代码"),
    "rejection_category": _("不予备案类别"),
    "path": _("页面"),
    "filename": _("文件名"),
    "tab": _("列表"),
    "filters": _("筛选条件"),
    "field": _("字段"),
    "purpose": _("用途"),
    "count": _("数量"),
    # foreign keys named by Django's default (the key itself)
    "department": _("部门"),
    "holder": _("任职人"),
    "institution": _("机构"),
    "decided_by": _("决定人"),
    "created_by": _("创建人"),
    "sort_order": _("排列顺序"),
    "sha256": _("文件指纹"),
    "classes_filed": _("已备案班级"),
    "source": _("来源"),
    "stale": _("已失效条数"),
    "unchanged": _("未变条数"),
    "updated": _("更新条数"),
    "updated_by_level": _("各级更新数"),
    "years": _("年份"),
    "by_action": _("各事项条数"),
    "file": _("文件"),
    "replayed": _("重复报送条数"),
    "staff": _("从业人员数"),
    "bans": _("从业禁止记录数"),
    # a backup (audit.backup.made)
    "directory": _("备份目录"),
    "tables": _("表数"),
    "files": _("上传文件数"),
    "manifest_sha256": _("备份清单摘要"),
}


def register_audit_labels(
    object_type: str, *, fields: dict | None = None, display: Display | None = None
) -> None:
    """An app names the keys its events record for `object_type` ("filings.filingapplication")
    that are not model fields (facts stored as JSON), and may give a `display(key, value)`
    that returns the words for a value (or None to fall through)."""
    _fields.setdefault(object_type, {}).update(fields or {})
    if display is not None:
        _displays.setdefault(object_type, []).append(display)


def _model(object_type: str):
    try:
        return apps.get_model(object_type)
    except (LookupError, ValueError):
        return None


def _model_field(object_type: str, key: str):
    model = _model(object_type)
    if model is None:
        return None
    try:
        return model._meta.get_field(key)
    except FieldDoesNotExist:
        return None


def object_type_label(object_type: str) -> str:
    model = _model(object_type)
    return str(model._meta.verbose_name) if model is not None else ""


def field_label(object_type: str, key: str) -> str | None:
    """The Chinese name of `key` in events on `object_type`; None when nobody named it."""
    if key in _fields.get(object_type, {}):
        return str(_fields[object_type][key])
    field = _model_field(object_type, key)
    if field is not None and getattr(field, "verbose_name", None):
        name = str(field.verbose_name)
        if name.replace(" ", "_") not in (key, field.name):  # Django's default: the name
            return name
    if key in COMMON_LABELS:
        return str(COMMON_LABELS[key])
    return None


def _enum_word_labels() -> _LabelMap:
    """Every stored enum word of every tuoyu model's choices, every catalogued error code
    and audit action → its Chinese name (the first declaration wins), in the language in
    use (the lazy labels are kept, and read at each call)."""
    global _enum_words
    if _enum_words is None:
        words: dict = {}
        for model in apps.get_models():
            if not model.__module__.startswith("tuoyu."):
                continue
            for field in model._meta.get_fields():
                for value, label in getattr(field, "flatchoices", None) or []:
                    if isinstance(value, str) and value:
                        words.setdefault(value, label)
        for code, member in all_error_codes().items():
            words.setdefault(code, member.message)
        for action, member in all_audit_actions().items():
            words.setdefault(action, member.label)
        _enum_words = words
    return _LabelMap(_enum_words)


class _LabelMap:
    def __init__(self, labels: dict):
        self.labels = labels

    def __contains__(self, value) -> bool:
        return value in self.labels

    def get(self, value, default=None):
        label = self.labels.get(value)
        return default if label is None else str(label)

    def __getitem__(self, value) -> str:
        return str(self.labels[value])


def enum_words(value) -> str:
    """A stored enum word (or a list of them) in Chinese: `["fire", "food"]` → "消防、食品"."""
    if isinstance(value, list | tuple):
        return "、".join(enum_words(v) for v in value)
    return _enum_word_labels().get(value, value) if isinstance(value, str) else str(value)


def value_words(object_type: str, key: str, value) -> str:
    """`value` of `key` as people read it: 是/否, a choice's label, a code's message."""
    for display in _displays.get(object_type, []):
        shown = display(key, value)
        if shown is not None:
            return str(shown)
    if value in (None, "", [], {}):
        return "—"
    if isinstance(value, bool):
        return _g("是") if value else _g("否")
    if isinstance(value, list | tuple):
        return "、".join(value_words(object_type, key, v) for v in value)
    if isinstance(value, dict):
        return "、".join(
            f"{_enum_word_labels().get(k, field_label(object_type, k) or k)} "
            f"{value_words(object_type, k, v)}"
            for k, v in value.items()
        )
    field = _model_field(object_type, key)
    choices = dict(getattr(field, "flatchoices", None) or []) if field is not None else {}
    if value in choices:
        return str(choices[value])
    if isinstance(value, str):
        if value in _enum_word_labels():
            return _enum_word_labels()[value]
        try:
            moment = dt.datetime.fromisoformat(value)
        except ValueError:
            return value
        if "T" in value:
            from django.utils import timezone

            return f"{timezone.localtime(moment):%Y-%m-%d %H:%M}" if moment.tzinfo else value
        return value
    return str(value)


@dataclass(frozen=True)
class Line:
    """One labelled fact of an event: `key` stays for the page's `data-key`."""

    key: str
    label: str
    before: str | None
    after: str


@dataclass(frozen=True)
class EventWords:
    sentence: str
    changes: list[Line]
    details: list[Line]


def event_words(event, *, actor_names: dict | None = None) -> EventWords:
    """The event as a sentence ("张三 登录"; "备案申请 #32：待决定 → 已准予") with its
    changes and details as labelled lines."""
    object_type = event.object_type
    named = (actor_names or {}).get(event.actor_id) if event.actor_id is not None else None
    actor = named or event.actor_username or _g("系统")
    subject = object_type_label(object_type)
    label = event.object_label or (f"#{event.object_id}" if event.object_id else "")
    thing = " ".join(p for p in (subject, label) if p)
    sentence = f"{actor} {audit_action_label(event.action)}"
    changes = [
        Line(
            key,
            field_label(object_type, key) or _g("其他"),
            value_words(object_type, key, pair[0] if isinstance(pair, list | tuple) else None),
            value_words(object_type, key, pair[-1] if isinstance(pair, list | tuple) else pair),
        )
        for key, pair in (event.changes or {}).items()
    ]
    status = next((c for c in changes if c.key == "status"), None)
    if thing:
        sentence += f"：{thing}"
        if status is not None and status.before != "—":
            sentence += f"：{status.before} → {status.after}"
    details = [
        Line(key, field_label(object_type, key) or _g("其他"), None, value_words("", key, value))
        for key, value in (event.detail or {}).items()
    ]
    return EventWords(sentence, changes, details)
