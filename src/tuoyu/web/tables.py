"""Pagination and list helpers shared by every list page."""

from __future__ import annotations

from django.core.paginator import Paginator

DEFAULT_PAGE_SIZE = 50
PAGE_SIZES = (20, 50, 100)


def paginate(request, queryset, *, per_page: int | None = None):
    """A page of `queryset` from ?page= and ?per_page=; bad numbers fall back to the nearest
    valid page rather than an error page."""
    try:
        size = int(request.GET.get("per_page", per_page or DEFAULT_PAGE_SIZE))
    except ValueError:
        size = DEFAULT_PAGE_SIZE
    if size not in PAGE_SIZES:
        size = per_page or DEFAULT_PAGE_SIZE
    paginator = Paginator(queryset, size)
    page = paginator.get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    page.querystring = query.urlencode()
    return page
