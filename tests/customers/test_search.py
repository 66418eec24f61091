import pytest
from django.urls import reverse
from django_scopes import scope

from customers.search import fold
from rentoffice.models import Membership
from tests.actors import admin_of
from tests.conftest import in_scope, make_member

from .conftest import make_customer

pytestmark = pytest.mark.django_db


def _search(client, org, q, **extra):
    return client.get(reverse("customers:search", kwargs={"org_slug": org.slug}), {"q": q, **extra})


def test_fold_umlauts_and_accents():
    assert fold("Jürgen MÜLLER-Groß") == "juergen mueller-gross"
    assert fold("Chloé Ørsted") == "chloe orsted"


@pytest.mark.parametrize(
    "term",
    [
        "mül",
        "MUEL",
        "müller",
        "Mueller",
        "juergen",
        "Jürgen",
        "jürgen müller",
        "müller jürgen",
        "juergen@example",
        "089 123",
        "089123456",
        "KA-123",
        "ka-12345",
        "Bäckerei",
        "baeckerei gross",
    ],
)
def test_search_finds_by_every_key(client_admin_a, org_a, customer_a, term):
    make_customer(org_a, kind="legal_entity", company="Bäckerei Groß GmbH", last_name="")
    make_customer(org_a, first_name="Other", last_name="Person", email="other@example.com")
    response = _search(client_admin_a, org_a, term, partial="1")
    html = response.content.decode()
    assert response.status_code == 200
    expected = "Bäckerei Groß GmbH" if "ckerei" in term else "Jürgen Müller"
    assert expected in html
    assert "Other Person" not in html


def test_search_by_customer_number_ranks_exact_number_first(client_admin_a, org_a):
    customers = [make_customer(org_a, last_name=f"Kunde{i}") for i in range(12)]
    target = customers[0]
    response = _search(client_admin_a, org_a, str(target.number), partial="1")
    hits = response.context["results"]
    assert hits[0] == target


def test_search_by_other_email_addresses(client_admin_a, org_a):
    make_customer(
        org_a,
        last_name="Rechnung",
        email="a@x.example",
        email_invoices="buchhaltung@firma.example",
        email_bookings="dispo@firma.example",
    )
    assert "Rechnung" in _search(client_admin_a, org_a, "buchhaltung@", partial="1").content.decode()
    assert "Rechnung" in _search(client_admin_a, org_a, "dispo@firma", partial="1").content.decode()


def test_full_page_without_partial(client_admin_a, org_a, customer_a):
    response = _search(client_admin_a, org_a, "müller")
    assert "<html" in response.content.decode()
    assert "Jürgen Müller" in response.content.decode()


def test_search_does_not_cross_organizations(client_admin_a, org_a, customer_a, customer_b):
    assert "Hamburg" not in _search(client_admin_a, org_a, "hamburg", partial="1").content.decode()


@in_scope()
def test_all_organizations_only_where_customers_view(org_a, org_b, customer_a, customer_b):
    from django.test import Client

    user = make_member(org_a, "multi@example.com", role_key="administrator")
    client = Client()
    client.force_login(user)
    # A membership in B without customers.view (a role without it) must not widen the search.
    from rentoffice.models import Role

    with scope(organization=org_b):
        role = Role.objects.create(
            organization=org_b, key="nocustomers", name="No customers", permissions=["vehicles.view"]
        )
        membership = Membership.objects.create(user=user, organization=org_b, role=role)
    html = _search(client, org_a, "hamburg", partial="1", all="1").content.decode()
    assert "Hans Hamburg" not in html
    with scope(organization=org_b):
        membership.role = Role.objects.get(key="administrator")
        membership.save()
    html = _search(client, org_a, "hamburg", partial="1", all="1").content.decode()
    assert "Hans Hamburg" in html
    assert f"/o/{org_b.slug}/customers/{customer_b.pk}/" in html
    assert "Hans Hamburg" not in _search(client, org_a, "hamburg", partial="1").content.decode()


def test_search_query_count_does_not_grow(client_admin_a, org_a, django_assert_max_num_queries):
    for i in range(5):
        make_customer(org_a, last_name=f"Schmidt{i}", cards=[f"S-{i:04d}"])
    with django_assert_max_num_queries(12) as ctx5:
        _search(client_admin_a, org_a, "schmidt", partial="1")
    for i in range(5, 15):
        make_customer(org_a, last_name=f"Schmidt{i}", cards=[f"S-{i:04d}"])
    with django_assert_max_num_queries(len(ctx5.captured_queries)):
        response = _search(client_admin_a, org_a, "schmidt", partial="1")
    assert response.content.decode().count('data-testid="search-hit"') == 15


def _klein(org, start, stop):
    from customers.services import attribute_create, customer_save

    main = make_customer(org, kind="legal_entity", company=f"Klein-Firma{start}")
    for i in range(start, stop):
        c = make_customer(
            org, last_name=f"Klein{i}", main_customer=main, cards=[f"K-{i:04d}"], licence_check_interval_months=1
        )
        actor = admin_of(org)
        customer_save(actor=actor, customer=c, attributes=[attribute_create(actor=actor, name=f"Tag{i}")])


@pytest.mark.parametrize("params", [{}, {"q": "klein"}, {"licence": "overdue", "blocked": "0"}])
@in_scope()
def test_list_query_count_does_not_grow(client_admin_a, org_a, django_assert_max_num_queries, params):
    url = reverse("customers:list", kwargs={"org_slug": org_a.slug})
    _klein(org_a, 0, 4)
    client_admin_a.get(url, params)  # warm-up
    with django_assert_max_num_queries(20) as ctx:
        client_admin_a.get(url, params)
    _klein(org_a, 4, 12)
    with django_assert_max_num_queries(len(ctx.captured_queries)):
        response = client_admin_a.get(url, params)
    html = response.content.decode()
    assert html.count('href="/o/org-a/customers/') >= 12 and "Tag11" in html and "Klein-Firma4" in html
