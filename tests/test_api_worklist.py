"""The worklist (SPEC §9): `customers(bell: BellFilter)` and `orderBy: BELL`, through HTTP on
both databases, against a plain-Python reading of the same ledger (tests/oracle.py): each
filter, both directions, walked forwards and backwards with exact `pageInfo` and
`totalCount`; another user's private alert matches nothing and shows nowhere.

Alice sees five alerts (bob's private E is his alone). She marked A, C and D seen right
after creating them, never B nor F; A was then widened, so the customers it gained are new
for her, and none of its others.
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import Engine

from graphql_api import bell_queries
from graphql_api.database import write_transaction
from graphql_api.users import Role, add_user
from tests.oracle import sort_by
from tests.paging_ledger import Shop, walk

pytest_plugins = ("tests.paging_ledger",)

# name: (criteria, type, level, owner, visibility)
ALERTS: dict[str, tuple[dict[str, Any], str, str, str, str]] = {
    "A": ({"outstandingAmount": {"min": "1000"}}, "COLLECTION", "HIGH", "alice", "PRIVATE"),
    "B": ({"uncoveredAmount": {"min": "0.01"}}, "RISK", "CRITICAL", "alice", "PRIVATE"),
    "C": ({"itemDisputed": True}, "NONE", "MEDIUM", "alice", "PRIVATE"),
    "D": ({"daysOverdue": {"min": 1}}, "COLLECTION", "LOW", "alice", "PRIVATE"),
    "E": ({"outstandingAmount": {"min": "1"}}, "COLLECTION", "CRITICAL", "bob", "PRIVATE"),
    "F": ({"creditLimitExcess": {"min": "0.01"}}, "RISK", "HIGH", "bob", "PUBLIC"),
}
WIDER_A = {"outstandingAmount": {"min": "200"}}
ALICE_SEES = ["A", "B", "C", "D", "F"]
RANK = {"LOW": 1, "MEDIUM": 2, "HIGH": 3, "CRITICAL": 4}
TABS = {"COLLECTION": ("COLLECTION", "NONE"), "RISK": ("RISK", "NONE")}

CREATE = """mutation($input: AlertInput!) { createAlert(input: $input) {
  alert { id } errors { message } } }"""
UPDATE = """mutation($id: ID!, $input: AlertInput!) { updateAlert(id: $id, input: $input) {
  errors { message } } }"""
SEEN = "mutation($id: ID!) { markAlertSeen(id: $id) { errors { code } } }"
WORKLIST = """
query($first: Int, $after: String, $last: Int, $before: String, $bell: BellFilter,
      $orderBy: [CustomerOrder!]) {
  customers(first: $first, after: $after, last: $last, before: $before, bell: $bell,
            orderBy: $orderBy) {
    totalCount
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges { cursor node { accountNumber
      bell { alerts { id } entries { alert { id } isNew } } } }
  }
}
"""


class World:
    def __init__(self, shop: Shop, engine: Engine) -> None:
        self.shop = shop
        with write_transaction(engine) as conn:
            bob_token = add_user(conn, "bob", Role.USER)
        self.as_user = {"alice": shop, "bob": Shop(shop.client, bob_token, shop.oracle)}
        self.ids: dict[str, str] = {}
        for name, (criteria, type_, level, owner, visibility) in ALERTS.items():
            payload = self.as_user[owner].data(CREATE, {"input": {
                "name": name, "criteria": criteria, "type": type_, "level": level,
                "visibility": visibility,
            }})["createAlert"]  # fmt: skip
            assert payload["errors"] == [], payload
            self.ids[name] = payload["alert"]["id"]
        for name in ("A", "C", "D"):
            assert shop.data(SEEN, {"id": self.ids[name]})["markAlertSeen"]["errors"] == []
        criteria, type_, level, _, visibility = ALERTS["A"]
        widened = shop.data(UPDATE, {"id": self.ids["A"], "input": {
            "name": "A", "criteria": WIDER_A, "type": type_, "level": level,
            "visibility": visibility,
        }})["updateAlert"]  # fmt: skip
        assert widened["errors"] == [], widened

    def bells(self) -> dict[str, dict[str, bool]]:
        """What §9 says alice's bell holds: per account, her visible alerts it matches, and
        whether each match is new for her."""
        oracle = self.shop.oracle
        matches = {name: oracle.matches(ALERTS[name][0]) for name in ALERTS}
        matches["A"] = oracle.matches(WIDER_A)
        gained_by_a = matches["A"] - oracle.matches(ALERTS["A"][0])
        new = {"A": gained_by_a, "B": matches["B"], "C": set(), "D": set(), "F": matches["F"]}
        return {
            account: {name: account in new[name] for name in ALICE_SEES if account in matches[name]}
            for account in oracle.customers
        }

    def expected(self, bell: dict[str, Any] | None, direction: str) -> list[str]:
        """The accounts `bell` keeps, in BELL order (`direction`)."""
        kept: dict[str, list[str]] = {}
        for account, entries in self.bells().items():
            names = [n for n, is_new in entries.items() if self._counts(n, is_new, bell or {})]
            if names or bell is None:
                kept[account] = names

        def key(account: str) -> tuple[int, int] | None:
            names = kept[account]
            if not names:
                return None
            return (max(RANK[ALERTS[n][2]] for n in names), len(names))

        return sort_by(kept, [(key, direction == "DESC", "last")], ties=lambda a: a)

    def _counts(self, name: str, is_new: bool, bell: dict[str, Any]) -> bool:
        _, type_, level, _, _ = ALERTS[name]
        tab, lowest, wanted = bell.get("tab"), bell.get("minLevel"), bell.get("alertIds")
        return (
            (tab is None or type_ in TABS[tab])
            and (lowest is None or RANK[level] >= RANK[lowest])
            and (wanted is None or self.ids[name] in wanted)
            and (is_new or not bell.get("newOnly", False))
        )


@pytest.fixture
def world(shop: Shop, engine: Engine) -> World:
    return World(shop, engine)


def accounts(nodes: list[dict[str, Any]]) -> list[str]:
    return [node["accountNumber"] for node in nodes]


FILTERS: list[dict[str, Any] | None] = [
    None,
    {"tab": "COLLECTION"},
    {"tab": "RISK"},
    {"minLevel": "HIGH"},
    {"newOnly": True},
    {"tab": "COLLECTION", "newOnly": True},
    {"tab": "RISK", "minLevel": "CRITICAL"},
    {"alertIds": ["A", "C"]},
]


@pytest.mark.parametrize("bell", FILTERS, ids=str)
def test_bell_order_both_ways_against_python(world: World, bell: dict[str, Any] | None) -> None:
    given = None if bell is None else _with_ids(world, bell)
    for direction in ("DESC", "ASC"):
        want = world.expected(given, direction)
        assert want, "each filter keeps someone"
        variables = {"bell": given, "orderBy": [{"field": "BELL", "direction": direction}]}
        for forward in (True, False):
            nodes, total = walk(world.shop, ["customers"], WORKLIST, variables, 7, forward)
            assert accounts(nodes) == want, (direction, forward)
            assert total == len(want)


@pytest.mark.parametrize("bell", FILTERS[1:], ids=str)
def test_bell_filter_in_account_order(world: World, bell: dict[str, Any]) -> None:
    given = _with_ids(world, bell)
    want = sorted(world.expected(given, "DESC"))
    nodes, total = walk(world.shop, ["customers"], WORKLIST, {"bell": given}, 5, True)
    assert accounts(nodes) == want and total == len(want)


def test_entries_say_what_is_new_for_the_viewer(world: World) -> None:
    nodes, _ = walk(world.shop, ["customers"], WORKLIST, {}, 50, True)
    name_of = {alert_id: name for name, alert_id in world.ids.items()}
    expected = world.bells()
    for node in nodes:
        entries = node["bell"]["entries"]
        found = {name_of[e["alert"]["id"]]: e["isNew"] for e in entries}
        assert found == expected[node["accountNumber"]], node
        assert [e["alert"] for e in entries] == node["bell"]["alerts"]  # the bell's order


def test_another_user_s_private_alert_matches_nothing_and_leaks_nothing(world: World) -> None:
    hidden = world.ids["E"]  # bob's, and it matches nearly everyone
    alone = world.shop.data(WORKLIST, {"bell": {"alertIds": [hidden]}})["customers"]
    assert alone["totalCount"] == 0 and alone["edges"] == []
    ordered = {"bell": {"alertIds": [hidden]}, "orderBy": [{"field": "BELL", "direction": "DESC"}]}
    assert world.shop.data(WORKLIST, ordered)["customers"]["totalCount"] == 0
    mixed = {"bell": {"alertIds": [hidden, world.ids["C"]]}}
    nodes, _ = walk(world.shop, ["customers"], WORKLIST, mixed, 50, True)
    assert accounts(nodes) == sorted(world.expected({"alertIds": [world.ids["C"]]}, "DESC"))
    assert hidden not in str(nodes)
    # For bob, his own alert keeps everyone it matches.
    bob = world.as_user["bob"].data(WORKLIST, {"bell": {"alertIds": [hidden]}})["customers"]
    assert bob["totalCount"] == len(world.shop.oracle.matches(ALERTS["E"][0])) > 0


@pytest.mark.parametrize("bad", ["not an id", "Q3VzdG9tZXI6MQ=="], ids=["garbage", "customer id"])
def test_a_malformed_alert_id_is_a_validation_error_naming_it(world: World, bad: str) -> None:
    error = world.shop.error(WORKLIST, {"bell": {"alertIds": [world.ids["A"], bad]}})
    assert error["extensions"]["code"] == "VALIDATION", error
    assert error["extensions"]["field"] == "bell.alertIds.1", error
    assert "not an alert id" in error["message"], error


def test_a_cursor_of_the_bell_order_is_refused_by_another_order(world: World) -> None:
    by_bell = {"orderBy": [{"field": "BELL", "direction": "DESC"}], "first": 2}
    cursor = world.shop.data(WORKLIST, by_bell)["customers"]["pageInfo"]["endCursor"]
    error = world.shop.error(WORKLIST, {"first": 2, "after": cursor})
    assert (error["extensions"]["code"], error["extensions"]["field"]) == ("VALIDATION", "after")


def _with_ids(world: World, bell: dict[str, Any]) -> dict[str, Any]:
    """`bell` with alert names replaced by their ids."""
    if "alertIds" not in bell:
        return bell
    return bell | {"alertIds": [world.ids[name] for name in bell["alertIds"]]}



@pytest.mark.parametrize("few", [10**9, -1], ids=["read from its matches", "walked in order"])
def test_an_alert_s_customers_either_way_it_is_read(
    world: World, monkeypatch: pytest.MonkeyPatch, few: int
) -> None:
    """bell_queries.matches_alert writes an alert's filter for the plan its count calls for:
    both give the same pages."""
    monkeypatch.setattr(bell_queries, "FEW_MATCHES", few)
    query = """query($id: ID, $first: Int, $after: String, $last: Int, $before: String) {
      customers(alertId: $id, first: $first, after: $after, last: $last, before: $before) {
        totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
        edges { cursor node { accountNumber } } } }"""
    want = sorted(world.shop.oracle.matches(WIDER_A))
    for forward in (True, False):
        nodes, total = walk(world.shop, ["customers"], query, {"id": world.ids["A"]}, 4, forward)
        assert accounts(nodes) == want and total == len(want)
