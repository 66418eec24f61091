import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from tests.actors import membership_of
from tests.conftest import data_helper
from vehicles.models import Vehicle, VehicleGroup

_counter = {"n": 0}


def jpeg_upload(name: str = "photo.jpg", size=(640, 480), color=(120, 130, 140)) -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, "JPEG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/jpeg")


@data_helper
def make_vehicle(org, station, group, *, plate: str | None = None, km: int = 1000, current_station=None, **fields):
    from vehicles.services import km_reading_record

    _counter["n"] += 1
    vehicle = Vehicle(
        organization=org,
        plate=plate or f"M-T {_counter['n']}",
        make=fields.pop("make", "Volkswagen"),
        model=fields.pop("model", "Golf"),
        group=group,
        home_station=station,
        current_station=current_station or station,
        **fields,
    )
    vehicle.full_clean()
    vehicle.save()
    # The first reading lies a month back, so tests can add readings "now" without time-order clashes.
    km_reading_record(
        vehicle=vehicle, km=km, source="staff", actor=None, recorded_at=timezone.now() - dt.timedelta(days=30)
    )
    return vehicle


@pytest.fixture
def group_a(org_a):
    return VehicleGroup.objects.create(organization=org_a, name="Kleinwagen", code="KLEIN")


@pytest.fixture
def group_b(org_b):
    return VehicleGroup.objects.create(organization=org_b, name="Transporter", code="TRANS")


@pytest.fixture
def vehicle_a1(org_a, station_a1, group_a):
    return make_vehicle(org_a, station_a1, group_a, plate="M-AB 1234", vin="WVWZZZ1KZAW000001")


@pytest.fixture
def vehicle_a2(org_a, station_a2, group_a):
    return make_vehicle(org_a, station_a2, group_a, plate="A-XY 99")


@pytest.fixture
def vehicle_b1(org_b, station_b1, group_b):
    return make_vehicle(org_b, station_b1, group_b, plate="HH-B 1")


@data_helper
def grant(user, org, *permissions: str) -> None:
    """Give the user's role in `org` more permissions (e.g. vehicles.groups, which no default role of
    station staff holds)."""
    role = membership_of(user, org).role
    role.permissions = sorted(set(role.permissions) | set(permissions))
    role.save(update_fields=["permissions"])


@data_helper
def revoke(user, org, *permissions: str) -> None:
    role = membership_of(user, org).role
    role.permissions = sorted(set(role.permissions) - set(permissions))
    role.save(update_fields=["permissions"])
