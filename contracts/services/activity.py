"""Activity-log entries the contract services write themselves (see rentoffice/audit.py).

Field changes of a registered contract are recorded by django-auditlog on save; what is not a
field of the contract (lines re-priced, drivers, notes) is written here as data, labelled through
`Contract.ACTIVITY_LABELS` so the activity panel shows readable names in the reader's language.
"""

from __future__ import annotations

from contextlib import contextmanager

from auditlog.context import auditlog_value, set_actor
from auditlog.models import LogEntry
from django.db.models import Model

from rentoffice.models import Membership


def activity_record(obj: Model, *, actor: Membership, changes: dict, action: int = LogEntry.Action.UPDATE) -> None:
    LogEntry.objects.log_create(obj, force_log=True, action=action, changes=changes, actor=actor.user)


@contextmanager
def acting(actor: Membership):
    """Saves inside are logged as done by the actor, also outside a request (API, tasks, tests).

    `set_actor` leaves its own context behind on exit; the outer one (a request's, set by the
    middleware) is put back so its receiver keeps matching.
    """
    outer = auditlog_value.get(None)
    try:
        with set_actor(actor.user):
            yield
    finally:
        if outer is not None:
            auditlog_value.set(outer)
