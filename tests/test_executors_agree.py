"""The real schema answers the same through both executors: fast_execution.py's short path
and graphql-core's own execution give identical data and errors for real queries (a bell
page, customers with items and reminders, alerts with owners, errors inside lists, nulls,
aliases, fragments, `__typename`) on the seeded ledger of tests/api_client.py, on SQLite
and PostgreSQL. The rest of the suite runs under either (`pytest --executor graphql-core`).
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from graphql_api.app import create_app
from graphql_api.fast_execution import FastExecutionContext
from graphql_api.graphql.schema import build_schema
from graphql_api.plugins import CriteriaRegistry
from tests.api_client import BELLS, FRANCE, LATE, MADE_UP_ALERT_ID, UNCOVERED, Api

with warnings.catch_warnings():
    warnings.filterwarnings("ignore", "Using `httpx` with `starlette.testclient`")
    from starlette.testclient import TestClient

pytest_plugins = ("tests.api_client",)

Ask = Callable[[str, str, dict[str, Any] | None], dict[str, Any]]

BELL_PAGE = """query BellPage($after: String) {
  customers(first: 50, after: $after) {
    totalCount
    edges { cursor node { accountNumber name outstandingAmount overdueAmount
      bell { count level color alerts { id name level color } } } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}"""

CUSTOMERS_IN_FULL = """{
  customers(first: 10) {
    nodes {
      id accountNumber name group country status collector blocked creditLimit
      insurerGuarantee lastPaymentDate attributes outstandingAmount overdueAmount
      notDueAmount disputedAmount uncoveredAmount creditLimitExcess daysOverdue
      lastReminderDate
      reminders { id date channel note loggedBy }
      latest: reminders(first: 1) { date }
      items(first: 2) {
        totalCount
        pageInfo { hasNextPage endCursor }
        edges { cursor node { id documentNumber type documentDate dueDate amount openAmount
          disputed ignoredInCollection overdue } }
        nodes { documentNumber }
      }
    }
  }
}"""

ALERTS_WITH_OWNERS = """query($tab: AlertTab) {
  alerts(tab: $tab) {
    id name type level color visibility locked criteria version matchCount canEdit problems
    owner { id name role __typename }
    customers(first: 2) { totalCount pageInfo { hasNextPage } edges { node { accountNumber } } }
  }
}"""

FRAGMENTS = """
fragment Money on Customer { outstandingAmount overdueAmount uncoveredAmount }
fragment Ring on Bell { __typename count level ... on Bell { color } alerts { ...AlertBits } }
fragment AlertBits on Alert { __typename id name owner { __typename name } }
query {
  __typename
  customers(first: 5) {
    __typename
    edges {
      __typename
      node { __typename accountNumber ...Money ... on Customer { bell { ...Ring } } }
    }
  }
}"""

ALIASES = """{
  first: customers(first: 2) { edges { node { n: name acct: accountNumber
    all: bell { c: count a: alerts { i: id } } risk: bell(tab: RISK) { count }
    collection: bell(tab: COLLECTION) { alerts { id name } } } } }
  rest: customers(first: 3, search: "o") { totalCount edges { node { accountNumber } } }
  same: customers(first: 2) { edges { node { accountNumber name } } }
}"""

DIRECTIVES = """query($detail: Boolean!) {
  customers(first: 3) { edges { node {
    accountNumber name @include(if: $detail) country @skip(if: $detail)
    bell { count alerts @include(if: $detail) { name } }
  } } }
}"""

NULLS = """{
  nobody: customer(accountNumber: "NOPE") { name }
  sparse: customer(accountNumber: "C008") { accountNumber group status collector creditLimit
    insurerGuarantee lastPaymentDate lastReminderDate reminders { id }
    bell { count level color alerts { id } } items { totalCount nodes { dueDate amount } } }
  noAlert: alert(id: "MADE_UP_ALERT_ID") { id }
  badAlert: alert(id: "not-an-id") { id }
  noNode: node(id: "MADE_UP_ALERT_ID") { id }
}""".replace("MADE_UP_ALERT_ID", MADE_UP_ALERT_ID)

NODES = """query($ids: [ID!]!) {
  nodes(ids: $ids) {
    __typename id
    ... on Alert { name level owner { id name } }
    ... on Customer { accountNumber bell { count alerts { id name } } }
    ... on Item { documentNumber openAmount }
    ... on Reminder { date channel }
    ... on User { name role }
  }
}"""

# Errors inside lists: each item's argument error nulls it up to the nearest nullable field.
ERRORS_IN_LISTS = [
    """query($id: ID!) { alert(id: $id) { name customers(first: 5) {
        edges { node { accountNumber items(first: 1000) { totalCount } } } } } }""",
    """query($id: ID!) { alert(id: $id) { name customers(first: 3) {
        edges { node { accountNumber items(after: "nonsense") { totalCount } } } } } }""",
    '{ alerts { name customers(after: "nonsense") { totalCount } } }',
    "{ customers(first: 3) { edges { node { accountNumber items(first: -1) { totalCount } } } } }",
    "{ customers(first: 501) { totalCount } }",
]

INTROSPECTION = """{
  __type(name: "Customer") { name kind fields { name type { name kind ofType { name } } } }
  __schema { queryType { name } mutationType { name } }
}"""

REJECTED_MUTATIONS = [
    (
        "alice",
        """mutation { createAlert(input: { name: " ", criteria: {} }) {
            alert { id } errors { __typename code field message } } }""",
    ),
    (
        "viewer",
        """mutation { createAlert(input: { name: "no", criteria: { blocked: true } }) {
            alert { id } errors { code field message } } }""",
    ),
]


@pytest.fixture
def ask_both(
    api: Api, registry: CriteriaRegistry, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Ask]:
    """Ask a query, as a user, of two applications on the same database that differ only in
    their executor; the answer is returned once both agree."""
    clients: dict[str, TestClient] = {}
    for executor in ("fast", "graphql-core"):
        monkeypatch.setenv("DSO_ALERTS_EXECUTOR", executor)
        clients[executor] = TestClient(create_app(api.engine, registry))
    monkeypatch.delenv("DSO_ALERTS_EXECUTOR")

    def ask(user: str, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        answers = {}
        for executor, client in clients.items():
            response = client.post(
                "/graphql", json={"query": query, "variables": variables},
                headers={"Authorization": f"Bearer {api.tokens[user]}"},
            )  # fmt: skip
            answers[executor] = (response.status_code, without_request_ids(response.json()))
        assert answers["fast"] == answers["graphql-core"]
        return answers["fast"][1]  # type: ignore[no-any-return]

    with clients["fast"], clients["graphql-core"]:
        yield ask


def without_request_ids(value: Any) -> Any:
    """An answer with each request's own id (in a masked internal error) made the same."""
    if isinstance(value, dict):
        return {k: "<id>" if k == "requestId" else without_request_ids(v) for k, v in value.items()}
    if isinstance(value, list):
        return [without_request_ids(item) for item in value]
    if isinstance(value, str):
        return re.sub(r"request id [0-9a-f]+", "request id <id>", value)
    return value


# Alerts of three owners, levels, types and visibilities; several ring on the same customers.
ALERTS: dict[str, tuple[str, dict[str, Any]]] = {
    "late": ("alice", {"name": "Late", "criteria": LATE, "level": "HIGH", "visibility": "PUBLIC"}),
    "france": ("alice", {"name": "France", "criteria": FRANCE, "color": "#123456"}),
    "uncovered": (
        "bob", {"name": "Uncovered", "criteria": UNCOVERED, "type": "RISK", "visibility": "PUBLIC"}
    ),
    "items": (
        "admin",
        {"name": "Open invoices", "type": "NONE", "level": "CRITICAL", "visibility": "PUBLIC",
         "criteria": {"itemType": {"values": ["INVOICE"]}, "itemOverdue": True}},
    ),
    "private": ("bob", {"name": "Bob's own", "criteria": FRANCE, "level": "LOW"}),
}  # fmt: skip


@pytest.fixture
def alert_ids(api: Api) -> dict[str, str]:
    return {key: api.create(owner, **fields)["id"] for key, (owner, fields) in ALERTS.items()}


def test_bell_pages(ask_both: Ask, alert_ids: dict[str, str]) -> None:
    for user in ("alice", "bob", "viewer"):
        page = ask_both(user, BELL_PAGE, None)["data"]["customers"]
        assert page["totalCount"] == 8 and len(page["edges"]) == 8
        ask_both(user, BELL_PAGE, {"after": page["edges"][2]["cursor"]})
        ask_both(user, BELLS, None)
    c002 = ask_both("alice", BELL_PAGE, None)["data"]["customers"]["edges"][1]["node"]
    assert c002["accountNumber"] == "C002"
    assert {a["name"] for a in c002["bell"]["alerts"]} == {
        "Late",
        "France",
        "Uncovered",
        "Open invoices",
    }


def test_customers_with_items_and_reminders(ask_both: Ask, alert_ids: dict[str, str]) -> None:
    nodes = ask_both("alice", CUSTOMERS_IN_FULL, None)["data"]["customers"]["nodes"]
    assert [n["accountNumber"] for n in nodes[:2]] == ["C001", "C002"]
    assert nodes[1]["reminders"][0]["channel"] == "EMAIL"


def test_alerts_with_owners(ask_both: Ask, alert_ids: dict[str, str]) -> None:
    for user in ("alice", "bob", "admin", "viewer"):
        for tab in (None, "COLLECTION", "RISK"):
            ask_both(user, ALERTS_WITH_OWNERS, {"tab": tab})
    alerts = ask_both("bob", ALERTS_WITH_OWNERS, None)["data"]["alerts"]
    assert {a["owner"]["name"] for a in alerts} == {"alice", "bob", "admin"}
    query = "query($id: ID!) { alert(id: $id) { name owner { name } customers { totalCount } } }"
    for alert_id in alert_ids.values():
        ask_both("alice", query, {"id": alert_id})


def test_fragments_aliases_directives_and_typename(
    ask_both: Ask, alert_ids: dict[str, str]
) -> None:
    edges = ask_both("alice", FRAGMENTS, None)["data"]["customers"]["edges"]
    assert edges[0]["node"]["bell"]["alerts"][0]["owner"]["__typename"] == "User"
    aliased = ask_both("alice", ALIASES, None)["data"]
    assert set(aliased["first"]["edges"][0]["node"]) == {"n", "acct", "all", "risk", "collection"}
    for detail in (True, False):
        ask_both("alice", DIRECTIVES, {"detail": detail})
    ask_both("alice", INTROSPECTION, None)


def test_nodes_of_every_type(ask_both: Ask, alert_ids: dict[str, str]) -> None:
    full = ask_both("alice", CUSTOMERS_IN_FULL, None)["data"]["customers"]["nodes"]
    me = ask_both("alice", "{ me { id } }", None)["data"]["me"]["id"]
    given = [*alert_ids.values(), me, MADE_UP_ALERT_ID, "not-an-id"]
    for customer in full[:3]:
        given += [customer["id"], *(r["id"] for r in customer["reminders"])]
        given += [edge["node"]["id"] for edge in customer["items"]["edges"]]
    for user, private in (("alice", "private"), ("bob", "france")):  # the other's private one
        found = ask_both(user, NODES, {"ids": given})["data"]["nodes"]
        hidden = (MADE_UP_ALERT_ID, "not-an-id", alert_ids[private])
        assert [n and n["id"] for n in found] == [None if i in hidden else i for i in given]


def test_nulls(ask_both: Ask, alert_ids: dict[str, str]) -> None:
    data = ask_both("alice", NULLS, None)["data"]
    assert data["nobody"] is None and data["noAlert"] is None and data["noNode"] is None
    assert data["sparse"]["group"] is None and data["sparse"]["bell"]["level"] is None


def test_errors_inside_lists(ask_both: Ask, alert_ids: dict[str, str]) -> None:
    for query in ERRORS_IN_LISTS:
        body = ask_both("alice", query, {"id": alert_ids["late"]})
        assert body["errors"], query
    first = ask_both("alice", ERRORS_IN_LISTS[0], {"id": alert_ids["late"]})
    assert first["data"] == {"alert": None}
    assert first["errors"][0]["path"][:5] == ["alert", "customers", "edges", 0, "node"]


def test_rejected_mutations(ask_both: Ask, alert_ids: dict[str, str]) -> None:
    for user, mutation in REJECTED_MUTATIONS:
        payload = ask_both(user, mutation, None)["data"]["createAlert"]
        assert payload["alert"] is None and payload["errors"], payload


def test_the_short_path_runs_on_a_bell_page(
    api: Api, registry: CriteriaRegistry, alert_ids: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Most of a bell page never reaches graphql-core's `execute_field`: were the short path
    switched off (say, by an extension with a `resolve` hook), the answers would still agree
    and only this test would say so."""
    calls = {"execute_field": 0, "complete_object_value": 0}

    def counting(name: str) -> None:
        original = getattr(StrawberryGraphQLCoreExecutionContext, name)

        def counted(self: Any, *args: Any) -> Any:
            calls[name] += 1
            return original(self, *args)

        monkeypatch.setattr(StrawberryGraphQLCoreExecutionContext, name, counted)

    # An object type that implements an interface (every Node: a bell's alerts, a page's
    # customers) has a type check; the short path must complete it too.
    counting("execute_field")
    counting("complete_object_value")
    seen = {}
    for executor in ("fast", "graphql-core"):
        monkeypatch.setenv("DSO_ALERTS_EXECUTOR", executor)
        with TestClient(create_app(api.engine, registry)) as client:
            calls.update(dict.fromkeys(calls, 0))
            client.post(
                "/graphql", json={"query": BELL_PAGE},
                headers={"Authorization": f"Bearer {api.tokens['alice']}"},
            )  # fmt: skip
            seen[executor] = dict(calls)
    for name in calls:
        assert seen["fast"][name] * 3 < seen["graphql-core"][name], seen


@pytest.mark.parametrize(
    ("setting", "executor"),
    [("fast", FastExecutionContext), ("graphql-core", StrawberryGraphQLCoreExecutionContext)],
)
def test_the_served_schema_runs_the_configured_executor(
    registry: CriteriaRegistry, monkeypatch: pytest.MonkeyPatch, setting: str, executor: type
) -> None:
    monkeypatch.setenv("DSO_ALERTS_EXECUTOR", setting)
    assert build_schema(registry).execution_context_class is executor
