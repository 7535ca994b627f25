"""The five criterion kinds of SPEC §2: their GraphQL input, validation and SQL meaning.

Each kind validates the input as stored (JSON: amounts as strings) and
returns it normalised, so an alert stores exactly what it will be evaluated
with. Predicates never return NULL for a customer: an empty value is decided
here, once (an empty date is infinitely old, an empty text is none of the
values, an empty number or amount is in no range).
"""

from __future__ import annotations

import decimal
import enum
from datetime import timedelta
from decimal import Decimal
from typing import Any

import strawberry
from sqlalchemy import BindParameter, Column, ColumnElement, String, and_, false, not_, or_, true
from sqlalchemy.sql import functions

from graphql_api.criteria import Ledger
from graphql_api.errors import NUL_MESSAGE, has_nul, invalid
from graphql_api.sql_functions import among
from graphql_api.storage import CENT, MAX_AMOUNT, Money

# A list is evaluated on every bell of every user who sees the alert: keep it a list, not a
# table. 200 characters is the longest text column a list criterion compares with.
MAX_VALUES = 1000
MAX_VALUE_LENGTH = 200
MAX_DAYS = 100_000  # about 270 years either way: beyond is a typo, and date arithmetic overflows


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


def _object(raw: Any, field: str, allowed: set[str]) -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise invalid(field, f"{field} must be an object with {', '.join(sorted(allowed))}")
    unknown = set(raw) - allowed
    if unknown:
        raise invalid(f"{field}.{sorted(unknown)[0]}", f"{field} has no field {sorted(unknown)[0]}")
    return raw


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


class AmountKind:
    name = "amount"
    input_type = AmountRange

    def validate(self, raw: Any, field: str) -> dict[str, str]:
        raw = _object(raw, field, {"min", "max"})
        low, high = raw.get("min"), raw.get("max")
        if low is None and high is None:
            raise invalid(field, f"{field} needs min, max or both")
        spec = {}
        if low is not None:
            spec["min"] = str(_parse_amount(low, f"{field}.min"))
        if high is not None:
            spec["max"] = str(_parse_amount(high, f"{field}.max"))
        if low is not None and high is not None and Decimal(spec["min"]) > Decimal(spec["max"]):
            raise invalid(
                f"{field}.min", f"{field}.min ({spec['min']}) is above max ({spec['max']})"
            )
        return spec

    def predicate(
        self, value: ColumnElement[Any], spec: Any, ledger: Ledger
    ) -> ColumnElement[bool]:
        low = Decimal(spec["min"]) if "min" in spec else None
        high = Decimal(spec["max"]) if "max" in spec else None
        if isinstance(value.type, Money):
            # Stored amounts are whole cents: "≥ 0.001" is "≥ 0.01", "≤ 9.999" is "≤ 9.99".
            low = None if low is None else low.quantize(CENT, rounding=decimal.ROUND_CEILING)
            high = None if high is None else high.quantize(CENT, rounding=decimal.ROUND_FLOOR)
        return _range_bounds(value, low, high)

    def describe_input(self) -> str:
        return "{min: 20000, max: 50000}"


class NumberKind:
    name = "number"
    input_type = IntRange

    def validate(self, raw: Any, field: str) -> dict[str, int]:
        raw = _object(raw, field, {"min", "max"})
        low, high = raw.get("min"), raw.get("max")
        if low is None and high is None:
            raise invalid(field, f"{field} needs min, max or both")
        spec = {}
        if low is not None:
            spec["min"] = _parse_int(low, f"{field}.min", 2**31 - 1)
        if high is not None:
            spec["max"] = _parse_int(high, f"{field}.max", 2**31 - 1)
        if low is not None and high is not None and spec["min"] > spec["max"]:
            raise invalid(f"{field}.min", f"{field}.min ({low}) is above max ({high})")
        return spec

    def predicate(
        self, value: ColumnElement[Any], spec: Any, ledger: Ledger
    ) -> ColumnElement[bool]:
        return _range_bounds(value, spec.get("min"), spec.get("max"))

    def describe_input(self) -> str:
        return "{min: 30, max: 90}"


class RelativeDateKind:
    name = "relative date"
    input_type = RelativeDate

    def validate(self, raw: Any, field: str) -> dict[str, int]:
        raw = _object(raw, field, {"olderThanDays", "newerThanDays"})
        spec = {
            name: _parse_int(raw[name], f"{field}.{name}", MAX_DAYS)
            for name in ("olderThanDays", "newerThanDays")
            if raw.get(name) is not None
        }
        if not spec:
            raise invalid(field, f"{field} needs olderThanDays, newerThanDays or both")
        return spec

    def predicate(
        self, value: ColumnElement[Any], spec: Any, ledger: Ledger
    ) -> ColumnElement[bool]:
        conditions = []
        if "olderThanDays" in spec:
            cutoff = ledger.today - timedelta(days=spec["olderThanDays"])
            conditions.append(or_(value.is_(None), value <= cutoff))
        if "newerThanDays" in spec:
            cutoff = ledger.today - timedelta(days=spec["newerThanDays"])
            conditions.append(and_(value.is_not(None), value >= cutoff))
        return and_(*conditions)

    def describe_input(self) -> str:
        return "{olderThanDays: 10}"


class ValueListKind:
    name = "list of values"
    input_type = ValueList

    def validate(self, raw: Any, field: str) -> dict[str, Any]:
        raw = _object(raw, field, {"op", "values"})
        op = raw.get("op") or "IS"
        if isinstance(op, ListOp):
            op = op.value
        if op not in ("IS", "IS_NOT"):
            raise invalid(f"{field}.op", f"{field}.op must be IS or IS_NOT, not {op!r}")
        values = raw.get("values")
        if not isinstance(values, list) or not values:
            raise invalid(f"{field}.values", f"{field}.values needs at least one value")
        if len(values) > MAX_VALUES:
            raise invalid(f"{field}.values", f"{field}.values holds more than {MAX_VALUES} values")
        cleaned: dict[str, None] = {}  # in order, without repeats (a dict: a list was O(n²))
        for index, value in enumerate(values):
            if not isinstance(value, str) or not value.strip():
                raise invalid(
                    f"{field}.values", f"{field}.values[{index}] must be a non-blank text"
                )
            if has_nul(value):
                raise invalid(f"{field}.values", f"{field}.values[{index}] {NUL_MESSAGE}")
            if len(value.strip()) > MAX_VALUE_LENGTH:
                raise invalid(
                    f"{field}.values",
                    f"{field}.values[{index}] is longer than {MAX_VALUE_LENGTH} characters",
                )
            cleaned.setdefault(value.strip(), None)
        return {"op": op, "values": list(cleaned)}

    def predicate(
        self, value: ColumnElement[Any], spec: Any, ledger: Ledger
    ) -> ColumnElement[bool]:
        listed = among(value, spec["values"], item_type=String())
        if spec["op"] == "IS":
            return listed if _never_null(value) else and_(value.is_not(None), listed)
        return or_(value.is_(None), not_(listed))

    def describe_input(self) -> str:
        return '{op: IS_NOT, values: ["Litige"]}'


class YesNoKind:
    name = "yes/no"
    input_type = bool

    def validate(self, raw: Any, field: str) -> bool:
        if not isinstance(raw, bool):
            raise invalid(field, f"{field} must be true or false, not {raw!r}")
        return raw

    def predicate(
        self, value: ColumnElement[Any], spec: Any, ledger: Ledger
    ) -> ColumnElement[bool]:
        answer = true() if spec else false()
        if _never_null(value):
            return value == answer
        # `IS TRUE` / `IS FALSE` is never NULL, and names the value once.
        return value.is_(answer)

    def describe_input(self) -> str:
        return "true"


AMOUNT = AmountKind()
NUMBER = NumberKind()
RELATIVE_DATE = RelativeDateKind()
VALUE_LIST = ValueListKind()
YES_NO = YesNoKind()
