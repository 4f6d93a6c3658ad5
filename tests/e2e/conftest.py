"""Playwright (Python) driving Debian's /usr/bin/chromium; never a browser download."""

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

Path("test-results").mkdir(exist_ok=True)
CHROMIUM = os.environ.get("TUOYU_CHROMIUM", "/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} 不存在：请运行 make browser 安装 Debian 的 chromium 软件包")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(locale="zh-CN", base_url=live_server.url)
    page = context.new_page()
    page.set_default_timeout(30_000)
    yield page
    context.close()


def totp_code(device) -> str:
    """The next code a django-otp TOTPDevice accepts (each code is accepted once)."""
    import time

    from django_otp.oath import TOTP

    device.refresh_from_db()
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    if totp.t() <= device.last_t:
        totp.time += (device.last_t + 1 - totp.t()) * device.step
    return f"{totp.token():0{device.digits}d}"


def login(page, username, password, *, device=None):
    """Log in through the real form; with `device` (a TOTPDevice) also through the
    second-factor page ([hardening] point 5; the suite runs with it off)."""
    page.goto("/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    # /login/ also matches "**/": wait for the page that answers the form instead.
    page.locator('[data-testid="current-user"], [data-testid="login-error"]').first.wait_for()
    if device is not None:
        page.get_by_label("动态验证码或恢复码").fill(totp_code(device))
        with page.expect_navigation():
            page.get_by_role("button", name="验证").click()


def villages_settled(page) -> None:
    """The community select holds the township's villages and htmx is done with it (the
    filing form's village is chosen only then)."""
    expect(page.locator("#f-community option").nth(2)).to_be_attached()
    expect(page.locator("#f-community.htmx-swapping, #f-community.htmx-settling")).to_have_count(0)
    expect(page.locator("#f-township.htmx-request")).to_have_count(0)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """On a failed browser test keep what the person would have seen: a screenshot under
    test-results/ and the page's URL and messages in the report."""
    outcome = yield
    report = outcome.get_result()
    page = item.funcargs.get("page") if hasattr(item, "funcargs") else None
    if report.when != "call" or not report.failed or page is None:
        return
    try:
        page.screenshot(path=f"test-results/FAILED-{item.name}.png", full_page=True)
        alerts = page.locator(".alert").all_inner_texts()
        report.sections.append(("browser", f"URL: {page.url}\nalerts: {alerts}"))
    except Exception as exc:  # the browser may be what failed
        report.sections.append(("browser", f"no screenshot: {exc}"))
