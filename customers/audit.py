"""Which customer models the activity log records."""

from auditlog.registry import auditlog

from .models import AccessCard, Customer, CustomerAccount, CustomerAttribute, CustomerDocument, CustomerSettings

auditlog.register(
    Customer,
    exclude_fields=["search_text", "sort_name", "updated_at", "last_activity_at"],
    m2m_fields={"attributes", "allowed_vehicle_groups", "allowed_stations"},
)
auditlog.register(AccessCard)
auditlog.register(CustomerDocument)
auditlog.register(CustomerAccount, exclude_fields=["password", "token_hash"])
auditlog.register(CustomerSettings)
auditlog.register(CustomerAttribute)
