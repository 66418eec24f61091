"""Tariff editor: services with their rights and validation, the applicable tariff, pages, queries."""

import datetime as dt
from decimal import Decimal as D
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import translation
from django_scopes import scope, scopes_disabled

from contracts.models import Contract, ContractLine, ContractSettings, Extra, GroupBuffer, Tariff
from contracts.selectors_tariffs import tariff_applicable
from contracts.services.tariffs import contract_settings_save, tariff_deactivate, tariff_reactivate, tariff_save
from tests.actors import admin_of, membership_of
from tests.conftest import make_member
from tests.customers.conftest import make_customer
from vehicles.models import VehicleGroup

pytestmark = pytest.mark.django_db
BERLIN = ZoneInfo("Europe/Berlin")


@pytest.fixture
def group_a(org_a):
    return VehicleGroup.objects.create(organization=org_a, name="Kompaktklasse", code="KOMPAKT")


def new_tariff(org, group, **fields) -> Tariff:
    values = {
        "organization": org,
        "name": "Kompakt Standard",
        "vehicle_group": group,
        "valid_from": dt.date(2026, 1, 1),
        "price_per_day": D("49.00"),
        "price_per_week": D("199.00"),
    }
    values.update(fields)
    return Tariff(**values)


def save(org, group, actor=None, extras=(), **fields) -> Tariff:
    with scope(organization=org):
        return tariff_save(actor=actor or admin_of(org), tariff=new_tariff(org, group, **fields), extras=extras)


@pytest.fixture
def tariff_a(org_a, group_a):
    return save(org_a, group_a, extras=[Extra(name="Kindersitz", kind="child_seat", price=D("8.00"))])


# --- rights ---


def test_lesser_members_cannot_save_or_deactivate(org_a, group_a, station_a1, station_a2, tariff_a):
    staff = membership_of(make_member(org_a, "staff@a.example", stations=[station_a1]), org_a)
    auditor = membership_of(make_member(org_a, "auditor@a.example", role_key="auditor"), org_a)
    for actor in (staff, auditor):
        with pytest.raises(PermissionDenied):
            save(org_a, group_a, actor=actor, name="Neu", valid_from=dt.date(2027, 1, 1))
        with scope(organization=org_a), pytest.raises(PermissionDenied):
            tariff_deactivate(actor=actor, tariff=tariff_a)
        with scope(organization=org_a), pytest.raises(PermissionDenied):
            contract_settings_save(actor=actor, buffer_minutes=30, vehicle_assignment="booking")
    with scopes_disabled():
        assert Tariff.objects.filter(organization=org_a).count() == 1
        assert Tariff.objects.get(pk=tariff_a.pk).is_active


def test_other_organizations_admin_is_refused(org_a, org_b, group_a, tariff_a):
    with scope(organization=org_a), pytest.raises(PermissionDenied):
        tariff_deactivate(actor=admin_of(org_b), tariff=tariff_a)


def test_station_limited_tariff_admin_only_for_own_station(org_a, group_a, station_a1, station_a2):
    with scopes_disabled():
        role = admin_of(org_a).role
        user = make_member(org_a, "lead@a.example", stations=[station_a1])
        membership = membership_of(user, org_a)
        membership.role = role
        membership.save()
        membership = membership_of(user, org_a)
    save(org_a, group_a, actor=membership, station=station_a1)  # their station: fine
    with pytest.raises(PermissionDenied):
        save(org_a, group_a, actor=membership, station=station_a2, name="A2")
    with pytest.raises(PermissionDenied):
        save(org_a, group_a, actor=membership, station=None, name="Alle")


# --- validation ---


def test_end_before_start_is_a_field_error(org_a, group_a):
    with translation.override("en"), pytest.raises(ValidationError) as exc:
        save(org_a, group_a, valid_until=dt.date(2025, 12, 31))
    assert exc.value.message_dict["valid_until"] == ["The end of the validity cannot be before its start."]


def test_overlap_names_the_other_tariff(org_a, group_a, tariff_a):
    with translation.override("en"), pytest.raises(ValidationError) as exc:
        save(org_a, group_a, name="Sommer", valid_from=dt.date(2026, 6, 1), valid_until=dt.date(2026, 8, 31))
    (message,) = exc.value.message_dict["valid_from"]
    assert message.startswith("The validity overlaps with the tariff “Kompakt Standard” (from 01/01/2026)")
    with scopes_disabled():
        assert not Tariff.objects.filter(name="Sommer").exists()


def test_no_overlap_for_another_station_or_after_deactivation(org_a, group_a, station_a1, tariff_a):
    save(org_a, group_a, name="A1", station=station_a1)
    with scope(organization=org_a):
        tariff_deactivate(actor=admin_of(org_a), tariff=tariff_a)
    second = save(org_a, group_a, name="Neu 2026")
    with scope(organization=org_a), pytest.raises(ValidationError):
        tariff_reactivate(actor=admin_of(org_a), tariff=tariff_a)
    assert second.pk


def test_day_price_is_required_and_prices_not_negative(org_a, group_a):
    with pytest.raises(ValidationError) as exc:
        save(org_a, group_a, price_per_day=None, price_per_hour=D("-1"))
    assert set(exc.value.message_dict) >= {"price_per_day", "price_per_hour"}


# --- applicable tariff ---


def test_station_tariff_wins_and_validity_counts(org_a, group_a, station_a1, station_a2, tariff_a):
    airport = save(org_a, group_a, name="Flughafen", station=station_a1, valid_until=dt.date(2026, 6, 30))
    june = dt.datetime(2026, 6, 30, 23, 30, tzinfo=BERLIN)  # still June 30 in Berlin
    with scope(organization=org_a):
        assert tariff_applicable(vehicle_group=group_a, station=station_a1, at=june) == airport
        assert tariff_applicable(vehicle_group=group_a, station=station_a2, at=june) == tariff_a
        assert tariff_applicable(vehicle_group=group_a, station=None, at=june) == tariff_a
        assert tariff_applicable(vehicle_group=group_a, station=station_a1, at=june + dt.timedelta(hours=1)) == tariff_a
        assert tariff_applicable(vehicle_group=group_a, station=station_a1, at=dt.date(2025, 12, 31)) is None
        tariff_deactivate(actor=admin_of(org_a), tariff=tariff_a)
        assert tariff_applicable(vehicle_group=group_a, station=station_a2, at=june) is None


# --- existing contracts keep their lines ---


@pytest.fixture
def contract_a(org_a, group_a, station_a1, tariff_a):
    customer = make_customer(org_a, first_name="Jürgen", last_name="Müller")
    contract = Contract.objects.create(
        organization=org_a,
        number="V-1",
        customer=customer,
        vehicle_group=group_a,
        tariff=tariff_a,
        pickup_station=station_a1,
        return_station=station_a1,
        starts_at=dt.datetime(2026, 3, 3, 10, tzinfo=BERLIN),
        ends_at=dt.datetime(2026, 3, 6, 10, tzinfo=BERLIN),
    )
    ContractLine.objects.create(
        contract=contract,
        kind="rent",
        description="Kompakt Standard: 3 Tage",
        quantity=3,
        unit="day",
        unit_price=D("49.00"),
        vat_rate=D("19.00"),
        net=D("123.53"),
        gross=D("147.00"),
    )
    return contract


def test_editing_a_tariff_leaves_contract_lines_alone(org_a, tariff_a, contract_a):
    with scope(organization=org_a):
        tariff = Tariff.objects.get(pk=tariff_a.pk)
        tariff.price_per_day = D("99.00")
        tariff_save(actor=admin_of(org_a), tariff=tariff)
        tariff_deactivate(actor=admin_of(org_a), tariff=tariff)
        line = ContractLine.objects.get(contract=contract_a)
        assert (line.unit_price, line.gross) == (D("49.00"), D("147.00"))
        assert Contract.objects.get(pk=contract_a.pk).tariff_id == tariff_a.pk


def test_a_tariff_used_by_a_contract_cannot_be_deleted(org_a, tariff_a, contract_a):
    from django.db.models import ProtectedError

    with scope(organization=org_a), pytest.raises(ProtectedError):
        Tariff.objects.get(pk=tariff_a.pk).delete()


# --- extras and the activity log ---


def test_extras_added_changed_removed_and_logged(org_a, tariff_a):
    from auditlog.models import LogEntry

    with scope(organization=org_a):
        seat = Extra.objects.get(tariff=tariff_a)
        seat.price = D("9.00")
        driver = Extra(name="Zusatzfahrer", kind="additional_driver", price=D("10.00"))
        tariff_save(actor=admin_of(org_a), tariff=Tariff.objects.get(pk=tariff_a.pk), extras=[seat, driver])
        assert sorted(Extra.objects.filter(tariff=tariff_a).values_list("name", "price")) == [
            ("Kindersitz", D("9.00")),
            ("Zusatzfahrer", D("10.00")),
        ]
        tariff_save(actor=admin_of(org_a), tariff=Tariff.objects.get(pk=tariff_a.pk), removed_extras=[seat])
        assert list(Extra.objects.filter(tariff=tariff_a).values_list("name", flat=True)) == ["Zusatzfahrer"]
        entries = LogEntry.objects.get_for_object(tariff_a)
        assert any("extras" in (e.changes_dict or {}) for e in entries)


def test_removing_another_tariffs_extra_is_refused(org_a, group_a, station_a1, tariff_a):
    other = save(org_a, group_a, name="A1", station=station_a1, extras=[Extra(name="X", price=D("1"))])
    with scope(organization=org_a):
        foreign = Extra.objects.get(tariff=other)
        with pytest.raises(PermissionDenied):
            tariff_save(actor=admin_of(org_a), tariff=Tariff.objects.get(pk=tariff_a.pk), removed_extras=[foreign])
        assert Extra.objects.filter(pk=foreign.pk).exists()


# --- rental settings ---


def test_rental_settings_and_group_buffers(org_a, group_a):
    with scope(organization=org_a):
        contract_settings_save(
            actor=admin_of(org_a), buffer_minutes=90, vehicle_assignment="check_out", group_buffers={group_a: 30}
        )
        assert ContractSettings.objects.get(organization=org_a).buffer_minutes == 90
        assert GroupBuffer.objects.get(vehicle_group=group_a).buffer_minutes == 30
        contract_settings_save(
            actor=admin_of(org_a), buffer_minutes=90, vehicle_assignment="check_out", group_buffers={group_a: None}
        )
        assert not GroupBuffer.objects.filter(vehicle_group=group_a).exists()
        with pytest.raises(ValidationError) as exc:
            contract_settings_save(actor=admin_of(org_a), buffer_minutes=99999, vehicle_assignment="booking")
        assert "buffer_minutes" in exc.value.message_dict
        assert ContractSettings.objects.get(organization=org_a).buffer_minutes == 90


# --- pages ---


@pytest.mark.parametrize(
    ("language", "title", "calc"), [("de", "Tarife", "Preisrechner"), ("en", "Tariffs", "Price calculator")]
)
def test_pages_in_both_languages(client_admin_a, org_a, tariff_a, language, title, calc):
    client_admin_a.cookies["django_language"] = language
    headers = {"HTTP_ACCEPT_LANGUAGE": language}
    response = client_admin_a.get(reverse("contracts:tariff_list", args=[org_a.slug]), **headers)
    assert response.status_code == 200
    assert title in response.content.decode() and "Kompakt Standard" in response.content.decode()
    page = client_admin_a.get(
        reverse("contracts:tariff_edit", args=[org_a.slug, tariff_a.pk]), **headers
    ).content.decode()
    assert calc in page and "Kindersitz" in page
    assert client_admin_a.get(reverse("contracts:rental_settings", args=[org_a.slug]), **headers).status_code == 200


def test_calculator_prices_with_explanation(client_admin_a, org_a, tariff_a):
    with scopes_disabled():
        seat = Extra.objects.get(tariff=tariff_a)
    url = reverse("contracts:tariff_calculate", args=[org_a.slug, tariff_a.pk])
    client_admin_a.cookies["django_language"] = "en"
    response = client_admin_a.get(
        url,
        {"starts_at": "2026-03-03T10:00", "ends_at": "2026-03-06T10:00", "km": "", f"extra_{seat.pk}": "1"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    html = response.content.decode()
    assert "3 days at 49.00 € = 147.00 €; cheaper than 1 week at 199.00 € = 199.00 €" in html
    assert "171.00 €" in html  # 147 + 3 × 8
    bad = client_admin_a.get(url, {"starts_at": "2026-03-06T10:00", "ends_at": "2026-03-03T10:00"}).content.decode()
    assert "priced-line" not in bad and "alert-danger" in bad


def test_editor_creates_tariff_with_extra_and_refuses_overlap(client_admin_a, org_a, group_a, tariff_a):
    url = reverse("contracts:tariff_create", args=[org_a.slug])
    client_admin_a.cookies["django_language"] = "en"
    data = {
        "name": "Sommer",
        "vehicle_group": group_a.pk,
        "station": "",
        "valid_from": "2026-06-01",
        "valid_until": "2026-08-31",
        "price_per_day": "59.00",
        "included_km_per_day": "200",
        "price_per_extra_km": "0.25",
        "deposit": "300",
        "prices_include_vat": "on",
        "vat_rate": "19",
        "extras-TOTAL_FORMS": "1",
        "extras-INITIAL_FORMS": "0",
        "extras-MIN_NUM_FORMS": "0",
        "extras-MAX_NUM_FORMS": "1000",
        "extras-0-kind": "one_way",
        "extras-0-name": "Einwegmiete",
        "extras-0-charge": "per_rental",
        "extras-0-price": "79",
        "extras-0-is_active": "on",
    }
    response = client_admin_a.post(url, data, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert "overlaps with the tariff “Kompakt Standard”" in response.content.decode()
    data["valid_from"], data["valid_until"] = "2027-01-01", "2027-08-31"
    with scopes_disabled():
        Tariff.objects.filter(pk=tariff_a.pk).update(valid_until=dt.date(2026, 12, 31))
    response = client_admin_a.post(url, data)
    assert response.status_code == 302
    with scopes_disabled():
        created = Tariff.objects.get(name="Sommer")
        assert list(created.extras.values_list("name", "charge", "price")) == [
            ("Einwegmiete", "per_rental", D("79.00"))
        ]


def test_station_staff_get_403(client_staff_a1, org_a, tariff_a):
    assert client_staff_a1.get(reverse("contracts:tariff_list", args=[org_a.slug])).status_code == 403
    assert client_staff_a1.get(reverse("contracts:tariff_edit", args=[org_a.slug, tariff_a.pk])).status_code == 403


def test_outsider_404(client_admin_b, org_a, tariff_a):
    for name in ("tariff_edit", "tariff_calculate"):
        assert client_admin_b.get(reverse(f"contracts:{name}", args=[org_a.slug, tariff_a.pk])).status_code == 404
    assert client_admin_b.get(reverse("contracts:tariff_list", args=[org_a.slug])).status_code == 404


def test_list_query_count_constant(client_admin_a, org_a, station_a1, django_assert_max_num_queries):
    def add(n):
        with scopes_disabled():
            for i in range(n):
                group = VehicleGroup.objects.create(organization=org_a, name=f"G{i}-{n}", code=f"G{i}X{n}")
                save(org_a, group, station=station_a1 if i % 2 else None)

    url = reverse("contracts:tariff_list", args=[org_a.slug])
    add(2)
    with django_assert_max_num_queries(12) as small:
        assert client_admin_a.get(url).status_code == 200
    add(20)
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert client_admin_a.get(url).content.decode().count('data-testid="tariff-row"') == 22
