"""Hostile input into every form and endpoint answers with field errors, never a 500.

Like tests/test_outsiders.py this walks the URL configuration, so later apps' pages are covered
without touching this file. It loads the demo data, finds for every URL pattern a concrete URL an
insider can open (links found on the pages first, then object ids proven the outsider test's way),
reads every form on the page (inputs, selects, textareas, file inputs, buttons) and sends each form
back with hostile values in every field at once: NUL bytes, 10,000-character strings, huge and
non-finite numbers, dates in year 1 and year 9999, wrong types (lists, text in number fields).
Query strings get the same values. Every request runs in a savepoint that is rolled back, so a
successful hostile POST (a delete, a save) cannot take the data away from the next page.

The assertion lists every response >= 500 with the exception it came from.
"""

from __future__ import annotations

import io
import re
import time
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.signals import got_request_exception
from django.db import transaction
from django.test import Client
from django.urls import Resolver404, get_resolver, resolve, reverse
from django_scopes import scope

from rentoffice.models import Organization, User
from tests.test_outsiders import _candidates, _priority, _walk, object_url_patterns

pytestmark = [pytest.mark.django_db, pytest.mark.xdist_group("sweep")]

# One value per attack, sent into every field of a form at once.
HOSTILE = {
    "nul_and_controls": "a\x00b\u202e\ufeff<script>",
    "long": "x" * 10_000,
    "huge_number": "9" * 40,
    "float_overflow": "-1e400",
    "date_far_past": "0001-01-01",
    "date_far_future": "9999-12-31",
    "datetime_far_past": "01.01.0001 00:00",
    "wrong_type": "abc",
}
# Query strings: each request gives every parameter a different hostile value (rotated).
QUERY_ROTATIONS = 3
BLIND_HOSTILE = ("nul_and_controls", "long", "huge_number", "date_far_past")
# Query parameters many list pages read, on top of the fields of their GET forms.
COMMON_PARAMS = ("page", "q", "partial", "customer", "status", "station", "sort", "group", "tab", "kind", "next")
SKIP_PREFIXES = ("/django-admin/", "/static/")
MAX_CRAWL_PER_NAME = 1


class _Page(HTMLParser):
    """Links and forms of an HTML page."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.forms: list[dict] = []
        self._form: dict | None = None
        self._select: str | None = None

    def handle_starttag(self, tag, attrs):  # noqa: C901  one flat dispatch over the tags a form is made of
        a = dict(attrs)
        if tag == "a" and a.get("href"):
            self.links.append(a["href"])
        for attr in ("hx-get", "hx-post"):
            if a.get(attr):
                self.links.append(a[attr])
        if tag == "form":
            self._form = {
                "action": a.get("action") or "",
                "method": (a.get("method") or "get").lower(),
                "fields": {},
                "files": set(),
                "buttons": [],
                "hidden": {},
            }
            self.forms.append(self._form)
            return
        form = self._form
        if form is None:
            return
        name = a.get("name")
        if tag == "input" and name:
            kind = (a.get("type") or "text").lower()
            if kind == "file":
                form["files"].add(name)
            elif kind in ("submit", "image"):
                form["buttons"].append((name, a.get("value", "")))
            else:
                form["fields"].setdefault(name, kind)
                if kind == "hidden":
                    form["hidden"][name] = a.get("value") or ""
        elif tag == "button" and name:
            form["buttons"].append((name, a.get("value", "")))
        elif tag == "textarea" and name:
            form["fields"].setdefault(name, "textarea")
        elif tag == "select" and name:
            form["fields"].setdefault(name, "select")

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None


def _parse(html: str) -> _Page:
    page = _Page()
    page.feed(html)
    return page


def _name_of(path: str) -> str | None:
    try:
        match = resolve(path)
    except Resolver404:
        return None
    return match.view_name


def _request(client: Client, method: str, url: str, data=None, errors: list | None = None):
    """One request in a savepoint that is always rolled back."""
    caught: list[BaseException] = []

    def keep(sender, request=None, **kwargs):
        import sys

        caught.append(sys.exc_info()[1])

    got_request_exception.connect(keep)
    try:
        with transaction.atomic():
            response = getattr(client, method)(url, data or {})
            transaction.set_rollback(True)
    finally:
        got_request_exception.disconnect(keep)
    if response.status_code >= 500 and errors is not None:
        errors.append((response.status_code, caught[-1] if caught else None))
    return response


def _crawl(client: Client, starts: list[str]) -> dict[str, list[str]]:
    """Concrete URLs per URL name, from the links on the pages reachable from `starts`."""
    found: dict[str, list[str]] = {}
    queue, seen = list(starts), set()
    while queue:
        url = queue.pop(0)
        path = urlsplit(url).path
        if path in seen or path.startswith(SKIP_PREFIXES):
            continue
        seen.add(path)
        name = _name_of(path)
        if name is None or name == "logout" or len(found.get(name, [])) >= MAX_CRAWL_PER_NAME:
            continue
        response = _request(client, "get", url)
        if response.status_code == 405:  # POST-only actions (language, station filter): swept blindly
            found.setdefault(name, []).append(url)
            continue
        if response.status_code not in (200, 302):
            continue
        found.setdefault(name, []).append(url)
        if "text/html" not in response.get("Content-Type", ""):
            continue
        page = _parse(response.content.decode())
        for link in page.links + [f["action"] for f in page.forms if f["action"]]:
            target = urljoin(url, link)
            if urlsplit(target).netloc in ("", "testserver") and not target.startswith(("mailto:", "tel:")):
                queue.append(urlsplit(target).path + (f"?{urlsplit(target).query}" if urlsplit(target).query else ""))
    return found


def _by_ids(client: Client, org: Organization, missing: set[str]) -> dict[str, str]:
    """The outsider test's way of finding an object id an insider can open, for URLs not linked."""
    singles, pairs = _candidates(org)
    found = {}
    for route, name, int_kwargs, fixed, view in object_url_patterns():
        if name not in missing or fixed is None or name in found:
            continue
        options = (
            [(m, r, (r.pk,)) for m, r in singles]
            if len(int_kwargs) == 1
            else [p for p in pairs if len(p[2]) == len(int_kwargs)]
        )
        options.sort(key=lambda o: _priority(route, name, view, o[0]))
        for _model, _row, ids in options:
            url = reverse(name, kwargs={"org_slug": org.slug, **fixed, **dict(zip(int_kwargs, ids, strict=True))})
            if _request(client, "get", url).status_code in (200, 302, 405):
                found[name] = url
                break
    return found


MANAGEMENT = re.compile(r"-(TOTAL|INITIAL|MIN_NUM|MAX_NUM)_FORMS$")


def _form_data(form: dict, value: str, label: str) -> dict:
    data = {name: value for name in form["fields"]}
    # Wrong type: a list where one value is expected.
    if label == "wrong_type":
        data = {name: ["abc", "1", ""] for name in form["fields"]}
    elif label != "huge_number":
        # Formset counts keep their values but for these two: a hostile count makes Django build
        # up to its absolute maximum of 1,000 forms, which is correct and only slow.
        data.update({name: v for name, v in form["hidden"].items() if MANAGEMENT.search(name)})
    for name in form["files"]:
        data[name] = SimpleUploadedFile("bad\u202e.jpg", b"\x00" * 16 + value.encode("utf-8", "surrogatepass")[:64])
    return data


def _sweep_page(client: Client, url: str, errors: list[str], seen: set) -> int:  # noqa: C901  one pass per form and field kind
    """Send every hostile value through every form of the page and its query string; number of requests."""
    count = 0

    def send(method, target, data, label):
        nonlocal count
        count += 1
        found: list = []
        _request(client, method, target, data, found)
        for status, exc in found:
            errors.append(f"{method.upper()} {target} [{label}] → {status}: {exc!r}"[:600])

    response = _request(client, "get", url)
    values = list(HOSTILE.values())
    for rotation in range(QUERY_ROTATIONS):
        params = {p: values[(i + rotation * 3) % len(values)] for i, p in enumerate(COMMON_PARAMS)}
        send("get", url, params, f"query rotation {rotation}")
    if "text/html" not in response.get("Content-Type", "") or response.status_code != 200:
        # Endpoints without a page (POST-only actions, downloads): post the common names blindly.
        for label in BLIND_HOSTILE:
            send("post", url, {param: HOSTILE[label] for param in COMMON_PARAMS}, f"blind post {label}")
        return count
    for form in _parse(response.content.decode()).forms:
        target = urljoin(url, form["action"]) if form["action"] else url
        target_path = urlsplit(target).path
        if _name_of(target_path) in (None, "logout") or target_path.startswith(SKIP_PREFIXES):
            continue
        # The top bar's forms (language, station filter, search) are on every page: sweep each once.
        key = (form["method"], target_path, frozenset(form["fields"]), frozenset(form["files"]))
        if key in seen:
            continue
        seen.add(key)
        buttons = form["buttons"] or [(None, None)]
        for label, value in HOSTILE.items():
            # Every value with the form's first button; the other buttons (delete, add a row ...) with
            # the two values that break most, to keep the sweep's runtime in bounds.
            for button, button_value in buttons if label in ("long", "wrong_type") else buttons[:1]:
                data = _form_data(form, value, label)
                if button:
                    data[button] = button_value
                if form["method"] == "post":
                    send("post", target_path, data, f"{label} {button or ''}")
                else:
                    send("get", target_path, {k: v for k, v in data.items() if isinstance(v, str | list)}, label)
    return count


def _patterns() -> set[str]:
    return {
        name
        for route, name, _c, _v in _walk(get_resolver())
        if not route.startswith("django-admin/") and name not in ("logout",)
    }


def test_no_hostile_input_answers_500():
    started = time.monotonic()
    call_command("seed_demo", stdout=io.StringIO())
    koenig = Organization.objects.get(slug="koenig")
    admin = Client(raise_request_exception=False)
    admin.force_login(User.objects.get(email="admin@koenig.example"))
    anonymous = Client(raise_request_exception=False)

    urls = _crawl(admin, ["/", f"/o/{koenig.slug}/", "/profile/"])
    missing = _patterns() - set(urls)
    for name, url in _by_ids(admin, koenig, missing).items():
        urls.setdefault(name, []).append(url)
    # Pages for people who are not logged in (login, password reset, portal), and URL arguments
    # that are tokens: hostile tokens are bad input too.
    public = ["/healthz", "/login/", "/password/reset/", "/password/reset/done/", "/password/reset/sent/"]
    tokens = {
        "password_reset_confirm": reverse("password_reset_confirm", kwargs={"uidb64": "MTIz", "token": "x" * 300}),
        "portal:set_password": reverse("portal:set_password", kwargs={"token": "abc-" + "x" * 300}),
    }
    tokens["fleetback_public:page"] = reverse("fleetback_public:page", kwargs={"token": "x" * 300})
    tokens["fleetback_public:logo"] = reverse("fleetback_public:logo", kwargs={"token": "x" * 300})
    for name, kwargs in (
        ("fleetback_public:medium_file", {"medium_pk": 1}),
        ("fleetback_public:medium_poster", {"medium_pk": 1}),
        ("fleetback_public:attachment_file", {"attachment_pk": 1}),
    ):
        tokens[name] = reverse(name, kwargs={"token": "x" * 300, **kwargs})
    for name, url in tokens.items():
        urls.setdefault(name, []).append(url)
        public.append(url)
    # A live customer link: its answer form gets the hostile values too.
    from fleetback.models import Recipient

    with scope(organization=koenig):
        live = Recipient.objects.filter(revoked_at__isnull=True, case__status__in=["sent", "read"]).first()
    public.append(reverse("fleetback_public:page", kwargs={"token": live.token}))

    # Pages no link leads to: the logo (the demo has none, 404 is fine), the "password changed" page.
    # The API (JSON, no links lead there) is swept too: its answers to bad input are 4xx JSON.
    for name, kwargs in (
        ("organization_logo", {"org_slug": koenig.slug}),
        ("password_change_done", {}),
        ("api:me", {"org_slug": koenig.slug}),
        ("api:stations", {"org_slug": koenig.slug}),
        ("contracts:board_move", {"org_slug": koenig.slug}),  # the board's drag posts here from JavaScript
        ("billing_public:stripe_webhook", {"organization_id": koenig.pk}),  # the provider posts here
    ):
        urls.setdefault(name, []).append(reverse(name, kwargs=kwargs))
    unreached = sorted(_patterns() - set(urls) - {_name_of(url) for url in public})
    errors: list[str] = []
    seen: set = set()
    requests = 0
    for name in sorted(urls):
        for url in urls[name][:1]:
            requests += _sweep_page(admin, url, errors, seen)
    for url in public:
        requests += _sweep_page(anonymous, url, errors, seen)
    elapsed = time.monotonic() - started
    print(f"bad-input sweep: {len(urls)} URL names, {requests} requests, {elapsed:.1f} s")
    assert not errors, f"{len(errors)} responses >= 500:\n" + "\n".join(errors)
    assert not unreached, "the sweep found no page for these URL names (link them or seed demo data):\n" + "\n".join(
        unreached
    )
