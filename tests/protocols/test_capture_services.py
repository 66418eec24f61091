"""The capture services: start, per-register drafts with the fleet's km rules, damages, signatures,
what is missing, and submitting (contract moved, condition record, damage comparison, delivery queued)."""

import base64
import json

import pytest
import redis
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django_scopes import scope

from contracts.models import Contract
from protocols.models import Protocol, ProtocolFinding, ProtocolSettings, ProtocolSignature, ProtocolType, Register
from protocols.selectors import protocol_check_out_of
from protocols.services.capture import (
    protocol_damage_add,
    protocol_damage_remove,
    protocol_missing,
    protocol_photo_add,
    protocol_photo_delete,
    protocol_register_save,
    protocol_signature_save,
    protocol_start,
    protocol_submit,
)
from protocols.services.types import protocol_settings_save
from tests.actors import admin_of, membership_of
from tests.protocols.conftest import photo, record
from vehicles.models import Damage, KmReading, Vehicle
from vehicles.services.damages import damage_create

pytestmark = pytest.mark.django_db
K = Protocol.Kind


def start(contract, kind=K.CHECK_OUT, actor=None):
    with scope(organization=contract.organization):
        return protocol_start(actor=actor or admin_of(contract), contract=contract, kind=kind)


def save(protocol, register, data, actor=None):
    with scope(organization=protocol.organization):
        return protocol_register_save(
            actor=actor or admin_of(protocol), protocol=protocol, register=register, data=data
        )


def test_start_uses_the_builtin_type_and_a_second_start_continues_the_same_draft(reserved):
    first = start(reserved)
    again = start(reserved)
    assert again.pk == first.pk
    with scope(organization=reserved.organization):
        assert first.type.builtin == ProtocolType.Builtin.CHECK_OUT
        assert first.type.name == "Übergabe"
        assert first.vehicle_id == reserved.vehicle_id
        assert first.station_id == reserved.pickup_station_id
        assert Protocol.objects.filter(contract=reserved).count() == 1


def test_check_in_cannot_start_before_the_vehicle_is_checked_out(reserved):
    with pytest.raises(ValidationError) as exc:
        start(reserved, K.CHECK_IN)
    assert "reserved" in exc.value.messages[0]
    with scope(organization=reserved.organization):
        assert not Protocol.objects.filter(contract=reserved).exists()


def test_interim_needs_a_type_of_its_own(reserved):
    record(reserved, K.CHECK_OUT)
    with pytest.raises(ValidationError) as exc:
        start(reserved, K.INTERIM)
    assert "protocol_type" in exc.value.error_dict


def test_km_below_the_last_reading_is_refused_on_the_km_field_and_nothing_is_saved(reserved):
    protocol = start(reserved)
    with pytest.raises(ValidationError) as exc:
        save(protocol, Register.KM_FUEL, {"km": "900", "fuel": "8"})
    assert "below the last reading of 1,000 km" in exc.value.message_dict["km"][0]
    protocol.refresh_from_db()
    assert protocol.km is None and protocol.saved_registers == []
    with scope(organization=reserved.organization):
        # the dry run of the fleet's rules left no reading behind
        assert KmReading.objects.filter(vehicle=reserved.vehicle).count() == 1


def test_a_km_jump_needs_confirmation_then_saves(reserved):
    protocol = start(reserved)
    with pytest.raises(ValidationError) as exc:
        save(protocol, Register.KM_FUEL, {"km": 1_000_000, "fuel": 4})
    assert exc.value.error_dict["km"][0].code == "implausible"
    assert "confirm" in exc.value.message_dict["km"][0]
    saved = save(protocol, Register.KM_FUEL, {"km": 1_000_000, "fuel": 4, "km_jump_confirmed": "on"})
    assert (saved.km, saved.fuel, saved.km_jump_confirmed) == (1_000_000, 4, True)
    assert saved.saved_registers == [Register.KM_FUEL]


@pytest.mark.parametrize(
    ("register", "data", "field"),
    [
        (Register.KM_FUEL, {"km": "", "fuel": 8}, "km"),
        (Register.KM_FUEL, {"km": "12a", "fuel": 8}, "km"),
        (Register.KM_FUEL, {"km": 1100, "fuel": 9}, "fuel"),
        (Register.KM_FUEL, {"km": 1100}, "fuel"),
        (Register.KM_FUEL, {"km": 1100, "battery_percent": "101"}, "battery_percent"),
        (Register.CLEANLINESS, {"clean_inside": "spotless", "clean_outside": "clean"}, "clean_inside"),
        (Register.NOTES, {"notes": "x" * 5001}, "notes"),
        (Register.KM_FUEL, {"km": True, "fuel": 8}, "km"),
    ],
)
def test_bad_register_input_is_a_field_error_and_keeps_the_draft(reserved, register, data, field):
    protocol = start(reserved)
    save(protocol, Register.NOTES, {"notes": "vorher"})
    with pytest.raises(ValidationError) as exc:
        save(protocol, register, data)
    assert field in exc.value.message_dict
    protocol.refresh_from_db()
    assert protocol.notes == "vorher" and protocol.saved_registers == [Register.NOTES]


def test_registers_outside_the_type_and_dispatch_cannot_be_saved(reserved):
    protocol = start(reserved)
    with pytest.raises(ValidationError) as exc:
        save(protocol, Register.LONG_TERM, {"reporter_name": "A", "km": 1100})
    assert "register" in exc.value.message_dict
    with pytest.raises(ValidationError):
        save(protocol, Register.DISPATCH, {})


def test_battery_charge_alone_is_accepted_and_the_contract_gets_it_in_eighths(reserved):
    protocol = record(
        reserved, K.CHECK_OUT, before_submit=lambda p: save(p, Register.KM_FUEL, {"km": 1100, "battery_percent": 50})
    )
    assert protocol.battery_percent == 50 and protocol.fuel is None
    reserved.refresh_from_db()
    assert reserved.fuel_out == 4


def test_missing_lists_unsaved_steps_photos_and_signatures_and_submit_refuses(reserved):
    protocol = start(reserved)
    with scope(organization=reserved.organization):
        missing = protocol_missing(protocol=protocol)
        assert any("km and fuel" in m for m in missing)
        assert "Add at least one condition photo." in missing
        assert "The customer's signature is missing." in missing
        assert "The staff member's signature is missing." in missing
        with pytest.raises(ValidationError):
            protocol_submit(actor=admin_of(reserved), protocol=protocol)
        reserved.refresh_from_db()
        assert reserved.status == Contract.Status.RESERVED


def test_signatures_are_optional_when_the_organization_says_so(reserved):
    with scope(organization=reserved.organization):
        protocol_settings_save(
            actor=admin_of(reserved),
            settings=ProtocolSettings(organization=reserved.organization, signatures_required=False),
        )
    protocol = start(reserved)
    with scope(organization=reserved.organization):
        assert not [m for m in protocol_missing(protocol=protocol) if "signature" in m]


def test_signing_again_replaces_the_earlier_signature(reserved):
    protocol = start(reserved)
    actor = admin_of(reserved)
    with scope(organization=reserved.organization):
        first = protocol_signature_save(actor=actor, protocol=protocol, role="customer", signer_name="A", image=photo())
        second = protocol_signature_save(
            actor=actor, protocol=protocol, role="customer", signer_name=" B ", image=photo()
        )
        assert list(ProtocolSignature.objects.filter(protocol=protocol).values_list("pk", "signer_name")) == [
            (second.pk, "B")
        ]
        assert first.pk != second.pk
        with pytest.raises(ValidationError) as exc:
            protocol_signature_save(actor=actor, protocol=protocol, role="witness", signer_name="", image=None)
        assert set(exc.value.message_dict) == {"role", "signer_name", "image"}


def test_photos_of_a_draft_can_be_deleted_with_their_files(reserved, django_capture_on_commit_callbacks):
    protocol = start(reserved)
    actor = admin_of(reserved)
    with scope(organization=reserved.organization):
        added = protocol_photo_add(actor=actor, protocol=protocol, view="rear", image=photo())
        storage, name = added.image.storage, added.image.name
        with pytest.raises(ValidationError):
            protocol_photo_add(actor=actor, protocol=protocol, view="roof", image=photo())
        with django_capture_on_commit_callbacks(execute=True):
            protocol_photo_delete(actor=actor, photo=added)
        assert not protocol.photos.exists()
        assert not storage.exists(name)


def test_check_out_moves_the_contract_and_writes_the_condition_record_and_handed_over_damages(reserved):
    actor = admin_of(reserved)
    with scope(organization=reserved.organization):
        known = damage_create(
            actor=actor, vehicle=reserved.vehicle, damage=Damage(area="front", description="Kratzer Stoßstange")
        )
    protocol = record(
        reserved,
        K.CHECK_OUT,
        km=1100,
        fuel=7,
        before_submit=lambda p: protocol_damage_add(
            actor=actor,
            protocol=p,
            area="left",
            description="Delle Tür",
            view="left",
            x="40",
            y="50.5",
            photos=[photo()],
        ),
    )
    reserved.refresh_from_db()
    with scope(organization=reserved.organization):
        vehicle = Vehicle.objects.get(pk=reserved.vehicle_id)
        assert (reserved.status, reserved.km_out, reserved.fuel_out) == (Contract.Status.CHECKED_OUT, 1100, 7)
        assert vehicle.status == Vehicle.Status.RENTED and vehicle.current_km == 1100
        assert protocol.is_submitted and protocol.submitted_at == reserved.checked_out_at
        record_ = protocol.condition_record
        assert record_.km == 1100 and record_.km_reading.source == KmReading.Source.CHECKOUT
        assert record_.photos.count() == 1 and record_.photos.get().image.name != protocol.photos.get().image.name
        # one km reading for the check-out, not a second one for the condition record
        assert KmReading.objects.filter(vehicle=vehicle, km=1100).count() == 1
        findings = {f.damage.description: f for f in protocol.findings.select_related("damage")}
        assert findings["Kratzer Stoßstange"].kind == ProtocolFinding.Kind.EXISTING
        assert findings["Delle Tür"].kind == ProtocolFinding.Kind.NEW
        assert findings["Delle Tür"].damage.source == Damage.Source.CHECKOUT
        assert findings["Delle Tür"].damage.photos.count() == 1
        assert not any(f.new_since_check_out for f in findings.values())
        assert known.pk == findings["Kratzer Stoßstange"].damage_id
        assert protocol_check_out_of(contract=reserved).pk == protocol.pk


def test_check_in_marks_damages_new_since_check_out_and_returns_the_vehicle(reserved, station_a2, org_a):
    actor = admin_of(reserved)
    with scope(organization=org_a):
        damage_create(actor=actor, vehicle=reserved.vehicle, damage=Damage(area="front", description="alt"))
    record(reserved, K.CHECK_OUT)
    with scope(organization=org_a):
        # reported during the rental (the customer phoned): not on the car at the signed check-out
        during = damage_create(actor=actor, vehicle=reserved.vehicle, damage=Damage(area="roof", description="Hagel"))
        Contract.objects.filter(pk=reserved.pk).update(return_station=station_a2)
        reserved.refresh_from_db()
    check_in = record(
        reserved,
        K.CHECK_IN,
        km=1400,
        fuel=5,
        before_submit=lambda p: protocol_damage_add(
            actor=actor, protocol=p, area="rear", description="Riss Heckleuchte", severity="medium"
        ),
    )
    reserved.refresh_from_db()
    with scope(organization=org_a):
        vehicle = Vehicle.objects.get(pk=reserved.vehicle_id)
        assert reserved.status == Contract.Status.CHECKED_IN and reserved.km_in == 1400
        assert vehicle.status == Vehicle.Status.AVAILABLE and vehicle.current_station_id == station_a2.pk
        assert check_in.station_id == station_a2.pk
        findings = {f.damage.description: f for f in check_in.findings.select_related("damage")}
        assert (findings["alt"].kind, findings["alt"].new_since_check_out) == ("existing", False)
        assert (findings["Hagel"].kind, findings["Hagel"].new_since_check_out) == ("existing", True)
        assert findings["Hagel"].damage_id == during.pk
        new = findings["Riss Heckleuchte"]
        assert (new.kind, new.new_since_check_out, new.damage.source) == ("new", True, Damage.Source.CHECKIN)
        # one damage record for its whole life: the finding points to it, nothing is copied
        assert Damage.objects.filter(description="Riss Heckleuchte").count() == 1


def test_removing_a_damage_of_the_draft_removes_the_damage_record(reserved):
    protocol = start(reserved)
    actor = admin_of(reserved)
    with scope(organization=reserved.organization):
        finding = protocol_damage_add(actor=actor, protocol=protocol, area="left", description="Irrtum")
        with pytest.raises(ValidationError) as exc:
            protocol_damage_add(actor=actor, protocol=protocol, area="", description="", view="left")
        assert {"area", "description"} <= set(exc.value.message_dict)
        protocol_damage_remove(actor=actor, finding=finding)
        assert not Damage.objects.filter(description="Irrtum").exists()
        assert not protocol.findings.exists()


def test_submit_refuses_a_km_reading_that_became_stale(reserved):
    """A reading entered elsewhere after the draft was saved: the contract's service refuses, nothing half-written."""
    from vehicles.services.km import km_reading_record

    def newer_reading(protocol):
        km_reading_record(vehicle=reserved.vehicle, km=1500, source="staff", actor=admin_of(reserved))

    with pytest.raises(ValidationError) as exc:
        record(reserved, K.CHECK_OUT, km=1100, before_submit=newer_reading)
    assert "km" in exc.value.message_dict
    with scope(organization=reserved.organization):
        reserved.refresh_from_db()
        assert reserved.status == Contract.Status.RESERVED
        assert not Protocol.objects.filter(status="submitted").exists()


def test_members_without_the_rights_are_refused(reserved, org_b, admin_b, staff_a2, org_a):
    protocol = start(reserved)
    with scope(organization=org_a), pytest.raises(PermissionDenied):
        protocol_start(actor=membership_of(staff_a2, org_a), contract=reserved, kind=K.CHECK_OUT)
    with scope(organization=org_a), pytest.raises(PermissionDenied):
        protocol_register_save(
            actor=membership_of(admin_b, org_b), protocol=protocol, register=Register.NOTES, data={"notes": "x"}
        )
    with scope(organization=org_a), pytest.raises(PermissionDenied):
        protocol_submit(actor=membership_of(staff_a2, org_a), protocol=protocol)


def test_submit_enqueues_the_delivery_task_after_commit(reserved, django_capture_on_commit_callbacks):
    client = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    with django_capture_on_commit_callbacks(execute=True):
        protocol = record(reserved, K.CHECK_OUT)
    queued = []
    for raw in client.lrange("celery", 0, -1):
        message = json.loads(raw)
        if message["headers"]["task"] == "protocols.tasks.protocol_deliver":
            _args, kwargs, _embed = json.loads(base64.b64decode(message["body"]))
            queued.append(kwargs)
    assert {"organization_id": reserved.organization_id, "protocol_id": protocol.pk} in queued


def test_an_interim_protocol_records_its_km_through_the_condition_record(reserved):
    actor = admin_of(reserved)
    record(reserved, K.CHECK_OUT)
    with scope(organization=reserved.organization):
        from protocols.services.types import protocol_type_save

        meldung = protocol_type_save(
            actor=actor,
            protocol_type=ProtocolType(
                name="Langzeit", kind="interim", registers=[Register.LONG_TERM, Register.DISPATCH]
            ),
        )
        protocol = protocol_start(actor=actor, contract=reserved, kind=K.INTERIM, protocol_type=meldung)
        protocol_register_save(
            actor=actor,
            protocol=protocol,
            register=Register.LONG_TERM,
            data={"reporter_name": "Fahrer Meier", "km": "1250"},
        )
        protocol_submit(actor=actor, protocol=protocol)
        protocol.refresh_from_db()
        reserved.refresh_from_db()
        assert reserved.status == Contract.Status.CHECKED_OUT  # an interim report moves nothing
        reading = protocol.condition_record.km_reading
        assert (reading.km, reading.source) == (1250, KmReading.Source.PROTOCOL)
        assert Vehicle.objects.get(pk=reserved.vehicle_id).current_km == 1250
        assert protocol.reporter_name == "Fahrer Meier"


def test_a_draft_follows_a_swapped_vehicle_until_it_holds_vehicle_bound_parts(reserved, car2):
    from contracts.services.editing import contract_vehicle_swap

    actor = admin_of(reserved)
    draft = start(reserved)
    with scope(organization=reserved.organization):
        contract_vehicle_swap(actor=actor, contract=reserved, vehicle=car2)
    assert start(reserved).vehicle_id == car2.pk
    with scope(organization=reserved.organization):
        protocol_photo_add(actor=actor, protocol=draft, view="front", image=photo())
        contract_vehicle_swap(
            actor=actor, contract=reserved, vehicle=Vehicle.objects.exclude(pk=car2.pk).get(plate="M-AA 1")
        )
    again = start(reserved)
    assert again.pk == draft.pk and again.vehicle_id == car2.pk
    with scope(organization=reserved.organization):
        assert "The contract's vehicle changed after this protocol was started." in protocol_missing(protocol=again)


def test_discarding_a_draft_removes_it_with_its_damages(reserved, django_capture_on_commit_callbacks):
    from protocols.services.capture import protocol_discard

    actor = admin_of(reserved)
    draft = start(reserved)
    with scope(organization=reserved.organization):
        protocol_damage_add(actor=actor, protocol=draft, area="left", description="verworfen")
        added = protocol_photo_add(actor=actor, protocol=draft, view="front", image=photo())
        storage, name = added.image.storage, added.image.name
        with django_capture_on_commit_callbacks(execute=True):
            protocol_discard(actor=actor, protocol=draft)
        assert not Protocol.objects.filter(pk=draft.pk).exists()
        assert not Damage.objects.filter(description="verworfen").exists()
        assert not storage.exists(name)
    assert start(reserved).pk != draft.pk


def test_station_staff_of_the_pick_up_station_record_a_whole_check_out(reserved, staff_a1, org_a):
    staff = membership_of(staff_a1, org_a)
    protocol = record(reserved, K.CHECK_OUT, actor=staff)
    assert protocol.is_submitted and protocol.recorded_by_id == staff_a1.pk
    reserved.refresh_from_db()
    assert reserved.status == Contract.Status.CHECKED_OUT


def test_a_stale_draft_is_not_continued_once_the_contract_moved_on(reserved):
    from contracts.services.lifecycle import contract_check_out

    draft = start(reserved)
    with scope(organization=reserved.organization):
        contract_check_out(actor=admin_of(reserved), contract=reserved, km=1100, fuel=8)
    with pytest.raises(ValidationError) as exc:
        start(reserved)
    assert exc.value.code == "status"
    with scope(organization=reserved.organization):
        fresh = Protocol.objects.get(pk=draft.pk)
        assert any("reserved contract" in m for m in protocol_missing(protocol=fresh))
