"""Rights enforced by the fleet's services themselves (issue 8 §1), called directly as an API would."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django_scopes import scope, scopes_disabled

from rentoffice.images import process_image
from rentoffice.models import Station
from tests.actors import admin_of, membership_of
from tests.conftest import make_member
from vehicles.models import Damage, Vehicle, VehicleGroup, VehiclePhoto
from vehicles.services import (
    damage_create,
    photo_delete,
    vehicle_group_delete,
    vehicle_group_save,
    vehicle_photos_add,
    vehicle_retire,
    vehicle_save,
)

from .conftest import jpeg_upload, make_vehicle

pytestmark = pytest.mark.django_db


@pytest.fixture
def fleet(org_a, org_b):
    with scopes_disabled():
        a1 = Station.objects.create(organization=org_a, name="A1 München", code="A1")
        a2 = Station.objects.create(organization=org_a, name="A2 Augsburg", code="A2")
        group = VehicleGroup.objects.create(organization=org_a, name="Kleinwagen", code="KLEIN")
        at_a1 = make_vehicle(org_a, a1, group)
        at_a2 = make_vehicle(org_a, a2, group)
        staff = make_member(org_a, "staff1@a.example", stations=[a1])
        auditor = make_member(org_a, "auditor@a.example", role_key="auditor")
    return {
        "org": org_a,
        "a1": a1,
        "a2": a2,
        "group": group,
        "at_a1": at_a1,
        "at_a2": at_a2,
        "staff": membership_of(staff, org_a),
        "auditor": membership_of(auditor, org_a),
        "admin": admin_of(org_a),
        "admin_b": admin_of(org_b),
    }


def _new_vehicle(fleet, home, current=None) -> Vehicle:
    return Vehicle(
        organization=fleet["org"],
        plate="M-NE 1",
        make="Opel",
        model="Corsa",
        group=fleet["group"],
        home_station=home,
        current_station=current or home,
    )


def test_station_limited_member_creates_vehicles_only_at_home_in_their_stations(fleet):
    with scope(organization=fleet["org"]):
        with pytest.raises(ValidationError) as refused:
            vehicle_save(actor=fleet["staff"], vehicle=_new_vehicle(fleet, fleet["a2"], fleet["a1"]))
        assert set(refused.value.error_dict) == {"home_station"}
        assert not Vehicle.objects.filter(plate="M-NE 1").exists()
        # Handed over to another station is fine: only the home is theirs to choose.
        vehicle = vehicle_save(actor=fleet["staff"], vehicle=_new_vehicle(fleet, fleet["a1"], fleet["a2"]))
    assert vehicle.home_station == fleet["a1"]


def test_station_limited_member_does_not_move_a_vehicles_home_out_of_their_stations(fleet):
    vehicle = fleet["at_a1"]
    with scope(organization=fleet["org"]):
        vehicle.home_station = fleet["a2"]
        with pytest.raises(ValidationError) as refused:
            vehicle_save(actor=fleet["staff"], vehicle=vehicle)
        assert set(refused.value.error_dict) == {"home_station"}
        assert Vehicle.objects.get(pk=vehicle.pk).home_station_id == fleet["a1"].pk

        # A vehicle of another station that is here right now keeps its home when edited.
        guest = Vehicle.objects.get(pk=fleet["at_a2"].pk)
        Vehicle.objects.filter(pk=guest.pk).update(current_station=fleet["a1"])
        guest.current_station = fleet["a1"]
        guest.notes = "Gast"
        vehicle_save(actor=fleet["staff"], vehicle=guest)
        assert Vehicle.objects.get(pk=guest.pk).notes == "Gast"


def test_vehicles_of_other_stations_and_organizations_are_not_changed(fleet):
    with scope(organization=fleet["org"]):
        elsewhere = fleet["at_a2"]
        with pytest.raises(PermissionDenied):
            vehicle_retire(actor=fleet["staff"], vehicle=elsewhere, reason="weg")
        with pytest.raises(PermissionDenied):
            damage_create(actor=fleet["staff"], vehicle=elsewhere, damage=Damage(area="left", description="x"))
        with pytest.raises(PermissionDenied):
            vehicle_retire(actor=fleet["admin_b"], vehicle=fleet["at_a1"], reason="weg")
        elsewhere.notes = "übernommen"
        with pytest.raises(PermissionDenied):
            vehicle_save(actor=fleet["staff"], vehicle=elsewhere)
        assert not Vehicle.objects.filter(status=Vehicle.Status.RETIRED).exists()
        assert not Damage.objects.exists()
        assert Vehicle.objects.get(pk=elsewhere.pk).notes == ""


def test_viewers_do_not_change_the_fleet(fleet):
    vehicle = fleet["at_a1"]
    with scope(organization=fleet["org"]):
        photo = vehicle_photos_add(actor=fleet["admin"], vehicle=vehicle, photos=[process_image(jpeg_upload())])[0]
        with pytest.raises(PermissionDenied):
            damage_create(actor=fleet["auditor"], vehicle=vehicle, damage=Damage(area="left", description="x"))
        with pytest.raises(PermissionDenied):
            vehicle_photos_add(actor=fleet["auditor"], vehicle=vehicle, photos=[process_image(jpeg_upload())])
        with pytest.raises(PermissionDenied):
            photo_delete(actor=fleet["auditor"], photo=photo)
        assert VehiclePhoto.objects.filter(vehicle=vehicle).count() == 1


def test_vehicle_groups_need_their_permission(fleet):
    group = fleet["group"]
    with scope(organization=fleet["org"]):
        group.name = "Umbenannt"
        with pytest.raises(PermissionDenied):
            vehicle_group_save(actor=fleet["staff"], group=group)
        with pytest.raises(PermissionDenied):
            vehicle_group_delete(
                actor=fleet["staff"],
                group=VehicleGroup.objects.create(organization=fleet["org"], name="Leer", code="LEER"),
            )
        with pytest.raises(PermissionDenied):
            vehicle_group_save(actor=fleet["admin_b"], group=group)
        assert VehicleGroup.objects.get(pk=group.pk).name == "Kleinwagen"
        assert VehicleGroup.objects.filter(code="LEER").exists()
