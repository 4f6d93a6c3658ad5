from tuoyu.regions.branding import branding as _branding


def branding(request) -> dict:
    """The platform's and the authority's names, from the district this installation serves."""
    return _branding()
