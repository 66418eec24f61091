"""Hooks for higher apps (contracts, billing, …) that customers must not import.

- `customers_merging(sender=Customer, survivor=, other=)`: sent inside the merge transaction *before*
  the generic move of rows, so an app can resolve unique conflicts of its own rows first.
- `customers_merged(sender=Customer, survivor=, other_pk=, other_number=)`: sent inside the merge
  transaction after every row pointing to the other customer has been moved to the survivor.
- `customer_deletion` (a `rentoffice.vetoes.Veto`): register a check `check(*, customer) -> str | None`
  returning a human-readable reason why the customer must not be deleted (running contracts, open
  balances). Deletion and the GDPR deletion routine honour it. A merge does not: everything of the
  removed customer moves to the survivor, so nothing is lost.
"""

from __future__ import annotations

from django.dispatch import Signal

from rentoffice.vetoes import Veto

customers_merging = Signal()
customers_merged = Signal()

customer_deletion = Veto("customers.customer_deletion")
