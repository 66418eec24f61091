"""Signals of the fleet that higher apps receive (vehicles never imports them)."""

from django.dispatch import Signal

# Sent before a vehicle group is deleted, with `group=`. A receiver returns a sentence saying why the
# group must stay (e.g. customers whose booking permissions name it), or None.
vehicle_group_delete_requested = Signal()
