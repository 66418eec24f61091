"""The contracts domain's own refusals, so pages, the API and tasks can tell them apart."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError

if TYPE_CHECKING:
    from .models import Contract, VehicleBlock


class BookingConflict(ValidationError):
    """The vehicle is taken for (part of) the period; the API answers 409.

    `conflicting` is the contract or block holding the time, when known (a refusal found by the
    exclusion constraint under concurrency names it after a fresh read; None when it is gone again).
    """

    conflicting: Contract | VehicleBlock | None

    def __init__(self, message, code: str | None = "conflict", params=None, *, conflicting=None):
        super().__init__(message, code=code, params=params)
        self.conflicting = conflicting


class TransitionError(ValidationError):
    """A status change the pipeline does not allow (the message says what is possible instead)."""
