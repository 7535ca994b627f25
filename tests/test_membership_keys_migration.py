"""Migration 0012 on a database with membership stored, on SQLite and PostgreSQL: the tables
that take membership's bulk writes lose their foreign keys and keep every row, their primary
keys and their indexes; the small per-alert tables keep theirs. And the migration goes back,
dropping only the rows the constraints refuse."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, inspect, text

from graphql_api.database import migrate
from tests.conftest import TODAY
from tests.test_figures_migration import downgrade
from tests.test_membership_migration import insert_customer
from tests.test_money import empty_database

__all__ = ["empty_database"]  # the fixture

UNKEYED = ("alert_matches", "alert_changes", "bell_keys")
KEYED = ("alert_states", "alert_daily_counts", "alert_seen")
AT = datetime(2026, 11, 20, 8, 30, tzinfo=UTC)


def _write_membership(engine: Engine) -> None:
    """Two customers, a user and an alert with a match, two changes, a state, a daily
    count, a seen mark and a bell key, as revision 0011 stores them."""
    with engine.begin() as conn:
        for account in ("A", "B"):
            insert_customer(conn, account)
        conn.execute(
            text(
                "INSERT INTO users (name, role, token_hash, created_at)"
                " VALUES ('alice', 'USER', 'x', :at)"
            ),
            {"at": AT},
        )
        conn.execute(
            text(
                "INSERT INTO alerts (public_id, name, type, level, visibility, owner_id,"
                " criteria, version, created_at, updated_at) SELECT 'k1', 'big', 'COLLECTION',"
                " 'HIGH', 'PUBLIC', id, '{}', 1, :at, :at FROM users"
            ),
            {"at": AT},
        )
        ids = {"at": AT, "day": TODAY}
        for statement in (
            "INSERT INTO alert_matches (alert_id, customer_id, since)"
            " SELECT a.id, c.id, :at FROM alerts a, customers c WHERE c.account_number = 'A'",
            "INSERT INTO alert_changes (alert_id, customer_id, kind, at, day, cause)"
            " SELECT a.id, c.id, 'ENTERED', :at, :day, 'IMPORT' FROM alerts a, customers c",
            "INSERT INTO alert_states (alert_id, match_count, frozen) SELECT id, 1, false"
            " FROM alerts",
            "INSERT INTO alert_daily_counts (alert_id, day, match_count) SELECT id, :day, 1"
            " FROM alerts",
            "INSERT INTO alert_seen (user_id, alert_id, seen_at) SELECT u.id, a.id, :at"
            " FROM users u, alerts a",
            "INSERT INTO bell_keys (user_id, tab, customer_id, bell_key, account_number)"
            " SELECT u.id, 'COLLECTION', c.id, 3000001, c.account_number FROM users u,"
            " customers c WHERE c.account_number = 'A'",
        ):
            conn.execute(text(statement), ids)


def _rows(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    with engine.connect() as conn:
        return {
            table: sorted(tuple(row) for row in conn.execute(text(f"SELECT * FROM {table}")))
            for table in UNKEYED + KEYED
        }


def _keys(engine: Engine) -> dict[str, list[tuple[str, str, str]]]:
    """Each table's foreign keys: (column, parent, on delete)."""
    found = inspect(engine)
    return {
        table: sorted(
            (
                key["constrained_columns"][0],
                key["referred_table"],
                (key["options"] or {}).get("ondelete", ""),
            )
            for key in found.get_foreign_keys(table)
        )
        for table in UNKEYED + KEYED
    }


def _layout(engine: Engine) -> dict[str, Any]:
    """Each table's primary key, indexes and, on SQLite, whether it has row ids."""
    found = inspect(engine)
    layout: dict[str, Any] = {}
    for table in UNKEYED:
        indexes = sorted(
            (index["name"] or "", tuple(index["column_names"]), bool(index["unique"]))
            for index in found.get_indexes(table)
        )
        layout[table] = (found.get_pk_constraint(table)["constrained_columns"], indexes)
    if engine.dialect.name == "sqlite":
        with engine.connect() as conn:
            layout["sql"] = {
                name: " ".join(sql.split()).upper().endswith("WITHOUT ROWID")
                for name, sql in conn.execute(
                    text("SELECT name, sql FROM sqlite_master WHERE type = 'table'")
                )
                if name in UNKEYED
            }
    return layout


def _membership_at_0011(
    engine: Engine,
) -> tuple[dict[str, list[tuple[Any, ...]]], dict[str, list[tuple[str, str, str]]], dict[str, Any]]:
    """The database at revision 0011 with membership written: its rows, keys and layout."""
    migrate(engine, "0011")
    _write_membership(engine)
    return _rows(engine), _keys(engine), _layout(engine)


def test_an_upgraded_database_keeps_its_membership_without_the_foreign_keys(
    empty_database: Engine,
) -> None:
    engine = empty_database
    rows, keys, layout = _membership_at_0011(engine)
    assert all(keys[table] for table in UNKEYED + KEYED)  # before: every table has them

    migrate(engine)
    assert _rows(engine) == rows
    assert _layout(engine) == layout  # the same primary keys, indexes and row ids
    upgraded = _keys(engine)
    assert {table: upgraded[table] for table in UNKEYED} == {table: [] for table in UNKEYED}
    assert {table: upgraded[table] for table in KEYED} == {table: keys[table] for table in KEYED}
    if engine.dialect.name == "sqlite":
        assert layout["sql"] == {"alert_matches": True, "alert_changes": False, "bell_keys": True}
    with engine.begin() as conn:  # the database no longer refuses a row of no alert
        conn.execute(
            text(
                "INSERT INTO alert_matches (alert_id, customer_id, since)"
                " SELECT 999, id, :at FROM customers WHERE account_number = 'B'"
            ),
            {"at": AT},
        )


def test_the_migration_goes_back_to_the_foreign_keys_without_the_rows_they_refuse(
    empty_database: Engine,
) -> None:
    engine = empty_database
    rows, keys, layout = _membership_at_0011(engine)
    migrate(engine)
    with engine.begin() as conn:  # rows that a deletion by hand left behind
        conn.execute(
            text(
                "INSERT INTO alert_matches (alert_id, customer_id, since)"
                " SELECT 999, id, :at FROM customers"
            ),
            {"at": AT},
        )
        conn.execute(
            text(
                "INSERT INTO bell_keys (user_id, tab, customer_id, bell_key, account_number)"
                " VALUES (77, 'RISK', 12345, 1000001, 'GONE')"
            )
        )

    downgrade(engine, "0011")
    assert _rows(engine) == rows
    assert _keys(engine) == keys
    assert _layout(engine) == layout
    migrate(engine)  # and up again
    assert _rows(engine) == rows
