"""The staff check-out / check-in pages through the test client: each step saves its register into the
draft, bad input shows on its field and leaves the draft as it was, bad uploads are refused with a
message, the check-in shows the check-out beside it, and a submitted protocol is read-only."""

from __future__ import annotations

import base64
import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_scopes import scope
from PIL import Image, ImageDraw

from contracts.models import Contract
from contracts.services.lifecycle import contract_check_out
from protocols.models import Protocol, ProtocolFinding, ProtocolPhoto, ProtocolSignature, Register
from protocols.services.capture import protocol_damage_add, protocol_photo_add, protocol_start
from tests.actors import admin_of
from tests.protocols.conftest import photo, record
from tests.vehicles.conftest import jpeg_upload
from vehicles.models import Damage

pytestmark = pytest.mark.django_db


def purl(name, org, *args) -> str:
    return reverse(f"protocols:{name}", args=[org.slug, *args])


def step_url(org, protocol, register) -> str:
    return purl("capture", org, protocol.pk) + f"?register={register}"


def fresh(protocol) -> Protocol:
    with scope(organization=protocol.organization):
        return Protocol.objects.get(pk=protocol.pk)


def signature_data_url(blank: bool = False) -> str:
    picture = Image.new("RGBA", (600, 200), (255, 255, 255, 0))
    if not blank:
        ImageDraw.Draw(picture).line([(20, 150), (200, 40), (380, 160), (560, 50)], fill=(0, 0, 64, 255), width=6)
    out = io.BytesIO()
    picture.save(out, "PNG")
    return "data:image/png;base64," + base64.b64encode(out.getvalue()).decode()


def text_of(response) -> str:
    return response.content.decode()


@pytest.fixture
def draft(org_a, reserved):
    with scope(organization=org_a):
        return protocol_start(actor=admin_of(reserved), contract=reserved, kind=Protocol.Kind.CHECK_OUT)


def test_the_contract_action_leads_into_the_flow_and_a_get_creates_nothing(client_admin_a, org_a, reserved):
    response = client_admin_a.get(reverse("contracts:check_out", args=[org_a.slug, reserved.pk]))
    assert response.status_code == 302 and response["Location"] == purl("start_check_out", org_a, reserved.pk)
    page = client_admin_a.get(response["Location"])
    assert page.status_code == 200 and 'data-testid="protocol-start"' in text_of(page)
    with scope(organization=org_a):
        assert not Protocol.objects.exists()

    started = client_admin_a.post(purl("start_check_out", org_a, reserved.pk))
    with scope(organization=org_a):
        protocol = Protocol.objects.get()
    assert started.status_code == 302 and started["Location"] == step_url(org_a, protocol, Register.KM_FUEL)
    # Starting again (a second tab, the button pressed twice) continues the same draft.
    again = client_admin_a.get(purl("start_check_out", org_a, reserved.pk))
    assert again.status_code == 302 and again["Location"] == step_url(org_a, protocol, Register.KM_FUEL)
    with scope(organization=org_a):
        assert Protocol.objects.count() == 1


def test_a_check_in_cannot_start_before_the_check_out(client_admin_a, org_a, reserved):
    response = client_admin_a.post(purl("start_check_in", org_a, reserved.pk))
    assert response.status_code == 200
    assert 'data-testid="form-errors"' in text_of(response) and reserved.number in text_of(response)
    with scope(organization=org_a):
        assert not Protocol.objects.exists()


def test_km_below_the_last_reading_is_refused_with_a_message_and_the_draft_keeps_nothing(client_admin_a, org_a, draft):
    page = client_admin_a.get(step_url(org_a, draft, Register.KM_FUEL))
    assert page.status_code == 200 and 'value="1000"' in text_of(page)  # the vehicle's last km
    below = client_admin_a.post(step_url(org_a, draft, Register.KM_FUEL), {"km_fuel-km": "900", "km_fuel-fuel": "8"})
    assert below.status_code == 200
    assert 'id="id_km_fuel-km"' in text_of(below) and "is-invalid" in text_of(below)
    assert "1.000" in text_of(below) or "1000" in re.sub(r"<[^>]+>", "", text_of(below))
    assert fresh(draft).km is None and fresh(draft).saved_registers == []


def test_a_km_jump_needs_confirmation(client_admin_a, org_a, draft):
    url = step_url(org_a, draft, Register.KM_FUEL)
    jump = client_admin_a.post(url, {"km_fuel-km": "900000", "km_fuel-fuel": "6"})
    assert jump.status_code == 200 and 'data-testid="km-jump"' in text_of(jump)
    assert 'name="km_fuel-km_jump_confirmed"' in text_of(jump)
    assert fresh(draft).km is None
    confirmed = client_admin_a.post(
        url, {"km_fuel-km": "900000", "km_fuel-fuel": "6", "km_fuel-km_jump_confirmed": "on"}
    )
    assert confirmed.status_code == 302 and confirmed["Location"] == step_url(org_a, draft, Register.CLEANLINESS)
    saved = fresh(draft)
    assert (saved.km, saved.fuel, saved.km_jump_confirmed) == (900000, 6, True)


def test_field_errors_and_hostile_input_leave_the_draft_as_it_was(client_admin_a, org_a, draft):
    for register, data in [
        (Register.KM_FUEL, {"km_fuel-km": "-1e400", "km_fuel-fuel": "99"}),
        (Register.KM_FUEL, {"km_fuel-km": "abc", "km_fuel-fuel": "x"}),
        (Register.CLEANLINESS, {"cleanliness-clean_inside": "sparkling"}),
        (Register.NOTES, {"notes-notes": "x" * 10_000}),
        (Register.NOTES, {"notes-notes": "a\x00b"}),
    ]:
        response = client_admin_a.post(step_url(org_a, draft, register), data)
        assert response.status_code == 200, (register, data)
        assert "is-invalid" in text_of(response) or "form-errors" in text_of(response), (register, data)
    saved = fresh(draft)
    assert (saved.km, saved.fuel, saved.clean_inside, saved.notes, saved.saved_registers) == (None, None, "", "", [])
    # An unknown register or a malformed id is a 404, not a 500.
    assert client_admin_a.get(step_url(org_a, draft, "nonsense")).status_code == 404
    assert client_admin_a.get(f"/o/{org_a.slug}/protocols/{'9' * 30}/capture/").status_code == 404


def test_each_step_saves_its_draft_and_the_navigation_shows_what_is_saved(client_admin_a, org_a, draft):
    client_admin_a.post(step_url(org_a, draft, Register.KM_FUEL), {"km_fuel-km": "1010", "km_fuel-fuel": "7"})
    clean = client_admin_a.post(
        step_url(org_a, draft, Register.CLEANLINESS),
        {"cleanliness-clean_inside": "clean", "cleanliness-clean_outside": "dirty"},
    )
    assert clean["Location"] == step_url(org_a, draft, Register.DAMAGE)
    saved = fresh(draft)
    assert saved.saved_registers == [Register.KM_FUEL, Register.CLEANLINESS]
    assert (saved.km, saved.fuel, saved.clean_inside, saved.clean_outside) == (1010, 7, "clean", "dirty")

    # Coming back later (another device) continues at the first open step with the values kept.
    resumed = client_admin_a.get(purl("start_check_out", org_a, draft.contract_id))
    assert resumed["Location"] == step_url(org_a, draft, Register.DAMAGE)
    page = text_of(client_admin_a.get(step_url(org_a, draft, Register.KM_FUEL)))
    assert 'value="1010"' in page
    assert re.search(r'data-testid="step-km_fuel"\s+data-saved="1"', page)
    assert re.search(r'data-testid="step-damage"\s+data-saved="0"', page)


def test_a_new_damage_with_photos_on_the_sketch(client_admin_a, org_a, draft):
    url = purl("damage_add", org_a, draft.pk)
    half = client_admin_a.post(url, {"view": "left", "area": "left", "severity": "minor", "description": "Kratzer"})
    assert half.status_code == 200 and "Markieren Sie die Stelle auf der Skizze" in text_of(half)
    response = client_admin_a.post(
        url,
        {
            "view": "left",
            "x": "40.5",
            "y": "55",
            "area": "left",
            "severity": "medium",
            "description": "Delle in der Fahrertür",
            "photos": [jpeg_upload("delle.jpg")],
        },
    )
    assert response.status_code == 302
    with scope(organization=org_a):
        finding = ProtocolFinding.objects.get(protocol=draft)
        damage = finding.damage
        assert (finding.kind, damage.source, damage.view, damage.photos.count()) == ("new", "checkout", "left", 1)
    page = text_of(client_admin_a.get(step_url(org_a, draft, Register.DAMAGE)))
    assert "Delle in der Fahrertür" in page and 'data-testid="damage-remove"' in page

    removed = client_admin_a.post(purl("damage_remove", org_a, draft.pk, finding.pk))
    assert removed.status_code == 302
    with scope(organization=org_a):
        assert not ProtocolFinding.objects.filter(protocol=draft).exists()
        assert not Damage.objects.filter(pk=damage.pk).exists()


def test_bad_uploads_are_refused_politely(client_admin_a, org_a, draft):
    url = purl("photo_add", org_a, draft.pk)
    fake = SimpleUploadedFile("auto.jpg", b"<html><script>alert(1)</script></html>", content_type="image/jpeg")
    response = client_admin_a.post(url, {"view": "front", "photo-front-photo": fake})
    assert response.status_code == 200
    assert "auto.jpg" in text_of(response) and "is-invalid" in text_of(response)
    empty = client_admin_a.post(url, {"view": "front"})
    assert empty.status_code == 200 and "is-invalid" in text_of(empty)
    wrong_view = client_admin_a.post(url, {"view": "roof", "photo-roof-photo": jpeg_upload()})
    assert wrong_view.status_code == 302
    damage = client_admin_a.post(
        purl("damage_add", org_a, draft.pk),
        {"area": "front", "severity": "minor", "description": "Steinschlag", "photos": [fake]},
    )
    assert damage.status_code == 200 and "auto.jpg" in text_of(damage)
    with scope(organization=org_a):
        assert not ProtocolPhoto.objects.exists() and not ProtocolFinding.objects.exists()

    ok = client_admin_a.post(url, {"view": "rear", "photo-rear-photo": jpeg_upload("heck.jpg")})
    assert ok.status_code == 302 and ok["Location"].endswith("#view-rear")
    with scope(organization=org_a):
        assert list(ProtocolPhoto.objects.values_list("view", flat=True)) == ["rear"]


def test_signatures_are_drawn_images_and_an_empty_pad_is_refused(client_admin_a, org_a, draft):
    url = purl("sign_customer", org_a, draft.pk)
    for data in (
        {"sig-customer-signer_name": "Jürgen Müller", "sig-customer-image": ""},
        {"sig-customer-signer_name": "Jürgen Müller", "sig-customer-image": signature_data_url(blank=True)},
        {"sig-customer-signer_name": "Jürgen Müller", "sig-customer-image": "data:image/png;base64,AAAA"},
        {"sig-customer-signer_name": "Jürgen Müller", "sig-customer-image": "javascript:alert(1)"},
        {"sig-customer-signer_name": "", "sig-customer-image": signature_data_url()},
    ):
        response = client_admin_a.post(url, data)
        assert response.status_code == 200, data
    with scope(organization=org_a):
        assert not ProtocolSignature.objects.exists()
    signed = client_admin_a.post(
        url, {"sig-customer-signer_name": "Jürgen Müller", "sig-customer-image": signature_data_url()}
    )
    assert signed.status_code == 302
    with scope(organization=org_a):
        signature = ProtocolSignature.objects.get()
    assert (signature.role, signature.signer_name) == ("customer", "Jürgen Müller")
    served = client_admin_a.get(purl("signature", org_a, signature.pk))
    assert served.status_code == 200 and served["Content-Type"] == "image/jpeg"
    page = text_of(client_admin_a.get(step_url(org_a, draft, Register.SIGNATURE)))
    assert 'data-testid="signature-saved-customer"' in page
    assert 'data-testid="signature-saved-staff"' not in page


def test_the_whole_check_out_through_the_pages(client_admin_a, org_a, draft, reserved):
    client = client_admin_a
    assert (
        client.post(step_url(org_a, draft, "km_fuel"), {"km_fuel-km": "1010", "km_fuel-fuel": "8"}).status_code == 302
    )
    client.post(
        step_url(org_a, draft, "cleanliness"),
        {"cleanliness-clean_inside": "clean", "cleanliness-clean_outside": "used"},
    )
    assert client.post(step_url(org_a, draft, "damage")).status_code == 302
    no_photo = client.post(step_url(org_a, draft, "condition"))
    assert no_photo.status_code == 200 and "form-errors" in text_of(no_photo)
    client.post(purl("photo_add", org_a, draft.pk), {"view": "front", "photo-front-photo": jpeg_upload()})
    assert client.post(step_url(org_a, draft, "condition"))["Location"] == step_url(org_a, draft, "notes")
    assert client.post(step_url(org_a, draft, "notes"), {"notes-notes": "Tank voll"}).status_code == 302

    submit_page = text_of(client.get(purl("submit", org_a, draft.pk)))
    assert 'data-testid="protocol-missing"' in submit_page  # the signature step is not saved yet
    refused = client.post(purl("submit", org_a, draft.pk))
    assert refused.status_code == 200 and fresh(draft).status == Protocol.Status.DRAFT
    for role in ("customer", "staff"):
        client.post(
            purl(f"sign_{role}", org_a, draft.pk),
            {f"sig-{role}-signer_name": f"Name {role}", f"sig-{role}-image": signature_data_url()},
        )
    assert client.post(step_url(org_a, draft, "signature"))["Location"] == purl("submit", org_a, draft.pk)
    assert 'data-testid="protocol-missing"' not in text_of(client.get(purl("submit", org_a, draft.pk)))

    done = client.post(purl("submit", org_a, draft.pk))
    assert done.status_code == 302 and done["Location"] == purl("detail", org_a, draft.pk)
    with scope(organization=org_a):
        contract = Contract.objects.get(pk=reserved.pk)
    assert (contract.status, contract.km_out, contract.fuel_out) == (Contract.Status.CHECKED_OUT, 1010, 8)
    detail = text_of(client.get(done["Location"]))
    assert "Tank voll" in detail and 'data-testid="summary-signature-customer"' in detail
    assert 'data-testid="protocol-continue"' not in detail
    # Old links to the capture pages of a submitted protocol lead to its read-only page; nothing
    # can be added or removed any more.
    for url in (step_url(org_a, draft, "notes"), purl("submit", org_a, draft.pk)):
        for method in ("get", "post"):
            response = getattr(client, method)(url, {"notes-notes": "später geändert"})
            assert response.status_code == 302 and response["Location"] == purl("detail", org_a, draft.pk)
    assert fresh(draft).notes == "Tank voll"
    assert client.post(purl("discard", org_a, draft.pk))["Location"] == purl("detail", org_a, draft.pk)
    assert fresh(draft).is_submitted
    assert client.post(purl("photo_add", org_a, draft.pk), {"view": "rear"}).status_code == 404
    with scope(organization=org_a):
        kept = ProtocolPhoto.objects.get(protocol=draft)
    client.post(purl("photo_delete", org_a, kept.pk))
    with scope(organization=org_a):
        assert ProtocolPhoto.objects.filter(pk=kept.pk).exists()


def test_check_in_shows_the_check_out_beside_the_return(client_admin_a, org_a, reserved):
    check_out = record(reserved, Protocol.Kind.CHECK_OUT, km=1100)
    actor = admin_of(reserved)
    with scope(organization=org_a):
        check_in = protocol_start(actor=actor, contract=reserved, kind=Protocol.Kind.CHECK_IN)
        protocol_photo_add(actor=actor, protocol=check_in, view="front", image=photo((20, 20, 20)))
        protocol_damage_add(
            actor=actor,
            protocol=check_in,
            area="front",
            description="Beule Stoßstange",
            view="front",
            x=50,
            y=60,
            photos=[photo((200, 10, 10))],
        )
        out_photo = ProtocolPhoto.objects.get(protocol=check_out)
    km = text_of(client_admin_a.get(step_url(org_a, check_in, Register.KM_FUEL)))
    assert 'data-testid="check-out-km"' in km and "1100" in km
    condition = text_of(client_admin_a.get(step_url(org_a, check_in, Register.CONDITION)))
    assert purl("photo_thumb", org_a, out_photo.pk) in condition  # check-out's front photo beside the new one
    damages = text_of(client_admin_a.get(step_url(org_a, check_in, Register.DAMAGE)))
    assert 'data-testid="check-out-damages"' in damages
    new = damages[damages.index('data-testid="new-damages"') :]
    assert "Beule Stoßstange" in new and 'data-testid="new-since-check-out"' in new
    assert purl("photo_thumb", org_a, out_photo.pk) in new  # both moments side by side


def test_outsiders_and_other_stations_get_404_on_every_capture_url(
    client_admin_b, client_staff_a2, org_a, draft, reserved
):
    actor = admin_of(reserved)
    with scope(organization=org_a):
        photo_row = protocol_photo_add(actor=actor, protocol=draft, view="front", image=photo())
        finding = protocol_damage_add(actor=actor, protocol=draft, area="front", description="Kratzer")
    from protocols.services.capture import protocol_signature_save

    with scope(organization=org_a):
        signature = protocol_signature_save(
            actor=actor, protocol=draft, role="customer", signer_name="X", image=photo()
        )
    urls = [
        purl("start_check_out", org_a, reserved.pk),
        purl("start_check_in", org_a, reserved.pk),
        purl("detail", org_a, draft.pk),
        purl("capture", org_a, draft.pk),
        purl("photo_add", org_a, draft.pk),
        purl("damage_add", org_a, draft.pk),
        purl("damage_remove", org_a, draft.pk, finding.pk),
        purl("sign_customer", org_a, draft.pk),
        purl("sign_staff", org_a, draft.pk),
        purl("submit", org_a, draft.pk),
        purl("discard", org_a, draft.pk),
        purl("photo", org_a, photo_row.pk),
        purl("photo_thumb", org_a, photo_row.pk),
        purl("photo_delete", org_a, photo_row.pk),
        purl("signature", org_a, signature.pk),
        reverse("contracts:check_out", args=[org_a.slug, reserved.pk]),
        reverse("contracts:check_in", args=[org_a.slug, reserved.pk]),
    ]
    for url in urls:
        for client, who in ((client_admin_b, "other organization"), (client_staff_a2, "other station")):
            for method in ("get", "post"):
                status = getattr(client, method)(url).status_code
                assert status in (404, 405) if method == "get" else status == 404, (who, method, url, status)
                if method == "post":
                    assert status == 404, (who, url)
    with scope(organization=org_a):
        assert ProtocolPhoto.objects.filter(pk=photo_row.pk).exists()
        assert ProtocolFinding.objects.filter(pk=finding.pk).exists()
        assert fresh(draft).status == Protocol.Status.DRAFT


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_query_counts_of_the_step_pages_and_the_protocol_page_do_not_grow(client_admin_a, org_a, draft, reserved):
    actor = admin_of(reserved)
    urls = [
        step_url(org_a, draft, Register.DAMAGE),
        step_url(org_a, draft, Register.CONDITION),
        step_url(org_a, draft, Register.SIGNATURE),
        purl("submit", org_a, draft.pk),
        purl("detail", org_a, draft.pk),
    ]
    with scope(organization=org_a):
        protocol_photo_add(actor=actor, protocol=draft, view="front", image=photo())
        protocol_damage_add(actor=actor, protocol=draft, area="front", description="A", photos=[photo()])
    for url in urls:  # warm caches (permissions, site settings) before counting
        client_admin_a.get(url)
    few = {url: _queries(client_admin_a, url) for url in urls}
    with scope(organization=org_a):
        for view in ("rear", "left", "right", "interior", "dashboard", "front"):
            protocol_photo_add(actor=actor, protocol=draft, view=view, image=photo())
        for n in range(4):
            protocol_damage_add(actor=actor, protocol=draft, area="left", description=f"D{n}", photos=[photo()])
    many = {url: _queries(client_admin_a, url) for url in urls}
    assert many == few


def test_a_draft_can_be_discarded_after_asking(client_admin_a, org_a, draft, reserved):
    actor = admin_of(reserved)
    with scope(organization=org_a):
        protocol_photo_add(actor=actor, protocol=draft, view="front", image=photo())
        finding = protocol_damage_add(actor=actor, protocol=draft, area="front", description="Kratzer")
    url = purl("discard", org_a, draft.pk)
    assert 'data-testid="discard-form"' in text_of(client_admin_a.get(url))
    with scope(organization=org_a):
        assert Protocol.objects.filter(pk=draft.pk).exists()
    response = client_admin_a.post(url)
    assert response.status_code == 302
    assert response["Location"] == reverse("contracts:detail", args=[org_a.slug, reserved.pk])
    with scope(organization=org_a):
        assert not Protocol.objects.filter(pk=draft.pk).exists()
        assert not Damage.objects.filter(pk=finding.damage_id).exists()
        assert Contract.objects.get(pk=reserved.pk).status == Contract.Status.RESERVED


def test_a_stale_draft_is_not_continued(client_admin_a, org_a, draft, reserved):
    # The contract was checked out without this draft (another draft, a script): the check-out
    # draft is stale, the start page explains instead of leading into it.
    with scope(organization=org_a):
        contract_check_out(actor=admin_of(reserved), contract=reserved, km=1010, fuel=8)
    page = client_admin_a.get(purl("start_check_out", org_a, reserved.pk))
    assert page.status_code == 200
    refused = client_admin_a.post(purl("start_check_out", org_a, reserved.pk))
    assert refused.status_code == 200 and 'data-testid="form-errors"' in text_of(refused)
