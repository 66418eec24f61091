"""Which contract models the activity log records (django-auditlog).

A contract's further drivers, notes and extras are logged as rows of their own; the contract's
activity panel (contracts/panels.py) shows them together with the contract's own entries.
Priced lines are not logged one by one: a reload shows as the contract's new "priced at".
Occupations are the services' bookkeeping of the vehicle's time, not something people edit.
"""

from auditlog.registry import auditlog

from .models import Contract, ContractDriver, ContractExtra, ContractNote, VehicleBlock

auditlog.register(Contract, exclude_fields=["organization", "created_at", "updated_at", "created_by"])
auditlog.register(ContractDriver, exclude_fields=["created_at"])
auditlog.register(ContractNote, exclude_fields=["created_at", "author"])
auditlog.register(ContractExtra)
auditlog.register(VehicleBlock, exclude_fields=["organization", "created_at", "created_by"])
