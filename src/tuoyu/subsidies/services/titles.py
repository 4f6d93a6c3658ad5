"""Demonstration titles (P-SUB-3, P-V2023-1): 区卫健局 records a title conferred on a filed
institution (or a completed comprehensive childcare service centre); the award it gives is
computed by `entitlements` under the version in force on `conferred_on`. The title is told
to the apps that react (`demonstration_title_conferred`: supervision's credit event), their
receivers running on commit."""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction

from tuoyu import policy
from tuoyu.audit.services import audit_record
from tuoyu.core import events
from tuoyu.core.catalogue import CoreError
from tuoyu.core.errors import DomainError, OutOfScope
from tuoyu.core.scope import scope_of
from tuoyu.institutions.models import Institution
from tuoyu.subsidies.catalogue import SubsidyAction, SubsidyError
from tuoyu.subsidies.models import DemonstrationTitle


def demonstration_title_record(
    *,
    acting_user,
    institution: Institution,
    level: str,
    conferred_on: dt.date,
    document_ref: str,
) -> DemonstrationTitle:
    if not scope_of(acting_user).is_health_bureau:
        raise OutOfScope("示范称号由区卫健局记录")
    errors = []
    if level not in DemonstrationTitle.Level.values:
        errors.append(DomainError(CoreError.INVALID_CHOICE, field="level"))
    if conferred_on is None:
        errors.append(DomainError(CoreError.REQUIRED, field="conferred_on"))
    elif conferred_on > policy.today():
        errors.append(DomainError(CoreError.FUTURE_DATE, field="conferred_on"))
    document_ref = (document_ref or "").strip()
    if not document_ref:
        errors.append(DomainError(CoreError.REQUIRED, field="document_ref"))
    elif len(document_ref) > DemonstrationTitle._meta.get_field("document_ref").max_length:
        errors.append(DomainError(CoreError.TOO_LONG, field="document_ref"))
    if errors:
        raise DomainError(errors=[e.errors[0] for e in errors])
    with transaction.atomic():
        # the institution's row serialises two officers recording the same level
        locked = Institution.objects.select_for_update().filter(pk=institution.pk).first()
        if locked is None or locked.filed_on is None:
            raise DomainError(SubsidyError.TITLE_INSTITUTION_NOT_FILED, field="institution")
        if DemonstrationTitle.objects.filter(institution=locked, level=level).exists():
            raise DomainError(SubsidyError.TITLE_ALREADY_RECORDED, field="level", status=409)
        try:
            with transaction.atomic():
                title = DemonstrationTitle.objects.create(
                    institution=locked,
                    level=level,
                    conferred_on=conferred_on,
                    document_ref=document_ref,
                    recorded_by=acting_user,
                )
        except IntegrityError as exc:  # demonstration_title_once_per_level
            raise DomainError(
                SubsidyError.TITLE_ALREADY_RECORDED, field="level", status=409
            ) from exc
        audit_record(
            action=SubsidyAction.TITLE_RECORDED,
            actor=acting_user,
            obj=title,
            object_label=f"{locked.name}：{title.get_level_display()}",
            changes={
                "level": [None, level],
                "conferred_on": [None, conferred_on.isoformat()],
                "document_ref": [None, document_ref],
            },
            detail={"institution_id": locked.pk},
        )
        events.emit(
            events.DEMONSTRATION_TITLE_CONFERRED,
            institution_id=locked.pk,
            title_id=title.pk,
            level=level,
            conferred_on=conferred_on,
            acting_user=acting_user,
        )
    return title
