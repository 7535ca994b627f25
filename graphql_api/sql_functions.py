"""The two SQL functions that differ between SQLite and PostgreSQL, compiled for each."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Date, Integer, String, cast
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement


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


class unicode_lower(FunctionElement[str]):
    """lower() that folds every letter (SQLite's own folds only ASCII)."""

    type = String()
    inherit_cache = True


@compiles(unicode_lower)
def _lower_default(element: unicode_lower, compiler: Any, **kw: Any) -> str:
    return f"lower({compiler.process(element.clauses, **kw)})"


@compiles(unicode_lower, "sqlite")
def _lower_sqlite(element: unicode_lower, compiler: Any, **kw: Any) -> str:
    # py_lower is registered on every SQLite connection by storage.create_db_engine.
    return f"py_lower({compiler.process(element.clauses, **kw)})"
