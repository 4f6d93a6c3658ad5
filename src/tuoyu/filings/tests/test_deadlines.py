"""P-FIL-2 deadlines per application, in working days on the official calendar: "the
receipt within 5 working days of complete materials; an institution that does not meet the
rules is told within 15 working days, and this is made public".

Completeness (`checks.submission_errors`) is its own subject (test_workflow); here every
submission is taken as complete, so these tests follow the deadlines only.
"""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from tuoyu.audit.models import AuditEvent
from tuoyu.core.errors import DomainError
from tuoyu.filings import checks, services
from tuoyu.filings.models import FilingApplication, SubjectReview
from tuoyu.regions import workdays
from tuoyu.regions.services import holiday_notice_save

from .conftest import approve_all, fill

SH = ZoneInfo("Asia/Shanghai")
D = dt.date
NOTICE_2027 = {
    "year": 2027,
    "title": "国务院办公厅关于2027年部分节假日安排的通知",
    "document_number": "国办发明电〔2026〕7号",
    "published_on": "2026-11-12",
    "holidays": "2027-01-01..2027-01-03\n2027-10-01..2027-10-07",
    "makeup_workdays": "2027-09-26\n2027-10-09",
}


@pytest.fixture(autouse=True)
def _complete(monkeypatch):
    monkeypatch.setattr(checks, "submission_errors", lambda *a, **k: [])
    workdays.clear_cache()
    yield
    workdays.clear_cache()


def at(day: dt.date, hour: int = 10) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, tzinfo=SH)


def submit(user, institution, day: dt.date) -> FilingApplication:
    app = services.filing_start(
        acting_user=user, institution=institution, kind=FilingApplication.Kind.INITIAL
    )
    fill(user, app)
    services.filing_submit(acting_user=user, application=app, commitment_accepted=True, at=at(day))
    app.refresh_from_db()
    return app


def test_p_fil_2_receipt_due_on_the_5th_working_day_2024_example(
    client, institution_user, institution, health_user, on_2026_12_01
):
    """Materials complete Fri 2024-09-27 → receipt due Thu 2024-10-10 (not Fri 10-04, a
    holiday a Monday–Friday count gives); the not-accepted notice due 2024-10-23."""
    app = submit(institution_user, institution, D(2024, 9, 27))
    assert app.materials_complete_on == D(2024, 9, 27)
    assert app.receipt_due_on == D(2024, 10, 10)
    assert app.notice_due_on == D(2024, 10, 23)
    assert app.deadline_unknown_year is None
    event = AuditEvent.objects.get(action="filings.application.submitted", object_id=str(app.pk))
    assert event.detail["receipt_due_on"] == "2024-10-10"
    client.force_login(health_user)
    html = client.get(reverse("filings:detail", args=[app.pk])).content.decode()
    assert "备案回执 2024-10-10 前" in html and "不予备案告知 2024-10-23 前" in html
    # today (pinned) is 2026-12-01: long overdue, counted in working days
    overdue_by = workdays.working_days_between(D(2024, 10, 10), D(2026, 12, 1))
    assert f'data-state="overdue" data-overdue-by="{overdue_by}"' in html


def test_p_fil_2_the_filing_api_gives_the_deadlines(api_client, institution_user, institution):
    submit(institution_user, institution, D(2024, 9, 27))
    body = api_client(institution_user).get(f"/api/v1/filings/institutions/{institution.uscc}")
    current = body.json()["open_application"]
    assert current["materials_complete_on"] == "2024-09-27"
    assert (current["receipt_due_on"], current["notice_due_on"]) == ("2024-10-10", "2024-10-23")
    assert current["deadline_unknown_year"] is None


def test_p_fil_2_a_resubmission_restarts_the_clock(institution_user, institution, reviewers):
    app = submit(institution_user, institution, D(2024, 9, 27))
    fire = SubjectReview.objects.get(application=app, subject="fire")
    services.subject_review_decide(
        acting_user=reviewers["fire"], review=fire, approve=False, reasons=["灭火器过期"]
    )
    app.refresh_from_db()
    assert app.status == "returned"
    services.filing_submit(
        acting_user=institution_user,
        application=app,
        commitment_accepted=True,
        at=at(D(2024, 10, 14)),
    )
    app.refresh_from_db()
    assert app.materials_complete_on == D(2024, 10, 14)
    assert app.receipt_due_on == D(2024, 10, 21)


def test_p_fil_2_2027_deadline_unknown_until_the_notice_then_recomputed(
    client,
    institution_user,
    institution,
    make_institution,
    make_user,
    health_user,
    system_user,
    on_2026_12_01,
):
    """Today is 2026-12-01 and chinese-calendar stops at 2026: deadlines running into 2027
    are "期限待定", never guessed; entering the 2027 notice recomputes them."""
    late = submit(institution_user, institution, D(2026, 12, 30))
    assert late.receipt_due_on is None and late.notice_due_on is None
    assert late.deadline_unknown_year == 2027
    other = make_institution(name="金东区某某二号托育有限公司")
    other_user = make_user("jigou2", institution=other)
    half = submit(other_user, other, D(2026, 12, 24))
    assert half.receipt_due_on == D(2026, 12, 31)  # inside 2026: known
    assert half.notice_due_on is None and half.deadline_unknown_year == 2027
    client.force_login(health_user)
    html = client.get(reverse("filings:detail", args=[late.pk])).content.decode()
    assert "2027 年节假日安排未录入，期限待定" in html
    assert 'data-state="unknown"' in html
    home = client.get(reverse("web:home")).content.decode()
    assert 'data-unknown="2"' in home

    holiday_notice_save(acting_user=system_user, **NOTICE_2027)
    late.refresh_from_db()
    half.refresh_from_db()
    # 12-31, then 01-04..01-07 (01-01..01-03 off)
    assert (late.receipt_due_on, late.deadline_unknown_year) == (D(2027, 1, 7), None)
    assert late.notice_due_on == D(2027, 1, 21)
    # a Monday–Friday count would end on 01-14; the holiday moves it to 01-15
    assert half.notice_due_on == D(2027, 1, 15) and half.deadline_unknown_year is None
    event = AuditEvent.objects.get(action="filings.application.deadlines_recomputed")
    assert event.detail["year"] == 2027 and event.detail["bulk"]["count"] == 2
    html = client.get(reverse("filings:detail", args=[late.pk])).content.decode()
    assert "期限待定" not in html and "备案回执 2027-01-07 前" in html


def test_p_fil_2_queue_waits_in_working_days_and_flags_overdue(
    client,
    institution_user,
    institution,
    make_institution,
    make_user,
    fire_user,
    health_user,
    on_2026_12_01,
):
    old = submit(institution_user, institution, D(2024, 9, 27))
    other = make_institution(name="金东区某某三号托育有限公司")
    fresh = submit(make_user("jigou3", institution=other), other, D(2026, 12, 1))
    client.force_login(fire_user)
    html = client.get(reverse("filings:queue")).content.decode()
    rows = re.findall(
        r'<tr data-subject="fire" data-overdue="(\w+)".*?data-testid="waited">(\d+)<', html, re.S
    )
    waited = workdays.working_days_between(D(2024, 9, 27), D(2026, 12, 1))
    calendar_days = (D(2026, 12, 1) - D(2024, 9, 27)).days
    assert rows == [("true", str(waited)), ("false", "0")]
    assert waited < calendar_days
    assert "已等待（工作日）" in html
    # 区卫健局's home counts the overdue application
    client.force_login(health_user)
    home = client.get(reverse("web:home")).content.decode()
    assert 'data-testid="deadlines-card" data-overdue="1"' in home
    assert old.pk != fresh.pk


def test_p_fil_2_queue_queries_do_not_grow_with_rows(
    client,
    institution_user,
    institution,
    make_institution,
    make_user,
    health_user,
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    submit(institution_user, institution, D(2024, 9, 27))
    client.force_login(health_user)
    with CaptureQueriesContext(connection) as one:
        client.get(reverse("filings:queue"))
    for i in range(3):
        other = make_institution(name=f"金东区某某{i}号托育有限公司")
        submit(make_user(f"jigou-q{i}", institution=other), other, D(2024, 9, 27))
    with CaptureQueriesContext(connection) as four:
        client.get(reverse("filings:queue"))
    holiday_queries = [q for q in four.captured_queries if "regions_holidaynotice" in q["sql"]]
    assert len(holiday_queries) == 1
    assert len(four.captured_queries) == len(one.captured_queries)


# --- 不予备案 and its publication -------------------------------------------------------------


def test_p_fil_2_rejection_needs_a_category_and_is_published_without_personal_data(
    client, submitted, reviewers, institution
):
    app = approve_all(submitted, reviewers)
    with pytest.raises(DomainError) as caught:
        services.filing_decide(
            acting_user=reviewers["health"], application=app, approve=False, note="楼层不符"
        )
    assert caught.value.code == "rejection_category_required"
    assert caught.value.errors[0].field == "rejection_category"
    with pytest.raises(DomainError) as caught:
        services.filing_decide(
            acting_user=reviewers["health"],
            application=app,
            approve=False,
            note="楼层不符",
            rejection_category="nonsense",
        )
    assert caught.value.code == "invalid_choice"
    services.filing_decide(
        acting_user=reviewers["health"],
        application=app,
        approve=False,
        note="生活用房设在四层，联系人王某电话13800000000",
        rejection_category="premises",
    )
    app.refresh_from_db()
    assert app.rejection_category == "premises"
    event = AuditEvent.objects.get(action="filings.application.rejected")
    assert event.detail["rejection_category"] == "premises"
    # the public page: no login
    client.logout()
    listing = client.get(reverse("public:institutions")).content.decode()
    assert reverse("filings:rejections") in listing
    response = client.get(reverse("filings:rejections"))
    assert response.status_code == 200
    html = response.content.decode()
    assert institution.name in html and "场地不符合设置标准" in html
    assert app.decided_at.astimezone(SH).strftime("%Y-%m-%d") in html
    for private in ("王某", "13800000000", "生活用房设在四层", institution.uscc):
        assert private not in html


def test_p_fil_2_decide_form_sends_the_category(client, submitted, reviewers):
    app = approve_all(submitted, reviewers)
    client.force_login(reviewers["health"])
    page = client.get(reverse("filings:detail", args=[app.pk])).content.decode()
    assert 'name="rejection_category"' in page and "人员配备不符合要求" in page
    url = reverse("filings:decide", args=[app.pk])
    client.post(url, {"decision": "reject", "note": "无保健观察室"})
    app.refresh_from_db()
    assert app.status == "awaiting_decision"
    client.post(
        url,
        {
            "decision": "reject",
            "note": "无保健观察室",
            "rejection_category": "health_care",
            "confirmed": "1",
        },
    )
    app.refresh_from_db()
    assert (app.status, app.rejection_category) == ("rejected", "health_care")


def test_public_rejections_are_paginated_newest_first(client, institution):
    from django.utils import timezone

    base = timezone.now()
    for i in range(25):
        FilingApplication.objects.create(
            institution=institution,
            kind="initial",
            status="rejected",
            decided_at=base - dt.timedelta(days=i),
            rejection_category="other",
        )
    # a rejected cancellation request is no filing not accepted: not published
    FilingApplication.objects.create(
        institution=institution, kind="cancellation", status="rejected", decided_at=base
    )
    first = client.get(reverse("filings:rejections")).content.decode()
    assert first.count('data-category="other"') == 20
    assert "共 25 条" in first
    second = client.get(reverse("filings:rejections") + "?page=2").content.decode()
    assert second.count('data-category="other"') == 5
