"""Use cases of the fleet. Import from here: `from vehicles.services import km_reading_record`."""

from .condition import condition_photos_add, condition_record_create
from .damages import damage_create, damage_photos_add, damage_status_set, damage_update
from .groups import VehicleGroupDeleteRefused, VehicleGroupInUse, vehicle_group_delete, vehicle_group_save
from .km import KmReadingRefused, km_reading_check, km_reading_record, max_km_per_day
from .photos import photo_delete
from .vehicles import vehicle_photos_add, vehicle_reactivate, vehicle_retire, vehicle_save

__all__ = [
    "KmReadingRefused",
    "VehicleGroupDeleteRefused",
    "VehicleGroupInUse",
    "condition_photos_add",
    "condition_record_create",
    "damage_create",
    "damage_photos_add",
    "damage_status_set",
    "damage_update",
    "km_reading_check",
    "km_reading_record",
    "max_km_per_day",
    "photo_delete",
    "vehicle_group_delete",
    "vehicle_group_save",
    "vehicle_photos_add",
    "vehicle_reactivate",
    "vehicle_retire",
    "vehicle_save",
]
