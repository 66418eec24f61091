"""A submitted protocol is immutable: the services refuse, and so does the database (trigger of
migration 0002) — only the worker's PDF and e-mail columns may still be written."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django_scopes import scope

from protocols.models import Protocol, ProtocolFinding, ProtocolPhoto, ProtocolSignature, Register
from protocols.services.capture import (
    protocol_damage_add,
    protocol_damage_remove,
    protocol_photo_add,
    protocol_photo_delete,
    protocol_register_save,
    protocol_signature_save,
    protocol_submit,
)
from tests.actors import admin_of
from tests.protocols.conftest import photo, record
from vehicles.models import Damage
from vehicles.services.damages import damage_create

pytestmark = pytest.mark.django_db
K = Protocol.Kind


@pytest.fixture
def submitted(reserved):
    actor = admin_of(reserved)
    with scope(organization=reserved.organization):
        damage_create(actor=actor, vehicle=reserved.vehicle, damage=Damage(area="front", description="alt"))
    return record(
        reserved,
        K.CHECK_OUT,
        before_submit=lambda p: protocol_damage_add(actor=actor, protocol=p, area="left", description="neu"),
    )


def refused(call):
    with pytest.raises(ValidationError) as exc:
        call()
    assert exc.value.code == "submitted" or "submitted" in str(exc.value)


def test_every_capture_service_refuses_a_submitted_protocol(submitted):
    actor = admin_of(submitted)
    with scope(organization=submitted.organization):
        photo_ = submitted.photos.first()
        finding = submitted.findings.filter(kind="new").first()
        refused(lambda: protocol_register_save(actor=actor, protocol=submitted, register=Register.NOTES, data={}))
        refused(lambda: protocol_photo_add(actor=actor, protocol=submitted, view="rear", image=photo()))
        refused(lambda: protocol_photo_delete(actor=actor, photo=photo_))
        refused(lambda: protocol_damage_add(actor=actor, protocol=submitted, area="left", description="x"))
        refused(lambda: protocol_damage_remove(actor=actor, finding=finding))
        refused(
            lambda: protocol_signature_save(
                actor=actor, protocol=submitted, role="customer", signer_name="X", image=photo()
            )
        )
        refused(lambda: protocol_submit(actor=actor, protocol=submitted))
        assert submitted.photos.count() == 1 and submitted.findings.count() == 2


def _db_refuses(operation):
    with pytest.raises(IntegrityError, match="submitted"), transaction.atomic():
        operation()


@pytest.mark.parametrize(
    "change",
    [
        {"km": 1},
        {"notes": "nachträglich"},
        {"status": "draft", "submitted_at": None},
        {"saved_registers": []},
        {"condition_record": None},
        {"clean_inside": "dirty"},
    ],
)
def test_the_database_refuses_changes_to_a_submitted_protocols_data(submitted, change):
    with scope(organization=submitted.organization):
        _db_refuses(lambda: Protocol.objects.filter(pk=submitted.pk).update(**change))
        submitted.refresh_from_db()
        assert submitted.is_submitted and submitted.km == 1100


def test_the_database_refuses_deleting_a_submitted_protocol_and_its_parts(submitted):
    with scope(organization=submitted.organization):
        _db_refuses(lambda: Protocol.objects.filter(pk=submitted.pk).delete())
        _db_refuses(lambda: ProtocolPhoto.objects.filter(protocol=submitted).delete())
        _db_refuses(lambda: ProtocolFinding.objects.filter(protocol=submitted).delete())
        _db_refuses(lambda: ProtocolSignature.objects.filter(protocol=submitted).delete())
        _db_refuses(lambda: ProtocolSignature.objects.filter(protocol=submitted).update(signer_name="Fälschung"))
        _db_refuses(lambda: ProtocolFinding.objects.filter(protocol=submitted).update(new_since_check_out=True))
        _db_refuses(lambda: ProtocolPhoto.objects.filter(protocol=submitted).update(view="rear"))
        late = ProtocolPhoto(organization=submitted.organization, protocol=submitted, view="rear")
        late.set_processed(photo())
        _db_refuses(late.save)
        assert submitted.signatures.count() == 2 and submitted.findings.count() == 2
        assert submitted.photos.count() == 1


def test_the_worker_may_still_write_the_pdf_and_email_columns(submitted):
    with scope(organization=submitted.organization):
        submitted.pdf.save("protokoll.pdf", ContentFile(b"%PDF-1.7"), save=False)
        submitted.pdf_generated_at = timezone.now()
        submitted.save(update_fields=["pdf", "pdf_generated_at", "updated_at"])
        Protocol.objects.filter(pk=submitted.pk).update(email_message=None, updated_at=timezone.now())
        # a full save that writes the unchanged values back is no change either
        submitted.save()
        submitted.refresh_from_db()
        assert submitted.pdf.name.endswith(".pdf") and submitted.pdf_generated_at is not None


def test_drafts_stay_changeable_and_deletable_in_the_database(reserved):
    draft = record(reserved, K.CHECK_OUT, submit=False)
    with scope(organization=reserved.organization):
        Protocol.objects.filter(pk=draft.pk).update(notes="geändert")
        ProtocolSignature.objects.filter(protocol=draft).delete()
        ProtocolPhoto.objects.filter(protocol=draft).delete()
        Protocol.objects.filter(pk=draft.pk).delete()
        assert not Protocol.objects.filter(pk=draft.pk).exists()
