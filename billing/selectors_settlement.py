"""Reads of settlements, scoped like their contracts (organization, then pick-up or return station)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.http import Http404

from contracts.models import Contract
from contracts.selectors import CONTRACT_STATIONS
from rentoffice.models import Membership
from rentoffice.tenancy import scope_to_stations
from vehicles.models import DamagePhoto

from .models import Settlement, SettlementCharge
from .services.settlement_breakdown import lines_from_json


def _pk(pk: int | str) -> int:
    try:
        return int(pk)
    except (TypeError, ValueError) as exc:
        raise Http404 from exc


def settlement_get(*, membership: Membership, pk: int | str) -> Settlement:
    """One settlement with its contract; Http404 outside the organization or the member's stations."""
    # Four joins, not eight: PostgreSQL spent ~6 ms planning the eight-way join of these wide rows
    # (docs/performance.md, "Planning time"). The organization is the member's; payment, refund and
    # confirming user are set only once a settlement ran and load when shown.
    base = Settlement.objects.filter(organization_id=membership.organization_id).select_related(
        "contract", "contract__customer", "contract__vehicle", "final_invoice"
    )
    qs = scope_to_stations(base, membership, field=tuple(f"contract__{f}" for f in CONTRACT_STATIONS))
    settlement = qs.filter(pk=_pk(pk)).first()
    if settlement is None:
        raise Http404
    settlement.contract.organization = membership.organization
    return settlement


def settlement_of_contract(*, contract: Contract) -> Settlement | None:
    """The contract's settlement (the contract was loaded through its own scoped selector)."""
    if contract.status not in (Contract.Status.CHECKED_IN, Contract.Status.SETTLED):
        return None  # proposed at check-in only (`settlement_propose`): no query on most contract pages
    return Settlement.objects.filter(contract=contract).select_related("final_invoice").first()


def settlement_charge_get(*, membership: Membership, settlement: Settlement, pk: int | str) -> SettlementCharge:
    charge = (
        SettlementCharge.objects.filter(organization_id=membership.organization_id, settlement=settlement, pk=_pk(pk))
        .select_related("damage")
        .first()
    )
    if charge is None:
        raise Http404
    return charge


@dataclass(frozen=True)
class ChargeRow:
    """A charge with its evidence (the damage's photos) and what of it the deposit pays."""

    charge: SettlementCharge
    photos: list[DamagePhoto]
    from_deposit_amount: Decimal


def settlement_charges(*, settlement: Settlement) -> list[ChargeRow]:
    """The charges with their evidence, photos read with one query for all."""
    charges = list(settlement.charges.select_related("damage").order_by("pk"))
    damage_ids = [c.damage_id for c in charges if c.damage_id]
    photos: dict[int, list[DamagePhoto]] = {}
    for photo in DamagePhoto.objects.filter(damage_id__in=damage_ids).order_by("uploaded_at", "id"):
        photos.setdefault(photo.damage_id, []).append(photo)
    deducted = {row["charge_id"]: Decimal(row["amount"]) for row in settlement.breakdown.get("deductions", [])}
    return [
        ChargeRow(
            charge=charge,
            photos=photos.get(charge.damage_id, []) if charge.damage_id else [],
            from_deposit_amount=deducted.get(charge.pk, Decimal("0.00")),
        )
        for charge in charges
    ]


def settlement_lines(*, settlement: Settlement):
    return lines_from_json(settlement.breakdown)


FIGURES = ("old_total", "total_due", "paid", "held", "deducted", "difference")


def settlement_figures(*, settlement: Settlement) -> dict[str, Decimal | str]:
    """The breakdown's amounts as Decimals, and which way the difference goes."""
    figures: dict[str, Decimal | str] = {key: Decimal(settlement.breakdown.get(key, "0.00")) for key in FIGURES}
    difference = figures["difference"]
    assert isinstance(difference, Decimal)  # noqa: S101  set from FIGURES just above
    figures["direction"] = "charge" if difference > 0 else "refund" if difference < 0 else ""
    return figures
