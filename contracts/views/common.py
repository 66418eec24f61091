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

T = TypeVar("T")

Status = Contract.Status
# Which edit pages a status offers. The services decide (TransitionError); this only keeps the
# page from offering buttons that would be refused.
ACTIONS: dict[str, frozenset[str]] = {
    Status.RESERVED: frozenset(
        {
            "check_out",
            "period",
            "vehicle_swap",
            "vehicle_remove",
            "tariff",
            "price_reload",
            "cancel",
            "driver_add",
            "note_add",
        }
    ),
    Status.CHECKED_OUT: frozenset({"check_in", "period", "tariff", "price_reload", "driver_add", "note_add"}),
    Status.CHECKED_IN: frozenset({"price_reload", "note_add"}),
    Status.SETTLED: frozenset({"note_add"}),
    Status.CANCELLED: frozenset({"note_add"}),
}


def allowed_actions(contract: Contract) -> frozenset[str]:
    actions = ACTIONS.get(contract.status, frozenset())
    if contract.vehicle_id is None:
        actions = actions - {"vehicle_remove"}
    return actions


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
