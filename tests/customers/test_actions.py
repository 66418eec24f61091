import datetime as dt
import io
import json
import zipfile

import pytest
from auditlog.models import LogEntry
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from customers import signals
from customers.models import AccessCard, Customer, CustomerAccount, CustomerDocument, LicenceEscalation
from customers.services import customer_merge
from customers.services.documents import document_upload
from rentoffice.models import OutboundMessage
from tests.actors import membership_of
from tests.conftest import in_scope

from .conftest import make_customer

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n%%EOF\n"


def url(name, org, **kwargs):
    return reverse(f"customers:{name}", kwargs={"org_slug": org.slug, **kwargs})


@in_scope()
def test_copy_terminate_block_unlock_time_limit(client_admin_a, org_a, customer_a):
    r = client_admin_a.post(url("copy", org_a, pk=customer_a.pk))
    copy = Customer.objects.exclude(pk=customer_a.pk).get(organization=org_a, last_name="Müller")
    assert r.url.endswith(f"/{copy.pk}/") and copy.number != customer_a.number and copy.email == customer_a.email
    assert not copy.access_cards.exists()

    client_admin_a.post(url("terminate", org_a, pk=customer_a.pk), {"end_date": "2030-06-30"})
    customer_a.refresh_from_db()
    assert customer_a.contract_end == dt.date(2030, 6, 30)
    assert customer_a.may_book_on(dt.date(2030, 6, 30)) and not customer_a.may_book_on(dt.date(2030, 7, 1))

    r = client_admin_a.post(url("block", org_a, pk=customer_a.pk), {"reason": ""})
    assert r.status_code == 200  # a reason is required
    client_admin_a.post(url("block", org_a, pk=customer_a.pk), {"reason": "Unpaid invoices"})
    customer_a.refresh_from_db()
    assert customer_a.is_blocked and customer_a.blocked_reason == "Unpaid invoices" and customer_a.blocked_at
    html = client_admin_a.get(url("card", org_a, pk=customer_a.pk)).content.decode()
    assert 'data-testid="blocked-badge"' in html and "Unpaid invoices" in html

    client_admin_a.post(url("unlock", org_a, pk=customer_a.pk), {"reason": "paid"})
    customer_a.refresh_from_db()
    assert not customer_a.is_blocked and "paid" in customer_a.notes

    client_admin_a.post(url("time_limit", org_a, pk=customer_a.pk), {"valid_until": "2029-01-01"})
    customer_a.refresh_from_db()
    assert customer_a.valid_until == dt.date(2029, 1, 1) and not customer_a.may_book_on(dt.date(2029, 1, 2))


@in_scope()
def test_merge_moves_everything_and_keeps_chosen_fields(client_admin_a, org_a, admin_a):
    survivor = make_customer(
        org_a, first_name="Anna", last_name="Schmidt", email="anna@old.example", city="Köln", cards=["M-1"]
    )
    other = make_customer(
        org_a,
        first_name="Anna",
        last_name="Schmidt",
        email="anna@new.example",
        city="Bonn",
        phone="0228 123456",
        cards=["M-2"],
    )
    sub = make_customer(org_a, last_name="Fahrer", main_customer=other)
    doc = document_upload(
        customer=other,
        upload=SimpleUploadedFile("v.pdf", PDF),
        doc_type="contract",
        note="",
        actor=membership_of(admin_a, other),
    )
    CustomerAccount.objects.create(organization=org_a, customer=other, email="anna@new.example")
    LicenceEscalation.objects.create(organization=org_a, customer=other, due_on=dt.date(2025, 1, 1), step=1)
    OutboundMessage.objects.create(
        organization=org_a, recipient="x@example.com", purpose="x", body_text="x", related_type_id=None
    )
    received = []
    signals.customers_merged.connect(
        lambda **kw: received.append(kw["other_pk"]), weak=False, dispatch_uid="test-merge"
    )
    entries_before = LogEntry.objects.get_for_object(survivor).count()

    response = client_admin_a.get(url("merge", org_a, pk=survivor.pk, other_pk=other.pk))
    names = {row["name"] for row in response.context["rows"]}
    assert {"email", "city", "phone"} <= names and "first_name" not in names
    response = client_admin_a.post(url("merge", org_a, pk=survivor.pk, other_pk=other.pk), {"take": ["email", "phone"]})
    assert response.status_code == 302
    signals.customers_merged.disconnect(dispatch_uid="test-merge")

    survivor.refresh_from_db()
    assert not Customer.objects.filter(pk=other.pk).exists()
    assert survivor.email == "anna@new.example" and survivor.phone == "0228 123456" and survivor.city == "Köln"
    assert set(AccessCard.objects.filter(customer=survivor).values_list("number", flat=True)) == {"M-1", "M-2"}
    assert CustomerDocument.objects.get(pk=doc.pk).customer == survivor
    assert CustomerAccount.objects.get(organization=org_a).customer == survivor
    assert LicenceEscalation.objects.get().customer == survivor
    assert Customer.objects.get(pk=sub.pk).main_customer == survivor
    assert received == [other.pk]
    assert LogEntry.objects.get_for_object(survivor).count() == entries_before + 1
    assert "merged_with" in LogEntry.objects.get_for_object(survivor).first().changes_dict
    assert "anna@new.example" in survivor.search_text and "m-2" in survivor.search_text


def test_every_relation_to_customer_has_a_merge_and_export_handler():
    """Rows of every model pointing to Customer are handled by their app, not rewritten generically."""
    from customers.data_handlers import unhandled_relations

    relations = {r.related_model for r in Customer._meta.related_objects}
    assert {AccessCard, CustomerDocument, CustomerAccount, LicenceEscalation, Customer} <= relations
    assert unhandled_relations() == []


def test_merge_across_organizations_is_refused(org_a, org_b, customer_a, customer_b, admin_a):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        customer_merge(
            survivor=customer_a, other=customer_b, take_from_other=[], actor=membership_of(admin_a, customer_a)
        )


@in_scope()
def test_delete_refusals(client_admin_a, org_a, customer_a):
    client_admin_a.cookies["django_language"] = "en"
    protected = make_customer(org_a, last_name="Geschützt", do_not_delete=True)
    response = client_admin_a.post(url("delete", org_a, pk=protected.pk))
    assert response.status_code == 200 and "do not delete" in response.content.decode()
    assert Customer.objects.filter(pk=protected.pk).exists()

    blocker = signals.customer_deletion.register(
        lambda *, customer: "The customer has a running contract." if customer.last_name == "Müller" else None
    )
    try:
        response = client_admin_a.post(url("delete", org_a, pk=customer_a.pk))
        assert "running contract" in response.content.decode()
        assert Customer.objects.filter(pk=customer_a.pk).exists()
    finally:
        signals.customer_deletion.unregister(blocker)

    response = client_admin_a.post(url("delete", org_a, pk=customer_a.pk))
    assert response.status_code == 302
    assert not Customer.objects.filter(pk=customer_a.pk).exists()
    assert AccessCard.objects.get(number="KA-12345").customer is None


PERSONAL_TYPES = (models.CharField, models.TextField, models.EmailField, models.DateField, models.FileField)


def test_export_contains_every_personal_field(client_admin_a, org_a, admin_a, customer_a):
    doc = document_upload(
        customer=customer_a,
        upload=SimpleUploadedFile("Vertrag.pdf", PDF),
        doc_type="contract",
        note="signed",
        actor=membership_of(admin_a, customer_a),
    )
    CustomerAccount.objects.create(
        organization=org_a, customer=customer_a, email="juergen@example.com", password="secret-hash"
    )
    response = client_admin_a.get(url("export", org_a, pk=customer_a.pk))
    assert response["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    payload = json.loads(archive.read("customer.json"))
    exported = payload["customer"]["fields"]
    for field in Customer._meta.concrete_fields:
        if isinstance(field, PERSONAL_TYPES) and field.name != "search_text":
            assert field.name in exported, field.name
    by_model = {}
    for row in payload["related"]:
        by_model.setdefault(row["model"], []).append(row)
    # Every model that points to Customer and has rows for this customer is exported with all its fields.
    for rel in Customer._meta.related_objects:
        model = rel.related_model
        if rel.many_to_many or model is Customer:
            continue
        rows = model._base_manager.filter(**{rel.field.name: customer_a})
        if rows.exists():
            label = model._meta.label_lower
            assert label in by_model, label
            for field in model._meta.concrete_fields:
                if field.name not in ("id", "password", "token_hash"):
                    assert field.name in by_model[label][0]["fields"], (label, field.name)
    assert "secret-hash" not in archive.read("customer.json").decode()
    assert archive.read(f"files/customerdocument-{doc.pk}-Vertrag.pdf") == PDF


@in_scope()
def test_licence_escalation_sends_once_per_step(org_a, customer_a):
    from customers.services import licence_escalations_run

    org_a.office_email = "office@a.example"
    org_a.save()
    customer_a.licence_check_interval_months = 6
    customer_a.licence_checked_at = dt.date(2026, 1, 10)
    customer_a.save()
    due = dt.date(2026, 7, 10)
    assert licence_escalations_run(organization=org_a, today=due - dt.timedelta(days=1)) == 0
    assert licence_escalations_run(organization=org_a, today=due) == 1
    assert licence_escalations_run(organization=org_a, today=due + dt.timedelta(days=3)) == 0
    mails = OutboundMessage.objects.filter(template__startswith="customer_licence_escalation")
    assert sorted(mails.values_list("recipient", flat=True)) == ["juergen@example.com", "office@a.example"]
    assert licence_escalations_run(organization=org_a, today=due + dt.timedelta(days=14)) == 1
    assert licence_escalations_run(organization=org_a, today=due + dt.timedelta(days=15)) == 0
    assert list(LicenceEscalation.objects.order_by("step").values_list("step", flat=True)) == [1, 2]
    assert mails.count() == 4
    # A new check starts a new cycle.
    customer_a.licence_checked_at = dt.date(2026, 8, 1)
    customer_a.save()
    assert licence_escalations_run(organization=org_a, today=due + dt.timedelta(days=30)) == 0


@in_scope()
def test_licence_escalations_are_chosen_in_sql_and_sent_in_batches(org_a, customer_a, django_assert_max_num_queries):
    from customers.services import licence_escalations_run

    due = dt.date(2026, 7, 10)
    others = [make_customer(org_a, last_name=f"Kunde {i}", email=f"k{i}@example.com") for i in range(4)]
    never = make_customer(org_a, last_name="Ohne Prüfung")  # no interval: never escalated
    zero = make_customer(org_a, last_name="Null", licence_check_interval_months=0, licence_checked_at=due)
    Customer.objects.exclude(pk__in=[never.pk, zero.pk]).update(
        licence_check_interval_months=6, licence_checked_at=dt.date(2026, 1, 10)
    )
    assert licence_escalations_run(organization=org_a, today=due, batch_size=2) == 5
    escalated = set(LicenceEscalation.objects.values_list("customer_id", flat=True))
    assert escalated == {customer_a.pk, *(c.pk for c in others)}
    # Nothing left to do: one query for the settings, one for the (empty) candidates.
    with django_assert_max_num_queries(2):
        assert licence_escalations_run(organization=org_a, today=due, batch_size=2) == 0


def test_deletion_routine_dry_run_then_anonymise(org_a, customer_a):
    from django.core.management import call_command

    from customers.services import deletion_routine

    old = make_customer(org_a, last_name="Altkunde", email="alt@example.com")
    keep = make_customer(org_a, last_name="Behalten", do_not_delete=True)
    with scope(organization=org_a):
        Customer.objects.filter(pk__in=[old.pk, keep.pk]).update(
            last_activity_at=dt.datetime(2020, 1, 1, tzinfo=dt.UTC)
        )
    out = io.StringIO()
    call_command("customers_deletion_routine", "--dry-run", "--organization", org_a.slug, stdout=out)
    assert "would anonymise 1" in out.getvalue() and "Behalten" in out.getvalue()
    with scope(organization=org_a):
        assert Customer.objects.get(pk=old.pk).last_name == "Altkunde"
        report = deletion_routine(organization=org_a, dry_run=False)
        assert [c.pk for c in report.anonymised] == [old.pk]
        old.refresh_from_db()
        assert old.anonymised_at and old.email == "" and old.last_name == "–"
        assert Customer.objects.get(pk=keep.pk).last_name == "Behalten"


def test_licence_checked_button_records_date_and_checker(client_admin_a, org_a, admin_a, customer_a):
    client_admin_a.post(url("licence_checked", org_a, pk=customer_a.pk))
    customer_a.refresh_from_db()
    assert customer_a.licence_checked_at == dt.date.today() and customer_a.licence_checked_by == admin_a


@in_scope()
def test_anonymise_scrubs_history_and_messages(org_a, customer_a):
    from customers.services import customer_anonymise
    from rentoffice.outbox import message_queue

    message_queue(
        organization=org_a,
        recipient="juergen@example.com",
        template="x",
        context={},
        subject="Hallo Jürgen",
        body_text="Text für Jürgen Müller",
        related=customer_a,
    )
    customer_anonymise(customer=customer_a)
    assert "Müller" not in json.dumps([e.changes for e in LogEntry.objects.get_for_object(customer_a)])
    message = OutboundMessage.objects.get()
    assert "Jürgen" not in message.body_text and message.recipient != "juergen@example.com"
    assert "mueller" not in Customer.objects.get(pk=customer_a.pk).search_text


def test_export_contains_activity(client_admin_a, org_a, customer_a):
    response = client_admin_a.get(url("export", org_a, pk=customer_a.pk))
    payload = json.loads(zipfile.ZipFile(io.BytesIO(response.content)).read("customer.json"))
    assert payload["activity"] and "Müller" in json.dumps(payload["activity"], ensure_ascii=False)


def test_daily_jobs_are_registered_and_run_per_organization_in_its_scope(org_a, org_b, customer_a, customer_b):
    from customers import tasks
    from customers.models import CustomerSettings
    from rentoffice.background import beat_schedule, periodic_jobs

    jobs = periodic_jobs()
    assert jobs["customers-licence-escalations"].task == "customers.tasks.licence_escalations"
    assert jobs["customers-deletion-routine"].task == "customers.tasks.deletion_routine"
    assert beat_schedule()["customers-licence-escalations"]["args"] == ["customers-licence-escalations"]
    for org in (org_a, org_b):
        with scope(organization=org):
            Customer.objects.update(licence_check_interval_months=1, licence_checked_at=dt.date(2020, 1, 1))
    # The tasks are called as the workers call them: no scope around them, only ids.
    assert tasks.licence_escalations(organization_id=org_a.pk) == 1
    assert tasks.licence_escalations(organization_id=org_a.pk) == 0
    with scope(organization=org_b):
        assert not LicenceEscalation.objects.exists()  # org B is its own task's business
    with scope(organization=org_a):
        Customer.objects.update(last_activity_at=dt.datetime(2015, 1, 1, tzinfo=dt.UTC))
    assert tasks.deletion_routine(organization_id=org_a.pk) == 0  # routine not enabled for the organization
    with scopes_disabled():
        CustomerSettings.objects.create(organization=org_a, deletion_routine_enabled=True)
    assert tasks.deletion_routine(organization_id=org_a.pk) == 1
    with scope(organization=org_a):
        assert Customer.objects.get(pk=customer_a.pk).anonymised_at is not None
    with scope(organization=org_b):
        assert Customer.objects.get(pk=customer_b.pk).anonymised_at is None
