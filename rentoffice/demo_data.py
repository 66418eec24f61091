"""Core demo data: two organizations, regions, stations, one user per role."""

import datetime as dt

from . import demo
from .models import Membership, OpeningHours, Organization, Region, Station, User
from .services import organization_create, roles_ensure_defaults, station_brands_set

KOENIG_STATIONS = [
    ("MUC", "München Zentrum", "Süd", "Leopoldstraße 12", "80802", "München"),
    ("AUG", "Augsburg", "Süd", "Haunstetter Straße 40", "86161", "Augsburg"),
    ("NUE", "Nürnberg", "Nord", "Frankenstraße 150", "90461", "Nürnberg"),
]

KOENIG_USERS = [
    ("admin@koenig.example", "Anna Admin", "administrator", "all", []),
    ("muenchen@koenig.example", "Max Mustermann", "station_staff", "stations", ["MUC"]),
    ("augsburg@koenig.example", "Sabine Schmidt", "station_staff", "stations", ["AUG"]),
    ("manager@koenig.example", "Dieter Händler", "dealer_manager", "all", []),
    ("backoffice@koenig.example", "Berta Büro", "back_office", "all", []),
    ("sales@koenig.example", "Sven Verkauf", "sales", "all", []),
    ("technik@koenig.example", "Tom Technik", "technician", "stations", ["MUC"]),
    ("audit@koenig.example", "Ilse Prüfer", "auditor", "all", []),
]


def _hours(station: Station) -> None:
    if station.opening_hours.exists():
        return
    rows = []
    for weekday in range(5):
        rows += [(weekday, dt.time(8), dt.time(12, 30)), (weekday, dt.time(13, 30), dt.time(18))]
    rows.append((5, dt.time(9), dt.time(13)))
    OpeningHours.objects.bulk_create(OpeningHours(station=station, weekday=w, opens=o, closes=c) for w, o, c in rows)


def _organization(slug, name, code, admin_email, admin_name, **fields) -> Organization:
    org = Organization.objects.filter(slug=slug).first()
    if org is None:
        org, _ = organization_create(
            name=name,
            slug=slug,
            operator_code=code,
            admin_email=admin_email,
            admin_name=admin_name,
            admin_password=demo.DEMO_PASSWORD,
            **fields,
        )
    roles_ensure_defaults(organization=org)
    return org


def _user(org, email, name, role_key, scope, station_codes, stations_by_code) -> None:
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(email, demo.DEMO_PASSWORD, full_name=name)
    roles = {r.key: r for r in org.roles.all()}
    membership, created = Membership.objects.get_or_create(
        user=user, organization=org, defaults={"role": roles[role_key], "scope": scope}
    )
    if created and station_codes:
        membership.stations.set([stations_by_code[c] for c in station_codes])


def seed_core(organizations: dict, stdout) -> None:
    koenig = _organization(
        "koenig",
        "Autohaus König",
        "KOENIG",
        "admin@koenig.example",
        "Anna Admin",
        street="Leopoldstraße 12",
        postal_code="80802",
        city="München",
        vat_id="DE123456789",
        tax_number="143/123/45678",
        contact_email="info@koenig.example",
        office_email="buero@koenig.example",
    )
    regions = {name: Region.objects.get_or_create(organization=koenig, name=name)[0] for name in ("Süd", "Nord")}
    stations = {}
    for code, name, region, street, plz, city in KOENIG_STATIONS:
        station, _ = Station.objects.get_or_create(
            organization=koenig,
            code=code,
            defaults={
                "name": name,
                "region": regions[region],
                "street": street,
                "postal_code": plz,
                "city": city,
                "email": f"{code.lower()}@koenig.example",
            },
        )
        if not station.brands.exists():
            station_brands_set(station=station, names=["VW", "Audi", "Škoda"])
        _hours(station)
        stations[code] = station
    for email, name, role, scope, codes in KOENIG_USERS:
        _user(koenig, email, name, role, scope, codes, stations)

    nord = _organization(
        "nord",
        "Autohaus Nord",
        "NORD",
        "admin@nord.example",
        "Nils Nord",
        street="Hafenstraße 1",
        postal_code="20457",
        city="Hamburg",
        contact_email="info@nord.example",
    )
    region_nord = Region.objects.get_or_create(organization=nord, name="Hamburg")[0]
    hh, _ = Station.objects.get_or_create(
        organization=nord,
        code="HH",
        defaults={
            "name": "Hamburg Hafen",
            "region": region_nord,
            "street": "Hafenstraße 1",
            "postal_code": "20457",
            "city": "Hamburg",
        },
    )
    if not hh.brands.exists():
        station_brands_set(station=hh, names=["Ford"])
    _hours(hh)
    _user(nord, "staff@nord.example", "Nora Nord", "station_staff", "stations", ["HH"], {"HH": hh})
    # The König admin also works for Nord, to show switching organizations.
    _user(nord, "admin@koenig.example", "Anna Admin", "administrator", "all", [], {})
    organizations.update({"koenig": koenig, "nord": nord})


demo.register(0, "organizations, stations, users", seed_core)
