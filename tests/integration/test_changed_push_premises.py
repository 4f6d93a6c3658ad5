"""[fidelity] #7 point 5, P-FIL-3: a registration `changed` push overwrote the address and
township the filing uses, so premises moved without the fire and safety review of a change
filing. Now, for a filed (or in-review) institution, the push leaves the filed premises as
they are, keeps what it pushed on the stored event, and (through the domain event
`registration_premises_changed`, institutions → filings) opens a change filing with the
pushed premises, reviewed on 消防, 安全保卫 and 卫生保健."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from tests.factories import DONGXIAO, DUOHU
from tuoyu.audit.models import AuditEvent
from tuoyu.filings import services
from tuoyu.filings.models import FilingApplication, SubjectReview
from tuoyu.institutions.models import RegistrationEvent
from tuoyu.regions.models import Region

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
OLD_ADDRESS = "金东区多湖街道光明路1号"
NEW_ADDRESS = "金东区东孝街道孝顺路8号"
STAFF = {
    "principal": {"count": 1, "certified": 1},
    "caregiver": {"count": 4, "certified": 4},
    "health_worker": {"count": 1, "certified": 1},
    "cook": {"count": 0, "certified": 0},
    "security": {"count": 1, "certified": 1},
    "other": {"count": 0, "certified": 0},
}


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def filed_institution(make_filed, district):
    """A filed institution with complete filed facts (P-REG-12) in 多湖街道."""
    return make_filed(
        operating_mode="social",
        institution_form="embedded",
        legal_representative="王某",
        address=OLD_ADDRESS,
        community=Region.objects.get(code=f"{DUOHU}001"),
        latitude="29.083",
        longitude="119.7",
        indoor_area_m2="300",
        outdoor_area_m2="60",
        opening_hours="周一至周五 7:30-17:30",
        monthly_fee_yuan=2800,
        staff_summary=STAFF,
    )


@pytest.fixture
def push(api_client, market_user):
    client = api_client(market_user)
    counter = iter(range(1, 100))

    def send(institution, **facts):
        body = {
            "event_id": f"SAMR-330703-2024-P{next(counter):05d}",
            "authority": "market_regulation",
            "action": "changed",
            "uscc": institution.uscc,
            "occurred_at": "2024-05-06T09:00:00+08:00",
            **facts,
        }
        return client.post("/api/v1/registrations", json.dumps(body), "application/json")

    return send


def test_p_fil_3_a_pushed_move_opens_a_change_filing_instead_of_overwriting(
    push, filed_institution, make_user, fire_user, health_user
):
    inst = filed_institution
    response = push(inst, address=NEW_ADDRESS, township_code=DONGXIAO, name="新名称托育有限公司")
    assert response.status_code == 201, response.content
    # the contract's answer, unchanged in shape (API-CONTRACT §1)
    assert set(response.json()) == {"institution_id", "registration_status"}

    inst.refresh_from_db()
    assert inst.address == OLD_ADDRESS and inst.township.code == DUOHU  # premises kept
    assert inst.name == "新名称托育有限公司"  # a registration fact the filing does not use
    event = RegistrationEvent.objects.get(action="changed")
    assert event.changes["address"] == [OLD_ADDRESS, NEW_ADDRESS]
    assert event.changes["township_code"] == [DUOHU, DONGXIAO]
    audit = AuditEvent.objects.get(action="institutions.registration.changed")
    assert "address" not in audit.changes
    assert audit.detail["premises_held"]["address"] == [OLD_ADDRESS, NEW_ADDRESS]

    change = FilingApplication.objects.get(institution=inst)
    assert change.kind == "change" and change.status == "draft"
    assert change.reason == "登记机关推送地址变更"
    assert change.facts["basic"]["address"] == NEW_ADDRESS
    assert change.facts["basic"]["township"] == DONGXIAO
    assert change.facts["basic"]["community"] is None  # the old one lay in 多湖街道
    assert change.facts["pushed_premises"]["event_id"] == event.event_id
    assert change.facts["standards"] == inst.filed_standards
    assert AuditEvent.objects.filter(action="filings.application.started_by_push").exists()

    # the institution's page says a change filing is required
    owner = make_user("jigou-push", institution=inst)
    page = Client()
    page.force_login(owner)
    body = page.get(reverse("filings:mine")).content.decode()
    assert 'data-testid="pushed-premises"' in body and NEW_ADDRESS in body

    # the institution completes it: the community in the new township, the premises proof
    services.filing_update_basic(
        acting_user=owner,
        application=change,
        data={**change.facts["basic"], "community": "330703002201", "serves_meals": ""},
    )
    services.filing_material_upload(
        acting_user=owner,
        application=change,
        kind="premises_proof",
        file=SimpleUploadedFile("lease.pdf", PDF, content_type="application/pdf"),
    )
    change.refresh_from_db()
    services.filing_submit(acting_user=owner, application=change, commitment_accepted=True)
    change.refresh_from_db()
    assert change.subjects == ["fire", "security", "health_care"]
    assert set(
        SubjectReview.objects.filter(application=change).values_list("subject", flat=True)
    ) == {"fire", "security", "health_care"}
    inst.refresh_from_db()
    assert inst.address == OLD_ADDRESS  # not before the review and the decision


def test_p_fil_3_a_not_filed_institution_still_takes_the_pushed_address(push, make_institution):
    inst = make_institution(address=OLD_ADDRESS)
    assert push(inst, address=NEW_ADDRESS, township_code=DONGXIAO).status_code == 201
    inst.refresh_from_db()
    assert inst.address == NEW_ADDRESS and inst.township.code == DONGXIAO
    assert not FilingApplication.objects.filter(institution=inst).exists()


def test_p_fil_3_an_open_draft_takes_the_pushed_premises(push, filed_institution, make_user):
    """An application already open: no second one; a draft takes the pushed premises."""
    inst = filed_institution
    owner = make_user("jigou-draft", institution=inst)
    draft = services.filing_start(acting_user=owner, institution=inst, kind="change")
    assert push(inst, address=NEW_ADDRESS).status_code == 201
    draft.refresh_from_db()
    assert FilingApplication.objects.filter(institution=inst).count() == 1
    assert draft.facts["basic"]["address"] == NEW_ADDRESS
    assert draft.facts["basic"]["township"] == DUOHU  # the township was not pushed
    assert draft.facts["pushed_premises"]["address"] == NEW_ADDRESS
    inst.refresh_from_db()
    assert inst.address == OLD_ADDRESS


def test_p_fil_3_an_application_under_review_keeps_its_facts_and_the_next_change_takes_them(
    push, filed_institution, make_user, health_user
):
    """Under review, the reviewed facts stay; the premises are recorded and the next
    change filing starts from them, while the page says a change filing is required."""
    inst = filed_institution
    owner = make_user("jigou-review", institution=inst)
    fee = services.filing_start(acting_user=owner, institution=inst, kind="change")
    services.filing_update_basic(
        acting_user=owner,
        application=fee,
        data={**fee.facts["basic"], "monthly_fee_yuan": "3000", "serves_meals": ""},
    )
    fee.refresh_from_db()
    services.filing_submit(acting_user=owner, application=fee, commitment_accepted=True)
    fee.refresh_from_db()
    assert fee.status == "awaiting_decision"
    assert push(inst, address=NEW_ADDRESS).status_code == 201
    fee.refresh_from_db()
    assert fee.facts["basic"]["address"] == OLD_ADDRESS
    assert fee.facts["pushed_premises"]["address"] == NEW_ADDRESS
    services.filing_decide(acting_user=health_user, application=fee, approve=True)
    inst.refresh_from_db()
    assert inst.address == OLD_ADDRESS and inst.monthly_fee_yuan == 3000
    page = Client()
    page.force_login(owner)
    assert NEW_ADDRESS in page.get(reverse("filings:mine")).content.decode()
    nxt = services.filing_start(acting_user=owner, institution=inst, kind="change")
    assert nxt.facts["basic"]["address"] == NEW_ADDRESS


def test_p_fil_3_a_failing_receiver_refuses_the_push(push, filed_institution, monkeypatch):
    """The change filing opens in the push's transaction: if it fails, nothing is stored."""
    from tuoyu.filings import receivers

    def boom(**kwargs):
        raise RuntimeError("filings down")

    monkeypatch.setattr(receivers, "filing_premises_pushed", boom)
    with pytest.raises(RuntimeError):
        push(filed_institution, address=NEW_ADDRESS)
    assert not RegistrationEvent.objects.filter(action="changed").exists()
    assert not FilingApplication.objects.filter(institution=filed_institution).exists()
