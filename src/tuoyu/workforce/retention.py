"""Retention of practitioners' personal data ([operations] point 3, P-RET-2).

The relationship ends when a person's last employment ends: a `Person` whose every
employment (`StaffMember`) has a leaving date (`left_on`) before the cut-off
(`staff_after_leaving_years` before the run's day), and who has no active employment
anywhere, is anonymised:

- the person's name becomes "已匿名<pk>", the resident ID number is emptied (no ciphertext,
  no blind index — `Person.id_number_index` is unique only among non-empty values, so the
  emptied ones do not collide) and the masked copy becomes "已匿名";
- every employment of the person takes the same name and loses its phone number;
- certificate numbers go (a certificate number finds its holder in the issuer's register),
  and so do the certificates' scans (P-WF-1: a scan shows the holder's name, photo and ID
  number): the file is deleted from storage once the batch commits, and the row forgets
  it and its original name; certificates keep their kind, issuer and dates.

Employments, roles, dates, institutions, certificate kinds and training hours stay, so the
certification rate (P-WF-1) and past years' counts (P-WF-3) do not change. The birth date
stays too (age statistics of past years); without a name or number it identifies no one.
Someone hired again later is entered as a new person: the old index is gone.

Lifetime bans and the attempts to employ a banned person (`Ban`, `BanAttempt`, P-SUP-6) are
kept as the law requires and are never anonymised: they are not registered here, and a
person's employments do not reach them (a ban holds its own name and ID number). The audit
log keeps its own labels (append-only, as MLPS requires).
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import CharField, Exists, OuterRef, Q, Value
from django.db.models.functions import Cast, Concat
from django.utils.translation import gettext_lazy as _

from tuoyu.core.retention import RetentionRule, register

ANONYMOUS_NAME = "已匿名"


def _due(cutoff):
    from tuoyu.workforce.models import Person, StaffMember

    employments = StaffMember.objects.filter(person=OuterRef("pk"))
    # Active (no leaving date) or left on/after the cut-off: the person is not yet due.
    recent = employments.filter(Q(left_on__isnull=True) | Q(left_on__gte=cutoff))
    return Person.objects.filter(Exists(employments), ~Exists(recent), anonymised_at__isnull=True)


def _anonymise(people, *, now) -> int:
    from tuoyu.workforce.models import Certificate, StaffMember

    pks = [p.pk for p in people]
    for person in people:
        person.name = f"{ANONYMOUS_NAME}{person.pk}"
        person.id_number = ""  # PersonalDataField: the ciphertext and, on save, the index go
        person.id_number_masked = ANONYMOUS_NAME
        person.anonymised_at = now
        person.save(
            update_fields=[
                "name",
                "id_number",
                "id_number_index",
                "id_number_masked",
                "anonymised_at",
            ]
        )
    StaffMember.objects.filter(person_id__in=pks).update(
        name=Concat(Value(ANONYMOUS_NAME), Cast("person_id", CharField())),
        phone="",
    )
    Certificate.objects.filter(staff__person_id__in=pks).exclude(number="").update(number="")
    _scans_delete(Certificate.objects.filter(staff__person_id__in=pks).exclude(scan=""))
    return len(people)


def _scans_delete(certificates) -> None:
    """Forget the scans in the rows now and delete their files after the commit: a batch
    rolled back keeps rows and files together, and the next run deletes them."""
    from tuoyu.workforce.models import Certificate

    storage = Certificate._meta.get_field("scan").storage
    names = list(certificates.values_list("scan", flat=True))
    certificates.update(scan="", scan_name="", scan_content_type="")

    def delete_files():
        for name in names:
            storage.delete(name)

    if names:
        transaction.on_commit(delete_files)


def register_retention() -> None:
    register(
        RetentionRule(
            name="workforce.staff_left",
            policy_key="retention.staff_after_leaving_years",
            label=_("离职从业人员"),
            ends=_("最后一段任职的离职日期"),
            due=_due,
            anonymise=_anonymise,
        )
    )
