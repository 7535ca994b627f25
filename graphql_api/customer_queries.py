"""The SQL that reads customers for a page: the filters of a search, one page in account
order with its cursors, a count, one customer, and a page's items."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, Row, and_, func, or_, select
from sqlalchemy.engine import Connection

from graphql_api.errors import NUL_MESSAGE, has_nul, invalid
from graphql_api.evaluation import CUSTOMER_BASE, CUSTOMER_COLUMNS
from graphql_api.sql_functions import unicode_lower
from graphql_api.storage import customers, items


def customer_filter(
    condition: ColumnElement[bool] | None, search: str | None
) -> list[ColumnElement[bool]]:
    filters: list[ColumnElement[bool]] = []
    if condition is not None:
        filters.append(condition)
    if has_nul(search):
        raise invalid("search", f"search {NUL_MESSAGE}")
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


def customer_by(
    conn: Connection, *, customer_id: int | None = None, account_number: str | None = None
) -> Row[Any] | None:
    if has_nul(account_number):
        return None  # no account holds U+0000: the import refuses it
    query = select(*CUSTOMER_COLUMNS).select_from(CUSTOMER_BASE)
    if customer_id is not None:
        query = query.where(customers.c.id == customer_id)
    if account_number is not None:
        query = query.where(customers.c.account_number == account_number)
    return conn.execute(query).first()


ITEM_ORDER = (items.c.due_date.is_(None), items.c.due_date, items.c.document_number, items.c.id)


def item_pages(
    conn: Connection, customer_ids: Sequence[int], offset: int, first: int
) -> dict[int, tuple[list[Row[Any]], int]]:
    """For each customer, up to `first` + 1 of its items after the `offset` first ones (oldest due
    date first) and how many items it has: one statement for all the customers."""
    found: dict[int, tuple[list[Row[Any]], int]] = {cid: ([], 0) for cid in customer_ids}
    if not customer_ids:
        return found
    position = func.row_number().over(partition_by=items.c.customer_id, order_by=ITEM_ORDER)
    total = func.count().over(partition_by=items.c.customer_id)
    ranked = (
        select(items, position.label("position"), total.label("total"))
        .where(items.c.customer_id.in_(list(customer_ids)))
        .subquery()
    )
    wanted = and_(ranked.c.position > offset, ranked.c.position <= offset + first + 1)
    query = (
        select(ranked)  # the last row too, so that every customer's total is known
        .where(or_(wanted, ranked.c.position == ranked.c.total))
        .order_by(ranked.c.customer_id, ranked.c.position)
    )
    for row in conn.execute(query):
        rows, _ = found[row.customer_id]
        if offset < row.position <= offset + first + 1:
            rows.append(row)
        found[row.customer_id] = (rows, row.total)
    return found

