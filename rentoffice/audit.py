"""Which models the activity log records (django-auditlog)."""

from auditlog.registry import auditlog

from .models import Membership, MessageTemplate, Organization, Region, Role, Station

auditlog.register(Organization, exclude_fields=["stripe_secret_key", "stripe_webhook_secret"])
auditlog.register(Region)
auditlog.register(Station, exclude_fields=["opening_hours", "opening_exceptions", "memberships"])
auditlog.register(Role)
auditlog.register(Membership, m2m_fields={"stations", "regions"})
auditlog.register(MessageTemplate)
