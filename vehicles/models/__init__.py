from .condition import ConditionPhoto, ConditionRecord
from .damages import Damage, DamagePhoto, DamageStatusChange
from .groups import VehicleGroup
from .vehicles import KmReading, Vehicle, VehiclePhoto

__all__ = [
    "ConditionPhoto",
    "ConditionRecord",
    "Damage",
    "DamagePhoto",
    "DamageStatusChange",
    "KmReading",
    "Vehicle",
    "VehicleGroup",
    "VehiclePhoto",
]
