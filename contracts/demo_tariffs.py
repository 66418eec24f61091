"""Demo tariffs: one tariff for all stations per vehicle group of both demo organizations, with
extras, and an airport tariff at Munich. Idempotent: a tariff of that name and group is left alone."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

from django.utils import timezone

from rentoffice.models import Membership, Station
from vehicles.models import VehicleGroup

from .models import Extra, Tariff
from .services.tariffs import tariff_save

# group code → day, hour, weekend, week, month, km per day, price per extra km, deposit (gross, €)
PRICES = {
    "KLEIN": ("39.00", "9.00", "79.00", "219.00", "690.00", 150, "0.250", "300.00"),
    "KOMPAKT": ("55.00", "12.00", "109.00", "299.00", "890.00", 200, "0.290", "500.00"),
    "MITTEL": ("65.00", "14.00", "129.00", "349.00", "1090.00", 200, "0.290", "500.00"),
    "TRANS": ("89.00", "19.00", "169.00", "449.00", "1390.00", 250, "0.350", "800.00"),
}
DEFAULT_PRICES = ("49.00", "11.00", "99.00", "269.00", "790.00", 200, "0.290", "500.00")
# kind, name, charge, price, max. per rental
EXTRAS = [
    ("additional_driver", "Zusatzfahrer", "per_day", "9.90", "69.00"),
    ("child_seat", "Kindersitz", "per_day", "7.50", "45.00"),
    ("insurance", "Vollkasko ohne Selbstbeteiligung", "per_day", "19.90", None),
    ("one_way", "Einwegmiete", "per_rental", "79.00", None),
]
AIRPORT = {"koenig": ("MUC", "KOMPAKT", "Kompaktklasse Flughafen", D("1.15"))}


def _admin(org) -> Membership:
    return Membership.objects.filter(organization=org, role__key="administrator").select_related("user", "role").first()


def _tariff(org, actor, group, name, prices, station=None, factor=D("1")) -> None:
    if Tariff.objects.filter(organization=org, vehicle_group=group, name=name).exists():
        return
    day, hour, weekend, week, month, km, extra_km, deposit = prices

    def scaled(value: str) -> D:
        return (D(value) * factor).quantize(D("1")) - D("0.10") if factor != 1 else D(value)

    tariff = Tariff(
        organization=org,
        name=name,
        vehicle_group=group,
        station=station,
        valid_from=dt.date(timezone.localdate().year, 1, 1),
        price_per_day=scaled(day),
        price_per_hour=scaled(hour),
        price_per_weekend=scaled(weekend),
        price_per_week=scaled(week),
        price_per_month=scaled(month),
        included_km_per_day=km,
        price_per_extra_km=D(extra_km),
        deposit=D(deposit),
    )
    extras = [
        Extra(
            kind=kind,
            name=extra_name,
            charge=charge,
            price=D(price),
            max_price=None if cap is None else D(cap),
            sort_order=i,
        )
        for i, (kind, extra_name, charge, price, cap) in enumerate(EXTRAS)
    ]
    tariff_save(actor=actor, tariff=tariff, extras=extras)


def seed_tariffs(organizations: dict, stdout) -> None:
    for key, org in organizations.items():
        actor = _admin(org)
        if actor is None:
            continue
        for group in VehicleGroup.objects.filter(organization=org).order_by("sort_order", "name"):
            prices = PRICES.get(group.code, DEFAULT_PRICES)
            _tariff(org, actor, group, f"{group.name} Standard", prices)
        if key in AIRPORT:
            station_code, group_code, name, factor = AIRPORT[key]
            station = Station.objects.filter(organization=org, code=station_code).first()
            group = VehicleGroup.objects.filter(organization=org, code=group_code).first()
            if station and group:
                _tariff(org, actor, group, name, PRICES[group_code], station=station, factor=factor)
