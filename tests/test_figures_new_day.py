"""A new day's figures (figures.advance_figures) are exactly those recomputed from scratch,
on SQLite and PostgreSQL: moving forward by one day or several (items falling due between),
and back to an earlier day; the oldest overdue date the order by days overdue reads
included."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import Engine, select, text

from graphql_api.database import write_transaction
from graphql_api.figures import advance_figures, refresh_figures
from graphql_api.storage import customer_figures, ledger_state
from tests.conftest import TODAY
from tests.ledger_builder import Customer, Item, ago, load_ledger

LEDGER_CUSTOMERS = [Customer(a) for a in ("A", "B", "C", "D", "E")]
LEDGER_ITEMS = [
    Item("A", "A1", Decimal("300"), due_date=ago(40)),  # overdue already
    Item("A", "A2", Decimal("50"), due_date=ago(-1)),  # falls due tomorrow
    Item("B", "B1", Decimal("70"), due_date=ago(-3)),  # falls due in three days
    Item("B", "B2", Decimal("-20"), due_date=ago(-1), type="CREDIT_NOTE"),
    Item("C", "C1", Decimal("10"), due_date=ago(5), disputed=True),
    Item("C", "C2", Decimal("0"), due_date=ago(-1)),  # closed: never overdue
    Item("D", "D1", Decimal("99"), due_date=None),  # no due date: never overdue
    Item("E", "E1", Decimal("-30"), due_date=ago(8), type="CREDIT_NOTE"),  # overdue, not aged
    Item("E", "E2", Decimal("40"), due_date=ago(-2)),  # its first aged overdue item
    Item("E", "E3", Decimal("15"), due_date=ago(-2)),  # falls due the same day
]  # fmt: skip


def figures(engine: Engine) -> list[tuple[object, ...]]:
    with engine.connect() as conn:
        rows = conn.execute(select(customer_figures).order_by(customer_figures.c.customer_id))
        return [tuple(row) for row in rows]


def oldest_overdue(engine: Engine) -> dict[str, tuple[date | None, int]]:
    """account → (oldest overdue date, days overdue)."""
    f = customer_figures.c
    with engine.connect() as conn:
        rows = conn.execute(select(f.account_number, f.oldest_overdue_date, f.days_overdue))
        return {row[0]: (row[1], row[2]) for row in rows}


def test_a_new_day_advances_the_figures_to_those_recomputed(engine: Engine) -> None:
    load_ledger(engine, LEDGER_CUSTOMERS, LEDGER_ITEMS)
    day = TODAY
    for days in (1, 3, 1, -4, 40):  # tomorrow, three days on, one more, back, far ahead
        day += timedelta(days=days)
        with write_transaction(engine) as conn:
            advance_figures(conn, day)
            figures_date = conn.execute(select(ledger_state.c.figures_date)).scalar()
        advanced = figures(engine)
        with write_transaction(engine) as conn:
            refresh_figures(conn, day)
        assert figures_date == day
        assert advanced == figures(engine), f"on {day}"


def test_the_oldest_overdue_date_is_where_the_days_overdue_count_from(engine: Engine) -> None:
    load_ledger(engine, LEDGER_CUSTOMERS, LEDGER_ITEMS)
    assert oldest_overdue(engine) == {
        "A": (ago(40), 40), "B": (None, 0), "C": (ago(5), 5), "D": (None, 0), "E": (None, 0),
    }  # fmt: skip
    with write_transaction(engine) as conn:
        advance_figures(conn, TODAY + timedelta(days=3))  # A2, E2 and E3 fell due; B1 is due
    assert oldest_overdue(engine) == {
        "A": (ago(40), 43), "B": (None, 0), "C": (ago(5), 8), "D": (None, 0), "E": (ago(-2), 1),
    }  # fmt: skip


def test_a_new_day_writes_no_index_entry_for_the_days_overdue(engine: Engine) -> None:
    """PostgreSQL updates a row whose indexed columns keep their values in its page, with no
    index entry written (a HOT update): a new day that only moves the days overdue of the
    customers overdue (A, C) does so for each of them; the items that fell due move amounts,
    which are indexed."""
    if engine.dialect.name != "postgresql":
        return  # SQLite writes the index entries of the changed columns only: none
    load_ledger(engine, LEDGER_CUSTOMERS, LEDGER_ITEMS)
    # The counts of this backend not yet reported, earlier transactions' included: moved.
    counted = text(
        "SELECT pg_stat_get_xact_tuples_updated(oid), pg_stat_get_xact_tuples_hot_updated(oid)"
        " FROM pg_class WHERE relname = 'customer_figures'"
    )
    with write_transaction(engine) as conn:
        before = conn.execute(counted).one()
        advance_figures(conn, TODAY + timedelta(days=2))  # A2 and B2 fell due: amounts move
        after = conn.execute(counted).one()
    updated, hot = after[0] - before[0], after[1] - before[1]
    assert (updated, hot) == (4, 2)  # the days of A and C, then the amounts of A and B
