"""Money: exact amounts stored as integer cents (BIGINT) on every database.

The encoding is written here once: `to_cents` and `from_cents` for values, and
`plain_cents` for the import's fast path, which reads amounts as text. The `Money`
column type applies it to bound values and results, and keeps the unit through SQL
arithmetic, so the same expression means the same thing on SQLite and PostgreSQL:

- money ± money, -money, sum/min/max(money), money × or ÷ a number: money (with a
  number-typed SQL value, money must be on the left: SQLAlchemy types a product by it);
- money compared with (or plus, minus) a Python number: the number is bound as cents;
- money ÷ money: a plain ratio (true division on both databases);
- money × money, and money ± a number-typed SQL expression: a TypeError, since no unit fits.
"""

from __future__ import annotations

import decimal
import re
from decimal import Decimal
from typing import Any

from sqlalchemy import BigInteger, Dialect, Float, Integer, Numeric, TypeDecorator
from sqlalchemy.sql import operators
from sqlalchemy.sql.type_api import TypeEngine
from sqlalchemy.types import NullType

CENT = Decimal("0.01")
# Beyond this an amount is a typo. It also keeps a customer's sums in range: a BIGINT
# holds about 9 x 10^18 cents, the sum of 90,000 items of this size.
MAX_AMOUNT = Decimal("999999999999.99")
MAX_AMOUNT_DIGITS = 12  # integer digits of MAX_AMOUNT

# An amount as ERP exports usually write it: optional minus, digits, a point, two decimals.
PLAIN_AMOUNT = re.compile(rf"-?[0-9]{{1,{MAX_AMOUNT_DIGITS}}}\.[0-9]{{2}}")


def to_cents(amount: Decimal) -> int:
    """The stored form of an amount; ValueError when it has more than two decimal places."""
    cents = amount.scaleb(2)
    if cents != cents.to_integral_value(rounding=decimal.ROUND_DOWN):
        raise ValueError(f"{amount} has more than two decimal places")
    return int(cents)


def from_cents(cents: Any) -> Decimal:
    """An amount from its stored form. SQL arithmetic on money (money × 1.5, money ÷ 3) may
    give fractions of a cent, as a NUMERIC or a float: they are rounded half-even to the cent."""
    if isinstance(cents, int):
        return Decimal(cents).scaleb(-2)
    exact = cents if isinstance(cents, Decimal) else Decimal(repr(cents))
    return exact.scaleb(-2).quantize(CENT)


def plain_cents(text: str) -> str:
    """The stored form, as text, of an amount written as PLAIN_AMOUNT matches ("-12.30" gives
    "-1230"): the same encoding as to_cents, for the import's lines that never become Decimals."""
    return text.replace(".", "", 1)


_SCALING = (operators.mul, operators.truediv)


def _is_number(type_: TypeEngine[Any]) -> bool:
    """A plain number's type (Float is a Numeric), decorated or not, but not money's."""
    base = type_.impl_instance if isinstance(type_, TypeDecorator) else type_
    return not isinstance(type_, Money) and isinstance(base, (Integer, Numeric))


class _MoneyComparator(TypeDecorator.Comparator[Decimal], Integer.Comparator[Decimal]):
    """The result type of `money <op> other`; see the module docstring."""

    def _adapt_expression(
        self, op: Any, other_comparator: TypeEngine.Comparator[Any]
    ) -> tuple[Any, TypeEngine[Any]]:
        other = other_comparator.type
        if isinstance(other, Money):
            if op in (operators.add, operators.sub):
                return op, self.type
            if op is operators.truediv:
                return op, Numeric()  # cents over cents: the same ratio as amount over amount
            if op is operators.mul:
                raise TypeError("money × money has no unit: multiply money by a plain number")
        elif isinstance(other, NullType):
            return op, self.type
        elif _is_number(other):
            if op in _SCALING:
                return op, self.type
            if op in (operators.add, operators.sub):
                raise TypeError(
                    "money ± a number-typed SQL value: is it cents or currency units? "
                    "Add money values, or a Python Decimal (bound as an amount)"
                )
        return super()._adapt_expression(op, other_comparator)


class _FactorComparator(TypeDecorator.Comparator[Any], Numeric.Comparator[Any]):
    """A Python number bound on the left of money: 3 × money is money."""

    def _adapt_expression(
        self, op: Any, other_comparator: TypeEngine.Comparator[Any]
    ) -> tuple[Any, TypeEngine[Any]]:
        if isinstance(other_comparator.type, Money):
            if op is operators.mul:
                return op, other_comparator.type
            raise TypeError(f"a number {op.__name__} money has no unit")
        return super()._adapt_expression(op, other_comparator)


class _WholeFactor(TypeDecorator[int]):
    impl = BigInteger
    cache_ok = True
    comparator_factory = _FactorComparator


class _DecimalFactor(TypeDecorator[Decimal]):
    impl = Numeric
    cache_ok = True
    comparator_factory = _FactorComparator


class _FloatFactor(TypeDecorator[float]):
    impl = Float
    cache_ok = True
    comparator_factory = _FactorComparator


class Money(TypeDecorator[Decimal]):
    """An exact amount in the company currency, with two decimal places, stored in cents."""

    impl = BigInteger
    cache_ok = True
    comparator_factory = _MoneyComparator

    def coerce_compared_value(self, op: Any, value: Any) -> Any:
        # Compared, added or subtracted, a Python number is an amount (bound as cents); as a
        # factor or divisor it is a plain number (money × 100 is a hundred times the money).
        if op in _SCALING and not isinstance(value, bool):
            if isinstance(value, int):
                return _WholeFactor()
            if isinstance(value, Decimal):
                return _DecimalFactor()
            if isinstance(value, float):
                return _FloatFactor()
        return self

    def process_bind_param(self, value: Any, dialect: Dialect) -> int | None:
        return None if value is None else to_cents(Decimal(value))

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        return None if value is None else from_cents(value)

    def result_processor(self, dialect: Dialect, coltype: Any) -> Any:
        """`process_result_value` called directly, where TypeDecorator's processor makes
        three calls per value: a bell page reads 400 amounts (1% of its instructions)."""
        if self.impl_instance.result_processor(dialect, coltype) is not None:
            return super().result_processor(dialect, coltype)

        def process(value: Any) -> Decimal | None:
            if type(value) is int:  # from_cents' first case inline: nearly every value
                return Decimal(value).scaleb(-2)
            return None if value is None else from_cents(value)

        return process
