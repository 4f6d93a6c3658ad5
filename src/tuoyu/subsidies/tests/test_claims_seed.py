"""[subsidies] demo data: `tuoyu seed --scale district` gives claims in every state (P-SUB-1..4)
— submitted, rejected, reviewed, declined, approved, paid, one paid then partly clawed back —
the demo institution jg03 among them, each decision through the services (audited); the same
seed gives the same claims."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.db import transaction

from tuoyu.audit.models import AuditEvent
from tuoyu.core import seeding
from tuoyu.subsidies.catalogue import SubsidyAction
from tuoyu.subsidies.models import Claim, LedgerEntry

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 6, 30)


class _Rollback(Exception):
    pass


def _seed(seed: int, inspect):
    out = None
    try:
        with transaction.atomic():
            seeding.run(
                scale="district",
                seed=seed,
                district_code=settings.TUOYU_DISTRICT_CODE,
                today=TODAY,
                quiet=True,
            )
            out = inspect()
            raise _Rollback
    except _Rollback:
        pass
    return out


def _summary():
    claims = list(Claim.objects.select_related("submitted_by", "institution").order_by("number"))
    return {
        "states": {c.status for c in claims},
        "clawbacks": LedgerEntry.objects.filter(kind="clawback").count(),
        "jg03": any(c.submitted_by.username == "jg03" for c in claims),
        "rows": [(c.number, c.institution.uscc, c.status, c.year) for c in claims],
        "audited": AuditEvent.objects.filter(action=SubsidyAction.CLAIM_SUBMITTED).count(),
        "paid_audited": AuditEvent.objects.filter(action=SubsidyAction.CLAIM_PAID).count(),
    }


def test_district_seed_has_claims_in_every_state_deterministically():
    first = _seed(7, _summary)
    assert first["states"] == set(Claim.Status.values)
    assert first["clawbacks"] == 1 and first["jg03"]
    assert first["audited"] == len(first["rows"]) and first["paid_audited"] == 2
    assert _seed(7, _summary)["rows"] == first["rows"]
