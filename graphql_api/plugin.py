"""Everything a criteria plugin imports, from one place: `from graphql_api.plugin import …`.

docs/plugins.md documents each name; nothing else of `graphql_api` is public to plugins.

- the hook marker: `hookimpl`
- what a plugin returns: `Criterion`, `Scope`, `Ledger` (the tables and today), the kind
  protocol `Kind` and its `KindId`, `CURRENCY` (a unit standing for the company currency)
- the built-in kinds `AMOUNT`, `NUMBER`, `RELATIVE_DATE`, `VALUE_LIST`, `YES_NO`; their input
  types `AmountRange`, `IntRange`, `RelativeDate`, `ValueList`, `ListOp`; the values their
  `parse` returns, `AmountBounds`, `NumberBounds`, `DayBounds`, `ValueChoice`; and
  `input_fields`, which reads an input object either way it comes
- errors: `invalid(field, message)` builds the `UserInputError` a `parse` raises; a
  `UserInputError` carries `problems`, a list of `Problem(code, field, message)`
- SQL helpers, exact and the same on SQLite and PostgreSQL: `percentage`, `ratio`,
  `text_equals`, `text_contains`, `folded`, `fold` (the same folding in Python), `days_ago`,
  `Buckets`; `Money`, the type of the money columns
"""

from graphql_api.criteria import CURRENCY, Criterion, Kind, KindId, Ledger, Scope
from graphql_api.criterion_kinds import (
    AMOUNT,
    NUMBER,
    RELATIVE_DATE,
    VALUE_LIST,
    YES_NO,
    AmountBounds,
    AmountRange,
    DayBounds,
    IntRange,
    ListOp,
    NumberBounds,
    RelativeDate,
    ValueChoice,
    ValueList,
    input_fields,
)
from graphql_api.errors import ErrorCode, Problem, UserInputError, invalid
from graphql_api.hookspecs import hookimpl
from graphql_api.money import Money
from graphql_api.sql_helpers import (
    Buckets,
    days_ago,
    folded,
    percentage,
    ratio,
    text_contains,
    text_equals,
)
from graphql_api.text_folding import fold

__all__ = [
    "AMOUNT",
    "CURRENCY",
    "NUMBER",
    "RELATIVE_DATE",
    "VALUE_LIST",
    "YES_NO",
    "AmountBounds",
    "AmountRange",
    "Buckets",
    "Criterion",
    "DayBounds",
    "ErrorCode",
    "IntRange",
    "Kind",
    "KindId",
    "Ledger",
    "ListOp",
    "Money",
    "NumberBounds",
    "Problem",
    "RelativeDate",
    "Scope",
    "UserInputError",
    "ValueChoice",
    "ValueList",
    "days_ago",
    "fold",
    "folded",
    "hookimpl",
    "input_fields",
    "invalid",
    "percentage",
    "ratio",
    "text_contains",
    "text_equals",
]
