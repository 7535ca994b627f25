"""A plugin's predicate whose SQL fails when the database runs it (SPEC §3): finding the
alerts, or the criterion of a search, at fault.

The happy path runs one statement for many alerts, with no savepoint. Only when it
fails does the request context discard its read transaction (on PostgreSQL an error
aborts it), open a new one, and call `failing` here: the suspects run inside a
SAVEPOINT (`conn.begin_nested()`), so a failure costs nothing but itself, by halves
(one culprit among n alerts costs about 2·log2(n) probes), then each culprit's criteria
alone, to name the one at fault. A database that fails even without any plugin's SQL
is not a plugin's fault: the original error stands.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import Any

from sqlalchemy import Dialect
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError, SQLAlchemyError

from graphql_api import customer_queries
from graphql_api.criteria import Ledger, ParsedCriteria
from graphql_api.evaluation import Compiled, compile_criteria

log = logging.getLogger(__name__)

# Runs some alerts' (or one criterion's) conditions, by id, the way the failed statement did.
Probe = Callable[[Connection, Mapping[Any, Compiled]], object]


def is_sql_failure(error: BaseException, dialect: Dialect) -> bool:
    """Whether `error` may be a predicate's SQL failing: SQLAlchemy's error, or the driver's
    own (a statement run on the driver's cursor), but not a lost connection."""
    if isinstance(error, DBAPIError):
        return not error.connection_invalidated
    driver_error = getattr(dialect.loaded_dbapi, "Error", None)
    return isinstance(error, SQLAlchemyError) or (
        driver_error is not None and isinstance(error, driver_error)
    )


def fails(conn: Connection, run: Callable[[], object]) -> bool:
    """Whether `run` fails in the database; the transaction survives either way."""
    try:
        with conn.begin_nested():
            run()
    except Exception as error:
        if not is_sql_failure(error, conn.dialect):
            raise
        log.debug("condition fails in the database: %s", error)
        return True
    return False


def database_works(conn: Connection) -> bool:
    """A control: a statement with no plugin SQL in it runs."""
    return not fails(conn, lambda: customer_queries.customer_count(conn, []))


def failing(
    conn: Connection, ledger: Ledger, suspects: Mapping[Any, Compiled], probe: Probe
) -> dict[Any, str]:
    """The suspects (alerts, compiled) whose condition fails, found by halves, and why: naming
    the criterion at fault when it fails alone. No SQL text (the database's error is logged
    at debug level)."""
    found: dict[Any, str] = {}

    def search(group: list[Any]) -> None:
        conditions = {suspect: suspects[suspect] for suspect in group}
        if not group or not fails(conn, lambda: probe(conn, conditions)):
            return
        if len(group) > 1:
            search(group[: len(group) // 2])
            search(group[len(group) // 2 :])
            return
        criteria = suspects[group[0]].criteria
        keys = [] if criteria is None else culprits(conn, ledger, criteria, probe)
        found[group[0]] = f"{cause(keys)}; the alert matches nothing until the plugin is fixed"
        log.warning("alert %s: %s", group[0], found[group[0]])

    search([suspect for suspect, compiled in suspects.items() if not compiled.problems])
    return found


def culprits(conn: Connection, ledger: Ledger, criteria: ParsedCriteria, probe: Probe) -> list[str]:
    """The criteria whose condition fails alone."""
    keys = []
    for key in criteria:
        single = compile_criteria(criteria.only(key), ledger)
        if not single.problems and fails(conn, lambda c=single, k=key: probe(conn, {k: c})):
            keys.append(key)
    return keys


def cause(keys: list[str]) -> str:
    """Why a condition fails, for a person to read."""
    if not keys:
        return "its criteria fail when the database evaluates them together (a plugin's fault)"
    if len(keys) == 1:
        return f"criterion {keys[0]!r} fails when the database evaluates it (its plugin's fault)"
    return f"criteria {', '.join(map(repr, keys))} fail when the database evaluates them"
