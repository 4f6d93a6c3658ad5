"""[accounts-ux] point 10, in Chromium at 390×844 (a phone): the logged-in navigation is
folded away behind a toggler (it filled the first screen), the page's own content shows in
the first screen, and the navigation opens and works. A wide screen keeps the sidebar."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import login

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


def test_phone_navigation_is_folded_until_opened(page, health_user):
    page.set_viewport_size(PHONE)
    login(page, "weijian", "pass-word-2020")
    page.wait_for_url("**/")
    sidebar = page.get_by_test_id("sidebar")
    assert not sidebar.is_visible()
    heading = page.locator("main h1")
    box = heading.bounding_box()
    assert heading.is_visible() and box is not None
    assert box["y"] + box["height"] <= PHONE["height"], box  # in the first screen
    # the page is no wider than the phone (nothing pushes it sideways)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.screenshot(path="test-results/phone-home.png")

    page.get_by_test_id("nav-toggler").click()
    sidebar.get_by_role("link", name="审计日志").wait_for(state="visible")
    page.locator("#sidebar.show:not(.showing)").wait_for()  # slid in
    page.screenshot(path="test-results/phone-navigation.png")
    sidebar.get_by_role("link", name="审计日志").click()
    page.wait_for_url("**/audit/")
    assert not page.get_by_test_id("sidebar").is_visible()


def test_wide_screen_keeps_the_sidebar(page, health_user):
    page.set_viewport_size({"width": 1280, "height": 800})
    login(page, "weijian", "pass-word-2020")
    page.wait_for_url("**/")
    assert page.get_by_test_id("sidebar").get_by_role("link", name="审计日志").is_visible()
    assert not page.get_by_test_id("nav-toggler").is_visible()
