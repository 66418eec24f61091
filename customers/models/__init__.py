from .customer import AccessCard, Customer, CustomerAttribute
from .portal import CustomerAccount
from .records import CustomerDocument, CustomerSettings, DocumentTemplate, EmailTemplate, LicenceEscalation

__all__ = [
    "AccessCard",
    "Customer",
    "CustomerAccount",
    "CustomerAttribute",
    "CustomerDocument",
    "CustomerSettings",
    "DocumentTemplate",
    "EmailTemplate",
    "LicenceEscalation",
]
