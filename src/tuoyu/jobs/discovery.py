"""Import `<app>.jobs` of every installed tuoyu app that has one, so its `@periodic_job` /
`@job` declarations reach the registry in tuoyu.core.jobs (domain apps never import us)."""

from __future__ import annotations

from importlib import import_module

from django.apps import apps
from django.utils.module_loading import module_has_submodule

# core.jobs is the registry itself; tuoyu.jobs is the runner.
SKIP = frozenset({"tuoyu.core", "tuoyu.jobs"})


def autodiscover_jobs() -> list[str]:
    """The job modules imported, e.g. ["tuoyu.institutions.jobs"]. An error in a job module
    is raised: a job that silently vanishes would never run."""
    found = []
    for config in apps.get_app_configs():
        if not config.name.startswith("tuoyu.") or config.name in SKIP:
            continue
        if module_has_submodule(config.module, "jobs"):
            import_module(f"{config.name}.jobs")
            found.append(f"{config.name}.jobs")
    return found
