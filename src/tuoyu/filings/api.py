"""`/api/v1/filings` (free shape, not in the contract): where an institution's filing stands.

`GET /api/v1/filings/institutions/{uscc}` — for the institution's own token (its uscc only)
and for departments and townships whose scope covers the institution; anything else 404.
"""

from __future__ import annotations

import datetime as dt

from ninja import Field, Router, Schema

from tuoyu.core.api_schemas import Problem
from tuoyu.filings import selectors
from tuoyu.institutions.selectors.classes import institution_for_classes, institution_slots

router = Router()


class SubjectOut(Schema):
    subject: str = Field(..., description="fire | security | food | health_care")
    status: str = Field(..., description="pending | approved | returned")
    round: int
    opened_at: dt.datetime
    decided_at: dt.datetime | None
    waited_days: float
    reasons: list[str]


class ApplicationOut(Schema):
    id: int
    kind: str = Field(..., description="initial | change | cancellation")
    status: str = Field(
        ..., description="draft | in_review | returned | awaiting_decision | approved | …"
    )
    path: str = Field(..., description="full | chain_simplified")
    round: int
    submitted_at: dt.datetime | None
    awaiting_decision_since: dt.datetime | None
    # P-FIL-2, in working days on the official calendar (null: not yet complete, or the
    # year's holiday notice is missing — then `deadline_unknown_year` names it)
    materials_complete_on: dt.date | None = None
    receipt_due_on: dt.date | None = None
    notice_due_on: dt.date | None = None
    deadline_unknown_year: int | None = None
    subjects: list[SubjectOut]


class FilingStatusOut(Schema):
    uscc: str
    name: str
    filing_status: str = Field(..., description="not_filed | in_review | filed | cancelled")
    filing_number: str | None
    filed_on: dt.date | None
    filing_cancelled_on: dt.date | None
    slots: int
    open_application: ApplicationOut | None


@router.get(
    "/institutions/{uscc}",
    response={200: FilingStatusOut, 404: Problem},
    summary="机构备案状态",
    description="机构的备案状态、备案编号、托位数及办理中的申请（各审核事项状态、退回理由、等待天数）。",
    operation_id="filings_institution_status",
)
def filing_status(request, uscc: str):
    institution = institution_for_classes(acting_user=request.auth, uscc=uscc)
    current = selectors.open_application(institution)
    open_application = None
    if current is not None:
        open_application = {
            "id": current.pk,
            "kind": current.kind,
            "status": current.status,
            "path": current.path,
            "round": current.round,
            "submitted_at": current.submitted_at,
            "awaiting_decision_since": current.awaiting_decision_since,
            "materials_complete_on": current.materials_complete_on,
            "receipt_due_on": current.receipt_due_on,
            "notice_due_on": current.notice_due_on,
            "deadline_unknown_year": current.deadline_unknown_year,
            "subjects": [
                {
                    "subject": s.subject,
                    "status": s.status,
                    "round": s.round,
                    "opened_at": s.opened_at,
                    "decided_at": s.decided_at,
                    "waited_days": s.waited_days,
                    "reasons": s.reasons,
                }
                for s in selectors.subject_statuses(current)
            ],
        }
    return {
        "uscc": institution.uscc,
        "name": institution.name,
        "filing_status": institution.filing_status,
        "filing_number": institution.filing_number,
        "filed_on": institution.filed_on,
        "filing_cancelled_on": institution.filing_cancelled_on,
        "slots": institution_slots(institution),
        "open_application": open_application,
    }
