"""Gapless invoice numbers under real concurrency: threads with their own database connections, each
issuing in its own transaction like a request or a worker would (tests/contracts/test_concurrency.py)."""

from __future__ import annotations

import re
import threading

import pytest
from django.db import connection, transaction
from django_scopes import scope, scopes_disabled

from billing.models import Invoice
from billing.services.invoices import invoice_issue
from rentoffice.models import NumberSequence
from tests.actors import admin_of
from tests.billing.invoice_data import *  # noqa: F403  (the fixtures)
from tests.billing.invoice_data import draft, line

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.xdist_group("concurrency")]

ISSUERS = 50


def race(jobs):
    """Run the callables at once, each in a thread with its own connection; (results, errors)."""
    barrier = threading.Barrier(len(jobs))
    results, errors = [None] * len(jobs), [None] * len(jobs)

    def run(index, job):
        try:
            barrier.wait(timeout=60)
            results[index] = job()
        except Exception as exc:
            errors[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    return results, errors


def numbers(org) -> list[int]:
    with scopes_disabled():
        found = Invoice.objects.filter(organization=org).exclude(number="").values_list("number", flat=True)
    return sorted(int(re.fullmatch(r"RE-2026-(\d+)", n).group(1)) for n in found)


def test_fifty_concurrent_issuers_get_fifty_consecutive_numbers(org_a, billing_a, inv_customer):
    actor = admin_of(org_a)
    drafts = [draft(inv_customer, lines=[line(f"Leistung {n}", "11.90")]) for n in range(ISSUERS)]
    # The first issue of an organization creates its counter row; the race is on the row lock.
    with scopes_disabled():
        assert not NumberSequence.objects.filter(organization=org_a, name="invoice").exists()

    def issuer(invoice):
        def job():
            with scope(organization=org_a):
                return invoice_issue(actor=actor, invoice=invoice, send=False).number

        return job

    results, errors = race([issuer(invoice) for invoice in drafts])
    assert errors == [None] * ISSUERS
    assert len(set(results)) == ISSUERS
    assert numbers(org_a) == list(range(1, ISSUERS + 1))


def test_a_rolled_back_issue_gives_its_number_back(org_a, billing_a, inv_customer):
    actor = admin_of(org_a)
    first, failing, third = (draft(inv_customer) for _ in range(3))
    with scope(organization=org_a):
        assert invoice_issue(actor=actor, invoice=first, send=False).number == "RE-2026-1"
        with pytest.raises(RuntimeError), transaction.atomic():
            assert invoice_issue(actor=actor, invoice=failing, send=False).number == "RE-2026-2"
            raise RuntimeError("the request failed after issuing")
        assert Invoice.objects.get(pk=failing.pk).is_draft
        assert invoice_issue(actor=actor, invoice=third, send=False).number == "RE-2026-2"
        assert invoice_issue(actor=actor, invoice=failing, send=False).number == "RE-2026-3"
    assert numbers(org_a) == [1, 2, 3]


def test_credit_notes_share_the_sequence(org_a, billing_a, inv_customer):
    from billing.services.invoices import invoice_cancel

    actor = admin_of(org_a)
    invoice = draft(inv_customer)
    with scope(organization=org_a):
        invoice_issue(actor=actor, invoice=invoice, send=False)
        credit = invoice_cancel(actor=actor, invoice=invoice, reason="Storno")
        later = invoice_issue(actor=actor, invoice=draft(inv_customer), send=False)
    assert (invoice.number, credit.number, later.number) == ("RE-2026-1", "RE-2026-2", "RE-2026-3")
