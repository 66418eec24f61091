"""The customer page: a recipient opens the case and answers it. No staff session is involved; the
token is the only key, so every function here starts from the recipient it names."""

from __future__ import annotations

from collections.abc import Mapping

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django_scopes import scope, scopes_disabled

from rentoffice.outbox import message_queue

from .. import totals
from ..exceptions import CaseLocked
from ..models import Case, CaseEvent, Recipient, WorkItem
from .cases import _event
from .status import transition

OPEN = (Case.Status.SENT, Case.Status.READ)


def recipient_for_token(token: str) -> Recipient | None:
    """The recipient a link belongs to; None for unknown, revoked and closed cases' links."""
    if not token or len(token) > 64:
        return None
    with scopes_disabled():
        recipient = (
            Recipient.objects.select_related("case__organization", "case__station", "case__brand", "contact")
            .filter(token=token, revoked_at__isnull=True)
            .first()
        )
    if recipient is None or recipient.case.status == Case.Status.CLOSED:
        return None
    return recipient


def answer_locked(recipient: Recipient) -> bool:
    """The work list is read-only for this recipient: someone (they or another recipient) answered."""
    case = recipient.case
    return case.answered_by_id is not None or case.status not in OPEN


@transaction.atomic
def case_open(*, recipient: Recipient) -> None:
    """First opening of a link: the recipient has read the case (and the case, if not further on)."""
    if recipient.read_at is not None:
        return
    with scope(organization=recipient.case.organization):
        case = Case.objects.select_for_update().get(pk=recipient.case_id)
        recipient.read_at = timezone.now()
        recipient.save(update_fields=["read_at"])
        if case.status == Case.Status.SENT:
            transition(case, Case.Status.READ)
            case.save(update_fields=["status", "updated_at"])
        _event(case, CaseEvent.Action.READ, recipient=recipient, detail=str(recipient.contact))
        recipient.case = case


@transaction.atomic
def case_answer(
    *, recipient: Recipient, decisions: Mapping[int, str], rating: int | None, comment: str, base_url: str
) -> Case:
    """The customer's answer: a decision on every item awaiting one, optionally a rating. The first
    answer locks the work list for every recipient."""
    with scope(organization=recipient.case.organization):
        case = Case.objects.select_for_update().select_related("organization", "station").get(pk=recipient.case_id)
        recipient.case = case
        if answer_locked(recipient):
            raise CaseLocked(_("This case has already been answered; the answer can no longer be changed."))
        items = [i for i in case.items.all() if i.awaits_decision and not i.decision]
        errors = {}
        for item in items:
            if decisions.get(item.pk) not in (WorkItem.Decision.APPROVED, WorkItem.Decision.DECLINED):
                errors[f"item-{item.pk}"] = [_("Please approve or decline this item.")]
        if rating is not None and not 1 <= rating <= 5:
            errors["rating"] = [_("Choose between 1 and 5 stars.")]
        if errors:
            raise ValidationError(errors)
        now = timezone.now()
        for item in items:
            item.decision = decisions[item.pk]
            item.decision_origin = WorkItem.Origin.CUSTOMER_PAGE
            item.decided_at = now
            item.decided_by_recipient = recipient
        WorkItem.objects.bulk_update(items, ["decision", "decision_origin", "decided_at", "decided_by_recipient"])
        transition(case, Case.Status.ANSWERED)
        case.answered_by = recipient
        case.rating = rating
        case.rating_comment = comment.strip()[:2000]
        case.save()
        recipient.answered_at = now
        recipient.save(update_fields=["answered_at"])
        accepted = totals.accepted(case.items.all())
        _event(case, CaseEvent.Action.ANSWERED, recipient=recipient, detail=f"{recipient.contact} · {accepted.gross} €")
        _notify_staff(case, accepted=accepted.gross, base_url=base_url)
        return case


def _notify_staff(case: Case, *, accepted, base_url: str) -> None:
    person = case.assignee or case.author
    if person is None or not person.email:
        return
    link = base_url.rstrip("/") + reverse(
        "fleetback:detail", kwargs={"org_slug": case.organization.slug, "pk": case.pk}
    )
    message_queue(
        organization=case.organization,
        recipient=person.email,
        template="fleetback_answered",
        context={"case_number": case.number, "reference": case.reference, "accepted": accepted, "link": link},
        language=getattr(person, "language", "") or case.organization.default_language,
        related=case,
    )
