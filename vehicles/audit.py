"""Fleet records in the activity log (django-auditlog)."""

from auditlog.registry import auditlog

from .models import ConditionRecord, Damage, Vehicle, VehicleGroup

auditlog.register(VehicleGroup, exclude_fields=["photo_thumbnail"])
# search_text is derived from the other fields; current_km has its own history (km readings).
auditlog.register(
    Vehicle, exclude_fields=["search_text", "current_km", "created_at", "updated_at", "status_changed_at"]
)
auditlog.register(Damage, exclude_fields=["created_at", "updated_at", "status_changed_at"])
auditlog.register(ConditionRecord)
