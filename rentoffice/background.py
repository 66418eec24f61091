"""Background work that respects tenancy: the task base and the one registry of periodic jobs.

A task that works on an organization's rows is declared with `@tenant_task` and called with
`organization_id=` plus primary keys (never model instances: a worker loads fresh rows). The base
loads the organization and runs the task body inside `scope(organization=...)`, exactly like a
request, so a forgotten filter raises `ScopeError` instead of reading another tenant's rows::

    @tenant_task()
    def damage_report_mail(*, organization: Organization, damage_id: int) -> None: ...

    damage_report_mail.delay(organization_id=org.pk, damage_id=damage.pk)

Periodic jobs are registered once, in the owning app's `AppConfig.ready()`::

    background.periodic_register("customers-licence-escalations", task="customers.tasks.licence_escalations",
                                 schedule=crontab(hour=6, minute=30))

Celery beat reads the registry (`beat_schedule()`, installed by `rentoffice/celery.py`); at each run
`periodic_dispatch` hands the job's tenant task to the workers once per active organization, so
every organization is processed in its own scope (and a failure in one does not stop the others).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from celery import Task, shared_task
from celery.schedules import crontab
from celery.utils.imports import symbol_by_name
from django_scopes import scope, scopes_disabled

logger = logging.getLogger(__name__)


class TenantTask(Task):
    """Celery task base: `organization_id` in, task body runs in that organization's scope.

    The task function receives `organization=` (the loaded row) instead of `organization_id`.
    A task declared `system=True` also accepts `organization_id=None` for rows that belong to no
    organization (password-reset e-mails); it then gets `organization=None` and must filter on it.
    """

    abstract = True
    system = False
    # Callers pass `organization_id`, the function takes `organization`: Celery's check of the call
    # against the function's signature at enqueue time would refuse every call.
    typing = False

    def __call__(self, *args: Any, organization_id: int | None, **kwargs: Any) -> Any:
        from .models import Organization

        if organization_id is None:
            if not self.system:
                raise TypeError(f"{self.name} needs an organization_id")
            with scopes_disabled():
                return self.run(*args, organization=None, **kwargs)
        organization = Organization.objects.filter(pk=organization_id, is_active=True).first()
        if organization is None:  # deleted or deactivated since the task was queued: nothing to do
            logger.info("%s: organization %s is gone or inactive; skipped", self.name, organization_id)
            return None
        with scope(organization=organization):
            return self.run(*args, organization=organization, **kwargs)


def tenant_task(*, system: bool = False, **options: Any) -> Callable[[Callable[..., Any]], TenantTask]:
    """Declare a task that works inside one organization's scope (see `TenantTask`)."""

    def decorator(fn: Callable[..., Any]) -> TenantTask:
        return shared_task(base=TenantTask, system=system, **options)(fn)

    return decorator


@dataclass(frozen=True)
class PeriodicJob:
    name: str
    task: str  # dotted name of a tenant task
    schedule: float | crontab  # seconds or a crontab


_jobs: dict[str, PeriodicJob] = {}


def periodic_register(name: str, *, task: str, schedule: float | crontab) -> PeriodicJob:
    """Run the tenant task `task` for every active organization on `schedule` (call in `ready()`)."""
    job = PeriodicJob(name=name, task=task, schedule=schedule)
    if _jobs.get(name, job) != job:
        raise ValueError(f"periodic job {name!r} is already registered with another task or schedule")
    _jobs[name] = job
    return job


def periodic_jobs() -> dict[str, PeriodicJob]:
    return dict(_jobs)


def beat_schedule() -> dict[str, dict[str, Any]]:
    """The registry as Celery's `beat_schedule`: each job runs through `periodic_dispatch`."""
    return {
        job.name: {"task": "rentoffice.background.periodic_dispatch", "schedule": job.schedule, "args": [job.name]}
        for job in _jobs.values()
    }


@shared_task(name="rentoffice.background.periodic_dispatch")
def periodic_dispatch(name: str) -> int:
    """Queue the job's task once per active organization (plus once without one for system tasks)."""
    from .models import Organization

    job = _jobs[name]
    task = symbol_by_name(job.task)  # imports the app's tasks module if the worker has not yet
    organization_ids: list[int | None] = list(
        Organization.objects.filter(is_active=True).order_by("pk").values_list("pk", flat=True)
    )
    if getattr(task, "system", False):
        organization_ids.append(None)
    for organization_id in organization_ids:
        task.apply_async(kwargs={"organization_id": organization_id})
    return len(organization_ids)
