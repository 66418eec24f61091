"""The pricing function: a hand-made table of examples and Hypothesis properties.

No database: the tariffs and extras are unsaved instances, as the function reads only their fields.
"""

from datetime import datetime, timedelta
from decimal import Decimal as D
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation
from hypothesis import given, settings
from hypothesis import strategies as st

from contracts.models import Extra, Tariff
from contracts.pricing import LineKind, Unit, price, rental_days, total_gross, total_net

BERLIN = ZoneInfo("Europe/Berlin")
TUESDAY = datetime(2026, 3, 3, 10, 0, tzinfo=BERLIN)
FRIDAY_NOON = datetime(2026, 3, 6, 12, 0, tzinfo=BERLIN)


def tariff(**fields) -> Tariff:
    values = {
        "name": "Kompakt",
        "price_per_day": D("49.00"),
        "price_per_hour": D("12.00"),
        "price_per_weekend": D("99.00"),
        "price_per_week": D("199.00"),
        "price_per_month": D("599.00"),
        "included_km_per_day": 200,
        "price_per_extra_km": D("0.250"),
        "vat_rate": D("19.00"),
        "prices_include_vat": True,
    }
    values.update(fields)
    return Tariff(**values)


def rent(lines):
    return [(line.quantity, line.unit, line.unit_price) for line in lines if line.kind == LineKind.RENT]


H = timedelta(hours=1)
DAY = timedelta(days=1)

# (case, start, duration (None = open end), tariff overrides, expected rent parts, expected rent total)
RENT_TABLE = [
    ("3 hours", TUESDAY, 3 * H, {}, [(3, Unit.HOUR, "12.00")], "36.00"),
    ("5 hours cost more than a day: the day", TUESDAY, 5 * H, {}, [(1, Unit.DAY, "49.00")], "49.00"),
    (
        "5 h 59 min at 7.00/h",
        TUESDAY,
        6 * H - timedelta(minutes=1),
        {"price_per_hour": D("7.00")},
        [(6, Unit.HOUR, "7.00")],
        "42.00",
    ),
    ("6 h are a day", TUESDAY, 6 * H, {"price_per_hour": D("7.00")}, [(1, Unit.DAY, "49.00")], "49.00"),
    ("no hour price: 2 h are a day", TUESDAY, 2 * H, {"price_per_hour": None}, [(1, Unit.DAY, "49.00")], "49.00"),
    ("24 h 59 min: grace", TUESDAY, DAY + timedelta(minutes=59), {}, [(1, Unit.DAY, "49.00")], "49.00"),
    ("25 h without hour price: 2 days", TUESDAY, DAY + H, {"price_per_hour": None}, [(2, Unit.DAY, "49.00")], "98.00"),
    ("27 h: 1 day + 3 hours", TUESDAY, DAY + 3 * H, {}, [(1, Unit.DAY, "49.00"), (3, Unit.HOUR, "12.00")], "85.00"),
    ("1 day 7 h: 2 days (hours only under 6 h)", TUESDAY, DAY + 7 * H, {}, [(2, Unit.DAY, "49.00")], "98.00"),
    ("3 days", TUESDAY, 3 * DAY, {}, [(3, Unit.DAY, "49.00")], "147.00"),
    ("4 days, still under a week", TUESDAY, 4 * DAY, {}, [(4, Unit.DAY, "49.00")], "196.00"),
    ("5 days: a week is cheaper", TUESDAY, 5 * DAY, {}, [(1, Unit.WEEK, "199.00")], "199.00"),
    ("7 days", TUESDAY, 7 * DAY, {}, [(1, Unit.WEEK, "199.00")], "199.00"),
    ("9 days: week + 2 days", TUESDAY, 9 * DAY, {}, [(1, Unit.WEEK, "199.00"), (2, Unit.DAY, "49.00")], "297.00"),
    ("12 days: 2 weeks", TUESDAY, 12 * DAY, {}, [(2, Unit.WEEK, "199.00")], "398.00"),
    ("30 days: a month", TUESDAY, 30 * DAY, {}, [(1, Unit.MONTH, "599.00")], "599.00"),
    ("22 days: a month beats 3 weeks + 1 day", TUESDAY, 22 * DAY, {}, [(1, Unit.MONTH, "599.00")], "599.00"),
    (
        "40 days: month + week + 3 days",
        TUESDAY,
        40 * DAY,
        {},
        [(1, Unit.MONTH, "599.00"), (1, Unit.WEEK, "199.00"), (3, Unit.DAY, "49.00")],
        "945.00",
    ),
    (
        "10 days, day price only",
        TUESDAY,
        10 * DAY,
        {"price_per_week": None, "price_per_month": None, "price_per_weekend": None, "price_per_hour": None},
        [(10, Unit.DAY, "49.00")],
        "490.00",
    ),
    ("Fri 15:00 – Sun 18:00: weekend", FRIDAY_NOON + 3 * H, 2 * DAY + 3 * H, {}, [(1, Unit.WEEKEND, "99.00")], "99.00"),
    (
        "Fri 12:00 – Mon 09:59: weekend (grace)",
        FRIDAY_NOON,
        2 * DAY + 21 * H + timedelta(minutes=59),
        {},
        [(1, Unit.WEEKEND, "99.00")],
        "99.00",
    ),
    (
        "Fri 12:00 – Mon 10:00: 3 days, not a weekend",
        FRIDAY_NOON,
        2 * DAY + 22 * H,
        {},
        [(3, Unit.DAY, "49.00")],
        "147.00",
    ),
    (
        "Fri 11:00 – Sun 11:00: starts before the weekend",
        FRIDAY_NOON - H,
        2 * DAY,
        {},
        [(2, Unit.DAY, "49.00")],
        "98.00",
    ),
    (
        "Sat 10:00 – Sat 14:00: hours beat the weekend",
        FRIDAY_NOON + 22 * H,
        4 * H,
        {},
        [(4, Unit.HOUR, "12.00")],
        "48.00",
    ),
    ("open end: one month", TUESDAY, None, {}, [(1, Unit.MONTH, "599.00")], "599.00"),
    (
        "open end without month price: 4 weeks + 2 days",
        TUESDAY,
        None,
        {"price_per_month": None},
        [(4, Unit.WEEK, "199.00"), (2, Unit.DAY, "49.00")],
        "894.00",
    ),
]


@pytest.mark.parametrize(
    ("case", "start", "duration", "overrides", "parts", "total"), RENT_TABLE, ids=[r[0] for r in RENT_TABLE]
)
def test_rent_table(case, start, duration, overrides, parts, total):
    lines = price(tariff=tariff(**overrides), starts_at=start, ends_at=None if duration is None else start + duration)
    assert rent(lines) == [(D(q), unit, D(p)) for q, unit, p in parts]
    assert total_gross(lines) == D(total)


def test_explanation_says_why_in_english_and_german():
    with translation.override("en"):
        (line,) = price(tariff=tariff(), starts_at=TUESDAY, ends_at=TUESDAY + 3 * DAY)
        assert line.explanation == "3 days at 49.00 € = 147.00 €; cheaper than 1 week at 199.00 € = 199.00 €"
        assert line.description == "Kompakt: 3 days"
    with translation.override("de"):
        first, second = price(tariff=tariff(), starts_at=TUESDAY, ends_at=TUESDAY + 9 * DAY)
        assert first.explanation == (
            "1 Woche zu je 199,00 € + 2 Tage zu je 49,00 € = 297,00 €; günstiger als 2 Wochen zu je 199,00 € = 398,00 €"
        )
        assert first.description == "Kompakt: 1 Woche"
        assert second.description == "Kompakt: 2 Tage"
        assert second.explanation == "Teil des Mietpreises oben."


def test_weekend_and_open_end_are_explained():
    with translation.override("en"):
        (line,) = price(tariff=tariff(), starts_at=FRIDAY_NOON, ends_at=FRIDAY_NOON + 2 * DAY + 3 * H)
        assert line.explanation == (
            "Weekend (Fri 12:00 – Mon 09:00): 1 weekend at 99.00 € = 99.00 €; cheaper than 3 days at 49.00 € = 147.00 €"
        )
        # Two days are cheaper than the weekend price: the days win and say so.
        (line,) = price(tariff=tariff(), starts_at=FRIDAY_NOON, ends_at=FRIDAY_NOON + 2 * DAY)
        assert line.explanation == "2 days at 49.00 € = 98.00 €; cheaper than 1 weekend at 99.00 € = 99.00 €"
        (line,) = price(tariff=tariff(), starts_at=TUESDAY, ends_at=None)
        assert line.explanation.startswith("Open end: the first month (30 days) is priced. 1 month at 599.00 €")


def test_a_price_of_only_one_unit_has_no_comparison():
    only_days = tariff(price_per_hour=None, price_per_weekend=None, price_per_week=None, price_per_month=None)
    with translation.override("en"):
        (line,) = price(tariff=only_days, starts_at=TUESDAY, ends_at=TUESDAY + 3 * DAY)
    assert line.explanation == "3 days at 49.00 € = 147.00 €"


# --- km ---


@pytest.mark.parametrize(
    ("km", "duration", "expected"),
    [
        (None, 3 * DAY, None),  # not known yet: no line
        (500, 3 * DAY, None),  # within 3 × 200 km
        (600, 3 * DAY, None),
        (601, 3 * DAY, ("1", "0.25")),
        (1000, 3 * DAY, ("400", "100.00")),
        (1000, DAY + timedelta(minutes=59), ("800", "200.00")),  # the grace counts as one day
        (1000, 3 * H, ("800", "200.00")),  # an hour rental includes one day's km
    ],
)
def test_extra_km(km, duration, expected):
    lines = price(tariff=tariff(), starts_at=TUESDAY, ends_at=TUESDAY + duration, km=km)
    km_lines = [line for line in lines if line.kind == LineKind.KM]
    if expected is None:
        assert km_lines == []
    else:
        (line,) = km_lines
        assert (line.quantity, line.unit, line.gross) == (D(expected[0]), Unit.KM, D(expected[1]))


def test_km_explanation():
    with translation.override("de"):
        lines = price(tariff=tariff(), starts_at=TUESDAY, ends_at=TUESDAY + 3 * DAY, km=1234)
    assert lines[-1].explanation == (
        "1.234 km, davon 600 km inklusive (3 Tage × 200 km): 634 km zu je 0,250 € = 158,50 €"
    )


def test_no_km_line_with_unlimited_km():
    lines = price(
        tariff=tariff(included_km_per_day=0, price_per_extra_km=D("0")),
        starts_at=TUESDAY,
        ends_at=TUESDAY + DAY,
        km=900,
    )
    assert [line.kind for line in lines] == [LineKind.RENT]


# --- extras ---

SEAT = Extra(kind="child_seat", name="Kindersitz", charge="per_day", price=D("8.00"), max_price=D("40.00"))
DRIVER = Extra(kind="additional_driver", name="Zusatzfahrer", charge="per_day", price=D("10.00"))
ONE_WAY = Extra(kind="one_way", name="Einwegmiete", charge="per_rental", price=D("25.00"))


@pytest.mark.parametrize(
    ("extra", "quantity", "days", "expected"),
    [
        (SEAT, 1, 3, ("3", Unit.DAY, "8.00", "24.00")),
        (SEAT, 2, 3, ("6", Unit.DAY, "8.00", "48.00")),
        (SEAT, 1, 5, ("5", Unit.DAY, "8.00", "40.00")),  # exactly the cap
        (SEAT, 1, 9, ("1", Unit.RENTAL, "40.00", "40.00")),  # capped
        (SEAT, 2, 9, ("2", Unit.RENTAL, "40.00", "80.00")),  # capped per seat
        (DRIVER, 1, 9, ("9", Unit.DAY, "10.00", "90.00")),  # no cap
        (ONE_WAY, 1, 9, ("1", Unit.RENTAL, "25.00", "25.00")),
        (ONE_WAY, 2, 1, ("2", Unit.RENTAL, "25.00", "50.00")),
        (ONE_WAY, 0, 1, None),
    ],
)
def test_extras(extra, quantity, days, expected):
    lines = price(tariff=tariff(), starts_at=TUESDAY, ends_at=TUESDAY + days * DAY, extras=[(extra, quantity)])
    extra_lines = [line for line in lines if line.kind == LineKind.EXTRA]
    if expected is None:
        assert extra_lines == []
    else:
        (line,) = extra_lines
        assert (line.quantity, line.unit, line.unit_price, line.gross) == (
            D(expected[0]),
            expected[1],
            D(expected[2]),
            D(expected[3]),
        )
        assert line.description == extra.name


def test_capped_extra_is_explained():
    with translation.override("en"):
        lines = price(tariff=tariff(), starts_at=TUESDAY, ends_at=TUESDAY + 9 * DAY, extras=[(SEAT, 2)])
    assert lines[-1].explanation == "2 × 9 days at 8.00 € = 144.00 €, capped at 40.00 € per rental"


def test_whole_booking_total():
    lines = price(
        tariff=tariff(),
        starts_at=TUESDAY,
        ends_at=TUESDAY + 9 * DAY,
        km=2000,
        extras=[(SEAT, 1), (DRIVER, 1), (ONE_WAY, 1)],
    )
    # 297 rent + (2000 − 1800) × 0.25 = 50 + seat 40 + driver 90 + one-way 25
    assert total_gross(lines) == D("502.00")
    assert [line.kind for line in lines] == ["rent", "rent", "km", "extra", "extra", "extra"]


# --- VAT and rounding ---


def test_gross_prices_give_net_rounded_half_up():
    (line,) = price(tariff=tariff(), starts_at=TUESDAY, ends_at=TUESDAY + 3 * DAY)
    assert (line.gross, line.net, line.vat, line.vat_rate) == (D("147.00"), D("123.53"), D("23.47"), D("19.00"))


def test_net_prices_give_gross():
    net_tariff = tariff(prices_include_vat=False, price_per_day=D("100.00"), price_per_week=None, price_per_month=None)
    (line,) = price(tariff=net_tariff, starts_at=TUESDAY, ends_at=TUESDAY + 3 * DAY)
    assert (line.net, line.gross) == (D("300.00"), D("357.00"))
    assert total_net([line]) == D("300.00")


def test_each_line_is_rounded_once_half_up():
    # 3 × 0.255 = 0.765 net → 0.77 (half up), gross 0.77 × 1.19 = 0.9163 → 0.92.
    net_tariff = tariff(prices_include_vat=False, included_km_per_day=0, price_per_extra_km=D("0.255"))
    lines = price(tariff=net_tariff, starts_at=TUESDAY, ends_at=TUESDAY + 3 * DAY, km=3)
    assert (lines[-1].net, lines[-1].gross) == (D("0.77"), D("0.92"))
    # 7 % of a gross 10.00 → net 9.345794… → 9.35
    (line,) = price(
        tariff=tariff(vat_rate=D("7.00"), price_per_day=D("10.00")), starts_at=TUESDAY, ends_at=TUESDAY + DAY
    )
    assert (line.net, line.gross) == (D("9.35"), D("10.00"))


# --- bad input ---


def test_return_before_pick_up_is_refused():
    with pytest.raises(ValidationError):
        price(tariff=tariff(), starts_at=TUESDAY, ends_at=TUESDAY)
    with pytest.raises(ValidationError):
        price(tariff=tariff(), starts_at=TUESDAY, ends_at=TUESDAY + DAY, km=-1)


def test_rental_days():
    assert rental_days(starts_at=TUESDAY, ends_at=TUESDAY + H) == 1
    assert rental_days(starts_at=TUESDAY, ends_at=TUESDAY + DAY + timedelta(minutes=59)) == 1
    assert rental_days(starts_at=TUESDAY, ends_at=TUESDAY + DAY + H) == 2
    assert rental_days(starts_at=TUESDAY, ends_at=None) == 30


# --- properties ---

cents = st.integers(min_value=0, max_value=100_000).map(lambda n: D(n) / 100)
optional_cents = st.none() | cents


@st.composite
def tariffs(draw):
    return tariff(
        price_per_day=draw(cents),
        price_per_hour=draw(optional_cents),
        price_per_weekend=draw(optional_cents),
        price_per_week=draw(optional_cents),
        price_per_month=draw(optional_cents),
        included_km_per_day=draw(st.integers(0, 500)),
        price_per_extra_km=draw(st.integers(0, 1000).map(lambda n: D(n) / 1000)),
        vat_rate=draw(st.sampled_from([D("0"), D("7.00"), D("19.00"), D("16.00")])),
        prices_include_vat=draw(st.booleans()),
    )


starts = st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2027, 12, 31), timezones=st.just(BERLIN))
minutes = st.integers(min_value=1, max_value=200 * 24 * 60)
extras_lists = st.lists(
    st.tuples(
        st.builds(
            Extra,
            name=st.just("Extra"),
            charge=st.sampled_from(["per_day", "per_rental"]),
            price=cents,
            max_price=optional_cents,
        ),
        st.integers(0, 3),
    ),
    max_size=3,
)
PROPERTY = settings(max_examples=150, deadline=None)


@PROPERTY
@given(tariffs(), starts, minutes, st.none() | st.integers(0, 50_000), extras_lists)
def test_lines_add_up_and_are_never_negative(t, start, length, km, extras):
    lines = price(tariff=t, starts_at=start, ends_at=start + timedelta(minutes=length), km=km, extras=extras)
    assert total_gross(lines) == sum(line.gross for line in lines)
    assert total_net(lines) == sum(line.net for line in lines)
    for line in lines:
        assert line.net >= 0 and line.gross >= 0 and line.quantity > 0
        assert line.gross == line.net + line.vat
        # The amount of each line is quantity × unit price, rounded once to cents.
        stated = line.gross if t.prices_include_vat else line.net
        assert stated == (line.quantity * line.unit_price).quantize(D("0.01"), rounding="ROUND_HALF_UP")
        # The other amount follows from the VAT rate within the one rounding.
        assert abs(line.net * (100 + line.vat_rate) / 100 - line.gross) <= D("0.01")
    assert [line.kind for line in lines][:1] == [LineKind.RENT]


@PROPERTY
@given(tariffs(), starts, minutes, minutes, extras_lists)
def test_monotonic_in_days(t, start, a, b, extras):
    short, long = sorted((a, b))
    price_short = total_gross(price(tariff=t, starts_at=start, ends_at=start + timedelta(minutes=short), extras=extras))
    price_long = total_gross(price(tariff=t, starts_at=start, ends_at=start + timedelta(minutes=long), extras=extras))
    assert price_short <= price_long


@PROPERTY
@given(tariffs(), starts, minutes, st.integers(0, 50_000), st.integers(0, 50_000))
def test_monotonic_in_km(t, start, length, a, b):
    low, high = sorted((a, b))
    end = start + timedelta(minutes=length)
    assert total_gross(price(tariff=t, starts_at=start, ends_at=end, km=low)) <= total_gross(
        price(tariff=t, starts_at=start, ends_at=end, km=high)
    )


def stated(t, lines):
    """The total in the terms the tariff's prices are given in (gross or net)."""
    return total_gross(lines) if t.prices_include_vat else total_net(lines)


def rent_total(t, start, duration):
    return stated(t, price(tariff=t, starts_at=start, ends_at=start + duration))


def cheapest(*amounts):
    return min(a for a in amounts if a is not None)


def times(price_, count):
    return None if price_ is None else price_ * count


@PROPERTY
@given(tariffs(), st.integers(min_value=1, max_value=6 * 60 - 1))
def test_under_6_hours_hours_capped_by_a_day(t, length):
    hours = -(-length // 60)
    expected = cheapest(times(t.price_per_hour, hours), t.price_per_day, t.price_per_week, t.price_per_month)
    assert rent_total(t, TUESDAY, timedelta(minutes=length)) == expected.quantize(D("0.01"))


@PROPERTY
@given(tariffs(), st.integers(min_value=6 * 60, max_value=24 * 60 + 59))
def test_from_6_hours_to_a_day_and_its_grace_one_day(t, length):
    expected = cheapest(t.price_per_day, t.price_per_week, t.price_per_month)
    assert rent_total(t, TUESDAY, timedelta(minutes=length)) == expected


@PROPERTY
@given(tariffs(), st.integers(min_value=0, max_value=59))
def test_seven_days_and_grace(t, late):
    expected = cheapest(times(t.price_per_day, 7), t.price_per_week, t.price_per_month)
    assert rent_total(t, TUESDAY, 7 * DAY + timedelta(minutes=late)) == expected


@PROPERTY
@given(tariffs())
def test_thirty_days(t):
    options = [times(t.price_per_day, 30), t.price_per_month]
    if t.price_per_week is not None:
        options += [t.price_per_week * w + t.price_per_day * max(0, 30 - 7 * w) for w in range(6)]
    assert rent_total(t, TUESDAY, 30 * DAY) == cheapest(*options)


@PROPERTY
@given(tariffs(), st.integers(min_value=6 * 60, max_value=69 * 60 + 59))
def test_within_the_weekend_never_more_than_the_weekend_price(t, length):
    total = rent_total(t, FRIDAY_NOON, timedelta(minutes=length))
    if t.price_per_weekend is not None:
        assert total <= t.price_per_weekend
    assert total <= t.price_per_day * 3


@PROPERTY
@given(tariffs())
def test_leaving_the_weekend_window_prices_three_days(t):
    # Fri 12:00 – Mon 10:00 is past Mon 09:00 + grace: no weekend; 2 days 22 h → 3 days.
    expected = cheapest(times(t.price_per_day, 3), t.price_per_week, t.price_per_month)
    assert rent_total(t, FRIDAY_NOON, 2 * DAY + 22 * H) == expected


@PROPERTY
@given(tariffs(), starts, minutes)
def test_never_more_than_whole_days(t, start, length):
    end = start + timedelta(minutes=length)
    assert stated(t, price(tariff=t, starts_at=start, ends_at=end)) <= t.price_per_day * rental_days(
        starts_at=start, ends_at=end
    )


def test_unit_words_follow_the_quantity_in_both_languages():
    from django.utils import translation

    from contracts.pricing import unit_label

    with translation.override("de"):
        assert (unit_label("day", D("1")), unit_label("day", D("4"))) == ("Tag", "Tage")
        assert unit_label("hour", D("1.5")) == "Stunden"
    with translation.override("en"):
        assert (unit_label("week", 1), unit_label("week", D("2"))) == ("week", "weeks")
