"""Portal accounts (CUS-09): invitation and reset links that expire and work once."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django_scopes import scopes_disabled

from rentoffice.models import Membership
from rentoffice.outbox import message_queue

from ..models import Customer, CustomerAccount
from .rights import require_customer

TOKEN_VALIDITY = dt.timedelta(hours=72)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _send_link(*, account: CustomerAccount, template: str, base_url: str) -> None:
    token = secrets.token_urlsafe(32)
    account.token_hash = _hash(token)
    account.token_expires_at = timezone.now() + TOKEN_VALIDITY
    if template == "customer_portal_invitation":
        account.invited_at = timezone.now()
    account.save()
    customer = account.customer
    message_queue(
        organization=account.organization,
        recipient=account.email,
        template=template,
        language=customer.message_language,
        related=customer,
        context={
            "customer": customer,
            "expires_at": account.token_expires_at,
            "link": base_url.rstrip("/") + reverse("portal:set_password", kwargs={"token": token}),
        },
    )


@transaction.atomic
def account_invite(*, actor: Membership, customer: Customer, email: str = "", base_url: str) -> CustomerAccount:
    """Create the customer's portal access (one per organization) and e-mail the set-password link."""
    require_customer(actor, customer)
    email = (email or customer.email_for("standard")).strip().lower()
    if not email:
        raise ValidationError(_("The customer has no e-mail address."))
    try:
        EmailValidator()(email)
    except ValidationError:
        raise ValidationError(_("Enter a valid e-mail address.")) from None
    if CustomerAccount.objects.filter(organization=customer.organization, customer=customer).exists():
        raise ValidationError(_("The customer already has a portal access."))
    if CustomerAccount.objects.filter(organization=customer.organization, email__iexact=email).exists():
        raise ValidationError(_("Another customer's portal access already uses this e-mail address."))
    account = CustomerAccount(organization=customer.organization, customer=customer, email=email)
    account.set_password(None)
    account.full_clean()
    account.save()
    _send_link(account=account, template="customer_portal_invitation", base_url=base_url)
    return account


@transaction.atomic
def account_resend_invitation(*, actor: Membership, account: CustomerAccount, base_url: str) -> CustomerAccount:
    require_customer(actor, account)
    _send_link(account=account, template="customer_portal_invitation", base_url=base_url)
    return account


@transaction.atomic
def account_reset_password(*, actor: Membership, account: CustomerAccount, base_url: str) -> CustomerAccount:
    require_customer(actor, account)
    _send_link(account=account, template="customer_portal_reset", base_url=base_url)
    return account


@transaction.atomic
def account_delete(*, actor: Membership, account: CustomerAccount) -> None:
    require_customer(actor, account)
    account.delete()


def account_for_token(token: str) -> CustomerAccount | None:
    with scopes_disabled():
        account = (
            CustomerAccount.objects.select_related("customer", "organization")
            .filter(token_hash=_hash(token), is_active=True, token_expires_at__gt=timezone.now())
            .first()
        )
    return account


@transaction.atomic
def account_set_password(*, account: CustomerAccount, password: str) -> CustomerAccount:
    validate_password(password)
    with scopes_disabled():
        account.set_password(password)
        account.token_hash = ""  # single use
        account.token_expires_at = None
        account.password_set_at = timezone.now()
        account.save()
    return account


def account_authenticate(*, operator_code: str, email: str, password: str) -> CustomerAccount | None:
    """The later portal login: e-mail + password + the organization's operator code."""
    with scopes_disabled():
        account = (
            CustomerAccount.objects.select_related("customer", "organization")
            .filter(
                organization__operator_code=operator_code.strip().upper(),
                organization__is_active=True,
                email__iexact=email.strip(),
                is_active=True,
                customer__anonymised_at__isnull=True,
            )
            .first()
        )
        if account is None or not account.check_password(password):
            return None
        CustomerAccount.objects.filter(pk=account.pk).update(last_login=timezone.now())
    return account
