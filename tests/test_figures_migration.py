"""An existing database upgraded to migration 0011 gets each customer's oldest overdue date
from its stored figures, the same as a recomputation from its items, on SQLite and
PostgreSQL; the order by days overdue reads it from then on. And the migration goes back."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, inspect, select, text

import graphql_api.storage
from graphql_api.database import migrate, write_transaction
from graphql_api.figures import advance_figures, refresh_figures
from graphql_api.storage import customer_figures
from tests.conftest import TODAY
from tests.ledger_builder import ago
from tests.test_membership_migration import insert_customer
from tests.test_money import empty_database

__all__ = ["empty_database"]  # the fixture

COMPUTED_ON = TODAY - timedelta(days=2)  # the day the old figures were computed for
# account → its open items (cents, due date), and the days overdue stored on COMPUTED_ON.
LEDGER: dict[str, tuple[list[tuple[int, date | None]], int]] = {
    "A": ([(30_000, ago(40)), (5_000, ago(3)), (-2_000, ago(50))], 38),
    "B": ([(-3_000, ago(9)), (7_000, ago(-5))], 0),  # only a credit note overdue
    "C": ([(4_000, ago(1)), (1_000, None)], 0),  # falls due on the day after COMPUTED_ON
    "D": ([], 0),
}


def _write_old_database(engine: Engine) -> None:
    """The ledger as revision 0010 stored it: only the days overdue among the figures are
    of interest here (the others are as the migration leaves them: untouched)."""
    with engine.begin() as conn:
        for account, (open_items, days) in LEDGER.items():
            customer_id = insert_customer(conn, account)
            for n, (cents, due) in enumerate(open_items):
                conn.execute(
                    text(
                        "INSERT INTO items (customer_id, document_number, type, due_date,"
                        " open_amount, disputed, ignored_in_collection)"
                        " VALUES (:id, :document, 'INVOICE', :due, :cents, false, false)"
                    ),
                    {"id": customer_id, "document": f"{account}{n}", "due": due, "cents": cents},
                )
            conn.execute(
                text(
                    "INSERT INTO customer_figures (customer_id, outstanding_amount,"
                    " overdue_amount, not_due_amount, disputed_amount, uncovered_amount,"
                    " credit_limit_excess, days_overdue, account_number)"
                    " VALUES (:id, 0, 0, 0, 0, 0, 0, :days, :account)"
                ),
                {"id": customer_id, "days": days, "account": account},
            )
        conn.execute(text("UPDATE ledger_state SET figures_date = :day"), {"day": COMPUTED_ON})


def _oldest(engine: Engine) -> dict[str, tuple[date | None, int]]:
    f = customer_figures.c
    with engine.connect() as conn:
        rows = conn.execute(select(f.account_number, f.oldest_overdue_date, f.days_overdue))
        return {row[0]: (row[1], row[2]) for row in rows}


def _indexes(engine: Engine) -> set[str]:
    return {index["name"] or "" for index in inspect(engine).get_indexes("customer_figures")}


def _fillfactor(engine: Engine) -> list[str] | None:
    with engine.connect() as conn:
        return conn.execute(
            text("SELECT reloptions FROM pg_class WHERE relname = 'customer_figures'")
        ).scalar_one()


def downgrade(engine: Engine, revision: str) -> None:
    """Take the schema back to `revision` (database.migrate only goes up)."""
    config = Config()
    location = Path(graphql_api.storage.__file__).parent / "migrations"
    config.set_main_option("script_location", str(location))
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, revision)


def test_an_upgraded_database_gets_the_oldest_overdue_dates_of_its_figures(
    empty_database: Engine,
) -> None:
    engine = empty_database
    postgresql = engine.dialect.name == "postgresql"
    migrate(engine, "0010")
    _write_old_database(engine)

    migrate(engine)
    upgraded = _oldest(engine)
    assert upgraded == {"A": (ago(40), 38), "B": (None, 0), "C": (None, 0), "D": (None, 0)}
    with write_transaction(engine) as conn:  # the same as recomputed for that day
        refresh_figures(conn, COMPUTED_ON)
    assert _oldest(engine) == upgraded
    assert "ix_figures_oldest_overdue" in _indexes(engine)
    assert "ix_figures_days_overdue" not in _indexes(engine)
    if postgresql:
        assert _fillfactor(engine) == ["fillfactor=50"]

    with write_transaction(engine) as conn:  # and a new day moves it on
        advance_figures(conn, TODAY)
    assert _oldest(engine) == {
        "A": (ago(40), 40), "B": (None, 0), "C": (ago(1), 1), "D": (None, 0),
    }  # fmt: skip


def test_the_migration_goes_back_to_the_days_overdue_index(empty_database: Engine) -> None:
    engine = empty_database
    migrate(engine, "0010")
    _write_old_database(engine)
    before = _indexes(engine)
    migrate(engine)

    downgrade(engine, "0010")
    assert _indexes(engine) == before
    columns = {column["name"] for column in inspect(engine).get_columns("customer_figures")}
    assert "oldest_overdue_date" not in columns and "days_overdue" in columns
    if engine.dialect.name == "postgresql":
        assert _fillfactor(engine) is None
    migrate(engine)  # and up again
    assert _oldest(engine)["A"] == (ago(40), 38)
