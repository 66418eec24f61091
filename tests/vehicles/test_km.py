import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation
from django_scopes import scope

from rentoffice.models import Membership
from tests.actors import membership_of
from tests.conftest import make_member
from vehicles.models import KmReading
from vehicles.services import KmReadingRefused, km_reading_record

pytestmark = pytest.mark.django_db


def _reading(vehicle, km, *, days_ago=0.0, actor=None, **kwargs):
    """`actor` is a user here for brevity; the service takes that user's membership."""
    membership = membership_of(actor, vehicle.organization) if actor else None
    with scope(organization=vehicle.organization):
        return km_reading_record(
            vehicle=vehicle,
            km=km,
            source=KmReading.Source.STAFF,
            actor=membership,
            recorded_at=timezone.now() - dt.timedelta(days=days_ago),
            **kwargs,
        )


@pytest.fixture
def vehicle(vehicle_a1):
    KmReading.objects.filter(vehicle=vehicle_a1).update(recorded_at=timezone.now() - dt.timedelta(days=10))
    return vehicle_a1


def test_a_higher_reading_is_stored_and_becomes_current(vehicle, admin_a):
    _reading(vehicle, 1500, actor=admin_a)
    vehicle.refresh_from_db()
    assert vehicle.current_km == 1500
    with scope(organization=vehicle.organization):
        latest = vehicle.km_readings.first()
    assert (latest.km, latest.source, latest.recorded_by) == (1500, "staff", admin_a)


def test_a_reading_below_the_last_one_is_refused(vehicle, staff_a1):
    with translation.override("de"), pytest.raises(KmReadingRefused) as exc:
        _reading(vehicle, 900, actor=staff_a1)
    assert exc.value.code == "below_previous"
    assert "1.000 km" in exc.value.messages[0]  # the last reading, formatted for the reader
    vehicle.refresh_from_db()
    assert vehicle.current_km == 1000
    with scope(organization=vehicle.organization):
        assert vehicle.km_readings.count() == 1


def test_override_needs_the_permission(vehicle, staff_a1):
    with pytest.raises(KmReadingRefused) as exc:
        _reading(vehicle, 900, actor=staff_a1, override_reason="Tacho getauscht")
    assert exc.value.code == "override_not_allowed"


def test_override_with_permission_and_reason(vehicle, admin_a):
    reading = _reading(vehicle, 900, actor=admin_a, override_reason="Tacho getauscht")
    assert reading.override_reason == "Tacho getauscht"
    vehicle.refresh_from_db()
    assert vehicle.current_km == 900


def test_override_permission_comes_from_the_role(org_a, vehicle, station_a1):
    user = make_member(org_a, "chef@a.example", stations=[station_a1])
    with scope(organization=org_a):
        role = Membership.objects.get(user=user).role
        role.permissions = sorted({*role.permissions, "vehicles.km_override"})
        role.save()
    assert _reading(vehicle, 10, actor=user, override_reason="Tausch").km == 10


def test_an_implausible_jump_needs_confirmation(vehicle, staff_a1):
    # 10 days since the last reading allow 15,000 km with the default of 1,500 km/day.
    with pytest.raises(KmReadingRefused) as exc:
        _reading(vehicle, 1000 + 15_001, actor=staff_a1)
    assert exc.value.code == "implausible"
    reading = _reading(vehicle, 1000 + 15_001, actor=staff_a1, confirmed_implausible=True)
    assert reading.implausible_confirmed


def test_jump_within_the_limit_needs_no_confirmation(vehicle):
    assert _reading(vehicle, 1000 + 15_000).implausible_confirmed is False


def test_limit_is_configurable_and_at_least_one_day_is_assumed(vehicle, settings):
    settings.VEHICLE_MAX_KM_PER_DAY = 100
    _reading(vehicle, 1900)  # 10 days * 100 km
    with pytest.raises(KmReadingRefused):
        _reading(vehicle, 2001)  # same moment: one day assumed → at most 100 km more
    _reading(vehicle, 2000)


def test_backdated_reading_must_fit_between_its_neighbours(vehicle):
    _reading(vehicle, 3000, days_ago=1)
    with pytest.raises(KmReadingRefused) as exc:
        _reading(vehicle, 3500, days_ago=5)
    assert exc.value.code == "above_next"
    _reading(vehicle, 2000, days_ago=5)
    vehicle.refresh_from_db()
    assert vehicle.current_km == 3000  # the latest reading in time stays the current one


def test_future_readings_are_refused(vehicle):
    with scope(organization=vehicle.organization), pytest.raises(KmReadingRefused):
        km_reading_record(
            vehicle=vehicle, km=2000, source="staff", actor=None, recorded_at=timezone.now() + dt.timedelta(days=1)
        )


def test_the_service_uses_the_membership_it_is_given(vehicle, admin_a):
    membership = membership_of(admin_a, vehicle.organization)
    assert membership.has_perm("vehicles.km_override") and membership.station_ids is None  # loaded once
    with scope(organization=vehicle.organization), CaptureQueriesContext(connection) as queries:
        reading = km_reading_record(
            vehicle=vehicle, km=900, source="staff", actor=membership, override_reason="Tacho getauscht"
        )
    assert reading.recorded_by == admin_a
    assert not [q for q in queries.captured_queries if "rentoffice_membership" in q["sql"]]


def test_outsiders_cannot_record_readings(vehicle, org_b, admin_b, staff_a2, org_a):
    viewer = membership_of(make_member(org_a, "viewer@a.example", role_key="auditor"), org_a)
    assert not viewer.has_perm("vehicles.change")
    # Another organization, another station, a member without vehicles.change.
    for actor in (membership_of(admin_b, org_b), membership_of(staff_a2, org_a), viewer):
        with scope(organization=org_a), pytest.raises(PermissionDenied):
            km_reading_record(vehicle=vehicle, km=1100, source="staff", actor=actor)
    vehicle.refresh_from_db()
    with scope(organization=org_a):
        assert vehicle.current_km == 1000 and vehicle.km_readings.count() == 1


@pytest.mark.parametrize("moment", [dt.datetime(1, 1, 1), dt.datetime(1899, 12, 31, 12), dt.datetime(2100, 1, 1)])
def test_readings_outside_the_date_window_are_refused(vehicle, moment):
    with scope(organization=vehicle.organization):
        with translation.override("de"), pytest.raises(KmReadingRefused) as exc:
            km_reading_record(
                vehicle=vehicle,
                km=900,
                source="staff",
                actor=None,
                recorded_at=timezone.make_aware(moment),
            )
        assert exc.value.code in ("date_out_of_range", "future")
        assert "Datum zwischen" in exc.value.messages[0] or "Zukunft" in exc.value.messages[0]
        assert vehicle.km_readings.count() == 1
