"""A tiny client for the GraphQL API, for tests that go through HTTP.

The `api` fixture builds the real application (`graphql_api.app.create_app`) on
the suite's `engine` (so every test runs on SQLite and PostgreSQL), creates
four users with their tokens (ADMIN `admin`, USER `alice`, USER `bob`, VIEWER
`viewer`) and loads a small hand-written ledger through the CSV import.

Test modules use it with `pytest_plugins = ("tests.api_client",)`; they import its
constants first, so pytest cannot rewrite its asserts (PYTEST_DONT_REWRITE): every
assert here says what it checks in its message instead.

The ledger, seen on "today" = 2026-11-23:

| account | country | group   | overdue | outstanding | guarantee | uncovered | last reminder |
|---------|---------|---------|---------|-------------|-----------|-----------|---------------|
| C001    | FR      | Private | 25000   | 30000       | 30000     | 0         | never         |
| C002    | FR      | Private | 30000   | 30000       | 0         | 30000     | 2026-11-20    |
| C003    | DE      | Private | 0       | 10000       | 50000     | -40000    | never         |
| C004    | FR      | Public  | 5000    | 5000        | (empty)   | 5000      | never         |
| C005    | BE      | Private | 48000   | 48000       | 10000     | 38000     | 2026-11-22    |
| C006    | FR      | Private | 21000   | 21000       | 25000     | -4000     | 2026-10-01    |
| C007    | IT      | Private | 0       | 0           | (empty)   | 0         | never         |
| C008    | US      | (empty) | 0       | -500        | (empty)   | -500      | never         |
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import ColumnElement, Engine, func, select

with warnings.catch_warnings():
    # starlette 1.x prefers `httpx2` but works with `httpx` (the project's test dependency).
    warnings.filterwarnings("ignore", "Using `httpx` with `starlette.testclient`")
    from starlette.testclient import TestClient

from graphql_api import ids
from graphql_api.database import write_transaction
from graphql_api.ledger_import import import_ledger
from graphql_api.plugins import CriteriaRegistry
from graphql_api.storage import alerts
from graphql_api.users import Role, add_user

TODAY = date(2026, 11, 23)
USERS = {"admin": Role.ADMIN, "alice": Role.USER, "bob": Role.USER, "viewer": Role.VIEWER}

CUSTOMERS_CSV = """\
account_number,name,group,country,status,collector,blocked,credit_limit,insurer_guarantee,last_payment_date
C001,Acme Industries,Private,FR,Normal,Ann,no,50000,30000,2026-10-01
C002,Bravo Foods,Private,FR,Normal,Ann,no,20000,0,2026-11-01
C003,Charlie GmbH,Private,DE,Normal,Ben,no,100000,50000,2026-11-15
C004,Delta Mairie,Public,FR,Litige,Ben,no,,,
C005,Echo SPRL,Private,BE,Normal,Ann,yes,10000,10000,2026-06-30
C006,Foxtrot SA,Private,FR,Litige résolu,Ann,no,30000,25000,2026-09-15
C007,Golf Srl,Private,IT,Normal,Ben,no,5000,,
C008,Hotel Inc,,US,,,no,,,
"""

ITEMS_CSV = """\
account_number,document_number,type,document_date,due_date,amount,open_amount,disputed,ignored_in_collection
C001,F001,INVOICE,2026-08-01,2026-09-01,25000,25000,no,no
C001,F002,INVOICE,2026-11-10,2026-12-10,5000,5000,no,no
C002,F003,INVOICE,2026-07-01,2026-08-01,30000,30000,no,no
C003,F004,INVOICE,2026-11-01,2026-12-31,10000,10000,no,no
C004,F005,INVOICE,2026-09-01,2026-10-01,5000,5000,yes,no
C005,F006,INVOICE,2026-05-01,2026-06-01,50000,50000,no,no
C005,F007,CREDIT_NOTE,2026-06-15,2026-06-15,-2000,-2000,no,no
C006,F008,INVOICE,2026-09-01,2026-10-15,21000,21000,no,yes
C008,F009,PAYMENT,2026-11-01,,-500,-500,no,no
"""

REMINDERS_CSV = """\
account_number,date,channel,note
C002,2026-11-20,EMAIL,sent statement
C006,2026-10-01,LETTER,
C005,2026-11-22,PHONE,promised to pay
"""

ACCOUNTS = [f"C00{n}" for n in range(1, 9)]

# Ids of the API's own shape that name nothing: an alert no one created (its random key is
# made up), a customer row that does not exist.
MADE_UP_ALERT_ID = ids.alert_id("madeUpAlertKey00")
MADE_UP_CUSTOMER_ID = ids.customer_id(999_999)

# Criteria whose answers on the ledger above are known.
LATE = {"overdueAmount": {"min": "20000"}}  # C001 C002 C005 C006
LATE_ACCOUNTS = ["C001", "C002", "C005", "C006"]
FRANCE = {"country": {"values": ["FR"]}}  # C001 C002 C004 C006
FRANCE_ACCOUNTS = ["C001", "C002", "C004", "C006"]
UNCOVERED = {"uncoveredAmount": {"min": "0.01"}}  # C002 C004 C005
UNCOVERED_ACCOUNTS = ["C002", "C004", "C005"]

ALERT_FIELDS = """
  id name type level color visibility locked
  owner { id name }
  criteria version matchCount canEdit problems
"""
ALERT_PAYLOAD = f"alert {{ {ALERT_FIELDS} }} errors {{ code field message }}"

CREATE = f"""
mutation Create($input: AlertInput!) {{
  createAlert(input: $input) {{ {ALERT_PAYLOAD} }}
}}
"""
UPDATE = f"""
mutation Update($id: ID!, $input: AlertInput!, $expectedVersion: Int) {{
  updateAlert(id: $id, input: $input, expectedVersion: $expectedVersion) {{ {ALERT_PAYLOAD} }}
}}
"""
DELETE = """
mutation Delete($id: ID!) {
  deleteAlert(id: $id) { deletedId errors { code field message } }
}
"""
GET_ALERT = f"query One($id: ID!) {{ alert(id: $id) {{ {ALERT_FIELDS} }} }}"
LIST_ALERTS = f"query List($tab: AlertTab) {{ alerts(tab: $tab) {{ {ALERT_FIELDS} }} }}"

BELL_FIELDS = "count level color alerts { id name type level color }"
BELLS = f"""
query Bells {{
  customers(first: 100) {{
    totalCount
    edges {{ node {{
      accountNumber
      bell {{ {BELL_FIELDS} }}
      collection: bell(tab: COLLECTION) {{ {BELL_FIELDS} }}
      risk: bell(tab: RISK) {{ {BELL_FIELDS} }}
    }} }}
  }}
}}
"""
CUSTOMERS_OF_ALERT = """
query OfAlert($alertId: ID, $first: Int) {
  customers(alertId: $alertId, first: $first) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { cursor node { accountNumber name } }
  }
}
"""


@dataclass
class Api:
    engine: Engine
    client: TestClient
    tokens: dict[str, str]

    # -- raw HTTP ---------------------------------------------------------

    def post(
        self,
        query: str,
        variables: dict[str, Any] | None = None,
        *,
        headers: dict[str, str] | None = None,
    ) -> httpx.Response:
        body: dict[str, Any] = {"query": query}
        if variables is not None:
            body["variables"] = variables
        return self.client.post("/graphql", json=body, headers=headers or {})

    def gql(
        self, token: str, query: str, variables: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        """The JSON body of a GraphQL request sent with `Authorization: Bearer <token>`."""
        response = self.post(query, variables, headers={"Authorization": f"Bearer {token}"})
        assert response.status_code < 500, f"server error {response.status_code}: {response.text}"
        assert response.status_code in (200, 400), (response.status_code, response.text)
        body = response.json()
        assert isinstance(body, dict), body
        return body

    # -- as a named user ----------------------------------------------------

    def run(self, user: str, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        return self.gql(self.tokens[user], query, variables)

    def data(
        self, user: str, query: str, variables: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        """The `data` of a request that must succeed without any GraphQL error."""
        body = self.run(user, query, variables)
        assert not body.get("errors"), body
        return body["data"]

    # -- alerts ---------------------------------------------------------------

    def create(self, user: str, **input: Any) -> dict[str, Any]:
        """Create an alert as `user`; the mutation must succeed. Returns the alert."""
        input.setdefault("criteria", LATE)
        payload = self.data(user, CREATE, {"input": input})["createAlert"]
        assert payload["errors"] == [], payload
        assert payload["alert"] is not None, payload
        return payload["alert"]

    def create_payload(self, user: str, input: dict[str, Any]) -> dict[str, Any]:
        return self.data(user, CREATE, {"input": input})["createAlert"]

    def update_payload(
        self, user: str, alert_id: str, input: dict[str, Any], expected_version: int | None = None
    ) -> dict[str, Any]:
        variables: dict[str, Any] = {"id": alert_id, "input": input}
        if expected_version is not None:
            variables["expectedVersion"] = expected_version
        return self.data(user, UPDATE, variables)["updateAlert"]

    def delete_payload(self, user: str, alert_id: str) -> dict[str, Any]:
        return self.data(user, DELETE, {"id": alert_id})["deleteAlert"]

    def alert(self, user: str, alert_id: str) -> dict[str, Any] | None:
        return self.data(user, GET_ALERT, {"id": alert_id})["alert"]

    def alerts(self, user: str, tab: str | None = None) -> list[dict[str, Any]]:
        return self.data(user, LIST_ALERTS, {"tab": tab})["alerts"]

    def bells(self, user: str) -> dict[str, Any]:
        return self.data(user, BELLS)["customers"]

    def missing_id(self) -> str:
        """A real alert id that no longer names an alert (created, then deleted)."""
        ghost = self.create("admin", name="ghost", criteria=LATE)
        deleted = self.delete_payload("admin", ghost["id"])
        assert deleted == {"deletedId": ghost["id"], "errors": []}, deleted
        return ghost["id"]

    def stored_alert_count(self) -> int:
        """Alerts in the database, whoever owns them (what a user cannot fake)."""
        with self.engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(alerts)).scalar_one())


def row_of(alert_id: str) -> ColumnElement[bool]:
    """The alerts table's row an API id names (for tests that change the table by hand)."""
    return alerts.c.public_id == ids.alert_key(alert_id)


def masked(value: Any, *given_ids: str) -> Any:
    """`value` (a JSON answer) with every id in its strings replaced by <ID>.

    Only strings are touched (never numbers such as error locations), and an id
    is replaced only where it stands alone ("Q3M=" is not masked inside "Q3M=Q3M=").
    """
    if isinstance(value, dict):
        return {key: masked(item, *given_ids) for key, item in value.items()}
    if isinstance(value, list):
        return [masked(item, *given_ids) for item in value]
    if isinstance(value, str):
        for alert_id in sorted(given_ids, key=len, reverse=True):
            value = re.sub(
                rf"(?<![0-9A-Za-z_+/=]){re.escape(alert_id)}(?![0-9A-Za-z_+/=])", "<ID>", value
            )
        return value
    return value


def write_ledger(directory: Path) -> dict[str, Path]:
    files = {
        "customers_file": directory / "customers.csv",
        "items_file": directory / "items.csv",
        "reminders_file": directory / "reminders.csv",
    }
    files["customers_file"].write_text(CUSTOMERS_CSV, encoding="utf-8")
    files["items_file"].write_text(ITEMS_CSV, encoding="utf-8")
    files["reminders_file"].write_text(REMINDERS_CSV, encoding="utf-8")
    return files


@pytest.fixture
def api(engine: Engine, registry: CriteriaRegistry, tmp_path: Path) -> Iterator[Api]:
    from graphql_api.app import create_app  # being written alongside these tests

    tokens: dict[str, str] = {}
    with write_transaction(engine) as conn:
        for name, role in USERS.items():
            tokens[name] = add_user(conn, name, role)
    import_ledger(engine, today=TODAY, **write_ledger(tmp_path))
    app = create_app(engine, registry)
    with TestClient(app, raise_server_exceptions=False) as client:
        yield Api(engine, client, tokens)
