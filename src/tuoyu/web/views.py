from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from tuoyu.web.navigation import cards_for, entries_for


@login_required
def home(request):
    entries = [e for e in entries_for(request.user) if e["url_name"] != "web:home"]
    return render(request, "web/home.html", {"entries": entries, "cards": cards_for(request)})
