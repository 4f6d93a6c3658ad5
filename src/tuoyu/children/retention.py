"""Retention of children's personal data ([operations] point 3, P-RET-1; PIPL art. 28 and
31: a child's data is sensitive personal information).

The relationship ends when the child leaves the institution (`status` withdrawn or
transferred, `left_on`). Once `child_after_withdrawal_years` have passed since the last day
in care, the enrolment row is anonymised:

- the child's name becomes "已匿名<pk>" (kept encrypted like any name, so every screen and
  audited read works unchanged), the resident ID number and the guardian's phone are
  emptied (no ciphertext, no blind index), the guardian's name becomes "已匿名";
- free text that may name someone goes: the leaving reason (often "转至……") and the
  examinations' conclusions;
- the scans of the child's medical certificates (P-HC-3) and examination forms (入托体检表,
  P-HC-1) go, rows first and files after the commit: a certificate names the child and
  states an illness, an examination form names the child and its findings. A certificate's
  date of issue and hospital stay, as the examinations' dates and measurements do.

Kept for the statistics of past years: the row, its institution, class, gender, dates and
status; the birth date in full (the health-management rates of P-NAT-3 and the class ages
are computed from it, and without a name, number or guardian it identifies no one); the
examinations' dates and measurements (growth), the daily health checks and the outbreak
alerts (which point at the child by id only). A transferred child enrolled elsewhere is a
separate row, anonymised on its own schedule.
"""

from __future__ import annotations

from functools import partial

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from tuoyu.core.retention import RetentionRule, register

ANONYMOUS_NAME = "已匿名"


def _due(cutoff):
    from tuoyu.children.models import Child

    return Child.objects.filter(
        status__in=[Child.Status.WITHDRAWN, Child.Status.TRANSFERRED],
        left_on__lt=cutoff,
        anonymised_at__isnull=True,
    )


def _anonymise(children, *, now) -> int:
    from tuoyu.children.models import Examination

    for child in children:
        child.name = f"{ANONYMOUS_NAME}{child.pk}"
        child.id_number = ""
        child.guardian_name = ANONYMOUS_NAME
        child.guardian_phone = ""
        child.left_reason = ""
        child.anonymised_at = now
        # The blind indexes follow their sources on save (BlindIndexField.pre_save).
        child.save(
            update_fields=[
                "name",
                "name_index",
                "id_number",
                "id_number_index",
                "guardian_name",
                "guardian_phone",
                "guardian_phone_index",
                "left_reason",
                "anonymised_at",
            ]
        )
    Examination.objects.filter(child__in=children).exclude(result="").update(result="")
    _scans_delete(children)
    return len(children)


def _scans_delete(children) -> None:
    """Forget the scans in the rows now — the certificates' (P-HC-3) and the examination
    forms' (P-HC-1) — and delete their files after the commit: a run rolled back keeps rows
    and files together, and the next run deletes them (as workforce does for P-RET-2)."""
    from tuoyu.children.models import Examination, MedicalCertificate

    for model, field in ((MedicalCertificate, "scan"), (Examination, "form_scan")):
        rows = model.objects.filter(child__in=children).exclude(**{field: ""})
        storage = model._meta.get_field(field).storage
        names = list(rows.values_list(field, flat=True))
        if not names:
            continue
        rows.update(**{field: ""})
        transaction.on_commit(partial(_files_delete, storage, names))


def _files_delete(storage, names) -> None:
    for name in names:
        storage.delete(name)


def register_retention() -> None:
    register(
        RetentionRule(
            name="children.withdrawn",
            policy_key="retention.child_after_withdrawal_years",
            label=_("已离园婴幼儿"),
            ends=_("离园日期"),
            due=_due,
            anonymise=_anonymise,
        )
    )
