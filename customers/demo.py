"""Demo customers: ~200 in koenig (incl. a company with sub-customers, cards, attributes, documents),
~10 in nord. Idempotent: an organization that already has demo customers is left alone."""

from __future__ import annotations

import datetime as dt
import random

from django.core.files.base import ContentFile
from django.utils import timezone

FIRST = [
    "Anna",
    "Jürgen",
    "Özlem",
    "Lukas",
    "Sophie",
    "Matthias",
    "Maria",
    "Jörg",
    "Lena",
    "Björn",
    "Ines",
    "Stefan",
    "Chloé",
    "René",
    "Tobias",
    "Ute",
    "Paul",
    "Hannah",
    "Emre",
    "Katrin",
]
LAST = [
    "Müller",
    "Schmidt",
    "Schneider",
    "Fischer",
    "Weber",
    "Meyer",
    "Wagner",
    "Becker",
    "Schulz",
    "Hoffmann",
    "Schäfer",
    "Koch",
    "Bauer",
    "Richter",
    "Klein",
    "Wolf",
    "Schröder",
    "Neumann",
    "Schwarz",
    "Zimmermann",
    "Braun",
    "Krüger",
    "Hofmann",
    "Hartmann",
    "Lange",
    "Weiß",
    "Groß",
    "Jäger",
    "Böhm",
    "Yılmaz",
]
CITIES = [
    ("80331", "München"),
    ("86150", "Augsburg"),
    ("20095", "Hamburg"),
    ("50667", "Köln"),
    ("90402", "Nürnberg"),
    ("93047", "Regensburg"),
]
STREETS = ["Hauptstraße", "Bahnhofstraße", "Gartenweg", "Lindenallee", "Schillerstraße", "Königsplatz"]
COMPANIES = {
    "koenig": ("Bäckerei Groß GmbH", "baeckerei-gross.example"),
    "nord": ("Reederei Nordwind GmbH", "reederei-nordwind.example"),
}
PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def _person(rng: random.Random, i: int) -> dict:
    first, last = rng.choice(FIRST), rng.choice(LAST)
    postal, city = rng.choice(CITIES)
    mail_name = f"{first}.{last}".lower().translate(
        str.maketrans({"ü": "ue", "ö": "oe", "ä": "ae", "ß": "ss", "é": "e", "ı": "i"})
    )
    return {
        "first_name": first,
        "last_name": last,
        "street": f"{rng.choice(STREETS)} {rng.randint(1, 120)}",
        "postal_code": postal,
        "city": city,
        "email": f"{mail_name}{i}@example.com",
        "mobile": f"0170 {rng.randint(1000000, 9999999)}",
        "licence_class": "B",
        "gender": rng.choice(["female", "male"]),
        "date_of_birth": dt.date(1950, 1, 1) + dt.timedelta(days=rng.randint(0, 18000)),
        "nationality": "DE",
        "licence_number": f"B{rng.randint(100000, 999999)}X",
    }


def seed_customers(organizations, stdout) -> None:
    from rentoffice.models import Membership

    from .models import Customer, CustomerAccount, CustomerDocument, DocumentTemplate, EmailTemplate
    from .services import CardRow, attribute_create, customer_save

    for slug, count in (("koenig", 200), ("nord", 10)):
        org = organizations.get(slug)
        if org is None or Customer.objects.filter(organization=org).exists():
            continue
        rng = random.Random(slug)
        # Demo customers are made "by" the first administrator, like a person would make them.
        actor = (
            Membership.objects.filter(organization=org, role__key="administrator")
            .select_related("user", "role")
            .first()
        )
        attrs = [attribute_create(actor=actor, name=n) for n in ("Stammkunde", "Firmenkunde", "VIP", "Student")]
        company_name, domain = COMPANIES[slug]
        company = customer_save(
            actor=actor,
            customer=Customer(
                organization=org,
                kind=Customer.Kind.LEGAL_ENTITY,
                customer_group=Customer.Group.COMPANY,
                company=company_name,
                street="Marktplatz 3",
                postal_code="80331",
                city="München",
                email=f"fuhrpark@{domain}",
                email_invoices=f"rechnung@{domain}",
                phone="089 1234567",
                iban="DE89370400440532013000",
                account_holder=company_name,
                payment_method=Customer.PaymentMethod.DIRECT_DEBIT,
                sepa_mandate_reference=f"MANDAT-{slug.upper()}-1",
                sepa_mandate_date=dt.date(2024, 3, 1),
                do_not_delete=True,
            ),
            attributes=[attrs[1]],
            cards=[CardRow(f"{slug.upper()[:2]}-CARD-0001")],
        )
        for n in range(1, 4):
            customer_save(
                actor=actor,
                customer=Customer(
                    organization=org,
                    main_customer=company,
                    first_name="Karte",
                    last_name=str(n),
                    transferable_access_card=True,
                    customer_group=Customer.Group.COMPANY,
                ),
                cards=[CardRow(f"{slug.upper()[:2]}-CARD-{n + 1:04d}")],
            )
        for i in range(count - 4):
            data = _person(rng, i)
            customer = Customer(organization=org, **data)
            if i % 17 == 0:
                customer.is_blocked, customer.blocked_reason = True, "Zahlungsrückstand"
            if i % 11 == 0:
                customer.licence_check_interval_months, customer.licence_checked_at = 6, dt.date(2025, 1, 15)
            cards = [CardRow(f"{slug.upper()[:2]}-{10000 + i}")] if i % 3 == 0 else []
            customer_save(actor=actor, customer=customer, attributes=[attrs[0]] if i % 4 == 0 else [], cards=cards)
            if i < 5:
                doc = CustomerDocument(
                    organization=org,
                    customer=customer,
                    doc_type=CustomerDocument.Type.CONTRACT,
                    original_name="Rahmenvertrag.pdf",
                    content_type="application/pdf",
                    size=len(PDF),
                    note="Demo",
                )
                doc.file.save("rahmenvertrag.pdf", ContentFile(PDF), save=True)
            if i in (0, 1):
                # One portal access in use and one invitation still pending.
                account = CustomerAccount(
                    organization=org, customer=customer, email=customer.email, invited_at=timezone.now()
                )
                account.set_password("Demo-2026!" if i == 0 else None)
                account.password_set_at = timezone.now() if i == 0 else None
                account.save()
        DocumentTemplate.objects.get_or_create(
            organization=org,
            name="SEPA-Lastschriftmandat",
            defaults={
                "body_html": "<h1>SEPA-Lastschriftmandat</h1><p>{name}, Kundennummer {customer_number}</p>"
                "<p>IBAN: {iban}</p><p>Mandatsreferenz: {sepa_mandate_reference}</p>"
                "<p>{city}, {today}</p>"
            },
        )
        EmailTemplate.objects.get_or_create(
            organization=org,
            name="Willkommen",
            defaults={
                "subject": "Willkommen bei {organization}",
                "body": "Hallo {first_name} {last_name},\n\nIhre Kundennummer lautet {customer_number}.\n",
            },
        )
        stdout.write(f"customers: {count} demo customers in {slug}")
