"""The ledger's customers and items by the keys their ids hold (ids.py), for `node` and
`nodes`: one statement for any number of each."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from sqlalchemy import Row, select, tuple_
from sqlalchemy.engine import Connection

from graphql_api.evaluation import CUSTOMER_BASE, CUSTOMER_COLUMNS
from graphql_api.storage import customers, items


def customers_by_rows(conn: Connection, row_ids: Collection[int]) -> dict[int, Row[Any]]:
    """The customers (with their figures, as a page reads them) of these row ids that exist."""
    if not row_ids:
        return {}
    query = select(*CUSTOMER_COLUMNS).select_from(CUSTOMER_BASE)
    rows = conn.execute(query.where(customers.c.id.in_(sorted(row_ids))))
    return {row.id: row for row in rows}


def items_by_keys(
    conn: Connection, keys: Collection[tuple[int, str]]
) -> dict[tuple[int, str], Row[Any]]:
    """The items of these (customer row id, document number) that exist."""
    if not keys:
        return {}
    which = tuple_(items.c.customer_id, items.c.document_number).in_(sorted(keys))
    rows = conn.execute(select(items).where(which))
    return {(row.customer_id, row.document_number): row for row in rows}
