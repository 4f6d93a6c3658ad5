"""[fidelity] #7 point 7: P-STD-2 / P-STD-3 are captured on the filing form (the standards
section), each standard the policy says must hold refuses the submission with its code,
field and rule, reviewers see the facts their subjects judge, and the filed standards are
applied on approval and prefill a change filing. P-STD-1 "ratios are minimums": a caregiver
shortfall refuses too (it was a warning only)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tuoyu.core.errors import DomainError
from tuoyu.filings import checks, services
from tuoyu.filings.models import FilingApplication, SubjectReview
from tuoyu.filings.tests.conftest import STAFF, STANDARDS, approve_all, fill, pdf

pytestmark = pytest.mark.django_db

EXTREMES = ["9" * 30, "-1", "1e30", "NaN", "Infinity", "x" * 10_000, " ", "a\x00b", "1.5"]


@pytest.fixture
def draft(institution_user, institution):
    return services.filing_start(
        acting_user=institution_user, institution=institution, kind=FilingApplication.Kind.INITIAL
    )


def submit_errors(user, app):
    with pytest.raises(DomainError) as exc:
        services.filing_submit(acting_user=user, application=app, commitment_accepted=True)
    return exc.value.errors


# (what differs from a compliant section, code, field, rule)
RULES = [
    ({"head_education": "secondary"}, "head_education_below_standard", "head_education", "P-STD-2"),
    ({"head_experience_years": 2}, "head_experience_below_standard", "head_experience_years", "P-STD-2"),
    ({"head_post_training": False}, "head_training_missing", "head_post_training", "P-STD-2"),
    ({"health_worker_mch_trained": False}, "health_worker_not_trained", "health_worker_mch_trained", "P-STD-2"),
    ({"security_guard_licensed": False}, "security_guard_unlicensed", "security_guard_licensed", "P-STD-2"),
    ({"premises_tenure": "leased", "lease_years": 2}, "lease_too_short", "lease_years", "P-STD-3"),
    ({"living_floor_highest": 4}, "living_floor_too_high", "living_floor_highest", "P-STD-3"),
    ({"living_underground": True}, "living_rooms_underground", "living_underground", "P-STD-3"),
    ({"window_area_m2": "40"}, "window_ratio_below_standard", "window_area_m2", "P-STD-3"),
    ({"observation_room_m2": "5.5"}, "observation_room_too_small", "observation_room_m2", "P-STD-3"),
    ({"observation_bed": False}, "observation_bed_missing", "observation_bed", "P-STD-3"),
]  # fmt: skip


@pytest.mark.parametrize(("change", "code", "field", "rule"), RULES, ids=[r[1] for r in RULES])
def test_p_std_2_3_each_standard_refuses_the_submission(
    institution_user, draft, change, code, field, rule
):
    """P-STD-2 / P-STD-3: one standard not met, everything else compliant → that one error,
    with its field and rule; the message names the rule in words, not its id."""
    fill(institution_user, draft, standards={**STANDARDS, **change})
    errors = submit_errors(institution_user, draft)
    assert [(e.code, e.field) for e in errors] == [(code, f"standards.{field}")]
    assert errors[0].rule == rule
    assert "托育机构设置标准" in errors[0].message and rule not in errors[0].message
    assert errors[0].as_dict()["rule"] == rule  # the API's detail


def test_p_std_3_owned_premises_need_no_lease(institution_user, draft):
    fill(
        institution_user,
        draft,
        standards={**STANDARDS, "premises_tenure": "owned", "lease_years": 1},
    )
    draft.refresh_from_db()
    assert draft.facts["standards"]["lease_years"] is None
    services.filing_submit(
        acting_user=institution_user, application=draft, commitment_accepted=True
    )


def test_p_std_2_no_health_worker_refuses(institution_user, draft):
    """P-STD-2: ≥ 1 health worker per institution (was a warning only)."""
    staff = {**STAFF, "health_worker": {"count": 0, "certified": 0}}
    fill(
        institution_user,
        draft,
        staff=staff,
        standards={**STANDARDS, "health_workers_full_time": 0},
    )
    errors = submit_errors(institution_user, draft)
    assert [(e.code, e.field, e.rule) for e in errors] == [
        ("health_workers_below_standard", "staff.health_worker", "P-STD-2")
    ]


def test_p_std_2_full_time_health_worker_from_the_threshold(institution_user, draft):
    """P-STD-2: from `full_time_health_worker_threshold_children` (150) children, a
    full-time health worker; 160 children with none is refused, with one it passes."""
    classes = [(f"托大{i}班", "toddler_large", 20) for i in range(1, 9)]  # 160 children
    staff = {**STAFF, "caregiver": {"count": 24, "certified": 24}}
    fill(
        institution_user,
        draft,
        classes=classes,
        staff=staff,
        standards={**STANDARDS, "health_workers_full_time": 0},
        basic={**_big_premises()},
    )
    errors = submit_errors(institution_user, draft)
    assert [(e.code, e.field, e.rule) for e in errors] == [
        ("full_time_health_worker_missing", "standards.health_workers_full_time", "P-STD-2")
    ]
    services.filing_update_standards(
        acting_user=institution_user, application=draft, standards=STANDARDS
    )
    draft.refresh_from_db()
    services.filing_submit(
        acting_user=institution_user, application=draft, commitment_accepted=True
    )


def _big_premises():
    from tuoyu.filings.tests.conftest import BASIC

    return {**BASIC, "indoor_area_m2": "900"}


def test_p_std_2_full_time_never_more_than_the_health_workers(institution_user, draft):
    fill(institution_user, draft, standards={**STANDARDS, "health_workers_full_time": 2})
    errors = submit_errors(institution_user, draft)
    assert [(e.code, e.field) for e in errors] == [
        ("full_time_exceeds_count", "standards.health_workers_full_time")
    ]


def test_p_std_1_caregiver_ratio_is_a_minimum(institution_user, draft):
    """P-STD-1 "ratios are minimums": 托小 15 + 托大 20 need 3 + 3 caregivers; 5 is refused."""
    fill(institution_user, draft, staff={**STAFF, "caregiver": {"count": 5, "certified": 5}})
    errors = submit_errors(institution_user, draft)
    assert [(e.code, e.field, e.rule) for e in errors] == [
        ("caregivers_below_ratio", "staff.caregiver", "P-STD-1")
    ]
    assert checks.filing_warnings(draft, on=draft.created_at.date()) == []


def test_the_standards_section_must_be_filled(institution_user, draft):
    fill(institution_user, draft, standards={"head_post_training": True})
    errors = submit_errors(institution_user, draft)
    missing = {e.field for e in errors if e.code == "fact_missing"}
    assert missing == {
        f"standards.{f.name}" for f in checks.STANDARD_FACTS if f.required and f.kind != "bool"
    }
    # a lease needs its term
    services.filing_update_standards(
        acting_user=institution_user,
        application=draft,
        standards={**STANDARDS, "premises_tenure": "leased", "lease_years": ""},
    )
    draft.refresh_from_db()
    errors = submit_errors(institution_user, draft)
    assert [(e.code, e.field) for e in errors] == [("fact_missing", "standards.lease_years")]


# --- the form's values -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "code", "field"),
    [
        ({"head_education": "phd"}, "invalid_choice", "head_education"),
        ({"premises_tenure": "borrowed"}, "invalid_choice", "premises_tenure"),
        ({"head_experience_years": "three"}, "number_invalid", "head_experience_years"),
        ({"head_experience_years": "-1"}, "out_of_range", "head_experience_years"),
        ({"head_experience_years": "101"}, "out_of_range", "head_experience_years"),
        ({"living_floor_lowest": "0"}, "out_of_range", "living_floor_lowest"),
        ({"living_floor_lowest": "3", "living_floor_highest": "2"}, "floor_range_invalid",
         "living_floor_highest"),
        ({"window_area_m2": "-3"}, "number_invalid", "window_area_m2"),
        ({"window_area_m2": "1e30"}, "out_of_range", "window_area_m2"),
        ({"observation_room_m2": "NaN"}, "number_invalid", "observation_room_m2"),
        ({"health_workers_full_time": "10001"}, "out_of_range", "health_workers_full_time"),
    ],
)  # fmt: skip
def test_clean_standards_field_errors(institution_user, draft, data, code, field):
    """Bad input: a coded error on its field (`standards.<name>`), a Chinese message,
    nothing saved."""
    with pytest.raises(DomainError) as exc:
        services.filing_update_standards(
            acting_user=institution_user, application=draft, standards={**STANDARDS, **data}
        )
    assert [(e.code, e.field) for e in exc.value.errors] == [(code, f"standards.{field}")]
    assert any("\u4e00" <= ch <= "\u9fff" for ch in exc.value.errors[0].message)
    draft.refresh_from_db()
    assert "standards" not in draft.facts or draft.facts["standards"] == {}


@pytest.mark.parametrize("value", EXTREMES)
def test_clean_standards_extremes_raise_only_coded_errors(value):
    for f in checks.STANDARD_FACTS:
        try:
            checks.clean_standards({**STANDARDS, f.name: value})
        except DomainError as exc:
            assert all(e.code and e.field.startswith("standards.") for e in exc.errors)


# --- the pages ---------------------------------------------------------------------------------


def test_the_edit_form_saves_the_section_and_shows_the_rule_as_small_print(
    client, institution_user, draft
):
    fill(institution_user, draft)
    client.force_login(institution_user)
    data = {
        f"std-{k}": ("on" if v is True else str(v)) for k, v in STANDARDS.items() if v is not False
    }
    data["std-living_floor_highest"] = "5"
    edit = reverse("filings:edit", args=[draft.pk])
    r = client.post(edit, {**data, "action": "save:standards"})
    assert r.status_code == 302
    draft.refresh_from_db()
    assert draft.facts["standards"]["living_floor_highest"] == 5
    r = client.post(edit, {"action": "submit", "commitment_accepted": "on"})
    assert r.status_code == 422
    body = r.content.decode()
    assert 'data-code="living_floor_too_high"' in body and 'data-rule="P-STD-3"' in body
    assert "《托育机构设置标准（试行）》场地设施" in body
    # a refused value is shown again on its field
    r = client.post(edit, {**data, "action": "save:standards", "std-head_education": "x"})
    assert r.status_code == 422
    assert "负责人学历的取值无效" in r.content.decode()


def _page(client, user, app) -> str:
    client.force_login(user)
    r = client.get(reverse("filings:detail", args=[app.pk]))
    assert r.status_code == 200
    return r.content.decode()


def test_reviewers_see_the_standards_of_their_subjects(client, submitted, reviewers):
    """Floors, underground and windows → 消防 and 卫生保健; the guard → 安全保卫; health
    workers and the observation room → 卫生保健; the head → everyone; 区卫健局 all."""
    floors, guard, room, head = (
        "婴幼儿生活用房最高楼层",
        "保安人员持保安员证",
        "保健观察室面积",
        "负责人学历",
    )
    fire = _page(client, reviewers["fire"], submitted)
    assert floors in fire and head in fire and guard not in fire and room not in fire
    security = _page(client, reviewers["security"], submitted)
    assert guard in security and head in security and floors not in security
    assert "房屋产权" in security and room not in security
    health_care = _page(client, reviewers["health_care"], submitted)
    assert room in health_care and floors in health_care and "专职保健人员" in health_care
    assert guard not in health_care
    food = _page(client, reviewers["food"], submitted)
    assert head in food and floors not in food and guard not in food
    health = _page(client, reviewers["health"], submitted)
    assert all(label in health for label in (floors, guard, room, head))


# --- filed and changed ----------------------------------------------------------------------


def test_filed_standards_applied_on_approval_and_prefilled_in_a_change(
    filed, institution_user, reviewers
):
    """On approval the standards section becomes the institution's `filed_standards`; a
    change filing starts from them, and a change of the observation room is reviewed by
    卫生保健 only, a change of the lease by 消防, 安全保卫 and 卫生保健."""
    assert filed.filed_standards == checks.clean_standards(STANDARDS)
    change = services.filing_start(acting_user=institution_user, institution=filed, kind="change")
    assert change.facts["standards"] == filed.filed_standards
    assert change.facts_before["standards"] == filed.filed_standards
    services.filing_update_standards(
        acting_user=institution_user,
        application=change,
        standards={**filed.filed_standards, "observation_room_m2": "10"},
    )
    change.refresh_from_db()
    services.filing_submit(
        acting_user=institution_user, application=change, commitment_accepted=True
    )
    change.refresh_from_db()
    assert change.subjects == ["health_care"]
    approve_all(change, reviewers)
    services.filing_decide(acting_user=reviewers["health"], application=change, approve=True)
    filed.refresh_from_db()
    assert filed.filed_standards["observation_room_m2"] == "10.00"

    lease = services.filing_start(acting_user=institution_user, institution=filed, kind="change")
    services.filing_update_standards(
        acting_user=institution_user,
        application=lease,
        standards={**filed.filed_standards, "lease_years": 10},
    )
    lease.refresh_from_db()
    services.filing_submit(
        acting_user=institution_user, application=lease, commitment_accepted=True
    )
    lease.refresh_from_db()
    assert lease.subjects == ["fire", "security", "health_care"]
    assert set(
        SubjectReview.objects.filter(application=lease).values_list("subject", flat=True)
    ) == {"fire", "security", "health_care"}


def test_a_change_of_the_standards_alone_is_a_change(filed, institution_user):
    change = services.filing_start(acting_user=institution_user, institution=filed, kind="change")
    errors = submit_errors(institution_user, change)
    assert [e.code for e in errors] == ["no_changes"]
    services.filing_update_standards(
        acting_user=institution_user,
        application=change,
        standards={**filed.filed_standards, "head_experience_years": 9},
    )
    change.refresh_from_db()
    services.filing_submit(
        acting_user=institution_user, application=change, commitment_accepted=True
    )
    change.refresh_from_db()
    assert change.subjects == ["security", "health_care"]


def test_a_change_shows_the_standards_it_changes(client, filed, institution_user, reviewers):
    change = services.filing_start(acting_user=institution_user, institution=filed, kind="change")
    services.filing_update_standards(
        acting_user=institution_user,
        application=change,
        standards={**filed.filed_standards, "observation_room_m2": "12"},
    )
    change.refresh_from_db()
    services.filing_submit(
        acting_user=institution_user, application=change, commitment_accepted=True
    )
    page = _page(client, reviewers["health_care"], change)
    assert 'data-testid="standards-changes"' in page and "12.00" in page and "8.00" in page


def test_materials_uploaded_still_required(institution_user, draft):
    """The standards do not replace the scans (P-FIL-1): a compliant section without the
    premises proof is still refused for it."""
    fill(institution_user, draft)
    draft.materials.filter(kind="premises_proof").update(superseded=True)
    errors = submit_errors(institution_user, draft)
    assert [e.field for e in errors] == ["materials.premises_proof"]
    services.filing_material_upload(
        acting_user=institution_user, application=draft, kind="premises_proof", file=pdf()
    )
    services.filing_submit(
        acting_user=institution_user, application=draft, commitment_accepted=True
    )
