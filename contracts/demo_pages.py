"""Demo data for the contract pages: a further driver on a reservation of each demo organization,
so the contract page shows the drivers list (and its remove link) at once. Runs after the demo
contracts (contracts/demo_data.py) and goes through the same service as the page."""

from __future__ import annotations

import datetime as dt

from rentoffice.models import Membership

from .models import Contract, ContractDriver
from .services.editing import contract_driver_add

DRIVERS = {"koenig": "Sabine Hofmann", "nord": "Jan Petersen"}


def seed_drivers(organizations: dict, stdout) -> None:
    for key, name in DRIVERS.items():
        org = organizations.get(key)
        if org is None or ContractDriver.objects.filter(contract__organization=org).exists():
            continue
        contract = (
            Contract.objects.filter(organization=org, status=Contract.Status.RESERVED)
            .order_by("starts_at", "pk")
            .first()
        )
        admin = (
            Membership.objects.filter(organization=org, role__key="administrator")
            .select_related("organization", "role", "user")
            .order_by("pk")
            .first()
        )
        if contract is None or admin is None:
            continue
        contract_driver_add(
            actor=admin,
            contract=contract,
            name=name,
            date_of_birth=dt.date(1985, 4, 12),
            licence_number="B072RRE2I55",
            licence_issued_on=dt.date(2004, 6, 1),
            licence_expires_on=dt.date(2034, 6, 1),
        )
