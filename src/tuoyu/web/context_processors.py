from tuoyu.web.branding import branding
from tuoyu.web.navigation import entries_for


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_entries": [], **branding()}
    match = getattr(request, "resolver_match", None)
    current = f"{match.namespace}:{match.url_name}" if match and match.namespace else ""
    return {"nav_entries": entries_for(user), "nav_current": current, **branding()}
