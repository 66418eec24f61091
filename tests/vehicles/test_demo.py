import io

import pytest
from django.core.management import call_command

from rentoffice.models import Organization
from vehicles.models import ConditionRecord, Damage, DamagePhoto, KmReading, Vehicle, VehicleGroup, VehiclePhoto

pytestmark = pytest.mark.django_db


def test_demo_fleet_in_both_organizations_and_idempotent():
    call_command("seed_demo", stdout=io.StringIO())
    counts = {model: model.objects.count() for model in (Vehicle, Damage, KmReading, DamagePhoto, VehiclePhoto)}
    for slug in ("koenig", "nord"):
        org = Organization.objects.get(slug=slug)
        for model in (VehicleGroup, Vehicle, Damage, ConditionRecord):
            assert model.objects.filter(organization=org).exists(), (slug, model)
        assert DamagePhoto.objects.filter(organization=org).exists()
        assert VehiclePhoto.objects.filter(organization=org).exists()
    koenig = Organization.objects.get(slug="koenig")
    assert Vehicle.objects.filter(organization=koenig).count() == 30
    assert VehicleGroup.objects.filter(organization=koenig).count() == 3
    assert set(Vehicle.objects.filter(organization=koenig).values_list("home_station__code", flat=True)) == {
        "MUC",
        "AUG",
        "NUE",
    }
    call_command("seed_demo", stdout=io.StringIO())
    assert counts == {model: model.objects.count() for model in counts}
