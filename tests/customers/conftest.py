import pytest

from customers.models import Customer
from customers.services import CardRow, customer_save
from tests.actors import admin_of
from tests.conftest import data_helper


@data_helper
def make_customer(org, *, cards=(), **fields) -> Customer:
    fields.setdefault("last_name", "Muster")
    return customer_save(
        actor=admin_of(org), customer=Customer(organization=org, **fields), cards=[CardRow(c) for c in cards]
    )


@pytest.fixture
def customer_a(org_a):
    return make_customer(
        org_a,
        first_name="Jürgen",
        last_name="Müller",
        email="juergen@example.com",
        phone="089 123456",
        cards=["KA-12345"],
    )


@pytest.fixture
def customer_b(org_b):
    return make_customer(org_b, first_name="Hans", last_name="Hamburg", email="hans@b.example")
