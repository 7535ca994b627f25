"""The SQL that reads items (SPEC §8 "Searching items"): their orders, a page of the open
items of the ledger that meet criteria and a search, and one page of items for each
customer of a page of customers.

Items are not indexed for sorting: 2M of them, and an index is written on every import.
A search of items is mostly narrowed by its criteria or text; the page is then the first
rows of the matches, sorted.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, Row, and_, case, func, literal, or_, select
from sqlalchemy.engine import Connection

from graphql_api import keyset
from graphql_api.customer_queries import contains_folded, search_text
from graphql_api.evaluation import CUSTOMER_BASE
from graphql_api.sort_order import DATE, MONEY, TEXT, Kind, Order, SortDirection, Term
from graphql_api.sql_functions import ascii_lower
from graphql_api.storage import customers, items


class ItemSortField(enum.Enum):
    DUE_DATE = "DUE_DATE"
    DOCUMENT_DATE = "DOCUMENT_DATE"
    OPEN_AMOUNT = "OPEN_AMOUNT"
    AMOUNT = "AMOUNT"
    ACCOUNT_NUMBER = "ACCOUNT_NUMBER"
    DOCUMENT_NUMBER = "DOCUMENT_NUMBER"


I = ItemSortField  # noqa: E741
SORT_KEYS: dict[ItemSortField, tuple[ColumnElement[Any], Kind]] = {
    I.DUE_DATE: (items.c.due_date, DATE),
    I.DOCUMENT_DATE: (items.c.document_date, DATE),
    I.OPEN_AMOUNT: (items.c.open_amount, MONEY),
    I.AMOUNT: (items.c.amount, MONEY),
    I.ACCOUNT_NUMBER: (customers.c.account_number, TEXT),
    I.DOCUMENT_NUMBER: (items.c.document_number, TEXT),
}
DEFAULT_ORDER = ((I.DUE_DATE, SortDirection.ASC),)
# An item's columns on a page, with its account number (for Item.customer and the order).
ITEM_COLUMNS = (*items.c, customers.c.account_number.label("account_number"))
ITEM_SOURCE = items.join(customers, customers.c.id == items.c.customer_id)
OPEN = items.c.open_amount != 0


def _term(field: ItemSortField, direction: SortDirection) -> Term:
    expression, kind = SORT_KEYS[field]
    descending = direction is SortDirection.DESC
    # An empty date is infinitely old (first in ASC, last in DESC); an empty amount has no
    # place among amounts: last in both directions, as an empty name among customers.
    nullable = field in (I.DUE_DATE, I.DOCUMENT_DATE, I.AMOUNT)
    nulls_first = not descending if kind is DATE else False
    return Term(field.value, expression, kind, descending, nullable, nulls_first)


def item_order(wanted: Sequence[tuple[ItemSortField, SortDirection]] = ()) -> Order:
    """The order of `wanted` (each field in turn; a field given twice counts once), then
    ascending account number and document number, which no two items share."""
    terms: list[Term] = []
    seen: set[ItemSortField] = set()
    for field_, direction in [*(wanted or DEFAULT_ORDER),
                              (I.ACCOUNT_NUMBER, SortDirection.ASC),
                              (I.DOCUMENT_NUMBER, SortDirection.ASC)]:  # fmt: skip
        if field_ not in seen:
            seen.add(field_)
            terms.append(_term(field_, direction))
        if {I.ACCOUNT_NUMBER, I.DOCUMENT_NUMBER} <= seen:
            break
    signature = "i:" + ",".join(f"{t.name}{'-' if t.descending else '+'}" for t in terms)
    return Order(signature, tuple(terms))


def item_filter(
    customer_part: ColumnElement[bool] | None,
    item_part: ColumnElement[bool] | None,
    search: str | None,
) -> list[ColumnElement[bool]]:
    """The open items meeting the ITEM part of criteria, of the customers meeting their
    CUSTOMER part, whose document number, account number or customer name contains the
    search, ignoring case and accents."""
    filters: list[ColumnElement[bool]] = [OPEN]
    filters += [part for part in (customer_part, item_part) if part is not None]
    needle = search_text(search)
    if needle is not None:
        document = func.coalesce(items.c.document_key, ascii_lower(items.c.document_number))
        filters.append(
            or_(
                contains_folded(document, needle),
                contains_folded(customers.c.account_key, needle),
                contains_folded(customers.c.name_key, needle),
            )
        )
    return filters


def ledger_items(
    conn: Connection, filters: Sequence[ColumnElement[bool]], order: Order, window: keyset.Window
) -> keyset.Page:
    """A page of the items meeting `filters` (see item_filter), in `order`."""
    source = CUSTOMER_BASE.join(items, items.c.customer_id == customers.c.id)
    return keyset.read_page(conn, ITEM_COLUMNS, source, items.c.id, filters, order, window)


def item_count(conn: Connection, filters: Sequence[ColumnElement[bool]]) -> int:
    source = CUSTOMER_BASE.join(items, items.c.customer_id == customers.c.id)
    return int(conn.execute(select(func.count()).select_from(source).where(*filters)).scalar_one())


@dataclass(frozen=True)
class ItemsAsked:
    """What `Customer.items` asks, the same for every customer of a page: its order, page
    and criteria (`criteria` names them: the loader's key; `condition` is their SQL)."""

    order: Order = field(compare=False)
    signature: str
    window: keyset.Window
    criteria: str | None = None
    condition: ColumnElement[bool] | None = field(default=None, compare=False)


@dataclass
class ItemPage(keyset.Page):
    total: int = 0


def customer_item_pages(
    conn: Connection, customer_ids: Sequence[int], asked: ItemsAsked
) -> dict[int, ItemPage]:
    """For each customer, the page of its items `asked` for: all its items, or its open items
    meeting `asked.condition`. One statement: each customer's items are numbered in the
    order, and counted before the `after` cursor and before the `before` one."""
    found = {cid: ItemPage([], False, False) for cid in customer_ids}
    if not customer_ids:
        return found
    terms, window = asked.order.terms, asked.window
    by_customer = {"partition_by": items.c.customer_id}
    position = func.row_number().over(**by_customer, order_by=[t.ordered() for t in terms])

    def counted(condition: ColumnElement[bool]) -> Any:
        return func.sum(case((condition, 1), else_=0)).over(**by_customer)

    total = func.count().over(**by_customer)
    # Items at or before `after`, and items before `before` (all of them without it).
    skipped = literal(0) if window.after is None else total - counted(
        keyset.after(terms, window.after)
    )
    end = total if window.before is None else counted(
        keyset.after(asked.order.reversed().terms, window.before)
    )
    wanted = [items.c.customer_id.in_(list(customer_ids))]
    if asked.condition is not None:
        wanted += [OPEN, asked.condition]
    ranked = (
        select(
            *ITEM_COLUMNS, *asked.order.key_columns(), position.label("position"),
            total.label("total"), skipped.label("skipped"), end.label("end_"),
        )
        .select_from(ITEM_SOURCE)
        .where(*wanted)
        .subquery()
    )  # fmt: skip
    p, size = ranked.c.position, window.size
    if window.forward:
        page = and_(p > ranked.c.skipped, p <= ranked.c.skipped + size, p <= ranked.c.end_)
    else:
        page = and_(p <= ranked.c.end_, p > ranked.c.end_ - size, p > ranked.c.skipped)
    query = (
        select(ranked)  # the last row too, so that every customer's counts are known
        .where(or_(page, p == ranked.c.total))
        .order_by(ranked.c.customer_id, p)
    )
    rows: dict[int, list[Row[Any]]] = {}
    for row in conn.execute(query):
        rows.setdefault(row.customer_id, []).append(row)
    for customer_id, kept in rows.items():
        last = kept[-1]
        if window.forward:
            low = last.skipped
            high = max(low, min(low + size, last.end_))
        else:
            high = last.end_
            low = min(high, max(last.skipped, high - size))
        shown = [row for row in kept if low < row.position <= high]
        found[customer_id] = ItemPage(shown, low > 0, high < last.total, last.total)
    return found
