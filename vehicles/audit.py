"""Fleet records in the activity log (django-auditlog)."""

from auditlog.registry import auditlog

from .models import ConditionRecord, Damage, Vehicle, VehicleGroup

# The organization never changes; search_text is derived; current_km has its own history (km readings).
auditlog.register(VehicleGroup, exclude_fields=["organization", "photo_thumbnail"])
auditlog.register(
    Vehicle,
    exclude_fields=["organization", "search_text", "current_km", "created_at", "updated_at", "status_changed_at"],
)
auditlog.register(Damage, exclude_fields=["organization", "created_at", "updated_at", "status_changed_at"])
auditlog.register(ConditionRecord, exclude_fields=["organization", "created_at"])
