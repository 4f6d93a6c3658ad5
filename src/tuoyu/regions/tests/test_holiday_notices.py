"""P-FIL-2: the district enters a year's State Council holiday notice as data — on a page
for platform operators (system staff) or with `tuoyu holiday_notice_load` — validated,
audited, and at once what the working-day calendar uses."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from tuoyu.audit.models import AuditEvent
from tuoyu.core.errors import DomainError
from tuoyu.regions import workdays
from tuoyu.regions.models import HolidayNotice
from tuoyu.regions.services import holiday_notice_save

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
def _fresh_calendar():
    workdays.clear_cache()
    yield
    workdays.clear_cache()


def codes(exc: DomainError) -> set[tuple[str, str]]:
    return {(str(e.code), e.field) for e in exc.errors}


@pytest.mark.django_db
def test_p_fil_2_entering_the_2027_notice_makes_2027_computable(system_user):
    with pytest.raises(workdays.NoHolidayNotice):
        workdays.working_days_after(D(2027, 9, 30), 1)
    result = holiday_notice_save(acting_user=system_user, **NOTICE_2027)
    assert result.created
    notice = HolidayNotice.objects.get(year=2027)
    assert len(notice.holidays) == 10 and notice.makeup_workdays == ["2027-09-26", "2027-10-09"]
    assert notice.entered_by == system_user.username
    # Thu 09-30 → next working day is Sat 10-09 (make-up), not Mon 10-04 or Fri 10-08
    assert workdays.working_days_after(D(2027, 9, 30), 1) == D(2027, 10, 8)
    assert workdays.working_days_after(D(2027, 10, 8), 1) == D(2027, 10, 9)
    event = AuditEvent.objects.get(action="regions.holiday_notice.saved")
    assert event.detail["year"] == 2027 and event.detail["replaced"] is False
    # replacing keeps one row per year and records what changed
    holiday_notice_save(acting_user=system_user, **{**NOTICE_2027, "makeup_workdays": ""})
    assert HolidayNotice.objects.count() == 1
    assert not workdays.is_working_day(D(2027, 10, 9))
    replaced = AuditEvent.objects.filter(action="regions.holiday_notice.saved").order_by("seq")
    assert replaced.count() == 2 and "makeup_workdays" in replaced.last().changes


@pytest.mark.django_db
def test_bad_notices_are_refused_with_every_error(system_user):
    with pytest.raises(DomainError) as caught:
        holiday_notice_save(
            acting_user=system_user,
            year=2027,
            title="",
            document_number="",
            published_on="2026-13-01",
            holidays="2026-10-01\n不是日期",
            makeup_workdays="2027-10-04\n2027-10-09",
        )
    got = codes(caught.value)
    assert ("required", "title") in got and ("required", "document_number") in got
    assert ("holiday_date_invalid", "published_on") in got
    assert ("holiday_date_outside_year", "holidays") in got
    assert ("holiday_date_invalid", "holidays") in got
    assert ("makeup_not_weekend", "makeup_workdays") in got  # 2027-10-04 is a Monday
    assert not HolidayNotice.objects.exists()
    with pytest.raises(DomainError) as caught:
        holiday_notice_save(acting_user=system_user, **{**NOTICE_2027, "holidays": ""})
    assert ("holidays_empty", "holidays") in codes(caught.value)
    with pytest.raises(DomainError) as caught:
        holiday_notice_save(
            acting_user=system_user, **{**NOTICE_2027, "makeup_workdays": "2027-10-02"}
        )
    assert ("holiday_date_conflict", "makeup_workdays") in codes(caught.value)
    with pytest.raises(DomainError) as caught:
        holiday_notice_save(acting_user=system_user, **{**NOTICE_2027, "year": 1999})
    assert ("year_out_of_range", "year") in codes(caught.value)
    assert not AuditEvent.objects.filter(action="regions.holiday_notice.saved").exists()


@pytest.mark.django_db
def test_only_system_staff_may_enter_a_notice(health_user):
    with pytest.raises(DomainError) as caught:
        holiday_notice_save(acting_user=health_user, **NOTICE_2027)
    assert caught.value.status == 403


@pytest.mark.django_db
def test_calendar_page_is_for_system_staff_only(
    client, system_user, health_user, institution_user, township_user, on_2026_12_01
):
    url = reverse("regions:holidays")
    edit = reverse("regions:holiday_edit", args=[2027])
    for user in (health_user, institution_user, township_user):
        client.force_login(user)
        assert client.get(url).status_code == 403
        assert client.post(edit, NOTICE_2027).status_code == 403
    assert not HolidayNotice.objects.exists()
    client.logout()
    assert client.get(url).status_code == 302  # to the login page
    client.force_login(system_user)
    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    # today (pinned) is 2026-12-01: the loud warning, and 2027 listed as not covered
    assert "尚未录入 2027 年节假日安排通知，2027 年的办理期限无法计算" in html
    assert 'data-year="2027" data-source="none"' in html
    assert 'data-year="2026" data-source="package"' in html


@pytest.mark.django_db
def test_calendar_page_enters_and_shows_a_notice(client, system_user, on_2026_12_01):
    client.force_login(system_user)
    edit = reverse("regions:holiday_edit", args=[2027])
    bad = client.post(edit, {**NOTICE_2027, "makeup_workdays": "2027-10-04"})
    assert bad.status_code == 422
    assert 'data-code="makeup_not_weekend"' in bad.content.decode()
    response = client.post(edit, NOTICE_2027)
    assert response.status_code == 302
    page = client.get(reverse("regions:holidays")).content.decode()
    assert 'data-year="2027" data-source="notice"' in page
    assert "国办发明电〔2026〕7号" in page
    assert "尚未录入 2027 年" not in page
    assert AuditEvent.objects.filter(
        action="regions.holiday_notice.saved", actor_username=system_user.username
    ).exists()
    # the form shows the entered notice for replacement
    assert "2027-10-07" in client.get(edit).content.decode()


@pytest.mark.django_db
def test_home_warns_health_bureau_and_operators_in_december(
    client, health_user, system_user, fire_user, on_2026_12_01
):
    for user, shown in ((health_user, True), (system_user, True), (fire_user, False)):
        client.force_login(user)
        html = client.get(reverse("web:home")).content.decode()
        assert ('data-testid="holiday-notice-missing"' in html) is shown, user
    holiday_notice_save(acting_user=system_user, **NOTICE_2027)
    client.force_login(health_user)
    assert (
        'data-testid="holiday-notice-missing"'
        not in client.get(reverse("web:home")).content.decode()
    )


@pytest.mark.django_db
def test_holiday_notice_load_command(tmp_path, capsys):
    path = tmp_path / "2027.yaml"
    path.write_text(
        "year: 2027\n"
        "title: 国务院办公厅关于2027年部分节假日安排的通知\n"
        "document_number: 国办发明电〔2026〕7号\n"
        "published_on: 2026-11-12\n"
        "holidays:\n  - 2027-01-01\n  - 2027-10-01..2027-10-07\n"
        "makeup_workdays:\n  - 2027-09-26\n",
        "utf-8",
    )
    call_command("holiday_notice_load", str(path))
    notice = HolidayNotice.objects.get(year=2027)
    assert len(notice.holidays) == 8 and notice.entered_by == ""
    assert "已录入 2027 年" in capsys.readouterr().out
    event = AuditEvent.objects.get(action="regions.holiday_notice.saved")
    assert event.detail["source"] == "command"
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "year: 2027\ntitle: x\ndocument_number: y\npublished_on: 2026-11-12\n"
        "holidays: [2027-10-04]\nmakeup_workdays: [2027-10-05]\n",
        "utf-8",
    )
    with pytest.raises(CommandError) as caught:
        call_command("holiday_notice_load", str(bad))
    assert "调休上班日 2027-10-05 不是周六或周日" in str(caught.value)


@pytest.mark.django_db(transaction=True)
def test_a_cached_calendar_is_dropped_on_write(system_user):
    """Outside a transaction the calendar is cached per process; entering a notice drops
    it at once (no stale calendar)."""
    with pytest.raises(workdays.NoHolidayNotice):
        workdays.is_working_day(D(2027, 1, 4))
    assert workdays._cached is not None
    holiday_notice_save(acting_user=system_user, **NOTICE_2027)
    assert workdays.is_working_day(D(2027, 1, 4))
