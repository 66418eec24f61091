"""Roles in dealer cases, checked over every back-office URL of the app and every changing service:
technicians open nothing (their work is the mobile capture), sales only sales cases and their
contacts, auditors read and change nothing; outsiders and other dealerships' users get 404."""

import inspect
import io
import json
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.core.serializers import serialize
from django.urls import URLPattern, reverse
from django_scopes import scope, scopes_disabled
from PIL import Image

from fleetback import urls as fleetback_urls
from fleetback.models import Attachment, Case, CaseEvent, Contact, Medium, Recipient, WorkItem
from fleetback.services import cases, config, crm, crm_export, decisions, sending
from fleetback.services.cases import ContactFields, case_fields_of
from rentoffice.models import Role
from tests.actors import admin_of, membership_of
from tests.conftest import client_for, in_scope

from .helpers import brand_of, make_case

pytestmark = pytest.mark.django_db
BASE = "https://app.example/"


def _jpeg() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "navy").save(buffer, "JPEG")
    return buffer.getvalue()


@pytest.fixture
def world(org_a, station_a1):
    """A sent after-sales case (with an item and a recipient), its contact, and a sales case."""
    case = make_case(org=org_a, station=station_a1)
    sending.case_send(actor=admin_of(org_a), case=case, channel="email", base_url=BASE)
    sales = make_case(
        org=org_a, station=station_a1, mode="sales", module="direct", reference="S-1", email="s@example.com", phone=""
    )
    case.brand.logo.save("logo.jpg", ContentFile(_jpeg()), save=True)  # the file URLs serve real files
    medium = Medium(organization=org_a, case=case, kind=Medium.Kind.PHOTO, original_name="a.jpg")
    medium.file.save("a.jpg", ContentFile(_jpeg()), save=False)
    medium.poster.save("a-poster.jpg", ContentFile(_jpeg()), save=False)
    medium.save()
    attachment = Attachment(organization=org_a, case=case, name="quote.pdf", content_type="application/pdf", size=4)
    attachment.file.save("quote.pdf", ContentFile(b"%PDF"), save=False)
    attachment.save()
    return {
        "case": case,
        "sales": sales,
        "contact": case.contact,
        "item": WorkItem.objects.filter(case=case, urgency="urgent").first(),
        "recipient": Recipient.objects.get(case=case),
        "brand": case.brand,
        "medium": medium,
        "attachment": attachment,
    }


def _kwargs(pattern: URLPattern, world) -> dict:
    ids = {
        "item_pk": world["item"].pk,
        "recipient_pk": world["recipient"].pk,
        "medium_pk": world["medium"].pk,
        "attachment_pk": world["attachment"].pk,
        "station_pk": world["case"].station_id,
    }
    kwargs = {"org_slug": world["case"].organization.slug}
    for name in pattern.pattern.converters:
        if name == "pk":
            route = str(pattern.pattern)
            kwargs[name] = (
                world["contact"].pk
                if route.startswith("contacts/")
                else world["brand"].pk
                if route.startswith(("checklists/", "brands/"))
                else world["case"].pk
            )
        else:
            kwargs[name] = ids.get(name, 1)
    return kwargs


def app_urls(world):
    """(url, name, view, permission) of every back-office URL of the app, with real ids."""
    found = []
    for pattern in fleetback_urls.urlpatterns:
        kwargs = _kwargs(pattern, world)
        name = f"fleetback:{pattern.name}"
        found.append((reverse(name, kwargs=kwargs), name, pattern.callback))
    return found


def test_every_page_declares_its_permission(world):
    for _url, name, view in app_urls(world):
        assert getattr(view, "required_permission", "").startswith("cases."), name


def test_technicians_open_no_page_of_dealer_cases(world, technician_a, org_a):
    client = client_for(technician_a)
    for url, name, _view in app_urls(world):
        assert client.get(url).status_code == 403, name
        assert client.post(url).status_code == 403, name
    dashboard = client.get(reverse("org_dashboard", args=[org_a.slug])).content.decode()
    assert f"/o/{org_a.slug}/cases/" not in dashboard  # no navigation entry leads there


def _fingerprint(org):
    with scopes_disabled():
        rows = [
            serialize("json", model.objects.filter(organization=org).order_by("pk"))
            for model in (Case, Contact, WorkItem, Recipient, CaseEvent)
        ]
    return json.dumps(rows)


def test_auditors_read_every_page_and_change_nothing(world, auditor_a, org_a):
    client = client_for(auditor_a)
    before = _fingerprint(org_a)
    readable = 0
    for url, name, view in app_urls(world):
        if view.required_permission == "cases.view":
            status = client.get(url).status_code
            assert status == 200, name
            readable += 1
            client.post(url, {"confirm": "on", "email_opt_out": "on", "channel": "email", "decision": "approved"})
        else:
            assert client.get(url).status_code == 403, name
            assert client.post(url, {"confirm": "on"}).status_code == 403, name
    assert readable >= 5  # lists, case page, preview, PDF, contacts, contact page
    assert _fingerprint(org_a) == before
    page = client.get(reverse("fleetback:contact", args=[org_a.slug, world["contact"].pk])).content.decode()
    assert reverse("fleetback:contact_edit", args=[org_a.slug, world["contact"].pk]) not in page
    assert reverse("fleetback:contact_export", args=[org_a.slug, world["contact"].pk]) not in page


# Every changing service of these modules, called the way the back office calls it.
def _calls(world):
    case, contact = world["case"], world["contact"]
    return {
        cases.case_create: {"data": case_fields_of(case)},
        cases.case_update: {"case": case, "data": case_fields_of(case)},
        cases.case_duplicate: {"case": case, "reference": "COPY"},
        cases.case_close: {"case": case},
        cases.case_delete: {"case": case, "confirm": True},
        sending.case_send: {"case": case, "channel": "email", "base_url": BASE},
        sending.recipient_revoke: {"recipient": world["recipient"]},
        decisions.item_decide: {"item": world["item"], "decision": "approved", "origin": "phone"},
        config.checklist_save: {"brand": world["brand"], "items": [("Öl", Decimal("10"))]},
        crm.contact_update: {"contact": contact, "data": ContactFields(salutation="mr", last_name="Neu")},
        crm.contact_opt_out_set: {"contact": contact, "email": True, "sms": True},
        crm.contact_customer_link: {"contact": contact, "customer": None},
        crm.contact_customer_create: {"contact": contact},
        crm.contact_anonymise: {"contact": contact, "confirm": True},
        crm_export.contact_export: {"contact": contact},
    }


@in_scope()
def test_the_list_of_changing_services_is_complete(world, org_a):
    listed = set(_calls(world))
    for module in (cases, sending, decisions, config, crm, crm_export):
        for name, function in inspect.getmembers(module, inspect.isfunction):
            own = function.__module__ == module.__name__ and not name.startswith("_") and name != "require_contact"
            if own and "actor" in inspect.signature(function).parameters:
                assert function in listed, f"{module.__name__}.{name} is not checked for auditors"


@in_scope()
def test_auditors_are_refused_by_every_changing_service(world, auditor_a, org_a):
    auditor = membership_of(auditor_a, org_a)
    before = _fingerprint(org_a)
    for service, kwargs in _calls(world).items():
        with pytest.raises(PermissionDenied):
            service(actor=auditor, **kwargs)
    assert _fingerprint(org_a) == before


def test_sales_see_sales_cases_and_their_contacts_only(world, sales_a, org_a, station_a1):
    client = client_for(sales_a)
    contacts = client.get(reverse("fleetback:contacts", args=[org_a.slug])).content.decode()
    assert "s@example.com" in contacts and "kunde@example.com" not in contacts
    after_sales_contact = reverse("fleetback:contact", args=[org_a.slug, world["contact"].pk])
    assert client.get(after_sales_contact).status_code == 404
    # A person with cases in both modes: sales see the person and only the sales case.
    both = make_case(org=org_a, station=station_a1, mode="sales", module="direct", reference="S-SAME-PERSON", items=())
    assert both.contact_id == world["contact"].pk
    page = client.get(after_sales_contact).content.decode()
    assert "S-SAME-PERSON" in page and "RO-1001" not in page
    assert client.get(reverse("fleetback:list_after_sales", args=[org_a.slug])).status_code == 403
    assert client.get(reverse("fleetback:checklists", args=[org_a.slug])).status_code == 403
    # Erasing the person would touch the after-sales case sales cannot see: refused, nothing erased.
    refused = client.post(
        reverse("fleetback:contact_delete", args=[org_a.slug, world["contact"].pk]), {"confirm": "on"}
    )
    assert refused.status_code == 200 and refused.context["form"].non_field_errors()
    with scope(organization=org_a):
        assert Contact.objects.get(pk=world["contact"].pk).last_name == "Kundin"


def test_other_dealerships_and_outsiders_get_404_on_every_contact_url(world, org_a, station_a2, staff_a2, admin_b):
    with scope(organization=org_a):
        membership = membership_of(staff_a2, org_a)
        membership.role = Role.objects.get(organization=org_a, key="back_office")
        membership.save()
        brand_of(station_a2)
    contact_urls = [(url, name) for url, name, _v in app_urls(world) if name.startswith("fleetback:contact")]
    assert len(contact_urls) == 7
    for client in (client_for(staff_a2), client_for(admin_b)):
        for url, name in contact_urls:
            if name == "fleetback:contacts":
                continue
            assert client.get(url).status_code == 404, (url, name)
            assert client.post(url, {"confirm": "on", "action": "create"}).status_code == 404, (url, name)
    listing = client_for(staff_a2).get(reverse("fleetback:contacts", args=[org_a.slug])).content.decode()
    assert "kunde@example.com" not in listing
    with scope(organization=org_a):
        assert Contact.objects.get(pk=world["contact"].pk).last_name == "Kundin"
