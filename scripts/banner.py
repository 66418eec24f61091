"""Printed by `make run` before the servers start."""

print(
    """
================================================================
 Rentoffice runs at  http://127.0.0.1:8000
 Demo logins (password for all: Demo-2026!)
   admin@koenig.example       administrator, Autohaus König (+ Autohaus Nord)
   muenchen@koenig.example    station staff, München only
   augsburg@koenig.example    station staff, Augsburg only
   manager@koenig.example     dealer manager
   backoffice@koenig.example  back office
   sales@koenig.example       sales
   technik@koenig.example     technician
   audit@koenig.example       auditor
   admin@nord.example         administrator, Autohaus Nord
   staff@nord.example         station staff, Autohaus Nord
 Stop with Ctrl+C. Data stays in var/run/.
================================================================
"""
)
