"""The `Decimal` scalar for money (SPEC §8): a string, an integer, or a number with at most
two decimals. An amount is exact to the cent: more decimals are refused, never rounded
(a JavaScript `0.1 + 0.2` is 0.30000000000000004, not 0.30)."""

from __future__ import annotations

import decimal
from decimal import Decimal

from strawberry.exceptions import StrawberryInputCoercionError
from strawberry.schema.types.base_scalars import DecimalDefinition
from strawberry.types.scalar import ScalarDefinition

CENT = Decimal("0.01")
MAX_DIGITS = 20  # far beyond any amount (the domain's own bound is 12 digits), within precision


def parse_amount(value: object) -> Decimal:
    # A GraphQLError: graphql-core then reports it as the client's bad value, not our failure.
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise StrawberryInputCoercionError(f"an amount is a string or a number, not {value!r}")
    # repr() of a float is the shortest text that reads back as the same float.
    text = repr(value) if isinstance(value, float) else str(value).strip()
    try:
        amount = Decimal(text)
    except decimal.DecimalException:
        raise StrawberryInputCoercionError(f"{text[:40]!r} is not an amount") from None
    if not amount.is_finite() or abs(amount.adjusted()) > MAX_DIGITS:
        raise StrawberryInputCoercionError(f"{text[:40]!r} is not an amount of a sensible size")
    if amount != amount.quantize(CENT, rounding=decimal.ROUND_DOWN):
        raise StrawberryInputCoercionError(
            f"{text[:40]} has more than two decimals: amounts are exact to the cent"
        )
    exponent = amount.as_tuple().exponent
    # "1e3" is 1000, written plainly: criteria store amounts as text.
    return amount.quantize(Decimal(1)) if isinstance(exponent, int) and exponent > 0 else amount


MONEY = ScalarDefinition(
    name=DecimalDefinition.name,
    description="An exact amount: a string (\"1234.50\"), an integer, or a number with at most "
    "two decimals; more decimals are refused, never rounded. Answered as a string.",
    specified_by_url=None,
    serialize=str,
    parse_value=parse_amount,
    parse_literal=None,
    origin=Decimal,
)
