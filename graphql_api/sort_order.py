"""A connection's order (SPEC §8): its terms, each with its direction and where its empty
value stands, and the cursors that hold a row's sort key. A cursor is client input: it is
read back checked, and a cursor of another order is refused. keyset.py reads the pages."""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import enum
import json
import operator
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import ColumnElement, Row

from graphql_api import compact_json
from graphql_api.errors import has_nul, invalid


class SortDirection(enum.Enum):
    ASC = "ASC"
    DESC = "DESC"


Value = Any  # a term's value: str, int, Decimal, date, or None when the term is nullable
Key = tuple[Value, ...]


@dataclass(frozen=True)
class Kind:
    """How a cursor keeps a term's value as JSON, and reads it back (checked: a cursor is
    client input)."""

    name: str
    to_json: Callable[[Any], Any]
    from_json: Callable[[Any], Any]


def _text(value: Any) -> str:
    if not isinstance(value, str) or has_nul(value) or len(value) > 1000:
        raise ValueError(value)
    return value


def _integer(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or abs(value) > 2**62:
        raise ValueError(value)
    return value


def _money(value: Any) -> Decimal:
    amount = Decimal(_text(value))
    if not amount.is_finite() or amount != amount.quantize(Decimal("0.01")):
        raise ValueError(value)
    return amount


def _date(value: Any) -> dt.date:
    return dt.date.fromisoformat(_text(value))


TEXT = Kind("text", str, _text)
INTEGER = Kind("int", int, _integer)
MONEY = Kind("money", str, _money)
DATE = Kind("date", dt.date.isoformat, _date)


@dataclass(frozen=True)
class Term:
    """One key of an order: an expression, its direction, and where its empty value
    stands (`nulls_first`) when it can be empty."""

    name: str
    expression: ColumnElement[Any]
    kind: Kind
    descending: bool = False
    nullable: bool = False
    nulls_first: bool = False

    def reversed(self) -> Term:
        return replace(self, descending=not self.descending, nulls_first=not self.nulls_first)

    def ordered(self, expression: ColumnElement[Any] | None = None, *, nulls: bool = True) -> Any:
        """The ORDER BY clause; `nulls=False` where the rows read hold no empty value (an
        explicit NULLS clause that differs from the index's would keep it from being used)."""
        target = self.expression if expression is None else expression
        clause = target.desc() if self.descending else target.asc()
        if nulls and self.nullable:
            clause = clause.nulls_first() if self.nulls_first else clause.nulls_last()
        return clause


@dataclass(frozen=True)
class Order:
    """A connection's order: its terms, the last of which is unique (no two rows tie), and
    a signature that a cursor carries, so that a cursor of another order is refused."""

    signature: str
    terms: tuple[Term, ...]
    # Reads a row's key off its mapping (a Row's attributes are several times slower to
    # read): its `k0`, `k1`… columns.
    _key_getter: Callable[[Any], Any] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        names = [f"k{i}" for i in range(len(self.terms))]
        getter = operator.itemgetter(*names)
        # itemgetter of one name gives the value itself
        key_getter = getter if len(names) > 1 else lambda mapping: (getter(mapping),)
        object.__setattr__(self, "_key_getter", key_getter)

    def reversed(self) -> Order:
        return Order(self.signature, tuple(t.reversed() for t in self.terms))

    def key_columns(self) -> list[ColumnElement[Any]]:
        return [t.expression.label(f"k{i}") for i, t in enumerate(self.terms)]

    def key_of(self, row: Row[Any]) -> Key:
        return tuple(self._key_getter(row._mapping))

    def encode(self, key: Key) -> str:
        pairs = zip(self.terms, key, strict=True)
        values = [None if v is None else t.kind.to_json(v) for t, v in pairs]
        return base64.urlsafe_b64encode(compact_json.dumps([self.signature, values])).decode()

    def decode(self, cursor: str, argument: str) -> Key:
        """The key a cursor holds; a UserInputError naming `argument` when it is not a cursor
        this order gave."""
        try:
            signature, values = json.loads(base64.urlsafe_b64decode(cursor.encode()))
            if signature != self.signature or len(values) != len(self.terms):
                raise ValueError(signature)
            return tuple(
                None if v is None and t.nullable else t.kind.from_json(v)
                for t, v in zip(self.terms, values, strict=True)
            )
        except (binascii.Error, UnicodeError, ValueError, TypeError, InvalidOperation):
            raise invalid(
                argument, f"{argument} is not a cursor this connection gave in this order"
            ) from None
