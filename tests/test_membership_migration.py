"""An existing database upgraded to membership as data (migration 0006): its membership is
computed once, by the first catch-up after the upgrade, and its history starts there with
no change recorded (SPEC §9)."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Connection, Engine, text

from graphql_api import membership_day
from graphql_api.database import migrate, write_transaction
from graphql_api.membership_check import check_membership
from graphql_api.plugins import CriteriaRegistry
from tests.conftest import TODAY
from tests.ledger_builder import ago
from tests.membership_reads import daily_counts, match_counts, stored_changes, stored_matches
from tests.test_money import empty_database

__all__ = ["empty_database"]  # the fixture


def insert_customer(conn: Connection, account: str) -> int:
    """A customer written in SQL, as every revision stores one (a migration test writes an
    old revision's tables, which the ORM's do not describe); its id."""
    found: int = conn.execute(
        text(
            "INSERT INTO customers (account_number, blocked, attributes)"
            " VALUES (:account, false, '{}') RETURNING id"
        ),
        {"account": account},
    ).scalar_one()
    return found


def test_an_upgraded_database_gets_its_membership_once_with_no_history(
    empty_database: Engine, registry: CriteriaRegistry
) -> None:
    engine = empty_database
    migrate(engine, "0003")
    now = datetime.now(UTC)
    with engine.begin() as conn:  # as the version before membership stored them
        for account, open_cents, due in (("A", 3_000_000, ago(40)), ("B", 500_000, ago(5))):
            insert_customer(conn, account)
            conn.execute(
                text(
                    "INSERT INTO items (customer_id, document_number, type, due_date, open_amount,"
                    " disputed, ignored_in_collection) SELECT id, 'D1', 'INVOICE', :due, :cents,"
                    " false, false FROM customers WHERE account_number = :account"
                ),
                {"account": account, "cents": open_cents, "due": due},
            )
        conn.execute(
            text(
                "INSERT INTO users (name, role, token_hash, created_at)"
                " VALUES ('alice', 'USER', 'x', :now)"
            ),
            {"now": now},
        )
        conn.execute(
            text(
                "INSERT INTO alerts (name, type, level, visibility, owner_id, criteria, version,"
                " created_at, updated_at) SELECT 'big', 'COLLECTION', 'HIGH', 'PUBLIC', id,"
                " :criteria, 1, :now, :now FROM users"
            ),
            {"criteria": '{"overdueAmount": {"min": "20000"}}', "now": now},
        )

    migrate(engine)
    assert stored_matches(engine) == {}  # the migration itself computes nothing...

    started = datetime.now(UTC)
    done = membership_day.ensure_current(engine, registry, TODAY)  # ...the first catch-up does
    assert done.new_day is not None and done.new_day.entered == 1
    matches = stored_matches(engine)
    ((alert_id, account),) = matches
    assert account == "A" and matches[(alert_id, "A")] >= started
    assert stored_changes(engine) == []  # with no history: it starts here
    assert daily_counts(engine, alert_id) == {TODAY: 1}
    assert match_counts(engine) == {alert_id: 1}
    with write_transaction(engine) as conn:
        assert check_membership(conn, registry, TODAY).ok
    assert membership_day.ensure_current(engine, registry, TODAY).new_day is None  # once
