"""Fixtures of the jobs tests: throw-away jobs in the registry (role users come from the
root conftest)."""

from __future__ import annotations

import pytest

from tuoyu.core import jobs as registry


@pytest.fixture
def temp_jobs():
    """`temp_jobs.periodic(name, func, **kw)` / `temp_jobs.once(name, func, **kw)` register
    jobs for one test; they are removed afterwards."""
    names: list[str] = []

    class Registrar:
        def periodic(self, name, func, *, schedule="daily", at="02:00", title="测试任务", **kw):
            registry.periodic_job(name, schedule=schedule, at=at, title=title, **kw)(func)
            names.append(name)
            return registry.get_job(name)

        def once(self, name, func, *, title="测试长任务", **kw):
            registry.job(name, title=title, **kw)(func)
            names.append(name)
            return registry.get_job(name)

    yield Registrar()
    for name in names:
        registry.unregister(name)
