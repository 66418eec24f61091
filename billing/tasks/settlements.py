"""Celery tasks of billing: settlements (thin adapters that load by id and call a service).

The money itself moves in bcore's tasks (their idempotency keys); these only propose, claim and
re-enter the settlement's steps, so running one twice does nothing new.
"""

from rentoffice.background import tenant_task
from rentoffice.models import Organization

# Back-off while a hold capture, charge or refund is not final yet: 5 s, 10 s, … up to 5 minutes,
# about an hour in all before the settlement is marked failed.
CONTINUE_RETRIES = 16


def _continue_countdown(retries: int) -> int:
    return min(5 * 2**retries, 300)


@tenant_task(bind=True, acks_late=True, reject_on_worker_lost=True, max_retries=5)
def settlement_propose_task(self, *, organization: Organization, contract_id: int) -> None:
    """After `contract_checked_in`: write the breakdown (automatic mode queues the run)."""
    from contracts.models import Contract

    from ..services.settlement import settlement_propose

    contract = Contract.objects.filter(pk=contract_id, status=Contract.Status.CHECKED_IN).first()
    if contract is None:  # settled or gone meanwhile
        return
    try:
        settlement_propose(contract=contract)
    except Exception as exc:  # a database hiccup: proposing is idempotent, so try again later
        raise self.retry(exc=exc, countdown=30 * 2**self.request.retries) from exc


@tenant_task(bind=True, acks_late=True, reject_on_worker_lost=True, max_retries=0)
def settlement_run_task(self, *, organization: Organization, settlement_id: int) -> None:
    """Automatic mode: run a proposed settlement as the system."""
    from ..models import Settlement
    from ..services.settlement import settlement_run

    settlement = Settlement.objects.filter(pk=settlement_id, state=Settlement.State.PROPOSED).first()
    if settlement is not None:
        settlement_run(actor=None, settlement=settlement)


@tenant_task(bind=True, acks_late=True, reject_on_worker_lost=True, max_retries=CONTINUE_RETRIES)
def settlement_continue(self, *, organization: Organization, settlement_id: int) -> str | None:
    """Look again at a running settlement until its money steps are final (or give up)."""
    from ..models import Settlement
    from ..services.settlement import settlement_advance, settlement_give_up

    settlement = Settlement.objects.filter(pk=settlement_id).first()
    if settlement is None:
        return None
    state = settlement_advance(settlement=settlement)
    if state != Settlement.State.RUNNING:
        return state
    if self.request.retries >= CONTINUE_RETRIES:
        return settlement_give_up(settlement=settlement).state
    raise self.retry(countdown=_continue_countdown(self.request.retries))


@tenant_task()
def settlements_sweep(*, organization: Organization) -> int:
    """Periodic: propose for check-ins whose task was lost, look again at stalled runs."""
    from ..services.settlement import settlements_sweep as sweep

    return sweep(organization=organization)
