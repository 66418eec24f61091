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


# Words German office passwords are commonly built from ("Sommer2026!", "Passwort123!"), plus the
# product's own words. A password whose letters are only such a word is refused.
COMMON_WORDS = {
    "passwort",
    "password",
    "kennwort",
    "geheim",
    "hallo",
    "willkommen",
    "welcome",
    "test",
    "demo",
    "admin",
    "administrator",
    "benutzer",
    "user",
    "login",
    "start",
    "qwertz",
    "qwerty",
    "asdf",
    "sommer",
    "winter",
    "herbst",
    "fruehling",
    "fruhling",
    "frühling",
    "januar",
    "februar",
    "maerz",
    "märz",
    "april",
    "mai",
    "juni",
    "juli",
    "august",
    "september",
    "oktober",
    "november",
    "dezember",
    "montag",
    "freitag",
    "schatz",
    "liebe",
    "sonne",
    "fussball",
    "fußball",
    "bayern",
    "borussia",
    "schalke",
    "berlin",
    "hamburg",
    "muenchen",
    "münchen",
    "koeln",
    "köln",
    "deutschland",
    "autohaus",
    "auto",
    "rentoffice",
    "vermietung",
    "mietwagen",
    "station",
    "firma",
    "buero",
    "büro",
}


class GermanCommonPasswordValidator:
    """Refuses passwords that are a common German word dressed up with digits and symbols."""

    def validate(self, password: str, user=None) -> None:
        letters = re.sub(r"[^a-zäöüß]", "", password.lower())
        words = set(COMMON_WORDS)
        if user is not None:
            # The person's own name and e-mail name, and their organizations, are just as guessable.
            for value in (getattr(user, "full_name", ""), (getattr(user, "email", "") or "").split("@")[0]):
                words.update(w for w in re.split(r"[^a-zäöüß]+", value.lower()) if len(w) >= 3)
        if not letters or letters in words:
            raise ValidationError(
                _("This password is too easy to guess: it is a common word with digits or symbols added."),
                code="password_common_word",
            )

    def get_help_text(self) -> str:
        return _("Your password must not be a common word with digits or symbols added.")


class EmailLocalPartValidator:
    """Refuses a password that contains the e-mail address's local part ("j.meier" of j.meier@...),
    or one of its words of four letters or more ("meier"), in any letter case."""

    def validate(self, password: str, user=None) -> None:
        email = (getattr(user, "email", "") or "") if user is not None else ""
        local = email.rsplit("@", 1)[0].casefold()
        if not local:
            return
        candidates = {local} if len(local) >= 3 else set()
        candidates.update(w for w in re.split(r"[^\w]+|_", local) if len(w) >= 4)
        lowered = password.casefold()
        if any(c in lowered for c in candidates):
            raise ValidationError(
                _("The password must not contain the name part of your e-mail address."),
                code="password_contains_email",
            )

    def get_help_text(self) -> str:
        return _("Your password must not contain the name part of your e-mail address.")
