"""A record page's own read joins few tables: PostgreSQL spent 6-14 ms *planning* the contract's,
invoice's and settlement's reads when they joined seven to nine wide tables, more than the rest of
the page's queries together (docs/performance.md, "Planning time"). The join count is what decides
that, so it is what this asserts (times belong in bench/)."""

import pytest
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext
from django_scopes import scope

from billing.selectors_invoices import invoice_get
from billing.selectors_settlement import settlement_get
from contracts.selectors import contract_get
from tests.actors import admin_of

pytestmark = pytest.mark.django_db

MAX_JOINS = 5


@pytest.mark.parametrize("read", [contract_get, invoice_get, settlement_get], ids=lambda f: f.__name__)
def test_a_record_read_joins_at_most_five_tables(org_a, read):
    admin = admin_of(org_a)
    with scope(organization=org_a), CaptureQueriesContext(connection) as captured, pytest.raises(Http404):
        read(membership=admin, pk=10**9)
    reads = [q["sql"] for q in captured.captured_queries if "10000000" in q["sql"]]
    assert len(reads) == 1, reads
    assert reads[0].count(" JOIN ") <= MAX_JOINS, reads[0]
