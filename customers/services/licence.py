"""Licence-check escalation: overdue checks produce escalation e-mails, at most once per step."""

from __future__ import annotations

import datetime as dt
import operator
from functools import reduce
from typing import TYPE_CHECKING, TypedDict, cast

from django.db import IntegrityError, transaction
from django.db.models import Case, F, Max, OuterRef, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone

from rentoffice.models import Membership, Organization
from rentoffice.outbox import message_queue

from ..models import Customer, LicenceEscalation
from ..selectors import licence_overdue, settings_for
from .core import customer_save
from .rights import require_customer

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations


class _Reached(TypedDict):
    licence_due_on: dt.date
    reached_step: int


def licence_escalations_run(*, organization: Organization, today: dt.date | None = None, batch_size: int = 1000) -> int:
    """Send due escalation e-mails for one organization; returns how many escalations were recorded.

    The database picks the customers: due date by `licence_due_expression` (the one rule, shared with
    the list filter and the dashboard), the escalation step reached by that date and the highest step
    already recorded for the same due date. Only customers who need an e-mail now reach Python, in
    primary-key batches, so the daily run stays fast at a million customers.
    """
    today = today or timezone.localdate()
    steps = settings_for(organization=organization).escalation_steps()
    if not steps:
        return 0
    candidates = _escalation_candidates(organization=organization, today=today, steps=steps)
    sent, last_pk = 0, 0
    while True:
        batch = list(candidates.filter(pk__gt=last_pk).order_by("pk")[:batch_size])
        for customer in batch:
            # A missed run does not send every skipped step at once: only the highest reached one.
            if _escalate(customer=customer, due_on=customer.licence_due_on, step=customer.reached_step, today=today):
                sent += 1
        if len(batch) < batch_size:  # the last batch: no need to scan again for an empty one
            return sent
        last_pk = batch[-1].pk


def _escalation_candidates(
    *, organization: Organization, today: dt.date, steps: list[int]
) -> QuerySet[WithAnnotations[Customer, _Reached]]:
    # A customer can only have reached a step once overdue by the smallest step's days.
    overdue = licence_overdue(
        Customer.objects.filter(organization=organization, anonymised_at__isnull=True),
        today=today - dt.timedelta(days=steps[0]),
    )
    reached = reduce(
        operator.add,
        [
            Case(When(licence_due_on__lte=today - dt.timedelta(days=days), then=Value(1)), default=Value(0))
            for days in steps
        ],
    )
    recorded = (
        LicenceEscalation.objects.filter(
            organization=organization, customer=OuterRef("pk"), due_on=OuterRef("licence_due_on")
        )
        .values("customer")
        .annotate(top=Max("step"))
        .values("top")
    )
    candidates = (
        overdue.annotate(reached_step=reached, recorded_step=Coalesce(Subquery(recorded), Value(0)))
        .filter(reached_step__gt=F("recorded_step"))
        .select_related("organization")
    )
    # licence_overdue() annotated licence_due_on, which its plain QuerySet[Customer] type cannot say.
    return cast("QuerySet[WithAnnotations[Customer, _Reached]]", candidates)


def _escalate(*, customer: Customer, due_on: dt.date, step: int, today: dt.date) -> bool:
    try:
        with transaction.atomic():
            LicenceEscalation.objects.create(
                organization=customer.organization, customer=customer, due_on=due_on, step=step
            )
            context = {"customer": customer, "due_on": due_on, "step": step, "overdue_days": (today - due_on).days}
            recipient = customer.email_for("standard")
            if recipient:
                message_queue(
                    organization=customer.organization,
                    recipient=recipient,
                    template="customer_licence_escalation",
                    context=context,
                    language=customer.message_language,
                    related=customer,
                )
            if customer.organization.office_email:
                message_queue(
                    organization=customer.organization,
                    recipient=customer.organization.office_email,
                    template="customer_licence_escalation_office",
                    context=context,
                    language=customer.organization.default_language,
                    related=customer,
                )
    except IntegrityError:
        return False  # another run recorded this step at the same time
    return True


@transaction.atomic
def licence_checked(*, actor: Membership, customer: Customer, on: dt.date | None = None) -> Customer:
    """Record a licence check; the next due date (and escalation cycle) starts from it."""
    require_customer(actor, customer)
    customer.licence_checked_at = on or timezone.localdate()
    customer.licence_checked_by = actor.user
    return customer_save(customer=customer, actor=actor)
