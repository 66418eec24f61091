"""Data for the protocol engine: a reserved contract on car1 (1000 km) at station A1, images, and
helpers that record a whole protocol through the services, as the capture pages do."""

import datetime as dt

import pytest
from django.utils import timezone, translation
from django_scopes import scope

from protocols.models import Protocol, ProtocolSignature, Register
from protocols.services.capture import (
    protocol_photo_add,
    protocol_register_save,
    protocol_signature_save,
    protocol_start,
    protocol_submit,
)
from rentoffice.images import process_image
from tests.actors import admin_of
from tests.contracts.conftest import book, car1, car2, customer_a, group_a  # noqa: F401  (fixtures)
from tests.vehicles.conftest import jpeg_upload


def now_ish(hours: float = 0) -> dt.datetime:
    return timezone.now().replace(microsecond=0) + dt.timedelta(hours=hours)


@pytest.fixture(autouse=True)
def _english():
    """Messages are asserted in English (the source language); the German .po has them translated."""
    with translation.override("en"):
        yield


@pytest.fixture
def reserved(org_a, station_a1, group_a, car1, customer_a):  # noqa: F811
    return book(customer_a, group_a, station_a1, now_ish(-1), now_ish(47), vehicle=car1)


@pytest.fixture
def image():
    return process_image(jpeg_upload())


def photo(color=(120, 130, 140)):
    return process_image(jpeg_upload(color=color))


READINGS = {
    Register.KM_FUEL: {"km": 1100, "fuel": 8},
    Register.CLEANLINESS: {"clean_inside": "clean", "clean_outside": "clean"},
    Register.NOTES: {"notes": "Alles in Ordnung"},
}


def record(contract, kind, *, actor=None, km=1100, fuel=8, before_submit=None, submit=True) -> Protocol:
    """A complete protocol through the services: every register saved, photo, both signatures."""
    actor = actor or admin_of(contract)
    with scope(organization=contract.organization):
        protocol = protocol_start(actor=actor, contract=contract, kind=kind)
        readings = {**READINGS, Register.KM_FUEL: {"km": km, "fuel": fuel}}
        protocol_photo_add(actor=actor, protocol=protocol, view="front", image=photo())
        for role in ProtocolSignature.Role.values:
            protocol_signature_save(
                actor=actor, protocol=protocol, role=role, signer_name=f"Name {role}", image=photo()
            )
        for register in protocol.type.registers:
            if register != Register.DISPATCH:
                protocol_register_save(
                    actor=actor, protocol=protocol, register=register, data=readings.get(register, {})
                )
        if before_submit:
            before_submit(protocol)
        if submit:
            protocol_submit(actor=actor, protocol=protocol)
        protocol.refresh_from_db()
        return protocol
