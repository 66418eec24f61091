"""Open items: payments staff record by hand (cash, bank transfer, card terminal).

A recorded payment is money already received: it is written `succeeded` at once and moves no money
through the provider (so no task, no idempotency key). What it may pay is checked against what is
open *under a lock* on the thing it pays (the invoice, the open payment request, the contract or
the customer), so two people recording the same bank transfer at once cannot both pass the check.
More than is open is refused unless the person confirms an overpayment (docs/billing.md, "Open
items").
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from contracts.models import Contract
from customers.models import Customer
from rentoffice.authorization import require, require_all_stations, require_station
from rentoffice.models import Membership

from ..models import Invoice, Payment
from ..selectors_open_balances import contract_balance, customer_balance
from ..selectors_open_items import invoice_open_amount

RECORDABLE_METHODS = (Payment.Method.CASH, Payment.Method.BANK_TRANSFER, Payment.Method.CARD_TERMINAL)
# A payment received long ago is entered from a statement; further back is a typing error.
OLDEST_RECEIPT_DAYS = 3 * 366
AWAITING_STATES = (Payment.State.OPEN, Payment.State.FAILED)
MAX_AMOUNT = Decimal("9999999999.99")  # the column's 12 digits


def _euros(value: Decimal) -> str:
    """An amount as the reader's locale writes it (the message goes to a person)."""
    return number_format(value, 2, use_l10n=True, force_grouping=True)


def _money(value: object) -> Decimal:
    """A positive amount in cents as typed: more decimals are an error, never rounded away."""
    try:
        amount = value if isinstance(value, Decimal) else Decimal(str(value))
    except (ArithmeticError, ValueError, TypeError) as exc:
        raise ValidationError(_("Enter an amount such as 49.90.")) from exc
    if not amount.is_finite():
        raise ValidationError(_("Enter an amount such as 49.90."))
    if amount <= 0:
        raise ValidationError(_("The amount must be more than 0."))
    if amount > MAX_AMOUNT:
        raise ValidationError(_("The amount is too large."))
    if amount != amount.quantize(Decimal("0.01")):
        raise ValidationError(_("Use at most two decimal places (cents)."))
    return amount.quantize(Decimal("0.01"))


def _check_input(*, amount: Decimal, method: str, received_on: dt.date, reference: str) -> Decimal:
    errors: dict[str, list[str]] = {}
    try:
        amount = _money(amount)
    except ValidationError as exc:
        errors["amount"] = exc.messages
    if method not in RECORDABLE_METHODS:
        errors["method"] = [_("Choose cash, bank transfer or card terminal.")]
    today = timezone.localdate()
    if not isinstance(received_on, dt.date) or received_on > today:
        errors["received_on"] = [_("The day the money was received cannot lie in the future.")]
    elif received_on < today - dt.timedelta(days=OLDEST_RECEIPT_DAYS):
        errors["received_on"] = [_("The day the money was received lies more than three years back.")]
    if len(reference) > 100 or "\x00" in reference:
        errors["reference"] = [_("Use at most 100 characters.")]
    if errors:
        raise ValidationError(errors)
    return amount


def _check_stations(actor: Membership, *, contract: Contract | None, invoice: Invoice | None) -> None:
    """Station staff record only their stations' money; money of no station is organization-wide."""
    stations: list[int | None] = []
    if contract is not None:
        stations += [contract.pickup_station_id, contract.return_station_id]
    if invoice is not None:
        stations.append(invoice.station_id)
    if any(stations):
        require_station(actor, *stations)
    else:
        require_all_stations(actor)


def _locked_invoice(invoice: Invoice, customer: Customer) -> Invoice:
    locked = Invoice.objects.select_for_update().get(pk=invoice.pk, organization_id=customer.organization_id)
    if locked.status != Invoice.Status.ISSUED:
        raise ValidationError({"invoice": _("Only an issued invoice can be paid.")})
    if locked.kind != Invoice.Kind.INVOICE or locked.payment_status == Invoice.PaymentStatus.CREDITED:
        raise ValidationError({"invoice": _("A credit note or a cancelled invoice is not paid by the customer.")})
    if locked.customer_id != customer.pk:
        raise ValidationError({"invoice": _("This invoice is addressed to another customer.")})
    return locked


def _locked_open_payment(payment: Payment, customer: Customer) -> Payment:
    locked = Payment.objects.select_for_update().get(pk=payment.pk, organization_id=customer.organization_id)
    if locked.customer_id != customer.pk:
        raise ValidationError({"open_payment": _("This payment request is addressed to another customer.")})
    if locked.state not in AWAITING_STATES:
        raise ValidationError({"open_payment": _("This payment request is no longer open.")})
    return locked


def _check_contract(contract: Contract | None, customer: Customer, invoice: Invoice | None) -> Contract | None:
    if invoice is not None and invoice.contract_id is not None:
        if contract is not None and contract.pk != invoice.contract_id:
            raise ValidationError({"contract": _("The invoice belongs to another transaction.")})
        contract = invoice.contract
    if contract is not None and customer.pk not in (contract.customer_id, contract.payer_customer_id):
        raise ValidationError({"contract": _("This transaction belongs to another customer.")})
    return contract


def _open_amount(
    *, customer: Customer, contract: Contract | None, invoice: Invoice | None, open_payment: Payment | None
) -> Decimal:
    """What the payment may settle, read after the lock on what it pays was taken."""
    if open_payment is not None:
        return open_payment.amount
    if invoice is not None:
        return invoice_open_amount(invoice=invoice)
    if contract is not None:
        Contract.objects.select_for_update().filter(pk=contract.pk).first()
        return contract_balance(contract=contract, customer=customer)
    Customer.objects.select_for_update().filter(pk=customer.pk).first()
    return customer_balance(customer=customer)


def _check_amount(amount: Decimal, open_amount: Decimal, *, overpayment: bool, open_payment: Payment | None) -> None:
    if amount > open_amount and not overpayment:
        if open_amount <= 0:
            message = _("Nothing is open here. Tick “overpayment” to record the money as a credit anyway.")
        else:
            message = _(
                "Only %(open)s € is open. Tick “overpayment” to record more, the rest becomes the customer's credit."
            ) % {"open": _euros(open_amount)}
        raise ValidationError({"amount": message})
    if open_payment is not None and amount < open_amount:
        raise ValidationError(
            {
                "amount": _(
                    "The payment request is over %(open)s €: record it in full, or record the part on the "
                    "invoice or the transaction instead."
                )
                % {"open": _euros(open_amount)}
            }
        )


@transaction.atomic
def payment_record(
    *,
    actor: Membership,
    customer: Customer,
    amount: Decimal,
    method: str,
    received_on: dt.date,
    reference: str = "",
    invoice: Invoice | None = None,
    contract: Contract | None = None,
    open_payment: Payment | None = None,
    overpayment: bool = False,
) -> Payment:
    """Record money received outside the provider (cash, bank transfer, card terminal).

    Pays an invoice, an open payment request (which it closes: cancelled, so its pay link stops
    working), a transaction (contract), or the customer's account. The amount may not exceed what is
    open there unless `overpayment` is confirmed. The invoice's payment status is refreshed.
    """
    require(actor, "billing.change", organization_id=customer.organization_id)
    amount = _check_input(amount=amount, method=method, received_on=received_on, reference=reference)
    if open_payment is not None:
        open_payment = _locked_open_payment(open_payment, customer)
        invoice = invoice or open_payment.invoice
        contract = contract or open_payment.contract
    if invoice is not None:
        invoice = _locked_invoice(invoice, customer)
    contract = _check_contract(contract, customer, invoice)
    _check_stations(actor, contract=contract, invoice=invoice)
    open_amount = _open_amount(customer=customer, contract=contract, invoice=invoice, open_payment=open_payment)
    _check_amount(amount, open_amount, overpayment=overpayment, open_payment=open_payment)

    now = timezone.now()
    payment = Payment(
        organization_id=customer.organization_id,
        customer=customer,
        contract=contract,
        invoice=invoice,
        method=method,
        purpose=Payment.Purpose.MANUAL,
        state=Payment.State.SUCCEEDED,
        amount=amount,
        description=(open_payment.description if open_payment is not None else "")[:200],
        reference=reference.strip(),
        received_on=received_on,
        created_by=actor.user,
        succeeded_at=now,
    )
    payment.full_clean()
    payment.save()
    if open_payment is not None:
        # Conditional: the customer's pay page may have moved the request meanwhile (lock held, so
        # this is belt and braces; zero rows means someone else closed it).
        closed = Payment.objects.filter(pk=open_payment.pk, state__in=AWAITING_STATES).update(
            state=Payment.State.CANCELLED,
            failure_message=_("Paid otherwise: %(method)s on %(day)s")
            % {"method": payment.get_method_display(), "day": received_on.isoformat()},
            updated_at=now,
        )
        if not closed:
            raise ValidationError({"open_payment": _("This payment request is no longer open.")})
    if invoice is not None:
        from .invoice_status import invoice_payment_status_refresh

        invoice_payment_status_refresh(invoice=invoice)
    return payment
