"""Every back-office page renders for its users in German and English, never with a server error,
and shows no text of the other language.

The pages come from the URL configuration (later apps are covered automatically); pages that take
object ids get the ids the outsider walker proves for them. Language leaks are found by comparing
the visible text with the project's own catalogues: an English page must not contain a German
translation, a German page must not contain an untranslated English source text.
"""

from __future__ import annotations

import html
import io
import re
from pathlib import Path

import polib
import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import get_resolver, resolve, reverse

from rentoffice.models import User
from tests.test_outsiders import _candidates, _priority, _walk, object_url_patterns

pytestmark = [pytest.mark.django_db, pytest.mark.xdist_group("outsiders")]

ROOT = Path(__file__).resolve().parent.parent
CATALOGUES = sorted(ROOT.glob("locale/de/LC_MESSAGES/django.po")) + sorted(
    ROOT.glob("*/locale/de/LC_MESSAGES/django.po")
)


def _phrases():
    """(German translations, English source texts) long and specific enough to be telling."""
    german, english = set(), set()
    for path in CATALOGUES:
        for entry in polib.pofile(str(path)):
            if entry.msgid_plural or "%" in entry.msgid or "{" in entry.msgid or not entry.msgstr:
                continue
            if entry.msgstr == entry.msgid:
                continue
            if len(entry.msgstr) >= 12 and " " in entry.msgstr:
                german.add(entry.msgstr)
            if len(entry.msgid) >= 12 and " " in entry.msgid:
                english.add(entry.msgid)
    return german - english, english - german


def _visible_text(page: str) -> str:
    page = re.sub(r"(?is)<(script|style|template)\b.*?</\1>", " ", page)
    # A stored message's text is data in its recipient's language, not the page's own words.
    page = re.sub(r'(?is)<pre\b[^>]*data-testid="message-text"[^>]*>.*?</pre>', " ", page)
    page = re.sub(r"(?s)<[^>]+>", " ", page)
    return re.sub(r"\s+", " ", html.unescape(page))


def _list_pages():
    for route, name, converters, _view in _walk(get_resolver()):
        if route.startswith("o/<slug:org_slug>/") and set(converters) == {"org_slug"}:
            yield name


def _client(email: str, language: str) -> Client:
    client = Client()
    client.force_login(User.objects.get(email=email))
    client.cookies["django_language"] = language
    return client


def test_every_page_renders_in_both_languages_without_the_other_language():
    call_command("seed_demo", stdout=io.StringIO())
    from rentoffice.models import Organization

    koenig = Organization.objects.get(slug="koenig")
    singles, pairs = _candidates(koenig)
    german_phrases, english_phrases = _phrases()
    assert german_phrases and english_phrases

    urls = [reverse(name, kwargs={"org_slug": "koenig"}) for name in _list_pages()]
    probe = _client("admin@koenig.example", "en")
    for route, name, int_kwargs, fixed, view in object_url_patterns():
        if fixed is None:
            continue
        url = _first_opening_url(
            probe, singles, pairs, route=route, name=name, int_kwargs=int_kwargs, fixed=fixed, view=view
        )
        if url is not None:
            urls.append(url)
    assert len(urls) > 20

    problems = []
    for email in ("admin@koenig.example", "muenchen@koenig.example"):
        for language, wrong in (("en", german_phrases), ("de", english_phrases)):
            client = _client(email, language)
            for url in urls:
                problems += _language_problems(client, url, wrong, label=f"{email} {language} {url}")
    assert not problems, "\n".join(problems)


def _first_opening_url(probe, singles, pairs, *, route, name, int_kwargs, fixed, view) -> str | None:
    """The URL of the first demo object (best candidates first) whose page opens for the probe."""
    options = [(m, r, (r.pk,)) for m, r in singles] if len(int_kwargs) == 1 else pairs
    options = sorted(options, key=lambda o: _priority(route, name, view, o[0]))
    for _model, _row, ids in options:
        if len(ids) != len(int_kwargs):
            continue
        url = reverse(name, kwargs={"org_slug": "koenig", **fixed, **dict(zip(int_kwargs, ids, strict=True))})
        try:
            status = probe.get(url).status_code
        except Exception:
            status = 500  # reported by the crawl
        if status == 200:
            return url
    return None


def _language_problems(client, url: str, wrong, *, label: str) -> list[str]:
    """What is wrong with the page: a server error, or phrases of the other language."""
    try:
        response = client.get(url)
    except Exception as exc:  # the test client re-raises view errors: report them all
        return [f"{label}: {type(exc).__name__}: {exc}"]
    if response.status_code >= 500:
        return [f"{label}: {response.status_code}"]
    if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
        return []
    if resolve(url).url_name == "message_html":  # the e-mail's own HTML, as it was sent
        return []
    text = _visible_text(response.content.decode())
    leaked = sorted(p for p in wrong if p in text)
    return [f"{label}: {leaked[:5]}"] if leaked else []
