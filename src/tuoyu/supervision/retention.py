"""Personal data of supervision kept no longer than needed: the complainant's phone of a
complaint answered before the cut-off is removed (P-RET-3) — the complaint, its category,
dates and reply stay for the statistics and the credit file; a practitioner's credit event
loses the name and ID number after its period (P-RET-6) — the event and its points stay.
Blacklist entries are kept as the law requires (core.retention refuses a rule for them)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from tuoyu.core.retention import RetentionRule, register

# the blind index of a practitioner's credit event past P-RET-6: matches no ID number
RETIRED = "retired:"


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


def _practitioner_events_due(cutoff):
    from tuoyu.supervision.models import CreditEvent

    return (
        CreditEvent.objects.filter(occurred_on__lt=cutoff)
        .exclude(id_number_index="")
        .exclude(id_number_index__startswith=RETIRED)
    )


def _unlink_practitioner(records, *, now):
    """P-RET-6: the name and ID number go; the blind index becomes a tombstone that matches
    no ID number, so the event is still a person's (never counted in the institution's
    rating) but can no longer be found by anyone's ID. A queryset update: saving the model
    would recompute the index from the emptied ID number."""
    from django.db.models import CharField, Value
    from django.db.models.functions import Cast, Concat

    from tuoyu.supervision.models import CreditEvent

    return CreditEvent.objects.filter(pk__in=[r.pk for r in records]).update(
        person_name="",
        id_number="",
        id_number_index=Concat(Value(RETIRED), Cast("pk", CharField())),
    )


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
    register(
        RetentionRule(
            name="supervision.practitioner_credit",
            policy_key="retention.practitioner_credit_years",
            label=_("从业人员信用事件中的姓名与身份证号码"),
            ends=_("信用事件日期"),
            due=_practitioner_events_due,
            anonymise=_unlink_practitioner,
        )
    )
