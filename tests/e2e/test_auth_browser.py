"""Lockout and password rules as a person meets them in the browser."""

import pytest
from playwright.sync_api import Page, expect

from tests.conftest import PASSWORD
from tests.e2e.conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _try(page: Page, live_server, email: str, password: str) -> None:
    page.goto(live_server.url + "/login/")
    page.fill("#id_username", email)
    page.fill("#id_password", password)
    page.click("main form button[type=submit]")


def test_five_wrong_passwords_lock_the_account_with_a_clear_message(page: Page, live_server, admin_a):
    for _ in range(5):
        _try(page, live_server, "admin@a.example", "Falsch-Passw0rt!")
    _try(page, live_server, "admin@a.example", PASSWORD)
    locked = page.get_by_test_id("locked-out")
    expect(locked).to_be_visible()
    expect(locked).to_contain_text("15 Minuten")
    expect(page.locator("a[href='/password/reset/']")).to_be_visible()


def test_password_rules_are_shown_on_the_form(page: Page, live_server, admin_a):
    login(page, live_server, "admin@a.example", PASSWORD)
    page.goto(live_server.url + "/password/change/")
    page.fill("#id_old_password", PASSWORD)
    page.fill("#id_new_password1", "sommer2026")
    page.fill("#id_new_password2", "sommer2026")
    page.click("main form button[type=submit]")
    errors = page.locator("#id_new_password2 ~ .invalid-feedback, #error_1_id_new_password2, .invalid-feedback")
    expect(errors.first).to_be_visible()
    text = page.locator("main").inner_text()
    assert "Großbuchstaben" in text
    assert "Sonderzeichen" in text
    assert "zu leicht zu erraten" in text
