"""Demo settlements (order 52), through the services: in each demo organization one settled
contract (paid in cash after the run found no stored card), one waiting for confirmation and one
failed with its reason. Idempotent: an organization with a settled or failed settlement is left alone.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils import timezone
from django_scopes import scope

from contracts.models import Contract
from rentoffice.models import Membership

from .models import Payment, Settlement


def _admin(org) -> Membership | None:
    return (
        Membership.objects.filter(organization=org, role__key="administrator")
        .select_related("user", "role", "organization")
        .order_by("pk")
        .first()
    )


def _candidates(org) -> list[Contract]:
    """Checked-in demo contracts whose customer has no stored card (so nothing waits on the provider)."""
    return list(
        Contract.objects.filter(
            organization=org, status=Contract.Status.CHECKED_IN, customer__stored_cards__isnull=True
        )
        .exclude(settlement__state__in=[Settlement.State.SETTLED, Settlement.State.RUNNING, Settlement.State.WAIVED])
        .select_related("customer", "tariff")
        .order_by("checked_in_at", "pk")[:3]
    )


def _settle_paid_in_cash(actor: Membership, contract: Contract) -> None:
    from .services.open_items import payment_record
    from .services.settlement import settlement_propose, settlement_retry, settlement_run

    settlement = settlement_run(actor=None, settlement=settlement_propose(contract=contract))
    if settlement.state != Settlement.State.FAILED or settlement.final_invoice is None:
        return
    open_amount = settlement.final_invoice.gross_total
    if open_amount > 0:
        payment_record(
            actor=actor,
            customer=contract.customer,
            amount=open_amount,
            method=Payment.Method.CASH,
            received_on=timezone.localdate(),
            reference="Kasse 1",
            invoice=settlement.final_invoice,
            contract=contract,
        )
    settlement_retry(actor=actor, settlement=settlement)


def seed_settlements(organizations: dict, stdout) -> None:
    from .services.settlement import settlement_propose, settlement_run

    for org in organizations.values():
        with scope(organization=org):
            if Settlement.objects.filter(
                organization=org, state__in=[Settlement.State.SETTLED, Settlement.State.FAILED]
            ).exists():
                continue
            actor = _admin(org)
            contracts = _candidates(org)
            if actor is None or len(contracts) < 3:
                stdout.write(f"  settlements: {org.slug}: fewer than 3 checked-in contracts, skipped\n")
                continue
            try:
                _settle_paid_in_cash(actor, contracts[0])
                settlement_propose(contract=contracts[1])  # waits for "Settle" (confirm mode)
                settlement_run(actor=None, settlement=settlement_propose(contract=contracts[2]))  # fails: no card
            except ValidationError as exc:
                stdout.write(f"  settlements: {org.slug}: {' '.join(exc.messages)}\n")
