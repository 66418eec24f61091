"""Shared helpers for browser tests (Playwright `page` + pytest-django `live_server`)."""

import re

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
    yield
    assert not violations, "blocked by the Content-Security-Policy:\n" + "\n".join(violations)
