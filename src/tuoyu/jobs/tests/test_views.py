"""The runs page of 区卫健局: visibility per role, filters and pagination, "立即运行" with
its audit event, and the progress fragment polled by htmx."""

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from tuoyu.audit.models import AuditEvent
from tuoyu.jobs.models import JobRun
from tuoyu.jobs.runner import execute_run
from tuoyu.jobs.services import job_enqueue

PASSWORD = "pass-word-2020"


@pytest.fixture
def login(client):
    def as_user(user):
        client.force_login(user)
        return client

    return as_user


@pytest.fixture
def sample_job(temp_jobs):
    def job(run):
        run.count("seen", 7)
        run.set_result("names", ["金东区甲托育园", "金东区乙托育园"])

    return temp_jobs.periodic(
        "tests.sample", job, title="测试定时任务", labels={"seen": "检查机构数", "names": "名单"}
    )


def make_runs(n, *, job="tests.sample", status="succeeded"):
    now = timezone.now()
    JobRun.objects.bulk_create(
        JobRun(
            job_name=job,
            period_key=f"2024-{i:04d}",
            day=dt.date(2024, 1, 1),
            trigger="schedule",
            status=status,
            enqueued_at=now - dt.timedelta(minutes=i),
        )
        for i in range(n)
    )


@pytest.mark.django_db
def test_health_bureau_sees_the_runs_newest_first(login, health_user, sample_job):
    make_runs(3)
    response = login(health_user).get(reverse("jobs:runs"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "后台任务" in html and "测试定时任务" in html and "立即运行" in html
    keys = re.findall(r"<code>(2024-\d{4})</code>", html)
    assert keys == ["2024-0000", "2024-0001", "2024-0002"]


@pytest.mark.django_db
def test_runs_are_filtered_by_job_and_outcome_and_paginated(login, health_user, sample_job):
    make_runs(25)
    make_runs(2, status="failed", job="institutions.unfiled_reminders")
    client = login(health_user)
    html = client.get(reverse("jobs:runs"), {"status": "failed"}).content.decode()
    assert len(re.findall(r"<code>2024-\d{4}</code>", html)) == 2
    html = client.get(reverse("jobs:runs"), {"job": "tests.sample", "per_page": 20}).content
    assert len(re.findall(rb"<code>2024-\d{4}</code>", html)) == 20
    page2 = client.get(reverse("jobs:runs"), {"job": "tests.sample", "per_page": 20, "page": 2})
    assert len(re.findall(rb"<code>2024-\d{4}</code>", page2.content)) == 5
    assert "共 25 条" in page2.content.decode()


@pytest.mark.django_db
def test_the_platform_operator_sees_runs_but_cannot_run_now(login, system_user, sample_job):
    make_runs(1)
    client = login(system_user)
    response = client.get(reverse("jobs:runs"))
    assert response.status_code == 200 and "立即运行" not in response.content.decode()
    response = client.post(reverse("jobs:run_now", args=["tests.sample"]))
    assert response.status_code == 403
    assert not JobRun.objects.filter(trigger="manual").exists()


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["institution_user", "finance_user"])
def test_other_roles_get_403_for_the_list_and_404_for_a_run(request, login, role, sample_job):
    client = login(request.getfixturevalue(role))
    run_id = job_enqueue("tests.sample")
    assert client.get(reverse("jobs:runs")).status_code == 403
    assert client.get(reverse("jobs:run", args=[run_id])).status_code == 404
    assert client.get(reverse("jobs:run_progress", args=[run_id])).status_code == 404
    assert client.post(reverse("jobs:run_now", args=["tests.sample"])).status_code == 403


@pytest.mark.django_db
def test_anonymous_is_sent_to_login(client):
    response = client.get(reverse("jobs:runs"))
    assert response.status_code == 302


@pytest.mark.django_db
def test_run_now_enqueues_the_current_period_and_is_audited(login, health_user, sample_job):
    client = login(health_user)
    response = client.post(reverse("jobs:run_now", args=["tests.sample"]), follow=True)
    run = JobRun.objects.get(job_name="tests.sample")
    assert response.redirect_chain[-1][0] == reverse("jobs:run", args=[run.pk])
    assert run.status == JobRun.Status.QUEUED and run.trigger == JobRun.Trigger.MANUAL
    assert run.requested_by == health_user
    assert run.period_key == timezone.localdate().isoformat()
    assert "已加入队列" in response.content.decode()

    # a second click while it waits queues nothing, but is audited too
    response = client.post(reverse("jobs:run_now", args=["tests.sample"]), follow=True)
    assert "已在排队或正在运行" in response.content.decode()
    assert JobRun.objects.filter(job_name="tests.sample").count() == 1
    events = AuditEvent.objects.filter(action="jobs.run.enqueue").order_by("id")
    assert [(e.object_type, e.object_id, e.detail["queued"]) for e in events] == [
        ("jobs.jobrun", str(run.pk), True),
        ("jobs.jobrun", str(run.pk), False),
    ]
    assert events[0].actor_username == "weijian"

    # once it ran, "立即运行" recomputes the same record
    execute_run(run.pk)
    client.post(reverse("jobs:run_now", args=["tests.sample"]))
    run.refresh_from_db()
    assert run.status == JobRun.Status.QUEUED and run.counts == {}
    assert JobRun.objects.filter(job_name="tests.sample").count() == 1


@pytest.mark.django_db
def test_run_now_of_an_unknown_job_is_404(login, health_user):
    response = login(health_user).post(reverse("jobs:run_now", args=["tests.nothing"]))
    assert response.status_code == 404


@pytest.mark.django_db
def test_the_progress_fragment_polls_while_active_and_stops_when_done(
    login, health_user, sample_job
):
    client = login(health_user)
    run_id = job_enqueue("tests.sample")
    fragment_url = reverse("jobs:run_progress", args=[run_id])

    page = client.get(reverse("jobs:run", args=[run_id])).content.decode()
    assert f'hx-get="{fragment_url}"' in page and 'hx-trigger="every 2s"' in page
    assert "等待后台工作进程处理" in page

    JobRun.objects.filter(pk=run_id).update(status="running", progress_done=3, progress_total=8)
    fragment = client.get(fragment_url, HTTP_HX_REQUEST="true").content.decode()
    assert fragment.lstrip().startswith('<div id="run-status"')
    assert "<html" not in fragment
    assert "已完成 3 / 8（38%）" in fragment and 'hx-trigger="every 2s"' in fragment

    JobRun.objects.filter(pk=run_id).update(status="queued")
    execute_run(run_id)
    fragment = client.get(fragment_url, HTTP_HX_REQUEST="true").content.decode()
    assert "hx-trigger" not in fragment  # finished: polling stops
    assert "成功" in fragment
    assert "检查机构数" in fragment and ">7<" in fragment
    assert "金东区乙托育园" in fragment


@pytest.mark.django_db
def test_whoever_started_a_one_off_job_sees_its_run(login, institution_user, temp_jobs):
    from tuoyu.core.jobs import enqueue_job

    temp_jobs.once("tests.report", lambda run: run.set_progress(1, 1), title="机构报表")
    mine = enqueue_job("tests.report", actor=institution_user)
    other = enqueue_job("tests.report")
    client = login(institution_user)
    assert client.get(reverse("jobs:run", args=[mine])).status_code == 200
    assert client.get(reverse("jobs:run", args=[other])).status_code == 404
