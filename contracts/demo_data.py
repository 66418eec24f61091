"""Demo contracts: past, running and future rentals over the demo fleet of both organizations, a
courtesy car with its workshop order, a long-term rental, a cancelled reservation and blocks.

Everything goes through the services (booking, check-out/check-in with `at=` times, blocks,
cancelling), so the data obeys the same rules as the back office; a booking the rules refuse
(a customer's limit, a closed station) is left out and the next customer is tried. Deterministic
(seeded random, times relative to today) and idempotent: an organization that already has
contracts is left alone.
"""

from __future__ import annotations

import datetime as dt
import random

from django.core.exceptions import ValidationError
from django.utils import timezone

from customers.models import Customer
from rentoffice.models import Membership
from vehicles.models import KmReading, Vehicle

from .models import Contract
from .services.blocks import block_create
from .services.booking import contract_book
from .services.lifecycle import contract_cancel, contract_check_in, contract_check_out

# Times inside the demo stations' opening hours (Mon–Fri 08:00–12:30 and 13:30–18:00).
PICKUP_HOURS = (8, 9, 10, 11)
RETURN_HOURS = (14, 15, 16, 17)
CUSTOMER_TRIES = 6


def _admin(org) -> Membership | None:
    return (
        Membership.objects.filter(organization=org, role__key="administrator")
        .select_related("user", "role", "organization")
        .order_by("pk")
        .first()
    )


def _weekday(day: dt.date) -> dt.date:
    """Weekends are moved to the Monday after (Saturdays close at 13:00, Sundays are closed)."""
    return day + dt.timedelta(days=(7 - day.weekday()) % 7) if day.weekday() >= 5 else day


def _moment(day: dt.date, hour: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(_weekday(day), dt.time(hour)))


def _km_at(vehicle: Vehicle, moment: dt.datetime) -> int:
    """A reading that fits between the vehicle's readings before and after `moment` (the km rules)."""
    readings = KmReading.objects.filter(vehicle=vehicle)
    before = readings.filter(recorded_at__lte=moment).order_by("-recorded_at", "-id").first()
    after = readings.filter(recorded_at__gt=moment).order_by("recorded_at", "id").first()
    base = before.km if before else 0
    if after is None:
        return base + 350
    return base + max(0, min(350, (after.km - base) // 3))


class _Seeder:
    def __init__(self, org, key: str, actor: Membership, stdout):
        self.org = org
        self.stdout = stdout
        self.rng = random.Random(f"contracts-{key}")
        self.actor = actor
        self.today = timezone.localdate()
        self.customers = list(
            Customer.objects.filter(organization=org, main_customer__isnull=True).order_by("number")[:120]
        )
        self.next_customer = 0
        self.made = 0
        self.refused = 0

    def book(self, vehicle: Vehicle, starts_at, ends_at, **kwargs) -> Contract | None:
        """Book for the next customer the rules accept (a limit or block refuses some)."""
        for _try in range(CUSTOMER_TRIES):
            customer = self.customers[self.next_customer % len(self.customers)]
            self.next_customer += 1
            try:
                contract = contract_book(
                    actor=self.actor,
                    customer=customer,
                    vehicle_group=vehicle.group,
                    pickup_station=vehicle.current_station,
                    return_station=vehicle.current_station,
                    starts_at=starts_at,
                    ends_at=ends_at,
                    vehicle=vehicle,
                    **kwargs,
                )
            except ValidationError:
                self.refused += 1
                continue
            self.made += 1
            return contract
        return None

    def check_out(self, contract: Contract, at: dt.datetime) -> Contract:
        assert contract.vehicle is not None  # noqa: S101  demo bookings always name the vehicle
        return contract_check_out(
            actor=self.actor, contract=contract, km=_km_at(contract.vehicle, at), fuel=self.rng.randint(5, 8), at=at
        )

    def check_in(self, contract: Contract, at: dt.datetime) -> Contract:
        assert contract.vehicle is not None  # noqa: S101  as above
        return contract_check_in(
            actor=self.actor,
            contract=contract,
            km=_km_at(contract.vehicle, at),
            fuel=self.rng.randint(2, 8),
            station=contract.return_station,
            at=at,
        )

    def past(self, vehicle: Vehicle) -> None:
        """Two finished rentals within the last five weeks."""
        day = self.today - dt.timedelta(days=34 + self.rng.randint(0, 3))
        for _n in range(2):
            length = self.rng.randint(2, 5)
            starts_at = _moment(day, self.rng.choice(PICKUP_HOURS))
            ends_at = _moment(day + dt.timedelta(days=length), self.rng.choice(RETURN_HOURS))
            if ends_at >= timezone.now() - dt.timedelta(days=11):
                return  # keeps clear of the fleet's last km reading ten days ago
            contract = self.book(vehicle, starts_at, ends_at)
            if contract is None:
                return
            self.check_in(
                self.check_out(contract, starts_at), ends_at + dt.timedelta(minutes=self.rng.randint(-60, 30))
            )
            day = ends_at.date() + dt.timedelta(days=self.rng.randint(2, 6))

    def running(self, vehicle: Vehicle) -> bool:
        starts_at = _moment(self.today - dt.timedelta(days=self.rng.randint(2, 5)), self.rng.choice(PICKUP_HOURS))
        if starts_at >= timezone.now():
            starts_at = _moment(self.today - dt.timedelta(days=7), 9)
        ends_at = _moment(self.today + dt.timedelta(days=self.rng.randint(1, 4)), self.rng.choice(RETURN_HOURS))
        contract = self.book(vehicle, starts_at, ends_at)
        if contract is not None:
            self.check_out(contract, starts_at)
        return contract is not None

    def future(self, vehicle: Vehicle, first_day: int) -> None:
        day = self.today + dt.timedelta(days=first_day + self.rng.randint(0, 4))
        for _n in range(self.rng.randint(1, 2)):
            length = self.rng.randint(1, 6)
            starts_at = _moment(day, self.rng.choice(PICKUP_HOURS))
            ends_at = _moment(day + dt.timedelta(days=length), self.rng.choice(RETURN_HOURS))
            self.book(vehicle, starts_at, ends_at)
            day = ends_at.date() + dt.timedelta(days=self.rng.randint(2, 8))

    def workshop(self, vehicle: Vehicle) -> None:
        block_create(
            actor=self.actor,
            vehicle=vehicle,
            kind="workshop",
            reason="Inspektion und Bremsen vorne",
            starts_at=_moment(self.today - dt.timedelta(days=1), 8),
            ends_at=_moment(self.today + dt.timedelta(days=3), 17),
        )

    def specials(self, free: list[Vehicle]) -> None:
        """The cases the issue names, each on a free vehicle of its own."""
        courtesy, long_term, cancelled, maintenance = free
        self.book(
            courtesy,
            _moment(self.today + dt.timedelta(days=1), 8),
            _moment(self.today + dt.timedelta(days=3), 17),
            kind=Contract.Kind.COURTESY,
            workshop_order="WA-2026-0815",
            appointment_at=_moment(self.today + dt.timedelta(days=1), 8),
            payer=Contract.Payer.DEALERSHIP,
        )
        contract = self.book(
            long_term,
            _moment(self.today - dt.timedelta(days=20), 9),
            _moment(self.today + dt.timedelta(days=70), 16),
            kind=Contract.Kind.LONG_TERM,
        )
        if contract is not None:
            self.check_out(contract, _moment(self.today - dt.timedelta(days=20), 9))
        contract = self.book(
            cancelled, _moment(self.today + dt.timedelta(days=8), 10), _moment(self.today + dt.timedelta(days=10), 16)
        )
        if contract is not None:
            contract_cancel(actor=self.actor, contract=contract, reason="Kunde hat die Reise abgesagt")
        block_create(
            actor=self.actor,
            vehicle=maintenance,
            kind="maintenance",
            reason="Reifenwechsel auf Winterreifen",
            starts_at=_moment(self.today + dt.timedelta(days=2), 8),
            ends_at=_moment(self.today + dt.timedelta(days=2), 17),
        )

    def run(self) -> None:
        if not self.customers:
            return
        vehicles = list(
            Vehicle.objects.filter(organization=self.org)
            .exclude(status=Vehicle.Status.RETIRED)
            .select_related("group", "current_station", "home_station")
            .order_by("plate")
        )
        free = [v for v in vehicles if v.status == Vehicle.Status.AVAILABLE][-4:]
        specials = {v.pk for v in free} if len(free) == 4 else set()
        if specials:
            self.specials(free)
        for vehicle in vehicles:
            if vehicle.pk in specials:
                continue
            if vehicle.status == Vehicle.Status.WORKSHOP:
                self.workshop(vehicle)  # not rentable until it is back (the booking rules say so)
                continue
            rented = vehicle.status == Vehicle.Status.RENTED
            self.past(vehicle)
            # A running rental ends within four days (a weekend moves it to Monday): later bookings after it.
            self.future(vehicle, first_day=9 if rented and self.running(vehicle) else 2)
        self.stdout.write(
            f"demo: contracts of {self.org.slug}: {self.made} made ({self.refused} bookings refused by the rules)"
        )


def seed_contracts(organizations: dict, stdout) -> None:
    for key in ("koenig", "nord"):
        org = organizations[key]
        actor = _admin(org)
        if actor is None or Contract.objects.filter(organization=org).exists():
            continue
        _Seeder(org, key, actor, stdout).run()
