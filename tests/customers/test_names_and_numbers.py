"""Main-customer lookup, German name order, phone search and German postcodes/phone numbers (issue 7
item 17)."""

import pytest
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from customers.models import Customer
from customers.services import customer_save
from tests.actors import admin_of
from tests.htmlform import form_post_data

pytestmark = pytest.mark.django_db


def make(org, **fields) -> Customer:
    with scopes_disabled():
        return customer_save(actor=admin_of(org), customer=Customer(organization=org, **fields))


def card_url(org, customer):
    return reverse("customers:card", kwargs={"org_slug": org.slug, "pk": customer.pk})


def test_main_customer_suggestions_find_companies(client_admin_a, org_a):
    for i in range(25):
        make(org_a, first_name=f"Person{i:02d}", last_name="Müller")
    company = make(org_a, kind="legal_entity", company="Müller & Söhne GmbH")
    sub = make(org_a, kind="legal_entity", company="Müller Tochter GmbH", main_customer=company)
    url = reverse("customers:main_suggest", kwargs={"org_slug": org_a.slug})
    for typed in ("Müller", "müller & söhne", "Mueller & Soehne"):
        html = client_admin_a.get(url, {"c-main_customer": typed}).content.decode()
        assert f'<option value="{company.number}">Müller &amp; Söhne GmbH ({company.number})</option>' in html, typed
        assert f'value="{sub.number}"' not in html  # a sub-customer cannot be a main customer


def test_the_card_names_the_chosen_main_customer(client_admin_a, org_a):
    company = make(org_a, kind="legal_entity", company="Müller & Söhne GmbH")
    customer = make(org_a, first_name="Jörg", last_name="Test")
    url = card_url(org_a, customer)
    data = form_post_data(client_admin_a.get(url).content.decode(), "customer-form")
    data["c-main_customer"] = [str(company.number)]
    assert client_admin_a.post(url, data).status_code == 302
    client_admin_a.cookies["django_language"] = "de"
    html = client_admin_a.get(url).content.decode()
    assert f"Müller &amp; Söhne GmbH (Kundennr. {company.number})" in html
    assert f'value="{company.number}"' in html


def test_names_sort_in_german_dictionary_order(client_admin_a, org_a):
    for last in ("Zander", "Ozzy", "Özlem", "Braun", "Oz", "Böhm", "Bohr", "Ährlich", "Adler"):
        make(org_a, last_name=last)
    response = client_admin_a.get(reverse("customers:list", kwargs={"org_slug": org_a.slug}))
    names = [c.last_name for c in response.context["page"]]
    assert names == ["Adler", "Ährlich", "Böhm", "Bohr", "Braun", "Oz", "Özlem", "Ozzy", "Zander"]


def test_a_company_sorts_by_its_name(org_a):
    make(org_a, last_name="Braun")
    make(org_a, kind="legal_entity", company="Bäckerei Groß GmbH")
    make(org_a, last_name="Adler")
    with scope(organization=org_a):
        assert [c.display_name for c in Customer.objects.filter(organization=org_a)] == [
            "Adler",
            "Bäckerei Groß GmbH",
            "Braun",
        ]


@pytest.mark.parametrize(
    ("stored", "typed"),
    [
        ("089 123456", "+49 89 123456"),
        ("089 123456", "+49 89 1234"),
        ("089 123456", "0049 89 123456"),
        ("+49 170 1234567", "0170 1234567"),
        ("+49 170 1234567", "0170-123"),
        ("+49 170 1234567", "+49 170 1234567"),
    ],
)
def test_phone_search_finds_national_and_international_forms(org_a, stored, typed):
    from customers.selectors import customer_search
    from rentoffice.models import Membership

    customer = make(org_a, last_name="Telefon", mobile=stored)
    make(org_a, last_name="Andere", mobile="030 9876543")
    with scopes_disabled():
        membership = Membership.objects.select_related("role", "organization").filter(organization=org_a).first()
    with scope(organization=org_a):
        hits = customer_search(membership=membership, query=typed)
    assert [c.pk for c in hits] == [customer.pk]


@pytest.mark.parametrize(
    ("change", "field", "german"),
    [
        ({"c-postal_code": "1234", "c-country": "DE"}, "postal_code", "fünf Ziffern"),
        ({"c-postal_code": "8615O", "c-country": "DE"}, "postal_code", "fünf Ziffern"),
        ({"c-phone": "12"}, "phone", "gültige Telefonnummer"),
        ({"c-mobile": "0170 12"}, "mobile", "gültige Telefonnummer"),
        ({"c-phone": "+49 89 12345678901234"}, "phone", "gültige Telefonnummer"),
    ],
)
def test_german_postcodes_and_phone_numbers_are_checked(client_admin_a, org_a, change, field, german):
    customer = make(org_a, last_name="Adresse", postal_code="86150", phone="0821 123456")
    client_admin_a.cookies["django_language"] = "de"
    url = card_url(org_a, customer)
    data = form_post_data(client_admin_a.get(url).content.decode(), "customer-form")
    data.update({k: [v] for k, v in change.items()})
    response = client_admin_a.post(url, data)
    assert response.status_code == 200
    assert german in " ".join(response.context["form"].errors[field])
    with scope(organization=org_a):
        stored = Customer.objects.get(pk=customer.pk)
    assert (stored.postal_code, stored.phone, stored.mobile) == ("86150", "0821 123456", "")


@pytest.mark.parametrize(
    "change",
    [
        {"c-postal_code": "1010", "c-country": "AT", "c-phone": "01 5123456"},  # Vienna: four digits
        {"c-postal_code": "01067", "c-phone": "+49 351 1234567", "c-mobile": "0151 12345678"},
        {"c-postal_code": "", "c-phone": ""},
    ],
)
def test_valid_postcodes_and_numbers_are_saved_as_typed(client_admin_a, org_a, change):
    customer = make(org_a, last_name="Adresse")
    url = card_url(org_a, customer)
    data = form_post_data(client_admin_a.get(url).content.decode(), "customer-form")
    data.update({k: [v] for k, v in change.items()})
    response = client_admin_a.post(url, data)
    assert response.status_code == 302, response.context["form"].errors
    with scope(organization=org_a):
        stored = Customer.objects.get(pk=customer.pk)
    assert stored.phone == change["c-phone"]
