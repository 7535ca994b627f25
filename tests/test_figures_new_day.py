"""A new day's figures (figures.advance_figures) are exactly those recomputed from scratch,
on SQLite and PostgreSQL: moving forward by one day or several (items falling due between),
and back to an earlier day."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from sqlalchemy import Engine, inspect, select

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


def test_a_new_day_keeps_the_figures_indexes(engine: Engine) -> None:
    """On SQLite a new day with most customers overdue builds their days' index again:
    the schema stays as the migrations made it (the orders of customers read it)."""
    load_ledger(engine, LEDGER_CUSTOMERS, LEDGER_ITEMS)

    def indexes() -> list[tuple[object, ...]]:
        found = inspect(engine).get_indexes("customer_figures")
        return sorted((i["name"], tuple(i["column_names"])) for i in found)

    before = indexes()
    for days in (5, 6):  # most customers overdue: four of five
        with write_transaction(engine) as conn:
            advance_figures(conn, TODAY + timedelta(days=days))
        assert indexes() == before
    assert ("ix_figures_days_overdue", ("days_overdue", "account_number")) in before
