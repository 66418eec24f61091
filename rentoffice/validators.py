"""The one sane window for every date and time a person (or an import) enters.

A date like 0001-01-01 is valid for Python and PostgreSQL, but a moment at the very start of year 1
in German time lies in 1 BC in UTC: PostgreSQL stores it, psycopg2 cannot read it back ("year -1 is
out of range"), and every page loading the row answered 500. Nothing a rental business records
lies before 1900 or after 2099, so both forms and model fields refuse what is outside
(docs/foundation.md, "Dates").
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import formats
from django.utils.translation import gettext as _

EARLIEST = dt.date(1900, 1, 1)
LATEST = dt.date(2099, 12, 31)


def date_in_window(value: dt.date | dt.datetime | None) -> None:
    """Validator for date and datetime fields (model and form fields alike)."""
    if value is None:
        return
    day = value.date() if isinstance(value, dt.datetime) else value
    if not EARLIEST <= day <= LATEST:
        raise ValidationError(
            _("Enter a date between %(earliest)s and %(latest)s.")
            % {
                "earliest": formats.date_format(EARLIEST, "SHORT_DATE_FORMAT"),
                "latest": formats.date_format(LATEST, "SHORT_DATE_FORMAT"),
            },
            code="date_out_of_range",
        )


def window_q(field: str) -> Q:
    """Rows whose `field` (a datetime column) lies in the window: what selectors load for pages, so a
    row written past the validators (by SQL, an old import) cannot take a page down."""
    start = dt.datetime.combine(EARLIEST, dt.time.min, tzinfo=dt.UTC)
    end = dt.datetime.combine(LATEST, dt.time.max, tzinfo=dt.UTC)
    return Q(**{f"{field}__gte": start, f"{field}__lte": end})
