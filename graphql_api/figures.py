"""The per-customer figures of SPEC §1, kept in `customer_figures`.

Figures that depend on "today" (overdue, not due, days overdue) are computed
for the day stored in `ledger_state.figures_date`; the first request of a new
day brings them to it (`advance_figures`: only what the day changed), with the
alerts' membership (membership_day.py), so they are never stale.

Each customer's days overdue count from its oldest overdue date, which is stored beside
them and which the order by days overdue reads instead (storage.py): a new day moves the
days of nearly every customer, and no index holds them.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date
from typing import Any

from sqlalchemy import (
    Date,
    Integer,
    and_,
    bindparam,
    case,
    delete,
    func,
    insert,
    literal,
    select,
    type_coerce,
    update,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.engine import Connection

from graphql_api.evaluation import OPEN
from graphql_api.money import Money
from graphql_api.sql_functions import days_since
from graphql_api.storage import (
    customer_figures,
    customers,
    items,
    ledger_state,
    reminders,
)


def refresh_figures(
    conn: Connection, today: date, customer_ids: Collection[int] | None = None
) -> None:
    """Recompute the figures of `customer_ids` (all customers when None) for `today`."""
    _recompute(conn, today, None if customer_ids is None else list(customer_ids))
    if customer_ids is None:
        conn.execute(update(ledger_state).where(ledger_state.c.id == 1).values(figures_date=today))


def advance_figures(conn: Connection, today: date) -> None:
    """The figures of a new day. Moving forward from the day they were computed for, only
    the days overdue grow by the days in between, but for the customers with an open item
    that fell due meanwhile (`_fell_due`). Any other move (an earlier day) recomputes them
    all.

    The days overdue are in no index, and each page keeps room for a new version of its
    rows (storage.FIGURES_FILLFACTOR): PostgreSQL writes the days' UPDATE in the row's own
    page and no index entry (a HOT update: 99,450 of a day's 100,900 updates at 100,000
    customers, the others those of `_fell_due`). A change of day at 100,000 customers, CPU
    with the server's (`python -m bench.new_day`): 7.8 s when the figures were rewritten
    every day, 3.7 s so."""
    last = conn.execute(select(ledger_state.c.figures_date)).scalar()
    if last is None or last > today:
        refresh_figures(conn, today)
        return
    if last < today:
        days = customer_figures.c.days_overdue
        conn.execute(
            update(customer_figures)
            .where(days > 0)
            .values(days_overdue=days + (today - last).days)
        )
        _fell_due(conn, last, today)
    conn.execute(update(ledger_state).where(ledger_state.c.id == 1).values(figures_date=today))


_FALLEN_COLUMNS = {"id": Integer(), "moved": Money(), "oldest": Date(), "days": Integer()}


def _fell_due(conn: Connection, last: date, today: date) -> None:
    """The open items that fell due from `last` (included) to `today` (excluded), after the
    days overdue grew: their amounts move from not due to overdue, and a customer with no
    overdue item before (no oldest overdue date; an earlier one, due before `last`, would
    stay the oldest) gets the date and days of its oldest fallen one with a positive
    amount, as `_recompute` counts them. One pass over the open items' index; no
    customer's figures are recomputed from all its items: the customers whose items fall
    due are those with many (bench, 100,000 customers, next day: 1,896 customers with
    403,000 items, recomputed in 300 of the new day's 3,600 ms CPU)."""
    due = items.c.due_date
    fallen = (
        select(
            items.c.customer_id,
            func.sum(items.c.open_amount).label("moved"),
            type_coerce(func.min(case((items.c.open_amount > 0, due))), Date).label("oldest"),
        )
        # Each customer's range of the index sought (SQLite): `customer_id` leads it, and a
        # due date alone would scan every open item. 100,000 customers, 2M items: 60 ms
        # instead of 210.
        .where(
            OPEN,
            items.c.customer_id.in_(select(customers.c.id)),
            due >= literal(last, Date),
            due < literal(today, Date),
        )
        .group_by(items.c.customer_id)
    )
    rows = [
        {
            "id": row.customer_id,
            "moved": row.moved,
            "oldest": row.oldest,
            "days": 0 if row.oldest is None else (today - row.oldest).days,
        }
        for row in conn.execute(fallen)
    ]
    if not rows:
        return
    if conn.dialect.name == "postgresql":
        # One UPDATE from the rows as arrays, not one per customer (bench, 100,000
        # customers, next day, 1,896 customers, CPU of the client and the server's
        # processes: 410 → 310 ms). The SELECT above stays alone: PostgreSQL reads the
        # items in parallel for a SELECT, never for an UPDATE.
        given = func.unnest(
            *(bindparam(name, [row[name] for row in rows], type_=ARRAY(kind))
              for name, kind in _FALLEN_COLUMNS.items())
        ).table_valued(*_FALLEN_COLUMNS).render_derived("fallen")  # fmt: skip
        conn.execute(
            update(customer_figures)
            .where(customer_figures.c.customer_id == given.c.id)
            .values(_fallen(given.c.moved, given.c.oldest, given.c.days))
        )
        return
    conn.execute(
        update(customer_figures)
        .where(customer_figures.c.customer_id == bindparam("id"))
        .values(_fallen(bindparam("moved"), bindparam("oldest", type_=Date), bindparam("days"))),
        rows,
    )


def _fallen(moved: Any, oldest_fallen: Any, days_fallen: Any) -> dict[str, Any]:
    """A customer's figures once `moved` fell due, its oldest fallen item's date and days."""
    days, oldest = customer_figures.c.days_overdue, customer_figures.c.oldest_overdue_date
    none_before = oldest.is_(None)
    return {
        "overdue_amount": customer_figures.c.overdue_amount + moved,
        "not_due_amount": customer_figures.c.not_due_amount - moved,
        "oldest_overdue_date": case((none_before, oldest_fallen), else_=oldest),
        "days_overdue": case((none_before, days_fallen), else_=days),
    }


def _recompute(conn: Connection, today: date, customer_ids: list[int] | None) -> None:
    """Rewrite the figures of `customer_ids` (None: all)."""
    today_sql = literal(today, Date)
    # The chosen customers, said in every part: each aggregate reads their rows only.
    chosen_items = [] if customer_ids is None else [items.c.customer_id.in_(customer_ids)]
    chosen_reminders = [] if customer_ids is None else [reminders.c.customer_id.in_(customer_ids)]
    overdue = and_(items.c.due_date.is_not(None), items.c.due_date < today_sql)
    # Open items only (a closed one adds 0 to every sum and is never overdue): their covering
    # index (storage.ix_items_open) holds every column read, so no item row is visited.
    item_totals = (
        select(
            items.c.customer_id,
            func.sum(items.c.open_amount).label("outstanding"),
            func.sum(case((overdue, items.c.open_amount), else_=0)).label("overdue"),
            func.sum(case((items.c.disputed, items.c.open_amount), else_=0)).label("disputed"),
            func.min(case((and_(overdue, items.c.open_amount > 0), items.c.due_date))).label(
                "oldest_overdue"
            ),
        )
        .where(OPEN, *chosen_items)
        .group_by(items.c.customer_id)
        .subquery()
    )
    last_reminders = (
        select(reminders.c.customer_id, func.max(reminders.c.date).label("last_date"))
        .where(*chosen_reminders)
        .group_by(reminders.c.customer_id)
        .subquery()
    )
    outstanding = func.coalesce(item_totals.c.outstanding, 0)
    oldest_overdue = type_coerce(item_totals.c.oldest_overdue, Date)
    overdue_amount = func.coalesce(item_totals.c.overdue, 0)
    rows = select(
        customers.c.id,
        outstanding,
        overdue_amount,
        outstanding - overdue_amount,
        func.coalesce(item_totals.c.disputed, 0),
        outstanding - func.coalesce(customers.c.insurer_guarantee, 0),
        outstanding - func.coalesce(customers.c.credit_limit, 0),
        func.coalesce(days_since(oldest_overdue, today_sql), 0),
        oldest_overdue,
        last_reminders.c.last_date,
        customers.c.account_number,
    ).select_from(
        customers.outerjoin(item_totals, item_totals.c.customer_id == customers.c.id).outerjoin(
            last_reminders, last_reminders.c.customer_id == customers.c.id
        )
    )
    wipe = delete(customer_figures)
    if customer_ids is not None:
        rows = rows.where(customers.c.id.in_(customer_ids))
        wipe = wipe.where(customer_figures.c.customer_id.in_(customer_ids))
    conn.execute(wipe)
    conn.execute(
        insert(customer_figures).from_select(
            [
                "customer_id",
                "outstanding_amount",
                "overdue_amount",
                "not_due_amount",
                "disputed_amount",
                "uncovered_amount",
                "credit_limit_excess",
                "days_overdue",
                "oldest_overdue_date",
                "last_reminder_date",
                "account_number",
            ],
            rows,
        )
    )


def note_reminder(conn: Connection, customer_id: int, reminder_date: date) -> None:
    """Keep `last_reminder_date` current after a reminder is logged."""
    current = customer_figures.c.last_reminder_date
    conn.execute(
        update(customer_figures)
        .where(customer_figures.c.customer_id == customer_id)
        .where((current.is_(None)) | (current < reminder_date))
        .values(last_reminder_date=reminder_date)
    )
