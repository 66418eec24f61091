import datetime as dt

from django import template
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html

from ..models import Damage, Vehicle
from ..selectors import HU_DUE_WITHIN_DAYS

register = template.Library()

_VEHICLE_STATUS = {
    Vehicle.Status.AVAILABLE: "success",
    Vehicle.Status.RENTED: "primary",
    Vehicle.Status.WORKSHOP: "warning",
    Vehicle.Status.RETIRED: "secondary",
}
_DAMAGE_STATUS = {
    Damage.Status.OPEN: "danger",
    Damage.Status.IN_REPAIR: "warning",
    Damage.Status.REPAIRED: "success",
    Damage.Status.CHARGED: "info",
    Damage.Status.INSURANCE: "info",
}
_SEVERITY = {Damage.Severity.MINOR: "secondary", Damage.Severity.MEDIUM: "warning", Damage.Severity.MAJOR: "danger"}


@register.simple_tag
def vehicle_status_badge(vehicle):
    return format_html(
        '<span class="badge text-bg-{}" data-testid="vehicle-status">{}</span>',
        _VEHICLE_STATUS.get(vehicle.status, "secondary"),
        vehicle.get_status_display(),
    )


@register.simple_tag
def damage_status_badge(damage):
    return format_html(
        '<span class="badge text-bg-{}">{}</span>',
        _DAMAGE_STATUS.get(damage.status, "secondary"),
        damage.get_status_display(),
    )


@register.simple_tag
def severity_badge(damage):
    return format_html(
        '<span class="badge text-bg-{}">{}</span>',
        _SEVERITY.get(damage.severity, "secondary"),
        damage.get_severity_display(),
    )


@register.filter
def hu_state(date) -> str:
    """CSS class for a next-inspection date: red when overdue, amber when due within 30 days."""
    if not date:
        return ""
    today = timezone.localdate()
    if date < today:
        return "text-danger fw-semibold"
    if date <= today + dt.timedelta(days=HU_DUE_WITHIN_DAYS):
        return "text-warning-emphasis fw-semibold"
    return ""


@register.simple_tag(takes_context=True)
def sort_link(context, key, label):
    """A column header that sorts by `key`, toggling the direction when already sorted by it."""
    current = context.get("sort") or "plate"
    new = f"-{key}" if current == key else key
    arrow = " ↑" if current == key else " ↓" if current == f"-{key}" else ""
    base = context.get("query_without_sort") or ""
    href = f"?{base}&sort={new}" if base else f"?sort={new}"
    return format_html(
        '<a class="link-body-emphasis text-decoration-none" href="{}" hx-get="{}">{}{}</a>', href, href, label, arrow
    )


@register.simple_tag(takes_context=True)
def photo_url(context, kind, photo, variant="full"):
    """URL of a fleet photo (kind: vehicle, damage, condition), served through the access check.

    variant: "full", "thumb" or "delete" (the confirmation page).
    """
    name = f"vehicles:{kind}_photo" + {"thumb": "_thumb", "delete": "_delete"}.get(variant, "")
    return reverse(name, kwargs={"org_slug": context["organization"].slug, "pk": photo.pk})
