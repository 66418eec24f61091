"""Answers to lower apps' questions (vetoes) and signals."""

from django.utils.translation import ngettext
from django_scopes import scopes_disabled

from vehicles.signals import vehicle_group_deletion

from .models import Customer


@vehicle_group_deletion.register
def keep_groups_named_in_booking_permissions(*, group):
    """An empty list of bookable groups means "all groups": deleting the only group a customer may
    book would silently let them book everything. Such groups stay until the permissions change."""
    with scopes_disabled():
        count = Customer.objects.filter(organization_id=group.organization_id, allowed_vehicle_groups=group).count()
    if not count:
        return None
    return ngettext(
        "%(count)d customer may book only selected vehicle groups, this one among them. "
        "Change the customer's booking permissions first.",
        "%(count)d customers may book only selected vehicle groups, this one among them. "
        "Change their booking permissions first.",
        count,
    ) % {"count": count}
