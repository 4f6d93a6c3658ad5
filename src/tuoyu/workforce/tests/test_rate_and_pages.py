"""The certification rate (P-TGT-8), the training list for 区人力社保局 (P-WF-3), the
expiry list, and the pages per role."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from tests.factories import CertificateFactory, StaffMemberFactory, TrainingFactory, id_number_for
from tuoyu.workforce import selectors, services

pytestmark = pytest.mark.django_db
DAY = dt.date(2024, 6, 3)


def test_certification_rate_numerator_denominator_and_list(
    filed, health_user, township_user, make_filed, district
):
    other = make_filed(name="东孝春苗托育有限公司", township=district["dongxiao"])
    a = StaffMemberFactory(institution=filed, role="caregiver")
    CertificateFactory(staff=a, kind="childcare_worker", valid_from=dt.date(2023, 1, 1))
    b = StaffMemberFactory(institution=filed, role="caregiver")
    CertificateFactory(
        staff=b, kind="health_certificate", valid_from=dt.date(2024, 1, 1)
    )  # does not count
    StaffMemberFactory(institution=filed, role="cook")  # not in the denominator
    c = StaffMemberFactory(institution=other, role="health_worker")
    CertificateFactory(staff=c, kind="nurse", valid_from=dt.date(2020, 1, 1))
    rate = selectors.certification_rate(acting_user=health_user, day=DAY)
    assert (rate["total"].numerator, rate["total"].denominator) == (2, 3)
    assert {k: (r.numerator, r.denominator) for k, r in rate["townships"].items()} == {
        "多湖街道": (1, 2),
        "东孝街道": (1, 1),
    }
    assert {s.pk for s in rate["total"].rows} == {a.pk, b.pk, c.pk}
    mine = selectors.certification_rate(acting_user=township_user, day=DAY)["total"]
    assert (mine.numerator, mine.denominator) == (1, 2)


def test_which_certificates_count_is_policy_data(filed, health_user, settings, tmp_path):
    import shutil

    from tuoyu import policy

    a = StaffMemberFactory(institution=filed, role="caregiver")
    CertificateFactory(staff=a, kind="childcare_worker", valid_from=dt.date(2023, 1, 1))
    assert selectors.certification_rate(acting_user=health_user, day=DAY)["total"].numerator == 1
    target = tmp_path / "policy"
    shutil.copytree(policy.DEFAULT_DIR, target)
    f = target / "2020-10-31_V2020-36.yaml"
    f.write_text(
        f.read_text(encoding="utf-8").replace("{childcare_worker: 保育员, ", "{"), encoding="utf-8"
    )
    settings.TUOYU_POLICY_DIR = str(target)
    assert selectors.certification_rate(acting_user=health_user, day=DAY)["total"].numerator == 0


def test_training_export_for_human_resources(filed, make_user, filed_user):
    renshe = make_user("renshe", department="human_resources")
    TrainingFactory(
        staff=StaffMemberFactory(institution=filed),
        completed_on=dt.date(2024, 5, 1),
        appraisal_level="四级",
    )
    TrainingFactory(staff=StaffMemberFactory(institution=filed), completed_on=dt.date(2023, 5, 1))
    from django.test import Client

    client = Client()
    client.force_login(renshe)
    response = client.get(reverse("workforce:trainings"), {"year": 2024, "download": 1})
    assert response.status_code == 200
    ws = load_workbook(io.BytesIO(response.content)).active
    rows = list(ws.iter_rows(values_only=True))
    assert len(rows) == 2 and rows[1][7] == "四级" and "*" in rows[1][3]
    from tuoyu.audit.models import AuditEvent
    from tuoyu.workforce.catalogue import WorkforceAction

    exported = AuditEvent.objects.get(action=WorkforceAction.TRAINING_EXPORTED)
    assert exported.actor_id == renshe.pk and exported.detail["rows"] == 1
    client.force_login(filed_user)
    assert (
        client.get(reverse("workforce:trainings"), {"year": 2024, "download": 1}).status_code == 403
    )


def test_pages_per_role(client, filed, filed_user, health_user, township_user, add_staff):
    staff = add_staff(filed_user, filed, 1)
    client.force_login(filed_user)
    mine = client.get(reverse("workforce:my_roster"))
    assert mine.status_code == 200 and "员工1" in mine.content.decode()
    page = client.get(reverse("workforce:roster", args=[filed.pk]))
    assert page.status_code == 200 and "员工1" in page.content.decode()
    assert id_number_for(1) not in page.content.decode()
    assert client.get(reverse("workforce:staff", args=[staff.pk])).status_code == 200
    assert client.get(reverse("workforce:staff_new", args=[filed.pk])).status_code == 200
    assert client.get(reverse("workforce:upload", args=[filed.pk])).status_code == 200
    assert client.get(reverse("workforce:template", args=[filed.pk])).status_code == 200
    assert client.get(reverse("workforce:bans")).status_code == 403
    client.force_login(township_user)
    assert client.get(reverse("workforce:gaps")).status_code == 200
    assert client.get(reverse("workforce:staff_new", args=[filed.pk])).status_code == 403
    client.force_login(health_user)
    for name in ("gaps", "expiry", "certification", "bans", "ban_new", "attempts"):
        assert client.get(reverse(f"workforce:{name}")).status_code == 200, name
    tab = client.get(reverse("institutions:detail", args=[filed.pk]), {"tab": "workforce"})
    assert tab.status_code == 200 and "员工1" in tab.content.decode()


def test_form_add_and_ban_refusal_message(
    client, filed, filed_user, health_user, second_health_user
):
    ban = services.ban_propose(
        acting_user=health_user,
        name="王某",
        id_number=id_number_for(42),
        reason="虐童",
        decided_on=dt.date(2024, 3, 1),
        decision_ref="金东卫禁〔2024〕1号",
    )
    client.force_login(second_health_user)
    response = client.post(reverse("workforce:ban", args=[ban.pk]), {"action": "approve"})
    assert response.status_code == 302
    client.force_login(filed_user)
    form = {
        "name": "王某",
        "id_number": id_number_for(42),
        "role": "cook",
        "hired_on": "2024-05-01",
        "experience_years": 0,
    }
    page = client.post(reverse("workforce:staff_new", args=[filed.pk]), form)
    assert page.status_code == 200
    assert (
        'data-testid="ban-refused"' in page.content.decode() and "终身禁入" in page.content.decode()
    )
    form["id_number"] = id_number_for(43)
    assert client.post(reverse("workforce:staff_new", args=[filed.pk]), form).status_code == 302


def test_expiry_list(filed, health_user):
    s = StaffMemberFactory(institution=filed)
    CertificateFactory(
        staff=s, valid_from=dt.date(2023, 6, 1), valid_until=DAY + dt.timedelta(days=5)
    )
    rows = selectors.expiring(acting_user=health_user, day=DAY)
    assert [r.days_left for r in rows] == [5]
    assert selectors.expiring(acting_user=health_user, day=DAY - dt.timedelta(days=40)) == []


def test_home_shows_the_institution_its_gaps(client, filed, filed_user):
    """The institution's work queue: today's staffing gaps on its home page."""
    client.force_login(filed_user)
    page = client.get(reverse("web:home")).content.decode()
    assert 'data-testid="home-staff-gaps"' in page and "P-STD-1" in page


def test_p_wf_2_kindergarten_teachers_and_health_professionals_count_as_certified(
    filed, health_user
):
    """P-WF-2: kindergarten teachers and health professionals may work in care institutions;
    their own qualification (幼儿园教师资格证, 医师/护士执业证书) counts for the rate of P-TGT-8,
    a health certificate alone does not."""
    teacher = StaffMemberFactory(institution=filed, role="caregiver")
    CertificateFactory(staff=teacher, kind="kindergarten_teacher", valid_from=dt.date(2022, 9, 1))
    doctor = StaffMemberFactory(institution=filed, role="health_worker")
    CertificateFactory(staff=doctor, kind="physician", valid_from=dt.date(2019, 7, 1))
    other = StaffMemberFactory(institution=filed, role="caregiver")
    CertificateFactory(staff=other, kind="health_certificate", valid_from=dt.date(2024, 1, 1))
    total = selectors.certification_rate(acting_user=health_user, day=DAY)["total"]
    assert (total.numerator, total.denominator) == (2, 3)
