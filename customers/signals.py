"""Hooks for higher apps (contracts, billing, …) that customers must not import.

- Merging and exporting a customer's rows: not a signal but a handler per app
  (customers/data_handlers.py): move, refuse with a reason, or keep; and what the export contains.
- `customers_merged(sender=Customer, survivor=, other_pk=, other_number=)`: sent inside the merge
  transaction after every handler has moved its rows to the survivor.
- `customer_deletion` (a `rentoffice.vetoes.Veto`): register a check `check(*, customer) -> str | None`
  returning a human-readable reason why the customer must not be deleted (running contracts, open
  balances). Deletion and the GDPR deletion routine honour it. A merge does not: everything of the
  removed customer moves to the survivor, so nothing is lost.
"""

from __future__ import annotations

from django.dispatch import Signal

from rentoffice.vetoes import Veto

customers_merged = Signal()

customer_deletion = Veto("customers.customer_deletion")
