"""GDPR in the CRM: objections disable channels on later cases (form and service), the export
holds the person's data and media, erasure anonymises with "X" and keeps the cases."""

import io
import json
import zipfile

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.urls import reverse
from django_scopes import scope

from fleetback.models import Case, CaseEvent, Contact, Medium, Recipient, WorkItem
from fleetback.services import crm, sending
from fleetback.services.cases import ContactFields
from fleetback.services.crm_export import contact_export
from rentoffice.models import OutboundMessage
from tests.actors import admin_of, membership_of
from tests.conftest import data_helper, in_scope, make_member

from .helpers import make_case

pytestmark = pytest.mark.django_db
BASE = "https://app.example/"


def url(org, contact, name):
    return reverse(name, args=[org.slug, contact.pk])


@data_helper
def add_medium(case, name: str, content: bytes, *, public: bool = True, poster: bytes | None = None) -> Medium:
    medium = Medium(organization_id=case.organization_id, case=case, kind="video" if poster else "photo")
    medium.is_public = public
    medium.file.save(name, ContentFile(content), save=False)
    if poster:
        medium.poster.save("poster.jpg", ContentFile(poster), save=False)
    medium.save()
    return medium


def test_objection_disables_the_channel_on_the_send_form_with_the_reason(org_a, station_a1, client_admin_a):
    case = make_case(org=org_a, station=station_a1)
    assert (
        client_admin_a.post(url(org_a, case.contact, "fleetback:contact_privacy"), {"email_opt_out": "on"}).status_code
        == 302
    )
    later = make_case(org=org_a, station=station_a1, reference="RO-LATER")
    send_url = reverse("fleetback:send", args=[org_a.slug, later.pk])
    page = client_admin_a.get(send_url)
    html = page.content.decode()
    email_radio = next(w for w in page.context["form"]["channel"] if w.data["value"] == "email")
    both_radio = next(w for w in page.context["form"]["channel"] if w.data["value"] == "both")
    sms_radio = next(w for w in page.context["form"]["channel"] if w.data["value"] == "sms")
    assert "disabled" in str(email_radio) and "disabled" in str(both_radio)
    assert "disabled" not in str(sms_radio)
    assert "hat E-Mails widersprochen (DSGVO, erfasst am" in html
    # The service refuses what a hand-made request sends anyway.
    refused = client_admin_a.post(send_url, {"channel": "email", "include_main_contact": "on"})
    assert refused.status_code == 200 and "hat E-Mails widersprochen" in refused.content.decode()
    with scope(organization=org_a):
        assert not OutboundMessage.objects.exists()
        assert not Recipient.objects.exists()
    assert client_admin_a.post(send_url, {"channel": "sms", "include_main_contact": "on"}).status_code == 302
    with scope(organization=org_a):
        assert list(OutboundMessage.objects.values_list("channel", flat=True)) == ["sms"]


@in_scope()
def test_lifting_an_objection_enables_the_channel_again(org_a, station_a1):
    case = make_case(org=org_a, station=station_a1)
    actor = admin_of(org_a)
    contact = crm.contact_opt_out_set(actor=actor, contact=case.contact, email=False, sms=True)
    assert contact.sms_opt_out_at is not None and contact.email_opt_out_at is None
    assert sending.channel_refusal(contact, "sms")
    contact = crm.contact_opt_out_set(actor=actor, contact=contact, email=False, sms=False)
    assert contact.sms_opt_out_at is None
    assert sending.channel_refusal(contact, "sms") is None


@data_helper
def _exportable(org, station):
    case = make_case(org=org, station=station, reference="RO-EXPORT", plate="M-AB 123", vin="WVWZZZ1KZAW000001")
    sending.case_send(actor=admin_of(org), case=case, channel="email", base_url=BASE)
    photo = add_medium(case, "front.jpg", b"\xff\xd8photo-bytes")
    add_medium(case, "clip.mp4", b"video-bytes", public=False, poster=b"\xff\xd8poster")
    other = make_case(org=org, station=station, reference="RO-OTHER", email="haupt@example.com", phone="", items=())
    Contact.objects.filter(pk=other.contact_id).update(last_name="Hauptkontakt", first_name="Hanna")
    sending.case_send(
        actor=admin_of(org),
        case=other,
        channel="link",
        base_url=BASE,
        extra_contacts=[
            ContactFields(salutation="ms", last_name="Kundin", first_name="Karla", email="kunde@example.com")
        ],
    )
    add_medium(other, "public.jpg", b"\xff\xd8public")
    add_medium(other, "private.jpg", b"\xff\xd8private", public=False)
    return case, other, photo


def test_export_holds_the_persons_data_and_media(org_a, station_a1, client_admin_a):
    case, other, photo = _exportable(org_a, station_a1)
    response = client_admin_a.get(url(org_a, case.contact, "fleetback:contact_export"))
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    data = json.loads(archive.read("contact.json"))
    assert data["contact"]["last_name"] == "Kundin" and data["contact"]["email"] == "kunde@example.com"
    by_ref = {c["reference"]: c for c in data["cases"]}
    own, sent = by_ref["RO-EXPORT"], by_ref["RO-OTHER"]
    assert own["role"] == "contact" and own["vehicle"]["plate"] == "M-AB 123"
    assert [w["title"] for w in own["work"]] == [w.title for w in _items(case)]
    assert own["links"][0]["channel"] == "email" and own["history"]
    assert [m["recipient"] for m in data["messages"]] == ["kunde@example.com"]
    # On a case sent to them as a further recipient: what they were shown, nobody else's data.
    assert sent["role"] == "recipient" and "vehicle" not in sent and "history" not in sent
    assert "Hauptkontakt" not in json.dumps(sent)
    names = set(archive.namelist())
    own_files = {n for n in names if n.startswith(f"media/case-{case.number}/")}
    assert len(own_files) == 3  # photo, private video and its poster
    assert archive.read(f"media/case-{case.number}/{photo.pk}-photo.jpg") == b"\xff\xd8photo-bytes"
    sent_files = [n for n in names if n.startswith(f"media/case-{other.number}/")]
    assert len(sent_files) == 1 and archive.read(sent_files[0]) == b"\xff\xd8public"
    assert set(own["media"]) | set(sent["media"]) == own_files | set(sent_files)
    assert "README.txt" in names


@data_helper
def _items(case):
    return list(WorkItem.objects.filter(case=case).order_by("position"))


@in_scope()
def test_export_and_erasure_need_someone_who_sees_every_case(org_a, station_a1, station_a2):
    case = make_case(org=org_a, station=station_a1)
    make_case(org=org_a, station=station_a2, reference="RO-A2")
    limited = membership_of(make_member(org_a, "office-a1@a.example", "back_office", stations=[station_a1]), org_a)
    with pytest.raises(ValidationError):
        contact_export(actor=limited, contact=case.contact)
    with pytest.raises(ValidationError):
        crm.contact_anonymise(actor=limited, contact=case.contact, confirm=True)
    assert Contact.objects.get(pk=case.contact_id).last_name == "Kundin"


def test_erasure_anonymises_with_x_and_keeps_the_cases(org_a, station_a1, client_admin_a, client):
    case, other, _photo = _exportable(org_a, station_a1)
    with scope(organization=org_a):
        Case.objects.filter(pk=case.pk).update(
            message="Guten Tag Frau Kundin, bitte rufen Sie 0151 123 unter +4915112345678 an.",
            internal_message="Karla möchte Rückruf",
            rating=4,
            rating_comment="Sehr nett, Karla Kundin",
        )
        crm.contact_update(
            actor=admin_of(org_a),
            contact=case.contact,
            data=ContactFields(
                salutation="ms",
                title="Dr.",
                first_name="Karla",
                last_name="Kundin",
                email="kunde@example.com",
                phone="+4915112345678",
            ),
        )
        token = Recipient.objects.get(case=case).token
        items_before = [(i.title, i.gross) for i in _items(case)]
    delete_url = url(org_a, case.contact, "fleetback:contact_delete")
    unconfirmed = client_admin_a.post(delete_url, {})
    assert unconfirmed.status_code == 200 and "confirm" in unconfirmed.context["form"].errors
    with scope(organization=org_a):
        assert Contact.objects.get(pk=case.contact_id).last_name == "Kundin"
    assert client_admin_a.post(delete_url, {"confirm": "on"}).status_code == 302
    with scope(organization=org_a):
        contact = Contact.objects.get(pk=case.contact_id)
        assert (contact.title, contact.first_name, contact.last_name, contact.email, contact.phone) == (
            "X",
            "X",
            "X",
            "",
            "",
        )
        assert contact.anonymised_at is not None and contact.customer_id is None
        kept = Case.objects.get(pk=case.pk)
        assert kept.message == "Guten Tag Frau X, bitte rufen Sie 0151 123 unter X an."
        assert kept.internal_message == "X möchte Rückruf"
        assert (kept.plate, kept.vin, kept.rating, kept.rating_comment) == ("X", "X", 4, "X")
        assert [(i.title, i.gross) for i in _items(kept)] == items_before
        assert Medium.objects.filter(case=case).count() == 2  # the dealership's record of the work
        assert not CaseEvent.objects.filter(case__in=[case, other], detail__icontains="Kundin").exists()
        assert CaseEvent.objects.filter(case=case, action=CaseEvent.Action.ANONYMISED).exists()
        assert not OutboundMessage.objects.filter(recipient="kunde@example.com").exists()
        assert not OutboundMessage.objects.filter(body_text__icontains="Kundin").exists()
        assert not Recipient.objects.filter(contact=contact, revoked_at__isnull=True).exists()
        # The other person's case stays theirs, untouched.
        assert Case.objects.get(pk=other.pk).reference == "RO-OTHER"
        entries = LogEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(Contact), object_pk=str(contact.pk)
        )
        assert entries.exists()
        assert not any("Kundin" in json.dumps(e.changes) or "Kundin" in e.object_repr for e in entries)
    assert client.get(reverse("fleetback_public:page", kwargs={"token": token})).status_code == 404
    page = client_admin_a.get(url(org_a, contact, "fleetback:contact")).content.decode()
    assert "Kundin" not in page and "kunde@example.com" not in page


@in_scope()
def test_an_erased_person_is_never_matched_or_changed_again(org_a, station_a1):
    case = make_case(org=org_a, station=station_a1)
    actor = admin_of(org_a)
    erased = crm.contact_anonymise(actor=actor, contact=case.contact, confirm=True)
    again = make_case(org=org_a, station=station_a1, reference="RO-NEW")
    assert again.contact_id != erased.pk
    assert not again.contact.email_opt_out  # a new person record, without the erased one's flags
    with pytest.raises(ValidationError):
        crm.contact_update(actor=actor, contact=erased, data=ContactFields(salutation="ms", last_name="Kundin"))
    with pytest.raises(ValidationError):
        crm.contact_anonymise(actor=actor, contact=erased, confirm=True)
    assert Contact.objects.get(pk=erased.pk).last_name == "X"


@in_scope()
def test_auditor_cannot_object_export_or_erase(org_a, station_a1, auditor_a):
    case = make_case(org=org_a, station=station_a1)
    auditor = membership_of(auditor_a, org_a)
    with pytest.raises(PermissionDenied):
        crm.contact_opt_out_set(actor=auditor, contact=case.contact, email=True, sms=True)
    with pytest.raises(PermissionDenied):
        contact_export(actor=auditor, contact=case.contact)
    with pytest.raises(PermissionDenied):
        crm.contact_anonymise(actor=auditor, contact=case.contact, confirm=True)
    contact = Contact.objects.get(pk=case.contact_id)
    assert (contact.email_opt_out, contact.last_name) == (False, "Kundin")
