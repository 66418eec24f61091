"""Tenancy holds outside requests too: every tenant-owned model is scoped, tests run without a
blanket `scopes_disabled()`, tasks run in their organization's scope, periodic jobs per organization."""

import pytest
from django.apps import apps
from django.db import models
from django_scopes import ScopeError, scope, scopes_disabled

from customers.models import Customer
from rentoffice import background
from rentoffice.celery import app as celery_app
from rentoffice.models import Membership, NumberSequence, Organization, Role
from tests.customers.conftest import make_customer

pytestmark = pytest.mark.django_db

PROJECT_APPS = ("rentoffice", "customers", "vehicles")


def _tenant_models():
    for model in apps.get_models():
        if model._meta.app_label not in PROJECT_APPS:
            continue
        field = next((f for f in model._meta.concrete_fields if f.name == "organization"), None)
        if isinstance(field, models.ForeignKey) and field.related_model is Organization:
            yield model


def test_every_tenant_owned_model_refuses_queries_without_a_scope():
    found = list(_tenant_models())
    assert {Role, Membership, NumberSequence, Customer} <= set(found)
    for model in found:
        with pytest.raises(ScopeError):
            list(model.objects.all())


def test_a_service_that_forgets_the_organization_filter_fails_its_test(org_a, org_b):
    """What the removed autouse fixture hid: a read that trusts `Model.objects` alone. Outside a scope
    it raises; inside one it can only see that organization's rows, never another's."""
    make_customer(org_a, last_name="Adler")
    make_customer(org_b, last_name="Bär")

    def customer_names_forgetting_the_filter() -> list[str]:  # the bug: no organization=...
        return sorted(Customer.objects.values_list("last_name", flat=True))

    with pytest.raises(ScopeError):
        customer_names_forgetting_the_filter()
    with scope(organization=org_a):
        assert customer_names_forgetting_the_filter() == ["Adler"]
    with scopes_disabled():  # what every test ran under before: the leak went unnoticed
        assert customer_names_forgetting_the_filter() == ["Adler", "Bär"]


@background.tenant_task(name="tests.scope_seen")
def scope_seen(*, organization, customer_id):
    return {"organization": organization.pk, "visible": list(Customer.objects.values_list("pk", flat=True))}


def test_tenant_task_runs_in_the_organizations_scope(org_a, org_b):
    mine = make_customer(org_a, last_name="Adler")
    make_customer(org_b, last_name="Bär")
    result = scope_seen(organization_id=org_a.pk, customer_id=mine.pk)
    assert result == {"organization": org_a.pk, "visible": [mine.pk]}
    with pytest.raises(TypeError):
        scope_seen(organization_id=None, customer_id=mine.pk)  # only system tasks run without one


def test_tenant_task_for_a_deactivated_organization_does_nothing(org_a):
    Organization.objects.filter(pk=org_a.pk).update(is_active=False)
    assert scope_seen(organization_id=org_a.pk, customer_id=0) is None


@pytest.fixture
def eager():
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = False


def test_periodic_jobs_come_from_one_registry_and_run_once_per_active_organization(org_a, org_b, eager):
    schedule = background.beat_schedule()
    assert {"outbox-sweep", "customers-licence-escalations", "customers-deletion-routine"} <= set(schedule)
    assert all(entry["task"] == "rentoffice.background.periodic_dispatch" for entry in schedule.values())
    with pytest.raises(ValueError):
        background.periodic_register("outbox-sweep", task="customers.tasks.licence_escalations", schedule=1.0)
    Organization.objects.filter(pk=org_b.pk).update(is_active=False)
    assert background.periodic_dispatch("customers-licence-escalations") == 1  # org A only
    assert background.periodic_dispatch("outbox-sweep") == 2  # org A and the system messages


def test_beat_installs_the_registry():
    from celery import signals

    class Service:
        app = celery_app

    before = celery_app.conf.beat_schedule
    celery_app.conf.beat_schedule = {}
    try:
        signals.beat_init.send(sender=Service())
        assert celery_app.conf.beat_schedule == background.beat_schedule()
    finally:
        celery_app.conf.beat_schedule = before
