"""CREATE TEMPORARY TABLE … AS a query, as one statement SQLAlchemy executes.

PostgreSQL plans no parallel query for an INSERT … SELECT, but does for the query of a
CREATE TABLE … AS (membership_eval.py writes an evaluation over every customer so)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Table
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql import ClauseElement, Executable, Select


class CreatedAs(Executable, ClauseElement):
    """CREATE TEMPORARY TABLE `table` AS `query`, dropped at the latest when the transaction
    ends; its columns are the query's (PostgreSQL)."""

    inherit_cache = False  # built once per evaluation, around a query of its own

    def __init__(self, table: Table, query: Select[Any]) -> None:
        self.table = table
        self.query = query


@compiles(CreatedAs, "postgresql")
def _create_as(element: CreatedAs, compiler: Any, **kw: Any) -> str:
    query = compiler.process(element.query, **kw)
    return f"CREATE TEMPORARY TABLE {element.table.name} ON COMMIT DROP AS {query}"
