"""The policy page: every parameter in force on a date (thin; logic in selectors)."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from tuoyu.policy.selectors import policy_page


@login_required
def policy_show(request):
    page = policy_page(request.GET.get("date"))
    return render(request, "policy/show.html", {"page": page}, status=400 if page.error else 200)
