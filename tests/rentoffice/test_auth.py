"""Login, brute-force lockout, password policy, password reset, "remember me" and language switch."""

import pytest
from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.test import Client
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django_scopes import scopes_disabled

from rentoffice.models import OutboundMessage, User
from tests.conftest import PASSWORD, client_for

pytestmark = pytest.mark.django_db

# (password, a fragment of the error the form must show for it)
WEAK_PASSWORDS = [
    ("no-upper-case-1!", "upper-case letter"),
    ("No-Digits-Here!", "digit"),
    ("NoSpecial1234", "special character"),
    ("Sh0rt!Pw", "at least 10 characters"),
    ("Password1!", "too common"),
]


def english_client() -> Client:
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def login(client: Client, email: str, password: str, **extra):
    return client.post(reverse("login"), {"username": email, "password": password, **extra})


def test_login_with_email_and_password(admin_a, org_a):
    client = english_client()
    response = login(client, "admin@a.example", PASSWORD)
    assert response.status_code == 302
    # home sends a member of one organization straight to its dashboard
    response = client.get(response.url, follow=True)
    assert response.redirect_chain[-1][0] == reverse("org_dashboard", kwargs={"org_slug": org_a.slug})
    assert "Overview" in response.content.decode()


def test_login_email_is_case_insensitive(admin_a):
    response = login(english_client(), "Admin@A.Example", PASSWORD)
    assert response.status_code == 302


def test_wrong_password_shows_form_error(admin_a):
    client = english_client()
    response = login(client, "admin@a.example", "Wrong-Passw0rd!")
    assert response.status_code == 200
    assert "The e-mail address or the password is not correct." in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_five_failures_lock_the_account_for_15_minutes(admin_a, staff_a1):
    client = english_client()
    for _ in range(4):
        response = login(client, "admin@a.example", "Wrong-Passw0rd!")
        assert response.status_code == 200
        assert "The e-mail address or the password is not correct." in response.content.decode()
    login(client, "admin@a.example", "Wrong-Passw0rd!")

    response = login(client, "admin@a.example", PASSWORD)  # the right password no longer helps
    assert response.status_code == 429
    assert "registration/locked_out.html" in [t.name for t in response.templates]
    page = response.content.decode()
    assert 'data-testid="locked-out"' in page
    assert "15 minutes" in page
    assert "_auth_user_id" not in client.session

    # A fresh browser (other cookies) is locked out too; spelling the address differently does not help.
    assert login(english_client(), "admin@a.example", PASSWORD).status_code == 429
    assert login(english_client(), "ADMIN@a.example", PASSWORD).status_code == 429

    # Another account is not affected.
    other = english_client()
    assert login(other, "staff1@a.example", PASSWORD).status_code == 302
    assert other.session["_auth_user_id"] == str(staff_a1.pk)


@pytest.mark.parametrize(("password", "error"), WEAK_PASSWORDS)
def test_password_change_enforces_policy(admin_a, password, error):
    client = client_for(admin_a)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": password, "new_password2": password},
    )
    assert response.status_code == 200
    assert error in response.content.decode()
    assert error in " ".join(response.context["form"].errors["new_password2"])
    admin_a.refresh_from_db()
    assert admin_a.check_password(PASSWORD)


def test_password_change_accepts_a_strong_password(admin_a):
    client = client_for(admin_a)
    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": "Sturm+Regen42x", "new_password2": "Sturm+Regen42x"},
    )
    assert response.status_code == 302
    admin_a.refresh_from_db()
    assert admin_a.check_password("Sturm+Regen42x")


def _set_password_url(client: Client, user: User) -> str:
    """Open the e-mailed link; Django moves the token into the session and redirects."""
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    response = client.get(reverse("password_reset_confirm", kwargs={"uidb64": uid, "token": token}))
    assert response.status_code == 302
    return response.url


@pytest.mark.parametrize(("password", "error"), WEAK_PASSWORDS)
def test_set_password_form_enforces_policy(admin_a, password, error):
    client = english_client()
    url = _set_password_url(client, admin_a)
    response = client.post(url, {"new_password1": password, "new_password2": password})
    assert response.status_code == 200
    assert response.context["validlink"]
    assert error in response.content.decode()
    assert error in " ".join(response.context["form"].errors["new_password2"])
    admin_a.refresh_from_db()
    assert admin_a.check_password(PASSWORD)


def test_set_password_with_a_strong_password_lets_the_user_log_in(admin_a):
    client = english_client()
    url = _set_password_url(client, admin_a)
    response = client.post(url, {"new_password1": "Sturm+Regen42x", "new_password2": "Sturm+Regen42x"})
    assert response.status_code == 302
    assert login(english_client(), "admin@a.example", "Sturm+Regen42x").status_code == 302


def test_password_reset_queues_an_email(admin_a):
    response = english_client().post(reverse("password_reset"), {"email": "ADMIN@a.example"})
    assert response.status_code == 302
    with scopes_disabled():  # system e-mails belong to no organization
        message = OutboundMessage.objects.get(template="password_reset")
    assert message.recipient == "admin@a.example"
    assert message.status == OutboundMessage.Status.QUEUED
    assert "/password/reset/" in message.body_text


def test_password_reset_for_unknown_address_queues_nothing_and_looks_the_same(admin_a):
    response = english_client().post(reverse("password_reset"), {"email": "nobody@a.example"})
    assert response.status_code == 302
    assert response.url == reverse("password_reset_done")
    with scopes_disabled():
        assert not OutboundMessage.objects.filter(template="password_reset").exists()


def test_invited_user_without_password_can_request_a_new_link(org_a, admin_a):
    """An invitation link expires after three days; "forgotten password" must still work then."""
    User.objects.create_user("new@a.example", None, full_name="Neu")
    english_client().post(reverse("password_reset"), {"email": "new@a.example"})
    with scopes_disabled():
        assert OutboundMessage.objects.filter(template="password_reset", recipient="new@a.example").exists()


def test_without_remember_me_the_session_ends_with_the_browser(admin_a):
    client = english_client()
    login(client, "admin@a.example", PASSWORD)
    assert client.session.get_expire_at_browser_close() is True


def test_remember_me_keeps_the_session(admin_a):
    client = english_client()
    login(client, "admin@a.example", PASSWORD, remember_me="on")
    assert client.session.get_expire_at_browser_close() is False
    assert client.session.get_expiry_age() == settings.SESSION_COOKIE_AGE


def test_remember_me_is_off_by_default(client):
    response = client.get(reverse("login"))
    field = response.context["form"]["remember_me"]
    assert not field.value()
    assert 'name="remember_me"' in response.content.decode()
    assert "checked" not in str(field)


def test_language_switch_sets_cookie_profile_and_ui_language(admin_a, org_a):
    client = client_for(admin_a)
    dashboard = reverse("org_dashboard", kwargs={"org_slug": org_a.slug})
    assert '<html lang="de">' in client.get(dashboard).content.decode()

    response = client.post(reverse("set_language"), {"language": "en", "next": dashboard})
    assert response.status_code == 302
    assert response.url == dashboard
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    admin_a.refresh_from_db()
    assert admin_a.language == "en"

    page = client.get(dashboard).content.decode()
    assert '<html lang="en">' in page
    assert "Overview" in page

    # The choice travels with the user: a new browser without the cookie gets English after login.
    fresh = Client()
    login(fresh, "admin@a.example", PASSWORD)
    page = fresh.get(dashboard).content.decode()
    assert '<html lang="en">' in page


def test_language_switch_ignores_foreign_next_urls(admin_a):
    client = client_for(admin_a)
    response = client.post(reverse("set_language"), {"language": "en", "next": "https://evil.example/"})
    assert response.status_code == 302
    assert response.url == reverse("home")


def test_language_switch_rejects_unknown_language(admin_a):
    client = client_for(admin_a)
    response = client.post(reverse("set_language"), {"language": "xx"})
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == settings.LANGUAGE_CODE


def test_password_reset_ignores_lookalike_unicode_addresses(org_a):
    User.objects.create_user("mike@a.example", PASSWORD, full_name="Mike")
    english_client().post(reverse("password_reset"), {"email": "m\u0131ke@a.example"})  # dotless i
    with scopes_disabled():
        assert not OutboundMessage.objects.filter(template="password_reset").exists()


def test_setting_a_new_password_by_e_mail_link_lifts_the_lock(admin_a):
    client = english_client()
    for _ in range(5):
        login(client, "admin@a.example", "Wrong-Passw0rd!")
    assert login(client, "admin@a.example", PASSWORD).status_code == 429

    uid = urlsafe_base64_encode(force_bytes(admin_a.pk))
    token = default_token_generator.make_token(admin_a)
    link = reverse("password_reset_confirm", kwargs={"uidb64": uid, "token": token})
    form_url = client.get(link).url  # Django swaps the token for a session marker
    new = "Neues-Passw0rt-2026!"
    response = client.post(form_url, {"new_password1": new, "new_password2": new})
    assert response.status_code == 302

    assert login(english_client(), "admin@a.example", new).status_code == 302


@pytest.mark.parametrize("password", ["Passwort123!", "Sommer2026!", "Autohaus-2026!", "Demo-2026!", "Rentoffice-2026"])
def test_common_german_words_with_digits_are_refused(password):
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        validate_password(password, User(email="kim@example.com", full_name="Kim Wagner"))


def test_own_name_with_digits_is_refused_and_a_real_password_accepted():
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    user = User(email="kim.wagner@example.com", full_name="Kim Wagner")
    with pytest.raises(ValidationError):
        validate_password("Wagner-2026!", user)
    validate_password("Blauer-Elch-7!", user)
