"""Workforce's answer to "is this institution's staffing complete on a day?"
(`tuoyu.institutions.standing`, key `staffing_complete`): the subsidy review (P-SUB-1..3)
and the supervision risk score (P-SUP-4) ask without importing workforce. The gaps are
those of `compliance.compliance_gaps` (P-STD-1, P-STD-2, P-HC-5, P-SUP-6), loaded for all
the ids at once in a constant number of queries."""

from __future__ import annotations

import datetime as dt

from tuoyu.institutions.standing import register_standing
from tuoyu.workforce import compliance


def staffing_complete(institution_ids: list[int], day: dt.date) -> dict[int, list[str]]:
    """{institution id: the gaps in words} for the institutions whose staffing is short."""
    gaps = compliance.compliance_gaps(institution_ids, day)
    return {pk: [gap.message for gap in found] for pk, found in gaps.items() if found}


# Registered on import, from WorkforceConfig.ready() (as `rules` registers permissions).
register_standing("staffing_complete", staffing_complete)
