"""The outbox: every e-mail and SMS is a row first, sent by a Celery worker after commit.

`message_queue` renders and stores the message in the caller's transaction and schedules the send
on commit. If the broker is down the row simply stays queued; `outbox_sweep` (a periodic job, every
minute, per organization and once for system messages) hands queued rows to the workers again. `message_send` claims a row with a conditional UPDATE, so
a message handed out twice is sent once.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import timedelta
from email.utils import formataddr, parseaddr

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.files.storage import default_storage
from django.core.mail import EmailMultiAlternatives
from django.db import models, transaction
from django.template import Context
from django.template.exceptions import TemplateDoesNotExist
from django.template.loader import get_template, render_to_string
from django.utils import timezone, translation
from django_scopes import scopes_disabled

from .models import Organization, OutboundMessage
from .sms import send_sms

logger = logging.getLogger(__name__)


class TransientSendError(Exception):
    """Sending failed in a way worth retrying (network, provider hiccup)."""


def render_message(
    *, template: str, context: dict, language: str, organization: Organization | None
) -> tuple[str, str, str]:
    """Subject, text and HTML for a template in a language; an organization's adapted text wins.

    Adapted texts are plain text (see rentoffice.message_templates); they replace the built-in
    text and HTML parts together.
    """
    from .message_templates import adapted_text

    with translation.override(language):
        with scopes_disabled():
            adapted = adapted_text(organization=organization, key=template, language=language, context=context)
        if adapted is not None:
            subject, text = adapted
            html = ""
        else:
            subject = render_text(f"messages/{template}/subject.txt", context)
            text = render_text(f"messages/{template}/body.txt", context)
            try:
                html = get_template(f"messages/{template}/body.html").render(context)
            except TemplateDoesNotExist:
                html = ""
    return " ".join(subject.split()), text.strip() + "\n", html


def render_text(name: str, context: dict) -> str:
    """A plain-text template rendered without HTML escaping: subjects and text parts are not HTML,
    and the HTML part made from them escapes once (an autoescaped text part showed "M&amp;S")."""
    return get_template(name).template.render(Context(context, autoescape=False))


def message_queue(
    *,
    organization: Organization | None,
    recipient: str,
    template: str,
    context: dict,
    language: str = "de",
    channel: str = OutboundMessage.Channel.EMAIL,
    purpose: str = "",
    related: models.Model | None = None,
    attachments: Iterable[dict] = (),
    reply_to: str = "",
    subject: str | None = None,
    body_text: str | None = None,
) -> OutboundMessage:
    """Store a message and send it after the surrounding transaction commits.

    Pass `subject`/`body_text` to send free text (e.g. a staff-written e-mail) instead of a template.
    """
    context = {"organization": organization, **context}
    if body_text is None:
        subject, body_text, body_html = render_message(
            template=template, context=context, language=language, organization=organization
        )
    else:
        body_html = ""
    if channel == OutboundMessage.Channel.EMAIL and not body_html:
        body_html = html_from_text(text=body_text, subject=subject or "", organization=organization, language=language)
    message = OutboundMessage(
        organization=organization,
        channel=channel,
        recipient=recipient,
        reply_to=reply_to or (organization.contact_email if organization else ""),
        purpose=purpose or template,
        language=language,
        template=template,
        subject=(subject or "")[:300],
        body_text=body_text,
        body_html=body_html,
        attachments=list(attachments),
    )
    if related is not None:
        message.related_type = ContentType.objects.get_for_model(related)
        message.related_id = str(related.pk)
    with scopes_disabled():
        message.save()
    transaction.on_commit(lambda: enqueue_send(organization_id=message.organization_id, message_id=message.pk))
    return message


def html_from_text(*, text: str, subject: str, organization: Organization | None, language: str) -> str:
    """The HTML part for a plain-text e-mail: the same words in the organization's simple layout,
    with links clickable. Mail clients show it; the text part stays the reference."""
    with translation.override(language):
        return render_to_string(
            "messages/_layout.html", {"text": text, "subject": subject, "organization": organization}
        )


def enqueue_send(*, organization_id: int | None, message_id: int) -> bool:
    """Hand a message to the workers; a broker outage is logged, the sweep retries later."""
    from .tasks import send_message

    try:
        send_message.apply_async(kwargs={"organization_id": organization_id, "message_id": message_id}, retry=False)
    except Exception:  # kombu raises several unrelated types when the broker is unreachable
        logger.warning("outbox: could not enqueue message %s; the sweep will retry", message_id, exc_info=True)
        return False
    return True


def retry_delay(attempt: int) -> timedelta:
    """Back-off after the n-th failed attempt: 30 s, 1 min, 2 min, ... capped at one hour."""
    return timedelta(seconds=min(30 * 2 ** max(attempt - 1, 0), 3600))


def message_send(*, organization: Organization | None, message_id: int) -> bool:
    """Send one queued message of `organization` (None: a system message). Returns False if someone
    else already claimed or sent it. Runs in the organization's scope, which the send task opens."""
    # The explicit filter keeps a system send (no scope) to the rows that belong to no organization.
    rows = OutboundMessage.objects.filter(organization=organization, pk=message_id)
    claimed = rows.filter(status=OutboundMessage.Status.QUEUED).update(
        status=OutboundMessage.Status.SENDING, attempts=models.F("attempts") + 1, updated_at=timezone.now()
    )
    if not claimed:
        return False
    message = rows.select_related("organization").get()
    try:
        _deliver(message)
    except Exception as exc:
        final = message.attempts >= settings.OUTBOX_MAX_ATTEMPTS
        rows.update(
            status=OutboundMessage.Status.FAILED if final else OutboundMessage.Status.QUEUED,
            last_error=f"{type(exc).__name__}: {exc}"[:2000],
            updated_at=timezone.now(),
            next_attempt_at=timezone.now() + retry_delay(message.attempts),
        )
        if final:
            logger.error("outbox: message %s failed for good: %s", message_id, exc)
            return False
        raise TransientSendError(str(exc)) from exc
    rows.update(status=OutboundMessage.Status.SENT, sent_at=timezone.now(), last_error="", updated_at=timezone.now())
    return True


def _deliver(message: OutboundMessage) -> None:
    if message.channel == OutboundMessage.Channel.SMS:
        send_sms(to=message.recipient, body=message.body_text)
        return
    from_name, from_address = parseaddr(settings.DEFAULT_FROM_EMAIL)
    if message.organization is not None:
        from_name = message.organization.name
    email = EmailMultiAlternatives(
        subject=message.subject,
        body=message.body_text,
        from_email=formataddr((from_name, from_address)),
        to=[message.recipient],
        reply_to=[message.reply_to] if message.reply_to else None,
        headers={"X-Rentoffice-Message": str(message.pk)},
    )
    if message.body_html:
        email.attach_alternative(message.body_html, "text/html")
    for attachment in message.attachments:
        with default_storage.open(attachment["path"], "rb") as fh:
            email.attach(attachment["name"], fh.read(), attachment.get("content_type") or None)
    email.send(fail_silently=False)


def outbox_sweep(*, organization: Organization | None) -> int:
    """Re-queue one organization's messages stuck unsent (broker outage, crashed worker); None sweeps
    the system messages. Safe to run twice."""
    now = timezone.now()
    rows = OutboundMessage.objects.filter(organization=organization)
    # A worker that died mid-send leaves "sending" behind; give those back after a grace period.
    rows.filter(status=OutboundMessage.Status.SENDING, updated_at__lt=now - timedelta(minutes=15)).update(
        status=OutboundMessage.Status.QUEUED, updated_at=now
    )
    # Rows waiting for a scheduled retry are left alone until that retry is overdue too.
    stuck = list(
        rows.filter(
            models.Q(next_attempt_at__isnull=True) | models.Q(next_attempt_at__lt=now - settings.OUTBOX_STUCK_AFTER),
            status=OutboundMessage.Status.QUEUED,
            updated_at__lt=now - settings.OUTBOX_STUCK_AFTER,
        ).values_list("pk", flat=True)[:500]
    )
    handed = 0
    for pk in stuck:
        if enqueue_send(organization_id=organization.pk if organization else None, message_id=pk):
            rows.filter(pk=pk, status=OutboundMessage.Status.QUEUED).update(updated_at=now)
            handed += 1
    return handed
