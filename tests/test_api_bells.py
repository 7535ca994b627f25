"""Bells read from stored membership (SPEC §4, §9), through HTTP on both databases:
`Bell.entries` with `since` and `isNew` per viewer, `newCount` and `markAlertSeen` on the
hand-written ledger of tests/api_client.py; and an alert whose plugin goes missing matches
nothing in any answer while its stored membership waits for the plugin to come back.

The scenario (today = 2026-11-23):

| t  | event                                         | Late (alice, PRIVATE, HIGH) | Uncovered (bob, PUBLIC, CRITICAL, RISK) |
|----|-----------------------------------------------|-----------------------------|-----------------------------------------|
| t1 | alice creates Late: overdue ≥ 20000           | C001 C002 C005 C006 enter   |                                         |
| t2 | bob creates Uncovered: uncovered ≥ 0.01       |                             | C002 C004 C005 enter                    |
| t3 | alice marks Late seen                         |                             |                                         |
| t4 | alice widens Late to overdue ≥ 5000           | C004 enters                 |                                         |
"""  # noqa: E501

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from graphql_api.app import create_app
from graphql_api.ledger_import import import_ledger
from graphql_api.plugins import CriteriaRegistry, load_registry
from graphql_api.storage import alert_matches, alert_states, alerts
from tests.api_client import TODAY, UNCOVERED, Api, TestClient, row_of, write_ledger
from tests.test_membership import big_outstanding

pytest_plugins = ("tests.api_client",)

LATE = {"overdueAmount": {"min": "20000"}}
WIDER = {"overdueAmount": {"min": "5000"}}
ENTRIES = """
query {
  customers(first: 20) { edges { node { accountNumber
    bell { count level alerts { name } entries { alert { name } since isNew } }
    risk: bell(tab: RISK) { entries { alert { name } isNew } }
  } } }
  alerts { name matchCount newCount seenAt problems }
}
"""
SEEN = "mutation($id: ID!) { markAlertSeen(id: $id) { alert { seenAt newCount } errors { code } } }"
CHANGES = """query($id: ID!) { alert(id: $id) { changes { edges { node {
  kind at customer { accountNumber } } } } } }"""


def read(api: Api, user: str) -> tuple[dict[str, list[tuple[str, bool]]], dict[str, Any], Any]:
    """(per account, its bell's entries as (alert, isNew)), the alerts by name, the answer."""
    data = api.data(user, ENTRIES)
    bells = {}
    for edge in data["customers"]["edges"]:
        node = edge["node"]
        entries = node["bell"]["entries"]
        assert [e["alert"] for e in entries] == node["bell"]["alerts"], node  # one order
        assert node["bell"]["count"] == len(entries), node
        bells[node["accountNumber"]] = [(e["alert"]["name"], e["isNew"]) for e in entries]
    return bells, {a["name"]: a for a in data["alerts"]}, data


def since(data: Any, account: str, alert: str) -> datetime:
    for edge in data["customers"]["edges"]:
        if edge["node"]["accountNumber"] == account:
            for entry in edge["node"]["bell"]["entries"]:
                if entry["alert"]["name"] == alert:
                    return datetime.fromisoformat(entry["since"])
    raise AssertionError(f"{account} has no entry for {alert}")


def entered_at(api: Api, user: str, alert_id: str) -> dict[str, datetime]:
    edges = api.data(user, CHANGES, {"id": alert_id})["alert"]["changes"]["edges"]
    return {
        e["node"]["customer"]["accountNumber"]: datetime.fromisoformat(e["node"]["at"])
        for e in reversed(edges)  # oldest first: the newest ENTERED wins
        if e["node"]["kind"] == "ENTERED"
    }


def test_since_and_is_new_per_viewer(api: Api) -> None:
    late = api.create("alice", name="Late", level="HIGH", criteria=LATE)
    uncovered = api.create("bob", name="Uncovered", type="RISK", level="CRITICAL",
                           visibility="PUBLIC", criteria=UNCOVERED)  # fmt: skip
    t1 = entered_at(api, "alice", late["id"])["C001"]
    marked = api.data("alice", SEEN, {"id": late["id"]})["markAlertSeen"]
    assert marked["errors"] == [] and marked["alert"]["newCount"] == 0, marked
    seen_at = datetime.fromisoformat(marked["alert"]["seenAt"])
    edited = api.update_payload("alice", late["id"], {"name": "Late", "level": "HIGH",
                                                       "criteria": WIDER})  # fmt: skip
    assert edited["errors"] == [], edited

    bells, alerts_, data = read(api, "alice")
    assert bells == {
        "C001": [("Late", False)],
        "C002": [("Uncovered", True), ("Late", False)],
        "C003": [],
        "C004": [("Uncovered", True), ("Late", True)],
        "C005": [("Uncovered", True), ("Late", False)],
        "C006": [("Late", False)],
        "C007": [],
        "C008": [],
    }
    assert {n: (a["matchCount"], a["newCount"]) for n, a in alerts_.items()} == {
        "Late": (5, 1), "Uncovered": (3, 3),
    }  # fmt: skip
    # since: when the current match began — kept through the edit for C001, the edit's
    # moment for C004 (after alice's seenAt: new for her).
    assert since(data, "C001", "Late") == t1 < seen_at
    t4 = entered_at(api, "alice", late["id"])["C004"]
    assert since(data, "C004", "Late") == t4 > seen_at
    assert since(data, "C002", "Uncovered") == entered_at(api, "bob", uncovered["id"])["C002"]
    risk = {e["node"]["accountNumber"]: e["node"]["risk"]["entries"]
            for e in data["customers"]["edges"]}  # fmt: skip
    assert risk["C004"] == [{"alert": {"name": "Uncovered"}, "isNew": True}]
    assert risk["C001"] == []

    # Bob sees only the public alert; his marks are his own.
    bob_bells, bob_alerts, _ = read(api, "bob")
    assert bob_bells == {
        "C001": [], "C002": [("Uncovered", True)], "C003": [], "C004": [("Uncovered", True)],
        "C005": [("Uncovered", True)], "C006": [], "C007": [], "C008": [],
    }  # fmt: skip
    assert list(bob_alerts) == ["Uncovered"] and bob_alerts["Uncovered"]["newCount"] == 3
    assert api.data("bob", SEEN, {"id": uncovered["id"]})["markAlertSeen"]["errors"] == []
    bob_bells, bob_alerts, _ = read(api, "bob")
    assert bob_bells["C002"] == [("Uncovered", False)] and bob_alerts["Uncovered"]["newCount"] == 0
    bells, alerts_, _ = read(api, "alice")
    assert bells["C002"] == [("Uncovered", True), ("Late", False)]
    assert alerts_["Uncovered"]["newCount"] == 3 and alerts_["Uncovered"]["seenAt"] is None

    # A viewer may mark; another user's private alert is NOT_FOUND for them.
    assert api.data("viewer", SEEN, {"id": uncovered["id"]})["markAlertSeen"]["errors"] == []
    hidden = api.data("bob", SEEN, {"id": late["id"]})["markAlertSeen"]
    assert hidden == {"alert": None, "errors": [{"code": "NOT_FOUND"}]}


# -- an alert whose plugin goes missing ---------------------------------------------------

PLUGGED = {"bigOutstanding": {"min": "20000"}}  # C001 C002 C005 C006 (outstanding)
EVERYWHERE = """
query($id: ID!) {
  alert(id: $id) { matchCount newCount problems customers { totalCount edges { node {
    accountNumber } } } }
  ofAlert: customers(alertId: $id) { totalCount edges { node { accountNumber } } }
  worklist: customers(bell: {alertIds: [$id]}) { totalCount }
  ordered: customers(first: 3, orderBy: [{field: BELL, direction: DESC}]) {
    edges { node { accountNumber } } }
  customers(first: 20) { edges { node { accountNumber
    bell { alerts { name } entries { alert { name } since } } } } }
}
"""


@contextmanager
def server(api: Api, registry: CriteriaRegistry) -> Iterator[Api]:
    """Another server on the same database, with `registry`'s plugins."""
    with TestClient(create_app(api.engine, registry), raise_server_exceptions=False) as client:
        yield Api(api.engine, client, api.tokens)


def everywhere(api: Api, alert_id: str) -> dict[str, Any]:
    data = api.data("alice", EVERYWHERE, {"id": alert_id})
    nodes = [e["node"] for e in data["customers"]["edges"]]
    bells = {n["accountNumber"]: [x["alert"]["name"] for x in n["bell"]["entries"]] for n in nodes}
    return {
        "matchCount": data["alert"]["matchCount"],
        "newCount": data["alert"]["newCount"],
        "customers": [e["node"]["accountNumber"] for e in data["alert"]["customers"]["edges"]],
        "ofAlert": [e["node"]["accountNumber"] for e in data["ofAlert"]["edges"]],
        "totals": (data["alert"]["customers"]["totalCount"], data["ofAlert"]["totalCount"],
                   data["worklist"]["totalCount"]),
        "ordered": [e["node"]["accountNumber"] for e in data["ordered"]["edges"]],
        "plugged": sorted(a for a, names in bells.items() if "Plugged" in names),
        "problems": data["alert"]["problems"],
        "sinces": {e["node"]["accountNumber"]: entry["since"]
                   for e in data["customers"]["edges"] for entry in e["node"]["bell"]["entries"]
                   if entry["alert"]["name"] == "Plugged"},
    }  # fmt: skip


def stored(api: Api, alert_id: str) -> tuple[int, bool]:
    """The alert's stored matches, and whether its membership is frozen."""
    with api.engine.connect() as conn:
        pk = conn.execute(select(alerts.c.id).where(row_of(alert_id))).scalar_one()
        count = conn.execute(
            select(func.count()).where(alert_matches.c.alert_id == pk)
        ).scalar_one()
        frozen = conn.execute(
            select(alert_states.c.frozen).where(alert_states.c.alert_id == pk)
        ).scalar_one()
    return count, frozen


def test_an_alert_whose_plugin_is_missing_matches_nothing_until_it_is_back(
    api: Api, tmp_path: Path
) -> None:
    working = load_registry([big_outstanding(lambda ledger: ledger.figures.c.outstanding_amount)])
    with server(api, working) as plugged_in:
        plugged = plugged_in.create("alice", name="Plugged", level="CRITICAL", criteria=PLUGGED)
        plugged_in.create("alice", name="Uncovered", level="LOW", criteria=UNCOVERED)
        before = everywhere(plugged_in, plugged["id"])
    matching = ["C001", "C002", "C005", "C006"]
    assert before | {"sinces": None} == {
        "matchCount": 4, "newCount": 4, "customers": matching, "ofAlert": matching,
        "totals": (4, 4, 4), "ordered": ["C002", "C005", "C001"], "plugged": matching,
        "problems": [], "sinces": None,
    }  # fmt: skip

    nothing = {
        "matchCount": 0, "newCount": 0, "customers": [], "ofAlert": [], "totals": (0, 0, 0),
        "ordered": ["C002", "C004", "C005"], "plugged": [], "sinces": {},
    }  # the BELL order sees Uncovered alone (LOW, one each): by account number
    gone = everywhere(api, plugged["id"])  # the suite's registry has no bigOutstanding
    (problem,) = gone.pop("problems")
    assert "bigOutstanding" in problem and "not available" in problem, problem
    assert gone == nothing
    assert stored(api, plugged["id"]) == (4, False)  # nothing recorded: nothing was evaluated

    # An import while the plugin is missing freezes the alert; its matches stay stored.
    import_ledger(api.engine, today=TODAY, registry=load_registry(), **write_ledger(tmp_path))
    assert stored(api, plugged["id"]) == (4, True)
    frozen = everywhere(api, plugged["id"])
    assert frozen.pop("problems") == [problem] and frozen == nothing

    # Back: every answer shows the stored membership again, each match with its `since`.
    with server(api, working) as plugged_in:
        back = everywhere(plugged_in, plugged["id"])
    assert back == before
    assert stored(api, plugged["id"]) == (4, False)
