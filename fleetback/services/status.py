"""The status machine: which change is allowed is data on the model (`Case.TRANSITIONS`)."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _

from ..exceptions import TransitionError
from ..models import Case


def transition(case: Case, to: str) -> None:
    """Move the case to `to` (the caller saves); staying in the same status is no change."""
    if case.status == to:
        return
    if to not in Case.TRANSITIONS[Case.Status(case.status)]:
        raise TransitionError(
            _("A case that is “%(current)s” cannot become “%(new)s”.")
            % {"current": Case.Status(case.status).label, "new": Case.Status(to).label}
        )
    case.status = to
    now = timezone.now()
    if to == Case.Status.SENT:
        case.sent_at = now
    elif to == Case.Status.ANSWERED:
        case.answered_at = now
    elif to == Case.Status.CLOSED:
        case.closed_at = now


def require_editable(case: Case) -> None:
    from ..exceptions import CaseLocked

    if not case.is_editable:
        raise CaseLocked(lock_reason(case))


def lock_reason(case: Case) -> str:
    """Why the fields of a case can no longer be changed (shown on the page)."""
    if case.status == Case.Status.CLOSED:
        return _("The case is closed.")
    if case.status == Case.Status.ANSWERED:
        return _("The customer has answered; the case can no longer be changed.")
    return _("The case has been sent to the customer, who may already have read it; it can no longer be changed.")
