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
import uuid
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from tuoyu.audit.services import audit_record, diff
from tuoyu.core import events
from tuoyu.core.catalogue import CoreError
from tuoyu.core.errors import DomainError, ErrorItem, OutOfScope
from tuoyu.core.identifiers import validate_uscc
from tuoyu.institutions.catalogue import InstitutionsAction, InstitutionsError
from tuoyu.institutions.models import Institution, RegistrationEvent
from tuoyu.institutions.registration_rules import AUTHORITY_LABELS, authority_check
from tuoyu.institutions.registration_schema import (
    FIELD_LABELS,
    REQUIRED_FOR_REGISTERED,
    SHANGHAI,
    RegistrationIn,
    registration_payload_hash,
    registration_payload_parse,
)
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
    event = RegistrationEvent.objects.filter(event_id=event_id).first()
    if event is None:
        return None
    if event.payload_hash != digest:
        raise DomainError(
            InstitutionsError.EVENT_CONFLICT,
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
            InstitutionsError.AUTHORITY_MISMATCH,
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
        InstitutionsError.ALREADY_REGISTERED,
        f"统一社会信用代码为 {uscc} 的机构已登记，不能重复登记（变更请推送 changed）",
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


def _check_fields(payload: RegistrationIn, errors: list[ErrorItem]) -> Region | None:
    try:
        validate_uscc(payload.uscc)
    except DomainError as exc:
        errors.extend(exc.errors)
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
        township = Region.objects.filter(
            code=payload.township_code, level=Region.Level.TOWNSHIP
        ).first()
        if township is None:
            errors.append(
                ErrorItem(
                    RegionsError.UNKNOWN_REGION,
                    f"镇乡街道代码“{payload.township_code}”不是 GET /api/v1/regions 列出的镇乡街道级区划",
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
    institution = _institution_locked(payload, errors)
    if errors:
        raise DomainError(errors=errors)
    if institution is not None and institution.is_deregistered:
        _refuse_deregistered(institution, payload.action)

    if payload.action == RegistrationEvent.Action.REGISTERED:
        institution, changes = _apply_registered(payload, township)
    elif payload.action == RegistrationEvent.Action.CHANGED:
        changes = _apply_changed(institution, payload, township)
    else:  # deregistered
        changes = _apply_deregistered(
            acting_user=acting_user, institution=institution, payload=payload
        )

    event = _event_store(
        acting_user=acting_user,
        payload=payload,
        body=body,
        digest=digest,
        channel=channel,
        institution=institution,
        changes=changes,
    )
    return RegistrationReceipt(
        institution_id=institution.pk,
        registration_status=institution.registration_status,
        created=True,
        event=event,
    )


def _institution_locked(payload: RegistrationIn, errors: list[ErrorItem]) -> Institution | None:
    """The institution a `changed` / `deregistered` event is about, row-locked for the rest of
    the transaction; `unknown_institution` (appended to `errors`) when the USCC has none."""
    # A `registered` USCC that exists already is found by the unique constraint on insert
    # (see registration_event_receive), which also catches a concurrent registration.
    if payload.action == RegistrationEvent.Action.REGISTERED or any(
        e.field == "uscc" for e in errors
    ):
        return None
    institution = (
        Institution.objects.select_for_update(of=("self",))  # not the township's row
        .select_related("township")
        .filter(uscc=payload.uscc)
        .first()
    )
    if institution is None:
        errors.append(
            ErrorItem(
                InstitutionsError.UNKNOWN_INSTITUTION,
                f"统一社会信用代码为 {payload.uscc} 的机构尚未登记，不能推送"
                f"{'变更' if payload.action == 'changed' else '注销'}",
                field="uscc",
            )
        )
    return institution


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


def _apply_registered(
    payload: RegistrationIn, township: Region | None
) -> tuple[Institution, dict[str, Any]]:
    """`registered`: the pushing authority must be responsible for the legal form (P-REG-10);
    creates the institution and returns it with its facts as the changes."""
    authority_check(
        authority=payload.authority,
        legal_form=payload.legal_form,
        for_profit=payload.for_profit,
    )
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
    return institution, diff({}, facts_of(institution))


def _apply_changed(
    institution: Institution, payload: RegistrationIn, township: Region | None
) -> dict[str, Any]:
    """`changed`: absent facts stay as they are; the resulting legal form / for-profit pair
    must belong to the pushing authority (P-REG-10), which becomes the registration
    authority. Saves only when something changed; returns the changes."""
    legal_form = payload.legal_form or institution.legal_form
    for_profit = payload.for_profit if payload.for_profit is not None else institution.for_profit
    authority_check(authority=payload.authority, legal_form=legal_form, for_profit=for_profit)
    before = facts_of(institution)
    for name in ("name", "legal_form", "for_profit", "legal_representative", "address"):
        value = getattr(payload, name)
        if value is not None:
            setattr(institution, name, value)
    if township is not None:
        institution.township = township
    institution.registration_authority = payload.authority
    changes = diff(before, facts_of(institution))
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
    return changes


def _apply_deregistered(
    *, acting_user, institution: Institution, payload: RegistrationIn
) -> dict[str, Any]:
    """`deregistered`: only the institution's own registration authority may push it
    (P-REG-10, `wrong_authority`); marks it deregistered, cancels the filing (P-FIL-3) and
    returns the changes."""
    if institution.registration_authority != payload.authority:
        own = institution.registration_authority
        raise DomainError(
            InstitutionsError.WRONG_AUTHORITY,
            f"该机构的登记机关为{AUTHORITY_LABELS.get(own, own)}，注销登记应由其推送（P-REG-10）",
            field="authority",
        )
    before = facts_of(institution)
    institution.registration_status = Institution.RegistrationStatus.DEREGISTERED
    institution.deregistered_at = payload.occurred_at
    institution.save(update_fields=["registration_status", "deregistered_at", "updated_at"])
    changes = diff(before, facts_of(institution))
    changes["deregistered_at"] = [None, payload.occurred_at.isoformat()]
    _deregistered(acting_user=acting_user, institution=institution, payload=payload)
    institution.refresh_from_db()
    return changes


def _event_store(
    *,
    acting_user,
    payload: RegistrationIn,
    body: dict,
    digest: str,
    channel: str,
    institution: Institution,
    changes: dict[str, Any],
) -> RegistrationEvent:
    """Stores the received event with its answer (the `event_id` unique constraint is the
    idempotency key) and appends the audit event for the action."""
    receipt_body = {
        "institution_id": institution.pk,
        "registration_status": institution.registration_status,
    }
    event = RegistrationEvent.objects.create(
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
        response=receipt_body,
        changes=changes,
    )
    audit_record(
        action=REGISTRATION_ACTIONS[payload.action],
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
