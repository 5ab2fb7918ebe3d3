"""Headless Chromium (Debian's package) driven by Playwright against pytest-django's live server."""

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
HAVE_CHROMIUM = Path(CHROMIUM).exists()
# CI sets CMETRACK_REQUIRE_BROWSER so that a missing browser fails loudly instead of skipping.
if not HAVE_CHROMIUM and os.environ.get("CMETRACK_REQUIRE_BROWSER"):
    raise RuntimeError("Browser tests need Debian's chromium package: apt-get install chromium")


# Playwright's sync API runs an event loop in this thread; the ORM calls in these tests are
# ordinary synchronous set-up and teardown, so Django's async-safety guard does not apply.
# (The deployment-check test removes it from the environment of the process it starts.)
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

SCREENSHOTS = os.environ.get("CMETRACK_SCREENSHOTS")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/browser" in str(item.fspath):
            item.add_marker(pytest.mark.browser)
            if not HAVE_CHROMIUM:
                item.add_marker(pytest.mark.skipif(True, reason="chromium is not installed"))


@pytest.fixture(scope="session")
def browser() -> Iterator["Browser"]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser: "Browser") -> Iterator["Page"]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    yield page
    context.close()


def screenshot(page: "Page", name: str) -> None:
    """Full-page PNG into $CMETRACK_SCREENSHOTS when set (`make screenshots`)."""
    if SCREENSHOTS:
        Path(SCREENSHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SCREENSHOTS) / f"{name}.png"), full_page=True)


# The password every factory-made user has (cmetrack.testing.factories.UserFactory).
PASSWORD = "a-long-test-password"


def sign_in(page: "Page", base: str, username: str, next_url: str) -> None:
    page.goto(f"{base}/account/sign-in/?next={next_url}")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"


def axe_violations(page: "Page") -> list[str]:
    """axe-core's WCAG 2.x A/AA failures on the page as it stands, one line each.

    Evaluated through the DevTools protocol, so the page's Content Security Policy (no inline
    scripts) does not stop it, and nothing of axe is served by the application.
    """
    found = page.evaluate(
        AXE.read_text()
        + """;
        axe.run(document, {runOnly: {type: "tag",
                values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]}})
           .then(result => result.violations.map(v =>
               v.id + " (" + v.impact + "): " + v.nodes.map(n => n.target.join(" ")).join(", ")))
        """
    )
    return list(found)
