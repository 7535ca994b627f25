"""Where alerts and searches meet SQL: criteria compiled into one boolean expression,
and the few statements every request is made of.

Every alert compiles to one expression over `customers JOIN customer_figures`;
item criteria become one EXISTS over the customer's open items. Many alerts
are then answered by one statement: one COUNT(*) FILTER per alert for the
counts, one boolean column per alert for a page of bells.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Row,
    and_,
    exists,
    false,
    func,
    or_,
    select,
    true,
)
from sqlalchemy.engine import Connection

from graphql_api.criteria import Ledger, Scope
from graphql_api.errors import ErrorCode, Problem, UserInputError, invalid
from graphql_api.plugins import CriteriaRegistry
from graphql_api.sql_functions import unicode_lower
from graphql_api.storage import customer_figures, customers, items, reminders

CUSTOMER_BASE = customers.join(customer_figures, customer_figures.c.customer_id == customers.c.id)
CUSTOMER_COLUMNS = (*customers.c, *(c for c in customer_figures.c if c.name != "customer_id"))


def ledger_for(today: date) -> Ledger:
    return Ledger(customers, customer_figures, items, reminders, today)


def validate_criteria(registry: CriteriaRegistry, raw: Mapping[str, Any]) -> dict[str, Any]:
    """Normalise criteria as stored; every problem is reported at once, naming its field."""
    problems: list[Problem] = []
    spec: dict[str, Any] = {}
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
            spec[key] = criterion.validate(value)
        except UserInputError as error:
            problems.extend(error.problems)
        except Exception as error:  # a plugin's validator must not take the request down
            problems.append(
                Problem(
                    ErrorCode.VALIDATION,
                    f"criteria.{key}",
                    f"criterion {key!r} could not check its input ({type(error).__name__})",
                )
            )
    if not spec and not problems:
        problems.append(Problem(ErrorCode.VALIDATION, "criteria", "give at least one criterion"))
    if problems:
        raise UserInputError(problems)
    return spec


@dataclass(frozen=True)
class Compiled:
    """An alert's criteria as one SQL condition, or why it cannot be evaluated."""

    condition: ColumnElement[bool]
    problems: tuple[str, ...] = ()


def compile_criteria(
    registry: CriteriaRegistry, spec: Mapping[str, Any], ledger: Ledger
) -> Compiled:
    """One boolean expression for stored criteria; an alert that can't be evaluated matches nothing."""
    customer_conditions: list[ColumnElement[bool]] = []
    item_conditions: list[ColumnElement[bool]] = []
    problems: list[str] = []
    for key, value in spec.items():
        criterion = registry.get(key)
        if criterion is None:
            problems.append(f"criterion {key!r} is not available: its plugin is not installed or failed to load")
            continue
        try:
            condition = criterion.predicate(criterion.validate(value), ledger)
        except UserInputError as error:
            problems.append(f"criterion {key!r} no longer accepts this alert's input: {error}")
            continue
        except Exception as error:
            problems.append(f"criterion {key!r} failed: {type(error).__name__}: {error}")
            continue
        if criterion.scope is Scope.ITEM:
            item_conditions.append(condition)
        else:
            customer_conditions.append(condition)
    if not spec:
        problems.append("the alert has no criteria")
    if problems:
        return Compiled(false(), tuple(problems))
    if item_conditions:
        customer_conditions.append(
            exists().where(
                items.c.customer_id == customers.c.id,
                items.c.open_amount != 0,
                *item_conditions,
            )
        )
    return Compiled(and_(true(), *customer_conditions))


def match_counts(conn: Connection, conditions: Mapping[int, ColumnElement[bool]]) -> dict[int, int]:
    """How many customers match each condition, from one statement."""
    if not conditions:
        return {}
    ids = list(conditions)
    columns = [func.count().filter(conditions[i]).label(f"a{i}") for i in ids]
    row = conn.execute(select(*columns).select_from(CUSTOMER_BASE)).one()
    return dict(zip(ids, (int(n) for n in row), strict=True))


def matching_alerts(
    conn: Connection, customer_ids: Sequence[int], conditions: Mapping[int, ColumnElement[bool]]
) -> dict[int, list[int]]:
    """For each customer, the ids of the conditions it matches: one statement, one column per alert."""
    result: dict[int, list[int]] = {cid: [] for cid in customer_ids}
    if not customer_ids or not conditions:
        return result
    ids = list(conditions)
    query = select(customers.c.id, *(conditions[i].label(f"a{i}") for i in ids)).select_from(
        CUSTOMER_BASE
    ).where(customers.c.id.in_(list(customer_ids)))
    for row in conn.execute(query):
        result[row[0]] = [alert_id for alert_id, hit in zip(ids, row[1:], strict=True) if hit]
    return result


def customer_filter(
    condition: ColumnElement[bool] | None, search: str | None
) -> list[ColumnElement[bool]]:
    filters: list[ColumnElement[bool]] = []
    if condition is not None:
        filters.append(condition)
    if search and search.strip():
        needle = search.strip().lower()
        filters.append(
            or_(
                unicode_lower(customers.c.account_number).contains(needle, autoescape=True),
                unicode_lower(customers.c.name).contains(needle, autoescape=True),
            )
        )
    return filters


def encode_cursor(account_number: str) -> str:
    return base64.urlsafe_b64encode(f"c:{account_number}".encode()).decode()


def decode_cursor(cursor: str, field: str = "after") -> str:
    try:
        decoded = base64.urlsafe_b64decode(cursor.encode()).decode()
    except (binascii.Error, UnicodeError, ValueError):
        decoded = ""
    if not decoded.startswith("c:"):
        raise invalid(field, f"{field} is not a cursor returned by this API")
    return decoded[2:]


def customer_page(
    conn: Connection, filters: list[ColumnElement[bool]], after: str | None, first: int
) -> tuple[list[Row[Any]], bool]:
    """A page of customers in account-number order, and whether more follow."""
    query = select(*CUSTOMER_COLUMNS).select_from(CUSTOMER_BASE).where(*filters)
    if after is not None:
        query = query.where(customers.c.account_number > after)
    rows = list(conn.execute(query.order_by(customers.c.account_number).limit(first + 1)))
    return rows[:first], len(rows) > first


def customer_count(conn: Connection, filters: list[ColumnElement[bool]]) -> int:
    query = select(func.count()).select_from(CUSTOMER_BASE).where(*filters)
    return int(conn.execute(query).scalar_one())


def customer_by(conn: Connection, *, customer_id: int | None = None, account_number: str | None = None) -> Row[Any] | None:
    query = select(*CUSTOMER_COLUMNS).select_from(CUSTOMER_BASE)
    if customer_id is not None:
        query = query.where(customers.c.id == customer_id)
    if account_number is not None:
        query = query.where(customers.c.account_number == account_number)
    return conn.execute(query).first()


def known_values(conn: Connection, registry: CriteriaRegistry, ledger: Ledger) -> dict[str, list[str]]:
    """For list criteria, the distinct values present in the ledger, sorted."""
    values: dict[str, list[str]] = {}
    for key, criterion in registry.criteria.items():
        expression_of = criterion.known_values or (
            criterion.value if criterion.kind.name == "list of values" else None
        )
        if expression_of is None:
            continue
        try:
            expression = expression_of(ledger).label("v")
            source = items if criterion.scope is Scope.ITEM else CUSTOMER_BASE
            query = select(expression).select_from(source).where(expression.is_not(None)).distinct()
            values[key] = sorted(str(v) for (v,) in conn.execute(query))
        except Exception:
            values[key] = []
    return values
