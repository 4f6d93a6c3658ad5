"""P-REG-13 chains: agreements, branches and the simplified-path selector."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tuoyu import policy
from tuoyu.audit.models import AuditEvent
from tuoyu.core.errors import DomainError
from tuoyu.institutions.models import ChainAgreement, Institution
from tuoyu.institutions.selectors.chains import (
    chain_agreement_covering,
    chain_agreements_list,
    chain_branches,
)
from tuoyu.institutions.services import chains as services
from tuoyu.institutions.tests.conftest import pdf_upload

D = dt.date
# Validity running well past today, whatever day the suite runs.
UNTIL = policy.today() + dt.timedelta(days=3650)


@pytest.fixture
def agreement(health_user, make_institution, district, media_root):
    head = make_institution(name="连锁总部托育有限公司")
    return services.chain_agreement_create(
        acting_user=health_user,
        head=head,
        agreement_number="LS-2024-001",
        townships=[district["duohu"]],
        max_branches=2,
        valid_from=D(2024, 1, 1),
        valid_until=UNTIL,
        document=pdf_upload("协议.pdf"),
    )


def create(user, head, **overrides):
    kwargs = {
        "agreement_number": "LS-X",
        "townships": [],
        "max_branches": 3,
        "valid_from": D(2024, 1, 1),
        "valid_until": UNTIL,
    }
    kwargs.update(overrides)
    return services.chain_agreement_create(acting_user=user, head=head, **kwargs)


def code_of(excinfo) -> str:
    return excinfo.value.code


# --- agreements ----------------------------------------------------------------------------


def test_create_records_agreement_townships_document_and_audit(agreement, district):
    assert list(agreement.townships.all()) == [district["duohu"]]
    assert agreement.document.name.endswith(".pdf")
    event = AuditEvent.objects.get(action="institutions.chain_agreement.created")
    assert event.object_id == str(agreement.pk)
    assert event.detail["townships"] == [district["duohu"].code]


def test_only_health_bureau_manages_chains(township_user, make_institution, district):
    with pytest.raises(DomainError) as e:
        create(township_user, make_institution(), townships=[district["duohu"]])
    assert code_of(e) == "out_of_scope" and e.value.status == 403


def test_head_must_be_registered(health_user, make_institution, district):
    head = make_institution(registration_status="deregistered")
    with pytest.raises(DomainError) as e:
        create(health_user, head, townships=[district["duohu"]])
    assert code_of(e) == "chain_head_not_registered"
    assert e.value.errors[0].field == "head"


def test_agreement_number_is_unique(agreement, health_user, make_institution, district):
    with pytest.raises(DomainError) as e:
        create(
            health_user,
            make_institution(),
            agreement_number="LS-2024-001",
            townships=[district["duohu"]],
        )
    assert code_of(e) == "agreement_number_taken" and e.value.status == 409


def test_validity_dates_in_order(health_user, make_institution, district):
    with pytest.raises(DomainError) as e:
        create(
            health_user,
            make_institution(),
            townships=[district["duohu"]],
            valid_from=D(2025, 1, 1),
            valid_until=D(2024, 12, 31),
        )
    assert code_of(e) == "date_order" and e.value.errors[0].field == "valid_until"


def test_townships_required_and_of_the_district(health_user, make_institution, district):
    from tuoyu.regions.models import Region

    with pytest.raises(DomainError) as e:
        create(health_user, make_institution(), townships=[])
    assert code_of(e) == "required" and e.value.errors[0].field == "townships"
    village = Region.objects.get(code="330703001001")
    with pytest.raises(DomainError) as e:
        create(health_user, make_institution(), townships=[village])
    assert code_of(e) == "unknown_region"


@pytest.mark.parametrize(
    ("name", "content", "code"),
    [
        ("协议.pdf", b"", "file_empty"),
        ("协议.docx", b"PK\x03\x04 not a pdf", "file_type_not_allowed"),
        ("协议.pdf", b"GIF89a pretending", "file_type_not_allowed"),
    ],
)
def test_document_must_be_a_pdf(health_user, make_institution, district, name, content, code):
    with pytest.raises(DomainError) as e:
        create(
            health_user,
            make_institution(),
            townships=[district["duohu"]],
            document=SimpleUploadedFile(name, content),
        )
    assert code_of(e) == code and e.value.errors[0].field == "document"


def test_document_size_limit(health_user, make_institution, district, monkeypatch):
    monkeypatch.setattr(services, "MAX_DOCUMENT_BYTES", 10)
    with pytest.raises(DomainError) as e:
        create(
            health_user,
            make_institution(),
            townships=[district["duohu"]],
            document=pdf_upload(content=b"%PDF-1.4 more than ten bytes"),
        )
    assert code_of(e) == "file_too_large"


def test_update_keeps_history_in_audit_and_refuses_max_below_branches(
    agreement, health_user, make_institution, district
):
    services.chain_branch_attach(
        acting_user=health_user, agreement=agreement, institution=make_institution()
    )
    services.chain_branch_attach(
        acting_user=health_user, agreement=agreement, institution=make_institution()
    )
    with pytest.raises(DomainError) as e:
        services.chain_agreement_update(
            acting_user=health_user,
            agreement=agreement,
            agreement_number="LS-2024-001",
            townships=[district["duohu"]],
            max_branches=1,
            valid_from=agreement.valid_from,
            valid_until=agreement.valid_until,
        )
    assert code_of(e) == "chain_max_below_branches"
    services.chain_agreement_update(
        acting_user=health_user,
        agreement=agreement,
        agreement_number="LS-2024-001A",
        townships=[district["duohu"], district["dongxiao"]],
        max_branches=5,
        valid_from=agreement.valid_from,
        valid_until=agreement.valid_until,
    )
    agreement.refresh_from_db()
    assert agreement.agreement_number == "LS-2024-001A" and agreement.max_branches == 5
    event = AuditEvent.objects.get(action="institutions.chain_agreement.updated")
    assert event.changes["agreement_number"] == ["LS-2024-001", "LS-2024-001A"]
    assert event.changes["townships"] == [["330703001"], ["330703001", "330703002"]]


def test_end_agreement_keeps_validity(agreement, health_user):
    with pytest.raises(DomainError) as e:
        services.chain_agreement_end(
            acting_user=health_user, agreement=agreement, ended_on=D(2023, 6, 1), reason="x"
        )
    assert code_of(e) == "date_order"
    services.chain_agreement_end(
        acting_user=health_user, agreement=agreement, ended_on=D(2025, 6, 30), reason="总部申请"
    )
    agreement.refresh_from_db()
    assert agreement.valid_until == UNTIL and agreement.ended_on == D(2025, 6, 30)
    assert agreement.last_day == D(2025, 6, 30)
    with pytest.raises(DomainError) as e:
        services.chain_agreement_end(
            acting_user=health_user, agreement=agreement, ended_on=D(2025, 7, 1), reason="再次"
        )
    assert code_of(e) == "chain_agreement_ended"


# --- branches ------------------------------------------------------------------------------


def test_branch_cannot_be_the_head(agreement, health_user):
    with pytest.raises(DomainError) as e:
        services.chain_branch_attach(
            acting_user=health_user, agreement=agreement, institution=agreement.head
        )
    assert code_of(e) == "chain_branch_is_head"


def test_branches_exceeding_the_maximum_are_refused(agreement, health_user, make_institution):
    for _ in range(agreement.max_branches):
        services.chain_branch_attach(
            acting_user=health_user, agreement=agreement, institution=make_institution()
        )
    with pytest.raises(DomainError) as e:
        services.chain_branch_attach(
            acting_user=health_user, agreement=agreement, institution=make_institution()
        )
    assert code_of(e) == "chain_branches_exceeded" and e.value.status == 409
    assert agreement.branches.count() == agreement.max_branches


def test_deregistered_branches_do_not_count_toward_the_maximum(
    agreement, health_user, make_institution
):
    first = make_institution()
    services.chain_branch_attach(acting_user=health_user, agreement=agreement, institution=first)
    services.chain_branch_attach(
        acting_user=health_user, agreement=agreement, institution=make_institution()
    )
    Institution.objects.filter(pk=first.pk).update(registration_status="deregistered")
    services.chain_branch_attach(
        acting_user=health_user, agreement=agreement, institution=make_institution()
    )
    assert agreement.branches.count() == 3


def test_branch_outside_townships_is_attached_but_flagged(
    agreement, health_user, make_institution, district
):
    outside = make_institution(township=district["dongxiao"])
    result = services.chain_branch_attach(
        acting_user=health_user, agreement=agreement, institution=outside
    )
    assert result.in_scope is False
    outside.refresh_from_db()
    assert outside.chain_agreement_id == agreement.pk
    # Outside the agreement's townships: the full filing path (P-REG-13).
    assert chain_agreement_covering(outside, D(2025, 1, 1)) is None
    rows = {b.pk: b.in_scope for b in chain_branches(acting_user=health_user, agreement=agreement)}
    assert rows == {outside.pk: False}
    event = AuditEvent.objects.get(action="institutions.chain_agreement.branch_attached")
    assert event.detail["in_scope"] is False


def test_branch_of_another_agreement_and_deregistered_refused(
    agreement, health_user, make_institution, district
):
    other = create(
        health_user, make_institution(), agreement_number="LS-2", townships=[district["duohu"]]
    )
    branch = make_institution()
    services.chain_branch_attach(acting_user=health_user, agreement=other, institution=branch)
    with pytest.raises(DomainError) as e:
        services.chain_branch_attach(
            acting_user=health_user, agreement=agreement, institution=branch
        )
    assert code_of(e) == "chain_branch_elsewhere"
    gone = make_institution(registration_status="deregistered")
    with pytest.raises(DomainError) as e:
        services.chain_branch_attach(acting_user=health_user, agreement=agreement, institution=gone)
    assert code_of(e) == "institution_deregistered"


def test_attach_to_ended_or_expired_agreement_refused(agreement, health_user, make_institution):
    with pytest.raises(DomainError) as e:
        services.chain_branch_attach(
            acting_user=health_user,
            agreement=agreement,
            institution=make_institution(),
            on=UNTIL + dt.timedelta(days=1),
        )
    assert code_of(e) == "chain_agreement_not_in_force"
    services.chain_agreement_end(
        acting_user=health_user, agreement=agreement, ended_on=D(2024, 6, 30), reason="终止"
    )
    with pytest.raises(DomainError) as e:
        services.chain_branch_attach(
            acting_user=health_user,
            agreement=agreement,
            institution=make_institution(),
            on=D(2024, 7, 1),
        )
    assert code_of(e) == "chain_agreement_ended"


def test_detach(agreement, health_user, make_institution):
    branch = make_institution()
    with pytest.raises(DomainError) as e:
        services.chain_branch_detach(
            acting_user=health_user, agreement=agreement, institution=branch
        )
    assert code_of(e) == "chain_branch_not_attached"
    services.chain_branch_attach(acting_user=health_user, agreement=agreement, institution=branch)
    services.chain_branch_detach(acting_user=health_user, agreement=agreement, institution=branch)
    branch.refresh_from_db()
    assert branch.chain_agreement_id is None
    assert (
        AuditEvent.objects.filter(action="institutions.chain_agreement.branch_detached").count()
        == 1
    )


# --- chain_agreement_covering (P-REG-13 simplified path) ------------------------------------


def test_covering_within_township_validity_and_maximum(agreement, health_user, make_institution):
    branch = make_institution()
    assert chain_agreement_covering(branch, D(2025, 1, 1)) is None  # not attached
    services.chain_branch_attach(acting_user=health_user, agreement=agreement, institution=branch)
    branch.refresh_from_db()
    assert chain_agreement_covering(branch, D(2025, 1, 1)) == agreement
    assert chain_agreement_covering(branch, D(2024, 1, 1)) == agreement  # first day
    assert chain_agreement_covering(branch, UNTIL) == agreement  # last day
    assert chain_agreement_covering(branch, D(2023, 12, 31)) is None
    assert chain_agreement_covering(branch, UNTIL + dt.timedelta(days=1)) is None


def test_covering_ends_with_early_end_and_with_the_head(agreement, health_user, make_institution):
    branch = make_institution()
    services.chain_branch_attach(acting_user=health_user, agreement=agreement, institution=branch)
    branch.refresh_from_db()
    services.chain_agreement_end(
        acting_user=health_user, agreement=agreement, ended_on=D(2025, 3, 31), reason="终止"
    )
    assert chain_agreement_covering(branch, D(2025, 3, 31)) == agreement
    assert chain_agreement_covering(branch, D(2025, 4, 1)) is None
    Institution.objects.filter(pk=agreement.head_id).update(registration_status="deregistered")
    assert chain_agreement_covering(branch, D(2025, 1, 1)) is None


def test_covering_refuses_when_branches_exceed_maximum(agreement, health_user, make_institution):
    branch = make_institution()
    services.chain_branch_attach(acting_user=health_user, agreement=agreement, institution=branch)
    branch.refresh_from_db()
    # Over the maximum (data edited outside the service): nobody is covered any more.
    ChainAgreement.objects.filter(pk=agreement.pk).update(max_branches=1)
    make_institution(chain_agreement=agreement)
    assert chain_agreement_covering(branch, D(2025, 1, 1)) is None


def test_list_counts_and_scope(agreement, health_user, township_user, make_user, make_institution):
    services.chain_branch_attach(
        acting_user=health_user, agreement=agreement, institution=make_institution()
    )
    [row] = chain_agreements_list(acting_user=health_user, on_date=D(2025, 1, 1))
    assert (row.branch_count, row.live_branch_count, row.in_force) == (1, 1, True)
    assert not chain_agreements_list(
        acting_user=health_user, status="not_in_force", on_date=D(2025, 1, 1)
    )
    assert list(chain_agreements_list(acting_user=township_user)) == [agreement]  # head in 多湖
    dongxiao = make_user("dongxiao", township="dongxiao")
    assert not chain_agreements_list(acting_user=dongxiao)
