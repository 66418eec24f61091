"""Security headers, cookies, throttles and the password policy (issue 7 item 13)."""

import json
import os
import subprocess
import sys
import uuid

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client, override_settings
from django.urls import reverse
from django_scopes import scopes_disabled

from rentoffice.models import OutboundMessage, User
from tests.conftest import PASSWORD, client_for

pytestmark = pytest.mark.django_db


def fresh_cache():
    return override_settings(
        CACHES={"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": uuid.uuid4().hex}}
    )


def test_pages_deny_browser_features(admin_a):
    response = Client().get(reverse("login"))
    policy = response["Permissions-Policy"]
    for feature in ("camera=()", "microphone=()", "geolocation=()", "payment=()"):
        assert feature in policy


def _production_settings() -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("ALLOWED_HOSTS",)}
    env.update(DJANGO_SETTINGS_MODULE="rentoffice.settings.production", SECRET_KEY="x" * 50)
    code = (
        "import json, django; django.setup(); from django.conf import settings as s; "
        "print(json.dumps({'hosts': s.ALLOWED_HOSTS, 'lang_secure': s.LANGUAGE_COOKIE_SECURE}))"
    )
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def test_production_defaults_secure_language_cookie_and_no_testserver_host():
    values = _production_settings()
    assert values["lang_secure"] is True
    assert "testserver" not in values["hosts"]


@override_settings(LANGUAGE_COOKIE_SECURE=True)
def test_language_cookie_carries_the_secure_flag(admin_a):
    response = client_for(admin_a).post(reverse("set_language"), {"language": "en", "next": "/"})
    cookie = response.cookies["django_language"]
    assert cookie.value == "en" and cookie["secure"] and cookie["samesite"] == "Lax"


def test_password_change_stops_checking_the_old_password_after_five_wrong_ones(admin_a):
    client = client_for(admin_a)
    new = {"new_password1": "Neu-Kennw0rt!x", "new_password2": "Neu-Kennw0rt!x"}
    with fresh_cache():
        for _ in range(5):
            response = client.post(reverse("password_change"), {"old_password": "Falsch-123!", **new})
            assert response.status_code == 200
        # The right password now is refused too: guessing is stopped, not slowed.
        response = client.post(reverse("password_change"), {"old_password": PASSWORD, **new})
        assert response.status_code == 200
        assert "throttled" in [e.code for e in response.context["form"].errors.as_data()["old_password"]]
    admin_a.refresh_from_db()
    assert admin_a.check_password(PASSWORD)


def test_password_change_with_the_right_password_still_works(admin_a):
    new = {"new_password1": "Neu-Kennw0rt!x", "new_password2": "Neu-Kennw0rt!x"}
    with fresh_cache():
        response = client_for(admin_a).post(reverse("password_change"), {"old_password": PASSWORD, **new})
    assert response.status_code == 302
    admin_a.refresh_from_db()
    assert admin_a.check_password("Neu-Kennw0rt!x")


def test_password_reset_requests_are_throttled_per_address(admin_a):
    with fresh_cache():
        for _ in range(5):
            response = Client().post(reverse("password_reset"), {"email": admin_a.email})
            assert response.status_code == 302 and response.url == reverse("password_reset_done")
    with scopes_disabled():
        assert OutboundMessage.objects.filter(template="password_reset", recipient=admin_a.email).count() == 3


def test_password_reset_requests_are_throttled_per_client(org_a):
    emails = [f"person{i}@a.example" for i in range(25)]
    for email in emails:
        User.objects.create_user(email, PASSWORD)
    with fresh_cache():
        for email in emails:
            Client().post(reverse("password_reset"), {"email": email})
    with scopes_disabled():
        assert OutboundMessage.objects.filter(template="password_reset").count() == 20


@pytest.mark.parametrize("password", ["Juergen.Meier-2026!", "MEIER-Haus-2026!", "x-JuErGeN.mEiEr-9"])
def test_password_containing_the_email_local_part_is_refused(password):
    user = User(email="juergen.meier@autohaus.example", full_name="J. M.")
    with pytest.raises(ValidationError) as exc:
        validate_password(password, user=user)
    assert "password_contains_email" in [e.code for e in exc.value.error_list]


def test_password_without_the_email_local_part_is_accepted():
    validate_password("Blauer-Himmel-47!", user=User(email="juergen.meier@autohaus.example", full_name="J. M."))
