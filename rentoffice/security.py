"""Hardening that is not a Django setting: Permissions-Policy, the language cookie, request throttles.

Throttles count in Django's cache (Redis in production, see settings/production.py; per process
elsewhere). They are deliberately small and separate from django-axes, which locks accounts on failed
*logins*: the password-change form's old-password check and password-reset requests are other
doors to the same guess or to a mail flood.
"""

from __future__ import annotations

import hashlib

from csp.middleware import CSPMiddleware
from django.conf import settings
from django.contrib.auth.forms import PasswordChangeForm
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# Browser features the application never uses; denying them limits what injected content could do.
PERMISSIONS_POLICY = (
    "accelerometer=(), autoplay=(), browsing-topics=(), camera=(), display-capture=(), "
    "geolocation=(), gyroscope=(), magnetometer=(), microphone=(), midi=(), payment=(), "
    "usb=(), serial=(), hid=(), bluetooth=(), interest-cohort=()"
)


class PermissionsPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        return response


def set_language_cookie(response, language: str) -> None:
    """The one way the language cookie is written: Secure in production, like the session cookie."""
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=365 * 24 * 3600,
        samesite="Lax",
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
    )


def _key(scope: str, value: str) -> str:
    return "throttle:" + scope + ":" + hashlib.sha256(value.encode("utf-8", "surrogatepass")).hexdigest()


def throttle_exceeded(scope: str, value: str, *, limit: int, window: int) -> bool:
    """Whether `value` has used up its `limit` hits of `scope` in the last `window` seconds (no hit counted)."""
    return (cache.get(_key(scope, value)) or 0) >= limit


def throttle_hit(scope: str, value: str, *, window: int) -> int:
    """Count one hit; the window starts at the first hit."""
    key = _key(scope, value)
    if cache.add(key, 1, timeout=window):
        return 1
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=window)
        return 1


# Wrong old passwords per account before the form refuses to check for a while.
PASSWORD_CHANGE_LIMIT = 5
PASSWORD_CHANGE_WINDOW = 15 * 60


class ThrottledPasswordChangeForm(PasswordChangeForm):
    """An open session must not become a way to guess the account's password at full speed."""

    def clean_old_password(self):
        scope, who = "password-change", str(self.user.pk)
        window = PASSWORD_CHANGE_WINDOW
        if throttle_exceeded(scope, who, limit=PASSWORD_CHANGE_LIMIT, window=window):
            raise ValidationError(
                _("Too many wrong passwords. Please wait %(minutes)d minutes and try again.")
                % {"minutes": window // 60},
                code="throttled",
            )
        try:
            return super().clean_old_password()
        except ValidationError:
            throttle_hit(scope, who, window=window)
            raise


# Password-reset requests: per address (no mail flood to one person) and per client address.
RESET_PER_EMAIL = 3
RESET_PER_CLIENT = 20
RESET_WINDOW = 60 * 60


def password_reset_allowed(*, email: str, client: str) -> bool:
    """Count a reset request; False once the address or the client has asked too often this hour.

    The page answers the same either way, so it tells nobody whether an address exists or is throttled.
    """
    email = email.strip().casefold()
    over = throttle_exceeded("reset-email", email, limit=RESET_PER_EMAIL, window=RESET_WINDOW) or throttle_exceeded(
        "reset-client", client, limit=RESET_PER_CLIENT, window=RESET_WINDOW
    )
    throttle_hit("reset-email", email, window=RESET_WINDOW)
    throttle_hit("reset-client", client, window=RESET_WINDOW)
    return not over


class HtmlContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp's policy on HTML pages. Downloads (PDF previews, exports) do not get it: a page
    policy on a PDF can keep the browser's own viewer from showing it, and stored files carry their
    own stricter policy (`protected_file_response`)."""

    def process_response(self, request, response):
        if not response.get("Content-Type", "").startswith("text/html"):
            return response
        return super().process_response(request, response)
