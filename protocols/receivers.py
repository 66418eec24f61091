"""Every organization gets the built-in protocol types Übergabe and Rücknahme when it is created.

Core (`rentoffice.services.organization_create`) must not import protocols, so the app listens for
a new Organization row instead; organizations older than the app got theirs in migration 0002.
"""

from django.db.models.signals import post_save
from django.dispatch import receiver
from django_scopes import scopes_disabled

from rentoffice.models import Organization


@receiver(post_save, sender=Organization, dispatch_uid="protocols_builtin_types")
def builtin_types_for_new_organization(sender, instance: Organization, created: bool, raw: bool = False, **kwargs):
    if not created or raw:
        return
    from .services.types import builtin_types_ensure

    with scopes_disabled():
        builtin_types_ensure(organization=instance)
