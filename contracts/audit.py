"""Which contract models the activity log records (django-auditlog).

The contract's own fields are logged on save. What is not a field of the contract (its lines
re-priced, drivers, notes) the contract services write on the contract as data
(`contracts/services/activity.py`, labelled by `Contract.ACTIVITY_LABELS`), so the contract page's
activity panel tells the whole story. Occupations are the services' bookkeeping of a vehicle's
time, not something people edit.
"""

from auditlog.registry import auditlog

from .models import Contract, VehicleBlock

auditlog.register(Contract, exclude_fields=["organization", "created_at", "updated_at", "created_by"])
auditlog.register(VehicleBlock, exclude_fields=["organization", "created_at", "created_by"])
