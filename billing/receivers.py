"""Billing listens to contracts (which must not import billing): a check-in starts the settlement."""

from django.dispatch import receiver

from contracts.signals import contract_checked_in


@receiver(contract_checked_in, dispatch_uid="billing_settlement_propose")
def settlement_after_check_in(sender, contract, **kwargs) -> None:
    """Sent after the check-in committed; the proposal is written in a worker."""
    from .services.settlement import settlement_propose_enqueue

    settlement_propose_enqueue(contract=contract)
