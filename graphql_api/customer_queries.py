"""The SQL that reads customers for a page: the filters of a search, the orders of SPEC §8
and a page in one of them, a count, and customers by id or account number.

**Orders and their indexes.** Ties are broken by ascending account number whatever the
direction, so an order by a figure reads `(figure, account number)`. `customer_figures`
keeps a copy of the account number (written with the figures) so that both live in one
table and one index, `(figure DESC, account_number)`: the page is one index range, not a
join sorted whole. Each field has one index, in the direction a collector reads it first
(amounts and days from the largest, dates from the oldest, names from A); the other
direction reads the same index backwards and sorts each group of equal values by account
number, which costs nothing while groups are small and one sort of the group when a page
enters a large one (e.g. the many customers with nothing disputed). A second index per
field would make both directions free, at the cost of writing it on every import.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, FromClause, Row, func, or_, select
from sqlalchemy.engine import Connection

from graphql_api import keyset
from graphql_api.errors import NUL_MESSAGE, has_nul, invalid
from graphql_api.evaluation import CUSTOMER_BASE, CUSTOMER_COLUMNS
from graphql_api.sort_order import DATE, INTEGER, MONEY, TEXT, Kind, Order, SortDirection, Term
from graphql_api.storage import customer_figures, customers
from graphql_api.text_folding import fold


class CustomerSortField(enum.Enum):
    ACCOUNT_NUMBER = "ACCOUNT_NUMBER"
    NAME = "NAME"
    OUTSTANDING_AMOUNT = "OUTSTANDING_AMOUNT"
    OVERDUE_AMOUNT = "OVERDUE_AMOUNT"
    NOT_DUE_AMOUNT = "NOT_DUE_AMOUNT"
    DISPUTED_AMOUNT = "DISPUTED_AMOUNT"
    UNCOVERED_AMOUNT = "UNCOVERED_AMOUNT"
    CREDIT_LIMIT_EXCESS = "CREDIT_LIMIT_EXCESS"
    DAYS_OVERDUE = "DAYS_OVERDUE"
    LAST_REMINDER_DATE = "LAST_REMINDER_DATE"
    LAST_PAYMENT_DATE = "LAST_PAYMENT_DATE"
    BELL = "BELL"


F = CustomerSortField
figures = customer_figures.c
# field → (expression, kind, whether it is a figure): an empty date is infinitely old (first
# in ASC, last in DESC); an empty name comes last in both directions (see `_term`). Days
# overdue are read by the oldest overdue date, which a new day does not move (figures.py):
# the most days first is the oldest date first (`oldest_overdue_key`, storage.py).
SORT_KEYS: dict[CustomerSortField, tuple[ColumnElement[Any], Kind, bool]] = {
    F.ACCOUNT_NUMBER: (customers.c.account_number, TEXT, False),
    F.NAME: (customers.c.name_key, TEXT, False),
    F.OUTSTANDING_AMOUNT: (figures.outstanding_amount, MONEY, True),
    F.OVERDUE_AMOUNT: (figures.overdue_amount, MONEY, True),
    F.NOT_DUE_AMOUNT: (figures.not_due_amount, MONEY, True),
    F.DISPUTED_AMOUNT: (figures.disputed_amount, MONEY, True),
    F.UNCOVERED_AMOUNT: (figures.uncovered_amount, MONEY, True),
    F.CREDIT_LIMIT_EXCESS: (figures.credit_limit_excess, MONEY, True),
    F.DAYS_OVERDUE: (figures.oldest_overdue_key, DATE, True),
    F.LAST_REMINDER_DATE: (figures.last_reminder_date, DATE, True),
    F.LAST_PAYMENT_DATE: (customers.c.last_payment_date, DATE, False),
}
DEFAULT_ORDER = ((F.ACCOUNT_NUMBER, SortDirection.ASC),)


@dataclass(frozen=True)
class BellKey:
    """What BELL sorts by: each customer's key in the viewer's bell (bell_queries.py), which
    the source read must join; empty (`nullable`) for a customer with no entry, who comes
    last in both directions."""

    expression: ColumnElement[Any]
    nullable: bool
    # The account number beside the key, when the keys are stored with it (bell_keys.py):
    # the page is then one index range.
    account_number: ColumnElement[Any] | None = None


def _term(field: CustomerSortField, direction: SortDirection, bell: BellKey | None) -> Term:
    if field is F.BELL:
        assert bell is not None, "BELL sorts by a key the caller joins"
        descending = direction is SortDirection.DESC
        return Term(field.value, bell.expression, INTEGER, descending, bell.nullable)
    expression, kind, _ = SORT_KEYS[field]
    descending = direction is SortDirection.DESC
    if field is F.DAYS_OVERDUE:
        return Term(field.value, expression, kind, not descending)  # the most days: the oldest
    nullable = field in (F.NAME, F.LAST_REMINDER_DATE, F.LAST_PAYMENT_DATE)
    # Dates: empty is the oldest, so first when ascending; names: empty is last either way.
    nulls_first = not descending if kind is DATE else False
    return Term(field.value, expression, kind, descending, nullable, nulls_first)


def customer_order(
    wanted: Sequence[tuple[CustomerSortField, SortDirection]] = (),
    bell: BellKey | None = None,
) -> Order:
    """The order of `wanted` (each field applies in turn; a field given twice counts once),
    then ascending account number. BELL sorts by `bell`."""
    terms: list[Term] = []
    seen: set[CustomerSortField] = set()
    for field, direction in wanted or DEFAULT_ORDER:
        if field in seen:
            continue
        seen.add(field)
        terms.append(_term(field, direction, bell))
        if field is F.ACCOUNT_NUMBER:
            break  # unique: nothing is left to order
    else:
        # The account number of the table the first field is in: one index holds both.
        first = wanted[0][0] if wanted else F.ACCOUNT_NUMBER
        first_is_figure = first in SORT_KEYS and SORT_KEYS[first][2]
        account = figures.account_number if first_is_figure else customers.c.account_number
        if first is F.BELL and bell is not None and bell.account_number is not None:
            account = bell.account_number
        terms.append(Term("ACCOUNT_NUMBER", account, TEXT))
    signature = "c:" + ",".join(f"{t.name}{'-' if t.descending else '+'}" for t in terms)
    return Order(signature, tuple(terms))


def contains_folded(column: ColumnElement[Any], needle: str) -> ColumnElement[bool]:
    """`column` (a folded key) contains the folded `needle`, which LIKE reads literally."""
    return column.contains(needle, autoescape=True)


def search_text(search: str | None) -> str | None:
    """The folded text a search looks for; None when there is nothing to look for."""
    if has_nul(search):
        raise invalid("search", f"search {NUL_MESSAGE}")
    if search is None or not search.strip():
        return None
    return fold(search.strip())


def customer_filter(
    condition: ColumnElement[bool] | None, search: str | None
) -> list[ColumnElement[bool]]:
    """The condition (if any) and the search: its text in the account number or the name,
    ignoring case and accents (SPEC §8)."""
    filters: list[ColumnElement[bool]] = []
    if condition is not None:
        filters.append(condition)
    needle = search_text(search)
    if needle is not None:
        filters.append(
            or_(
                contains_folded(customers.c.account_key, needle),
                contains_folded(customers.c.name_key, needle),
            )
        )
    return filters


def sorted_customers(
    conn: Connection,
    filters: Sequence[ColumnElement[bool]],
    order: Order,
    window: keyset.Window,
    source: FromClause = CUSTOMER_BASE,
) -> keyset.Page:
    """A page of the customers meeting `filters`, in `order`, with both paging flags;
    `source` is CUSTOMER_BASE, or it joined to what the order reads (BELL's keys, per
    request). A page of CUSTOMER_BASE without filters (a bell page) reuses its statement."""
    return keyset.read_page(
        conn, CUSTOMER_COLUMNS, source, customers.c.id, filters, order, window, CUSTOMER_BASE,
        reuse=source is CUSTOMER_BASE,
    )  # fmt: skip


def customer_page(
    conn: Connection, filters: list[ColumnElement[bool]], after: str | None, first: int
) -> tuple[list[Row[Any]], bool]:
    """The first `first` customers in account-number order after the account `after`, and
    whether more follow (for plugin tests and scripts that need no cursor)."""
    order = customer_order()
    window = keyset.Window(first, after=None if after is None else (after,))
    page = sorted_customers(conn, filters, order, window)
    return page.rows, page.has_next


def customer_count(
    conn: Connection, filters: list[ColumnElement[bool]], source: FromClause = CUSTOMER_BASE
) -> int:
    query = select(func.count()).select_from(source).where(*filters)
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


def customers_by_id(conn: Connection, customer_ids: Iterable[int]) -> dict[int, Row[Any]]:
    """Customers with their figures, by id: one statement."""
    ids = list(customer_ids)
    if not ids:
        return {}
    query = select(*CUSTOMER_COLUMNS).select_from(CUSTOMER_BASE).where(customers.c.id.in_(ids))
    return {row.id: row for row in conn.execute(query)}
