"""Membership's history through HTTP (SPEC §9), on SQLite and PostgreSQL: `AlertChange`,
`Alert.changes`, `Customer.alertChanges`, `Query.alertChanges`, `seenAt`, `newCount`,
`markAlertSeen`, `markAllAlertsSeen`, `matchCountHistory` and `deleteReminder`, each as
several users — and a change of an alert one may not see does not exist, everywhere.

The scenario, on the ledger of tests/api_client.py (D = 2026-11-23):

| t  | event                                  | STALE (alice, PRIVATE)  | UNCOVERED (bob, PUBLIC) |
|----|----------------------------------------|-------------------------|-------------------------|
| t1 | alice creates STALE                    | C001, C006 enter        |                         |
| t2 | bob creates UNCOVERED (RISK)           |                         | C002, C004, C005 enter  |
| t3 | alice reminds C001 (D)                 | C001 leaves (REMINDER)  |                         |
| t4 | alice deletes that reminder            | C001 enters (REMINDER)  |                         |
| t5 | alice raises STALE's minimum to 25000  | C006 leaves (ALERT_SAVED) |                       |
| t6 | the day moves to D+7                   | C002 enters (NEW_DAY)   |                         |
| t7 | an import where C004's invoice is paid |                         | C004 leaves (IMPORT)    |

STALE = overdue ≥ 20000 (then 25000) and not reminded for 10 days; on D+7 C002's reminder
of 11-20 is 10 days old.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from graphql_api import ids
from graphql_api.ledger_import import import_ledger
from tests.api_client import TODAY, UNCOVERED, Api, write_ledger

pytest_plugins = ("tests.api_client",)

D7 = TODAY + timedelta(days=7)
STALE = {"overdueAmount": {"min": "20000"}, "lastReminderDate": {"olderThanDays": 10}}
STALER = {"overdueAmount": {"min": "25000"}, "lastReminderDate": {"olderThanDays": 10}}

CHANGE = "id kind day cause at alert { name } customer { accountNumber }"
CONNECTION = f"""
  totalCount
  pageInfo {{ hasNextPage hasPreviousPage startCursor endCursor }}
  edges {{ cursor node {{ {CHANGE} }} }}
"""
ALL_CHANGES = f"""
query($first: Int, $after: String, $last: Int, $before: String, $since: DateTime,
      $tab: AlertTab) {{
  alertChanges(first: $first, after: $after, last: $last, before: $before, since: $since,
               tab: $tab) {{ {CONNECTION} }}
}}
"""
ALERT_CHANGES = f"""
query($id: ID!, $first: Int, $after: String, $last: Int, $before: String,
      $kind: AlertChangeKind) {{
  alert(id: $id) {{
    changes(first: $first, after: $after, last: $last, before: $before, kind: $kind) {{
      {CONNECTION}
    }}
  }}
}}
"""
CUSTOMER_CHANGES = f"""
query($account: String!) {{
  customer(accountNumber: $account) {{ alertChanges {{ {CONNECTION} }} }}
}}
"""
MARKS = "query { alerts { name seenAt newCount matchCount } }"
REMINDER_PAYLOAD = (
    "reminder { id } customer { accountNumber lastReminderDate } errors { code field }"
)
LOG = f"""mutation($input: ReminderInput!) {{
  logReminder(input: $input) {{ {REMINDER_PAYLOAD} }}
}}"""
DELETE = f"""mutation($id: ID!) {{ deleteReminder(id: $id) {{ {REMINDER_PAYLOAD} }} }}"""

# (cause, kind, account, alert, day) newest first, as alice sees them after t7.
T7 = ("IMPORT", "LEFT", "C004", "Uncovered", D7)
T6 = ("NEW_DAY", "ENTERED", "C002", "Stale", D7)
T5 = ("ALERT_SAVED", "LEFT", "C006", "Stale", TODAY)
T4 = ("REMINDER", "ENTERED", "C001", "Stale", TODAY)
T3 = ("REMINDER", "LEFT", "C001", "Stale", TODAY)
T2 = [("ALERT_SAVED", "ENTERED", a, "Uncovered", TODAY) for a in ("C002", "C004", "C005")]
T1 = [("ALERT_SAVED", "ENTERED", a, "Stale", TODAY) for a in ("C001", "C006")]
ALICE_SEES = [T7, T6, T5, T4, T3, *T2, *T1]
BOB_SEES = [T7, *T2]


def shown(edges: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    return [
        (n["cause"], n["kind"], n["customer"]["accountNumber"], n["alert"]["name"],
         date.fromisoformat(n["day"]))
        for n in (e["node"] for e in edges)
    ]  # fmt: skip


def customer_id(api: Api, account: str) -> str:
    query = "query($a: String!) { customer(accountNumber: $a) { id } }"
    return str(api.data("admin", query, {"a": account})["customer"]["id"])


def marks(api: Api, user: str) -> dict[str, tuple[str | None, int, int]]:
    found = api.data(user, MARKS)["alerts"]
    return {a["name"]: (a["seenAt"], a["newCount"], a["matchCount"]) for a in found}


def everything(api: Api, user: str, **variables: Any) -> dict[str, Any]:
    return dict(api.data(user, ALL_CHANGES, variables)["alertChanges"])


@pytest.fixture
def scenario(api: Api, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """Runs t1–t7 (checking the marks on the way) and gives the alerts' ids."""
    stale = api.create("alice", name="Stale", criteria=STALE)
    uncovered = api.create("bob", name="Uncovered", type="RISK", visibility="PUBLIC",
                           criteria=UNCOVERED)  # fmt: skip
    assert marks(api, "alice") == {"Stale": (None, 2, 2), "Uncovered": (None, 3, 3)}
    mark = "mutation($id: ID!) { markAlertSeen(id: $id) { alert { version seenAt newCount } "
    seen = api.data("alice", mark + "errors { code } } }", {"id": stale["id"]})["markAlertSeen"]
    assert seen["errors"] == [] and seen["alert"]["version"] == 1, seen
    assert seen["alert"]["seenAt"] is not None and seen["alert"]["newCount"] == 0, seen
    logged = api.data("alice", LOG, {"input": {"customerId": customer_id(api, "C001")}})
    reminder = logged["logReminder"]["reminder"]["id"]
    deleted = api.data("alice", DELETE, {"id": reminder})["deleteReminder"]
    assert deleted["errors"] == [] and deleted["reminder"] == {"id": reminder}, deleted
    assert deleted["customer"] == {"accountNumber": "C001", "lastReminderDate": None}, deleted
    # C001 re-entered after alice's seenAt: it is new again for her.
    assert marks(api, "alice")["Stale"][1:] == (1, 2)
    edited = api.update_payload("alice", stale["id"], {"name": "Stale", "criteria": STALER})
    assert edited["errors"] == [], edited
    monkeypatch.setenv("DSO_ALERTS_TODAY", D7.isoformat())
    assert marks(api, "alice")["Stale"][1:] == (2, 2)  # C001 again, C002 by the new day
    files = write_ledger(tmp_path)
    c004 = "C004,F005,INVOICE,2026-09-01,2026-10-01,5000,"
    paid = files["items_file"].read_text().replace(c004 + "5000", c004 + "0")
    files["items_file"].write_text(paid)
    import_ledger(api.engine, today=D7, **files)
    return {"stale": stale["id"], "uncovered": uncovered["id"]}


def test_each_user_sees_the_changes_of_the_alerts_they_can_see(
    api: Api, scenario: dict[str, str]
) -> None:
    alice = everything(api, "alice")
    assert shown(alice["edges"]) == ALICE_SEES and alice["totalCount"] == 10
    for user in ("bob", "viewer", "admin"):
        theirs = everything(api, user)
        assert shown(theirs["edges"]) == BOB_SEES and theirs["totalCount"] == 4, user
    assert shown(everything(api, "alice", tab="RISK")["edges"]) == BOB_SEES
    assert shown(everything(api, "alice", tab="COLLECTION")["edges"]) == [T6, T5, T4, T3, *T1]
    # One event's changes share `at`, newest first.
    ats = [datetime.fromisoformat(e["node"]["at"]) for e in alice["edges"]]
    assert ats == sorted(ats, reverse=True) and len(set(ats)) == 7
    assert all(at.utcoffset() == timedelta(0) for at in ats)
    # since: at or after the moment given.
    since = alice["edges"][2]["node"]["at"]  # t5
    assert shown(everything(api, "alice", since=since)["edges"]) == [T7, T6, T5]

    stale = api.data("alice", ALERT_CHANGES, {"id": scenario["stale"]})["alert"]["changes"]
    assert shown(stale["edges"]) == [T6, T5, T4, T3, *T1] and stale["totalCount"] == 6
    left = api.data("alice", ALERT_CHANGES, {"id": scenario["stale"], "kind": "LEFT"})
    assert shown(left["alert"]["changes"]["edges"]) == [T5, T3]

    c001 = api.data("alice", CUSTOMER_CHANGES, {"account": "C001"})["customer"]["alertChanges"]
    assert shown(c001["edges"]) == [T4, T3, T1[0]]
    c002 = api.data("bob", CUSTOMER_CHANGES, {"account": "C002"})["customer"]["alertChanges"]
    assert shown(c002["edges"]) == [T2[0]] and c002["totalCount"] == 1
    c006 = api.data("bob", CUSTOMER_CHANGES, {"account": "C006"})["customer"]["alertChanges"]
    assert c006["edges"] == [] and c006["totalCount"] == 0


def test_a_change_is_found_again_by_its_id_by_those_who_may_see_it(
    api: Api, scenario: dict[str, str]
) -> None:
    edges = everything(api, "alice")["edges"]
    private = [e["node"]["id"] for e in edges if e["node"]["alert"]["name"] == "Stale"]
    public = [e["node"]["id"] for e in edges if e["node"]["alert"]["name"] == "Uncovered"]
    node = f"query($id: ID!) {{ node(id: $id) {{ ... on AlertChange {{ {CHANGE} }} }} }}"
    for change_id in private + public:
        assert api.data("alice", node, {"id": change_id})["node"]["id"] == change_id
    assert len(set(private + public)) == 10
    made_up = ids.encode(ids.ALERT_CHANGE, "madeUpAlertKey00:1:0")
    nodes = "query($ids: [ID!]!) { nodes(ids: $ids) { id } }"
    for user in ("bob", "viewer", "admin"):
        for change_id in private:  # another user's private alert: exactly like a made-up id
            assert api.data(user, node, {"id": change_id}) == {"node": None}
        assert api.data(user, node, {"id": made_up}) == {"node": None}
        found = api.data(user, nodes, {"ids": [*private, made_up, public[0]]})["nodes"]
        assert found == [None] * (len(private) + 1) + [{"id": public[0]}]
    # An id says nothing but what the change shows: its alert, its customer, its moment.
    decoded = ids.change_key(private[0])
    assert decoded is not None and decoded[1] == ids.customer_row(customer_id(api, "C002"))


def test_paging_both_ways_gives_every_change_once(api: Api, scenario: dict[str, str]) -> None:
    forward: list[tuple[Any, ...]] = []
    after = None
    while True:
        page = everything(api, "alice", first=3, after=after)
        forward += shown(page["edges"])
        assert page["pageInfo"]["hasPreviousPage"] == (after is not None)
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert forward == ALICE_SEES
    backward: list[tuple[Any, ...]] = []
    before = None
    while True:
        page = everything(api, "alice", last=4, before=before)
        backward = shown(page["edges"]) + backward
        assert page["pageInfo"]["hasNextPage"] == (before is not None)
        if not page["pageInfo"]["hasPreviousPage"]:
            break
        before = page["pageInfo"]["startCursor"]
    assert backward == ALICE_SEES
    # One alert's changes, by cursor, both ways.
    first = api.data("alice", ALERT_CHANGES, {"id": scenario["stale"], "first": 2})
    page1 = first["alert"]["changes"]
    assert shown(page1["edges"]) == [T6, T5] and page1["pageInfo"]["hasNextPage"]
    rest = api.data("alice", ALERT_CHANGES,
                    {"id": scenario["stale"], "after": page1["pageInfo"]["endCursor"]})  # fmt: skip
    assert shown(rest["alert"]["changes"]["edges"]) == [T4, T3, *T1]
    last = api.data("alice", ALERT_CHANGES, {"id": scenario["stale"], "last": 2})
    assert shown(last["alert"]["changes"]["edges"]) == T1
    assert last["alert"]["changes"]["pageInfo"]["hasPreviousPage"]
    # alice's cursor in bob's hands walks bob's changes only.
    t5_cursor = everything(api, "alice")["edges"][2]["cursor"]
    assert shown(everything(api, "bob", after=t5_cursor)["edges"]) == T2


def test_nested_changes_of_every_alert_and_customer_on_a_page(
    api: Api, scenario: dict[str, str]
) -> None:
    query = """query { alerts { name changes(first: 2) { totalCount edges { node { kind
      customer { accountNumber } } } pageInfo { hasNextPage } } }
      customers(first: 10) { nodes { accountNumber alertChanges(first: 1) { totalCount
      nodes { kind alert { name } } } } } }"""
    data = api.data("alice", query)
    by_alert = {a["name"]: a["changes"] for a in data["alerts"]}
    stale = [(e["node"]["kind"], e["node"]["customer"]["accountNumber"])
             for e in by_alert["Stale"]["edges"]]  # fmt: skip
    assert stale == [("ENTERED", "C002"), ("LEFT", "C006")]
    assert by_alert["Stale"]["totalCount"] == 6 and by_alert["Stale"]["pageInfo"]["hasNextPage"]
    assert by_alert["Uncovered"]["totalCount"] == 4
    per_customer = {
        c["accountNumber"]: (c["alertChanges"]["totalCount"],
                             [(n["kind"], n["alert"]["name"]) for n in c["alertChanges"]["nodes"]])
        for c in data["customers"]["nodes"]
    }  # fmt: skip
    assert per_customer == {
        "C001": (3, [("ENTERED", "Stale")]), "C002": (2, [("ENTERED", "Stale")]),
        "C003": (0, []), "C004": (2, [("LEFT", "Uncovered")]),
        "C005": (1, [("ENTERED", "Uncovered")]), "C006": (2, [("LEFT", "Stale")]),
        "C007": (0, []), "C008": (0, []),
    }  # fmt: skip
    bob = api.data("bob", query)["customers"]["nodes"]
    assert {c["accountNumber"]: c["alertChanges"]["totalCount"] for c in bob} == {
        "C001": 0, "C002": 1, "C003": 0, "C004": 2, "C005": 1, "C006": 0, "C007": 0, "C008": 0,
    }  # fmt: skip


def test_seen_marks_and_new_counts_per_user(api: Api, scenario: dict[str, str]) -> None:
    alice = marks(api, "alice")
    assert alice["Stale"][0] is not None and alice["Stale"][1:] == (2, 2)
    assert alice["Uncovered"] == (None, 2, 2)
    assert marks(api, "bob") == {"Uncovered": (None, 2, 2)}
    # A VIEWER may mark; bob may not mark (nor learn of) alice's private alert.
    mark = "mutation($id: ID!) { markAlertSeen(id: $id) { alert { name } errors { code field } } }"
    viewer = api.data("viewer", mark, {"id": scenario["uncovered"]})["markAlertSeen"]
    assert viewer == {"alert": {"name": "Uncovered"}, "errors": []}
    assert marks(api, "viewer")["Uncovered"][1] == 0 and marks(api, "bob")["Uncovered"][1] == 2
    for hidden in (scenario["stale"], ids.alert_id("madeUpAlertKey00")):
        refused = api.data("bob", mark, {"id": hidden})["markAlertSeen"]
        assert refused == {"alert": None, "errors": [{"code": "NOT_FOUND", "field": "id"}]}
    assert marks(api, "alice")["Stale"][1] == 2
    mark_all = "mutation($tab: AlertTab) { markAllAlertsSeen(tab: $tab) }"
    assert api.data("alice", mark_all, {"tab": "RISK"}) == {"markAllAlertsSeen": 1}
    assert marks(api, "alice")["Uncovered"][1] == 0 and marks(api, "alice")["Stale"][1] == 2
    assert api.data("alice", mark_all) == {"markAllAlertsSeen": 2}
    assert {n: m[1] for n, m in marks(api, "alice").items()} == {"Stale": 0, "Uncovered": 0}
    assert api.alert("alice", scenario["stale"])["version"] == 2  # marking changes no version


def test_match_count_history_by_day(api: Api, scenario: dict[str, str]) -> None:
    query = "query($id: ID!, $days: Int!) { alert(id: $id) { matchCountHistory(days: $days) { date count } } }"  # noqa: E501

    def history(alert_id: str, days: int) -> list[tuple[str, int]]:
        found = api.data("alice", query, {"id": alert_id, "days": days})["alert"]
        return [(d["date"], d["count"]) for d in found["matchCountHistory"]]

    days = [(TODAY + timedelta(days=n)).isoformat() for n in range(8)]
    # STALE ended D with C001 only (C006 left with the edit); C002 entered on D+7.
    assert history(scenario["stale"], 10) == [(d, 1) for d in days[:7]] + [(days[7], 2)]
    assert history(scenario["uncovered"], 10) == [(d, 3) for d in days[:7]] + [(days[7], 2)]
    assert history(scenario["stale"], 3) == [(days[5], 1), (days[6], 1), (days[7], 2)]
    assert history(scenario["stale"], 1) == [(days[7], 2)]
    for wrong in (0, 401, -5):
        body = api.run("alice", query, {"id": scenario["stale"], "days": wrong})
        assert body["errors"][0]["extensions"]["code"] == "VALIDATION", body
        assert body["errors"][0]["extensions"]["problems"][0]["field"] == "days", body


def test_delete_reminder_rights(api: Api) -> None:
    def log(user: str, account: str) -> str:
        payload = api.data(user, LOG, {"input": {"customerId": customer_id(api, account)}})
        return str(payload["logReminder"]["reminder"]["id"])

    def delete(user: str, reminder_id: str) -> dict[str, Any]:
        return dict(api.data(user, DELETE, {"id": reminder_id})["deleteReminder"])

    alices = log("alice", "C001")
    for user in ("bob", "viewer"):
        refused = delete(user, alices)
        assert refused["reminder"] is None and refused["errors"][0]["code"] == "FORBIDDEN", user
    assert delete("alice", alices)["errors"] == []
    assert delete("alice", alices)["errors"] == [{"code": "NOT_FOUND", "field": "id"}]
    assert delete("admin", log("bob", "C003"))["errors"] == []
    assert delete("alice", ids.reminder_id(999_999))["errors"][0]["code"] == "NOT_FOUND"
    assert delete("alice", "not an id")["errors"][0]["code"] == "NOT_FOUND"
    reminders = "query { customer(accountNumber: \"C002\") { reminders { id loggedBy } } }"
    imported = api.data("admin", reminders)["customer"]["reminders"][0]
    assert imported["loggedBy"] is None
    assert delete("alice", imported["id"])["errors"][0]["code"] == "FORBIDDEN"
    done = delete("admin", imported["id"])
    assert done["errors"] == [] and done["customer"]["lastReminderDate"] is None
