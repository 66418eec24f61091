"""Which models the activity log records (django-auditlog), and the summaries services log.

Rows owned through a parent (a station's opening hours and exceptions, a member's station grants)
are logged on the parent as one entry. Their values are stored as **data** — weekday numbers,
ISO dates, "HH:MM" times, names — never as sentences, so the activity log renders them in the
reader's language and date format (`rentoffice.templatetags.record_pages.activity_changes`).
"""

from auditlog.registry import auditlog
from django.utils import timezone

from .models import Membership, MessageTemplate, Organization, Region, Role, Station

auditlog.register(Organization, exclude_fields=["stripe_secret_key", "stripe_webhook_secret"])
auditlog.register(Region)
auditlog.register(Station, exclude_fields=["opening_hours", "opening_exceptions", "memberships"])
auditlog.register(Role)
auditlog.register(Membership, m2m_fields={"stations", "regions"})
auditlog.register(MessageTemplate)


def _hhmm(value) -> str | None:
    return f"{value:%H:%M}" if value is not None else None


def opening_hours_state(station: Station) -> dict[str, list]:
    """The station's weekly hours and its exceptions from today on, as loggable data.

    opening_hours: [[weekday (0 = Monday), "HH:MM", "HH:MM"], ...]
    opening_exceptions: [{"date": "YYYY-MM-DD", "closed": bool, "opens": "HH:MM"|None,
                          "closes": "HH:MM"|None, "note": str}, ...]
    """
    hours = [[h.weekday, _hhmm(h.opens), _hhmm(h.closes)] for h in station.opening_hours.order_by("weekday", "opens")]
    exceptions = [
        {
            "date": e.date.isoformat(),
            "closed": e.closed,
            "opens": _hhmm(e.opens),
            "closes": _hhmm(e.closes),
            "note": e.note,
        }
        for e in station.opening_exceptions.filter(date__gte=timezone.localdate()).order_by("date")
    ]
    return {"opening_hours": hours, "opening_exceptions": exceptions}
