from django.core.exceptions import ValidationError


class TransitionError(ValidationError):
    """A status change the case's status machine does not allow."""


class CaseLocked(ValidationError):
    """The case (or its work list) can no longer be changed: it was sent, answered or closed."""
