from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from tuoyu.audit.models import AuditEvent
from tuoyu.audit.presentation import event_words
from tuoyu.audit.selectors import audit_chain_verify, audit_events
from tuoyu.web.tables import paginate


@login_required
def audit_list(request):
    if not request.user.has_perm("audit.view_log"):
        raise PermissionDenied
    filters = {
        k: request.GET.get(k, "").strip() for k in ("action", "object_type", "actor", "kind")
    }
    page = paginate(request, audit_events(acting_user=request.user, **filters))
    # [accounts-ux] 5: rows as sentences with labelled fields; one query for the names.
    ids = {e.actor_id for e in page if e.actor_id}
    names = dict(get_user_model().objects.filter(pk__in=ids).values_list("pk", "display_name"))
    for event in page:
        event.words = event_words(event, actor_names={k: v for k, v in names.items() if v})
    return render(
        request,
        "audit/list.html",
        {"page": page, "filters": filters, "kinds": AuditEvent.Kind.choices},
    )


@login_required
@require_POST
def audit_verify_view(request):
    if not request.user.has_perm("audit.view_log"):
        raise PermissionDenied
    report = audit_chain_verify()
    if report.ok:
        messages.success(request, f"审计链完整：共校验 {report.checked} 条事件")
    else:
        messages.error(request, f"审计链在序号 {report.broken_seq} 处断裂：{report.reason}")
    return redirect("audit:list")
