"""Licence-check escalation: overdue checks produce escalation e-mails, at most once per step."""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils import timezone
from django_scopes import scopes_disabled

from rentoffice.models import Membership, Organization
from rentoffice.outbox import message_queue

from ..models import Customer, LicenceEscalation
from ..selectors import settings_for
from .core import customer_save
from .rights import require_customer


def _reached_step(due_on: dt.date, today: dt.date, steps: list[int]) -> int:
    """1-based index of the highest escalation step reached (0 = none yet)."""
    overdue = (today - due_on).days
    return sum(1 for days in steps if overdue >= days)


def licence_escalations_run(*, organization: Organization, today: dt.date | None = None) -> int:
    """Send due escalation e-mails for one organization; returns how many escalations were recorded."""
    today = today or timezone.localdate()
    steps = settings_for(organization=organization).escalation_steps()
    if not steps:
        return 0
    sent = 0
    with scopes_disabled():
        customers = Customer.objects.filter(
            organization=organization, licence_check_interval_months__isnull=False, anonymised_at__isnull=True
        ).select_related("organization")
        done = {}
        for row in LicenceEscalation.objects.filter(organization=organization).values("customer_id", "due_on", "step"):
            key = (row["customer_id"], row["due_on"])
            done[key] = max(done.get(key, 0), row["step"])
        for customer in customers:
            due_on = customer.licence_check_due_on
            if due_on is None or due_on > today:
                continue
            step = _reached_step(due_on, today, steps)
            # A missed run does not send every skipped step at once: only the highest reached one.
            if step == 0 or done.get((customer.pk, due_on), 0) >= step:
                continue
            if _escalate(customer=customer, due_on=due_on, step=step, today=today):
                sent += 1
    return sent


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
