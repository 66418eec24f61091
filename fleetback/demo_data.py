"""Demo dealer cases: Autohaus König's München and Augsburg dealerships (VW, Audi, Škoda) with
checklists, predefined messages and 30 cases across modules and statuses; two for Autohaus Nord."""

from __future__ import annotations

import random
from decimal import Decimal

from django.utils.text import slugify
from django_scopes import scope

from rentoffice.models import Brand, Membership, Station

from .models import Case, Checklist, ChecklistItem, PredefinedMessage
from .services.answers import case_answer, case_open
from .services.cases import CaseFields, ContactFields, ItemFields, case_close, case_create
from .services.decisions import item_decide
from .services.sending import case_send

BASE_URL = "http://localhost:8000/"
CHECKLIST = [
    ("Bremsbeläge vorne", "249.90"),
    ("Bremsscheiben hinten", "389.00"),
    ("Wischerblätter", "39.90"),
    ("Klimaservice", "129.00"),
    ("Zündkerzen", "159.00"),
    ("Batterie", "219.00"),
    ("Reifen (Satz)", "640.00"),
]
MESSAGES = {
    (
        "after_sales",
        "de",
    ): "Guten Tag, bei der Inspektion Ihres Fahrzeugs haben wir Folgendes festgestellt. Bitte geben Sie die Arbeiten frei, die wir durchführen sollen.",
    (
        "after_sales",
        "en",
    ): "Hello, during the inspection of your vehicle we found the following. Please approve the work you would like us to do.",
    (
        "after_sales",
        "fr",
    ): "Bonjour, lors de l'inspection de votre véhicule, nous avons constaté ce qui suit. Veuillez accepter les travaux à effectuer.",
    (
        "after_sales",
        "nl",
    ): "Goedendag, bij de inspectie van uw voertuig hebben we het volgende vastgesteld. Keur de werkzaamheden goed die wij moeten uitvoeren.",
    ("sales", "de"): "Guten Tag, hier finden Sie die Informationen zu dem Fahrzeug, für das Sie sich interessieren.",
    ("sales", "en"): "Hello, here is the information about the vehicle you are interested in.",
}
PEOPLE = [
    ("mr", "Jonas", "Becker", "de"),
    ("ms", "Lena", "Wagner", "de"),
    ("mr", "Paul", "Fischer", "en"),
    ("ms", "Claire", "Dubois", "fr"),
    ("mr", "Daan", "de Vries", "nl"),
    ("ms", "Lucía", "García", "es"),
    ("mr", "Marco", "Rossi", "it"),
    ("ms", "Ana", "Silva", "pt"),
    ("mr", "Erik", "Lindqvist", "sv"),
    ("ms", "Ingrid", "Hansen", "no"),
]
CARS = {
    "VW": ["VW Golf 8", "VW Tiguan", "VW ID.4"],
    "Audi": ["Audi A4 Avant", "Audi Q5"],
    "Škoda": ["Škoda Octavia", "Škoda Kodiaq"],
    "Ford": ["Ford Focus"],
}
STATUSES = ["awaiting", "sent", "read", "answered", "answered", "closed"]


def seed(organizations, stdout) -> None:
    _seed_org(organizations["koenig"], ["MUC", "AUG"], 30, stdout)
    _seed_org(organizations["nord"], ["HH"], 2, stdout)


def _seed_org(org, codes, count, stdout) -> None:
    with scope(organization=org):
        if Case.objects.filter(organization=org).exists():
            return
        actor = (
            Membership.objects.select_related("user", "role", "organization")
            .filter(organization=org, role__key="administrator")
            .order_by("pk")
            .first()
        )
        stations = list(Station.objects.filter(organization=org, code__in=codes).order_by("code"))
        for station in stations:
            for brand in Brand.objects.filter(station=station):
                checklist, _ = Checklist.objects.get_or_create(organization=org, station=station, brand=brand)
                for position, (title, price) in enumerate(CHECKLIST):
                    ChecklistItem.objects.get_or_create(
                        organization=org,
                        checklist=checklist,
                        title=title,
                        defaults={"price": Decimal(price), "position": position},
                    )
        for (mode, language), text in MESSAGES.items():
            PredefinedMessage.objects.get_or_create(
                organization=org,
                mode=mode,
                language=language,
                title="Standard",
                defaults={"text": text, "is_default": True},
            )
        rng = random.Random(f"fleetback-{org.slug}")
        for number in range(count):
            _case(org, actor, stations[number % len(stations)], number, rng)
        stdout.write(f"  {count} dealer cases for {org.name}\n")


def _case(org, actor, station, number, rng) -> None:
    brands = list(Brand.objects.filter(station=station))
    brand = brands[number % len(brands)]
    mode = "sales" if number % 3 == 2 else "after_sales"
    module = rng.choice(Case.MODULES[Case.Mode(mode)])
    salutation, first, last, language = PEOPLE[number % len(PEOPLE)]
    checklist = list(ChecklistItem.objects.filter(checklist__station=station, checklist__brand=brand))
    items = [
        ItemFields(title=item.title, price=item.price, urgency=urgency, checklist_item_id=item.pk)
        for item, urgency in zip(rng.sample(checklist, 4), ["urgent", "recommended", "recommended", "ok"], strict=True)
    ]
    if number % 4 == 0:
        items.append(ItemFields(title="Fahrzeugwäsche", urgency="offered"))
    if number % 5 == 1:
        items[1] = ItemFields(
            title=items[1].title,
            price=items[1].price,
            urgency="recommended",
            discount_kind="percent",
            discount_value=Decimal("10"),
        )
    plate = f"{station.code[:2]}-{chr(65 + number % 26)}{chr(75 + number % 10)} {100 + number}"
    message = (
        PredefinedMessage.objects.filter(organization=org, mode=mode, language=language).first()
        or PredefinedMessage.objects.filter(organization=org, mode=mode, language="de").first()
    )
    case = case_create(
        actor=actor,
        data=CaseFields(
            station=station,
            brand=brand,
            mode=mode,
            module=module,
            reference=f"AU-{24000 + number}" if mode == "after_sales" else plate,
            vin=f"WVWZZZ1KZ{number:08d}",
            plate=plate,
            make_model=rng.choice(CARS.get(brand.name, ["Pkw"])),
            km=rng.randrange(5_000, 180_000),
            message=message.text if message else "",
            customer_waiting=number % 7 == 0,
            contact=ContactFields(
                salutation=salutation,
                first_name=first,
                last_name=last,
                # One address per person: the CRM shows each person with several cases.
                email=f"{slugify(first)}.{slugify(last)}@kunde.example",
                phone=f"+49151{2000000 + number:07d}",
                language=language,
            ),
            items=items if mode == "after_sales" or module == "used_car" else items[:2],
        ),
    )
    target = STATUSES[number % len(STATUSES)]
    if target == "awaiting":
        return
    recipient = case_send(actor=actor, case=case, channel="both" if number % 2 else "email", base_url=BASE_URL)[0]
    if target == "sent":
        return
    case_open(recipient=recipient)
    if target == "read":
        return
    if number % 5 == 3:
        for item in case.items.all():
            if item.awaits_decision:
                item_decide(actor=actor, item=item, decision="approved", origin="phone")
    else:
        decisions = {
            i.pk: rng.choice(["approved", "approved", "declined"]) for i in case.items.all() if i.awaits_decision
        }
        case_answer(
            recipient=recipient, decisions=decisions, rating=rng.choice([4, 5, 5, 3]), comment="", base_url=BASE_URL
        )
    if target == "closed":
        case_close(actor=actor, case=case)
