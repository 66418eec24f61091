"""After submission the worker stores the PDF once and queues the customer's e-mail once, with the PDF
attached, to the booking-confirmation address, in the customer's language — also when it runs twice."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.core import mail
from django.db import connection
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from protocols.models import Protocol
from protocols.services.delivery import protocol_deliver, protocols_deliver_pending
from protocols.tasks import protocol_deliver as protocol_deliver_task
from rentoffice.message_templates import override_save
from rentoffice.models import OutboundMessage
from rentoffice.outbox import message_send
from tests.customers.conftest import make_customer
from tests.protocols.ppdf_data import contract_for, make_protocol
from tests.vehicles.conftest import make_vehicle
from vehicles.models import VehicleGroup

pytestmark = pytest.mark.django_db


@pytest.fixture
def group(org_a):
    return VehicleGroup.objects.create(organization=org_a, name="Kleinwagen", code="KLEIN")


@pytest.fixture
def car(org_a, station_a1, group):
    return make_vehicle(org_a, station_a1, group, plate="M-DL 1")


@pytest.fixture
def customer(org_a):
    return make_customer(
        org_a,
        first_name="Jürgen",
        last_name="Müller",
        email="juergen@example.com",
        email_bookings="buchungen@mueller.example",
        email_invoices="rechnung@mueller.example",
        additional_parallel_bookings=10,
    )


@pytest.fixture
def protocol(customer, group, station_a1, car):
    contract = contract_for(customer, group, station_a1, car)
    return make_protocol(contract, photo_views=("front",), signatures=(("customer", "Jürgen Müller"),))


def _messages(org):
    with scopes_disabled():
        return list(OutboundMessage.objects.filter(organization=org, template="protocol"))


def _pdf_files(org, protocol) -> list:
    from django.core.files.storage import default_storage

    directory = f"org_{org.pk}/protocols/{protocol.pk}"
    return default_storage.listdir(directory)[1] if default_storage.exists(directory) else []


def test_task_twice_stores_one_pdf_and_queues_one_email_with_it(org_a, protocol, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        protocol_deliver_task(organization_id=org_a.pk, protocol_id=protocol.pk)
    with scopes_disabled():
        protocol.refresh_from_db()
    first_pdf, first_generated = protocol.pdf.name, protocol.pdf_generated_at
    assert first_pdf and first_generated

    protocol_deliver_task(organization_id=org_a.pk, protocol_id=protocol.pk)

    with scopes_disabled():
        protocol.refresh_from_db()
    assert (protocol.pdf.name, protocol.pdf_generated_at) == (first_pdf, first_generated)
    assert len(_pdf_files(org_a, protocol)) == 1
    [message] = _messages(org_a)
    assert protocol.email_message_id == message.pk
    assert message.recipient == "buchungen@mueller.example"  # booking-confirmation address wins
    assert message.language == "de"
    assert protocol.contract.number in message.subject
    assert message.attachments == [
        {"name": message.attachments[0]["name"], "path": first_pdf, "content_type": "application/pdf"}
    ]
    assert len(callbacks) == 1  # the one send, handed to the workers after commit

    # What the worker then sends: the e-mail with the stored PDF attached.
    with scope(organization=org_a):
        assert message_send(organization=org_a, message_id=message.pk)
    [sent] = mail.outbox
    assert sent.to == ["buchungen@mueller.example"]
    [(name, content, content_type)] = sent.attachments
    assert name.endswith(".pdf") and content_type == "application/pdf"
    assert content.startswith(b"%PDF")
    assert "Jürgen Müller" in sent.body


def test_email_in_the_customers_language_to_the_standard_address_without_a_booking_one(org_a, group, station_a1, car):
    customer = make_customer(org_a, first_name="Jane", last_name="Doe", email="jane@example.com", language_code="en")
    protocol = make_protocol(contract_for(customer, group, station_a1, car), photo_views=(), signatures=())
    with scope(organization=org_a):
        protocol_deliver(protocol=protocol)
    [message] = _messages(org_a)
    assert message.recipient == "jane@example.com"
    assert message.language == "en"
    assert message.subject == f"Your protocol (check-out) for contract {protocol.contract.number}"
    assert "Dear Jane Doe" in message.body_text


def test_adapted_text_of_the_organization_is_used(org_a, protocol):
    with scopes_disabled():
        override_save(
            organization=org_a,
            key="protocol",
            language="de",
            subject="Protokoll {contract_number} von {organization_name}",
            body_text="Hallo {customer_name}, anbei das Protokoll ({protocol_kind}) für {vehicle}.",
        )
    with scope(organization=org_a):
        protocol_deliver(protocol=protocol)
    [message] = _messages(org_a)
    assert message.subject == f"Protokoll {protocol.contract.number} von {org_a.name}"
    assert (
        message.body_text.strip() == "Hallo Jürgen Müller, anbei das Protokoll (Übergabe) für M-DL 1 (Volkswagen Golf)."
    )


def test_draft_is_not_delivered(org_a, customer, group, station_a1, car):
    draft = make_protocol(
        contract_for(customer, group, station_a1, car), submitted=False, photo_views=(), signatures=()
    )
    with scope(organization=org_a):
        protocol_deliver(protocol=draft)
        draft.refresh_from_db()
    assert not draft.pdf
    assert _messages(org_a) == []


def test_customer_without_address_gets_the_email_from_the_sweep_once_there_is_one(org_a, group, station_a1, car):
    customer = make_customer(org_a, first_name="Ohne", last_name="Mail")
    protocol = make_protocol(
        contract_for(customer, group, station_a1, car),
        photo_views=(),
        signatures=(),
        submitted_at=timezone.now() - dt.timedelta(hours=1),
    )
    with scope(organization=org_a):
        protocol_deliver(protocol=protocol)
        assert protocol.pdf and protocol.email_message_id is None
        assert _messages(org_a) == []

        customer.email = "spaeter@example.com"
        customer.save(update_fields=["email"])
        protocols_deliver_pending(organization=org_a)
        protocols_deliver_pending(organization=org_a)
    [message] = _messages(org_a)
    assert message.recipient == "spaeter@example.com"


def test_sweep_delivers_a_protocol_whose_task_was_lost(org_a, customer, group, station_a1, car):
    lost = make_protocol(
        contract_for(customer, group, station_a1, car),
        photo_views=(),
        signatures=(),
        submitted_at=timezone.now() - dt.timedelta(minutes=30),
    )
    just_submitted = make_protocol(contract_for(customer, group, station_a1, car, day=5), photo_views=(), signatures=())
    with scope(organization=org_a):
        protocols_deliver_pending(organization=org_a)
        lost.refresh_from_db()
        just_submitted.refresh_from_db()
    assert lost.pdf and lost.email_message_id
    assert not just_submitted.pdf  # its own task is still on the way


@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_leave_one_pdf_and_one_email(org_a, protocol):
    barrier = threading.Barrier(2)
    errors = []

    def run():
        try:
            barrier.wait()
            protocol_deliver_task(organization_id=org_a.pk, protocol_id=protocol.pk)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(_messages(org_a)) == 1
    assert len(_pdf_files(org_a, protocol)) == 1
    with scopes_disabled():
        assert Protocol.objects.get(pk=protocol.pk).email_message_id == _messages(org_a)[0].pk


@pytest.fixture
def eager_tasks():
    """Run tasks in the test's process, as a worker would run them after commit."""
    from rentoffice.celery import app as celery_app

    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = False


def test_submitting_through_the_engine_sends_the_customer_the_pdf(
    org_a, station_a1, customer, eager_tasks, django_capture_on_commit_callbacks
):
    """The whole way: protocol_submit → on commit the delivery task → PDF stored → e-mail sent."""
    from tests.protocols.conftest import now_ish, record

    group = VehicleGroup.objects.create(organization=org_a, name="Kombi", code="KOMBI")
    car = make_vehicle(org_a, station_a1, group, plate="M-EN 1")
    from tests.contracts.conftest import book

    contract = book(customer, group, station_a1, now_ish(-1), now_ish(47), vehicle=car)
    with django_capture_on_commit_callbacks(execute=True):
        protocol = record(contract, Protocol.Kind.CHECK_OUT, km=1_250, fuel=7)

    with scopes_disabled():
        protocol.refresh_from_db()
    assert protocol.is_submitted and protocol.pdf
    [message] = _messages(org_a)
    assert protocol.email_message_id == message.pk
    assert message.status == OutboundMessage.Status.SENT
    [sent] = mail.outbox
    assert sent.to == ["buchungen@mueller.example"]
    [(_name, content, _type)] = sent.attachments
    from tests.protocols.test_pdf import pdf_text

    text = pdf_text(content)
    assert "1.250 km" in text and "7/8" in text
    assert "Name customer (Kunde)" in text and "Name staff (Mitarbeiter)" in text
