"""Work-list amounts (fleetback.totals): VAT, discounts and rounding."""

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from fleetback import totals

prices = st.decimals(min_value=0, max_value=100_000, places=2, allow_nan=False, allow_infinity=False)
rates = st.sampled_from([Decimal("0"), Decimal("7"), Decimal("19"), Decimal("20"), Decimal("25.5")])
discounts = st.one_of(
    st.tuples(st.just(""), st.just(Decimal("0"))),
    st.tuples(st.just("amount"), prices),
    st.tuples(st.just("percent"), st.decimals(min_value=0, max_value=150, places=2)),
)


def _line(price, includes_vat, rate, discount):
    kind, value = discount
    return totals.line(price=price, includes_vat=includes_vat, vat_rate=rate, discount_kind=kind, discount_value=value)


@given(prices, st.booleans(), rates, discounts)
def test_gross_is_net_plus_vat_and_never_negative(price, includes_vat, rate, discount):
    line = _line(price, includes_vat, rate, discount)
    assert line.gross == line.net + line.vat
    assert line.net >= 0 and line.vat >= 0 and line.gross >= 0
    assert line.gross <= _line(price, includes_vat, rate, ("", Decimal("0"))).gross
    assert line.gross.as_tuple().exponent == -2 and line.net.as_tuple().exponent == -2


@given(prices, st.booleans(), rates, discounts)
def test_each_line_is_rounded_once_from_the_exact_amount(price, includes_vat, rate, discount):
    kind, value = discount
    factor = 1 + rate / Decimal(100)
    if kind == "percent":
        base = price * (1 - min(value, Decimal(100)) / Decimal(100))
    elif kind == "amount":
        base = price - min(value, price)
    else:
        base = price
    exact_gross = base if includes_vat else base * factor
    line = _line(price, includes_vat, rate, discount)
    assert abs(line.gross - exact_gross) <= Decimal("0.005")


@given(st.lists(st.tuples(prices, st.booleans(), rates, discounts), max_size=12))
def test_sums_add_the_rounded_lines(rows):
    lines = [_line(*row) for row in rows]
    total = totals.add(lines)
    assert total.gross == sum((line.gross for line in lines), Decimal("0"))
    assert total.gross == total.net + total.vat


def test_known_values():
    assert totals.line(price=Decimal("119.00"), includes_vat=True, vat_rate=Decimal("19")) == totals.Line(
        net=Decimal("100.00"), vat=Decimal("19.00"), gross=Decimal("119.00"), discount_gross=Decimal("0.00")
    )
    discounted = totals.line(
        price=Decimal("100"),
        includes_vat=False,
        vat_rate=Decimal("19"),
        discount_kind="percent",
        discount_value=Decimal("10"),
    )
    assert (discounted.net, discounted.gross, discounted.discount_gross) == (
        Decimal("90.00"),
        Decimal("107.10"),
        Decimal("11.90"),
    )
    # three lines of 0.005 € VAT each: rounded per line, then added (not rounded from the sum)
    cent = totals.line(price=Decimal("0.03"), includes_vat=True, vat_rate=Decimal("19"))
    assert (cent.net, cent.vat) == (Decimal("0.03"), Decimal("0.00"))
