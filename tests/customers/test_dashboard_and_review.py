"""Dashboard panel, the licence-overdue list filter, "all organizations" offer and merge/delete edge cases."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django_scopes import scope

from customers import selectors
from customers.models import Customer, CustomerAccount, LicenceEscalation
from customers.services import customer_merge
from rentoffice.models import Membership, Role
from tests.actors import membership_of
from tests.conftest import in_scope, make_member

from .conftest import make_customer

pytestmark = pytest.mark.django_db


def _dashboard(client, org):
    return client.get(reverse("org_dashboard", kwargs={"org_slug": org.slug}))


def _make_batch(org, n, start=0):
    for i in range(start, start + n):
        make_customer(
            org,
            last_name=f"Dash{i}",
            is_blocked=i % 2 == 0,
            blocked_reason="Zahlung",
            licence_check_interval_months=6,
            licence_checked_at=dt.date(2020, 1, 1),
        )
        customer = make_customer(org, last_name=f"Invited{i}")
        account = CustomerAccount(organization=org, customer=customer, email=f"inv{i}@example.com")
        account.set_password(None)
        account.save()


def test_dashboard_panel_counts_and_links(client_admin_a, org_a, customer_a):
    _make_batch(org_a, 2)
    make_customer(
        org_a, last_name="Fresh", licence_check_interval_months=6, licence_checked_at=dt.date.today()
    )  # checked today: not overdue
    response = _dashboard(client_admin_a, org_a)
    html = response.content.decode()
    assert 'data-testid="dashboard-customers"' in html
    stats = next(r["context"]["stats"] for r in response.context["rendered"] if r["panel"].key == "customers")
    assert (stats.customers, stats.blocked, stats.licence_overdue, stats.invitations_pending) == (6, 1, 2, 2)
    assert f"/o/{org_a.slug}/customers/?licence=overdue" in html
    overdue = client_admin_a.get(reverse("customers:list", kwargs={"org_slug": org_a.slug}), {"licence": "overdue"})
    names = [c.last_name for c in overdue.context["page"]]
    assert sorted(names) == ["Dash0", "Dash1"]
    assert f"/o/{org_a.slug}/customers/?portal=pending" in html
    pending = client_admin_a.get(reverse("customers:list", kwargs={"org_slug": org_a.slug}), {"portal": "pending"})
    assert sorted(c.last_name for c in pending.context["page"]) == ["Invited0", "Invited1"]


def test_dashboard_query_count_does_not_grow(client_admin_a, org_a, django_assert_max_num_queries):
    _make_batch(org_a, 2)
    _dashboard(client_admin_a, org_a)  # warm-up (content types, sessions)
    with django_assert_max_num_queries(40) as ctx:
        _dashboard(client_admin_a, org_a)
    _make_batch(org_a, 6, start=2)
    with django_assert_max_num_queries(len(ctx.captured_queries)):
        response = _dashboard(client_admin_a, org_a)
    assert 'data-testid="stat-customers">16<' in response.content.decode()


@in_scope()
def test_dashboard_panel_needs_customers_view(org_a, customer_a):
    user = make_member(org_a, "fleet@a.example")
    role = Role.objects.create(organization=org_a, key="fleet", name="Fleet", permissions=["vehicles.view"])
    Membership.objects.filter(user=user).update(role=role)
    client = Client()
    client.force_login(user)
    assert 'data-testid="dashboard-customers"' not in _dashboard(client, org_a).content.decode()


@in_scope()
def test_licence_due_expression_matches_the_python_rule(org_a):
    for checked in (dt.date(2025, 1, 31), dt.date(2024, 8, 31), None):
        c = make_customer(org_a, licence_check_interval_months=1, licence_checked_at=checked)
        annotated = Customer.objects.annotate(due=selectors.licence_due_expression()).get(pk=c.pk)
        assert annotated.due == c.licence_check_due_on


@in_scope()
def test_all_organizations_offered_only_with_customers_view_in_two(org_a, org_b, customer_a, customer_b):
    user = make_member(org_a, "two@example.com", role_key="administrator")
    client = Client()
    client.force_login(user)
    search = reverse("customers:search", kwargs={"org_slug": org_a.slug})
    with scope(organization=org_b):
        role = Role.objects.create(organization=org_b, key="fleet", name="Fleet", permissions=["vehicles.view"])
        membership = Membership.objects.create(user=user, organization=org_b, role=role)
    assert 'name="all"' not in client.get(search).content.decode()
    with scope(organization=org_b):
        membership.role = Role.objects.get(key="administrator")
        membership.save()
    assert 'name="all"' in client.get(search).content.decode()


@in_scope()
def test_merge_refuses_to_build_a_three_level_hierarchy(org_a, admin_a):
    main = make_customer(org_a, kind="legal_entity", company="Firma")
    sub = make_customer(org_a, last_name="Fahrer", main_customer=main)
    other_main = make_customer(org_a, kind="legal_entity", company="Andere")
    make_customer(org_a, last_name="Unter", main_customer=other_main)
    with pytest.raises(ValidationError):
        customer_merge(survivor=sub, other=other_main, take_from_other=[], actor=membership_of(admin_a, sub))
    assert Customer.objects.filter(pk=other_main.pk).exists()


@in_scope()
def test_merge_keeps_one_escalation_per_step(org_a, admin_a):
    a = make_customer(org_a, last_name="Eins")
    b = make_customer(org_a, last_name="Zwei")
    for c in (a, b):
        LicenceEscalation.objects.create(organization=org_a, customer=c, due_on=dt.date(2026, 1, 1), step=1)
    LicenceEscalation.objects.create(organization=org_a, customer=b, due_on=dt.date(2026, 1, 1), step=2)
    customer_merge(survivor=a, other=b, take_from_other=[], actor=membership_of(admin_a, a))
    assert sorted(LicenceEscalation.objects.filter(customer=a).values_list("step", flat=True)) == [1, 2]


@in_scope()
def test_merge_page_shows_the_refusal(client_admin_a, org_a):
    main = make_customer(org_a, kind="legal_entity", company="Firma")
    sub = make_customer(org_a, last_name="Fahrer", main_customer=main)
    other_main = make_customer(org_a, kind="legal_entity", company="Andere")
    make_customer(org_a, last_name="Unter", main_customer=other_main)
    address = reverse("customers:merge", kwargs={"org_slug": org_a.slug, "pk": sub.pk, "other_pk": other_main.pk})
    response = client_admin_a.post(address, {})
    assert response.status_code == 200 and "alert-danger" in response.content.decode()
    assert Customer.objects.filter(pk=other_main.pk).exists()


def test_main_customer_is_entered_by_number_with_suggestions(client_admin_a, org_a, customer_a):
    from .test_card import card_url, form_data

    company = make_customer(org_a, kind="legal_entity", company="Spedition Süd")
    sub = make_customer(org_a, last_name="Fahrer", main_customer=company)
    url = card_url(org_a, customer_a)
    html = client_admin_a.get(url).content.decode()
    assert '<select name="c-main_customer"' not in html  # no select of every customer
    assert 'name="c-main_customer"' in html
    data = form_data(client_admin_a.get(url))
    data["c-main_customer"] = str(sub.number)  # a sub-customer cannot be a main customer
    response = client_admin_a.post(url, data)
    assert {t["key"]: t for t in response.context["tabs"]}["address"]["has_errors"]
    data["c-main_customer"] = str(company.number)
    assert client_admin_a.post(url, data).status_code == 302
    customer_a.refresh_from_db()
    assert customer_a.main_customer == company
    assert f'value="{company.number}"' in client_admin_a.get(url).content.decode()
    suggest = reverse("customers:main_suggest", kwargs={"org_slug": org_a.slug})
    options = client_admin_a.get(suggest, {"c-main_customer": "spedition"}).content.decode()
    assert f'<option value="{company.number}">Spedition Süd' in options
    assert "Fahrer" not in client_admin_a.get(suggest, {"q": "fahrer"}).content.decode()


def test_message_language_follows_the_customer_when_supported(org_a):
    assert make_customer(org_a, language_code="en_GB").message_language == "en"
    assert make_customer(org_a, language_code="fr_FR").message_language == org_a.default_language[:2]
    assert make_customer(org_a).message_language == org_a.default_language[:2]


def test_language_code_is_checked_on_the_card(client_admin_a, org_a, customer_a):
    from .test_card import card_url, form_data

    url = card_url(org_a, customer_a)
    data = form_data(client_admin_a.get(url))
    data["c-language_code"] = "deutsch bitte"
    response = client_admin_a.post(url, data)
    assert {t["key"]: t for t in response.context["tabs"]}["config"]["has_errors"]
    data["c-language_code"] = "en_GB"
    assert client_admin_a.post(url, data).status_code == 302


def test_document_template_editor_links_its_pdf_preview(client_admin_a, org_a):
    from customers.models import DocumentTemplate

    tpl = DocumentTemplate.objects.create(organization=org_a, name="Mandat", body_html="<p>{first_name}</p>")
    html = client_admin_a.get(
        reverse("customers:document_template_edit", kwargs={"org_slug": org_a.slug, "template_pk": tpl.pk})
    ).content.decode()
    preview = reverse("customers:document_template_preview", kwargs={"org_slug": org_a.slug, "template_pk": tpl.pk})
    assert f'href="{preview}"' in html
    response = client_admin_a.get(preview)
    assert response["Content-Type"] == "application/pdf" and response.content.startswith(b"%PDF")


def test_licence_panel_marks_an_overdue_check(client_admin_a, org_a):
    from .test_card import card_url

    overdue = make_customer(org_a, licence_check_interval_months=6, licence_checked_at=dt.date(2020, 1, 1))
    fresh = make_customer(org_a, licence_check_interval_months=6, licence_checked_at=dt.date.today())

    def panel(customer) -> str:
        # The escalations stand far down the card and load after it (customers/panels.py, LAZY).
        card = client_admin_a.get(card_url(org_a, customer)).content.decode()
        body = reverse("panel_body", args=[org_a.slug, "customer", "licence_escalations", customer.pk])
        assert f'hx-get="{body}"' in card
        return client_admin_a.get(body).content.decode()

    assert 'data-testid="licence-overdue"' in panel(overdue)
    assert 'data-testid="licence-overdue"' not in panel(fresh)


def test_bank_errors_are_in_the_ui_language(client_admin_a, org_a, customer_a):
    from .test_card import card_url, form_data

    url = card_url(org_a, customer_a)
    client_admin_a.cookies["django_language"] = "de"
    data = form_data(client_admin_a.get(url))
    data["c-iban"] = "DE89370400440532013001"
    data["c-bic"] = "ZZZZZZZZ"
    html = client_admin_a.post(url, data).content.decode()
    assert "falsche Prüfziffern" in html and "unbekannter Ländercode" in html
    assert "Invalid checksum" not in html and "Invalid country" not in html


def _visible_text(html: str) -> str:
    import re

    html = re.sub(r"<(script|style|template)\b.*?</\1>", " ", html, flags=re.S)
    text = re.sub(r"<[^>]+>", " ", html)
    attrs = " ".join(re.findall(r'(?:placeholder|title|aria-label)="([^"]*)"', html))
    return text + " " + attrs


@pytest.mark.parametrize("page", ["card", "list", "email", "settings", "dashboard"])
def test_no_text_of_the_other_language(client_admin_a, org_a, page):
    """English pages show none of our German texts and German pages none of our English ones."""
    import html as html_lib
    from pathlib import Path

    import polib

    catalogue = Path(__file__).resolve().parents[2] / "customers" / "locale" / "de" / "LC_MESSAGES" / "django.po"
    DE = {e.msgid: e.msgstr for e in polib.pofile(str(catalogue)) if e.msgstr and not e.msgid_plural}

    customer = make_customer(
        org_a,
        first_name="Ann",
        last_name="Smith",
        email="ann@example.com",
        is_blocked=True,
        blocked_reason="unpaid",
        licence_check_interval_months=6,
    )
    urls = {
        "card": reverse("customers:card", kwargs={"org_slug": org_a.slug, "pk": customer.pk}),
        "list": reverse("customers:list", kwargs={"org_slug": org_a.slug}) + "?licence=overdue",
        "email": reverse("customers:email", kwargs={"org_slug": org_a.slug, "pk": customer.pk}),
        "settings": reverse("customers:settings", kwargs={"org_slug": org_a.slug}),
        "dashboard": reverse("org_dashboard", kwargs={"org_slug": org_a.slug}),
    }
    pairs = [(en, de) for en, de in DE.items() if en != de and len(en) > 7 and len(de) > 7 and "%" not in en]
    client_admin_a.cookies["django_language"] = "en"
    english = html_lib.unescape(_visible_text(client_admin_a.get(urls[page]).content.decode()))
    client_admin_a.cookies["django_language"] = "de"
    german = html_lib.unescape(_visible_text(client_admin_a.get(urls[page]).content.decode()))
    assert any(de in german for _en, de in pairs) and any(en in english for en, _de in pairs)  # really rendered
    assert [de for en, de in pairs if de in english and de not in en] == []
    assert [en for en, de in pairs if en in german and en not in de] == []


@in_scope()
def test_list_count_is_capped(client_admin_a, org_a, monkeypatch):
    from customers.views import office

    monkeypatch.setattr(office, "LIST_COUNT_CAP", 60)
    for i in range(61):
        Customer.objects.create(organization=org_a, number=1000 + i, last_name=f"Viele{i:02d}")
    response = client_admin_a.get(reverse("customers:list", kwargs={"org_slug": org_a.slug}))
    html = response.content.decode()
    assert 'data-testid="list-capped"' in html and "1 / 2+" in html
    Customer.objects.filter(last_name="Viele00").delete()
    html = client_admin_a.get(reverse("customers:list", kwargs={"org_slug": org_a.slug})).content.decode()
    assert 'data-testid="list-capped"' not in html and "1 / 2<" in html
