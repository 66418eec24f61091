"""Shared helpers for browser tests (Playwright `page` + pytest-django `live_server`)."""

import re
from pathlib import Path

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
