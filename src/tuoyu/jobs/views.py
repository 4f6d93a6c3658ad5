from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from tuoyu.jobs.models import JobRun
from tuoyu.jobs.selectors import (
    RunFilters,
    job_choices,
    job_run_get,
    job_runs_list,
    periodic_jobs_overview,
    run_display,
)
from tuoyu.jobs.services import job_run_enqueue
from tuoyu.web.tables import paginate


@login_required
@require_GET
def run_list(request):
    if not request.user.has_perm("jobs.view_runs"):
        raise PermissionDenied
    filters = RunFilters.from_query(request.GET)
    page = paginate(request, job_runs_list(acting_user=request.user, filters=filters))
    titles = dict(job_choices())
    for run in page:
        run.title = titles.get(run.job_name, run.job_name)
    return render(
        request,
        "jobs/runs.html",
        {
            "page": page,
            "filters": filters,
            "jobs": periodic_jobs_overview(acting_user=request.user),
            "job_choices": job_choices(),
            "statuses": JobRun.Status.choices,
            "can_run_now": request.user.has_perm("jobs.run_now"),
        },
    )


def _run_context(request, pk: int) -> dict:
    run = job_run_get(acting_user=request.user, pk=pk)
    return {"run": run, **run_display(run)}


@login_required
@require_GET
def run_detail(request, pk: int):
    return render(request, "jobs/run_detail.html", _run_context(request, pk))


@login_required
@require_GET
def run_progress(request, pk: int):
    """The run's status fragment, polled by htmx every 2 s while the run is active."""
    return render(request, "jobs/_run_status.html", _run_context(request, pk))


@login_required
@require_POST
def run_now(request, name: str):
    outcome = job_run_enqueue(acting_user=request.user, name=name)
    if outcome.queued:
        messages.success(request, _("已加入队列，后台工作进程将立即运行"))
    else:
        messages.info(request, _("该任务本周期的运行已在排队或正在运行"))
    return redirect("jobs:run", pk=outcome.run.pk)
