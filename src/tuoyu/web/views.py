from django.shortcuts import render

from tuoyu.core.bounds import FILING_NUMBER_MAX_LENGTH, SEARCH_MAX_LENGTH
from tuoyu.web.navigation import cards_for, entries_for


def home(request):
    """`/`: a person's home once logged in; before, the public start page ([accounts-ux]
    point 7): find an institution, check a receipt, the published refusals, and a discreet
    way in for staff."""
    if not request.user.is_authenticated:
        return render(
            request,
            "web/start.html",
            {"q_max_length": SEARCH_MAX_LENGTH, "number_max_length": FILING_NUMBER_MAX_LENGTH},
        )
    entries = [e for e in entries_for(request.user) if e["url_name"] != "web:home"]
    return render(request, "web/home.html", {"entries": entries, "cards": cards_for(request)})
