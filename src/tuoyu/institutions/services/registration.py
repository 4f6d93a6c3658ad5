"""Registrations, changes and deregistrations from the registration authorities (P-REG-10,
P-REG-11; API-CONTRACT §1).

One code path for every channel: the API (`POST /api/v1/registrations`), the entry form and
the Excel upload all end in `registration_event_receive`, which

1. parses the body with `RegistrationIn` (422, field codes as the API renders them);
2. checks who pushes: a registration-authority account (else 403 `out_of_scope`) pushing as
   its own department (else 403 `authority_mismatch`);
3. answers a known `event_id` from the stored event: the same canonical body → the same
   answer again (the API says 200), a different body → 409 `event_conflict`;
4. checks the facts: USCC (`uscc_format`, `uscc_checksum`), township (`unknown_region`),
   the institution (`unknown_institution`, 409 `already_registered`,
   `institution_deregistered`, `already_deregistered`) and P-REG-10 (`legal_form_mismatch`,
   `wrong_authority`);
5. applies the event, stores it (the `event_id` unique constraint is the idempotency key)
   and appends the audit event, all in one transaction. A concurrent duplicate that loses
   the race on a unique constraint (event_id, uscc) is answered by re-reading.

Decisions (documented here, tested in test_registration_api.py):

* `registered` for a USCC that already has an institution (whatever its state) → 409
  `already_registered`; a USCC is never reused.
* `changed` carries the facts that changed; absent (or empty) facts stay as they are. The
  resulting legal form / for-profit pair must belong to the pushing authority (P-REG-10), so
  an authority can change only institutions it is responsible for; a change of legal form
  that moves an institution to another authority is pushed by the new authority, which then
  becomes its registration authority.
* `deregistered` must come from the institution's own registration authority; it also
  cancels the filing (P-FIL-3) through `tuoyu.filings.services.filing_cancel`.
* `occurred_at` without an offset is read as Asia/Shanghai time and stored converted to
  +08:00, so that "…T01:00:00Z" and "…T09:00:00+08:00" are the same body.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import uuid
import zoneinfo
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Literal

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from tuoyu.accounts.models import Department, User
from tuoyu.audit.services import audit_record, diff
from tuoyu.core.errors import DomainError, ErrorCollector, ErrorItem, OutOfScope
from tuoyu.core.excel import check_file_size
from tuoyu.core.identifiers import validate_uscc
from tuoyu.institutions.models import Institution, RegistrationEvent
from tuoyu.regions.models import Region

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
# Clocks of other systems may run a little ahead; beyond this an event "in the future" is
# refused (a technical tolerance, not a policy number).
CLOCK_SKEW = dt.timedelta(minutes=10)

Authority = Literal[
    "market_regulation", "civil_affairs", "public_institution_registration", "education"
]
Action = Literal["registered", "changed", "deregistered"]
LegalForm = Literal["company", "social_organization", "public_institution", "kindergarten"]


class _ChoiceLabels(Mapping):
    """code → label of a model's choices, as plain text in the active language at the moment
    it is read (Excel cells and string checks cannot take lazy translations)."""

    def __init__(self, choices_class):
        self._choices = choices_class

    def __getitem__(self, code):
        return str(dict(self._choices.choices)[code])

    def __iter__(self):
        return iter(self._choices.values)

    def __len__(self):
        return len(self._choices.values)


AUTHORITY_LABELS = _ChoiceLabels(Department.RegistrationAuthority)
LEGAL_FORM_LABELS = _ChoiceLabels(Institution.LegalForm)

# P-REG-10 — who registers whom. (legal_form, for_profit) → registration authority; None for
# for_profit means "either". A pair that is not in the table is inconsistent in itself
# (a for-profit social organisation or public institution, a non-profit company) and is
# refused with `legal_form_mismatch` before the authority is compared (`wrong_authority`).
#
#   | kind                                        | legal_form          | for_profit | authority                        |
#   |---------------------------------------------|---------------------|------------|----------------------------------|
#   | integrated kindergarten–nursery (托幼一体化) | kindergarten        | either     | education (区教体局)              |
#   | non-profit, social organisation             | social_organization | false      | civil_affairs (区民政局)          |
#   | non-profit, public institution (事业单位)    | public_institution  | false      | public_institution_registration  |
#   | for-profit                                  | company             | true       | market_regulation (区市场监管局)  |
P_REG_10: tuple[tuple[str, bool | None, str], ...] = (
    ("kindergarten", None, "education"),
    ("social_organization", False, "civil_affairs"),
    ("public_institution", False, "public_institution_registration"),
    ("company", True, "market_regulation"),
)

# Registration facts an event carries, in the order of the contract body.
FACT_FIELDS = (
    "name",
    "legal_form",
    "for_profit",
    "legal_representative",
    "address",
    "township_code",
)
REQUIRED_FOR_REGISTERED = ("name", "legal_form", "for_profit", "township_code")
FIELD_LABELS = {
    "event_id": "事件编号",
    "authority": "登记机关",
    "action": "事项",
    "uscc": "统一社会信用代码",
    "name": "机构名称",
    "legal_form": "法人类型",
    "for_profit": "营利性",
    "legal_representative": "法定代表人",
    "address": "地址",
    "township_code": "镇乡街道代码",
    "occurred_at": "发生时间",
}


def authority_for(legal_form: str, for_profit: bool) -> str | None:
    """P-REG-10: the registration authority for this kind of institution; None when the
    pair is inconsistent (see the table above)."""
    for form, profit, authority in P_REG_10:
        if form == legal_form and (profit is None or profit == for_profit):
            return authority
    return None


# --- the body ----------------------------------------------------------------------------


class RegistrationIn(BaseModel):
    """The body of `POST /api/v1/registrations` (API-CONTRACT §1); also what the form and
    the Excel upload produce."""

    model_config = ConfigDict(str_strip_whitespace=True)

    event_id: str = Field(
        ...,
        min_length=1,
        max_length=100,
        description="登记机关系统中的事件编号，幂等键：同一编号同一内容重复推送返回相同结果",
        examples=["SAMR-330703-2024-000123"],
    )
    authority: Authority = Field(..., description="登记机关，须为令牌所属部门")
    action: Action = Field(..., description="registered 登记 | changed 变更 | deregistered 注销")
    uscc: str = Field(
        ...,
        description="统一社会信用代码（GB 32100-2015）",
        examples=["91330703MA2HXXXXXX"],
    )
    name: str | None = Field(None, max_length=200, description="机构名称；登记时必填")
    legal_form: LegalForm | None = Field(None, description="法人类型；登记时必填")
    for_profit: bool | None = Field(None, description="是否营利性；登记时必填")
    legal_representative: str | None = Field(None, max_length=60, description="法定代表人")
    address: str | None = Field(None, max_length=200, description="地址")
    township_code: str | None = Field(
        None,
        max_length=12,
        description="镇乡街道代码，须为 GET /api/v1/regions 列出的镇乡街道级代码；登记时必填",
        examples=["330703001"],
    )
    occurred_at: dt.datetime = Field(
        ..., description="登记机关办结时间，ISO 8601 带时区", examples=["2024-03-01T09:00:00+08:00"]
    )

    @field_validator("name", "legal_representative", "address", "township_code", mode="before")
    @classmethod
    def _blank_is_absent(cls, value):
        if isinstance(value, str) and not value.strip():
            return None
        return value

    @field_validator("legal_form", "for_profit", mode="before")
    @classmethod
    def _blank_choice_is_absent(cls, value):
        return None if value == "" else value

    @field_validator("uscc")
    @classmethod
    def _uscc_upper(cls, value: str) -> str:
        return value.upper()

    @field_validator("occurred_at")
    @classmethod
    def _shanghai(cls, value: dt.datetime) -> dt.datetime:
        if value.tzinfo is None:
            value = value.replace(tzinfo=SHANGHAI)
        return value.astimezone(SHANGHAI)

    def canonical(self) -> dict[str, Any]:
        """The body as stored and hashed: normalised values, absent facts left out."""
        return self.model_dump(mode="json", exclude_none=True)


_SCHEMA_MESSAGES = {
    "missing": "“{label}”不能为空",
    "string_type": "“{label}”应为字符串",
    "string_too_short": "“{label}”不能为空",
    "string_too_long": "“{label}”过长",
    "bool_parsing": "“{label}”应为 true 或 false",
    "bool_type": "“{label}”应为 true 或 false",
    "datetime_parsing": "“{label}”时间格式错误，应为 ISO 8601（如 2024-03-01T09:00:00+08:00）",
    "datetime_from_date_parsing": "“{label}”时间格式错误，应为 ISO 8601（如 2024-03-01T09:00:00+08:00）",
    "datetime_type": "“{label}”时间格式错误，应为 ISO 8601（如 2024-03-01T09:00:00+08:00）",
    "literal_error": "“{label}”取值不在允许范围内",
    "enum": "“{label}”取值不在允许范围内",
}


def _schema_errors(exc: ValidationError) -> list[ErrorItem]:
    """Pydantic errors as error items; codes as the API renders schema errors (tuoyu.api:
    `missing` → `required`, else the pydantic type), so every channel reports alike."""
    items = []
    for err in exc.errors():
        loc = [str(p) for p in err.get("loc", ())]
        name = ".".join(loc) or None
        kind = err.get("type", "invalid")
        label = FIELD_LABELS.get(name or "", name or "请求")
        message = _SCHEMA_MESSAGES.get(kind, "“{label}”取值无效").format(label=label)
        items.append(
            ErrorItem(code={"missing": "required"}.get(kind, kind), message=message, field=name)
        )
    return items


def registration_payload_parse(data: RegistrationIn | dict) -> RegistrationIn:
    """A validated body; DomainError (422) with one item per bad field."""
    if isinstance(data, RegistrationIn):
        return data
    try:
        return RegistrationIn.model_validate(data)
    except ValidationError as exc:
        raise DomainError(errors=_schema_errors(exc)) from exc


def registration_payload_hash(body: dict[str, Any]) -> str:
    """SHA-256 of the canonical JSON of a body (sorted keys, no spaces, UTF-8)."""
    text = json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


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
    event = RegistrationEvent.objects.filter(event_id=event_id).first()
    if event is None:
        return None
    if event.payload_hash != digest:
        raise DomainError(
            "event_conflict",
            f"事件编号“{event_id}”已于 {timezone.localtime(event.received_at):%Y-%m-%d %H:%M} "
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


def registration_event_receive(
    *, acting_user, data: RegistrationIn | dict, channel: str = RegistrationEvent.Channel.API
) -> RegistrationReceipt:
    """Receive one registration event (see the module docstring for the checks and codes).
    Returns the receipt; `created` is False when the event was received before with the
    same body (idempotent replay: nothing new is written)."""
    payload = registration_payload_parse(data)
    own = registration_authority_of(acting_user)
    if payload.authority != own:
        raise DomainError(
            "authority_mismatch",
            f"推送的登记机关“{AUTHORITY_LABELS.get(payload.authority, payload.authority)}”"
            f"与令牌所属部门（{AUTHORITY_LABELS.get(own, own)}）不一致",
            field="authority",
            status=403,
        )
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
        "already_registered",
        f"统一社会信用代码为 {uscc} 的机构已登记，不能重复登记（变更请推送 changed）",
        field="uscc",
        status=409,
    )


def _facts(institution: Institution) -> dict[str, Any]:
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


def _check_fields(payload: RegistrationIn, errors: list[ErrorItem]) -> Region | None:
    try:
        validate_uscc(payload.uscc)
    except DomainError as exc:
        errors.extend(exc.errors)
    if payload.action == RegistrationEvent.Action.REGISTERED:
        for name in REQUIRED_FOR_REGISTERED:
            if getattr(payload, name) is None:
                errors.append(
                    ErrorItem("required", f"登记时“{FIELD_LABELS[name]}”不能为空", field=name)
                )
    if payload.occurred_at > timezone.now() + CLOCK_SKEW:
        errors.append(ErrorItem("future_date", "“发生时间”晚于当前时间", field="occurred_at"))
    township = None
    if (
        payload.township_code is not None
        and payload.action != RegistrationEvent.Action.DEREGISTERED
    ):
        township = Region.objects.filter(
            code=payload.township_code, level=Region.Level.TOWNSHIP
        ).first()
        if township is None:
            errors.append(
                ErrorItem(
                    "unknown_region",
                    f"镇乡街道代码“{payload.township_code}”不是 GET /api/v1/regions 列出的镇乡街道级区划",
                    field="township_code",
                )
            )
    return township


def _check_authority(payload: RegistrationIn, legal_form: str, for_profit: bool) -> None:
    """P-REG-10 on the facts the institution will have after this event."""
    expected = authority_for(legal_form, for_profit)
    if expected is None:
        raise DomainError(
            "legal_form_mismatch",
            f"法人类型“{LEGAL_FORM_LABELS.get(legal_form, legal_form)}”与"
            f"“{'营利性' if for_profit else '非营利性'}”不相符（P-REG-10：企业为营利性，"
            "社会组织、事业单位为非营利性）",
            field="for_profit",
        )
    if expected != payload.authority:
        raise DomainError(
            "wrong_authority",
            f"{'营利性' if for_profit else '非营利性'}"
            f"{LEGAL_FORM_LABELS.get(legal_form, legal_form)}应由"
            f"{AUTHORITY_LABELS[expected]}登记（P-REG-10），不由"
            f"{AUTHORITY_LABELS.get(payload.authority, payload.authority)}推送",
            field="authority",
        )


@transaction.atomic
def _receive(
    *, acting_user, payload: RegistrationIn, body: dict, digest: str, channel: str
) -> RegistrationReceipt:
    errors: list[ErrorItem] = []
    township = _check_fields(payload, errors)
    action = payload.action
    institution = None
    # A `registered` USCC that exists already is found by the unique constraint on insert
    # (see registration_event_receive), which also catches a concurrent registration.
    if action != RegistrationEvent.Action.REGISTERED and not any(e.field == "uscc" for e in errors):
        institution = (
            Institution.objects.select_for_update(of=("self",))  # not the township's row
            .select_related("township")
            .filter(uscc=payload.uscc)
            .first()
        )
        if institution is None:
            errors.append(
                ErrorItem(
                    "unknown_institution",
                    f"统一社会信用代码为 {payload.uscc} 的机构尚未登记，不能推送"
                    f"{'变更' if action == 'changed' else '注销'}",
                    field="uscc",
                )
            )
    if errors:
        raise DomainError(errors=errors)

    if institution is not None and institution.is_deregistered:
        if action == RegistrationEvent.Action.DEREGISTERED:
            raise DomainError(
                "already_deregistered",
                f"该机构已于 {timezone.localtime(institution.deregistered_at):%Y-%m-%d} 注销登记",
                field="uscc",
                status=409,
            )
        raise DomainError(
            "institution_deregistered", "该机构已注销登记，不能再推送变更", field="uscc", status=409
        )

    if action == RegistrationEvent.Action.REGISTERED:
        _check_authority(payload, payload.legal_form, payload.for_profit)
        institution = Institution.objects.create(
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
        changes = diff({}, _facts(institution))
    elif action == RegistrationEvent.Action.CHANGED:
        legal_form = payload.legal_form or institution.legal_form
        for_profit = (
            payload.for_profit if payload.for_profit is not None else institution.for_profit
        )
        _check_authority(payload, legal_form, for_profit)
        before = _facts(institution)
        for name in ("name", "legal_form", "for_profit", "legal_representative", "address"):
            value = getattr(payload, name)
            if value is not None:
                setattr(institution, name, value)
        if township is not None:
            institution.township = township
        institution.registration_authority = payload.authority
        changes = diff(before, _facts(institution))
        if changes:
            institution.save(
                update_fields=[
                    "name",
                    "legal_form",
                    "for_profit",
                    "legal_representative",
                    "address",
                    "township",
                    "registration_authority",
                    "updated_at",
                ]
            )
    else:  # deregistered
        if institution.registration_authority != payload.authority:
            own = institution.registration_authority
            raise DomainError(
                "wrong_authority",
                f"该机构的登记机关为{AUTHORITY_LABELS.get(own, own)}，注销登记应由其推送（P-REG-10）",
                field="authority",
            )
        before = _facts(institution)
        institution.registration_status = Institution.RegistrationStatus.DEREGISTERED
        institution.deregistered_at = payload.occurred_at
        institution.save(update_fields=["registration_status", "deregistered_at", "updated_at"])
        changes = diff(before, _facts(institution))
        changes["deregistered_at"] = [None, payload.occurred_at.isoformat()]
        _cancel_filing(acting_user=acting_user, institution=institution, payload=payload)
        institution.refresh_from_db()

    receipt_body = {
        "institution_id": institution.pk,
        "registration_status": institution.registration_status,
    }
    event = RegistrationEvent.objects.create(
        event_id=payload.event_id,
        authority=payload.authority,
        action=action,
        uscc=payload.uscc,
        payload=body,
        payload_hash=digest,
        institution=institution,
        occurred_at=payload.occurred_at,
        received_by=acting_user,
        channel=channel,
        response=receipt_body,
        changes=changes,
    )
    audit_record(
        action=f"institutions.registration_{action}",
        actor=acting_user,
        obj=institution,
        changes=changes,
        detail={
            "event_id": payload.event_id,
            "event": event.pk,
            "authority": payload.authority,
            "channel": channel,
            "occurred_at": payload.occurred_at.isoformat(),
        },
    )
    return RegistrationReceipt(
        institution_id=institution.pk,
        registration_status=institution.registration_status,
        created=True,
        event=event,
    )


def _cancel_filing(*, acting_user, institution: Institution, payload: RegistrationIn) -> None:
    """P-FIL-3: a deregistration cancels the filing (closes classes, withdraws an open
    application); the filings app owns how."""
    from tuoyu.filings.services import filing_cancel

    label = AUTHORITY_LABELS.get(payload.authority, payload.authority)
    filing_cancel(
        institution=institution,
        acting_user=acting_user,
        reason=f"{label}推送注销登记（事件编号 {payload.event_id}）",
        cancelled_on=timezone.localtime(payload.occurred_at, SHANGHAI).date(),
        source="deregistration",
    )


# --- Excel upload ------------------------------------------------------------------------

MAX_IMPORT_ROWS = 2_000
MAX_IMPORT_BYTES = 5 * 1024 * 1024
MAX_REPORTED_ERRORS = 200


@dataclass(frozen=True)
class RegistrationImportResult:
    rows: int
    created: int
    replayed: int
    by_action: dict[str, int] = field(default_factory=dict)


def registration_events_import(*, acting_user, file: IO[bytes]) -> RegistrationImportResult:
    """Receive every row of an uploaded Excel file (the template of
    `excel_registration.registration_template`) as one event each, through
    `registration_event_receive`: all or nothing. Problems are reported row by row with the
    row number, the column, the code and a Chinese message (file problems: `file_invalid`,
    `file_empty`, `file_too_large` (413), `too_many_rows`, `header_mismatch`; cells:
    `invalid_choice`, `invalid_datetime`, `duplicate_event_id`; and every code of the push
    itself). Rows whose event id was received before with the same content are replays
    (counted, nothing written)."""
    from tuoyu.institutions import excel_registration

    authority = registration_authority_of(acting_user)
    check_file_size(file, max_bytes=MAX_IMPORT_BYTES)
    rows, errors = excel_registration.registration_file_parse(
        file, authority=authority, max_rows=MAX_IMPORT_ROWS, max_errors=MAX_REPORTED_ERRORS
    )
    if any(e.field == "file" or e.row == 1 for e in errors.items):
        errors.raise_if_any()  # the file itself is unusable: no row is tried
    created = replayed = 0
    by_action: dict[str, int] = {}
    problems = ErrorCollector()
    problems.items.extend(errors.items)  # cell problems, reported with the push's own
    with transaction.atomic():
        for row in rows:
            try:
                receipt = registration_event_receive(
                    acting_user=acting_user, data=row.data, channel=RegistrationEvent.Channel.EXCEL
                )
            except DomainError as exc:
                for item in exc.errors:
                    problems.add(
                        item.code,
                        item.message,
                        field=excel_registration.header_of(item.field),
                        row=row.number,
                    )
                if len(problems.items) >= MAX_REPORTED_ERRORS:
                    problems.add(
                        "too_many_errors",
                        f"错误过多，仅列出前 {MAX_REPORTED_ERRORS} 条；请修正后重新导入",
                        field="file",
                    )
                    break
                continue
            if receipt.created:
                created += 1
                by_action[receipt.event.action] = by_action.get(receipt.event.action, 0) + 1
            else:
                replayed += 1
        # Raising inside the block rolls back every row received above: all or nothing.
        problems.items.sort(key=lambda e: (e.row is None, e.row or 0))
        problems.raise_if_any()
        result = RegistrationImportResult(
            rows=len(rows), created=created, replayed=replayed, by_action=by_action
        )
        name = Path(getattr(file, "name", "") or "").name[:200]
        audit_record(
            action="institutions.registrations_imported",
            actor=acting_user,
            object_type="institutions.registrationevent",
            object_label=f"{name}：{len(rows)} 行",
            detail={
                "file": name,
                "authority": authority,
                "rows": len(rows),
                "created": created,
                "replayed": replayed,
                "by_action": by_action,
            },
        )
    return result


# --- demo data ---------------------------------------------------------------------------

# Prefixes of the authorities' own event numbers in the demo data (as in the contract's
# example "SAMR-330703-2024-000123").
SEED_EVENT_PREFIX = {
    "market_regulation": "SAMR",
    "civil_affairs": "MZ",
    "public_institution_registration": "SYDJ",
    "education": "JYT",
}
SEED_BATCH = 1000


def seed_registration_events(ctx, institutions: Iterable[Institution | int]) -> int:
    """Create, set-based and deterministically, the pushed event behind each generated
    institution (channel api): its `registered` event, and a `deregistered` event for one
    already deregistered. Event ids follow the authorities' own numbering
    (<prefix>-<region>-<year>-<seq>), numbered by time of occurrence. Institutions that
    already have a `registered` event are skipped, so running it again adds nothing.
    Returns the number of events created."""
    given = list(institutions)
    ids = sorted({i if isinstance(i, int) else i.pk for i in given} - {None})
    usccs = [i.uscc for i in given if not isinstance(i, int) and i.pk is None]
    if usccs:  # backends that return no ids from bulk_create: find them by USCC
        for start in range(0, len(usccs), SEED_BATCH):
            ids.extend(
                Institution.objects.filter(uscc__in=usccs[start : start + SEED_BATCH]).values_list(
                    "pk", flat=True
                )
            )
        ids = sorted(set(ids))
    rows: list[Institution] = []
    for start in range(0, len(ids), SEED_BATCH):
        rows.extend(
            Institution.objects.filter(pk__in=ids[start : start + SEED_BATCH])
            .exclude(registration_events__action=RegistrationEvent.Action.REGISTERED)
            .select_related("township")
        )
    receivers = {}
    for user in (
        User.objects.filter(
            scope_kind=User.ScopeKind.DEPARTMENT, department__registration_authority__gt=""
        )
        .select_related("department")
        .order_by("pk")
    ):
        receivers.setdefault(user.department.registration_authority, user)

    planned: list[tuple[dt.datetime, str, str, Institution]] = []
    for inst in rows:
        planned.append((inst.registered_at, inst.uscc, RegistrationEvent.Action.REGISTERED, inst))
        if inst.is_deregistered and inst.deregistered_at:
            planned.append(
                (inst.deregistered_at, inst.uscc, RegistrationEvent.Action.DEREGISTERED, inst)
            )
    planned.sort(key=lambda p: (p[0], p[1], p[2]))
    taken = set(RegistrationEvent.objects.values_list("event_id", flat=True))
    sequence: dict[tuple[str, str, int], int] = {}
    events = []
    for occurred_at, _uscc, action, inst in planned:
        authority = inst.registration_authority
        local = timezone.localtime(occurred_at, SHANGHAI)
        region = (inst.township.code if inst.township_id else "")[:6]
        key = (authority, region, local.year)
        while True:
            sequence[key] = sequence.get(key, 0) + 1
            event_id = f"{SEED_EVENT_PREFIX.get(authority, 'REG')}-{region}-{local.year}-{sequence[key]:06d}"
            if event_id not in taken:
                break
        taken.add(event_id)
        body = {
            "event_id": event_id,
            "authority": authority,
            "action": action,
            "uscc": inst.uscc,
            "name": inst.name,
            "legal_form": inst.legal_form,
            "for_profit": inst.for_profit,
            "legal_representative": inst.legal_representative or None,
            "address": inst.address or None,
            "township_code": inst.township.code,
            "occurred_at": local.isoformat(),
        }
        body = RegistrationIn.model_validate(body).canonical()
        status = (
            Institution.RegistrationStatus.REGISTERED
            if action == RegistrationEvent.Action.REGISTERED
            else Institution.RegistrationStatus.DEREGISTERED
        )
        events.append(
            RegistrationEvent(
                event_id=event_id,
                authority=authority,
                action=action,
                uscc=inst.uscc,
                payload=body,
                payload_hash=registration_payload_hash(body),
                institution=inst,
                occurred_at=occurred_at,
                received_by=receivers.get(authority),
                channel=RegistrationEvent.Channel.API,
                response={"institution_id": inst.pk, "registration_status": status},
                changes=diff({}, _facts(inst))
                if action == RegistrationEvent.Action.REGISTERED
                else {"registration_status": ["registered", "deregistered"]},
            )
        )
    with transaction.atomic():
        RegistrationEvent.objects.bulk_create(events, batch_size=SEED_BATCH)
        # received_at is auto_now_add; the demo's pushes arrived when they occurred.
        event_ids = [e.event_id for e in events]
        for start in range(0, len(event_ids), SEED_BATCH):
            RegistrationEvent.objects.filter(
                event_id__in=event_ids[start : start + SEED_BATCH]
            ).update(received_at=F("occurred_at"))
        if events:
            audit_record(
                action="seed.registration_events_generated",
                object_type="institutions.registrationevent",
                detail={"events": len(events), "seed": getattr(ctx, "seed", None)},
            )
    return len(events)
