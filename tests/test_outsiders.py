"""Every URL that takes an object id answers 404 to outsiders.

The test walks the URL configuration, so later apps' URLs are covered automatically. It loads the
demo data (every app's seeder creates objects in both demo organizations), proves for each URL that
an insider can open it with some object id (so the check is not vacuous), then asserts:

- a member of another organization gets 404 through either organization's URL (GET and POST);
- station-scoped staff get 404 (or 403 where their role lacks the view's permission) for objects
  of a station they do not cover;
- where panels are involved (record pages, the dashboard, lazily loaded panel bodies), the panels'
  content shows no row of the other organization to an insider, and no row of another station's
  station-scoped data (what station staff get 404 for) to station staff — content, not status codes.
"""

from __future__ import annotations

import html as html_lib
import io
import re

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import models
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django_scopes import scope, scopes_disabled

from rentoffice.models import Organization, Station, User

pytestmark = [pytest.mark.django_db, pytest.mark.xdist_group("outsiders")]

MAX_PER_MODEL = 3


def _walk(resolver: URLResolver, prefix: str = "", namespace: str | None = None, converters=None):
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            ns = entry.namespace
            full_ns = f"{namespace}:{ns}" if namespace and ns else (ns or namespace)
            yield from _walk(
                entry, prefix + str(entry.pattern), full_ns, {**(converters or {}), **entry.pattern.converters}
            )
        elif isinstance(entry, URLPattern) and entry.name:
            all_converters = {**(converters or {}), **entry.pattern.converters}
            name = f"{namespace}:{entry.name}" if namespace else entry.name
            yield prefix + str(entry.pattern), name, all_converters, entry.callback


def object_url_patterns():
    """(route, url name, int kwarg names, fixed kwargs, view) of organization URLs taking object ids.

    A `kind` kwarg (cross-cutting record pages) is expanded to every registered record kind, a
    `kind` with a panel `key` to every lazily loaded panel.
    """
    from rentoffice import panels, record_kinds

    found = []
    for route, name, converters, view in _walk(get_resolver()):
        if not route.startswith("o/<slug:org_slug>/"):
            continue
        int_kwargs = [k for k, c in converters.items() if type(c).__name__ == "IntConverter"]
        if not int_kwargs:
            continue
        other = [k for k in converters if k not in int_kwargs and k != "org_slug"]
        if other == ["kind"]:
            for kind in sorted(record_kinds._getters):
                found.append((route, name, int_kwargs, {"kind": kind}, view))
        elif sorted(other) == ["key", "kind"]:
            for kind, key in panels.lazy_panels():
                found.append((route, name, int_kwargs, {"kind": kind, "key": key}, view))
        elif other:
            found.append((route, name, int_kwargs, None, view))  # reported as unsupported below
        else:
            found.append((route, name, int_kwargs, {}, view))
    return found


def _org_path(model) -> str | None:
    """Lookup path from a model to its organization (directly or through one foreign key)."""
    names = {f.name for f in model._meta.get_fields()}
    if "organization" in names:
        return "organization"
    for field in model._meta.get_fields():
        if isinstance(field, models.ForeignKey) and "organization" in {
            f.name for f in field.related_model._meta.get_fields()
        }:
            return f"{field.name}__organization"
    return None


def tenant_models():
    project_apps = {"rentoffice", "customers", "vehicles", "contracts", "protocols", "billing", "fleetback"}
    for model in apps.get_models():
        if model._meta.app_label in project_apps and model is not Organization and _org_path(model):
            yield model


def _rows(model, org):
    return model._base_manager.filter(**{_org_path(model): org}).order_by("pk")


def _own_station_ids(row) -> set[int]:
    ids = set()
    for field in row._meta.get_fields():
        if isinstance(field, models.ForeignKey) and field.related_model is Station:
            value = getattr(row, field.attname)
            if value:
                ids.add(value)
    return ids


def _station_ids_of(row) -> set[int]:
    """Stations a row belongs to, directly or through its parent row."""
    ids = _own_station_ids(row)
    if not ids:
        for field in row._meta.get_fields():
            if isinstance(field, models.ForeignKey) and field.related_model is not Organization:
                parent = getattr(row, field.name)
                if parent is not None and parent._meta.app_label != "auth":
                    ids |= _own_station_ids(parent)
    return ids


def _spread_over_stations(rows, scan: int = 300) -> list:
    """The first rows of a model, plus the first row of every other station among the first `scan`:
    the station-staff check needs a row of another station whatever order the demo seeds them in."""
    chosen = list(rows[:MAX_PER_MODEL])
    covered = set().union(*(_station_ids_of(row) for row in chosen)) if chosen else set()
    for row in rows[MAX_PER_MODEL:scan]:
        stations = _station_ids_of(row)
        if stations and not stations <= covered:
            chosen.append(row)
            covered |= stations
    return chosen


def _candidates(org):
    """Ids of the organization's objects, single and as (parent, child) pairs.

    An id the insider can open through organization A's URL belongs to A for that URL's model, so
    organization B cannot own it: B's URL with the same id must answer 404.
    """
    singles, pairs = [(Organization, org)], []  # the organization itself is a record too
    for model in tenant_models():
        for row in _spread_over_stations(_rows(model, org)):
            singles.append((model, row))
            for field in model._meta.get_fields():
                if isinstance(field, models.ForeignKey) and _org_path(field.related_model):
                    parent_id = getattr(row, field.attname)
                    if parent_id:
                        pairs.append((model, row, (parent_id, row.pk)))
    return singles, pairs


def _priority(route: str, name: str, view, model) -> float:
    """Try the most likely model first: named in the URL, or from the view's app."""
    label = model._meta.model_name
    words = route.replace("/", " ").replace("-", " ").replace("_", " ") + " " + name.replace(":", " ").replace("_", " ")
    score = 0
    # The path segment right before the first id names what the id is ("new/customer/<pk>/" takes a
    # customer although it lives under contracts/): without this, another model's row with the same
    # id could prove the URL by coincidence and its stations would be checked instead of the record's.
    before_id = route.split("<int:", 1)[0].rstrip("/").rsplit("/", 1)[-1].replace("-", "").replace("_", "")
    if before_id and label in (before_id, before_id.rstrip("s")):
        score -= 4
    elif len(before_id) >= 4 and label.startswith(before_id.rstrip("s")):
        # "condition/<pk>/" takes a condition record, not the vehicle the route's words also name.
        score -= 3
    # The view's own name says it best where the path is short ("condition_record_detail").
    if label in getattr(view, "__name__", "").replace("_", ""):
        score -= 1.5
    if label in words.replace(" ", "") or label.rstrip("s") in words:
        # The longest label named wins a tie: "protocol-photos" is about photos, not protocols.
        score -= 2 + len(label) / 100
    if model._meta.app_label == getattr(view, "__module__", "").split(".")[0]:
        score -= 1
    return score


PANEL_SECTION = re.compile(r'<section class="card mb-3" id="panel-[^"]+">.*?</section>', re.S)
LAZY_BODY = re.compile(r'hx-get="([^"]*/panels/[^"]+)"')
MIN_MARKER = 6


def panel_content(client: Client, html: str) -> str:
    """The panels of a page, lazily loaded bodies included."""
    parts = PANEL_SECTION.findall(html)
    for body_url in LAZY_BODY.findall(html):
        response = client.get(html_lib.unescape(body_url))
        assert response.status_code == 200, body_url
        parts.append(response.content.decode())
    return "\n".join(parts)


def markers(rows) -> set[str]:
    """How a row shows on a page (its str), where that is specific enough to search for."""
    found = set()
    for row in rows:
        text = str(row).strip()
        if len(text) >= MIN_MARKER:
            found.add(html_lib.escape(text))
    return found


def panel_leaks(client: Client, url: str, forbidden: set[str], who: str) -> list[str]:
    response = client.get(url)
    if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
        return []
    content = panel_content(client, response.content.decode())
    return [f"{who} sees {marker!r} in the panels of {url}" for marker in sorted(forbidden) if marker in content]


def _content_markers(koenig, nord, augsburg, station_scoped) -> tuple[set[str], set[str]]:
    """Markers of the other organization's rows, and of other stations' station-scoped rows."""
    other_org = set().union(*(markers(_rows(m, nord)) for m in tenant_models())) - set().union(
        *(markers(_rows(m, koenig)) for m in tenant_models())
    )
    other_station, own_station = set(), set()
    for model in station_scoped:
        for row in _rows(model, koenig):
            (own_station if augsburg.pk in _station_ids_of(row) else other_station).update(markers([row]))
    return other_org, other_station - own_station


def client_for(email: str) -> Client:
    client = Client()
    client.force_login(User.objects.get(email=email))
    return client


def _options_for(int_kwargs, singles, pairs, *, route, name, view) -> list:
    if len(int_kwargs) == 1:
        options = [(model, row, (row.pk,)) for model, row in singles]
    else:
        options = [p for p in pairs if len(p[2]) == len(int_kwargs)]
    options.sort(key=lambda o: _priority(route, name, view, o[0]))
    return options


def _proven_option(insider, name, fixed, int_kwargs, options):
    """The first option whose URL opens for the insider, and whether the URL takes POST only."""
    for model, row, ids in options:
        url = reverse(name, kwargs={"org_slug": "koenig", **fixed, **dict(zip(int_kwargs, ids, strict=True))})
        status = insider.get(url).status_code
        if status == 405:
            return (model, row, ids), True  # cannot prove without changing data; still check outsiders
        if status in (200, 302):
            return (model, row, ids), False
    return None, False


def _outsider_leaks(outsider, name, kwargs, *, post_only: bool) -> list[str]:
    leaks = []
    for slug in ("koenig", "nord"):
        url = reverse(name, kwargs={"org_slug": slug, **kwargs})
        for method in ("get", "post"):
            status = getattr(outsider, method)(url).status_code
            if status != 404 and not (post_only and method == "get" and status == 405):
                leaks.append(f"outsider {method.upper()} {url} → {status}")
    return leaks


def _other_station_row(insider, name, fixed, int_kwargs, options, *, model, station):
    """Another station's row of the model that opens for the insider: (row, its stations, URL kwargs)."""
    for alt_model, alt_row, alt_ids in options:
        alt_stations = _station_ids_of(alt_row) if alt_model is model else set()
        if alt_stations and station.pk not in alt_stations:
            alt_kwargs = {**fixed, **dict(zip(int_kwargs, alt_ids, strict=True))}
            alt_url = reverse(name, kwargs={"org_slug": "koenig", **alt_kwargs})
            if insider.get(alt_url).status_code in (200, 302):
                return alt_row, alt_stations, alt_kwargs
    return None


def _station_staff_leaks(scoped, name, kwargs, view, *, model, post_only, scoped_perms, station_scoped) -> list[str]:
    """Station staff (Augsburg) get 404 (or 403 without the view's permission) for another station's row."""
    url = reverse(name, kwargs={"org_slug": "koenig", **kwargs})
    required = getattr(view, "required_permission", None)
    allowed = {404} if (required is None or required in scoped_perms) else {403, 404}
    leaks = []
    for method in ("get", "post"):
        status = getattr(scoped, method)(url).status_code
        if method == "get" and status == 404 and required in scoped_perms | {None}:
            station_scoped.add(model)
        if status not in allowed and not (post_only and method == "get" and status == 405):
            leaks.append(f"station staff (Augsburg) {method.upper()} {url} [{model.__name__}] → {status}")
    return leaks


def test_every_object_url_is_404_for_outsiders():
    from rentoffice import record_kinds

    call_command("seed_demo", stdout=io.StringIO())
    koenig = Organization.objects.get(slug="koenig")
    nord = Organization.objects.get(slug="nord")
    assert _rows(Station, nord).exists()
    singles, pairs = _candidates(koenig)
    with scope(organization=koenig):
        augsburg = Station.objects.get(code="AUG")
        scoped_perms = set(User.objects.get(email="augsburg@koenig.example").memberships.get().role.permissions)

    insider = client_for("admin@koenig.example")
    outsider = client_for("admin@nord.example")
    scoped = client_for("augsburg@koenig.example")

    patterns = object_url_patterns()
    assert patterns, "no object URLs found: the walker is broken"
    unproven, leaks = [], []
    opened: list[str] = []  # pages the insider opens, checked for panel content below
    station_scoped: set[type] = set()  # models station staff get 404 for at another station
    for route, name, int_kwargs, fixed, view in patterns:
        if fixed is None:
            unproven.append(f"{name} ({route}): the walker cannot fill its non-numeric URL arguments")
            continue
        options = _options_for(int_kwargs, singles, pairs, route=route, name=name, view=view)
        if "kind" in fixed:
            # A record-kind URL opens that kind's records: another model's row with the same id
            # would prove nothing (and its stations are not the record's).
            options = [o for o in options if record_kinds.kind_of(o[0]) == fixed["kind"]] or options
        proven, post_only = _proven_option(insider, name, fixed, int_kwargs, options)
        if proven is None:
            unproven.append(f"{name} ({route}) {fixed or ''}")
            continue
        model, row, ids = proven
        kwargs = {**fixed, **dict(zip(int_kwargs, ids, strict=True))}
        if not post_only:
            opened.append(reverse(name, kwargs={"org_slug": "koenig", **kwargs}))
        leaks += _outsider_leaks(outsider, name, kwargs, post_only=post_only)
        stations = _station_ids_of(row)
        named = _priority(route, name, view, model) <= -2  # the URL names the model: no id coincidence
        if augsburg.pk in stations and len(int_kwargs) == 1 and not post_only and named:
            # Proven with an Augsburg row: check station staff with another station's row of the model.
            alternative = _other_station_row(insider, name, fixed, int_kwargs, options, model=model, station=augsburg)
            if alternative is not None:
                row, stations, kwargs = alternative
        if stations and augsburg.pk not in stations:
            leaks += _station_staff_leaks(
                scoped,
                name,
                kwargs,
                view,
                model=model,
                post_only=post_only,
                scoped_perms=scoped_perms,
                station_scoped=station_scoped,
            )
    assert not leaks, "objects reachable by outsiders:\n" + "\n".join(leaks)

    # Content: what the panels on the pages show.
    opened.append(reverse("org_dashboard", kwargs={"org_slug": "koenig"}))
    with scopes_disabled():  # str() of rows may follow scoped relations
        other_org, other_station = _content_markers(koenig, nord, augsburg, station_scoped)
    assert other_org and other_station, "no markers to look for: the content check is vacuous"
    content_leaks = []
    for url in opened:
        content_leaks += panel_leaks(insider, url, other_org, "koenig's admin")
        content_leaks += panel_leaks(scoped, url, other_station | other_org, "Augsburg staff")
    assert not content_leaks, "panels show data the viewer must not see:\n" + "\n".join(content_leaks)
    assert not unproven, "no demo object opens these URLs for an insider (extend the app's demo seeder):\n" + "\n".join(
        unproven
    )
