"""Servers keep each user's visible alerts between requests (request_context.AlertCache).

What a user sees must never lag behind a change, wherever it was made: through
this server, through another server process on the same database, or by hand in
SQL. Above all, an alert made PRIVATE again, or deleted, must vanish at once for
everybody else: from lists, bells, counts and lookups by id.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import Engine, delete, select, text, update

from graphql_api.app import create_app
from graphql_api.database import write_transaction
from graphql_api.ids import alert_key
from graphql_api.plugins import CriteriaRegistry
from graphql_api.storage import alerts, ledger_state
from tests.api_client import BELL_FIELDS, LATE, LATE_ACCOUNTS, Api, TestClient, row_of

pytest_plugins = ("tests.api_client",)

SEEN = f"""
query Seen($id: ID!) {{
  alerts {{ id name matchCount }}
  alert(id: $id) {{ id name }}
  customers(first: 20) {{ edges {{ node {{ accountNumber bell {{ {BELL_FIELDS} }} }} }} }}
}}
"""


@pytest.fixture
def other_server(api: Api, registry: CriteriaRegistry) -> Iterator[Api]:
    """A second server process on the same database: its own application and caches."""
    with TestClient(create_app(api.engine, registry), raise_server_exceptions=False) as client:
        yield Api(api.engine, client, api.tokens)


def seen(server: Api, user: str, alert_id: str) -> dict[str, Any]:
    """What `user` learns of the alert `alert_id` on `server`: in the list (with its count),
    by id, and in the bells (the accounts whose bell shows it)."""
    data = server.data(user, SEEN, {"id": alert_id})
    listed = [a for a in data["alerts"] if a["id"] == alert_id]
    belled = [
        edge["node"]["accountNumber"]
        for edge in data["customers"]["edges"]
        if any(a["id"] == alert_id for a in edge["node"]["bell"]["alerts"])
    ]
    return {"listed": listed, "by_id": data["alert"], "bells": belled}


NOTHING = {"listed": [], "by_id": None, "bells": []}


def public_input(name: str, visibility: str) -> dict[str, Any]:
    return {"name": name, "criteria": LATE, "level": "HIGH", "visibility": visibility}


def test_a_change_made_on_another_server_is_seen_by_the_next_request(
    api: Api, other_server: Api
) -> None:
    secret = api.create("alice", **public_input("Alice watch", "PRIVATE"))
    alert_id = secret["id"]
    for user in ("bob", "alice"):  # both servers have now listed both users' alerts
        seen(api, user, alert_id)
        seen(other_server, user, alert_id)
    assert seen(other_server, "bob", alert_id) == NOTHING

    payload = api.update_payload("alice", alert_id, public_input("Alice watch", "PUBLIC"))
    assert payload["errors"] == [], payload
    shown = {"listed": [{"id": alert_id, "name": "Alice watch", "matchCount": 4}],
             "by_id": {"id": alert_id, "name": "Alice watch"}, "bells": LATE_ACCOUNTS}  # fmt: skip
    assert seen(other_server, "bob", alert_id) == shown

    payload = api.update_payload("alice", alert_id, public_input("Renamed", "PRIVATE"))
    assert payload["errors"] == [], payload
    assert seen(other_server, "bob", alert_id) == NOTHING
    assert seen(other_server, "alice", alert_id)["by_id"] == {"id": alert_id, "name": "Renamed"}

    assert api.delete_payload("alice", alert_id)["errors"] == []
    assert seen(other_server, "alice", alert_id) == NOTHING


def test_a_hand_edit_in_sql_is_seen_by_the_next_request(api: Api) -> None:
    alert_id = api.create("alice", **public_input("Shared", "PUBLIC"))["id"]
    assert seen(api, "bob", alert_id)["bells"] == LATE_ACCOUNTS

    with write_transaction(api.engine) as conn:
        conn.execute(
            update(alerts).where(row_of(alert_id)).values(visibility="PRIVATE")
        )
    assert seen(api, "bob", alert_id) == NOTHING
    assert seen(api, "alice", alert_id)["listed"] != []

    with write_transaction(api.engine) as conn:
        conn.execute(delete(alerts).where(row_of(alert_id)))
    assert seen(api, "alice", alert_id) == NOTHING


def test_the_database_counts_every_change_to_the_alerts_itself(api: Api) -> None:
    """The counter the caches rely on is kept by triggers, for any statement on the table."""

    def counter(engine: Engine) -> int:
        with engine.connect() as conn:
            return int(conn.execute(select(ledger_state.c.alerts_version)).scalar_one())

    start = counter(api.engine)
    alert_id = api.create("alice", **public_input("Counted", "PUBLIC"))["id"]
    assert counter(api.engine) > start
    for statement in (
        text("UPDATE alerts SET name = 'by hand' WHERE public_id = :key"),
        text("DELETE FROM alerts WHERE public_id = :key"),
    ):
        before = counter(api.engine)
        with write_transaction(api.engine) as conn:
            conn.execute(statement, {"key": alert_key(alert_id)})
        assert counter(api.engine) == before + 1, statement


def test_a_request_on_an_older_snapshot_neither_reads_nor_files_the_newer_lists(
    api: Api, registry: CriteriaRegistry
) -> None:
    """Requests run in threads, each in its own snapshot: one that read an older counter
    lists the alerts itself, and what it lists never lands among the newer lists."""
    from graphql_api.alert_cache import AlertCache
    from graphql_api.storage import ledger_marks
    from graphql_api.users import Role, User

    cache = AlertCache(registry)
    with api.engine.connect() as conn:
        alice_id = conn.execute(text("SELECT id FROM users WHERE name = 'alice'")).scalar_one()
    alice = User(alice_id, "alice", Role.USER)
    api.create("alice", **public_input("first", "PRIVATE"))
    with api.engine.connect() as conn:
        _, old = ledger_marks(conn)
    api.create("alice", **public_input("second", "PRIVATE"))
    with api.engine.connect() as conn:
        _, new = ledger_marks(conn)
        newest = cache.visible_to(conn, alice, new)
        assert [a.name for a in newest] == ["first", "second"]
        assert cache.visible_to(conn, alice, new) is newest  # kept for this version
        older = cache.visible_to(conn, alice, old)
        assert older is not newest  # listed afresh, not served from the newer lists
        assert cache.visible_to(conn, alice, new) is newest  # and not filed among them
