"""P-HC-4 (儿童入托、入学预防接种证查验办法, 2021): the vaccination certificate is checked
within 30 days of enrolment; a child needing catch-up doses is re-checked before 31
December. The year-end job (`jobs.vaccination_recheck`) marks, in December, every active
child whose catch-up re-check of the year is still due; the institution sees the list on
its children page until the re-check is recorded (`enrolment.vaccination_check_record`)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Q

from tuoyu.audit.services import audit_record_bulk
from tuoyu.children.catalogue import ChildrenAction
from tuoyu.children.models import Child, VaccinationRecheck

# P-HC-4: "a re-check before 31 December" — the year-end window is the last month.
RECHECK_MONTH = 12


def year_end(year: int) -> dt.date:
    return dt.date(year, 12, 31)


def recheck_due(year: int):
    """Active children whose catch-up re-check is due by 31 December of `year`: certificate
    checked (in `year` or before) with catch-up doses needed, no re-check since."""
    return Child.objects.filter(
        status=Child.Status.ACTIVE,
        vaccination_catch_up=True,
        vaccination_checked_on__isnull=False,
        vaccination_checked_on__lte=year_end(year),
    ).filter(
        Q(vaccination_recheck_on__isnull=True) | Q(vaccination_recheck_on__lt=dt.date(year, 1, 1))
    )


def vaccination_rechecks_mark(*, year: int) -> list[VaccinationRecheck]:
    """Mark the due children for their institutions (idempotent: the unique key
    (institution, child, year) — a rerun marks nobody twice). One audit event."""
    due = list(recheck_due(year).values_list("pk", "institution_id"))
    with transaction.atomic():
        already = set(
            VaccinationRecheck.objects.filter(
                year=year, child_id__in=[c for c, _ in due]
            ).values_list("child_id", flat=True)
        )
        rows = [
            VaccinationRecheck(institution_id=i, child_id=c, year=year, due_on=year_end(year))
            for c, i in due
            if c not in already
        ]
        VaccinationRecheck.objects.bulk_create(rows, ignore_conflicts=True)
        if rows:
            audit_record_bulk(
                action=ChildrenAction.VACCINATION_RECHECKS_MARKED,
                object_type="children.child",
                object_ids=[r.child_id for r in rows],
                detail={"year": year, "institutions": len({r.institution_id for r in rows})},
            )
    return rows
