"""Domain events: how one app reacts to another's change without importing it
([house] point 3; docs/events.md lists the catalogue).

An app emits an event from inside its service's transaction; the apps that react register
receivers in their AppConfig.ready(). Two kinds of receiver:

- ``in_transaction=True``: runs at once, inside the emitter's transaction. The write and the
  reaction stand or fall together: if the receiver raises, the emitter's whole write rolls
  back (deregistration → filing cancellation → end of 普惠 status).
- ``in_transaction=False`` (the default): runs after the transaction commits (notices,
  caches, anything that must not happen for a write that rolled back). A failure is logged
  and never undoes the committed write.

Every event is declared here, once, with the payload it carries, so an emitter and its
receivers agree on names and fields, and `git grep` finds both ends.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial

from django.db import transaction


@dataclass(frozen=True)
class Event:
    name: str
    payload: tuple[str, ...]
    doc: str

    def __str__(self) -> str:
        return self.name


@dataclass
class _Receiver:
    func: Callable[..., None]
    in_transaction: bool
    name: str


@dataclass
class _Registry:
    receivers: dict[str, list[_Receiver]] = field(default_factory=dict)


_registry = _Registry()

# --- the catalogue ------------------------------------------------------------------------

INSTITUTION_REGISTERED = Event(
    "institution_registered",
    ("institution_id", "acting_user", "occurred_at"),
    "登记机关推送了新登记的机构（P-REG-11）。",
)
INSTITUTION_DEREGISTERED = Event(
    "institution_deregistered",
    ("institution_id", "acting_user", "cancelled_on", "reason"),
    "机构注销登记（P-FIL-3）：备案随之注销。",
)
REGISTRATION_PREMISES_CHANGED = Event(
    "registration_premises_changed",
    ("institution_id", "acting_user", "address", "township_code", "event_id", "occurred_at"),
    "登记机关推送已备案（或备案审核中）机构的地址或所在镇乡街道变更（P-FIL-3）：不覆盖备案场地，"
    "改为开启备案变更（消防、安全保卫、卫生保健审核）。address / township_code 为推送的新值，"
    "未变更的为 None。",
)
FILING_APPROVED = Event(
    "filing_approved",
    ("institution_id", "application_id", "kind", "acting_user", "decided_on"),
    "区卫健局准予备案或变更（P-REG-12）。",
)
FILING_CANCELLED = Event(
    "filing_cancelled",
    ("institution_id", "acting_user", "cancelled_on", "source"),
    "机构备案注销（申请注销或注销登记，P-FIL-3）；普惠认定随之终止（P-MODE-2）。",
)
AFFORDABLE_DESIGNATION_ENDED = Event(
    "affordable_designation_ended",
    ("institution_id", "designation_id", "ended_on", "acting_user"),
    "普惠性托育机构认定撤销或终止（P-MODE-2）。",
)
HOLIDAY_NOTICE_SAVED = Event(
    "holiday_notice_saved",
    ("year", "acting_user"),
    "录入或更新某年度国务院节假日安排通知（P-FIL-2）：按工作日计算的期限随之重算。",
)
# Declared for the apps of the next issues ([workforce], [supervision], [children]): their
# emitters and receivers use these names.
PRACTITIONER_BANNED = Event(
    "practitioner_banned",
    ("ban_id", "id_blind_index", "acting_user"),
    "区卫健局记录从业人员终身禁入（P-SUP-6）。",
)
INSTITUTION_BLACKLISTED = Event(
    "institution_blacklisted",
    ("institution_id", "entry_id", "acting_user"),
    "机构列入黑名单（P-SUP-5）。",
)
PERSON_BLACKLISTED = Event(
    "person_blacklisted",
    ("entry_id", "name", "id_number", "reason", "decided_on", "decision_ref", "acting_user"),
    "个人经双人审核列入黑名单（P-SUP-5/6，综合监管）：从业人员模块在同一事务中记录终身禁入。"
    "id_number 为明文，只在进程内传递，不得写入日志或事件存档。",
)
OUTBREAK_ALERT_RAISED = Event(
    "outbreak_alert_raised",
    ("institution_id", "alert_id", "acting_user"),
    "晨午检发现聚集性症状，触发传染病预警（P-HC-3）。",
)
DEMONSTRATION_TITLE_CONFERRED = Event(
    "demonstration_title_conferred",
    ("institution_id", "title_id", "level", "conferred_on", "acting_user"),
    "机构获评示范托育机构或建成综合托育服务中心（P-SUB-3、P-V2023-1），由财政补助模块记录。",
)
BACKUP_MADE = Event(
    "backup_made",
    ("directory", "tables", "rows", "files", "manifest_sha256"),
    "数据库与上传文件已备份（[operations]）：审计模块记录一条系统事件，备份清单的摘要可与备份目录核对。",
)

CATALOGUE: dict[str, Event] = {
    e.name: e
    for e in (
        INSTITUTION_REGISTERED,
        INSTITUTION_DEREGISTERED,
        REGISTRATION_PREMISES_CHANGED,
        FILING_APPROVED,
        FILING_CANCELLED,
        AFFORDABLE_DESIGNATION_ENDED,
        HOLIDAY_NOTICE_SAVED,
        PRACTITIONER_BANNED,
        INSTITUTION_BLACKLISTED,
        PERSON_BLACKLISTED,
        OUTBREAK_ALERT_RAISED,
        DEMONSTRATION_TITLE_CONFERRED,
        BACKUP_MADE,
    )
}


# --- receiving and emitting ----------------------------------------------------------------


def receiver(event: Event, *, in_transaction: bool = False):
    """Register the decorated function as a receiver of `event` (call in ready())."""

    def register(func: Callable[..., None]) -> Callable[..., None]:
        subscribe(event, func, in_transaction=in_transaction)
        return func

    return register


def subscribe(event: Event, func: Callable[..., None], *, in_transaction: bool = False) -> None:
    if event.name not in CATALOGUE:
        raise KeyError(f"未登记的领域事件：{event.name}")
    name = f"{func.__module__}.{func.__qualname__}"
    receivers = _registry.receivers.setdefault(event.name, [])
    # ready() may run twice (tests, autoreload): one registration per function.
    receivers[:] = [r for r in receivers if r.name != name]
    receivers.append(_Receiver(func=func, in_transaction=in_transaction, name=name))


def unsubscribe(event: Event, func: Callable[..., None]) -> None:
    name = f"{func.__module__}.{func.__qualname__}"
    receivers = _registry.receivers.get(event.name, [])
    receivers[:] = [r for r in receivers if r.name != name]


def receivers_of(event: Event) -> list[str]:
    return [r.name for r in _registry.receivers.get(event.name, [])]


def emit(event: Event, **payload) -> None:
    """Send `event` to its receivers. Call inside the emitting service's transaction."""
    if event.name not in CATALOGUE:
        raise KeyError(f"未登记的领域事件：{event.name}")
    missing = set(event.payload) - set(payload)
    extra = set(payload) - set(event.payload)
    if missing or extra:
        raise TypeError(
            f"事件 {event.name} 的内容不符：缺少 {sorted(missing)}，多出 {sorted(extra)}"
        )
    for r in list(_registry.receivers.get(event.name, [])):
        if r.in_transaction:
            r.func(**payload)
        else:
            # robust: a failing notice is logged (django.db.backends) and never undoes
            # the committed write nor stops the other receivers.
            transaction.on_commit(partial(r.func, **payload), robust=True)
