"""The five criterion kinds of SPEC §2: their GraphQL input, the one typed value each parses
it into, how that value is stored, and what it means in SQL.

`parse` reads an input once, from either edge: the GraphQL input object strawberry built
(`AmountRange`, …, or a plain `bool`) or the JSON an alert stores (amounts as strings). What
each kind's `parse` returns, and `to_json` stores:

- `AMOUNT`: `AmountBounds(min, max)`, Decimals or None; `{"min": "20000", "max": "50000.50"}`
- `NUMBER`: `NumberBounds(min, max)`, ints or None; `{"min": 30}`
- `RELATIVE_DATE`: `DayBounds(older_than_days, newer_than_days)`; `{"olderThanDays": 10}`
- `VALUE_LIST`: `ValueChoice(op: ListOp, values: tuple[str, ...])`; `{"op": "IS", "values": ["FR"]}`
- `YES_NO`: a `bool`; `true`

Predicates never return NULL for a customer: an empty value is decided here, once (an
empty date is infinitely old, an empty text is none of the values, an empty number or
amount is in no range).
"""

from __future__ import annotations

import decimal
import enum
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Any

import strawberry
from sqlalchemy import BindParameter, Column, ColumnElement, String, and_, false, not_, or_, true
from sqlalchemy.sql import functions

from graphql_api.criteria import KindId, Ledger
from graphql_api.errors import NUL_MESSAGE, has_nul, invalid
from graphql_api.sql_functions import among
from graphql_api.storage import CENT, MAX_AMOUNT, Money

# A list is evaluated on every bell of every user who sees the alert: keep it a list, not a
# table. 200 characters is the longest text column a list criterion compares with.
MAX_VALUES = 1000
MAX_VALUE_LENGTH = 200
MAX_DAYS = 100_000  # about 270 years either way: beyond is a typo, and date arithmetic overflows
MAX_INT = 2**31 - 1  # GraphQL's Int


@strawberry.input(description="An inclusive range of amounts; give min, max or both (min ≤ max).")
class AmountRange:
    min: Decimal | None = strawberry.field(default=None, description="Lowest amount, inclusive.")
    max: Decimal | None = strawberry.field(default=None, description="Highest amount, inclusive.")


@strawberry.input(description="An inclusive range of whole numbers; give min, max or both.")
class IntRange:
    min: int | None = strawberry.field(default=None, description="Lowest value, inclusive.")
    max: int | None = strawberry.field(default=None, description="Highest value, inclusive.")


@strawberry.input(
    description=(
        "A date relative to today. olderThanDays: N means date ≤ today − N; newerThanDays: N "
        "means date ≥ today − N; N may be negative (future dates). An empty date is "
        "infinitely old: it matches olderThanDays and never newerThanDays."
    )
)
class RelativeDate:
    olderThanDays: int | None = strawberry.field(
        default=None, description="Matches dates on or before today − N (and empty dates)."
    )
    newerThanDays: int | None = strawberry.field(
        default=None, description="Matches dates on or after today − N."
    )


@strawberry.enum(description="Whether the value must be one of the values, or none of them.")
class ListOp(enum.Enum):
    IS = "IS"
    IS_NOT = "IS_NOT"


@strawberry.input(
    description=(
        "A list of values. IS: the value is one of `values`; IS_NOT: it is none of them "
        "(an empty value is none of them, so it matches IS_NOT)."
    )
)
class ValueList:
    values: list[str] = strawberry.field(description="At least one value, compared exactly.")
    op: ListOp = strawberry.field(default=ListOp.IS, description="IS (default) or IS_NOT.")


# -- the typed values: what each kind's parse returns ------------------------------------


@dataclass(frozen=True)
class AmountBounds:
    """An inclusive range of amounts: at least one bound, min ≤ max."""

    min: Decimal | None = None
    max: Decimal | None = None


@dataclass(frozen=True)
class NumberBounds:
    """An inclusive range of whole numbers: at least one bound, min ≤ max."""

    min: int | None = None
    max: int | None = None


@dataclass(frozen=True)
class DayBounds:
    """Dates relative to today, in days: at least one bound."""

    older_than_days: int | None = None
    newer_than_days: int | None = None


@dataclass(frozen=True)
class ValueChoice:
    """IS: one of `values`; IS_NOT: none of them. At least one value, trimmed, no repeats."""

    op: ListOp
    values: tuple[str, ...]


# -- reading an input --------------------------------------------------------------------


def input_fields(raw: Any, field: str, input_type: type, names: tuple[str, ...]) -> dict[str, Any]:
    """An input object's fields by GraphQL name: read from the object strawberry built, or
    from stored JSON (an object with no other field). `names` are also the attribute names."""
    if isinstance(raw, input_type):
        return {name: getattr(raw, name) for name in names}
    if not isinstance(raw, dict):
        raise invalid(field, f"{field} must be an object with {', '.join(sorted(names))}")
    unknown = sorted(set(raw) - set(names))
    if unknown:
        raise invalid(f"{field}.{unknown[0]}", f"{field} has no field {unknown[0]}")
    return raw


def _parse_amount(raw: Any, field: str) -> Decimal:
    if isinstance(raw, bool) or not isinstance(raw, (str, int, float, Decimal)):
        raise invalid(field, f"{field} must be a number, not {raw!r}")
    try:
        amount = Decimal(str(raw))
    except decimal.InvalidOperation:
        raise invalid(field, f"{field} must be a number, not {raw!r}") from None
    if not amount.is_finite() or abs(amount) > MAX_AMOUNT:
        raise invalid(field, f"{field} must be a finite amount of at most {MAX_AMOUNT}")
    return amount


def _parse_int(raw: Any, field: str, limit: int) -> int:
    if isinstance(raw, bool) or not isinstance(raw, int):
        raise invalid(field, f"{field} must be a whole number, not {raw!r}")
    if abs(raw) > limit:
        raise invalid(field, f"{field} must be between -{limit} and {limit}")
    return raw


def _bounds(raw: Any, field: str, input_type: type) -> tuple[Any, Any]:
    """min and max of a range input, at least one given."""
    given = input_fields(raw, field, input_type, ("min", "max"))
    low, high = given.get("min"), given.get("max")
    if low is None and high is None:
        raise invalid(field, f"{field} needs min, max or both")
    return low, high


def _list_op(raw: Any, field: str) -> ListOp:
    """A stored op: "IS" (the default when absent) or "IS_NOT"."""
    op = raw or "IS"
    if op not in ("IS", "IS_NOT"):
        raise invalid(f"{field}.op", f"{field}.op must be IS or IS_NOT, not {op!r}")
    return ListOp(op)


def _list_values(values: Any, field: str) -> tuple[str, ...]:
    if not isinstance(values, list) or not values:
        raise invalid(f"{field}.values", f"{field}.values needs at least one value")
    if len(values) > MAX_VALUES:
        raise invalid(f"{field}.values", f"{field}.values holds more than {MAX_VALUES} values")
    cleaned: dict[str, None] = {}  # in order, without repeats (a dict: a list was O(n²))
    for index, value in enumerate(values):
        if not isinstance(value, str) or not value.strip():
            raise invalid(f"{field}.values", f"{field}.values[{index}] must be a non-blank text")
        if has_nul(value):
            raise invalid(f"{field}.values", f"{field}.values[{index}] {NUL_MESSAGE}")
        if len(value.strip()) > MAX_VALUE_LENGTH:
            raise invalid(
                f"{field}.values",
                f"{field}.values[{index}] is longer than {MAX_VALUE_LENGTH} characters",
            )
        cleaned.setdefault(value.strip(), None)
    return tuple(cleaned)


def _never_null(value: ColumnElement[Any]) -> bool:
    """Whether the value is never NULL by construction: a NOT NULL column, or a COALESCE
    ending with a constant. Predicates on such values need no NULL guard, which keeps the
    statements that evaluate a hundred alerts at once lean."""
    if isinstance(value, Column):
        return not value.nullable
    if isinstance(value, functions.coalesce):
        last = list(value.clauses)[-1]
        return isinstance(last, BindParameter) and last.value is not None
    return False


def _range_bounds(value: ColumnElement[Any], low: Any, high: Any) -> ColumnElement[bool]:
    # An empty value is in no range (a plugin's value may be NULL, e.g. a ratio to a zero).
    conditions = [] if _never_null(value) else [value.is_not(None)]
    if low is not None:
        conditions.append(value >= low)
    if high is not None:
        conditions.append(value <= high)
    return and_(*conditions)


# -- the kinds ---------------------------------------------------------------------------


class AmountKind:
    id = KindId.AMOUNT
    name = "amount"
    input_type = AmountRange

    def parse(self, raw: Any, field: str) -> AmountBounds:
        low, high = _bounds(raw, field, AmountRange)
        bounds = AmountBounds(
            None if low is None else _parse_amount(low, f"{field}.min"),
            None if high is None else _parse_amount(high, f"{field}.max"),
        )
        if bounds.min is not None and bounds.max is not None and bounds.min > bounds.max:
            raise invalid(f"{field}.min", f"{field}.min ({bounds.min}) is above max ({bounds.max})")
        return bounds

    def to_json(self, parsed: AmountBounds) -> dict[str, str]:
        stored = {"min": parsed.min, "max": parsed.max}
        return {name: str(amount) for name, amount in stored.items() if amount is not None}

    def predicate(
        self, value: ColumnElement[Any], parsed: AmountBounds, ledger: Ledger
    ) -> ColumnElement[bool]:
        low, high = parsed.min, parsed.max
        if isinstance(value.type, Money):
            # Stored amounts are whole cents: "≥ 0.001" is "≥ 0.01", "≤ 9.999" is "≤ 9.99".
            low = None if low is None else low.quantize(CENT, rounding=decimal.ROUND_CEILING)
            high = None if high is None else high.quantize(CENT, rounding=decimal.ROUND_FLOOR)
        return _range_bounds(value, low, high)

    def example(self, values: Sequence[str]) -> dict[str, str]:
        return {"min": "20000", "max": "50000"}  # as Alert.criteria answers amounts


class NumberKind:
    id = KindId.NUMBER
    name = "number"
    input_type = IntRange

    def parse(self, raw: Any, field: str) -> NumberBounds:
        low, high = _bounds(raw, field, IntRange)
        bounds = NumberBounds(
            None if low is None else _parse_int(low, f"{field}.min", MAX_INT),
            None if high is None else _parse_int(high, f"{field}.max", MAX_INT),
        )
        if bounds.min is not None and bounds.max is not None and bounds.min > bounds.max:
            raise invalid(f"{field}.min", f"{field}.min ({low}) is above max ({high})")
        return bounds

    def to_json(self, parsed: NumberBounds) -> dict[str, int]:
        stored = {"min": parsed.min, "max": parsed.max}
        return {name: number for name, number in stored.items() if number is not None}

    def predicate(
        self, value: ColumnElement[Any], parsed: NumberBounds, ledger: Ledger
    ) -> ColumnElement[bool]:
        return _range_bounds(value, parsed.min, parsed.max)

    def example(self, values: Sequence[str]) -> dict[str, int]:
        return {"min": 30, "max": 90}


class RelativeDateKind:
    id = KindId.RELATIVE_DATE
    name = "relative date"
    input_type = RelativeDate

    def parse(self, raw: Any, field: str) -> DayBounds:
        given = input_fields(raw, field, RelativeDate, ("olderThanDays", "newerThanDays"))
        older, newer = given.get("olderThanDays"), given.get("newerThanDays")
        bounds = DayBounds(
            None if older is None else _parse_int(older, f"{field}.olderThanDays", MAX_DAYS),
            None if newer is None else _parse_int(newer, f"{field}.newerThanDays", MAX_DAYS),
        )
        if bounds == DayBounds():
            raise invalid(field, f"{field} needs olderThanDays, newerThanDays or both")
        return bounds

    def to_json(self, parsed: DayBounds) -> dict[str, int]:
        stored = {"olderThanDays": parsed.older_than_days, "newerThanDays": parsed.newer_than_days}
        return {name: days for name, days in stored.items() if days is not None}

    def predicate(
        self, value: ColumnElement[Any], parsed: DayBounds, ledger: Ledger
    ) -> ColumnElement[bool]:
        conditions = []
        if parsed.older_than_days is not None:
            cutoff = ledger.today - timedelta(days=parsed.older_than_days)
            conditions.append(or_(value.is_(None), value <= cutoff))
        if parsed.newer_than_days is not None:
            cutoff = ledger.today - timedelta(days=parsed.newer_than_days)
            conditions.append(and_(value.is_not(None), value >= cutoff))
        return and_(*conditions)

    def example(self, values: Sequence[str]) -> dict[str, int]:
        return {"olderThanDays": 10}


class ValueListKind:
    id = KindId.VALUE_LIST
    name = "list of values"
    input_type = ValueList

    def parse(self, raw: Any, field: str) -> ValueChoice:
        if isinstance(raw, ValueList):  # from GraphQL: strawberry read the op already
            return ValueChoice(raw.op, _list_values(raw.values, field))
        given = input_fields(raw, field, ValueList, ("op", "values"))
        op = _list_op(given.get("op"), field)
        return ValueChoice(op, _list_values(given.get("values"), field))

    def to_json(self, parsed: ValueChoice) -> dict[str, Any]:
        return {"op": parsed.op.value, "values": list(parsed.values)}

    def predicate(
        self, value: ColumnElement[Any], parsed: ValueChoice, ledger: Ledger
    ) -> ColumnElement[bool]:
        listed = among(value, list(parsed.values), item_type=String())
        if parsed.op is ListOp.IS:
            return listed if _never_null(value) else and_(value.is_not(None), listed)
        return or_(value.is_(None), not_(listed))

    def example(self, values: Sequence[str]) -> dict[str, Any]:
        # The first value a form would offer; any text is valid when there is none yet.
        return {"op": ListOp.IS.value, "values": [values[0] if values else "value"]}


class YesNoKind:
    id = KindId.YES_NO
    name = "yes/no"
    input_type = bool

    def parse(self, raw: Any, field: str) -> bool:
        if not isinstance(raw, bool):
            raise invalid(field, f"{field} must be true or false, not {raw!r}")
        return raw

    def to_json(self, parsed: bool) -> bool:
        return parsed

    def predicate(
        self, value: ColumnElement[Any], parsed: bool, ledger: Ledger
    ) -> ColumnElement[bool]:
        answer = true() if parsed else false()
        if _never_null(value):
            return value == answer
        # `IS TRUE` / `IS FALSE` is never NULL, and names the value once.
        return value.is_(answer)

    def example(self, values: Sequence[str]) -> bool:
        return True


AMOUNT = AmountKind()
NUMBER = NumberKind()
RELATIVE_DATE = RelativeDateKind()
VALUE_LIST = ValueListKind()
YES_NO = YesNoKind()
BUILTIN_KINDS = {kind.id: kind for kind in (AMOUNT, NUMBER, RELATIVE_DATE, VALUE_LIST, YES_NO)}
