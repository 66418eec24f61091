"""Demo fleet: groups, vehicles over all stations, km histories, damages and condition records with
photos drawn by Pillow (no downloads). Idempotent: existing plates are left alone."""

from __future__ import annotations

import datetime as dt
import io
import random

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image, ImageDraw

from rentoffice.images import process_image
from rentoffice.models import Membership, Station

from .identifiers import vin_check_digit_ok
from .models import Damage, KmReading, Vehicle, VehicleGroup
from .services import (
    condition_record_create,
    damage_create,
    damage_status_set,
    km_reading_record,
    vehicle_photos_add,
)

GROUPS = {
    "koenig": [
        ("KLEIN", "Kleinwagen", "VW Polo, Škoda Fabia oder ähnlich", 10, (52, 120, 200)),
        ("KOMPAKT", "Kompaktklasse", "VW Golf, Audi A3 oder ähnlich", 20, (40, 150, 90)),
        ("TRANS", "Transporter", "VW Transporter, 9 Sitze", 30, (200, 120, 40)),
    ],
    "nord": [("MITTEL", "Mittelklasse", "Ford Focus Turnier oder ähnlich", 10, (120, 60, 160))],
}
MODELS = {
    "KLEIN": [
        ("Volkswagen", "Polo", "1.0 TSI Life", "petrol", "manual", 5),
        ("Škoda", "Fabia", "1.0 TSI", "petrol", "manual", 5),
    ],
    "KOMPAKT": [
        ("Volkswagen", "Golf", "2.0 TDI Style", "diesel", "automatic", 5),
        ("Audi", "A3 Sportback", "35 TFSI", "petrol", "automatic", 5),
        ("Volkswagen", "ID.3", "Pro", "electric", "automatic", 5),
    ],
    "TRANS": [("Volkswagen", "Transporter", "T6.1 Kombi", "diesel", "manual", 9)],
    "MITTEL": [("Ford", "Focus Turnier", "1.5 EcoBlue", "diesel", "manual", 5)],
}
PLATE_PREFIX = {"MUC": "M-KÖ", "AUG": "A-KÖ", "NUE": "N-KÖ", "HH": "HH-NO"}
# A few inspections due soon or overdue, so the dashboard and the HU filters have something to show.
HU_DAYS = {4: 12, 8: -9}
VIN_CHARS = "ABCDEFGHJKLMNPRSTUVWXYZ0123456789"
DAMAGES = [
    ("left", 30, 45, "left", "Kratzer an der Fahrertür, ca. 10 cm", "minor"),
    ("front", 70, 70, "front", "Delle in der Stoßstange vorne rechts", "medium"),
    ("top", 50, 25, "glass", "Steinschlag in der Windschutzscheibe", "minor"),
    ("rear", 40, 60, "rear", "Heckklappe eingedrückt", "major"),
    ("right", 50, 78, "wheels", "Felge hinten rechts zerkratzt (Bordstein)", "minor"),
]


def _vin(rng: random.Random) -> str:
    while True:
        body = "WVW" + "".join(rng.choice(VIN_CHARS) for _ in range(14))
        for digit in "0123456789X":
            vin = body[:8] + digit + body[9:]
            if vin_check_digit_ok(vin):
                return vin


def demo_photo(label: str, color: tuple[int, int, int], *, seed: int = 0, scratch: bool = False):
    """A generated JPEG 'photo' run through the image pipeline like any upload."""
    rng = random.Random(seed)
    image = Image.new("RGB", (800, 600), color)
    draw = ImageDraw.Draw(image)
    for i in range(0, 600, 6):
        shade = tuple(min(255, c + i // 8) for c in color)
        draw.line([(0, i), (800, i)], fill=shade, width=6)
    draw.rounded_rectangle([120, 220, 680, 440], radius=60, fill=(230, 230, 235), outline=(40, 40, 40), width=6)
    draw.ellipse([180, 390, 300, 510], fill=(30, 30, 30))
    draw.ellipse([500, 390, 620, 510], fill=(30, 30, 30))
    if scratch:
        x, y = rng.randint(250, 450), rng.randint(260, 360)
        draw.line([(x, y), (x + 140, y + rng.randint(-30, 30))], fill=(150, 20, 20), width=7)
        draw.ellipse([x - 30, y - 30, x + 170, y + 40], outline=(220, 0, 0), width=4)
    draw.text((24, 24), label, fill=(255, 255, 255))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=80)
    return process_image(SimpleUploadedFile(f"{label}.jpg", out.getvalue(), content_type="image/jpeg"))


def group_color(group) -> tuple[int, int, int]:
    for groups in GROUPS.values():
        for code, _name, _description, _order, color in groups:
            if code == group.code:
                return color
    return (100, 100, 100)


def _admin(org):
    # Demo records are made "by" the first administrator, like a person would make them.
    return Membership.objects.filter(organization=org, role__key="administrator").select_related("user", "role").first()


def _seed_groups(org, key: str) -> dict[str, VehicleGroup]:
    groups = {}
    for code, name, description, order, color in GROUPS[key]:
        group, created = VehicleGroup.objects.get_or_create(
            organization=org, code=code, defaults={"name": name, "description": description, "sort_order": order}
        )
        if created or not group.photo:
            photo = demo_photo(name, color, seed=order)
            group.photo.save("group.jpg", photo.content_file(), save=False)
            group.photo_thumbnail.save("group-thumb.jpg", photo.thumbnail_file(), save=False)
            group.save()
        groups[code] = group
    return groups


def _seed_org(org, key: str, per_station: int, stdout) -> None:
    rng = random.Random(f"fleet-{key}")
    actor = _admin(org)
    groups = _seed_groups(org, key)
    stations = list(Station.objects.filter(organization=org, code__in=PLATE_PREFIX).order_by("code"))
    now = timezone.now()
    damage_index = 0
    for s_index, station in enumerate(stations):
        for n in range(per_station):
            plate = f"{PLATE_PREFIX[station.code]} {100 * (s_index + 1) + n + 1}"
            if Vehicle.objects.filter(organization=org, plate=plate).exists():
                continue
            group = list(groups.values())[(n + s_index) % len(groups)]
            make, model, variant, fuel, transmission, seats = rng.choice(MODELS[group.code])
            other = stations[(s_index + 1) % len(stations)]
            vehicle = Vehicle(
                organization=org,
                plate=plate,
                vin=_vin(rng),
                make=make,
                model=model,
                variant=variant,
                group=group,
                home_station=station,
                current_station=other if n % 7 == 6 else station,
                first_registration=dt.date(2022 + n % 4, 1 + n % 12, 1),
                fuel_type=fuel,
                transmission=transmission,
                seats=seats,
                fuel_level=rng.randint(2, 8),
                status=(
                    Vehicle.Status.RENTED
                    if n % 4 == 1
                    else Vehicle.Status.WORKSHOP
                    if n % 9 == 8
                    else Vehicle.Status.AVAILABLE
                ),
                next_inspection=(now + dt.timedelta(days=HU_DAYS.get(n, 30 + 40 * n))).date(),
            )
            if vehicle.status == Vehicle.Status.WORKSHOP:
                vehicle.status_reason = "Inspektion"
            vehicle.full_clean()
            vehicle.save()
            km = rng.randint(3000, 40000)
            for days_ago, source in (
                (120, KmReading.Source.STAFF),
                (60, KmReading.Source.CHECKOUT),
                (50, KmReading.Source.CHECKIN),
                (10, KmReading.Source.CHECKOUT),
            ):
                km_reading_record(
                    vehicle=vehicle,
                    km=km,
                    source=source,
                    actor=actor,
                    recorded_at=now - dt.timedelta(days=days_ago, hours=rng.randint(0, 8)),
                )
                km += rng.randint(150, 2500)
            if n % 3 == 0:
                view, x, y, area, text, severity = DAMAGES[damage_index % len(DAMAGES)]
                damage_index += 1
                damage = damage_create(
                    vehicle=vehicle,
                    actor=actor,
                    damage=Damage(
                        view=view,
                        x=x,
                        y=y,
                        area=area,
                        description=text,
                        severity=severity,
                        source=Damage.Source.CHECKIN if n % 2 else Damage.Source.STAFF,
                        reported_at=now - dt.timedelta(days=45),
                    ),
                    photos=[demo_photo(f"{plate} #{damage_index}", (90, 90, 100), seed=damage_index, scratch=True)],
                )
                if damage_index % 4 == 0:
                    damage_status_set(
                        damage=damage,
                        actor=actor,
                        status=Damage.Status.REPAIRED,
                        date=(now - dt.timedelta(days=20)).date(),
                        note="Werkstattauftrag 4711",
                    )
            if n % 5 == 0:
                vehicle_photos_add(
                    vehicle=vehicle,
                    actor=actor,
                    caption=f"{make} {model}",
                    photos=[demo_photo(f"{plate}", group_color(group), seed=n)],
                )
            if n == 0:
                condition_record_create(
                    vehicle=vehicle,
                    actor=actor,
                    note="Fahrzeug sauber, vollgetankt übergeben.",
                    km=vehicle.current_km,
                    photos=[demo_photo(f"{plate} Zustand", (70, 110, 140), seed=n)],
                )
    stdout.write(f"demo: fleet of {org.slug}: {Vehicle.objects.filter(organization=org).count()} vehicles")


def seed_fleet(organizations: dict, stdout) -> None:
    _seed_org(organizations["koenig"], "koenig", 10, stdout)
    _seed_org(organizations["nord"], "nord", 4, stdout)
