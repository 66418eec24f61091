"""Shared fixtures: personas of two organizations and a real browser.

Personas (healthchecks style): admin of organization A, station staff of station A1, staff of
station A2, admin of organization B.

Scopes work in tests as in production: fixtures and the data helpers below (`data_helper`) build
their rows with scopes disabled, but a test body runs with no scope at all. Requests through the
test client get the scope the tenant middleware opens; a test that queries tenant-owned models
itself enters `scope(organization=...)` (or is decorated `@in_scope()`), like a task does. A service that forgets its
organization filter therefore raises `ScopeError` in its test (tests/test_scoping.py).
"""

import functools
import os

import pytest
from django.test import Client
from django_scopes import scope, scopes_disabled
from hypothesis import HealthCheck, settings

from rentoffice.models import Membership, Region, Station, User
from rentoffice.services import organization_create, roles_ensure_defaults

# Property tests assert results, not speed: on a shared 2-core machine one example can take longer
# than Hypothesis' 200 ms deadline, and its "too slow" health check would fail a correct test.
settings.register_profile("rentoffice", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("rentoffice")

PASSWORD = "Test-Passw0rd!"

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.hookimpl(wrapper=True)
def pytest_fixture_setup(fixturedef, request):
    """Fixtures create their data with scopes disabled (only their setup; the test body is strict)."""
    with scopes_disabled():
        return (yield)


def data_helper(helper):
    """Mark a data-building helper that tests call in their bodies: it runs with scopes disabled."""

    @functools.wraps(helper)
    def wrapper(*args, **kwargs):
        with scopes_disabled():
            return helper(*args, **kwargs)

    return wrapper


def in_scope(organization_fixture: str = "org_a"):
    """Run a test body inside its organization's scope, as a request or a task in it would run.

    The organization comes from the test's fixture of that name (the test must take it).
    """

    def decorator(test):
        @functools.wraps(test)
        def wrapper(*args, **kwargs):
            with scope(organization=kwargs[organization_fixture]):
                return test(*args, **kwargs)

        return wrapper

    return decorator


@pytest.fixture(scope="session", autouse=True)
def _fake_stripe_server():
    """Card payments talk to the fake Stripe server: the one STRIPE_API_BASE names, else one per worker."""
    from django.conf import settings as django_settings

    from fakestripe.testing import ensure_running

    url, server = ensure_running(os.environ.get("STRIPE_API_BASE", ""))
    django_settings.STRIPE_API_BASE = url
    yield url
    if server is not None:
        server.shutdown()


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@data_helper
def make_org(slug: str, name: str, code: str, admin_email: str):
    org, admin = organization_create(
        name=name,
        slug=slug,
        operator_code=code,
        admin_email=admin_email,
        admin_name=f"Admin {name}",
        admin_password=PASSWORD,
    )
    return org, admin


@data_helper
def make_member(org, email: str, role_key: str = "station_staff", stations=(), scope=None) -> User:
    roles = roles_ensure_defaults(organization=org)
    user = User.objects.filter(email=email).first() or User.objects.create_user(email, PASSWORD, full_name=email)
    membership = Membership.objects.create(
        user=user,
        organization=org,
        role=roles[role_key],
        scope=scope or (Membership.Scope.STATIONS if stations else Membership.Scope.ALL),
    )
    membership.stations.set(stations)
    return user


@pytest.fixture
def org_a(db):
    org, _ = make_org("org-a", "Autohaus A", "ORGA", "admin@a.example")
    return org


@pytest.fixture
def org_b(db):
    org, _ = make_org("org-b", "Autohaus B", "ORGB", "admin@b.example")
    return org


@pytest.fixture
def region_a(org_a):
    return Region.objects.create(organization=org_a, name="Süd")


@pytest.fixture
def station_a1(org_a, region_a):
    return Station.objects.create(organization=org_a, region=region_a, name="A1 München", code="A1")


@pytest.fixture
def station_a2(org_a):
    return Station.objects.create(organization=org_a, name="A2 Augsburg", code="A2")


@pytest.fixture
def station_b1(org_b):
    return Station.objects.create(organization=org_b, name="B1 Hamburg", code="B1")


@pytest.fixture
def admin_a(org_a):
    return User.objects.get(email="admin@a.example")


@pytest.fixture
def admin_b(org_b):
    return User.objects.get(email="admin@b.example")


@pytest.fixture
def staff_a1(org_a, station_a1):
    return make_member(org_a, "staff1@a.example", stations=[station_a1])


@pytest.fixture
def staff_a2(org_a, station_a2):
    return make_member(org_a, "staff2@a.example", stations=[station_a2])


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def client_admin_a(admin_a):
    return client_for(admin_a)


@pytest.fixture
def client_admin_b(admin_b):
    return client_for(admin_b)


@pytest.fixture
def client_staff_a1(staff_a1):
    return client_for(staff_a1)


@pytest.fixture
def client_staff_a2(staff_a2):
    return client_for(staff_a2)


# --- real browser (Debian's Chromium driven by Playwright) ---

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": "/usr/bin/chromium", "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "de-DE", "timezone_id": "Europe/Berlin"}
