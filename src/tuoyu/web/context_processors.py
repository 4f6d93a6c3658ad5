from tuoyu.web.navigation import entries_for


def _active(entries: list[dict], path: str) -> str:
    """The entry whose URL is the longest prefix of the current path: an institution's page
    (/institutions/12/) keeps 托育机构 (/institutions/) highlighted."""
    best = ""
    for entry in entries:
        url = entry["url"]
        if (path == url or (url != "/" and path.startswith(url))) and len(url) > len(best):
            best = url
    return best


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_entries": []}
    entries = entries_for(user)
    return {"nav_entries": entries, "nav_active_url": _active(entries, request.path)}
