"""The per-customer figures of SPEC §1, kept in `customer_figures`.

Figures that depend on "today" (overdue, not due, days overdue) are computed
for the day stored in `ledger_state.figures_date`; the first request of a new
day recomputes them all, with the alerts' membership (membership_day.py), so they
are never stale.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date

from sqlalchemy import Date, and_, case, delete, func, insert, literal, select, update
from sqlalchemy.engine import Connection

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
    today_sql = literal(today, Date)
    overdue = and_(items.c.due_date.is_not(None), items.c.due_date < today_sql)
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
        .group_by(items.c.customer_id)
        .subquery()
    )
    last_reminders = (
        select(reminders.c.customer_id, func.max(reminders.c.date).label("last_date"))
        .group_by(reminders.c.customer_id)
        .subquery()
    )
    outstanding = func.coalesce(item_totals.c.outstanding, 0)
    overdue_amount = func.coalesce(item_totals.c.overdue, 0)
    rows = select(
        customers.c.id,
        outstanding,
        overdue_amount,
        outstanding - overdue_amount,
        func.coalesce(item_totals.c.disputed, 0),
        outstanding - func.coalesce(customers.c.insurer_guarantee, 0),
        outstanding - func.coalesce(customers.c.credit_limit, 0),
        func.coalesce(days_since(item_totals.c.oldest_overdue, today_sql), 0),
        last_reminders.c.last_date,
        customers.c.account_number,
    ).select_from(
        customers.outerjoin(item_totals, item_totals.c.customer_id == customers.c.id).outerjoin(
            last_reminders, last_reminders.c.customer_id == customers.c.id
        )
    )
    wipe = delete(customer_figures)
    if customer_ids is not None:
        ids = list(customer_ids)
        rows = rows.where(customers.c.id.in_(ids))
        wipe = wipe.where(customer_figures.c.customer_id.in_(ids))
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
                "last_reminder_date",
                "account_number",
            ],
            rows,
        )
    )
    if customer_ids is None:
        conn.execute(update(ledger_state).where(ledger_state.c.id == 1).values(figures_date=today))


def note_reminder(conn: Connection, customer_id: int, reminder_date: date) -> None:
    """Keep `last_reminder_date` current after a reminder is logged."""
    current = customer_figures.c.last_reminder_date
    conn.execute(
        update(customer_figures)
        .where(customer_figures.c.customer_id == customer_id)
        .where((current.is_(None)) | (current < reminder_date))
        .values(last_reminder_date=reminder_date)
    )
