"""Demo messages: in each organization an e-mail with an attachment that went out, a portal
invitation (its link is masked for staff) and an SMS that failed, so message pages have content.
Idempotent: an organization that already has customer messages is left alone."""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.urls import reverse
from django.utils import timezone


def seed_messages(organizations, stdout) -> None:
    from rentoffice.models import OutboundMessage
    from rentoffice.outbox import message_queue

    from .models import Customer, CustomerDocument

    ct = ContentType.objects.get_for_model(Customer)
    for slug in ("koenig", "nord"):
        org = organizations.get(slug)
        if org is None or OutboundMessage.objects.filter(organization=org, related_type=ct).exists():
            continue
        document = CustomerDocument.objects.filter(organization=org).select_related("customer").order_by("pk").first()
        customer = document.customer if document else Customer.objects.filter(organization=org).order_by("pk").first()
        if customer is None:
            continue
        now = timezone.now()
        with transaction.atomic():
            mail = message_queue(
                organization=org,
                recipient=customer.email or f"kunde@{slug}.example",
                template="customer_email",
                purpose="customer_email",
                context={"customer": customer},
                related=customer,
                subject="Ihr Rahmenvertrag",
                body_text=f"Guten Tag {customer.display_name},\n\nanbei Ihr Rahmenvertrag.\n\nViele Grüße\n{org.name}\n",
                attachments=[
                    {"name": document.original_name, "path": document.file.name, "content_type": document.content_type}
                ]
                if document
                else [],
            )
            invitation = message_queue(
                organization=org,
                recipient=customer.email or f"kunde@{slug}.example",
                template="customer_portal_invitation",
                context={
                    "customer": customer,
                    "expires_at": now + timedelta(hours=72),
                    # Not a working link: the demo stores no token for it.
                    "link": "http://127.0.0.1:8000"
                    + reverse("portal:set_password", kwargs={"token": secrets.token_urlsafe(32)}),
                },
                related=customer,
            )
            sms = message_queue(
                organization=org,
                recipient="+49 151 00000000",
                template="",
                purpose="sms",
                channel=OutboundMessage.Channel.SMS,
                context={},
                related=customer,
                body_text=f"{org.name}: Ihr Fahrzeug steht ab 14 Uhr zur Abholung bereit.",
            )
            # Shown as they would be after the worker's attempts (the demo sends nothing itself).
            OutboundMessage.objects.filter(pk__in=[mail.pk, invitation.pk]).update(
                status=OutboundMessage.Status.SENT, attempts=1, sent_at=now
            )
            OutboundMessage.objects.filter(pk=sms.pk).update(
                status=OutboundMessage.Status.FAILED,
                attempts=5,
                last_error="ConnectionError: SMS gateway did not answer (timeout after 10 s)",
            )
        stdout.write(f"messages: 3 demo messages in {slug}")
