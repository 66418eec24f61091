"""What the contract views share: turning service refusals into form errors, and which actions a
contract's status allows (the buttons on its page)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from rentoffice.forms import form_errors_from

from ..exceptions import BookingConflict
from ..models import Contract
from ..services.editing import EDITABLE
from ..services.lifecycle import transitions_from

T = TypeVar("T")

Status = Contract.Status
# Edit pages by what the services allow: the status pipeline (lifecycle.TRANSITIONS) for status
# changes, editing.EDITABLE for changes of a reservation or a running contract, and changes of the
# vehicle only while it is reserved. The services still decide (TransitionError); this keeps the
# page from offering buttons that would be refused.
TRANSITION_ACTIONS = {Status.CHECKED_OUT: "check_out", Status.CHECKED_IN: "check_in", Status.CANCELLED: "cancel"}
EDIT_ACTIONS = frozenset({"period", "tariff", "price_reload", "driver_add"})
RESERVED_ACTIONS = frozenset({"vehicle_swap", "vehicle_remove"})


def allowed_actions(contract: Contract) -> frozenset[str]:
    actions = {"note_add"}
    actions |= {TRANSITION_ACTIONS[s] for s in transitions_from(contract.status) if s in TRANSITION_ACTIONS}
    if contract.status in EDITABLE:
        actions |= EDIT_ACTIONS
    if contract.status == Status.RESERVED:
        actions |= RESERVED_ACTIONS
    if contract.vehicle_id is None:
        actions.discard("vehicle_remove")
    return frozenset(actions)


def run_service(form: forms.BaseForm, call: Callable[[], T]) -> T | None:
    """Call a service; its refusal becomes the form's errors (field errors where it names a field)."""
    try:
        return call()
    except PermissionDenied as exc:
        form.add_error(None, str(exc) or _("You do not have the permission for this."))
    except ValidationError as exc:
        form_errors_from(form, exc)
        if isinstance(exc, BookingConflict):
            _name_conflict(form, exc)
    return None


def _name_conflict(form: forms.BaseForm, exc: BookingConflict) -> None:
    """The issue asks that a conflict names what it collides with."""
    conflicting = getattr(exc, "conflicting", None)
    if conflicting is None:
        return
    text = " ".join(exc.messages)
    if isinstance(conflicting, Contract):
        if conflicting.number and conflicting.number not in text:
            form.add_error(None, _("It collides with contract %(number)s.") % {"number": conflicting.number})
    elif str(conflicting) not in text:
        form.add_error(None, _("It collides with the block “%(block)s”.") % {"block": conflicting})


def error_codes(exc: ValidationError) -> set[str]:
    if hasattr(exc, "error_dict"):
        return {e.code for errors in exc.error_dict.values() for e in errors if e.code}
    return {e.code for e in exc.error_list if e.code}
