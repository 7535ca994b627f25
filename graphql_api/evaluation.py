"""Where alerts and searches meet SQL: criteria compiled into one boolean expression,
and the few statements every request is made of.

Every alert compiles to one expression over `customers JOIN customer_figures`;
item criteria become one EXISTS over the customer's open items. Many alerts
are then answered by one statement: one COUNT(*) FILTER per alert for the
counts, one boolean column per alert for a page of bells.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Integer,
    and_,
    exists,
    false,
    func,
    literal_column,
    select,
    true,
    type_coerce,
)
from sqlalchemy.engine import Connection
from sqlalchemy.exc import SQLAlchemyError

from graphql_api.criteria import Ledger, ParsedCriteria, Scope, plugin_failure
from graphql_api.plugins import CriteriaRegistry
from graphql_api.sql_functions import among
from graphql_api.storage import customer_figures, customers, items, reminders

log = logging.getLogger(__name__)

# An open item, with a literal 0: the same text as the open items' index (storage.py), which
# lets SQLite and PostgreSQL prove that a query may read it.
OPEN = items.c.open_amount != literal_column("0")
CUSTOMER_BASE = customers.join(customer_figures, customer_figures.c.customer_id == customers.c.id)
CUSTOMER_COLUMNS = (
    *customers.c,
    *(c for c in customer_figures.c if c.name not in ("customer_id", "account_number")),
)


def ledger_for(today: date) -> Ledger:
    return Ledger(customers, customer_figures, items, reminders, today)


@dataclass(frozen=True)
class Compiled:
    """An alert's criteria as one SQL condition, or why it cannot be evaluated."""

    condition: ColumnElement[bool]
    problems: tuple[str, ...] = ()
    # The same condition in two parts, for the statements that evaluate many alerts at once
    # (AlertStatements): the CUSTOMER-scope part, and the ITEM-scope part over one open item
    # (None when the alert has no ITEM criterion). Both None when the alert has problems.
    customer_part: ColumnElement[bool] | None = None
    item_part: ColumnElement[bool] | None = None
    # What was compiled: to compile each criterion alone when the database rejects the whole.
    criteria: ParsedCriteria | None = field(default=None, compare=False)


def compile_criteria(criteria: ParsedCriteria, ledger: Ledger) -> Compiled:
    """One boolean expression for parsed criteria (see `criteria.parse_criteria` and
    `criteria.load_criteria`).

    An alert that cannot be evaluated matches nothing and says why in `problems`: what could
    not be loaded, then each predicate that fails to build.
    """
    customer_conditions: list[ColumnElement[bool]] = []
    item_conditions: list[ColumnElement[bool]] = []
    problems = list(criteria.problems)
    for key, parsed in criteria.items():
        try:
            # and_() checks it is a SQL condition (a plugin's mistake is caught here, as its
            # alert's problem, not when many alerts are combined); true() itself drops out.
            condition = and_(true(), parsed.predicate(ledger))
        except Exception as error:
            log.warning("criterion %r could not build its SQL condition", key, exc_info=True)
            problems.append(f"criterion {key!r} failed: {plugin_failure(error)}")
            continue
        if parsed.criterion.scope is Scope.ITEM:
            item_conditions.append(condition)
        else:
            customer_conditions.append(condition)
    if not criteria and not criteria.problems:
        problems.append("the alert has no criteria")
    if problems:
        return Compiled(false(), tuple(problems), criteria=criteria)
    customer_part = and_(true(), *customer_conditions)
    item_part = and_(*item_conditions) if item_conditions else None
    if item_conditions:
        customer_conditions.append(
            exists().where(
                items.c.customer_id == customers.c.id,
                OPEN,
                *item_conditions,
            )
        )
    condition = and_(true(), *customer_conditions)
    return Compiled(condition, (), customer_part, item_part, criteria)


class AlertStatements:
    """The two many-alert statements for a fixed set of alert conditions, built once.

    Running the same statement objects again lets SQLAlchemy reuse their compiled form
    without walking a hundred conditions for a cache key on every request.
    """

    def __init__(self, conditions: Mapping[int, ColumnElement[bool] | Compiled]) -> None:
        self.ids = list(conditions)
        self._conditions = dict(conditions)
        self._built: dict[tuple[str, str], Any] = {}

    # ITEM criteria: one correlated EXISTS per alert and customer is the natural form, but
    # PostgreSQL runs EXISTS in a select list or a FILTER as a subplan per row (or hashes all
    # the items per alert): ~10× the cost of one pass over the open items that computes every
    # ITEM alert's flag per customer (bool_or / max), which is also the faster bell page on
    # SQLite. For the counts over every customer SQLite prefers EXISTS, which stops at the
    # first matching item and is skipped when the customer part already fails.
    def _statement(self, kind: str, dialect: str) -> Any:
        found = self._built.get((kind, dialect))
        if found is None:
            grouped = kind == "matching" or dialect == "postgresql"
            found = self._built[(kind, dialect)] = self._build(kind, dialect, grouped)
        return found

    def _build(self, kind: str, dialect: str, grouped: bool) -> Any:
        flags: dict[int, Any] = {}
        source: Any = CUSTOMER_BASE
        parts = {i: c for i, c in self._conditions.items() if isinstance(c, Compiled)}
        if grouped and any(c.item_part is not None for c in parts.values()):
            either = func.bool_or if dialect == "postgresql" else func.max
            with_items = {i: c.item_part for i, c in parts.items() if c.item_part is not None}
            item_flags = select(
                items.c.customer_id,
                *(either(part).label(f"i{i}") for i, part in with_items.items()),
            ).where(OPEN)
            if kind == "matching":
                item_flags = item_flags.where(among(items.c.customer_id, name="item_customer_ids"))
            subquery = item_flags.group_by(items.c.customer_id).subquery("item_flags")
            source = CUSTOMER_BASE.outerjoin(subquery, subquery.c.customer_id == customers.c.id)
            flags = {i: subquery.c[f"i{i}"] for i in with_items}

        def condition(i: int) -> ColumnElement[bool]:
            c = self._conditions[i]
            if not isinstance(c, Compiled):
                return c
            if i in flags:
                return and_(c.customer_part, flags[i])  # NULL (no open item) counts as false
            return c.condition

        if kind == "counts":
            columns = (func.count().filter(condition(i)).label(f"a{i}") for i in self.ids)
            return select(*columns).select_from(source)
        return (
            # Read as plain integers: a Boolean column on SQLite converts every value in Python.
            select(
                customers.c.id,
                *(type_coerce(condition(i), Integer).label(f"a{i}") for i in self.ids),
            )
            .select_from(source)
            .where(among(customers.c.id, name="customer_ids"))
        )

    def match_counts(self, conn: Connection) -> dict[int, int]:
        """How many customers match each condition, from one statement."""
        if not self.ids:
            return {}
        row = conn.execute(self._statement("counts", conn.dialect.name)).one()
        return dict(zip(self.ids, (int(n) for n in row), strict=True))

    def matching_alerts(
        self, conn: Connection, customer_ids: Sequence[int]
    ) -> dict[int, list[int]]:
        """For each customer, the ids of the conditions it matches: one statement."""
        result: dict[int, list[int]] = {cid: [] for cid in customer_ids}
        if not customer_ids or not self.ids:
            return result
        ids = self.ids
        wanted = [int(cid) for cid in customer_ids]
        for row in self._matching_rows(conn, wanted):
            result[row[0]] = [alert_id for alert_id, hit in zip(ids, row[1:], strict=True) if hit]
        return result

    def _matching_rows(self, conn: Connection, wanted: list[int]) -> Any:
        # Bound parameters only: ValueList values come from users and never become SQL text.
        statement = self._statement("matching", conn.dialect.name)
        return conn.execute(statement, {"customer_ids": wanted, "item_customer_ids": wanted}).all()


def match_counts(
    conn: Connection, conditions: Mapping[int, ColumnElement[bool] | Compiled]
) -> dict[int, int]:
    """How many customers match each condition, from one statement."""
    return AlertStatements(conditions).match_counts(conn)


def matching_alerts(
    conn: Connection,
    customer_ids: Sequence[int],
    conditions: Mapping[int, ColumnElement[bool] | Compiled],
) -> dict[int, list[int]]:
    """For each customer, the ids of the conditions it matches: one statement for them all."""
    return AlertStatements(conditions).matching_alerts(conn, customer_ids)


def known_values(
    conn: Connection, registry: CriteriaRegistry, ledger: Ledger, *, savepoints: bool = False
) -> dict[str, list[str]]:
    """For list criteria, the distinct values present in the ledger, sorted. A plugin's SQL
    that fails in the database raises (on PostgreSQL the transaction is then lost), unless
    each statement runs in a savepoint: then that criterion has no values."""
    values: dict[str, list[str]] = {}
    for key, criterion in registry.criteria.items():
        try:
            found = criterion.values_in_ledger(ledger)
            if found is None:
                continue
            expression = found.label("v")
            source = items if criterion.scope is Scope.ITEM else CUSTOMER_BASE
            query = select(expression).select_from(source).where(expression.is_not(None)).distinct()
        except Exception:  # a plugin's expression
            values[key] = []
            continue
        if not savepoints:
            values[key] = sorted(str(v) for (v,) in conn.execute(query))
            continue
        try:
            with conn.begin_nested():
                values[key] = sorted(str(v) for (v,) in conn.execute(query))
        except SQLAlchemyError:
            values[key] = []
    return values
