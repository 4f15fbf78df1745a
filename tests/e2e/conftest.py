"""Headless Chromium (Debian's /usr/bin/chromium) driven by Playwright against a live server."""

import os
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

from tests.factories import PASSWORD
from tests.media.qcluster import Workers

CHROMIUM = "/usr/bin/chromium"
# Screenshots kept past the run (pytest's tmp_path is rotated away).
ARTIFACTS = Path(__file__).resolve().parents[2] / "var" / "test-artifacts" / "e2e"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-quic",
]


@pytest.fixture(scope="package")
def browser():
    # Playwright's sync API runs an event loop in this thread; the fixtures' ORM calls are safe.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()
    del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1360, "height": 900})
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def login(live_server):
    def _login(page, user):
        page.goto(f"{live_server.url}/accounts/login/")
        page.fill("#id_username", user.username)
        page.fill("#id_password", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(f"{live_server.url}/dashboard")

    return _login


@pytest.fixture
def shot():
    """``shot(page_or_locator, "name.png", **options)``: a screenshot kept in ARTIFACTS."""

    def _shot(target, name: str, **options) -> None:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        target.screenshot(path=str(ARTIFACTS / name), **options)

    return _shot


@pytest.fixture
def worker(media_root):
    """A real django-q2 worker running the queued generations (simulated providers)."""
    pool = Workers(media_root=media_root)
    pool.start()
    yield pool
    pool.stop_all()
