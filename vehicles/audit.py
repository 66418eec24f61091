"""Fleet records in the activity log (django-auditlog)."""

from auditlog.registry import auditlog

from .models import ConditionPhoto, ConditionRecord, Damage, DamagePhoto, Vehicle, VehicleGroup, VehiclePhoto

# The organization never changes; search_text is derived; current_km has its own history (km readings).
auditlog.register(VehicleGroup, exclude_fields=["organization", "photo_thumbnail"])
auditlog.register(
    Vehicle,
    exclude_fields=["organization", "search_text", "current_km", "created_at", "updated_at", "status_changed_at"],
)
auditlog.register(Damage, exclude_fields=["organization", "created_at", "updated_at", "status_changed_at"])
auditlog.register(ConditionRecord, exclude_fields=["organization", "created_at"])
# Photos: who uploaded and who deleted which picture stays on record (the files themselves do not).
for photo_model in (VehiclePhoto, DamagePhoto, ConditionPhoto):
    auditlog.register(photo_model, exclude_fields=["organization", "thumbnail", "width", "height"])
