"""The GraphQL API's happy paths through HTTP (SPEC §4–§5), on the ledger of tests/api_client.py:
figures, bells, paging, search, where, alertId, matchCount, logReminder, tabs, items, problems."""

from __future__ import annotations

from typing import Any

import pytest

from graphql_api.alerts import LEVEL_COLORS, Level
from graphql_api.app import create_app
from graphql_api.plugins import load_registry
from tests.api_client import (
    ACCOUNTS,
    FRANCE,
    FRANCE_ACCOUNTS,
    LATE,
    LATE_ACCOUNTS,
    MADE_UP_ALERT_ID,
    MADE_UP_CUSTOMER_ID,
    UNCOVERED,
    UNCOVERED_ACCOUNTS,
    Api,
    TestClient,
)

pytest_plugins = ("tests.api_client",)

FIGURES = """
query Figures($account: String) {
  customer(accountNumber: $account) {
    id accountNumber name group country status collector blocked creditLimit insurerGuarantee
    lastPaymentDate attributes outstandingAmount overdueAmount notDueAmount disputedAmount
    uncoveredAmount creditLimitExcess daysOverdue lastReminderDate
  }
}
"""
PAGE = """
query Page($first: Int, $after: String, $search: String, $where: CriteriaInput, $alertId: ID) {
  customers(first: $first, after: $after, search: $search, where: $where, alertId: $alertId) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { cursor node { accountNumber } }
  }
}
"""
BELL = """
query Bell($account: String) {
  customer(accountNumber: $account) {
    bell { count level color alerts { id name type level color } }
    collection: bell(tab: COLLECTION) { count level alerts { name } }
    risk: bell(tab: RISK) { count level alerts { name } }
  }
}
"""
COUNTS = "{ alerts { name matchCount problems } }"


def accounts(api: Api, user: str = "alice", **variables: Any) -> list[str]:
    connection = api.data(user, PAGE, variables)["customers"]
    return [edge["node"]["accountNumber"] for edge in connection["edges"]]


def errors(api: Api, query: str, variables: dict[str, Any]) -> list[dict[str, Any]]:
    body = api.run("alice", query, variables)
    assert body.get("errors"), body
    return body["errors"]


def test_me_and_the_criteria_registry(api: Api) -> None:
    data = api.data("viewer", "{ me { name role } criteria { key scope kind inputType values } }")
    assert data["me"] == {"name": "viewer", "role": "VIEWER"}
    criteria = {c["key"]: c for c in data["criteria"]}
    assert {"overdueAmount", "lastReminderDate", "itemOverdue", "country"} <= set(criteria)
    assert criteria["overdueAmount"] | {"values": None} == {
        "key": "overdueAmount", "scope": "CUSTOMER", "kind": "AMOUNT",
        "inputType": "AmountRange", "values": None,
    }  # fmt: skip
    assert criteria["country"]["values"] == ["BE", "DE", "FR", "IT", "US"]
    assert criteria["itemType"]["values"] == ["CREDIT_NOTE", "INVOICE", "PAYMENT"]
    assert criteria["itemDisputed"]["inputType"] == "Boolean"


def test_customer_fields_and_figures(api: Api) -> None:
    c001 = api.data("viewer", FIGURES, {"account": "C001"})["customer"]
    assert c001 | {"id": "?"} == {
        "id": "?", "accountNumber": "C001", "name": "Acme Industries", "group": "Private",
        "country": "FR", "status": "Normal", "collector": "Ann", "blocked": False,
        "creditLimit": "50000.00", "insurerGuarantee": "30000.00", "lastPaymentDate": "2026-10-01",
        "attributes": {}, "outstandingAmount": "30000.00", "overdueAmount": "25000.00",
        "notDueAmount": "5000.00", "disputedAmount": "0.00", "uncoveredAmount": "0.00",
        "creditLimitExcess": "-20000.00", "daysOverdue": 83, "lastReminderDate": None,
    }  # fmt: skip
    c004 = api.data("viewer", FIGURES, {"account": "C004"})["customer"]
    assert (c004["disputedAmount"], c004["insurerGuarantee"], c004["uncoveredAmount"]) == (
        "5000.00", None, "5000.00",
    )  # fmt: skip
    assert api.data("viewer", FIGURES, {"account": "C002"})["customer"]["lastReminderDate"] == (
        "2026-11-20"
    )
    same = api.data("viewer", "query($id: ID) { customer(id: $id) { accountNumber } }",
                    {"id": c001["id"]})  # fmt: skip
    assert same == {"customer": {"accountNumber": "C001"}}
    assert api.data("viewer", FIGURES, {"account": "nope"}) == {"customer": None}


def test_paging_walks_every_customer_once_in_account_order(api: Api) -> None:
    seen: list[str] = []
    after = None
    for _ in range(10):
        page = api.data("viewer", PAGE, {"first": 3, "after": after})["customers"]
        assert page["totalCount"] == len(ACCOUNTS)
        seen += [edge["node"]["accountNumber"] for edge in page["edges"]]
        assert page["pageInfo"]["endCursor"] == page["edges"][-1]["cursor"]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert seen == ACCOUNTS
    assert accounts(api) == ACCOUNTS  # first defaults to 50
    assert accounts(api, first=0) == []


def test_paging_rejects_a_bad_cursor_and_too_large_a_page(api: Api) -> None:
    (error,) = errors(api, PAGE, {"after": "not-a-cursor"})
    assert "after" in error["message"]
    (error,) = errors(api, PAGE, {"first": 501})
    assert "500" in error["message"]
    (error,) = errors(api, PAGE, {"first": -1})
    assert "first" in error["message"]
    assert api.data("alice", PAGE, {"first": 500})["customers"]["totalCount"] == len(ACCOUNTS)


def test_search_is_case_insensitive_on_account_number_and_name(api: Api) -> None:
    assert accounts(api, search="ACME") == ["C001"]
    assert accounts(api, search="gmbh") == ["C003"]
    assert accounts(api, search="c00") == ACCOUNTS
    assert accounts(api, search="  ") == ACCOUNTS
    assert accounts(api, search="zzz") == []
    assert accounts(api, search="a", where=FRANCE) == ["C001", "C002", "C004", "C006"]


def test_where_filters_like_an_alert_and_is_validated_the_same_way(api: Api) -> None:
    assert accounts(api, where=LATE) == LATE_ACCOUNTS
    assert accounts(api, where=FRANCE) == FRANCE_ACCOUNTS
    assert accounts(api, where=LATE | FRANCE) == ["C001", "C002", "C006"]
    assert accounts(api, where={"itemDisputed": True}) == ["C004"]
    assert accounts(api, where={"country": {"op": "IS_NOT", "values": ["FR"]}}) == [
        "C003", "C005", "C007", "C008",
    ]  # fmt: skip
    (error,) = errors(api, PAGE, {"where": {"overdueAmount": {"min": "5", "max": "1"}}})
    assert "criteria.overdueAmount.min" in error["message"]
    assert error["extensions"]["code"] == "VALIDATION"
    (error,) = errors(api, PAGE, {"where": {}})
    assert "criterion" in error["message"]


def test_alerts_count_and_list_their_customers(api: Api) -> None:
    late = api.create("alice", name="Late", criteria=LATE)
    uncovered = api.create("alice", name="Uncovered", criteria=UNCOVERED, type="RISK")
    counts = {a["name"]: a["matchCount"] for a in api.data("alice", COUNTS)["alerts"]}
    assert counts == {"Late": len(LATE_ACCOUNTS), "Uncovered": len(UNCOVERED_ACCOUNTS)}
    assert accounts(api, alertId=late["id"]) == LATE_ACCOUNTS
    assert accounts(api, alertId=uncovered["id"], first=2) == UNCOVERED_ACCOUNTS[:2]
    assert accounts(api, alertId=late["id"], where=FRANCE) == ["C001", "C002", "C006"]
    of_alert = api.data(
        "alice",
        "query($id: ID!) { alert(id: $id) { customers(first: 2) { totalCount } } }",
        {"id": late["id"]},
    )
    assert of_alert["alert"]["customers"]["totalCount"] == len(LATE_ACCOUNTS)
    (error,) = errors(api, PAGE, {"alertId": MADE_UP_ALERT_ID})
    assert error["extensions"]["code"] == "NOT_FOUND"


def test_an_alert_shows_its_owner_colour_version_and_rights(api: Api) -> None:
    mine = api.create("alice", name="Mine", level="CRITICAL", criteria=FRANCE, visibility="PUBLIC")
    assert mine | {"id": "?", "owner": {}} == {
        "id": "?", "name": "Mine", "type": "COLLECTION", "level": "CRITICAL",
        "color": LEVEL_COLORS[Level.CRITICAL], "visibility": "PUBLIC", "locked": False,
        "owner": {}, "criteria": {"country": {"op": "IS", "values": ["FR"]}}, "version": 1,
        "matchCount": len(FRANCE_ACCOUNTS), "canEdit": True, "problems": [],
    }  # fmt: skip
    assert mine["owner"]["name"] == "alice"
    seen_by_bob = api.alert("bob", mine["id"])
    assert seen_by_bob is not None and seen_by_bob["canEdit"] is False
    assert api.alert("admin", mine["id"])["canEdit"] is True  # type: ignore[index]
    coloured = api.create("alice", name="Blue", color="#1565c0")
    assert (coloured["color"], coloured["locked"]) == ("#1565C0", True)


def test_bells_list_matched_alerts_highest_level_first_and_by_tab(api: Api) -> None:
    api.create("admin", name="b late", level="HIGH", criteria=LATE, visibility="PUBLIC")
    api.create("alice", name="a late", level="HIGH", criteria=LATE, type="NONE")
    api.create("alice", name="uncovered", level="CRITICAL", criteria=UNCOVERED, type="RISK")
    api.create("bob", name="bob's", level="CRITICAL", criteria=LATE)  # private: not alice's
    api.create("alice", name="france", level="LOW", criteria=FRANCE)
    bell = api.data("alice", BELL, {"account": "C002"})["customer"]
    assert [(a["name"], a["level"]) for a in bell["bell"]["alerts"]] == [
        ("uncovered", "CRITICAL"), ("a late", "HIGH"), ("b late", "HIGH"), ("france", "LOW"),
    ]  # fmt: skip
    assert bell["bell"]["count"] == 4
    assert (bell["bell"]["level"], bell["bell"]["color"]) == (
        "CRITICAL", LEVEL_COLORS[Level.CRITICAL],
    )  # fmt: skip
    assert [a["name"] for a in bell["collection"]["alerts"]] == ["a late", "b late", "france"]
    assert (bell["collection"]["count"], bell["collection"]["level"]) == (3, "HIGH")
    assert [a["name"] for a in bell["risk"]["alerts"]] == ["uncovered", "a late"]
    quiet = api.data("alice", BELL, {"account": "C007"})["customer"]["bell"]
    assert quiet == {"count": 0, "level": None, "color": None, "alerts": []}
    pages = api.bells("alice")
    by_account = {e["node"]["accountNumber"]: e["node"]["bell"]["count"] for e in pages["edges"]}
    assert by_account == {"C001": 3, "C002": 4, "C003": 0, "C004": 2, "C005": 3, "C006": 3,
                          "C007": 0, "C008": 0}  # fmt: skip


def test_tabs_list_their_type_and_none(api: Api) -> None:
    for name, kind in (("c", "COLLECTION"), ("r", "RISK"), ("n", "NONE")):
        api.create("alice", name=name, type=kind)
    assert [a["name"] for a in api.alerts("alice", "COLLECTION")] == ["c", "n"]
    assert [a["name"] for a in api.alerts("alice", "RISK")] == ["n", "r"]
    assert [a["name"] for a in api.alerts("alice")] == ["c", "n", "r"]


def test_log_reminder_takes_the_customer_out_of_not_reminded_for_10_days(api: Api) -> None:
    not_reminded = api.create(
        "alice", name="Late, not reminded",
        criteria=LATE | {"lastReminderDate": {"olderThanDays": 10}},
    )
    assert not_reminded["matchCount"] == 2  # C001 never reminded, C006 on 2026-10-01
    query = """mutation Log($input: ReminderInput!) { logReminder(input: $input) {
      reminder { date channel note loggedBy } customer { accountNumber lastReminderDate }
      errors { code field message } } }"""
    c001 = api.data("alice", FIGURES, {"account": "C001"})["customer"]["id"]
    logged = api.data("alice", query, {"input": {"customerId": c001, "note": " called "}})
    assert logged["logReminder"] == {
        "reminder": {"date": "2026-11-23", "channel": "EMAIL", "note": "called",
                     "loggedBy": "alice"},
        "customer": {"accountNumber": "C001", "lastReminderDate": "2026-11-23"},
        "errors": [],
    }  # fmt: skip
    assert api.alert("alice", not_reminded["id"])["matchCount"] == 1  # type: ignore[index]
    older = {"customerId": c001, "date": "2026-11-01", "channel": "PHONE"}
    assert api.data("alice", query, {"input": older})["logReminder"]["errors"] == []
    history = api.data(
        "viewer",
        "query($a: String) { customer(accountNumber: $a) { lastReminderDate "
        "reminders { date channel } } }",
        {"a": "C001"},
    )
    assert history["customer"] == {
        "lastReminderDate": "2026-11-23",
        "reminders": [{"date": "2026-11-23", "channel": "EMAIL"},
                      {"date": "2026-11-01", "channel": "PHONE"}],
    }  # fmt: skip
    refused = api.data("viewer", query, {"input": {"customerId": c001}})["logReminder"]
    assert (refused["reminder"], [e["code"] for e in refused["errors"]]) == (None, ["FORBIDDEN"])
    unknown = api.data("alice", query, {"input": {"customerId": MADE_UP_CUSTOMER_ID}})
    unknown = unknown["logReminder"]
    assert [(e["code"], e["field"]) for e in unknown["errors"]] == [("NOT_FOUND", "customerId")]


def test_items_are_a_connection_oldest_due_date_first(api: Api) -> None:
    query = """query($a: String, $after: String) { customer(accountNumber: $a) {
      items(first: 1, after: $after) { totalCount pageInfo { hasNextPage endCursor }
        nodes { documentNumber type dueDate amount openAmount disputed overdue } } } }"""
    first = api.data("viewer", query, {"a": "C001"})["customer"]["items"]
    assert first["totalCount"] == 2 and first["pageInfo"]["hasNextPage"] is True
    assert first["nodes"] == [{"documentNumber": "F001", "type": "INVOICE", "dueDate": "2026-09-01",
                               "amount": "25000.00", "openAmount": "25000.00", "disputed": False,
                               "overdue": True}]  # fmt: skip
    after = first["pageInfo"]["endCursor"]
    second = api.data("viewer", query, {"a": "C001", "after": after})["customer"]["items"]
    assert [i["documentNumber"] for i in second["nodes"]] == ["F002"]
    assert second["pageInfo"]["hasNextPage"] is False
    bad = api.run("viewer", query, {"a": "C001", "after": "nope"})
    assert "after" in bad["errors"][0]["message"]


def test_an_alert_whose_plugin_is_gone_reports_it_and_matches_nothing(api: Api) -> None:
    api.create("alice", name="items", criteria={"itemDisputed": True}, visibility="PUBLIC")
    api.create("alice", name="late", criteria=LATE, visibility="PUBLIC")
    from criteria_plugins import customer_fields, customer_figures

    without_items = load_registry([customer_fields, customer_figures], load_entry_points=False)
    with TestClient(create_app(api.engine, without_items)) as client:
        reduced = Api(api.engine, client, api.tokens)
        alerts = {a["name"]: a for a in reduced.data("bob", COUNTS)["alerts"]}
        assert alerts["late"] == {"name": "late", "matchCount": len(LATE_ACCOUNTS), "problems": []}
        assert alerts["items"]["matchCount"] == 0
        assert "itemDisputed" in alerts["items"]["problems"][0]
        bell = reduced.data("bob", BELL, {"account": "C004"})["customer"]["bell"]
        assert bell["count"] == 0
        assert "itemDisputed" not in reduced.data("bob", "{ criteria { key } }")["criteria"]


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_queries_over_get_and_post_mutations_only_over_post(api: Api, method: str) -> None:
    headers = {"Authorization": f"Bearer {api.tokens['alice']}", "Accept": "application/json"}
    query = "{ me { name } }"
    if method == "GET":
        response = api.client.get("/graphql", params={"query": query}, headers=headers)
    else:
        response = api.client.post("/graphql", json={"query": query}, headers=headers)
    assert (response.status_code, response.json()) == (200, {"data": {"me": {"name": "alice"}}})
    mutation = f'mutation {{ deleteAlert(id: "{MADE_UP_ALERT_ID}") {{ deletedId }} }}'
    response = api.client.get("/graphql", params={"query": mutation}, headers=headers)
    assert response.status_code == 405
