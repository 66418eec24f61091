"""Decisions staff record for the customer (taken by phone, in person, by e-mail)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from rentoffice.models import Membership

from ..models import Case, CaseEvent, WorkItem
from .cases import _event
from .notify import decision_notify, notify_refusal
from .rights import require_case
from .status import transition


@transaction.atomic
def item_decide(*, actor: Membership, item: WorkItem, decision: str, origin: str, notify: str = "") -> WorkItem:
    """Record an approval or refusal of one item with where it came from. When no item awaits a
    decision any more, the case counts as answered. `notify` ("email" or "sms", empty: nobody)
    also tells the customer what was recorded (services/notify.py)."""
    case = (
        Case.objects.select_for_update()
        .select_related("organization", "station", "brand", "contact")
        .get(pk=item.case_id)
    )
    require_case(actor, case)
    if case.status == Case.Status.CLOSED:
        raise ValidationError(_("The case is closed."))
    if not item.is_chargeable or item.state != WorkItem.State.PENDING:
        raise ValidationError(_("Only pending recommended or urgent work is approved or declined."))
    errors = {}
    if decision not in (WorkItem.Decision.APPROVED, WorkItem.Decision.DECLINED):
        errors["decision"] = [_("Choose approve or decline.")]
    if origin not in WorkItem.Origin.values or origin == WorkItem.Origin.CUSTOMER_PAGE:
        errors["origin"] = [_("Say how the customer told you.")]
    if notify and (refusal := notify_refusal(case, notify)):
        errors["notify"] = [refusal]
    if errors:
        raise ValidationError(errors)
    item.decision, item.decision_origin = decision, origin
    item.decided_at, item.decided_by_user, item.decided_by_recipient = timezone.now(), actor.user, None
    item.save(update_fields=["decision", "decision_origin", "decided_at", "decided_by_user", "decided_by_recipient"])
    _event(
        case,
        CaseEvent.Action.DECIDED,
        actor=actor,
        detail=f"{item.title}: {item.get_decision_display()} ({item.get_decision_origin_display()})",
    )
    if notify:
        decision_notify(actor=actor, case=case, item=item, channel=notify)
    if not any(i.awaits_decision and not i.decision for i in case.items.all()):
        transition(case, Case.Status.ANSWERED)
        case.save(update_fields=["status", "answered_at", "updated_at"])
    return item
