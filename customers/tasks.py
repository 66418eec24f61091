"""Scheduled customer work; thin adapters around the services."""

from celery import shared_task
from django_scopes import scopes_disabled

from rentoffice.models import Organization


@shared_task
def licence_escalations() -> int:
    from .services import licence_escalations_run

    sent = 0
    with scopes_disabled():
        for organization in Organization.objects.filter(is_active=True):
            sent += licence_escalations_run(organization=organization)
    return sent


@shared_task
def deletion_routine() -> int:
    """Anonymises inactive customers of organizations that switched the routine on (not a dry run)."""
    from .models import CustomerSettings
    from .services import deletion_routine as run

    done = 0
    with scopes_disabled():
        for config in CustomerSettings.objects.filter(
            deletion_routine_enabled=True, organization__is_active=True
        ).select_related("organization"):
            done += len(run(organization=config.organization, dry_run=False).anonymised)
    return done
