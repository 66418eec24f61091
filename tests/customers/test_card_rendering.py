"""The customer card's fields are rendered by one lean tag (customers/templatetags/card_fields.py):
few templates per card, and the markup still shows every stored value, error and help text."""

import re

import pytest
from django.urls import reverse
from django_scopes import scopes_disabled

from customers.models import Customer

from .conftest import make_customer

pytestmark = pytest.mark.django_db


def card_url(org, customer):
    return reverse("customers:card", kwargs={"org_slug": org.slug, "pk": customer.pk})


@pytest.fixture
def stored(org_a, station_a1):
    station = station_a1
    with scopes_disabled():
        customer = make_customer(
            org_a,
            first_name="Özlem",
            last_name="Müller & Söhne",
            country="AT",
            nationality="TR",
            is_blocked=True,
            blocked_reason="Zahlungsrückstand",
            notes='Sagt "bitte" <immer>',
            date_of_birth="1980-02-29",
        )
        customer.allowed_stations.set([station])
    return customer, station


def test_card_renders_few_templates(client_admin_a, org_a, stored):
    # Before: crispy's field templates and one template per <option> made ~1,450 renders per card,
    # which were ~90 % of its server time (bench/RESULTS.md).
    customer, _station = stored
    response = client_admin_a.get(card_url(org_a, customer))
    assert response.status_code == 200
    assert len(response.templates) < 100, len(response.templates)


def test_card_markup_shows_every_stored_value(client_admin_a, org_a, stored):
    customer, station = stored
    html = client_admin_a.get(card_url(org_a, customer)).content.decode()
    assert re.search(r'<select name="c-country"[^>]*class="[^"]*form-select[^"]*"[^>]*id="id_c-country"', html)
    assert '<option value="AT" selected>' in html and '<option value="TR" selected>' in html
    assert re.search(r'<input type="checkbox" name="c-is_blocked"[^>]*checked', html)
    assert re.search(rf'name="c-allowed_stations" value="{station.pk}"[^>]*checked', html)
    assert 'value="Müller &amp; Söhne"' in html and 'value="1980-02-29"' in html
    assert "Sagt &quot;bitte&quot; &lt;immer&gt;</textarea>" in html
    assert '<label for="id_c-kind" class="form-label requiredField">' in html
    assert 'id="id_c-main_customer_helptext" class="form-text"' in html


def test_card_markup_shows_errors_on_the_field(client_admin_a, org_a, stored):
    customer, _station = stored
    url = card_url(org_a, customer)
    response = client_admin_a.get(url)
    form = response.context["form"]
    data = {}
    for name in form.fields:
        value = form[name].value()
        key = form.add_prefix(name)
        if isinstance(value, list | tuple):
            data[key] = [str(v) for v in value]
        elif value is True:
            data[key] = "on"
        elif value not in (None, False):
            data[key] = str(value)
    data.update({"c-einvoice_mode": "xrechnung", "c-leitweg_id": "", "c-last_name": "", "cards-TOTAL_FORMS": "0"})
    data.update({"cards-INITIAL_FORMS": "0", "cards-MIN_NUM_FORMS": "0", "cards-MAX_NUM_FORMS": "1000"})
    html = client_admin_a.post(url, data).content.decode()
    billing = html.split('data-tab="billing"', 1)[1].split('class="tab-pane', 1)[0]
    assert re.search(r'name="c-leitweg_id"[^>]*class="[^"]*is-invalid[^"]*"[^>]*aria-invalid="true"', billing)
    assert 'id="id_c-leitweg_id_error" class="invalid-feedback"' in billing
    assert re.search(r'name="c-last_name"[^>]*is-invalid', html)
    with scopes_disabled():
        assert Customer.objects.get(pk=customer.pk).last_name == "Müller & Söhne"
