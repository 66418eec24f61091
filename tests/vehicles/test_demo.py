import io

import pytest
from django.core.management import call_command
from django_scopes import scope, scopes_disabled

from rentoffice.models import Organization
from vehicles.models import ConditionRecord, Damage, DamagePhoto, KmReading, Vehicle, VehicleGroup, VehiclePhoto

pytestmark = pytest.mark.django_db


def test_demo_fleet_in_both_organizations_and_idempotent():
    call_command("seed_demo", stdout=io.StringIO())
    counts = _counts()
    for slug in ("koenig", "nord"):
        org = Organization.objects.get(slug=slug)
        with scope(organization=org):
            for model in (VehicleGroup, Vehicle, Damage, ConditionRecord, DamagePhoto, VehiclePhoto):
                assert model.objects.exists(), (slug, model)
    koenig = Organization.objects.get(slug="koenig")
    with scope(organization=koenig):
        assert Vehicle.objects.count() == 30
        assert VehicleGroup.objects.count() == 3
        assert set(Vehicle.objects.values_list("home_station__code", flat=True)) == {"MUC", "AUG", "NUE"}
    call_command("seed_demo", stdout=io.StringIO())
    assert _counts() == counts


def _counts():
    with scopes_disabled():  # every organization's rows: seeding again adds nothing anywhere
        return {model: model.objects.count() for model in (Vehicle, Damage, KmReading, DamagePhoto, VehiclePhoto)}
