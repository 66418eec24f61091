"""CRM: one contact per person across cases, search by name/e-mail/phone, contact page with case
history, editing, the link to the customers app, and notifying the customer of a manual decision."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from django_scopes import scope

from customers.models import Customer
from customers.services.core import customer_save
from fleetback.models import CaseEvent, Contact, WorkItem
from fleetback.selectors_crm import contacts_search
from fleetback.services import crm, decisions, sending
from fleetback.services.cases import ContactFields
from rentoffice.models import OutboundMessage
from tests.actors import admin_of, membership_of
from tests.conftest import client_for, data_helper, in_scope, make_member

from .helpers import make_case

pytestmark = pytest.mark.django_db
BASE = "https://app.example/"


@data_helper
def make_customer(org, **fields) -> Customer:
    return customer_save(actor=admin_of(org), customer=Customer(organization=org, **fields))


def contact_url(org, contact, name="fleetback:contact"):
    return reverse(name, args=[org.slug, contact.pk])


@in_scope()
def test_the_same_person_keeps_one_contact_across_cases(org_a, station_a1):
    first = make_case(org=org_a, station=station_a1, reference="RO-1")
    # Same last name, the phone typed nationally and no e-mail: the same person.
    second = make_case(org=org_a, station=station_a1, reference="RO-2", email="", phone="0151 123 456 78")
    other = make_case(org=org_a, station=station_a1, reference="RO-3", email="andere@example.com", phone="")
    assert second.contact_id == first.contact_id
    assert other.contact_id != first.contact_id
    contact = Contact.objects.get(pk=first.contact_id)
    # What the second entry left empty (the e-mail) is kept, what it typed is taken.
    assert contact.email == "kunde@example.com"
    assert contact.phone == "0151 123 456 78"


@in_scope()
def test_an_objection_follows_the_person_to_a_new_case(org_a, station_a1):
    first = make_case(org=org_a, station=station_a1, reference="RO-1")
    crm.contact_opt_out_set(actor=admin_of(org_a), contact=first.contact, email=True, sms=False)
    later = make_case(org=org_a, station=station_a1, reference="RO-2")
    assert later.contact.email_opt_out
    with translation.override("en"), pytest.raises(ValidationError) as exc:
        sending.case_send(actor=admin_of(org_a), case=later, channel="email", base_url=BASE)
    assert "objected to e-mails (GDPR, recorded on" in str(exc.value)
    assert not OutboundMessage.objects.exists()


@in_scope()
def test_search_by_name_email_and_phone(org_a, station_a1):
    case = make_case(org=org_a, station=station_a1)
    make_case(org=org_a, station=station_a1, reference="RO-9", email="otto@example.com", phone="+49 170 9999999")
    Contact.objects.filter(email="otto@example.com").update(last_name="Normal", first_name="Otto")
    actor = admin_of(org_a)

    def names(query):
        return [c.last_name for c in contacts_search(membership=actor, query=query)]

    assert names("kund") == ["Kundin"]
    assert names("Karla Kundin") == ["Kundin"]
    assert names("otto@exa") == ["Normal"]
    assert names("0151 12345678") == ["Kundin"]  # typed nationally, stored with +49
    assert names("+4917099") == ["Normal"]
    assert names("nobody") == []
    found = contacts_search(membership=actor, query="")
    assert {c.pk for c in found} == {case.contact_id, Contact.objects.get(email="otto@example.com").pk}
    assert next(c for c in found if c.pk == case.contact_id).case_count == 1


def test_contact_page_shows_case_history_and_links_from_the_case(org_a, station_a1, client_admin_a):
    first = make_case(org=org_a, station=station_a1, reference="RO-HIST-1")
    second = make_case(org=org_a, station=station_a1, reference="RO-HIST-2")
    response = client_admin_a.get(contact_url(org_a, first.contact))
    page = response.content.decode()
    assert response.status_code == 200
    assert "RO-HIST-1" in page and "RO-HIST-2" in page
    assert page.index("RO-HIST-2") < page.index("RO-HIST-1")  # newest first
    case_page = client_admin_a.get(reverse("fleetback:detail", args=[org_a.slug, second.pk])).content.decode()
    assert contact_url(org_a, first.contact) in case_page


def test_further_recipient_sees_the_case_in_their_history(org_a, station_a1, client_admin_a):
    case = make_case(org=org_a, station=station_a1, reference="RO-MULTI")
    with scope(organization=org_a):
        sending.case_send(
            actor=admin_of(org_a),
            case=case,
            channel="email",
            base_url=BASE,
            extra_contacts=[ContactFields(salutation="mr", last_name="Zweiter", email="zwei@example.com")],
        )
        extra = Contact.objects.get(last_name="Zweiter")
    page = client_admin_a.get(contact_url(org_a, extra)).content.decode()
    assert "RO-MULTI" in page and "als weiterer Empfänger" in page


def test_contact_list_query_count_is_constant(org_a, station_a1, client_admin_a):
    url = reverse("fleetback:contacts", args=[org_a.slug])
    make_case(org=org_a, station=station_a1, email="p0@example.com", phone="")
    client_admin_a.get(url)
    with CaptureQueriesContext(connection) as few:
        assert client_admin_a.get(url).status_code == 200
    for n in range(1, 12):
        make_case(org=org_a, station=station_a1, reference=f"RO-{n}", email=f"p{n}@example.com", phone="")
    with CaptureQueriesContext(connection) as many:
        response = client_admin_a.get(url)
    assert response.content.decode().count("p11@example.com") == 1
    assert len(many) == len(few)


def test_edit_contact_changes_every_case_and_refuses_bad_input(org_a, station_a1, client_admin_a):
    first = make_case(org=org_a, station=station_a1, reference="RO-1")
    second = make_case(org=org_a, station=station_a1, reference="RO-2")
    url = contact_url(org_a, first.contact, "fleetback:contact_edit")
    data = {
        "language": "fr",
        "salutation": "ms",
        "title": "Dr.",
        "first_name": "Karla",
        "last_name": "Kundin-Neu",
        "email": "neu@example.com",
        "phone": "+4915199999999",
    }
    bad = client_admin_a.post(url, {**data, "email": "not-an-address", "last_name": ""})
    assert bad.status_code == 200
    assert bad.context["form"].errors.keys() == {"email", "last_name"}
    with scope(organization=org_a):
        assert Contact.objects.get(pk=first.contact_id).last_name == "Kundin"
    bad_language = client_admin_a.post(url, {**data, "language": "xx"})
    assert "language" in bad_language.context["form"].errors
    assert client_admin_a.post(url, data).status_code == 302
    with scope(organization=org_a):
        contact = Contact.objects.get(pk=second.contact_id)
        assert (contact.title, contact.last_name, contact.email, contact.language) == (
            "Dr.",
            "Kundin-Neu",
            "neu@example.com",
            "fr",
        )


@in_scope()
def test_contact_is_linked_to_the_matching_customer(org_a, station_a1):
    customer = make_customer(org_a, first_name="Karla", last_name="Kundin", email="KUNDE@example.com")
    make_customer(org_a, first_name="Karla", last_name="Anders", email="karla@example.com")
    case = make_case(org=org_a, station=station_a1)
    assert case.contact.customer_id == customer.pk


@in_scope()
def test_ambiguous_customers_are_suggested_not_linked(org_a, station_a1):
    from fleetback.selectors_crm import customers_matching

    make_customer(org_a, first_name="Karla", last_name="Kundin", email="kunde@example.com")
    make_customer(org_a, first_name="Karla", last_name="Kundin", mobile="+4915112345678")
    case = make_case(org=org_a, station=station_a1)
    assert case.contact.customer_id is None
    assert [c.match_strength for c in customers_matching(contact=case.contact)] == ["strong", "strong"]


def test_link_and_create_customer_from_the_contact_page(org_a, station_a1, client_admin_a):
    case = make_case(org=org_a, station=station_a1, phone="+4915112345678")
    url = contact_url(org_a, case.contact, "fleetback:contact_customer")
    unknown = client_admin_a.post(url, {"action": "link", "customer_number": "999999"})
    assert unknown.status_code == 400
    assert "Es gibt keinen Kunden mit dieser Nummer." in unknown.content.decode()
    assert client_admin_a.post(url, {"action": "create"}).status_code == 302
    with scope(organization=org_a):
        contact = Contact.objects.select_related("customer").get(pk=case.contact_id)
        customer = contact.customer
        assert (customer.last_name, customer.first_name, customer.email, customer.mobile) == (
            "Kundin",
            "Karla",
            "kunde@example.com",
            "+4915112345678",
        )
        assert Customer.objects.count() == 1
    again = client_admin_a.post(url, {"action": "create"})
    assert again.status_code == 400 and "bereits mit einem Kunden verknüpft" in again.content.decode()
    assert client_admin_a.post(url, {"action": "unlink"}).status_code == 302
    assert client_admin_a.post(url, {"action": "link", "customer_number": str(customer.number)}).status_code == 302
    with scope(organization=org_a):
        assert Contact.objects.get(pk=case.contact_id).customer_id == customer.pk


def test_customer_created_from_a_contact_with_a_bad_phone_is_a_field_error(org_a, station_a1, client_admin_a):
    case = make_case(org=org_a, station=station_a1, phone="12")
    response = client_admin_a.post(contact_url(org_a, case.contact, "fleetback:contact_customer"), {"action": "create"})
    assert response.status_code == 400
    with scope(organization=org_a):
        assert not Customer.objects.exists()
        assert Contact.objects.get(pk=case.contact_id).customer_id is None


@in_scope()
def test_creating_a_customer_needs_the_customers_permission(org_a, station_a1, sales_a):
    case = make_case(org=org_a, station=station_a1, mode="sales", module="direct", reference="S-1")
    with pytest.raises(PermissionDenied):
        crm.contact_customer_create(actor=membership_of(sales_a, org_a), contact=case.contact)
    assert not Customer.objects.exists()


@in_scope()
def test_manual_decision_notifies_the_customer_on_request(org_a, station_a1):
    case = make_case(org=org_a, station=station_a1)
    items = [i for i in case.items.all() if i.awaits_decision]
    actor = admin_of(org_a)
    decisions.item_decide(actor=actor, item=items[0], decision="approved", origin="phone", notify="email")
    decisions.item_decide(actor=actor, item=items[1], decision="declined", origin="phone")
    message = OutboundMessage.objects.get()
    assert message.recipient == "kunde@example.com" and message.language == "de"
    assert items[0].title in message.body_text and "Zustimmung" in message.body_text
    assert CaseEvent.objects.filter(case=case, action=CaseEvent.Action.NOTIFIED).count() == 1
    decisions.item_decide(actor=actor, item=items[2], decision="declined", origin="in_person", notify="sms")
    sms = OutboundMessage.objects.get(channel="sms")
    assert sms.recipient == "+4915112345678" and items[2].title in sms.body_text


@in_scope()
def test_notification_refused_for_an_objecting_customer_records_nothing(org_a, station_a1):
    case = make_case(org=org_a, station=station_a1)
    crm.contact_opt_out_set(actor=admin_of(org_a), contact=case.contact, email=True, sms=False)
    item = next(i for i in case.items.all() if i.awaits_decision)
    with pytest.raises(ValidationError) as exc:
        decisions.item_decide(actor=admin_of(org_a), item=item, decision="approved", origin="phone", notify="email")
    assert "notify" in exc.value.message_dict
    assert not OutboundMessage.objects.exists()
    assert WorkItem.objects.get(pk=item.pk).decision == ""


def test_case_page_offers_notification_and_disables_refused_channels(org_a, station_a1, client_admin_a):
    case = make_case(org=org_a, station=station_a1, phone="")
    page = client_admin_a.get(reverse("fleetback:detail", args=[org_a.slug, case.pk])).content.decode()
    assert 'name="notify"' in page
    assert "hat keine Mobilnummer" in page
    with scope(organization=org_a):
        item = next(i for i in case.items.all() if i.awaits_decision)
    url = reverse("fleetback:item_decide", args=[org_a.slug, case.pk, item.pk])
    response = client_admin_a.post(url, {"decision": "approved", "origin": "phone", "notify": "sms"}, follow=True)
    assert "hat keine Mobilnummer" in response.content.decode()
    with scope(organization=org_a):
        assert WorkItem.objects.get(pk=item.pk).decision == ""
    client_admin_a.post(url, {"decision": "approved", "origin": "phone", "notify": "email"})
    with scope(organization=org_a):
        assert WorkItem.objects.get(pk=item.pk).decision == "approved"
        assert OutboundMessage.objects.filter(recipient="kunde@example.com").count() == 1


def test_station_staff_see_only_contacts_of_their_dealership(org_a, station_a1, station_a2):
    own = make_case(org=org_a, station=station_a2, reference="A2-1", email="own@example.com", phone="")
    other = make_case(org=org_a, station=station_a1, reference="A1-1", email="other@example.com", phone="")
    user = make_member(org_a, "office-a2@a.example", "back_office", stations=[station_a2])
    client = client_for(user)
    page = client.get(reverse("fleetback:contacts", args=[org_a.slug])).content.decode()
    assert "own@example.com" in page and "other@example.com" not in page
    assert client.get(contact_url(org_a, own.contact)).status_code == 200
    for name in ("fleetback:contact", "fleetback:contact_edit", "fleetback:contact_export", "fleetback:contact_delete"):
        assert client.get(contact_url(org_a, other.contact, name)).status_code == 404, name
