"""Vetoes: a lower app asks the apps above it whether something may go, without importing them.

The lower app defines one `Veto` per question (`vehicles.signals.vehicle_group_deletion`,
`customers.signals.customer_deletion`) and asks it before deleting; higher apps register a check in
their `AppConfig.ready()` that returns a sentence saying why the thing must stay, or None::

    @vehicle_group_deletion.register
    def keep_groups_named_in_booking_permissions(*, group): ...

    reasons = vehicle_group_deletion.reasons(group=group)   # [] means nobody objects
"""

from __future__ import annotations

from collections.abc import Callable

from django.core.exceptions import ValidationError

Check = Callable[..., object]


class Veto:
    def __init__(self, name: str):
        self.name = name
        self._checks: list[Check] = []

    def __repr__(self) -> str:
        return f"<Veto {self.name}>"

    def register(self, check: Check) -> Check:
        """Add a check (usable as a decorator); registering the same function twice is harmless."""
        if check not in self._checks:
            self._checks.append(check)
        return check

    def unregister(self, check: Check) -> None:
        if check in self._checks:
            self._checks.remove(check)

    def reasons(self, **subject) -> list[str]:
        """Every objection, in registration order, as text; an empty list means the thing may go."""
        return [str(reason) for check in list(self._checks) if (reason := check(**subject))]

    def check(self, **subject) -> None:
        """Raise a ValidationError listing every objection."""
        reasons = self.reasons(**subject)
        if reasons:
            raise ValidationError(reasons, code="vetoed")
