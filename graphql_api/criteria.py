"""What a criterion is (the object a plugin returns from its `register_criteria` hook), and an
alert's criteria parsed once.

A criterion knows its key, label, description and scope, and takes its input
shape and meaning from a *kind* (see `criterion_kinds`). Most criteria only say
which SQL value they look at; a criterion with its own logic passes
`predicate_fn` instead.

An alert's (or a search's) criteria are parsed once, where they come in: from the GraphQL
input or a caller's JSON (`parse_criteria`, which rejects bad input) or from an alert's
stored JSON (`load_criteria`, which keeps what can no longer be parsed as the alert's
problem). Each kind turns its input into one typed value (`AmountBounds`, `ValueChoice`,
`bool`, …); that value is what is stored (`criteria_json`) and what the predicate is built
from (`evaluation.compile_criteria`).
"""

from __future__ import annotations

import enum
import logging
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from sqlalchemy import ColumnElement, Table
from sqlalchemy.exc import SQLAlchemyError

from graphql_api.errors import ErrorCode, Problem, UserInputError

if TYPE_CHECKING:
    from graphql_api.plugins import CriteriaRegistry

log = logging.getLogger(__name__)

T = TypeVar("T")


class Scope(enum.Enum):
    CUSTOMER = "CUSTOMER"
    ITEM = "ITEM"


class KindId(enum.Enum):
    """What a kind is: one of the five kinds of SPEC §2 (their input type and meaning), or a
    plugin's own. The code tells kinds apart by this, never by their display name."""

    AMOUNT = "AMOUNT"
    NUMBER = "NUMBER"
    RELATIVE_DATE = "RELATIVE_DATE"
    VALUE_LIST = "VALUE_LIST"
    YES_NO = "YES_NO"
    CUSTOM = "CUSTOM"


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


class Kind(Protocol[T]):
    """A criterion kind: the GraphQL input shape, its one typed value, and its SQL meaning."""

    id: KindId
    name: str
    input_type: Any

    def parse(self, raw: Any, field: str) -> T:
        """The typed value of an input, or raise `UserInputError` naming `field`.

        `raw` is the GraphQL input as strawberry built it (an `input_type` instance, or the
        scalar) or JSON (what `to_json` returned, as stored)."""
        ...

    def to_json(self, parsed: T) -> Any:
        """The value as stored: plain JSON that `parse` turns back into `parsed`."""
        ...

    def predicate(
        self, value: ColumnElement[Any], parsed: T, ledger: Ledger
    ) -> ColumnElement[bool]:
        """Compare the SQL `value` with the parsed input."""
        ...

    def example(self, values: Sequence[str]) -> Any:
        """A valid input, as the JSON a client sends in a query's variables. Where the input
        takes values, drawn from `values` (the criterion's values; may be empty)."""
        ...


# What the numbers of a kind mean, unless a criterion says otherwise: an amount is in the
# company currency (given when asked: it is a setting), a relative date counts days.
CURRENCY = "¤"
KIND_UNITS = {KindId.AMOUNT: CURRENCY, KindId.RELATIVE_DATE: "days"}


@dataclass(frozen=True)
class Criterion:
    key: str
    label: str
    description: str
    scope: Scope
    kind: Kind[Any]
    value: Callable[[Ledger], ColumnElement[Any]] | None = None
    predicate_fn: Callable[[Any, Ledger], ColumnElement[bool]] | None = None
    # For list criteria: the SQL value whose distinct values the registry lists, or a fixed
    # list of them (the same as values=).
    known_values: Callable[[Ledger], ColumnElement[Any]] | Sequence[str] | None = None
    # For forms (the registry): a valid input as JSON (default: the kind's, drawn from the
    # values), what its numbers mean (default: the kind's), and a fixed list of values
    # listed in this order instead of those found in the ledger.
    example: Any = None
    unit: str | None = None
    values: Sequence[str] | None = None

    def __post_init__(self) -> None:
        if (self.value is None) == (self.predicate_fn is None):
            raise TypeError(f"criterion {self.key!r}: give exactly one of value= or predicate_fn=")
        if self.known_values is not None and not callable(self.known_values):
            if self.values is not None:
                raise TypeError(f"criterion {self.key!r}: give a fixed list once, as values=")
            object.__setattr__(self, "values", self.known_values)
            object.__setattr__(self, "known_values", None)
        if self.values is not None:
            if isinstance(self.values, str) or not all(isinstance(v, str) for v in self.values):
                raise TypeError(f"criterion {self.key!r}: values= is a sequence of texts")
            object.__setattr__(self, "values", tuple(self.values))  # frozen, like the rest

    @property
    def field(self) -> str:
        """Where its input is, in errors: `criteria.<key>`."""
        return f"criteria.{self.key}"

    def parse(self, raw: Any) -> Any:
        return self.kind.parse(raw, self.field)

    def predicate(self, parsed: Any, ledger: Ledger) -> ColumnElement[bool]:
        if self.predicate_fn is not None:
            return self.predicate_fn(parsed, ledger)
        assert self.value is not None
        return self.kind.predicate(self.value(ledger), parsed, ledger)

    # -- what a form needs (the registry) ------------------------------------------------

    @property
    def lists_values(self) -> bool:
        """Whether the registry lists values for it: a fixed list, its `known_values`, or
        a list of values' `value`."""
        return (
            self.values is not None
            or self.known_values is not None
            or self.kind.id is KindId.VALUE_LIST
        )

    @property
    def values_from_ledger(self) -> bool:
        """Whether its values are those present in the ledger (it lists values, no fixed list)."""
        return self.values is None and self.lists_values

    def values_in_ledger(self, ledger: Ledger) -> ColumnElement[Any] | None:
        """The SQL value whose distinct non-empty values are its values; None when it has a
        fixed list (or lists none)."""
        if not self.values_from_ledger:
            return None
        if callable(self.known_values):
            return self.known_values(ledger)
        if self.kind.id is KindId.VALUE_LIST and self.value is not None:
            return self.value(ledger)
        return None

    def listed_values(self, known: Mapping[str, Sequence[str]]) -> list[str] | None:
        """The values a form offers: its fixed list in its order, else those `known` in the
        ledger; None when it takes no values."""
        if self.values is not None:
            return list(self.values)
        return list(known.get(self.key, ())) if self.lists_values else None

    def example_input(self, values: Sequence[str] = ()) -> Any:
        """A valid input for it, as JSON: its own example, else its kind's drawn from
        `values` (what `listed_values` gives)."""
        return self.example if self.example is not None else self.kind.example(values)

    def unit_in(self, currency: str) -> str | None:
        """What its numbers mean: its own unit, else its kind's (`currency` for amounts)."""
        unit = self.unit if self.unit is not None else KIND_UNITS.get(self.kind.id)
        return currency if unit == CURRENCY else unit


# -- an alert's criteria, parsed once ----------------------------------------------------


@dataclass(frozen=True)
class ParsedCriterion:
    """One criterion of an alert or a search, with its input as its kind parsed it."""

    criterion: Criterion
    value: Any

    def to_json(self) -> Any:
        return self.criterion.kind.to_json(self.value)

    def predicate(self, ledger: Ledger) -> ColumnElement[bool]:
        return self.criterion.predicate(self.value, ledger)


@dataclass(frozen=True, eq=False)
class ParsedCriteria(Mapping[str, ParsedCriterion]):
    """Criteria by key, in input order, each parsed once. Loaded from storage, a criterion
    that can no longer be parsed (its plugin is gone or changed) is left out and `problems`
    says why: the alert then matches nothing."""

    parsed: Mapping[str, ParsedCriterion]
    problems: tuple[str, ...] = ()

    def __getitem__(self, key: str) -> ParsedCriterion:
        return self.parsed[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self.parsed)

    def __len__(self) -> int:
        return len(self.parsed)

    def only(self, key: str) -> ParsedCriteria:
        """This one criterion alone (to find which criterion's SQL fails)."""
        return ParsedCriteria({key: self.parsed[key]})


def parse_criteria(registry: CriteriaRegistry, raw: Mapping[str, Any]) -> ParsedCriteria:
    """Criteria given by a user, by key: GraphQL input values or JSON. Every problem is
    reported at once, naming its field (`criteria.overdueAmount.min`); a null is not given."""
    problems: list[Problem] = []
    parsed: dict[str, ParsedCriterion] = {}
    for key, value in raw.items():
        if value is None:
            continue
        criterion = registry.get(key)
        if criterion is None:
            problems.append(
                Problem(ErrorCode.VALIDATION, f"criteria.{key}", f"unknown criterion {key!r}")
            )
            continue
        try:
            parsed[key] = ParsedCriterion(criterion, criterion.parse(value))
        except UserInputError as error:
            problems.extend(error.problems)
        except Exception as error:  # a plugin's parse must not take the request down
            problems.append(
                Problem(
                    ErrorCode.VALIDATION,
                    criterion.field,
                    f"criterion {key!r} could not check its input ({type(error).__name__})",
                )
            )
    if not parsed and not problems:
        problems.append(Problem(ErrorCode.VALIDATION, "criteria", "give at least one criterion"))
    if problems:
        raise UserInputError(problems)
    return ParsedCriteria(parsed)


def load_criteria(registry: CriteriaRegistry, stored: Mapping[str, Any]) -> ParsedCriteria:
    """An alert's criteria as stored. Never raises: what cannot be parsed any more is one of
    the alert's `problems` (SPEC §3: it then matches nothing, and says why)."""
    problems: list[str] = []
    parsed: dict[str, ParsedCriterion] = {}
    for key, value in stored.items():
        if value is None:
            continue
        criterion = registry.get(key)
        if criterion is None:
            problems.append(
                f"criterion {key!r} is not available: its plugin is not installed or failed to load"
            )
            continue
        try:
            parsed[key] = ParsedCriterion(criterion, criterion.parse(value))
        except UserInputError as error:
            problems.append(f"criterion {key!r} no longer accepts this alert's input: {error}")
        except Exception as error:
            log.warning("criterion %r could not read an alert's stored input", key, exc_info=True)
            problems.append(f"criterion {key!r} failed: {plugin_failure(error)}")
    return ParsedCriteria(parsed, tuple(problems))


def criteria_json(criteria: ParsedCriteria) -> dict[str, Any]:
    """The criteria as an alert stores them (and `Alert.criteria` answers them)."""
    return {key: parsed.to_json() for key, parsed in criteria.items()}


def plugin_failure(error: Exception) -> str:
    """A plugin's exception, for its alerts' `problems`: short, and never SQL (that is logged)."""
    if isinstance(error, SQLAlchemyError):
        return "its predicate is not a valid SQL condition"
    described = f"{type(error).__name__}: {error}"
    return described if len(described) <= 200 else described[:199] + "…"
