from .invoices import Invoice, InvoiceLine
from .payments import DepositDeduction, DepositHold, Payment, ProviderCustomer, Refund, StoredCard, WebhookEvent
from .settings import BillingSettings
from .settlements import Settlement, SettlementCharge

__all__ = [
    "BillingSettings",
    "DepositDeduction",
    "DepositHold",
    "Invoice",
    "InvoiceLine",
    "Payment",
    "ProviderCustomer",
    "Refund",
    "Settlement",
    "SettlementCharge",
    "StoredCard",
    "WebhookEvent",
]
