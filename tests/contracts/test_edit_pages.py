"""The contract page's edit actions through the browser's forms (test client): each change goes
through its service, shows in the activity log with readable labels, and bad input or a refusal
leaves the contract as it was."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from contracts.models import Contract, ContractDriver, Tariff
from contracts.services.lifecycle import contract_check_out
from tests.actors import admin_of
from tests.contracts.conftest import at, book
from tests.customers.conftest import make_customer

pytestmark = pytest.mark.django_db

LOCAL = "%Y-%m-%dT%H:%M"


@pytest.fixture
def tariff_a(org_a, group_a):
    return Tariff.objects.create(
        organization=org_a,
        name="Kleinwagen Standard",
        vehicle_group=group_a,
        valid_from=dt.date(2020, 1, 1),
        price_per_day=Decimal("49.00"),
    )


@pytest.fixture
def contract_a(customer_a, group_a, station_a1, car1, tariff_a):
    return book(customer_a, group_a, station_a1, at(0), at(3), vehicle=car1, tariff=tariff_a)


def url(name, org, *args):
    return reverse(f"contracts:{name}", args=[org.slug, *args])


def fresh(contract) -> Contract:
    with scope(organization=contract.organization):
        return Contract.objects.select_related("vehicle", "tariff").get(pk=contract.pk)


def activity(client, org, contract) -> str:
    return client.get(reverse("activity_all", args=[org.slug, "contract", contract.pk])).content.decode()


def test_change_period(client_admin_a, org_a, contract_a):
    page = url("period", org_a, contract_a.pk)
    assert client_admin_a.get(page).status_code == 200
    bad = client_admin_a.post(page, {"starts_at": at(2).strftime(LOCAL), "ends_at": at(1).strftime(LOCAL)})
    assert bad.status_code == 200 and "is-invalid" in bad.content.decode()
    assert fresh(contract_a).ends_at == at(3)

    response = client_admin_a.post(page, {"starts_at": at(0).strftime(LOCAL), "ends_at": at(4).strftime(LOCAL)})
    assert response.status_code == 302
    assert fresh(contract_a).ends_at == at(4)
    assert "Rückgabe" in activity(client_admin_a, org_a, contract_a)  # the field's label, not "ends_at"


def test_period_conflict_names_the_colliding_contract(
    client_admin_a, org_a, contract_a, customer_a2, group_a, station_a1, car2
):
    # car2 is the only other car; take it, then move contract_a where car1 is held by another contract
    other = book(customer_a2, group_a, station_a1, at(5), at(7), vehicle=contract_a.vehicle)
    response = client_admin_a.post(
        url("period", org_a, contract_a.pk), {"starts_at": at(0).strftime(LOCAL), "ends_at": at(6).strftime(LOCAL)}
    )
    assert response.status_code == 200
    assert other.number in response.content.decode()
    assert fresh(contract_a).ends_at == at(3)


def test_swap_offers_only_free_vehicles(client_admin_a, org_a, contract_a, customer_a2, group_a, station_a1, car2):
    from tests.vehicles.conftest import make_vehicle

    car3 = make_vehicle(org_a, station_a1, group_a, plate="M-AA 3")
    book(customer_a2, group_a, station_a1, at(1), at(2), vehicle=car3)
    page = client_admin_a.get(url("vehicle_swap", org_a, contract_a.pk)).content.decode()
    assert "M-AA 2" in page and "M-AA 3" not in page
    taken = client_admin_a.post(url("vehicle_swap", org_a, contract_a.pk), {"vehicle": car3.pk})
    assert taken.status_code == 200 and "is-invalid" in taken.content.decode()
    assert client_admin_a.post(url("vehicle_swap", org_a, contract_a.pk), {"vehicle": car2.pk}).status_code == 302
    assert fresh(contract_a).vehicle == car2


def test_swap_page_says_when_no_other_vehicle_is_free(client_admin_a, org_a, customer_a, group_a, station_a1, tariff_a):
    from tests.vehicles.conftest import make_vehicle

    only = make_vehicle(org_a, station_a1, group_a, plate="M-ON 1")
    contract = book(customer_a, group_a, station_a1, at(0), at(1), vehicle=only, tariff=tariff_a)
    page = client_admin_a.get(url("vehicle_swap", org_a, contract.pk))
    assert page.status_code == 200
    assert "Kein anderes Fahrzeug der Gruppe" in page.content.decode()


def test_remove_vehicle(client_admin_a, org_a, contract_a):
    assert client_admin_a.get(url("vehicle_remove", org_a, contract_a.pk)).status_code == 200
    assert client_admin_a.post(url("vehicle_remove", org_a, contract_a.pk), {"confirm": "True"}).status_code == 302
    assert fresh(contract_a).vehicle is None
    detail = client_admin_a.get(url("detail", org_a, contract_a.pk)).content.decode()
    assert 'data-testid="action-vehicle-remove"' not in detail


def test_change_tariff_and_reload_price_shows_old_and_new(client_admin_a, org_a, contract_a, tariff_a, group_a):
    with scopes_disabled():
        cheaper = Tariff.objects.create(
            organization=org_a,
            name="Aktion",
            vehicle_group=group_a,
            valid_from=dt.date(2020, 1, 1),
            price_per_day=Decimal("29.00"),
        )
    assert client_admin_a.post(url("tariff", org_a, contract_a.pk), {"tariff": "999999"}).status_code == 200
    assert fresh(contract_a).tariff == tariff_a
    assert client_admin_a.post(url("tariff", org_a, contract_a.pk), {"tariff": cheaper.pk}).status_code == 302
    assert fresh(contract_a).tariff == cheaper

    # The tariff's price changes later: the contract keeps its lines until someone reloads.
    with scopes_disabled():
        Tariff.objects.filter(pk=cheaper.pk).update(price_per_day=Decimal("39.00"))
    preview = client_admin_a.get(url("price_reload", org_a, contract_a.pk)).content.decode()
    assert "87,00 €" in preview and "117,00 €" in preview  # 3 days at 29 € now, at 39 € after
    with scope(organization=org_a):
        assert sum(line.gross for line in fresh(contract_a).lines.all()) == Decimal("87.00")
    assert client_admin_a.post(url("price_reload", org_a, contract_a.pk), {"confirm": "True"}).status_code == 302
    with scope(organization=org_a):
        assert sum(line.gross for line in fresh(contract_a).lines.all()) == Decimal("117.00")
    log = activity(client_admin_a, org_a, contract_a)
    assert "Tarif" in log and "Preis (brutto)" in log


def test_cancel_needs_a_reason(client_admin_a, org_a, contract_a):
    page = url("cancel", org_a, contract_a.pk)
    assert client_admin_a.post(page, {"reason": ""}).status_code == 200
    assert fresh(contract_a).status == Contract.Status.RESERVED
    assert client_admin_a.post(page, {"reason": "Kunde hat abgesagt"}).status_code == 302
    contract = fresh(contract_a)
    assert contract.status == Contract.Status.CANCELLED and contract.cancel_reason == "Kunde hat abgesagt"
    detail = client_admin_a.get(url("detail", org_a, contract.pk)).content.decode()
    assert "Kunde hat abgesagt" in detail and 'data-testid="action-check-out"' not in detail
    # Cancelling twice is refused by the pipeline and explained, never a 500.
    again = client_admin_a.post(page, {"reason": "nochmal"})
    assert again.status_code == 200 and "form-errors" in again.content.decode()


def test_notes_newest_first(client_admin_a, org_a, contract_a):
    for text in ("Erste Notiz", "Zweite Notiz"):
        assert client_admin_a.post(url("note_add", org_a, contract_a.pk), {"text": text}).status_code == 302
    assert client_admin_a.post(url("note_add", org_a, contract_a.pk), {"text": "  "}).status_code == 200
    detail = client_admin_a.get(url("detail", org_a, contract_a.pk)).content.decode()
    assert detail.index("Zweite Notiz") < detail.index("Erste Notiz")
    assert "Notiz" in activity(client_admin_a, org_a, contract_a)


def test_further_drivers(client_admin_a, org_a, contract_a, customer_a2):
    page = url("driver_add", org_a, contract_a.pk)
    found = client_admin_a.get(page, {"q": "Mustermann"}).content.decode()
    assert f'value="{customer_a2.pk}"' in found
    assert client_admin_a.post(page, {}).status_code == 200  # neither customer nor name
    assert client_admin_a.post(page, {"customer": customer_a2.pk}).status_code == 302
    expired = client_admin_a.post(
        page, {"name": "Karl Klein", "licence_number": "B123", "licence_expires_on": "2020-01-01"}
    )
    assert (
        expired.status_code == 200 and "is-invalid" in expired.content.decode()
    ) or "form-errors" in expired.content.decode()
    assert (
        client_admin_a.post(
            page, {"name": "Karl Klein", "licence_number": "B123", "date_of_birth": "1980-05-01"}
        ).status_code
        == 302
    )
    with scope(organization=org_a):
        drivers = list(ContractDriver.objects.filter(contract=contract_a).order_by("pk"))
    assert [str(d) for d in drivers][1] == "Karl Klein" and drivers[0].customer == customer_a2
    log = activity(client_admin_a, org_a, contract_a)
    assert "Weitere Fahrer" in log

    remove = url("driver_remove", org_a, drivers[1].pk)
    assert client_admin_a.get(remove).status_code == 200
    assert client_admin_a.post(remove, {"confirm": "True"}).status_code == 302
    with scope(organization=org_a):
        assert list(ContractDriver.objects.filter(contract=contract_a)) == [drivers[0]]


def test_check_out_and_in_lead_into_the_protocol_flow(client_admin_a, org_a, contract_a):
    # Hand-over and return are recorded as protocols (km, fuel, damages, photos, signatures; see
    # tests/protocols/test_capture_pages.py): the contract's actions only lead there and change nothing.
    for name, target in (("check_out", "protocols:start_check_out"), ("check_in", "protocols:start_check_in")):
        for method in ("get", "post"):
            response = getattr(client_admin_a, method)(url(name, org_a, contract_a.pk), {"km": "1010", "fuel": "8"})
            assert response.status_code == 302, (name, method)
            assert response["Location"] == reverse(target, args=[org_a.slug, contract_a.pk])
    assert fresh(contract_a).status == Contract.Status.RESERVED


def test_the_customer_cards_return_button_opens_check_in(client_admin_a, org_a, contract_a, customer_a):
    with scope(organization=org_a):
        contract_check_out(actor=admin_of(contract_a), contract=contract_a, km=1010, fuel=8)
    card = client_admin_a.get(reverse("customers:card", args=[org_a.slug, customer_a.pk])).content.decode()
    assert url("check_in", org_a, contract_a.pk) in card
    back = client_admin_a.get(url("check_in", org_a, contract_a.pk))
    assert back["Location"] == reverse("protocols:start_check_in", args=[org_a.slug, contract_a.pk])
    assert 'data-testid="protocol-start"' in client_admin_a.get(back["Location"]).content.decode()


def test_hostile_input_on_every_edit_form(client_admin_a, org_a, contract_a):
    hostile = {
        "starts_at": "0001-01-01T00:00",
        "ends_at": "9999-12-31T23:59",
        "vehicle": "abc",
        "tariff": "9" * 40,
        "reason": "x" * 10_000,
        "text": "a\x00b",
        "customer": "-1",
        "name": "x" * 10_000,
        "date_of_birth": "0001-01-01",
        "km": "-1e400",
        "fuel": "99",
        "station": "abc",
        "confirm": "maybe",
    }
    before = fresh(contract_a)
    for name in ("period", "vehicle_swap", "tariff", "cancel", "note_add", "driver_add"):
        response = client_admin_a.post(url(name, org_a, contract_a.pk), hostile)
        assert response.status_code == 200, name
    after = fresh(contract_a)
    assert (after.status, after.starts_at, after.ends_at, after.vehicle_id) == (
        before.status,
        before.starts_at,
        before.ends_at,
        before.vehicle_id,
    )


def test_a_customer_may_drive_only_once(client_admin_a, org_a, contract_a):
    other = make_customer(org_a, last_name="Beifahrer")
    page = url("driver_add", org_a, contract_a.pk)
    assert client_admin_a.post(page, {"customer": other.pk}).status_code == 302
    again = client_admin_a.post(page, {"customer": other.pk})
    assert again.status_code == 200
    with scope(organization=org_a):
        assert ContractDriver.objects.filter(contract=contract_a).count() == 1
