"""Amounts and km readings in the activity log are written as the reader's language writes them
("1.250,50" in German, "1,250.50" in English), not as auditlog stores them ("1250.50"); related
managers auditlog wrote on create ("contracts.ContractDriver.None") are left out."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django_scopes import scope

from contracts.models import Tariff
from contracts.services.activity import activity_record
from tests.actors import admin_of
from tests.contracts.conftest import at, book

pytestmark = pytest.mark.django_db


def _log(client, org, kind, pk, language):
    client.cookies["django_language"] = language
    page = client.get(reverse("activity_all", args=[org.slug, kind, pk])).content.decode()
    return page[page.index('data-testid="activity-list"') :]


def test_a_decimal_field_change_reads_in_each_language(client_admin_a, org_a, group_a):
    with scope(organization=org_a):
        tariff = Tariff.objects.create(
            organization=org_a,
            name="Transporter",
            vehicle_group=group_a,
            valid_from=dt.date(2020, 1, 1),
            price_per_day=Decimal("49.00"),
        )
        tariff.price_per_day = Decimal("1250.50")
        tariff.save()
    german = _log(client_admin_a, org_a, "tariff", tariff.pk, "de")
    assert "49,00" in german and "1.250,50" in german and "1250.50" not in german
    english = _log(client_admin_a, org_a, "tariff", tariff.pk, "en")
    assert "49.00" in english and "1,250.50" in english


def test_service_amounts_and_km_readings_read_in_each_language(
    client_admin_a, org_a, customer_a, group_a, station_a1, car1
):
    contract = book(customer_a, group_a, station_a1, at(0), at(3), vehicle=car1)
    with scope(organization=org_a):
        activity_record(contract, actor=admin_of(org_a), changes={"price": ["119.00", "1234.56"]})
        contract.km_out = 12650
        contract.save(update_fields=["km_out"])
    german = _log(client_admin_a, org_a, "contract", contract.pk, "de")
    assert "119,00" in german and "1.234,56" in german and "12.650" in german
    assert ".None" not in german  # the booking's entry lists no related managers ("…ContractDriver.None")
    english = _log(client_admin_a, org_a, "contract", contract.pk, "en")
    assert "1,234.56" in english and "12,650" in english
