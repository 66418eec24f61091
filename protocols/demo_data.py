"""Demo protocols: check-outs with photos and signatures, and a check-in with a new damage.

The contracts demo (order 40/41) checks its rentals out and in with the contracts' own services at
past moments; protocols cannot be added to those afterwards (a check-out protocol needs a reserved
contract, and a submitted protocol is the moment itself). So this seeder books three rentals of its
own on free vehicles and records them the way a station does, through the engine's services:
two handed over (running) and one handed over and taken back with a new scratch (returned). The
PDFs are rendered and the customers' e-mails queued right away (`protocol_deliver`), so the
contract pages show both. Deterministic pictures (drawn, not random) and idempotent: an
organization that has submitted protocols is left alone. In "nord" every demo customer already holds
its one allowed booking, so nord usually gets none (the rules refuse; nothing is forced).
"""

from __future__ import annotations

import datetime as dt
import io
import logging

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from django_scopes import scope
from PIL import Image, ImageDraw

from contracts.models import Contract
from contracts.services.booking import contract_book
from customers.models import Customer
from rentoffice.images import ProcessedImage, process_image
from rentoffice.models import Membership
from vehicles.models import Vehicle

from .models import Protocol, ProtocolPhoto, ProtocolSignature, Register
from .services.capture import (
    protocol_damage_add,
    protocol_photo_add,
    protocol_register_save,
    protocol_signature_save,
    protocol_start,
    protocol_submit,
)
from .services.delivery import protocol_deliver

logger = logging.getLogger(__name__)

VIEW_COLOURS = {
    "front": (70, 110, 160),
    "rear": (90, 120, 90),
    "left": (150, 110, 70),
    "right": (120, 80, 130),
    "interior": (60, 60, 60),
    "dashboard": (30, 40, 60),
}


def _picture(label: str, colour: tuple[int, int, int], *, scratch: bool = False) -> ProcessedImage:
    """A simple drawn "photo": a car silhouette on a coloured background, labelled."""
    image = Image.new("RGB", (1200, 900), colour)
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle([180, 380, 1020, 640], radius=60, fill=(225, 225, 230))
    draw.polygon([(340, 380), (450, 240), (760, 240), (880, 380)], fill=(200, 205, 215))
    for x in (330, 870):
        draw.ellipse([x - 80, 580, x + 80, 740], fill=(30, 30, 30))
    if scratch:
        draw.line([(520, 470), (600, 500), (690, 480)], fill=(160, 20, 20), width=10)
    draw.text((40, 40), label, fill=(255, 255, 255))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    return process_image(SimpleUploadedFile(f"{label}.jpg", out.getvalue()))


def _signature(seed: int) -> ProcessedImage:
    image = Image.new("RGB", (600, 200), (255, 255, 255))
    draw = ImageDraw.Draw(image)
    points = [(20 + i * 28, 120 + ((i * (7 + seed)) % 9 - 4) * 12) for i in range(21)]
    draw.line(points, fill=(15, 20, 70), width=5)
    out = io.BytesIO()
    image.save(out, "PNG")
    return process_image(SimpleUploadedFile("signature.png", out.getvalue()))


def _admin(org) -> Membership | None:
    return (
        Membership.objects.filter(organization=org, role__key="administrator")
        .select_related("user", "role", "organization")
        .order_by("pk")
        .first()
    )


def _weekday_at(day: dt.date, hour: int) -> dt.datetime:
    while day.weekday() >= 5:
        day -= dt.timedelta(days=1)
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def _book_on_a_free_vehicle(actor, customers: list, vehicles: list, starts_at, ends_at) -> Contract | None:
    """Book the first customer the rules accept on the first vehicle free for the period."""
    for customer in list(customers):
        for vehicle in list(vehicles):
            try:
                contract = contract_book(
                    actor=actor,
                    customer=customer,
                    vehicle_group=vehicle.group,
                    pickup_station=vehicle.current_station,
                    return_station=vehicle.current_station,
                    starts_at=starts_at,
                    ends_at=ends_at,
                    vehicle=vehicle,
                )
            except ValidationError as exc:
                if "customer" in getattr(exc, "error_dict", {}):
                    break  # this customer may not book now (a limit, a block): the next one
                continue  # this vehicle is taken: the next one
            customers.remove(customer)
            vehicles.remove(vehicle)
            return contract
    return None


def _record(actor, contract, kind, *, km: int, fuel: int, notes: str, damage: dict | None = None) -> Protocol:
    protocol = protocol_start(actor=actor, contract=contract, kind=kind)
    for view, colour in VIEW_COLOURS.items():
        label = str(ProtocolPhoto.View(view).label)
        protocol_photo_add(actor=actor, protocol=protocol, view=view, image=_picture(label, colour))
    if damage:
        protocol_damage_add(
            actor=actor,
            protocol=protocol,
            photos=[_picture(damage["description"], VIEW_COLOURS["left"], scratch=True)],
            **{k: v for k, v in damage.items()},
        )
    protocol_signature_save(
        actor=actor,
        protocol=protocol,
        role=ProtocolSignature.Role.CUSTOMER,
        signer_name=contract.customer.display_name,
        image=_signature(1),
    )
    protocol_signature_save(
        actor=actor,
        protocol=protocol,
        role=ProtocolSignature.Role.STAFF,
        signer_name=actor.user.full_name or actor.user.email,
        image=_signature(2),
    )
    data = {
        Register.KM_FUEL: {"km": km, "fuel": fuel, "km_jump_confirmed": True},
        Register.LONG_TERM: {"km": km, "reporter_name": contract.customer.display_name, "km_jump_confirmed": True},
        Register.CLEANLINESS: {"clean_inside": "clean", "clean_outside": "used" if damage else "clean"},
        Register.NOTES: {"notes": notes},
    }
    for register in protocol.type.registers:
        if register != Register.DISPATCH:
            protocol_register_save(actor=actor, protocol=protocol, register=register, data=data.get(register, {}))
    protocol_submit(actor=actor, protocol=protocol)
    protocol_deliver(protocol=protocol)
    return protocol


def _seed_organization(org, stdout) -> None:
    actor = _admin(org)
    if actor is None or Protocol.objects.filter(organization=org, status=Protocol.Status.SUBMITTED).exists():
        return
    customers = list(
        Customer.objects.filter(organization=org, main_customer__isnull=True, is_blocked=False)
        .exclude(email="")
        .order_by("number")[:60]
    )
    vehicles = list(
        Vehicle.objects.filter(organization=org, status=Vehicle.Status.AVAILABLE)
        .select_related("group", "current_station")
        .order_by("-plate")
    )
    if not customers or not vehicles:
        return
    today = timezone.localdate()
    starts_at = (
        _weekday_at(today, 8) if timezone.localtime().hour >= 8 else _weekday_at(today - dt.timedelta(days=1), 8)
    )
    ends_at = _weekday_at(today + dt.timedelta(days=4), 16)
    plans = [
        ("running", "Übergabe ohne Besonderheiten."),
        ("running", "Kindersitz mitgegeben."),
        ("returned", "Kratzer an der Fahrertür bei Rückgabe festgestellt."),
    ]
    made = 0
    for plan, notes in plans:
        contract = _book_on_a_free_vehicle(actor, customers, vehicles, starts_at, ends_at)
        if contract is None:
            continue
        km = contract.vehicle.current_km + 5
        try:
            _record(actor, contract, Protocol.Kind.CHECK_OUT, km=km, fuel=8, notes=notes if plan == "running" else "")
            made += 1
            if plan == "returned":
                contract.refresh_from_db()
                _record(
                    actor,
                    contract,
                    Protocol.Kind.CHECK_IN,
                    km=km + 212,
                    fuel=5,
                    notes=notes,
                    damage={
                        "area": "left",
                        "description": "Kratzer an der Fahrertür, ca. 10 cm",
                        "severity": "minor",
                        "view": "left",
                        "x": 45,
                        "y": 40,
                    },
                )
                made += 1
        except ValidationError as exc:  # the demo's data broke a rule: leave this one out, say why
            logger.warning("demo protocol for %s left out: %s", contract.number, exc)
    stdout.write(f"demo: protocols of {org.slug}: {made} submitted")


def seed_protocols(organizations: dict, stdout) -> None:
    for key in ("koenig", "nord"):
        org = organizations.get(key)
        if org is None:
            continue
        with scope(organization=org):
            _seed_organization(org, stdout)
