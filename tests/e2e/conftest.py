"""Shared helpers for browser tests (Playwright `page` + pytest-django `live_server`)."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect


def login(page: Page, live_server, email: str, password: str, *, remember: bool = False) -> None:
    """Log in through the login form and wait until the browser has left the login page."""
    page.goto(live_server.url + "/login/")
    page.fill("#id_username", email)
    page.fill("#id_password", password)
    if remember:
        page.check("#id_remember_me")
    page.click("main form button[type=submit]")
    expect(page).not_to_have_url(re.compile(r"/login/"))


def logout(page: Page) -> None:
    page.click("#user-menu")
    page.click("[data-testid=logout]")
    expect(page).to_have_url(re.compile(r"/login/"))


AXE = Path(__file__).parent / "vendor" / "axe-core-4.14.1" / "axe.min.js"
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def assert_accessible(page: Page) -> None:
    """Run axe-core (vendored) on the current page; fail on any WCAG 2.1 A/AA violation.

    Evaluated through the DevTools protocol, so the page's Content-Security-Policy does not block it.
    """
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(AXE.read_text(encoding="utf-8"))
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
        WCAG_21_AA,
    )
    problems = [
        f"{v['id']} ({v['impact']}): {v['help']} — "
        + "; ".join(
            " ".join(node["target"]) if isinstance(node["target"], list) else str(node["target"])
            for node in v["nodes"][:5]
        )
        for v in result["violations"]
    ]
    assert not problems, f"axe-core found WCAG 2.1 AA violations on {page.url}:\n" + "\n".join(problems)


@pytest.fixture(autouse=True)
def _no_content_security_policy_violations(request):
    """Every browser test also proves that its pages run under the Content-Security-Policy:
    Chromium reports each blocked inline script, style or handler on the console."""
    if "page" not in request.fixturenames:
        yield
        return
    page = request.getfixturevalue("page")
    violations = []
    page.on(
        "console",
        lambda message: violations.append(message.text) if "Content Security Policy" in message.text else None,
    )
    pending = set()
    page.on("request", lambda r: pending.add(r))
    page.on("requestfinished", lambda r: pending.discard(r))
    page.on("requestfailed", lambda r: pending.discard(r))
    yield
    # Lazy panels and search suggestions are requests of their own, sent after the page loaded: the
    # live server must have answered them before the test's database is flushed, or the flush and a
    # late query deadlock.
    for _ in range(100):
        if not pending or page.is_closed():
            break
        page.wait_for_timeout(50)
    assert not violations, "blocked by the Content-Security-Policy:\n" + "\n".join(violations)
