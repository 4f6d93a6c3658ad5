"""Personal data of complaints kept no longer than needed (P-RET-3): the complainant's phone
of a complaint answered before the cut-off is removed; the complaint, its category, dates
and reply stay for the statistics and the credit file."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from tuoyu.core.retention import RetentionRule, register


def _due(cutoff):
    from tuoyu.supervision.models import Complaint

    return Complaint.objects.filter(
        status=Complaint.Status.ANSWERED, answered_at__date__lt=cutoff, anonymised_at__isnull=True
    )


def _anonymise(records, *, now):
    for complaint in records:
        complaint.contact_phone = ""
        complaint.source_key = ""
        complaint.anonymised_at = now
        complaint.save(update_fields=["contact_phone", "source_key", "anonymised_at"])
    return len(records)


def register_retention() -> None:
    register(
        RetentionRule(
            name="supervision.complaint_closed",
            policy_key="retention.complaint_after_closing_years",
            label=_("已办结投诉的投诉人联系方式"),
            ends=_("答复日期"),
            due=_due,
            anonymise=_anonymise,
        )
    )
