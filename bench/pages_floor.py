"""The per-request floor of a logged-in back-office page, part by part (`bench/pages.py --floor`).

Measured in this process with the production settings, like the harness's CPU column: CPU time
(median and minimum of ROUNDS) and the number of Python function calls (deterministic, so a shared
machine does not move it) of
- the bare view with and without a session cookie (the cookie costs the session and user loads),
- the membership lookup, the base layout's context processor and the base layout itself (top bar,
  sidebar) rendered around an empty page,
- a small page (roles) and the customer card, for comparison.
"""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable

ROUNDS = 50


def _calls(fn: Callable[[], object]) -> int:
    count = 0

    def profiler(frame, event, arg):
        nonlocal count
        if event in ("call", "c_call"):
            count += 1

    sys.setprofile(profiler)
    try:
        fn()
    finally:
        sys.setprofile(None)
    return count


def _cpu(fn: Callable[[], object]) -> tuple[float, float]:
    fn()
    times = []
    for _ in range(ROUNDS):
        start = time.process_time()
        fn()
        times.append((time.process_time() - start) * 1000)
    return statistics.median(times), min(times)


def floor(session_cookie: str, pages: dict[str, str]) -> list[tuple[str, float, float, int]]:
    """(part, CPU ms median, CPU ms min, calls) for each part of the floor."""
    from django.template import engines
    from django.test import Client, RequestFactory
    from django_scopes import scope

    from rentoffice.access import membership_resolve
    from rentoffice.context_processors import shell
    from rentoffice.models import Organization

    anonymous = Client(HTTP_HOST="127.0.0.1")
    client = Client(HTTP_HOST="127.0.0.1")
    client.cookies["sessionid"] = session_cookie
    # The user and membership a page of the mix resolves (the first user of the mix).
    request = RequestFactory(HTTP_HOST="127.0.0.1").get(next(iter(pages.values())))
    request.COOKIES["sessionid"] = session_cookie
    from django.contrib.auth.middleware import AuthenticationMiddleware
    from django.contrib.sessions.middleware import SessionMiddleware

    SessionMiddleware(lambda r: None).process_request(request)
    AuthenticationMiddleware(lambda r: None).process_request(request)
    user = request.user
    assert user.is_authenticated, "the session of the mix's first user is not logged in"
    org = Organization.objects.get(slug="koenig")
    request.membership = membership_resolve(user=user, organization_slug=org.slug)
    request.organization = org
    request.station_filter = None
    empty = engines["django"].from_string('{% extends "base.html" %}{% block content %}{% endblock %}')

    def render_base():
        with scope(organization=org):
            return empty.render({}, request)

    parts: list[tuple[str, Callable[[], object]]] = [
        ("bare view, no session (the harness's limit)", lambda: anonymous.get("/bench/bare-view/")),
        ("bare view with a session cookie (+ session and user load)", lambda: client.get("/bench/bare-view/")),
        ("membership lookup (TenantMiddleware)", lambda: membership_resolve(user=user, organization_slug=org.slug)),
        ("base layout's context (switcher memberships, station filter)", lambda: shell(request)),
        ("base layout around an empty page (top bar, sidebar, context)", render_base),
        *((f"whole page: {label}", (lambda path=path: client.get(path))) for label, path in pages.items()),
    ]
    result = []
    for label, fn in parts:
        median, minimum = _cpu(fn)
        result.append((label, median, minimum, _calls(fn)))
    return result


def report(rows: list[tuple[str, float, float, int]]) -> str:
    lines = ["| part | CPU ms (median) | CPU ms (min) | Python calls |", "|---|---:|---:|---:|"]
    lines += [f"| {label} | {median:.2f} | {minimum:.2f} | {calls:,} |" for label, median, minimum, calls in rows]
    return "\n".join(lines)
