"""Saving the card as the browser shows it keeps every stored value (issue 7 item 1).

The POST data is read from the rendered HTML, not from the form object, so a widget that shows the
wrong value (the permission selects once always showed "organization default") fails here.
"""

import datetime as dt

import pytest
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from customers.models import AccessCard, Customer, CustomerAttribute
from customers.services import CardRow, customer_save
from tests.actors import admin_of
from tests.htmlform import form_post_data
from vehicles.models import VehicleGroup

pytestmark = pytest.mark.django_db

SKIP = {"updated_at", "last_activity_at", "notes"}


def snapshot(customer: Customer) -> dict:
    customer = Customer.objects.get(pk=customer.pk)
    values = {f.attname: getattr(customer, f.attname) for f in Customer._meta.concrete_fields if f.attname not in SKIP}
    values["attributes"] = sorted(customer.attributes.values_list("pk", flat=True))
    values["allowed_vehicle_groups"] = sorted(customer.allowed_vehicle_groups.values_list("pk", flat=True))
    values["allowed_stations"] = sorted(customer.allowed_stations.values_list("pk", flat=True))
    values["cards"] = sorted(
        AccessCard.objects.filter(customer=customer).values_list("number", "valid_from", "valid_until")
    )
    return values


@pytest.fixture
def full_customer(org_a, admin_a, station_a1, station_a2):
    """A customer with a non-default value in every field of every tab."""
    with scopes_disabled():
        group = VehicleGroup.objects.create(organization=org_a, name="Transporter", code="TRANS")
        VehicleGroup.objects.create(organization=org_a, name="Kleinwagen", code="KLEIN")
        vip = CustomerAttribute.objects.create(organization=org_a, name="VIP")
        CustomerAttribute.objects.create(organization=org_a, name="Stammkunde")
        main = customer_save(
            actor=admin_of(org_a),
            customer=Customer(organization=org_a, kind="legal_entity", company="Müller & Söhne GmbH"),
        )
        customer = Customer(
            organization=org_a,
            kind="person",
            main_customer=main,
            home_station=station_a2,
            salutation="Frau",
            first_name="Özlem",
            last_name="Yılmaz",
            company="Yılmaz Transporte",
            street="Hauptstraße 1",
            address_extra="Hinterhaus",
            postal_code="86150",
            city="Augsburg",
            country="AT",
            phone="0821 123456",
            mobile="0170 1234567",
            email="oezlem@example.com",
            email_invoices="rechnung@example.com",
            email_bookings="buchung@example.com",
            licence_class="B, BE",
            contract_start=dt.date(2020, 1, 1),
            contract_end=dt.date(2030, 12, 31),
            valid_until=dt.date(2031, 6, 30),
            gender="female",
            nationality="TR",
            date_of_birth=dt.date(1985, 4, 12),
            licence_number="B072RRE2I55",
            licence_issued_on=dt.date(2003, 5, 1),
            licence_authority="Stadt Augsburg",
            licence_expires_on=dt.date(2033, 5, 1),
            id_document_type="passport",
            id_document_number="C01X00T47",
            id_document_authority="Stadt Augsburg",
            id_document_expires_on=dt.date(2029, 1, 31),
            is_blocked=True,
            blocked_reason="Offene Rechnung",
            licence_check_interval_months=6,
            licence_checked_at=dt.date(2026, 1, 15),
            licence_checked_by=admin_a,
            iban="DE89370400440532013000",
            bic="COBADEFFXXX",
            account_holder="Özlem Yılmaz",
            sepa_mandate_reference="MANDAT-1",
            sepa_mandate_date=dt.date(2024, 2, 1),
            invoice_recipient="Buchhaltung\nPostfach 1",
            debtor_account="10001",
            payment_method="direct_debit",
            credit_check_result="gut",
            credit_check_date=dt.date(2025, 3, 3),
            einvoice_mode="xrechnung",
            leitweg_id="04011000-1234512345-06",
            statistics_relevant=False,
            passwordless_fleet_query=True,
            customer_group="COMPANY",
            may_view_other_bookings=True,
            may_view_other_master_data=True,
            transferable_access_card=True,
            language_code="tr",
            additional_parallel_bookings=2,
            is_internal=True,
            do_not_delete=True,
            may_reserve=False,
            may_book_online=True,
            may_use_portal=None,
            may_pay_by_invoice=False,
            notes="Alt",
        )
        customer = customer_save(
            actor=admin_of(org_a),
            customer=customer,
            attributes=[vip],
            vehicle_groups=[group],
            stations=[station_a1],
            cards=[CardRow("KA-1", dt.date(2025, 1, 1), dt.date(2027, 1, 1)), CardRow("KA-2", dt.date(2025, 2, 1))],
        )
    return customer


def test_saving_an_unrelated_field_keeps_every_stored_value(client_admin_a, org_a, full_customer):
    url = reverse("customers:card", kwargs={"org_slug": org_a.slug, "pk": full_customer.pk})
    with scope(organization=org_a):
        before = snapshot(full_customer)
    data = form_post_data(client_admin_a.get(url).content.decode(), "customer-form")
    data["c-notes"] = ["Neu"]
    response = client_admin_a.post(url, data)
    assert response.status_code == 302, response.context["form"].errors
    with scope(organization=org_a):
        after = snapshot(full_customer)
        assert Customer.objects.get(pk=full_customer.pk).notes == "Neu"
    changed = {k: (before[k], after[k]) for k in before if before[k] != after[k]}
    assert changed == {}


@pytest.mark.parametrize("stored", [True, False, None])
def test_permission_selects_show_the_stored_value(client_admin_a, org_a, stored):
    with scopes_disabled():
        customer = customer_save(
            actor=admin_of(org_a), customer=Customer(organization=org_a, last_name="Muster", may_reserve=stored)
        )
    url = reverse("customers:card", kwargs={"org_slug": org_a.slug, "pk": customer.pk})
    data = form_post_data(client_admin_a.get(url).content.decode(), "customer-form")
    assert data["c-may_reserve"] == [{True: "true", False: "false", None: ""}[stored]]
