"""`seed_demo` shows the payments in both demo organizations: made through the services against the
fake provider, in the states the pages must show, and idempotent."""

import io

import pytest
from django.core.management import call_command
from django_scopes import scope

from billing.models import DepositDeduction, DepositHold, Payment, StoredCard
from rentoffice.models import Organization

pytestmark = pytest.mark.django_db

P = Payment.State
H = DepositHold.State


def _counts(org):
    with scope(organization=org):
        return (Payment.objects.count(), DepositHold.objects.count(), StoredCard.objects.count())


def test_demo_payments_in_both_organizations_and_idempotent(fake_stripe):
    call_command("seed_demo", stdout=io.StringIO())
    for slug in ("koenig", "nord"):
        org = Organization.objects.get(slug=slug)
        with scope(organization=org):
            payments = Payment.objects.all()
            assert payments.filter(purpose=Payment.Purpose.BOOKING, state=P.SUCCEEDED).count() >= 2, slug
            assert payments.filter(purpose=Payment.Purpose.BOOKING, state=P.PENDING).exists(), slug
            assert payments.filter(purpose=Payment.Purpose.CHARGE, state=P.SUCCEEDED).exists(), slug
            open_payment = payments.get(state=P.OPEN)
            assert open_payment.pay_token and open_payment.failure_code == "authentication_required"
            assert payments.filter(purpose=Payment.Purpose.DEPOSIT, state=P.SUCCEEDED).exists(), slug
            states = set(DepositHold.objects.values_list("state", flat=True))
            assert {H.HELD, H.CAPTURED, H.RELEASED} <= states, slug
            assert DepositDeduction.objects.exists() and StoredCard.objects.exists()
            assert payments.filter(state=P.SUCCEEDED, invoice__isnull=False).exists()
        assert org.stripe_webhook_secret
    counts = [_counts(Organization.objects.get(slug=s)) for s in ("koenig", "nord")]
    call_command("seed_demo", stdout=io.StringIO())
    assert [_counts(Organization.objects.get(slug=s)) for s in ("koenig", "nord")] == counts
