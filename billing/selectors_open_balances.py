"""Reads of open balances: what a customer owes (or is owed) per transaction and over all of them.

Definition (docs/billing.md, "Open items"): the **open balance per transaction** (per contract) =
issued invoices' gross (credit notes negative) − succeeded payments + succeeded refunds. A payment
counts for the contract it names, else for its invoice's contract. Positive: the customer owes;
negative: a credit in the customer's favour. The open items themselves (per invoice and payment
request, with their ageing) are in `selectors_open_items`.

Stations as there: money is station-owned through its contract (pick-up or return station) or,
without a contract, the invoice's station. Every read costs a fixed number of queries.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import IntegerField, Q, QuerySet, Sum
from django.db.models.functions import Coalesce

from contracts.models import Contract
from customers.models import Customer
from rentoffice.models import Membership
from rentoffice.tenancy import scope_to_stations

from .models import Invoice, Payment, Refund
from .selectors_invoices import INVOICE_STATIONS  # one visibility rule for invoices (binv's pages)
from .selectors_open_items import PAYMENT_STATIONS, ZERO

REFUND_STATIONS = tuple(f"payment__{name}" for name in PAYMENT_STATIONS)


def _balance(invoices: QuerySet[Invoice], payments: QuerySet[Payment], refunds: QuerySet[Refund]) -> Decimal:
    invoiced = invoices.filter(status=Invoice.Status.ISSUED).aggregate(s=Sum("gross_total"))["s"] or ZERO
    paid = payments.filter(state=Payment.State.SUCCEEDED).aggregate(s=Sum("amount"))["s"] or ZERO
    refunded = refunds.filter(state=Refund.State.SUCCEEDED).aggregate(s=Sum("amount"))["s"] or ZERO
    return invoiced - paid + refunded


def _payment_transaction() -> Coalesce:
    return Coalesce("contract_id", "invoice__contract_id", output_field=IntegerField())


def contract_balance(*, contract: Contract, customer: Customer) -> Decimal:
    """The customer's open balance of one transaction (see the module's definition)."""
    payments = Payment.objects.filter(customer=customer).annotate(txn=_payment_transaction()).filter(txn=contract.pk)
    refunds = Refund.objects.filter(payment__customer=customer).filter(
        Q(payment__contract=contract) | Q(payment__contract__isnull=True, payment__invoice__contract=contract)
    )
    return _balance(Invoice.objects.filter(customer=customer, contract=contract), payments, refunds)


def customer_balance(*, customer: Customer) -> Decimal:
    """Everything the customer owes (positive) or is owed (negative), over all transactions."""
    return _balance(
        Invoice.objects.filter(customer=customer),
        Payment.objects.filter(customer=customer),
        Refund.objects.filter(payment__customer=customer),
    )


# --- open balances per transaction (the card's second panel) ---


@dataclass
class TransactionBalance:
    contract: Contract | None  # None: money linked to no transaction
    invoiced: Decimal = ZERO
    paid: Decimal = ZERO
    refunded: Decimal = ZERO
    detail_url: str = ""

    @property
    def balance(self) -> Decimal:
        return self.invoiced - self.paid + self.refunded


def _sums_by(qs: QuerySet, key: str, amount: str) -> dict[int | None, Decimal]:
    return {row[key]: row["total"] for row in qs.order_by().values(key).annotate(total=Sum(amount))}


def customer_open_balances(
    *, membership: Membership, station_filter: int | None, customer: Customer
) -> list[TransactionBalance]:
    """Per transaction, what the customer still owes (or is owed); settled transactions left out.

    Four queries: invoices, payments and refunds summed per contract, then the contracts.
    """
    organization_id = membership.organization_id

    def scoped(qs: QuerySet, fields: tuple[str, ...]) -> QuerySet:
        return scope_to_stations(qs, membership, fields, station_filter=station_filter)

    invoiced = _sums_by(
        scoped(
            Invoice.objects.filter(organization_id=organization_id, customer=customer, status=Invoice.Status.ISSUED),
            INVOICE_STATIONS,
        ),
        "contract_id",
        "gross_total",
    )
    paid = _sums_by(
        scoped(
            Payment.objects.filter(
                organization_id=organization_id, customer=customer, state=Payment.State.SUCCEEDED
            ).annotate(txn=_payment_transaction()),
            PAYMENT_STATIONS,
        ),
        "txn",
        "amount",
    )
    refunded = _sums_by(
        scoped(
            Refund.objects.filter(
                organization_id=organization_id, payment__customer=customer, state=Refund.State.SUCCEEDED
            ).annotate(
                txn=Coalesce("payment__contract_id", "payment__invoice__contract_id", output_field=IntegerField())
            ),
            REFUND_STATIONS,
        ),
        "txn",
        "amount",
    )
    keys = set(invoiced) | set(paid) | set(refunded)
    balances = {
        key: TransactionBalance(
            contract=None, invoiced=invoiced.get(key, ZERO), paid=paid.get(key, ZERO), refunded=refunded.get(key, ZERO)
        )
        for key in keys
    }
    balances = {key: b for key, b in balances.items() if b.balance != 0}
    contract_ids = [key for key in balances if key is not None]
    if contract_ids:
        contracts = (
            Contract.objects.filter(organization_id=organization_id)
            .only("pk", "number", "starts_at", "ends_at", "status")
            .in_bulk(contract_ids)
        )
        for key in contract_ids:
            balances[key].contract = contracts.get(key)
    return sorted(
        balances.values(),
        key=lambda b: (b.contract is None, -(b.contract.starts_at.timestamp() if b.contract else 0)),
    )
