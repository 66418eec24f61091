"""Scheduled customer work: tenant tasks (one organization each, in its scope) around the services.

Both run daily for every active organization through the periodic-job registry (see `apps.py`).
"""

from rentoffice.background import tenant_task
from rentoffice.models import Organization


@tenant_task()
def licence_escalations(*, organization: Organization) -> int:
    from .services import licence_escalations_run

    return licence_escalations_run(organization=organization)


@tenant_task()
def deletion_routine(*, organization: Organization) -> int:
    """Anonymises inactive customers if the organization switched the routine on (not a dry run)."""
    from .selectors import settings_for
    from .services import deletion_routine as run

    if not settings_for(organization=organization).deletion_routine_enabled:
        return 0
    return len(run(organization=organization, dry_run=False).anonymised)
