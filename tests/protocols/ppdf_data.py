"""Protocol rows for the PDF, delivery and panel tests, built as the capture services leave them.

The rows are written directly (like a fixture), in the order the capture flow writes them: a draft
with its photos, damages and signatures first, then submitted — a submitted protocol's children
cannot change any more.
"""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

from django.utils import timezone
from PIL import Image, ImageDraw

from protocols.models import Protocol, ProtocolFinding, ProtocolPhoto, ProtocolSignature, ProtocolType, Register
from rentoffice.images import ProcessedImage, process_image
from tests.actors import admin_of
from tests.conftest import data_helper
from tests.contracts.conftest import at, book
from tests.vehicles.conftest import jpeg_upload
from vehicles.models import Damage, DamagePhoto

DEFAULT_REGISTERS = [
    Register.KM_FUEL,
    Register.CLEANLINESS,
    Register.DAMAGE,
    Register.CONDITION,
    Register.NOTES,
    Register.SIGNATURE,
    Register.DISPATCH,
]


def photo(color=(120, 130, 140), size=(640, 480), name="photo.jpg") -> ProcessedImage:
    return process_image(jpeg_upload(name, size=size, color=color))


def signature_image(seed: int = 0) -> ProcessedImage:
    """A drawn line on white, as the signature pad sends it (PNG)."""
    image = Image.new("RGB", (600, 200), (255, 255, 255))
    draw = ImageDraw.Draw(image)
    draw.line([(20, 150), (120, 40 + seed * 10), (240, 160), (380, 50), (560, 120)], fill=(10, 10, 60), width=6)
    out = io.BytesIO()
    image.save(out, "PNG")
    from django.core.files.uploadedfile import SimpleUploadedFile

    return process_image(SimpleUploadedFile("signature.png", out.getvalue(), content_type="image/png"))


@data_helper
def protocol_type_for(org, kind: str) -> ProtocolType:
    """The organization's built-in type of the kind (pengine's migration creates them), else a test type."""
    existing = ProtocolType.objects.filter(organization=org, kind=kind).order_by("-builtin", "pk").first()
    if existing is not None:
        return existing
    return ProtocolType.objects.create(
        organization=org, name=f"Test {kind}", kind=kind, registers=[str(r) for r in DEFAULT_REGISTERS]
    )


@data_helper
def contract_for(customer, group, station, vehicle, *, day: int = 0):
    return book(customer, group, station, at(day), at(day + 3), vehicle=vehicle)


@data_helper
def make_protocol(
    contract,
    *,
    kind: str = Protocol.Kind.CHECK_OUT,
    submitted: bool = True,
    km: int | None = 12_345,
    fuel: int | None = 6,
    clean_inside: str = "clean",
    clean_outside: str = "used",
    notes: str = "",
    photo_views: tuple[str, ...] = ("front", "rear"),
    damages: tuple[dict, ...] = (),
    signatures: tuple[tuple[str, str], ...] = (("customer", "Jürgen Müller"), ("staff", "Anna Admin")),
    submitted_at: dt.datetime | None = None,
    station=None,
) -> Protocol:
    """A protocol of the contract's vehicle. `damages`: dicts of area, description, severity, view,
    x, y, new (a damage found in this protocol), new_since_check_out, photos (count)."""
    org = contract.organization
    actor = admin_of(org)
    protocol = Protocol.objects.create(
        organization=org,
        contract=contract,
        vehicle=contract.vehicle,
        type=protocol_type_for(org, kind),
        kind=kind,
        station=station or contract.pickup_station,
        recorded_by=actor.user,
        km=km,
        fuel=fuel,
        clean_inside=clean_inside,
        clean_outside=clean_outside,
        notes=notes,
        saved_registers=[str(r) for r in DEFAULT_REGISTERS[:-1]],
    )
    for index, view in enumerate(photo_views):
        row = ProtocolPhoto(organization=org, protocol=protocol, view=view, uploaded_by=actor.user)
        row.set_processed(photo(color=(40 + index * 15, 90, 200 - index * 10)))
        row.save()
    for index, spec in enumerate(damages):
        damage = Damage.objects.create(
            organization=org,
            vehicle=contract.vehicle,
            area=spec.get("area", "front"),
            description=spec["description"],
            severity=spec.get("severity", "minor"),
            view=spec.get("view", ""),
            x=Decimal(str(spec["x"])) if spec.get("x") is not None else None,
            y=Decimal(str(spec["y"])) if spec.get("y") is not None else None,
            source=Damage.Source.CHECKIN if kind == Protocol.Kind.CHECK_IN else Damage.Source.CHECKOUT,
            reported_by=actor.user,
        )
        for n in range(spec.get("photos", 1)):
            damage_photo = DamagePhoto(organization=org, damage=damage, uploaded_by=actor.user)
            damage_photo.set_processed(photo(color=(200, 40 + index * 20, 30 + n * 40)))
            damage_photo.save()
        ProtocolFinding.objects.create(
            organization=org,
            protocol=protocol,
            damage=damage,
            kind=ProtocolFinding.Kind.NEW if spec.get("new", True) else ProtocolFinding.Kind.EXISTING,
            new_since_check_out=spec.get("new_since_check_out", False),
        )
    for seed, (role, name) in enumerate(signatures):
        signature = ProtocolSignature(
            organization=org, protocol=protocol, role=role, signer_name=name, signed_at=timezone.now()
        )
        signature.set_processed(signature_image(seed))
        signature.save()
    if submitted:
        Protocol.objects.filter(pk=protocol.pk).update(
            status=Protocol.Status.SUBMITTED, submitted_at=submitted_at or timezone.now()
        )
        protocol.refresh_from_db()
    return protocol
