from .customer import AccessCard, Customer, CustomerAttribute
from .documents import CustomerDocument, CustomerSettings, DocumentTemplate, EmailTemplate, LicenceEscalation
from .portal import CustomerAccount

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
