"""No N+1: a page of 50 customers with their bells, and every alert's matchCount, cost a fixed
small number of SQL statements, whatever the number of alerts (counted with a SQLAlchemy event)."""

from __future__ import annotations

import itertools
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, event

from graphql_api.alerts import AlertInput, AlertType, Level, Visibility, create_alert
from graphql_api.app import create_app
from graphql_api.database import write_transaction
from graphql_api.ledger_generator import LedgerSize, generate_ledger
from graphql_api.ledger_import import import_ledger
from graphql_api.plugins import CriteriaRegistry
from graphql_api.users import Role, User, add_user
from tests.conftest import TODAY

with warnings.catch_warnings():
    warnings.filterwarnings("ignore", "Using `httpx` with `starlette.testclient`")
    from starlette.testclient import TestClient

BELL_PAGE = """
query Page($after: String) {
  customers(first: 50, after: $after) {
    pageInfo { hasNextPage endCursor }
    edges { cursor node {
      accountNumber name outstandingAmount overdueAmount
      bell { count level color alerts { id name type level color } }
      collection: bell(tab: COLLECTION) { count level }
      risk: bell(tab: RISK) { count alerts { name } }
    } }
  }
}
"""
COUNTS = "{ alerts { id name matchCount } }"
CRITERIA: list[dict[str, Any]] = [
    {"overdueAmount": {"min": "1000"}},
    {"itemOverdue": True, "itemDisputed": False, "lastReminderDate": {"olderThanDays": 10}},
    {"uncoveredAmount": {"min": "0.01"}},
    {"country": {"values": ["FR"]}, "group": {"op": "IS_NOT", "values": ["Public"]}},
    {"itemIgnoredInCollection": True},
    {"daysOverdue": {"min": 30}, "blocked": False},
    {"itemType": {"values": ["INVOICE"]}, "itemOpenAmount": {"min": "500"}},
]
# Statements per request: authentication, the figures' date, the viewer's alerts, then the
# page and the bells (or the counts); SQLite adds a BEGIN per transaction.
MOST = 8


class Scene:
    def __init__(self, engine: Engine, registry: CriteriaRegistry, folder: Path) -> None:
        self.engine = engine
        self.registry = registry
        paths = generate_ledger(folder, LedgerSize(customers=120, items=900, reminders=60), TODAY)
        import_ledger(engine, today=TODAY, customers_file=paths["customers"],
                      items_file=paths["items"], reminders_file=paths["reminders"])  # fmt: skip
        with write_transaction(engine) as conn:
            self.token = add_user(conn, "alice", Role.USER)
            add_user(conn, "bob", Role.USER)
        self.created = 0
        self.specs = itertools.cycle(CRITERIA)

    def add_alerts(self, count: int) -> None:
        with write_transaction(self.engine) as conn:
            ids = conn.exec_driver_sql("SELECT id, name FROM users ORDER BY id").all()
            owners = [User(row[0], row[1], Role.USER) for row in ids]
            for _ in range(count):
                n = self.created
                data = AlertInput(
                    f"alert {n:02d}", next(self.specs), list(AlertType)[n % 3],
                    list(Level)[n % 4], None, list(Visibility)[n % 2],
                )  # fmt: skip
                create_alert(conn, self.registry, owners[n % 5 == 4], data)
                self.created += 1

    @contextmanager
    def client(self) -> Iterator[TestClient]:
        with TestClient(create_app(self.engine, self.registry)) as client:
            yield client

    def statements(
        self, client: TestClient, query: str, variables: dict[str, Any]
    ) -> tuple[int, Any]:
        """How many SQL statements one request ran, and its data."""
        headers = {"Authorization": f"Bearer {self.token}"}
        client.post("/graphql", json={"query": query, "variables": variables}, headers=headers)
        seen: list[str] = []

        def count(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
            seen.append(statement)

        event.listen(self.engine, "before_cursor_execute", count)
        try:
            response = client.post(
                "/graphql", json={"query": query, "variables": variables}, headers=headers
            )
        finally:
            event.remove(self.engine, "before_cursor_execute", count)
        body = response.json()
        assert response.status_code == 200 and "errors" not in body, body
        return len(seen), body["data"]


@pytest.fixture
def scene(engine: Engine, registry: CriteriaRegistry, tmp_path: Path) -> Scene:
    return Scene(engine, registry, tmp_path)


def test_a_bell_page_costs_the_same_statements_with_3_or_30_alerts(scene: Scene) -> None:
    scene.add_alerts(3)
    with scene.client() as client:
        few, first_page = scene.statements(client, BELL_PAGE, {"after": None})
    scene.add_alerts(27)
    with scene.client() as client:
        many, page = scene.statements(client, BELL_PAGE, {"after": None})
        after = page["customers"]["pageInfo"]["endCursor"]
        second, next_page = scene.statements(client, BELL_PAGE, {"after": after})
    edges = page["customers"]["edges"]
    assert len(edges) == 50 and len(next_page["customers"]["edges"]) == 50
    assert sum(e["node"]["bell"]["count"] for e in edges) > sum(
        e["node"]["bell"]["count"] for e in first_page["customers"]["edges"]
    )
    assert few == many == second <= MOST, (few, many, second)


def test_match_counts_cost_the_same_statements_with_3_or_30_alerts(scene: Scene) -> None:
    scene.add_alerts(3)
    with scene.client() as client:
        few, data = scene.statements(client, COUNTS, {})
    assert len(data["alerts"]) == 3
    scene.add_alerts(27)
    with scene.client() as client:
        many, data = scene.statements(client, COUNTS, {})
    assert len(data["alerts"]) == 27  # bob's 3 private alerts are not alice's
    assert any(alert["matchCount"] for alert in data["alerts"])
    assert few == many <= MOST - 1, (few, many)
