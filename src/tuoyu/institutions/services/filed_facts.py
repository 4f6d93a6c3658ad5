"""Applying approved filing facts to the institution (P-REG-12, P-FIL-3).

Called by the filing workflow (`tuoyu.filings.services`) inside the transaction that approves
an initial or change filing; never from a view. The facts arrive in the form of
`tuoyu.filings.checks` (region codes, decimals as strings, money as int yuan).
"""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction

from tuoyu.audit.services import audit_record, diff, snapshot
from tuoyu.institutions.catalogue import InstitutionsAction
from tuoyu.institutions.models import Institution
from tuoyu.regions.models import Region

PLAIN = (
    "operating_mode",
    "institution_form",
    "legal_representative",
    "address",
    "opening_hours",
    "monthly_fee_yuan",
    "serves_meals",
)
DECIMALS = ("latitude", "longitude", "indoor_area_m2", "outdoor_area_m2")
FIELDS = (*PLAIN, *DECIMALS, "township", "community", "staff_summary", "filed_standards")


@transaction.atomic
def filed_facts_apply(
    *,
    acting_user,
    institution: Institution,
    basic: dict,
    staff: dict | None,
    standards: dict | None = None,
    application_id=None,
) -> dict:
    """Write the approved facts onto the institution; returns {field: [before, after]} of
    what changed (also audited as `institutions.institution.filed_facts_applied`). Facts absent from
    `basic` are left as they are; `staff` and `standards` (the P-STD-2/3 section, written to
    `filed_standards`, from which a change filing starts) replace the filed ones when given."""
    institution = Institution.objects.select_for_update().get(pk=institution.pk)
    before = snapshot(institution, list(FIELDS))
    for name in PLAIN:
        if name in basic:
            value = basic[name]
            if name == "serves_meals":
                value = bool(value)
            elif name == "monthly_fee_yuan":
                value = None if value in (None, "") else int(value)
            elif value is None:
                value = ""
            setattr(institution, name, value)
    for name in DECIMALS:
        if name in basic:
            value = basic[name]
            setattr(institution, name, None if value in (None, "") else Decimal(str(value)))
    if basic.get("township"):
        institution.township = Region.objects.get(code=basic["township"])
    if "community" in basic:
        code = basic["community"]
        institution.community = Region.objects.get(code=code) if code else None
    if staff is not None:
        institution.staff_summary = staff
    if standards is not None:
        institution.filed_standards = standards
    institution.save()
    changes = diff(before, snapshot(institution, list(FIELDS)))
    if changes:
        audit_record(
            action=InstitutionsAction.INSTITUTION_FILED_FACTS_APPLIED,
            actor=acting_user,
            obj=institution,
            changes=changes,
            detail={"application_id": application_id},
        )
    return changes
