"""`seed_demo` fills the board: past, running and future contracts in both organizations, made by
the services (so they obey the rules), the special cases the issue names, and idempotent."""

import io

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from contracts.models import Contract, Occupation, VehicleBlock
from rentoffice.models import Organization

pytestmark = pytest.mark.django_db

S = Contract.Status


def test_demo_contracts_in_both_organizations_and_idempotent():
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    now = timezone.now()
    for slug in ("koenig", "nord"):
        with scope(organization=Organization.objects.get(slug=slug)):
            contracts = Contract.objects.all()
            assert contracts.filter(status=S.CHECKED_IN, checked_in_at__lt=now).exists(), slug
            assert contracts.filter(status=S.CHECKED_OUT, checked_out_at__lt=now).exists(), slug
            assert contracts.filter(status=S.RESERVED, starts_at__gt=now).exists(), slug
            assert contracts.values("customer").distinct().count() >= 5, slug
            # Active contracts hold their vehicle's time through the occupation table, like any booking.
            active = contracts.filter(status__in=Contract.ACTIVE_STATUSES, vehicle__isnull=False)
            assert Occupation.objects.filter(contract__in=active).count() == active.count()
    with scope(organization=Organization.objects.get(slug="koenig")):
        assert Contract.objects.filter(kind="courtesy").exclude(workshop_order="").exists()
        assert Contract.objects.filter(kind="long_term", status=S.CHECKED_OUT).exists()
        assert Contract.objects.filter(status=S.CANCELLED).exclude(cancel_reason="").exists()
        assert VehicleBlock.objects.filter(kind="workshop").exists()
        assert Contract.objects.count() >= 60
    counts = _counts()
    call_command("seed_demo", stdout=io.StringIO())
    assert _counts() == counts


def _counts():
    with scopes_disabled():
        return {model: model.objects.count() for model in (Contract, VehicleBlock, Occupation)}
