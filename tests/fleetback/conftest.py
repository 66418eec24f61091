import pytest

from tests.conftest import make_member

from .helpers import make_case


@pytest.fixture
def case_a1(org_a, station_a1):
    return make_case(org=org_a, station=station_a1)


@pytest.fixture
def auditor_a(org_a):
    return make_member(org_a, "auditor@a.example", "auditor")


@pytest.fixture
def sales_a(org_a):
    return make_member(org_a, "sales@a.example", "sales")


@pytest.fixture
def back_office_a(org_a):
    return make_member(org_a, "office@a.example", "back_office")


@pytest.fixture
def technician_a(org_a):
    return make_member(org_a, "tech@a.example", "technician")
