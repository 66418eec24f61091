"""Status machine, editability, sending through the outbox, revocation, duplicate, close, delete."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django_scopes import scope

from fleetback.exceptions import CaseLocked, TransitionError
from fleetback.models import Case, CaseEvent, Recipient
from fleetback.services import cases as case_services
from fleetback.services import sending
from fleetback.services.answers import case_answer
from fleetback.services.cases import ContactFields, case_fields_of
from fleetback.services.status import transition
from rentoffice.models import OutboundMessage
from tests.actors import admin_of, membership_of
from tests.conftest import in_scope

from .helpers import make_case

pytestmark = pytest.mark.django_db
BASE = "https://app.example/"


def send(case, channel="email", **kwargs):
    return sending.case_send(actor=admin_of(case), case=case, channel=channel, base_url=BASE, **kwargs)


def test_status_machine_allows_only_its_transitions():
    case = Case(status=Case.Status.AWAITING)
    with pytest.raises(TransitionError):
        transition(case, Case.Status.READ)
    transition(case, Case.Status.SENT)
    assert case.status == "sent" and case.sent_at is not None
    transition(case, Case.Status.CLOSED)
    for target in ("awaiting", "sent", "read", "answered"):
        with pytest.raises(TransitionError):
            transition(case, target)


@in_scope()
def test_case_numbers_count_per_organization(org_a, station_a1):
    first = make_case(org=org_a, station=station_a1)
    second = make_case(org=org_a, station=station_a1, reference="RO-1002")
    assert (first.number, second.number) == (1, 2)
    assert [e.action for e in first.events.all()] == ["created"]


@in_scope()
def test_sent_case_is_not_editable_and_says_why(org_a, case_a1, client_admin_a):
    send(case_a1)
    case_a1.refresh_from_db()
    with pytest.raises(CaseLocked):
        case_services.case_update(actor=admin_of(org_a), case=case_a1, data=case_fields_of(case_a1))
    page = client_admin_a.get(reverse("fleetback:detail", args=[org_a.slug, case_a1.pk])).content.decode()
    assert "can no longer be changed" in page or "nicht mehr geändert" in page
    response = client_admin_a.get(reverse("fleetback:edit", args=[org_a.slug, case_a1.pk]))
    assert response.status_code == 302


@pytest.mark.parametrize(
    ("channel", "expected"),
    [
        ("email", [("email", "kunde@example.com")]),
        ("sms", [("sms", "+4915112345678")]),
        ("both", [("email", "kunde@example.com"), ("sms", "+4915112345678")]),
        ("link", []),
    ],
)
@in_scope()
def test_send_by_each_channel_queues_once_per_recipient(org_a, case_a1, channel, expected):
    first = send(case_a1, channel)
    again = send(case_a1, channel)  # a double click, or the same contact once more
    assert len(first) == 1 and again == []
    queued = sorted(OutboundMessage.objects.filter(organization=org_a).values_list("channel", "recipient"))
    assert queued == sorted(expected)
    token = first[0].token
    if expected:
        assert all(token in m.body_text for m in OutboundMessage.objects.filter(organization=org_a))
    case_a1.refresh_from_db()
    assert case_a1.status == "sent"
    assert CaseEvent.objects.filter(case=case_a1, action__in=["sent", "link"]).count() == 1


@in_scope()
def test_message_is_written_in_the_contacts_language(org_a, station_a1):
    case = make_case(org=org_a, station=station_a1, language="fr")
    send(case)
    message = OutboundMessage.objects.get(organization=org_a)
    assert "votre véhicule" in message.subject + message.body_text


@in_scope()
def test_channel_without_address_or_with_objection_is_refused(org_a, station_a1):
    case = make_case(org=org_a, station=station_a1, phone="")
    with pytest.raises(ValidationError) as exc:
        send(case, "sms")
    assert "channel" in exc.value.message_dict
    case.contact.email_opt_out = True
    case.contact.save()
    with pytest.raises(ValidationError):
        send(case, "email")
    assert not OutboundMessage.objects.filter(organization=org_a).exists()
    assert not Recipient.objects.filter(case=case).exists()


@in_scope()
def test_several_recipients_get_own_links(org_a, case_a1):
    extra = ContactFields(salutation="mr", last_name="Partner", email="partner@example.com", language="en")
    recipients = send(case_a1, extra_contacts=[extra])
    assert len({r.token for r in recipients}) == 2
    assert {m.language for m in OutboundMessage.objects.filter(organization=org_a)} == {"de", "en"}


def test_public_page_tokens(org_a, station_a1, client):
    # No scope here: the customer page runs without staff session or organization URL.
    with scope(organization=org_a):
        case = make_case(org=org_a, station=station_a1)
        other = make_case(org=org_a, station=station_a1, reference="OTHER-CASE")
        mine, theirs = send(case)[0], send(other)[0]
    response = client.get(reverse("fleetback_public:page", args=[mine.token]))
    assert response.status_code == 200
    assert "RO-1001" in response.content.decode() and "OTHER-CASE" not in response.content.decode()
    assert "OTHER-CASE" in client.get(reverse("fleetback_public:page", args=[theirs.token])).content.decode()
    assert client.get(reverse("fleetback_public:page", args=["x" * 43])).status_code == 404
    with scope(organization=org_a):
        sending.recipient_revoke(actor=admin_of(org_a), recipient=mine)
    assert client.get(reverse("fleetback_public:page", args=[mine.token])).status_code == 404
    assert client.post(reverse("fleetback_public:page", args=[mine.token])).status_code == 404


@in_scope()
def test_opening_sets_read_once_and_keeps_history(org_a, case_a1, client):
    recipient = send(case_a1)[0]
    url = reverse("fleetback_public:page", args=[recipient.token])
    client.get(url)
    client.get(url)
    case_a1.refresh_from_db()
    assert case_a1.status == "read"
    assert CaseEvent.objects.filter(case=case_a1, action="read").count() == 1


@in_scope()
def test_answer_locks_the_work_list_for_every_recipient(org_a, case_a1, client):
    extra = ContactFields(salutation="mr", last_name="Partner", email="partner@example.com")
    first, second = send(case_a1, extra_contacts=[extra])
    items = {i.title: i for i in case_a1.items.all()}
    decisions = {
        items["Bremsbeläge vorne"].pk: "approved",
        items["Wischerblätter"].pk: "declined",
        items["Klimaservice"].pk: "approved",
    }
    case_answer(recipient=first, decisions=decisions, rating=5, comment="Top", base_url=BASE)
    case_a1.refresh_from_db()
    assert (case_a1.status, case_a1.answered_by_id, case_a1.rating) == ("answered", first.pk, 5)
    for recipient in (first, second):
        recipient.refresh_from_db()
        with pytest.raises(CaseLocked):
            case_answer(
                recipient=recipient, decisions={k: "declined" for k in decisions}, rating=1, comment="", base_url=BASE
            )
        page = client.get(reverse("fleetback_public:page", args=[recipient.token])).content.decode()
        assert 'name="item-' not in page
    assert sorted(case_a1.items.values_list("decision", flat=True)) == ["", "approved", "approved", "declined"]
    # the assignee (here: the author) is told by e-mail, once
    notices = OutboundMessage.objects.filter(organization=org_a, template="fleetback_answered")
    assert list(notices.values_list("recipient", flat=True)) == ["admin@a.example"]
    assert "368.90" in notices[0].body_text or "368,90" in notices[0].body_text


@in_scope()
def test_incomplete_answer_is_refused_and_changes_nothing(org_a, case_a1, client):
    recipient = send(case_a1)[0]
    url = reverse("fleetback_public:page", args=[recipient.token])
    first_item = case_a1.items.get(title="Bremsbeläge vorne")
    client.get(url)
    response = client.post(url, {f"item-{first_item.pk}": "approved", "rating": "9"})
    assert response.status_code == 400
    full = {f"item-{i.pk}": "approved" for i in case_a1.items.all()}
    for rating in ("abc", "9", "-1", "99999999999999999999"):
        assert client.post(url, {**full, "rating": rating}).status_code == 400
    assert not case_a1.items.exclude(decision="").exists()
    case_a1.refresh_from_db()
    assert case_a1.status == "read" and case_a1.answered_by_id is None


@in_scope()
def test_duplicate_close_and_delete(org_a, case_a1):
    actor = admin_of(org_a)
    send(case_a1)
    copy = case_services.case_duplicate(actor=actor, case=case_a1, reference="RO-2000", module="body")
    assert (copy.status, copy.module, copy.items.count()) == ("awaiting", "body", 4)
    assert not copy.items.exclude(decision="").exists()
    with pytest.raises(ValidationError):
        case_services.case_delete(actor=actor, case=copy, confirm=True)  # not closed yet
    case_services.case_close(actor=actor, case=copy)
    with pytest.raises(ValidationError):
        case_services.case_delete(actor=actor, case=copy, confirm=False)
    case_services.case_delete(actor=actor, case=copy, confirm=True)
    assert not Case.objects.filter(pk=copy.pk).exists()
    case_services.case_close(actor=actor, case=case_a1)
    assert not Recipient.objects.filter(case=case_a1, revoked_at__isnull=True).exists()


@in_scope()
def test_manual_decision_with_origin_answers_the_case(org_a, case_a1):
    from fleetback.services.decisions import item_decide

    actor = admin_of(org_a)
    send(case_a1)
    for item in case_a1.items.all():
        if item.awaits_decision:
            item_decide(actor=actor, item=item, decision="approved", origin="phone")
    case_a1.refresh_from_db()
    assert case_a1.status == "answered"
    assert set(case_a1.items.exclude(decision="").values_list("decision_origin", flat=True)) == {"phone"}
    with pytest.raises(ValidationError):
        item_decide(actor=actor, item=case_a1.items.first(), decision="approved", origin="page")


@in_scope()
def test_used_car_stock_needs_vehicle_data(org_a, station_a1):
    with pytest.raises(ValidationError) as exc:
        make_case(org=org_a, station=station_a1, mode="sales", module="used_car")
    assert {"vin", "plate", "make_model", "km"} <= set(exc.value.message_dict)
    with pytest.raises(ValidationError) as exc:
        make_case(org=org_a, station=station_a1, mode="sales", module="mechanics")
    assert "module" in exc.value.message_dict
    assert not Case.objects.exists()


@in_scope()
def test_roles(org_a, station_a1, case_a1, auditor_a, sales_a, technician_a, back_office_a):
    auditor, sales = membership_of(auditor_a, org_a), membership_of(sales_a, org_a)
    with pytest.raises(PermissionDenied):
        sending.case_send(actor=auditor, case=case_a1, channel="email", base_url=BASE)
    with pytest.raises(PermissionDenied):
        sending.case_send(actor=sales, case=case_a1, channel="email", base_url=BASE)
    with pytest.raises(PermissionDenied):
        make_case(org=org_a, station=station_a1, actor=sales)
    sales_case = make_case(org=org_a, station=station_a1, actor=sales, mode="sales", module="direct", reference="S-1")
    assert sales_case.author == sales_a
    from fleetback.selectors import cases_visible

    assert list(cases_visible(membership=sales)) == [sales_case]
    office = membership_of(back_office_a, org_a)
    assert set(cases_visible(membership=office)) == {case_a1, sales_case}


def test_role_pages(org_a, station_a1, case_a1, auditor_a, sales_a, technician_a):
    from tests.conftest import client_for

    detail = reverse("fleetback:detail", args=[org_a.slug, case_a1.pk])
    after_sales = reverse("fleetback:list_after_sales", args=[org_a.slug])
    assert client_for(auditor_a).get(detail).status_code == 200
    assert client_for(auditor_a).get(reverse("fleetback:send", args=[org_a.slug, case_a1.pk])).status_code == 403
    assert client_for(sales_a).get(detail).status_code == 404
    assert client_for(sales_a).get(after_sales).status_code == 403
    assert client_for(sales_a).get(reverse("fleetback:list_sales", args=[org_a.slug])).status_code == 200
    # technicians capture on a device (next issue); the back-office case pages are not theirs
    assert client_for(technician_a).get(after_sales).status_code == 403
    assert client_for(technician_a).get(detail).status_code == 403


def test_other_dealership_and_outsiders_get_404(org_a, org_b, station_a1, station_a2, case_a1, staff_a2, admin_b):
    from tests.conftest import client_for

    with scope(organization=org_a):
        from rentoffice.models import Role

        role = Role.objects.get(organization=org_a, key="back_office")
        membership = membership_of(staff_a2, org_a)
        membership.role = role
        membership.save()
    urls = [
        reverse(name, args=[org_a.slug, case_a1.pk])
        for name in (
            "fleetback:detail",
            "fleetback:edit",
            "fleetback:send",
            "fleetback:preview",
            "fleetback:pdf",
            "fleetback:duplicate",
            "fleetback:close",
            "fleetback:delete",
        )
    ]
    for client in (client_for(staff_a2), client_for(admin_b)):
        for url in urls:
            assert client.get(url).status_code == 404, url
            assert client.post(url).status_code == 404, url
