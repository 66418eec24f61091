"""Customers → Settings → Attributes: list with counts, rename, delete, permissions, outsiders."""

import pytest
from auditlog.models import LogEntry
from django.test import Client
from django.urls import reverse

from customers.models import Customer, CustomerAttribute
from customers.services import attribute_create
from rentoffice.models import Membership, Role
from tests.actors import admin_of
from tests.conftest import in_scope, make_member

from .conftest import make_customer

pytestmark = pytest.mark.django_db


def url(org, name="attributes", pk=None):
    kwargs = {"org_slug": org.slug}
    if pk is not None:
        kwargs["attribute_pk"] = pk
    return reverse(f"customers:{name}", kwargs=kwargs)


@pytest.fixture
def vip(org_a, customer_a):
    attribute = attribute_create(actor=admin_of(org_a), name="VIP")
    customer_a.attributes.add(attribute)
    return attribute


@in_scope()
def test_list_shows_attributes_with_customer_counts(client_admin_a, org_a, vip):
    attribute_create(actor=admin_of(org_a), name="Student")
    make_customer(org_a, last_name="Zweiter").attributes.add(vip)
    response = client_admin_a.get(url(org_a))
    assert response.status_code == 200
    rows = [[cell.strip() for cell in row] for row in _rows(response.content.decode())]
    assert ["Student", "0"] in rows
    assert ["VIP", "2"] in rows


def _rows(html: str):
    import re

    body = html.split('data-testid="attribute-table"', 1)[1].split("</tbody>", 1)[0]
    for row in re.findall(r"<tr>(.*?)</tr>", body, re.S):
        cells = re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
        yield [re.sub(r"<[^>]+>", "", c) for c in cells[:2]]


def test_pages_link_to_the_attributes_page(client_admin_a, org_a):
    for page in ("customers:settings", "customers:list"):
        html = client_admin_a.get(reverse(page, kwargs={"org_slug": org_a.slug})).content.decode()
        assert url(org_a) in html


@in_scope()
def test_rename(client_admin_a, org_a, vip, customer_a):
    response = client_admin_a.post(url(org_a, "attribute_rename", vip.pk), {"name": "  Premium  "})
    assert response.status_code == 302
    vip.refresh_from_db()
    assert vip.name == "Premium"
    assert list(customer_a.attributes.values_list("name", flat=True)) == ["Premium"]
    assert "Premium" in client_admin_a.get(url(org_a)).content.decode()


@in_scope()
def test_rename_to_an_existing_name_in_other_case_is_a_field_error(client_admin_a, org_a, vip):
    attribute_create(actor=admin_of(org_a), name="Student")
    response = client_admin_a.post(url(org_a, "attribute_rename", vip.pk), {"name": "sTUDENT"})
    assert response.status_code == 200
    assert response.context["form"].errors["name"] == ["Eine Ausprägung mit diesem Namen gibt es bereits."]
    vip.refresh_from_db()
    assert vip.name == "VIP"


@in_scope()
def test_rename_may_change_only_the_case_and_same_name_elsewhere_is_fine(client_admin_a, org_a, org_b, vip):
    attribute_create(actor=admin_of(org_b), name="Premium")
    assert client_admin_a.post(url(org_a, "attribute_rename", vip.pk), {"name": "vip"}).status_code == 302
    assert client_admin_a.post(url(org_a, "attribute_rename", vip.pk), {"name": "Premium"}).status_code == 302
    vip.refresh_from_db()
    assert vip.name == "Premium"


def test_rename_refuses_empty_and_too_long_names(client_admin_a, org_a, vip):
    for name in ("", "   ", "x" * 81):
        response = client_admin_a.post(url(org_a, "attribute_rename", vip.pk), {"name": name})
        assert response.status_code == 200
        assert response.context["form"].errors["name"]
    vip.refresh_from_db()
    assert vip.name == "VIP"


@in_scope()
def test_delete_asks_then_removes_the_tag_from_customers(client_admin_a, org_a, vip, customer_a):
    confirm = client_admin_a.get(url(org_a, "attribute_delete", vip.pk))
    assert confirm.status_code == 200
    assert "die sie haben (1)" in confirm.content.decode()
    assert CustomerAttribute.objects.filter(pk=vip.pk).exists()
    before = LogEntry.objects.count()
    response = client_admin_a.post(url(org_a, "attribute_delete", vip.pk))
    assert response.status_code == 302
    assert not CustomerAttribute.objects.filter(pk=vip.pk).exists()
    assert Customer.objects.filter(pk=customer_a.pk).exists()
    assert customer_a.attributes.count() == 0
    assert LogEntry.objects.count() == before + 1


@in_scope()
def test_permissions(org_a, vip, client_staff_a1):
    # Station staff may rename (customers.change) but not delete (customers.delete).
    assert client_staff_a1.get(url(org_a)).status_code == 200
    assert client_staff_a1.get(url(org_a, "attribute_delete", vip.pk)).status_code == 403
    assert client_staff_a1.post(url(org_a, "attribute_delete", vip.pk)).status_code == 403
    assert CustomerAttribute.objects.filter(pk=vip.pk).exists()
    assert client_staff_a1.post(url(org_a, "attribute_rename", vip.pk), {"name": "X"}).status_code == 302

    viewer = make_member(org_a, "viewer@a.example")
    role = Role.objects.create(organization=org_a, key="viewer", name="Viewer", permissions=["customers.view"])
    Membership.objects.filter(user=viewer).update(role=role)
    client = Client()
    client.force_login(viewer)
    assert client.get(url(org_a)).status_code == 200
    assert client.post(url(org_a, "attribute_rename", vip.pk), {"name": "Y"}).status_code == 403
    vip.refresh_from_db()
    assert vip.name == "X"


def test_outsider_gets_404(client_admin_b, org_a, org_b, vip):
    for name in ("attribute_rename", "attribute_delete"):
        assert client_admin_b.get(url(org_b, name, vip.pk)).status_code == 404
        assert client_admin_b.post(url(org_b, name, vip.pk), {"name": "Hijack"}).status_code == 404
    assert client_admin_b.get(url(org_a)).status_code == 404
    vip.refresh_from_db()
    assert vip.name == "VIP"
    assert "VIP" not in client_admin_b.get(url(org_b)).content.decode()


@in_scope()
def test_list_query_count_does_not_grow_with_attributes(client_admin_a, org_a, django_assert_max_num_queries):
    def fill(n):
        for i in range(CustomerAttribute.objects.filter(organization=org_a).count(), n):
            attribute = attribute_create(actor=admin_of(org_a), name=f"Tag {i:03}")
            make_customer(org_a, last_name=f"K{i}").attributes.add(attribute)

    fill(3)
    client_admin_a.get(url(org_a))
    with django_assert_max_num_queries(12) as small:
        assert client_admin_a.get(url(org_a)).status_code == 200
    fill(9)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client_admin_a.get(url(org_a))
    assert "Tag 008" in response.content.decode()


@in_scope()
def test_list_row_shows_its_own_attributes_by_name_and_links_to_its_card(client_admin_a, org_a):
    zebra = attribute_create(actor=admin_of(org_a), name="Zebra")
    alpha = attribute_create(actor=admin_of(org_a), name="Alpha")
    tagged = make_customer(org_a, last_name="Aaberg")
    tagged.attributes.add(zebra, alpha)
    plain = make_customer(org_a, last_name="Abel")
    html = client_admin_a.get(reverse("customers:list", kwargs={"org_slug": org_a.slug})).content.decode()
    rows = {row.split("</tr>")[0] for row in html.split("<tr>")[1:]}
    tagged_row = next(r for r in rows if "Aaberg" in r)
    plain_row = next(r for r in rows if "Abel" in r)
    assert tagged_row.index(">Alpha<") < tagged_row.index(">Zebra<")
    assert "Alpha" not in plain_row and "Zebra" not in plain_row
    assert f'href="{reverse("customers:card", args=[org_a.slug, tagged.pk])}"' in tagged_row
    assert f'href="{reverse("customers:card", args=[org_a.slug, plain.pk])}"' in plain_row
