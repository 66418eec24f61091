"""HTML pages carry a Content-Security-Policy without 'unsafe-inline', and no template needs one."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from tests.conftest import client_for

pytestmark = pytest.mark.django_db

# E-mail bodies and PDF layouts are not web pages: mail clients need inline styles, and WeasyPrint
# renders the PDF templates on the server (no browser, no CSP ever applies to them).
TEMPLATE_DIRS = [settings.BASE_DIR / "templates", *Path(settings.BASE_DIR).glob("*/templates")]
# PDFs are rendered by WeasyPrint, never served as pages.
EXEMPT = ("messages/", "protocols/pdf/", "billing/invoices/pdf/")
INLINE = [
    (re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*\bnonce=)[^>]*>", re.I), "inline <script> without nonce"),
    (re.compile(r"<style(?![^>]*\bnonce=)[^>]*>", re.I), "<style> without nonce"),
    (re.compile(r"(\s|%\})on[a-z]+\s*=", re.I), "inline event handler"),
    (re.compile(r"(\s|%\})style\s*=", re.I), "style attribute"),
]


def _policy(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}


def test_html_pages_carry_a_strict_policy(admin_a, org_a):
    for response in (
        Client().get(reverse("login")),
        client_for(admin_a).get(reverse("org_dashboard", kwargs={"org_slug": org_a.slug})),
    ):
        policy = _policy(response)
        assert policy["default-src"] == ["'self'"]
        assert policy["script-src"][0] == "'self'" and policy["style-src"][0] == "'self'"
        assert policy["object-src"] == ["'none'"] and policy["frame-ancestors"] == ["'none'"]
        assert not any("unsafe" in value for values in policy.values() for value in values)


def test_no_template_needs_inline_code():
    found = []
    for directory in TEMPLATE_DIRS:
        for path in Path(directory).rglob("*.html"):
            relative = path.relative_to(directory).as_posix()
            if relative.startswith(EXEMPT):
                continue
            text = path.read_text()
            for pattern, what in INLINE:
                for match in pattern.finditer(text):
                    line = text.count("\n", 0, match.start()) + 1
                    found.append(f"{path.relative_to(settings.BASE_DIR)}:{line}: {what}")
    assert not found, "\n".join(found)
