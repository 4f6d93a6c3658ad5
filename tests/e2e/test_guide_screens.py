"""The user guide's screenshots, taken in Chromium from the demo data ([accounts-ux] point
11). `make guide` runs this with TUOYU_GUIDE_OUT=docs/guide/img and so regenerates the
guide's images; under `make test` it writes into a temporary folder only (the tests never
write into docs/), which proves every shot of `guide_shots.SHOTS` can still be taken.
"""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest
from django.core.management import call_command

from tests.e2e.conftest import login
from tests.e2e.guide_shots import DEMO_PASSWORD, SHOTS, VIEWPORT, role_of

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_guide_screenshots(browser, live_server, settings, tmp_path):
    settings.TUOYU_PUBLIC_BASE_URL = live_server.url
    out = Path(os.environ.get("TUOYU_GUIDE_OUT") or tmp_path)
    out.mkdir(parents=True, exist_ok=True)
    call_command("seed", "--scale", "district", "--seed", "1", "--quiet", stdout=io.StringIO())
    by_role: dict[str | None, list] = {}
    for shot in SHOTS:
        by_role.setdefault(role_of(shot), []).append(shot)
    taken = []
    for role, shots in by_role.items():
        context = browser.new_context(locale="zh-CN", base_url=live_server.url, viewport=VIEWPORT)
        page = context.new_page()
        page.set_default_timeout(30_000)
        if role:
            login(page, role, DEMO_PASSWORD)
            page.get_by_test_id("current-user").wait_for()
        for shot in shots:
            response = page.goto(shot.url())
            assert response.status == 200, (shot.name, shot.url(), response.status)
            page.wait_for_load_state("networkidle")
            path = out / f"{shot.name}.png"
            page.screenshot(path=str(path), full_page=shot.full_page)
            taken.append(path)
        context.close()
    assert all(p.stat().st_size > 5_000 for p in taken)
    assert {p.stem for p in taken} == {s.name for s in SHOTS}
