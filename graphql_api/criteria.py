"""What a criterion is: the object a plugin returns from its `register_criteria` hook.

A criterion knows its key, label, description and scope, and takes its input
shape and meaning from a *kind* (see `criterion_kinds`). Most criteria only say
which SQL value they look at; a criterion with its own logic passes
`predicate` instead.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any, Protocol

from sqlalchemy import ColumnElement, Table


class Scope(enum.Enum):
    CUSTOMER = "CUSTOMER"
    ITEM = "ITEM"


@dataclass(frozen=True)
class Ledger:
    """What a predicate is built against: the tables and the reference date.

    CUSTOMER-scope predicates may use `customers` and `figures` (one row per
    customer, joined); ITEM-scope predicates use `items`, and are only ever
    asked about open items.
    """

    customers: Table
    figures: Table
    items: Table
    reminders: Table
    today: date


class Kind(Protocol):
    """A criterion kind: the GraphQL input shape and what it means in SQL."""

    name: str
    input_type: Any

    def validate(self, raw: Any, field: str) -> Any:
        """Return the input normalised to JSON, or raise `UserInputError` naming `field`."""
        ...

    def predicate(
        self, value: ColumnElement[Any], spec: Any, ledger: Ledger
    ) -> ColumnElement[bool]:
        """Compare `value` with the validated input `spec`."""
        ...

    def describe_input(self) -> str:
        """A one-line example of the input, for the registry and the docs."""
        ...


@dataclass(frozen=True)
class Criterion:
    key: str
    label: str
    description: str
    scope: Scope
    kind: Kind
    value: Callable[[Ledger], ColumnElement[Any]] | None = None
    predicate_fn: Callable[[Any, Ledger], ColumnElement[bool]] | None = None
    # For list criteria: the SQL value whose distinct values the registry lists.
    known_values: Callable[[Ledger], ColumnElement[Any]] | None = None

    def __post_init__(self) -> None:
        if (self.value is None) == (self.predicate_fn is None):
            raise TypeError(f"criterion {self.key!r}: give exactly one of value= or predicate_fn=")

    def validate(self, raw: Any) -> Any:
        return self.kind.validate(raw, f"criteria.{self.key}")

    def predicate(self, spec: Any, ledger: Ledger) -> ColumnElement[bool]:
        if self.predicate_fn is not None:
            return self.predicate_fn(spec, ledger)
        assert self.value is not None
        return self.kind.predicate(self.value(ledger), spec, ledger)
