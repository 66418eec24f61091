"""The CRM's use cases: edit a contact, record GDPR objections, link the contact to a customer of
the customers app (or create one there), export a contact's personal data and erase it."""

from __future__ import annotations

import re
from dataclasses import fields

from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from customers.models import Customer
from customers.services.core import customer_save
from rentoffice.authorization import require
from rentoffice.models import Membership, OutboundMessage

from ..models import Case, CaseEvent, Contact, Recipient
from .cases import ContactFields, _event

ERASED = "X"
# The customers app's fields whose errors belong to a contact field when a customer is created from it.
CUSTOMER_ERRORS = {"mobile": "phone", "company": "last_name", "email": "email", "last_name": "last_name"}


def require_contact(actor: Membership, contact: Contact, *, change: bool = True, all_cases: bool = False) -> None:
    """The actor sees the contact through one of their cases; a change needs `cases.change` and a
    contact whose data still exists. GDPR export and erasure (`all_cases`) cover every case of the
    person, so they need someone who sees all of them."""
    from ..selectors import cases_visible
    from ..selectors_crm import contact_case_ids, contacts_visible

    require(actor, "cases.change" if change else "cases.view", organization_id=contact.organization_id)
    if not contacts_visible(membership=actor).filter(pk=contact.pk).exists():
        raise PermissionDenied
    if all_cases:
        ids = contact_case_ids(contact=contact)
        if len(ids) != cases_visible(membership=actor).filter(pk__in=ids).count():
            raise ValidationError(
                _(
                    "This person also appears on cases of dealerships or of a mode you do not work in. "
                    "Ask a colleague who sees all of them."
                )
            )


def _require_not_erased(contact: Contact) -> None:
    if contact.is_anonymised:
        raise ValidationError(_("This contact's personal data has been erased; it cannot be changed."))


@transaction.atomic
def contact_update(*, actor: Membership, contact: Contact, data: ContactFields) -> Contact:
    """Change language, salutation, title, names, e-mail and phone; every case of the person
    shows the new values (one contact per person)."""
    contact = Contact.objects.select_for_update().get(pk=contact.pk)
    require_contact(actor, contact)
    _require_not_erased(contact)
    for name in (f.name for f in fields(ContactFields)):
        setattr(contact, name, getattr(data, name).strip())
    contact.full_clean(exclude=["organization", "customer"])
    contact.save()
    return contact


@transaction.atomic
def contact_opt_out_set(*, actor: Membership, contact: Contact, email: bool, sms: bool) -> Contact:
    """Record (or lift) the person's objection to e-mails and/or text messages. The send form of
    every later case disables the channel with the reason, and the send service refuses it."""
    contact = Contact.objects.select_for_update().get(pk=contact.pk)
    require_contact(actor, contact)
    _require_not_erased(contact)
    now = timezone.now()
    if email != contact.email_opt_out:
        contact.email_opt_out, contact.email_opt_out_at = email, now if email else None
    if sms != contact.sms_opt_out:
        contact.sms_opt_out, contact.sms_opt_out_at = sms, now if sms else None
    contact.save(update_fields=["email_opt_out", "email_opt_out_at", "sms_opt_out", "sms_opt_out_at"])
    return contact


@transaction.atomic
def contact_customer_link(*, actor: Membership, contact: Contact, customer: Customer | None) -> Contact:
    """Link the contact to a customer of the customers app (None: remove the link)."""
    contact = Contact.objects.select_for_update().get(pk=contact.pk)
    require_contact(actor, contact)
    _require_not_erased(contact)
    if customer is not None:
        require(actor, "customers.view", organization_id=customer.organization_id)
        if customer.anonymised_at is not None:
            raise ValidationError({"customer": _("This customer's data has been erased; choose another one.")})
    contact.customer = customer
    contact.save(update_fields=["customer"])
    return contact


@transaction.atomic
def contact_customer_create(*, actor: Membership, contact: Contact) -> Contact:
    """Create a customer in the customers app from the contact (through its service, which checks
    `customers.change`) and link them."""
    contact = Contact.objects.select_for_update().get(pk=contact.pk)
    require_contact(actor, contact)
    _require_not_erased(contact)
    if contact.customer_id is not None:
        raise ValidationError(_("The contact is already linked to a customer."))
    company = contact.salutation == Contact.Salutation.COMPANY
    customer = Customer(
        organization_id=contact.organization_id,
        kind=Customer.Kind.LEGAL_ENTITY if company else Customer.Kind.PERSON,
        company=contact.last_name if company else "",
        salutation="" if company else _salutation_text(contact),
        first_name="" if company else contact.first_name,
        last_name="" if company else contact.last_name,
        email=contact.email,
        mobile=contact.phone,
        language_code=contact.language,
    )
    try:
        customer_save(actor=actor, customer=customer)
    except ValidationError as exc:
        # The customer's own checks (phone number of the country, e-mail) speak of the contact's fields.
        if not hasattr(exc, "error_dict"):
            raise
        raise ValidationError(
            {CUSTOMER_ERRORS.get(k, NON_FIELD_ERRORS): v for k, v in exc.message_dict.items()}
        ) from exc
    contact.customer = customer
    contact.save(update_fields=["customer"])
    return contact


def _salutation_text(contact: Contact) -> str:
    if contact.salutation in (Contact.Salutation.MR, Contact.Salutation.MS):
        return str(Contact.Salutation(contact.salutation).label)
    return ""


def _scrubber(contact: Contact):
    """Replace the person's names, e-mail and phone in free text by "X"."""
    words = {w for w in (contact.first_name, contact.last_name, contact.email, contact.phone) if len(w.strip()) >= 2}
    if not words:
        return lambda text: text
    pattern = re.compile(
        "|".join(rf"(?<!\w){re.escape(w.strip())}(?!\w)" for w in sorted(words, key=len, reverse=True)), re.I
    )
    return lambda text: pattern.sub(ERASED, text) if text else text


@transaction.atomic
def contact_anonymise(*, actor: Membership, contact: Contact, confirm: bool) -> Contact:
    """Erase the person's data everywhere in dealer cases: the contact's names become "X" and
    address and phone go; on their cases the names, e-mail and phone in reference, messages and
    history become "X", plate and VIN become "X", the rating comment goes; messages sent to them
    are blanked; their links are revoked. The cases, work lists, decisions, amounts and media stay
    (the dealership's record of the work; docs/fleetback.md says why)."""
    contact = Contact.objects.select_for_update().get(pk=contact.pk)
    require_contact(actor, contact, all_cases=True)
    _require_not_erased(contact)
    if not confirm:
        raise ValidationError({"confirm": _("Confirm that this person's data is to be erased for good.")})
    from ..selectors_crm import contact_case_ids

    scrub = _scrubber(contact)
    addresses = [a for a in (contact.email, contact.phone) if a]
    now = timezone.now()
    case_ids = contact_case_ids(contact=contact)
    for case in Case.objects.select_for_update().filter(pk__in=case_ids):
        if case.contact_id == contact.pk:
            case.reference = scrub(case.reference)[:100] or ERASED
            case.message, case.internal_message = scrub(case.message), scrub(case.internal_message)
            case.plate = ERASED if case.plate else ""
            case.vin = ERASED if case.vin else ""
            case.rating_comment = ERASED if case.rating_comment else ""
            case.save(
                update_fields=[
                    "reference",
                    "message",
                    "internal_message",
                    "plate",
                    "vin",
                    "rating_comment",
                    "updated_at",
                ]
            )
        for event in CaseEvent.objects.filter(case=case):
            cleaned = scrub(event.detail)
            if cleaned != event.detail:
                event.detail = cleaned[:300]
                event.save(update_fields=["detail"])
        _event(case, CaseEvent.Action.ANONYMISED, actor=actor, detail=_("Personal data of a contact erased (GDPR)"))
    Recipient.objects.filter(contact=contact, revoked_at__isnull=True).update(revoked_at=now)
    case_type = ContentType.objects.get_for_model(Case)
    OutboundMessage.objects.filter(
        related_type=case_type, related_id__in=[str(pk) for pk in case_ids], recipient__in=addresses
    ).update(recipient=ERASED, subject="", body_text=ERASED, body_html="", attachments=[])
    contact.salutation = Contact.Salutation.NONE
    contact.title = ERASED if contact.title else ""
    contact.first_name = ERASED if contact.first_name else ""
    contact.last_name = ERASED
    contact.email = contact.phone = ""
    contact.customer = None
    # Nobody writes to an erased person any more, whatever happens to the row later.
    contact.email_opt_out = contact.sms_opt_out = True
    contact.email_opt_out_at = contact.email_opt_out_at or now
    contact.sms_opt_out_at = contact.sms_opt_out_at or now
    contact.anonymised_at = now
    contact.save()
    # The activity log held the old values; it keeps that changes happened, not what they were.
    LogEntry.objects.filter(content_type=ContentType.objects.get_for_model(Contact), object_pk=str(contact.pk)).update(
        changes={}, changes_text="", serialized_data=None, object_repr=ERASED
    )
    return contact
