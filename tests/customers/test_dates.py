"""Dates on the customer card that cannot be true get a field error in the page language (issue 7 item 2)."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from customers.models import AccessCard, Customer
from customers.services import customer_save
from tests.actors import admin_of
from tests.htmlform import form_post_data

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
TOMORROW = (TODAY + dt.timedelta(days=1)).isoformat()


@pytest.fixture
def customer(org_a):
    with scopes_disabled():
        return customer_save(
            actor=admin_of(org_a), customer=Customer(organization=org_a, first_name="Anna", last_name="Alt")
        )


def card_url(org, customer):
    return reverse("customers:card", kwargs={"org_slug": org.slug, "pk": customer.pk})


@pytest.mark.parametrize(
    ("change", "field", "german"),
    [
        ({"c-date_of_birth": TOMORROW}, "date_of_birth", "Geburtsdatum"),
        ({"c-licence_issued_on": TOMORROW}, "licence_issued_on", "Zukunft"),
        (
            {"c-date_of_birth": "1990-01-01", "c-licence_issued_on": "1989-01-01"},
            "licence_issued_on",
            "vor dem Geburtsdatum",
        ),
        (
            {"c-licence_issued_on": "2010-06-01", "c-licence_expires_on": "2010-05-31"},
            "licence_expires_on",
            "ablaufen",
        ),
        ({"c-licence_checked_at": TOMORROW}, "licence_checked_at", "Zukunft"),
        ({"c-contract_start": "0001-01-01"}, "contract_start", "Datum zwischen"),
        ({"c-date_of_birth": "1850-03-01"}, "date_of_birth", "Datum zwischen"),
        ({"cards-0-number": "KA-9", "cards-0-valid_from": "0001-01-01"}, None, "Datum zwischen"),
    ],
)
def test_dates_without_sense_are_field_errors(client_admin_a, org_a, customer, change, field, german):
    client_admin_a.cookies["django_language"] = "de"
    url = card_url(org_a, customer)
    data = form_post_data(client_admin_a.get(url).content.decode(), "customer-form")
    data.update({k: [v] for k, v in change.items()})
    response = client_admin_a.post(url, data)
    assert response.status_code == 200
    if field:
        assert german in " ".join(response.context["form"].errors[field])
    else:
        assert german in " ".join(response.context["cards"].forms[0].errors["valid_from"])
    assert german in response.content.decode()
    with scope(organization=org_a):
        stored = Customer.objects.get(pk=customer.pk)
        assert (stored.date_of_birth, stored.licence_issued_on, stored.licence_checked_at) == (None, None, None)
        assert not AccessCard.objects.filter(number="KA-9").exists()


def test_sensible_dates_are_saved(client_admin_a, org_a, customer):
    url = card_url(org_a, customer)
    data = form_post_data(client_admin_a.get(url).content.decode(), "customer-form")
    data.update(
        {
            "c-date_of_birth": ["1990-01-01"],
            "c-licence_issued_on": ["2008-01-01"],
            "c-licence_expires_on": ["2033-01-01"],
            "c-licence_checked_at": [TODAY.isoformat()],
        }
    )
    assert client_admin_a.post(url, data).status_code == 302
    with scope(organization=org_a):
        assert Customer.objects.get(pk=customer.pk).licence_issued_on == dt.date(2008, 1, 1)


@pytest.mark.parametrize(("action", "field"), [("terminate", "end_date"), ("time_limit", "valid_until")])
def test_action_dates_use_the_window(client_admin_a, org_a, customer, action, field):
    client_admin_a.cookies["django_language"] = "de"
    url = reverse(f"customers:{action}", kwargs={"org_slug": org_a.slug, "pk": customer.pk})
    response = client_admin_a.post(url, {field: "0001-01-01", "reason": "x"})
    assert response.status_code == 200
    assert "Datum zwischen" in response.content.decode()
    with scope(organization=org_a):
        stored = Customer.objects.get(pk=customer.pk)
        assert stored.contract_end is None and stored.valid_until is None
