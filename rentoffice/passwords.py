import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


class ComplexityValidator:
    """At least one upper-case letter, one digit and one special character."""

    def validate(self, password: str, user=None) -> None:
        errors = []
        if not re.search(r"[A-ZÄÖÜ]", password):
            errors.append(
                ValidationError(
                    _("The password must contain at least one upper-case letter."), code="password_no_upper"
                )
            )
        if not re.search(r"\d", password):
            errors.append(ValidationError(_("The password must contain at least one digit."), code="password_no_digit"))
        if not re.search(r"[^A-Za-z0-9ÄÖÜäöüß]", password):
            errors.append(
                ValidationError(
                    _("The password must contain at least one special character."), code="password_no_special"
                )
            )
        if errors:
            raise ValidationError(errors)

    def get_help_text(self) -> str:
        return _("Your password must contain an upper-case letter, a digit and a special character.")
