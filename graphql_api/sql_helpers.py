"""Portable, exact SQL for plugins' values and predicates: the same answer on SQLite and
PostgreSQL, boundaries included. Re-exported by `graphql_api.plugin`; docs/plugins.md
shows each with an example.

- `percentage(part, whole)`, `ratio(part, whole)`: a ratio compared with a bound by
  cross-multiplication, never through floats (21 % is 21); an empty, zero or negative
  `whole` gives NULL, which no range contains.
- `text_equals`, `text_contains`, `folded`: text ignoring case and accents (SPEC §8's
  folding, `text_folding.fold`).
- `days_ago(date, ledger)`: whole days from a date to today.
- `Buckets`: a number (days, mostly) sorted into labelled buckets, with their labels in order.
"""

from __future__ import annotations

import operator
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Date,
    Float,
    and_,
    case,
    cast,
    literal,
    null,
    or_,
    type_coerce,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql import operators
from sqlalchemy.sql.functions import FunctionElement

from graphql_api.criteria import Ledger
from graphql_api.money import Money
from graphql_api.sql_functions import days_since, exact_number, folded
from graphql_api.text_folding import fold

__all__ = ["Buckets", "days_ago", "folded", "percentage", "ratio", "text_contains", "text_equals"]

# -- ratios --------------------------------------------------------------------------------

_ORDER = {
    operators.ge: operator.ge,
    operators.gt: operator.gt,
    operators.le: operator.le,
    operators.lt: operator.lt,
    operators.eq: operator.eq,
    operators.ne: operator.ne,
}


class _RatioComparator(Float.Comparator[float]):
    """`ratio >= bound` (and <, <=, >, ==, !=) with a Python number: cross-multiplied."""

    def operate(self, op: Any, *other: Any, **kwargs: Any) -> ColumnElement[Any]:
        expr = self.expr
        if isinstance(expr, exact_ratio) and len(other) == 1:
            (bound,) = other
            if op in _ORDER and _is_bound(bound):
                return expr.compared(_ORDER[op], bound)
            if op in (operators.is_, operators.is_not) and bound is None:
                return expr.defined() if op is operators.is_not else expr.undefined()
        return super().operate(op, *other, **kwargs)  # type: ignore[no-any-return]

    def reverse_operate(self, op: Any, other: Any, **kwargs: Any) -> ColumnElement[Any]:
        flipped = {operators.ge: operators.le, operators.le: operators.ge,
                   operators.gt: operators.lt, operators.lt: operators.gt}  # fmt: skip
        if op in flipped or op in (operators.eq, operators.ne):
            return self.operate(flipped.get(op, op), other, **kwargs)
        return super().reverse_operate(op, other, **kwargs)  # type: ignore[no-any-return]


class _RatioType(Float):  # type: ignore[type-arg]
    """Read back (to show it) as a float; compared exactly (`_RatioComparator`)."""

    comparator_factory = _RatioComparator
    cache_ok = True


def _is_bound(value: Any) -> bool:
    return isinstance(value, (int, Decimal)) and not isinstance(value, bool)


def _plain(value: ColumnElement[Any]) -> ColumnElement[Any]:
    """An operand as the database's exact number: money by its stored cents (a ratio of two
    amounts is a ratio of their cents)."""
    if isinstance(value.type, Money):
        value = type_coerce(value, BigInteger())
    return exact_number(value)


class exact_ratio(FunctionElement[float]):
    """scale × part ÷ whole, NULL unless whole > 0. Compared with a Python number, it is
    cross-multiplied (`scale × part × q ⋚ p × whole` for a bound p/q): exact in integers."""

    type = _RatioType()
    inherit_cache = True

    def __init__(self, part: Any, whole: Any, scale: int) -> None:
        part, whole = (literal(v) if _is_bound(v) else v for v in (part, whole))
        if isinstance(part.type, Money) != isinstance(whole.type, Money):
            raise TypeError(
                "a ratio of money to a plain number has a unit: divide money by money, or "
                "numbers by numbers"
            )
        super().__init__(part, whole, literal(scale))

    def _operands(self) -> tuple[ColumnElement[Any], ColumnElement[Any], int]:
        part, whole, scale = list(self.clauses)
        return part, whole, scale.value

    def defined(self) -> ColumnElement[bool]:
        """The ratio exists: whole > 0 and part is not NULL."""
        part, whole, _ = self._operands()
        return and_(whole > 0, part.is_not(None))

    def undefined(self) -> ColumnElement[bool]:
        """The ratio is NULL (never NULL itself)."""
        part, whole, _ = self._operands()
        return or_(whole.is_(None), whole <= 0, part.is_(None))

    def compared(self, compare: Any, bound: int | Decimal) -> ColumnElement[bool]:
        numerator, denominator = Decimal(bound).as_integer_ratio()
        part, whole, scale = self._operands()
        left = _plain(part) * literal(scale * denominator)
        right = literal(numerator) * _plain(whole)
        return and_(whole > 0, compare(left, right))


@compiles(exact_ratio)
def _exact_ratio(element: exact_ratio, compiler: Any, **kw: Any) -> str:
    # The scale as the element's own parameter: a statement cached from another scale must
    # not keep that one.
    part, whole, scale = list(element.clauses)
    shown = case((whole > 0, _shown(part) * scale / _shown(whole)), else_=null())
    return str(compiler.process(shown, **kw))


def _shown(value: ColumnElement[Any]) -> ColumnElement[Any]:
    if isinstance(value.type, Money):
        value = type_coerce(value, BigInteger())
    return cast(value, Float())


def ratio(part: Any, whole: Any, *, scale: int = 1) -> ColumnElement[float]:
    """`scale × part ÷ whole` as a value that the NUMBER and AMOUNT kinds (or `>=`, `<=`, …
    with a Python int or Decimal) compare exactly. NULL — in no range — unless `whole > 0`.

    `part` and `whole` are both money (their ratio has no unit) or both plain numbers."""
    if not isinstance(scale, int) or isinstance(scale, bool):
        raise TypeError(f"scale must be a whole number, not {scale!r}")
    return exact_ratio(part, whole, scale)


def percentage(part: Any, whole: Any) -> ColumnElement[float]:
    """100 × part ÷ whole, compared exactly: `ratio(part, whole, scale=100)`."""
    return ratio(part, whole, scale=100)


# -- text ----------------------------------------------------------------------------------


def text_equals(value: ColumnElement[Any], text: str) -> ColumnElement[bool]:
    """`value` is `text`, ignoring case and accents (`SOCIÉTÉ` is `societe`); never NULL: an
    empty value equals nothing."""
    return and_(value.is_not(None), folded(value) == fold(text))


def text_contains(value: ColumnElement[Any], text: str) -> ColumnElement[bool]:
    """`value` contains `text`, ignoring case and accents, `%` and `_` read literally; never
    NULL: an empty value contains nothing."""
    return and_(value.is_not(None), folded(value).contains(fold(text), autoescape=True))


# -- days ----------------------------------------------------------------------------------


def days_ago(day: ColumnElement[Any], ledger: Ledger) -> ColumnElement[int]:
    """Whole days from `day` to today (`ledger.today`): 0 today, 1 yesterday, negative in
    the future, NULL when `day` is empty."""
    return days_since(day, literal(ledger.today, Date()))


@dataclass(frozen=True)
class Buckets:
    """Numbers sorted into labelled buckets: each `(upper, label)` takes the values up to
    `upper` inclusive not taken by an earlier one, `over` the rest; an empty value is
    `empty` (None: no bucket). Offer `labels` as a criterion's fixed `values`.

    `Buckets([(0, "current"), (30, "1-30"), (60, "31-60"), (90, "61-90")], over="91+")`
    """

    limits: Sequence[tuple[int, str]]
    over: str
    empty: str | None = None

    def __post_init__(self) -> None:
        uppers = [upper for upper, _ in self.limits]
        if not uppers or uppers != sorted(set(uppers)):
            raise ValueError("Buckets needs limits in increasing order, each once")
        object.__setattr__(self, "limits", tuple(self.limits))

    @property
    def labels(self) -> tuple[str, ...]:
        """Every label, in order: the buckets', `over`, then `empty` if it has one."""
        tail = (self.over,) if self.empty is None else (self.over, self.empty)
        return (*(label for _, label in self.limits), *tail)

    def of(self, value: ColumnElement[Any]) -> ColumnElement[str]:
        """The label of `value`'s bucket."""
        empty = null() if self.empty is None else literal(self.empty)
        whens = [(value.is_(None), empty)]
        whens += [(value <= upper, literal(label)) for upper, label in self.limits]
        return case(*whens, else_=literal(self.over))

    def label_of(self, number: int | None) -> str | None:
        """The label of a Python number: what `of` gives in SQL, for tests."""
        if number is None:
            return self.empty
        return next((label for upper, label in self.limits if number <= upper), self.over)

