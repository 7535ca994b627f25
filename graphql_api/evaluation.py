"""Where alerts and searches meet SQL: criteria compiled into one boolean expression,
and the counts of a few conditions from scratch.

Every alert compiles to one expression over `customers JOIN customer_figures`;
item criteria become one EXISTS over the customer's open items. Membership
(membership_eval.py) evaluates many alerts at once from the same compilation.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import TypeVar

from sqlalchemy import (
    ColumnElement,
    and_,
    exists,
    false,
    func,
    literal_column,
    select,
    true,
)
from sqlalchemy.engine import Connection
from sqlalchemy.exc import SQLAlchemyError

from graphql_api.criteria import Ledger, ParsedCriteria, Scope, plugin_failure
from graphql_api.plugins import CriteriaRegistry
from graphql_api.storage import customer_figures, customers, items, reminders

log = logging.getLogger(__name__)
K = TypeVar("K")

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
    # (membership_eval.py): the CUSTOMER-scope part, and the ITEM-scope part over one open item
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


def match_counts(conn: Connection, conditions: Mapping[K, ColumnElement[bool]]) -> dict[K, int]:
    """How many customers each condition matches, counted from scratch by one statement (a
    COUNT(*) FILTER per condition). The API reads the counts membership keeps; this is the
    independent count that tests, the criteria probe and the bench compare with."""
    if not conditions:
        return {}
    columns = [func.count().filter(condition) for condition in conditions.values()]
    row = conn.execute(select(*columns).select_from(CUSTOMER_BASE)).one()
    return dict(zip(conditions, (int(n) for n in row), strict=True))


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
