"""Questions the fleet asks higher apps (vehicles never imports them); see rentoffice.vetoes."""

from rentoffice.vetoes import Veto

# Asked before a vehicle group is deleted, with `group=`. A check returns a sentence saying why the
# group must stay (e.g. customers whose booking permissions name it), or None.
vehicle_group_deletion = Veto("vehicles.vehicle_group_deletion")
