"""Demo data of the CRM (after the cases, order 61): one person objected to e-mails, one is
linked to a customer created from their contact, so the CRM pages show both at once."""

from dataclasses import replace

from django_scopes import scope

from rentoffice.models import Membership

from .models import Contact
from .services.cases import ContactFields
from .services.crm import contact_customer_create, contact_opt_out_set, contact_update


def seed_crm(organizations, stdout) -> None:
    org = organizations["koenig"]
    with scope(organization=org):
        actor = (
            Membership.objects.filter(organization=org, role__key="administrator", is_active=True)
            .select_related("role", "organization", "user")
            .order_by("pk")
            .first()
        )
        objecting = Contact.objects.filter(organization=org, last_name="Wagner", anonymised_at__isnull=True).first()
        if objecting is not None and not objecting.email_opt_out:
            contact_opt_out_set(actor=actor, contact=objecting, email=True, sms=False)
        linked = Contact.objects.filter(organization=org, last_name="Becker", customer__isnull=True).first()
        if linked is not None:
            # The demo's generated numbers are not real German mobile numbers; the customers app
            # checks them, so this person gets a real-looking one first.
            data = ContactFields(
                **{name: getattr(linked, name) for name in ContactFields.__dataclass_fields__},
            )
            linked = contact_update(actor=actor, contact=linked, data=replace(data, phone="+49 151 23456701"))
            contact_customer_create(actor=actor, contact=linked)
        stdout.write("  CRM: an e-mail objection and a contact linked to a customer\n")
