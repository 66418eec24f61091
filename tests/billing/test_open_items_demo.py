"""`seed_demo` leaves open items in every age bucket, part payments and a credit in both demo
organizations (through the invoice and open-item services) — and is idempotent."""

import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django_scopes import scope

from billing import selectors_open_items as selectors
from billing.models import Payment
from rentoffice.models import Organization
from tests.actors import admin_of

pytestmark = pytest.mark.django_db


def test_demo_open_items_in_every_bucket_of_both_organizations():
    call_command("seed_demo", stdout=io.StringIO())
    counts = {}
    for slug in ("koenig", "nord"):
        org = Organization.objects.get(slug=slug)
        with scope(organization=org):
            items = selectors.open_items(membership=admin_of(org))
            assert all(items.totals[key] > 0 for key in selectors.BUCKET_KEYS), (slug, items.totals)
            recorded = Payment.objects.filter(purpose=Payment.Purpose.MANUAL)
            assert recorded.filter(method=Payment.Method.CASH, invoice__isnull=False).exists(), slug
            assert recorded.filter(method=Payment.Method.BANK_TRANSFER, invoice__isnull=False).exists(), slug
            credit = recorded.get(invoice__isnull=True, contract__isnull=True)
            assert credit.amount == Decimal("50.00") and credit.method == Payment.Method.CARD_TERMINAL
            counts[slug] = Payment.objects.count()
    call_command("seed_demo", stdout=io.StringIO())
    for slug, count in counts.items():
        org = Organization.objects.get(slug=slug)
        with scope(organization=org):
            assert Payment.objects.count() == count, slug
