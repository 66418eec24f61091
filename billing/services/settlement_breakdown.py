"""What a returned contract costs: the re-priced rental, the charges, what is paid and held.

Read-only (no writes): `settlement_propose` stores the result on the settlement and the settlement
page shows it before anything is charged. Money is gross `Decimal`, cents, half up.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Sum
from django.utils.translation import gettext as _

from contracts.models import Contract
from contracts.pricing import PricedLine, price
from protocols.models import Protocol, ProtocolFinding
from vehicles.models import Damage

from ..models import BillingSettings, DepositHold, Invoice, Payment, Refund, SettlementCharge

CENT = Decimal("0.01")
ZERO = Decimal("0.00")


def cents(amount: Decimal) -> Decimal:
    return Decimal(amount).quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class ChargeProposal:
    """A charge the settlement proposes beyond the tariff (becomes a SettlementCharge row)."""

    kind: str
    description: str
    amount: Decimal
    damage: Damage | None = None
    from_deposit: bool = True


@dataclass(frozen=True)
class Deduction:
    """The part of a charge taken from the deposit hold."""

    charge: SettlementCharge
    amount: Decimal


@dataclass
class Breakdown:
    """The settlement's figures as shown to staff (and stored, as strings, on `Settlement.breakdown`)."""

    old_total: Decimal
    lines: list[PricedLine]
    charges: list[SettlementCharge]
    paid: Decimal
    held: Decimal
    hold: DepositHold | None
    advance_invoices: list[Invoice] = field(default_factory=list)

    @property
    def new_total(self) -> Decimal:
        return sum((line.gross for line in self.lines), ZERO)

    @property
    def charges_total(self) -> Decimal:
        return sum((c.amount for c in self.charges), ZERO)

    @property
    def total_due(self) -> Decimal:
        return self.new_total + self.charges_total

    @property
    def deductions(self) -> list[Deduction]:
        """Deposit charges in order, as far as the hold and the amount still owed allow: the deposit
        never pays for more than is open, and never more than it holds."""
        room = min(self.held, max(ZERO, self.total_due - self.paid))
        taken: list[Deduction] = []
        for charge in self.charges:
            if not charge.from_deposit or charge.amount <= 0 or room <= 0:
                continue
            amount = min(charge.amount, room)
            taken.append(Deduction(charge=charge, amount=amount))
            room -= amount
        return taken

    @property
    def deducted(self) -> Decimal:
        return sum((d.amount for d in self.deductions), ZERO)

    @property
    def difference(self) -> Decimal:
        """> 0: charged on the stored card; < 0: refunded."""
        return self.total_due - self.paid - self.deducted

    def as_json(self) -> dict[str, Any]:
        return {
            "old_total": str(self.old_total),
            "lines": [
                {
                    "kind": line.kind,
                    "description": line.description,
                    "explanation": line.explanation,
                    "quantity": str(line.quantity),
                    "unit": line.unit,
                    "unit_price": str(line.unit_price),
                    "vat_rate": str(line.vat_rate),
                    "net": str(line.net),
                    "gross": str(line.gross),
                }
                for line in self.lines
            ],
            "new_total": str(self.new_total),
            "charges_total": str(self.charges_total),
            "total_due": str(self.total_due),
            "paid": str(self.paid),
            "held": str(self.held),
            "hold_id": self.hold.pk if self.hold else None,
            "deductions": [{"charge_id": d.charge.pk, "amount": str(d.amount)} for d in self.deductions],
            "deducted": str(self.deducted),
            "difference": str(self.difference),
        }


def lines_from_json(data: dict[str, Any]) -> list[PricedLine]:
    """The re-priced lines as stored at proposal (the final invoice bills these, not a new pricing)."""
    return [
        PricedLine(
            kind=row["kind"],
            description=row["description"],
            explanation=row["explanation"],
            quantity=Decimal(row["quantity"]),
            unit=row["unit"],
            unit_price=Decimal(row["unit_price"]),
            vat_rate=Decimal(row["vat_rate"]),
            net=Decimal(row["net"]),
            gross=Decimal(row["gross"]),
        )
        for row in data.get("lines", [])
    ]


def _booked_lines(contract: Contract) -> list[PricedLine]:
    return [
        PricedLine(
            kind=line.kind,
            description=line.description,
            explanation=line.explanation,
            quantity=line.quantity,
            unit=line.unit,
            unit_price=line.unit_price,
            vat_rate=line.vat_rate,
            net=line.net,
            gross=line.gross,
        )
        for line in contract.lines.all()
    ]


def repriced_lines(contract: Contract) -> list[PricedLine]:
    """The tariff applied to what really happened: check-out to check-in, km driven, booked extras.

    Without a tariff (a workshop replacement car priced by hand) the booked lines stand.
    """
    if contract.tariff is None:
        return _booked_lines(contract)
    starts_at = contract.checked_out_at or contract.starts_at
    ends_at = contract.checked_in_at or contract.ends_at
    if ends_at is not None and ends_at <= starts_at:
        # Returned the minute it left: still one rental unit (the pricing refuses an empty period).
        ends_at = starts_at + dt.timedelta(minutes=1)
    km = None
    if contract.km_in is not None and contract.km_out is not None:
        km = max(0, contract.km_in - contract.km_out)
    extras = [(ce.extra, ce.quantity) for ce in contract.extras.select_related("extra") if ce.extra is not None]
    return price(tariff=contract.tariff, starts_at=starts_at, ends_at=ends_at, km=km, extras=extras)


def old_total(contract: Contract) -> Decimal:
    return contract.lines.aggregate(total=Sum("gross"))["total"] or ZERO


def _damage_amount(settings: BillingSettings, severity: str) -> Decimal:
    amounts: dict[str, Decimal] = {
        Damage.Severity.MINOR: settings.damage_charge_minor,
        Damage.Severity.MEDIUM: settings.damage_charge_medium,
        Damage.Severity.MAJOR: settings.damage_charge_major,
    }
    return amounts.get(severity, settings.damage_charge_minor)


def new_damages(contract: Contract) -> list[Damage]:
    """Damages the contract's submitted check-in protocol(s) marked new since check-out, once each."""
    findings = (
        ProtocolFinding.objects.filter(
            protocol__contract=contract,
            protocol__kind=Protocol.Kind.CHECK_IN,
            protocol__status=Protocol.Status.SUBMITTED,
            new_since_check_out=True,
        )
        .select_related("damage")
        .order_by("damage__reported_at", "damage_id")
    )
    seen: dict[int, Damage] = {}
    for finding in findings:
        seen.setdefault(finding.damage_id, finding.damage)
    return list(seen.values())


def proposed_charges(contract: Contract, settings: BillingSettings) -> list[ChargeProposal]:
    """Missing fuel (price per eighth) and each new damage (amount by severity), from the deposit."""
    proposals: list[ChargeProposal] = []
    if contract.fuel_out is not None and contract.fuel_in is not None and contract.fuel_in < contract.fuel_out:
        missing = contract.fuel_out - contract.fuel_in
        amount = cents(settings.fuel_price_per_eighth * missing)
        if amount > 0:
            proposals.append(
                ChargeProposal(
                    kind=SettlementCharge.Kind.FUEL,
                    description=_("Fuel: %(missing)s/8 missing") % {"missing": missing},
                    amount=amount,
                )
            )
    for damage in new_damages(contract):
        description = _("New damage: %(area)s, %(severity)s – %(text)s") % {
            "area": damage.get_area_display(),
            "severity": damage.get_severity_display(),
            "text": damage.description,
        }
        proposals.append(
            ChargeProposal(
                kind=SettlementCharge.Kind.DAMAGE,
                description=description[:200],
                amount=cents(_damage_amount(settings, damage.severity)),
                damage=damage,
            )
        )
    return proposals


def money_received(contract: Contract) -> Decimal:
    """Succeeded payments of the contract (card, recorded, captured deposit) less succeeded refunds.

    A later charge with an invoice of its own (damage during the rental, an extension) paid for that
    document, not for the rental, so it is left out here as its invoice is left out of the deduction.
    """
    own_documents = {"invoice__purpose": Invoice.Purpose.CHARGE}
    received = (
        Payment.objects.filter(contract=contract, state=Payment.State.SUCCEEDED)
        .exclude(**own_documents)
        .aggregate(total=Sum("amount"))["total"]
    )
    refunded = (
        Refund.objects.filter(payment__contract=contract, state=Refund.State.SUCCEEDED)
        .exclude(payment__invoice__purpose=Invoice.Purpose.CHARGE)
        .aggregate(total=Sum("amount"))["total"]
    )
    return (received or ZERO) - (refunded or ZERO)


def held_deposit(contract: Contract) -> DepositHold | None:
    """The contract's deposit hold that still holds money (the newest, after re-authorisations)."""
    return (
        DepositHold.objects.filter(contract=contract, state=DepositHold.State.HELD)
        .order_by("-created_at", "-pk")
        .first()
    )


def advance_invoices(contract: Contract) -> list[Invoice]:
    """The contract's booking invoice (unless cancelled): the final invoice deducts it, so the
    documents add up to what the rental cost."""
    return list(
        Invoice.objects.filter(
            contract=contract, status=Invoice.Status.ISSUED, purpose=Invoice.Purpose.BOOKING, corrections__isnull=True
        )
        .prefetch_related("lines")
        .order_by("issue_date", "pk")
    )


def breakdown_for(
    contract: Contract, charges: Sequence[SettlementCharge], lines: list[PricedLine] | None = None
) -> Breakdown:
    hold = held_deposit(contract)
    return Breakdown(
        old_total=old_total(contract),
        lines=repriced_lines(contract) if lines is None else lines,
        charges=list(charges),
        paid=money_received(contract),
        held=hold.amount if hold else ZERO,
        hold=hold,
        advance_invoices=advance_invoices(contract),
    )
