"""P-RET-1 ([operations] point 3): a child who left (withdrawn or transferred) more than
`child_after_withdrawal_years` ago is anonymised by the nightly job `core.retention`: name,
ID number, guardian's name and phone, and the free text that may name someone go; the row,
its birth date, examinations (growth) and daily checks stay, so past years' health
management rates (P-NAT-3) do not change.

The job is run through the core registry (`tuoyu.core.jobs.get_job`): a domain app never
imports the jobs app."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection

from tests.factories import ChildFactory, ExaminationFactory, HealthCheckFactory
from tests.jobrun import run_job
from tuoyu import policy
from tuoyu.audit.models import AuditEvent
from tuoyu.children import rates
from tuoyu.children.models import Child, Examination, HealthCheck
from tuoyu.core import retention

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 6, 1)  # 3 years (P-RET-1): the cut-off is 2023-06-01
BORN = dt.date(2020, 3, 1)
PERSONAL = ("name", "name_index", "id_number", "id_number_index", "guardian_name")
PERSONAL += ("guardian_phone", "guardian_phone_index", "left_reason")


def run_retention(day=DAY):
    return run_job("core.retention", day)


def _child(care_class, name, *, status="active", left_on=None, with_exams=True):
    child = ChildFactory(
        care_class=care_class,
        name=name,
        guardian_name=name[0] + "建国",
        birth_date=BORN,
        enrolled_on=dt.date(2021, 9, 1),
        status=status,
        left_on=left_on,
        left_reason=f"转至{name}家附近的托育园" if left_on else "",
        with_id=True,
    )
    if with_exams:
        ExaminationFactory(
            child=child,
            examined_on=dt.date(2022, 3, 1),
            weight_kg="12.50",
            height_cm="88.0",
            result=f"{name}身长偏低，已告知家长",
        )
        HealthCheckFactory(child=child, date=dt.date(2022, 3, 2), symptoms=",fever,")
    return child


@pytest.fixture
def children(large_class):
    return {
        "withdrawn": _child(
            large_class, "张旧旧", status="withdrawn", left_on=dt.date(2023, 1, 15)
        ),
        "transferred": _child(
            large_class, "李旧旧", status="transferred", left_on=dt.date(2022, 6, 30)
        ),
        "recent": _child(large_class, "王近近", status="withdrawn", left_on=dt.date(2024, 2, 1)),
        "active": _child(large_class, "赵在在"),
    }


def _raw(table: str, columns: str, pk: int, key: str = "id") -> tuple:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {columns} FROM {table} WHERE {key} = %s", [pk])
        return cursor.fetchall()


def _counts(health_user) -> dict:
    anyf, syst, _ = rates.health_management_rates(acting_user=health_user, year=2022)
    return {
        "rates": (anyf.numerator, anyf.denominator, syst.numerator, syst.denominator),
        "children": sorted(Child.objects.values_list("gender", "birth_date", "status", "left_on")),
        "exams": sorted(Examination.objects.values_list("examined_on", "weight_kg", "height_cm")),
        "checks": sorted(HealthCheck.objects.values_list("date", "symptoms", "record_id")),
    }


def test_p_ret_1_rule_is_registered_with_the_child_period():
    rule = retention.get_rule("children.withdrawn")
    assert rule is not None
    assert rule.policy_key == "retention.child_after_withdrawal_years"
    assert policy.at(DAY).retention.child_after_withdrawal_years == 3


def test_p_ret_1_child_past_the_period_is_anonymised_and_counts_stay(children, health_user):
    before = _counts(health_user)
    assert before["rates"][1] == 4  # all four were in care in 2022
    old = {
        key: _raw("children_child", ", ".join(PERSONAL), children[key].pk)[0]
        + _raw("children_examination", "result", children[key].pk, key="child_id")[0]
        for key in ("withdrawn", "transferred")
    }

    run = run_retention()

    assert run.counts.get("anonymised") == 2
    for key in ("withdrawn", "transferred"):
        child = Child.objects.get(pk=children[key].pk)
        assert child.name.reveal() == f"已匿名{child.pk}"
        assert child.guardian_name.reveal() == "已匿名"
        assert (child.id_number, child.id_number_index) == ("", "")
        assert (child.guardian_phone, child.guardian_phone_index, child.left_reason) == ("", "", "")
        assert child.birth_date == BORN and child.anonymised_at is not None
        assert set(child.examinations.values_list("result", flat=True)) == {""}
        # The raw row holds none of the old values (ciphertexts, indexes, free text).
        now = _raw("children_child", ", ".join(PERSONAL), child.pk)[0]
        now += _raw("children_examination", "result", child.pk, key="child_id")[0]
        assert not {v for v in old[key] if v} & set(now), key
    assert _counts(health_user) == before
    audit = AuditEvent.objects.get(
        action="jobs.retention.anonymised", object_id="children.withdrawn"
    )
    assert audit.detail["cutoff"] == "2023-06-01"


def test_p_ret_1_inside_the_period_and_active_children_are_untouched(children):
    raw = {k: _raw("children_child", ", ".join(PERSONAL), c.pk) for k, c in children.items()}
    run_retention()
    for key, name in (("recent", "王近近"), ("active", "赵在在")):
        child = Child.objects.get(pk=children[key].pk)
        assert _raw("children_child", ", ".join(PERSONAL), child.pk) == raw[key], key
        assert child.name.reveal() == name and child.anonymised_at is None
        assert child.examinations.get().result.startswith(name)


def test_p_ret_1_a_rerun_changes_nothing(children):
    run_retention()
    columns = ", ".join((*PERSONAL, "anonymised_at"))
    snapshot = {c.pk: _raw("children_child", columns, c.pk) for c in children.values()}
    audits = AuditEvent.objects.filter(action="jobs.retention.anonymised").count()

    assert run_retention().counts.get("anonymised", 0) == 0

    assert {c.pk: _raw("children_child", columns, c.pk) for c in children.values()} == snapshot
    assert AuditEvent.objects.filter(action="jobs.retention.anonymised").count() == audits


def test_p_ret_1_deletes_the_certificate_scans_of_an_anonymised_child(
    large_class, media_root, django_capture_on_commit_callbacks
):
    """P-RET-1 with P-HC-3: a medical certificate's scan names the child and an illness; it
    goes with the child's name (the row keeps its date of issue and hospital), after the
    commit. The scan of a child still in care stays."""
    from django.core.files.base import ContentFile

    from tuoyu.children.models import MedicalCertificate

    def certificate(child):
        check = HealthCheckFactory(child=child, date=dt.date(2022, 3, 3), action="sent_home")
        cert = MedicalCertificate(
            institution_id=child.institution_id,
            child=child,
            sent_home_check=check,
            issued_on=dt.date(2022, 3, 4),
            hospital="金东区人民医院",
        )
        cert.scan.save("证明.pdf", ContentFile(b"%PDF-1.4\n"), save=False)
        cert.save()
        return cert

    gone = certificate(
        _child(large_class, "张旧旧", status="withdrawn", left_on=dt.date(2023, 1, 1))
    )
    kept = certificate(_child(large_class, "赵在在"))
    storage = MedicalCertificate._meta.get_field("scan").storage
    gone_file, kept_file = gone.scan.name, kept.scan.name
    assert storage.exists(gone_file) and storage.exists(kept_file)

    with django_capture_on_commit_callbacks(execute=True):
        run_retention()

    gone.refresh_from_db()
    assert gone.scan.name == "" and not storage.exists(gone_file)
    assert (gone.issued_on, gone.hospital) == (dt.date(2022, 3, 4), "金东区人民医院")
    kept.refresh_from_db()
    assert kept.scan.name == kept_file and storage.exists(kept_file)


def test_p_ret_1_deletes_the_examination_form_scans_of_an_anonymised_child(
    large_class, media_root, django_capture_on_commit_callbacks
):
    """P-RET-1 with P-HC-1: the scan of an entry examination form (入托体检表) names the child
    and its findings; it goes with the child's name, after the commit (the row keeps its
    date and measurements, for past years' rates). The scan of a child in care stays."""
    from django.core.files.base import ContentFile

    def scanned(child):
        exam = child.examinations.get()
        exam.form_scan.save("入托体检表.pdf", ContentFile(b"%PDF-1.4\n"), save=True)
        return exam

    gone = scanned(_child(large_class, "张旧旧", status="withdrawn", left_on=dt.date(2023, 1, 1)))
    kept = scanned(_child(large_class, "赵在在"))
    storage = Examination._meta.get_field("form_scan").storage
    gone_file, kept_file = gone.form_scan.name, kept.form_scan.name
    assert gone_file.startswith("children/examinations/") and "体检" not in gone_file
    assert storage.exists(gone_file) and storage.exists(kept_file)

    with django_capture_on_commit_callbacks(execute=True):
        run_retention()

    gone.refresh_from_db()
    assert gone.form_scan.name == "" and not storage.exists(gone_file)
    assert (gone.examined_on, gone.weight_kg) == (dt.date(2022, 3, 1), Decimal("12.50"))
    kept.refresh_from_db()
    assert kept.form_scan.name == kept_file and storage.exists(kept_file)
