"""The SQL constructs that differ between SQLite and PostgreSQL, compiled for each."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import BindParameter, ColumnElement, Date, Integer, String, bindparam, cast
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.sql.sqltypes import NullType


class days_since(FunctionElement[int]):
    """Whole days from a date to a later date: days_since(due_date, today)."""

    type = Integer()
    inherit_cache = True


@compiles(days_since)
def _days_since_postgresql(element: days_since, compiler: Any, **kw: Any) -> str:
    start, end = list(element.clauses)
    return (
        f"({compiler.process(cast(end, Date), **kw)} - {compiler.process(cast(start, Date), **kw)})"
    )


@compiles(days_since, "sqlite")
def _days_since_sqlite(element: days_since, compiler: Any, **kw: Any) -> str:
    start, end = list(element.clauses)
    return (
        f"CAST(julianday({compiler.process(end, **kw)}) - "
        f"julianday({compiler.process(start, **kw)}) AS INTEGER)"
    )


class ascii_lower(FunctionElement[str]):
    """A text's ASCII letters in lower case, every other character as it is: what
    `text_folding.fold` gives for an ASCII text, the same on both databases (PostgreSQL's
    lower() follows the server's locale; SQLite's folds only ASCII)."""

    type = String()
    inherit_cache = True


_UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


@compiles(ascii_lower)
def _ascii_lower_default(element: ascii_lower, compiler: Any, **kw: Any) -> str:
    text = compiler.process(element.clauses, **kw)
    return f"translate({text}, '{_UPPER}', '{_UPPER.lower()}')"


@compiles(ascii_lower, "sqlite")
def _ascii_lower_sqlite(element: ascii_lower, compiler: Any, **kw: Any) -> str:
    return f"lower({compiler.process(element.clauses, **kw)})"


class one_of(FunctionElement[bool]):
    """value IN (values...), the values bound by one expanding parameter (see `among`).

    SQLite gets the plain IN list, which it looks up in an index. PostgreSQL gets
    `value = ANY(array)`: one parameter however many values, so the statement's text
    never changes and nothing is rendered again when it runs (an IN list re-renders
    every value, with its type cast, on every run).
    """

    # Not Boolean: SQLite (no native booleans) would compare the condition with 1, and an
    # `IN (...) = 1` is no longer looked up in an index.
    type = NullType()
    inherit_cache = True


def among(
    value: ColumnElement[Any],
    values: Sequence[Any] | None = None,
    *,
    name: str | None = None,
    item_type: Any = None,
) -> one_of:
    """`value` is one of `values` (of `item_type`, by default `value`'s type), or of the list
    bound later as `name`."""
    item_type = item_type if item_type is not None else value.type
    if name is not None:
        return one_of(value, bindparam(name, expanding=True, type_=item_type))
    return one_of(value, bindparam(None, list(values or ()), expanding=True, type_=item_type))


@compiles(one_of)
def _one_of_default(element: one_of, compiler: Any, **kw: Any) -> str:
    value, values = list(element.clauses)
    return str(compiler.process(value.in_(values), **kw))


@compiles(one_of, "postgresql")
def _one_of_postgresql(element: one_of, compiler: Any, **kw: Any) -> str:
    value, values = list(element.clauses)
    assert isinstance(values, BindParameter)
    # A clone of the parameter stays bound to the statement's values (SQLAlchemy matches
    # clones to the cache key's parameters), but is one array rather than expanded.
    array = values._clone()
    array.expanding = False
    array.type = ARRAY(values.type)
    return f"({compiler.process(value, **kw)} = ANY({compiler.process(array, **kw)}))"


# -- text folded as `text_folding.fold` folds it, inside the database ---------------------

FOLD_FUNCTION = "dso_fold"


class folded(FunctionElement[str]):
    """A text folded the way `text_folding.fold` folds it (SPEC §8), NULL for NULL: the SQL
    function `dso_fold`, which SQLite runs in Python (`register_sqlite_functions`) and
    PostgreSQL from the table of folded characters that migration 0009 writes."""

    type = String()
    inherit_cache = True


@compiles(folded)
def _folded(element: folded, compiler: Any, **kw: Any) -> str:
    return f"{FOLD_FUNCTION}({compiler.process(element.clauses, **kw)})"


def register_sqlite_functions(dbapi_connection: Any) -> None:
    """The Python functions a SQLite connection needs for `folded` (call on connect)."""
    from graphql_api.text_folding import fold_or_none

    dbapi_connection.create_function(FOLD_FUNCTION, 1, fold_or_none, deterministic=True)


# -- exact arithmetic ---------------------------------------------------------------------


class exact_number(FunctionElement[Any]):
    """A whole number (or cents) in the database's exact arithmetic: NUMERIC on PostgreSQL,
    whose BIGINT products would overflow with an error; SQLite's integers as they are."""

    type = Integer()
    inherit_cache = True


@compiles(exact_number)
def _exact_number(element: exact_number, compiler: Any, **kw: Any) -> str:
    return str(compiler.process(element.clauses, **kw))


@compiles(exact_number, "postgresql")
def _exact_number_postgresql(element: exact_number, compiler: Any, **kw: Any) -> str:
    return f"CAST({compiler.process(element.clauses, **kw)} AS NUMERIC)"
