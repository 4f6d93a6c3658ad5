"""API routers for institutions, mounted by tuoyu.api."""
