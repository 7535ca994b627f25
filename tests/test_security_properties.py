"""Property-based security test (SPEC §4), through HTTP, on SQLite and PostgreSQL.

A Hypothesis state machine plays random sequences of steps by random users of every
role — creating, replacing and deleting alerts with random visibility, type, level and
criteria, editing and deleting other people's alerts, asking for alerts by id, the
customers of an alert, one customer's bell — against the real application
(`create_app`, starlette's TestClient) over the small ledger of tests/api_client.py.

A plain model, written from SPEC §4 alone, says what each user may see and do:
  - a user sees PUBLIC alerts and their own PRIVATE ones; nobody else's PRIVATE one;
  - the owner may edit and delete; an ADMIN also any PUBLIC alert; a VIEWER nothing;
  - only the owner changes visibility; a stale expectedVersion is CONFLICT;
  - an alert one may not see answers exactly like an id that does not exist.

After every step, for every user: the alert lists (all, per tab), every alert by id,
every customer's bell (all, per tab) and match counts equal the model's, computed only
from what that user may see; no answer to a user ever carries the id of another user's
PRIVATE alert; every rejected change (FORBIDDEN, NOT_FOUND, CONFLICT) left the alerts
table exactly as it was, and every accepted one changed exactly what the model says.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, replace
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    consumes,
    invariant,
    multiple,
    precondition,
    rule,
    run_state_machine_as_test,
)
from sqlalchemy import Engine, delete, select

from graphql_api.database import write_transaction
from graphql_api.plugins import CriteriaRegistry
from graphql_api.storage import alerts, users
from graphql_api.users import Role, add_user
from tests.api_client import (
    ACCOUNTS,
    CREATE,
    DELETE,
    FRANCE,
    FRANCE_ACCOUNTS,
    LATE,
    LATE_ACCOUNTS,
    MADE_UP_ALERT_ID,
    UNCOVERED,
    UNCOVERED_ACCOUNTS,
    UPDATE,
    Api,
    masked,
)

pytest_plugins = ("tests.api_client",)

# -- the model (SPEC §4) -------------------------------------------------------

LEVELS = ["LOW", "MEDIUM", "HIGH", "CRITICAL"]
LEVEL_COLORS = {"LOW": "#2E7D32", "MEDIUM": "#F9A825", "HIGH": "#EF6C00", "CRITICAL": "#C62828"}
TABS = {"COLLECTION": ("COLLECTION", "NONE"), "RISK": ("RISK", "NONE")}
# Criteria whose matching customers on the ledger of tests/api_client.py are known.
CRITERIA: dict[str, tuple[dict[str, Any], list[str]]] = {
    "late": (LATE, LATE_ACCOUNTS),
    "france": (FRANCE, FRANCE_ACCOUNTS),
    "uncovered": (UNCOVERED, UNCOVERED_ACCOUNTS),
    "germany": ({"country": {"values": ["DE"]}}, ["C003"]),
    "nobody": ({"overdueAmount": {"min": "1000000"}}, []),
}
EXAMPLES = int(os.environ.get("DSO_ALERTS_PROPERTY_EXAMPLES", "20"))
MISSING = MADE_UP_ALERT_ID  # an id no example reaches


@dataclass(frozen=True)
class ModelAlert:
    id: str
    owner: str
    name: str
    type: str
    level: str
    color: str | None
    visibility: str
    criteria: str  # a key of CRITERIA
    version: int

    @property
    def matches(self) -> list[str]:
        return CRITERIA[self.criteria][1]


def sees(user: str, role: str, alert: ModelAlert) -> bool:
    del role  # nobody, ADMINs included, sees another user's PRIVATE alert
    return alert.visibility == "PUBLIC" or alert.owner == user


def may_edit(user: str, role: str, alert: ModelAlert) -> bool:
    if role == "VIEWER":
        return False
    return alert.owner == user or (role == "ADMIN" and alert.visibility == "PUBLIC")


def expected_change(
    user: str, role: str, alert: ModelAlert | None, visibility: str | None, version: int | None
) -> str | None:
    """The error code SPEC §4 gives a change (None: it is accepted)."""
    if alert is None or not sees(user, role, alert):
        return "NOT_FOUND"
    if not may_edit(user, role, alert):
        return "FORBIDDEN"
    if visibility is not None and visibility != alert.visibility and alert.owner != user:
        return "FORBIDDEN"
    if version is not None and version != alert.version:
        return "CONFLICT"
    return None


# -- the requests --------------------------------------------------------------

ALERT_FIELDS = (
    "id name type level color visibility locked owner { name } version matchCount canEdit"
)
BELL = "count level color alerts { id level }"


def lookups(ids: list[str]) -> list[str]:
    """`alert(id)` and `node(id)` of each id, aliased a0, n0, a1, n1..."""
    return [
        lookup
        for n, i in enumerate(ids)
        for lookup in (
            f'a{n}: alert(id: "{i}") {{ {ALERT_FIELDS} }}',
            f'n{n}: node(id: "{i}") {{ ... on Alert {{ {ALERT_FIELDS} }} }}',
        )
    ]


def everything_query(ids: list[str], account: str, by_id: list[str]) -> str:
    """One request with every read entry point but customers(alertId)."""
    return f"""{{
      allNodes: nodes(ids: {json.dumps(ids)}) {{ ... on Alert {{ {ALERT_FIELDS} }} }}
      all: alerts {{ {ALERT_FIELDS} }}
      collection: alerts(tab: COLLECTION) {{ id level }}
      risk: alerts(tab: RISK) {{ id level }}
      customers(first: 100) {{ totalCount edges {{ node {{
        accountNumber bell {{ {BELL} }}
        c: bell(tab: COLLECTION) {{ {BELL} }} r: bell(tab: RISK) {{ {BELL} }}
      }} }} }}
      one: customer(accountNumber: "{account}") {{ accountNumber bell {{ {BELL} }} }}
      {" ".join(by_id)}
    }}"""


def everything_queries(ids: list[str], account: str) -> list[str]:
    """everything_query in requests of at most 15 aliases (graphql_api/query_limits.py): its
    own 7, then the lookups by id, numbered across the requests."""
    by_id = lookups(ids)
    rest = ["{ " + " ".join(by_id[s : s + 15]) + " }" for s in range(8, len(by_id), 15)]
    return [everything_query(ids, account, by_id[:8]), *rest]


OF_ALERT = """
query($id: ID) { customers(alertId: $id, first: 100) {
  totalCount edges { node { accountNumber bell { count alerts { id } } } } } }
"""


def string_ids(value: Any, key: str | None = None) -> set[str]:
    """Every alert id in an answer: the value of every `id` and `deletedId` field."""
    found: set[str] = set()
    if isinstance(value, dict):
        for k, item in value.items():
            if k != "owner":  # a user's id, not an alert's
                found |= string_ids(item, k)
    elif isinstance(value, list):
        for item in value:
            found |= string_ids(item, key)
    elif isinstance(value, str) and key in ("id", "deletedId"):
        found.add(value)
    return found


def alerts_table(engine: Engine) -> list[tuple[Any, ...]]:
    with engine.connect() as conn:
        rows = conn.execute(select(alerts).order_by(alerts.c.id)).all()
    return [
        tuple(json.dumps(v, sort_keys=True) if isinstance(v, dict) else v for v in r) for r in rows
    ]


# -- the machine ------------------------------------------------------------------

BASE_USERS = {"admin": "ADMIN", "alice": "USER", "bob": "USER", "viewer": "VIEWER"}
EXTRA_USERS = {"root": "ADMIN", "carol": "USER", "vera": "VIEWER"}
NAMES = st.sampled_from(["Late", "Late", "France watch", "Risky", "Secret plan", "Ünïcode ✓"])
COLORS = st.sampled_from([None, None, "#ABCDEF", "#00ff00"])
INPUTS = st.fixed_dictionaries(
    {
        "name": NAMES,
        "type": st.sampled_from(["COLLECTION", "RISK", "NONE"]),
        "level": st.sampled_from(LEVELS),
        "color": COLORS,
        "visibility": st.sampled_from(["PRIVATE", "PUBLIC"]),
        "criteria": st.sampled_from(sorted(CRITERIA)),
    }
)


def machine_for(api: Api) -> type[RuleBasedStateMachine]:
    engine = api.engine

    class AlertRights(RuleBasedStateMachine):
        ids = Bundle("ids")  # every alert id ever created (some since deleted)

        def __init__(self) -> None:
            super().__init__()
            with write_transaction(engine) as conn:
                conn.execute(delete(alerts))
                conn.execute(delete(users).where(users.c.name.in_(list(EXTRA_USERS))))
            self.roles = dict(BASE_USERS)
            self.tokens = {name: api.tokens[name] for name in BASE_USERS}
            self.alerts: dict[str, ModelAlert] = {}
            self.known: set[str] = set()
            self.account = ACCOUNTS[0]

        # -- helpers ------------------------------------------------------

        def ask(self, user: str, query: str, variables: dict[str, Any] | None = None) -> Any:
            body = api.gql(self.tokens[user], query, variables)
            self.check_no_foreign_private_id(user, body)
            return body

        def check_no_foreign_private_id(self, user: str, body: Any) -> None:
            secret = {
                a.id for a in self.alerts.values() if a.visibility == "PRIVATE" and a.owner != user
            }
            leaked = string_ids(body) & secret
            assert not leaked, (user, leaked, body)

        def input_of(self, drawn: dict[str, Any]) -> dict[str, Any]:
            return drawn | {"criteria": CRITERIA[drawn["criteria"]][0]}

        def change(self, user: str, query: str, variables: dict[str, Any], root: str) -> Any:
            """A mutation; a rejected one must leave the alerts table as it was."""
            before = alerts_table(engine)
            payload = self.ask(user, query, variables)["data"][root]
            codes = [e["code"] for e in payload["errors"]]
            if codes:
                assert alerts_table(engine) == before, (user, root, codes)
            return payload, codes

        def same_as_missing(self, user: str, query: str, variables: dict[str, Any], key: str):
            """An answer about an alert the user may not see equals one about a missing id."""
            answer = self.ask(user, query, variables)
            missing = self.ask(user, query, variables | {key: MISSING})
            assert masked(answer, variables[key]) == masked(missing, MISSING), (answer, missing)

        # -- users --------------------------------------------------------

        @precondition(lambda self: len(self.roles) < len(BASE_USERS) + len(EXTRA_USERS))
        @rule(name=st.sampled_from(sorted(EXTRA_USERS)))
        def new_user(self, name: str) -> None:
            if name in self.roles:
                return
            with write_transaction(engine) as conn:
                self.tokens[name] = add_user(conn, name, Role(EXTRA_USERS[name]))
            self.roles[name] = EXTRA_USERS[name]

        def pick_user(self) -> st.SearchStrategy[str]:
            return st.sampled_from(sorted(self.roles))

        # -- changes ------------------------------------------------------

        @rule(target=ids, data=st.data(), drawn=INPUTS)
        def create(self, data: st.DataObject, drawn: dict[str, Any]) -> Any:
            user = data.draw(self.pick_user(), label="user")
            payload, codes = self.change(
                user, CREATE, {"input": self.input_of(drawn)}, "createAlert"
            )
            if self.roles[user] == "VIEWER":
                assert codes == ["FORBIDDEN"], payload
                return multiple()
            assert codes == [], payload
            new = ModelAlert(
                id=payload["alert"]["id"], owner=user, name=drawn["name"], type=drawn["type"],
                level=drawn["level"], color=drawn["color"], visibility=drawn["visibility"],
                criteria=drawn["criteria"], version=1,
            )  # fmt: skip
            assert new.id not in self.alerts, (new.id, self.alerts)
            self.alerts[new.id] = new
            self.known.add(new.id)
            return new.id

        @rule(
            alert_id=ids, data=st.data(), drawn=INPUTS,
            stale=st.sampled_from([None, None, "current", "stale"]),
        )  # fmt: skip
        def update(self, alert_id: str, data: st.DataObject, drawn: dict[str, Any], stale: Any):
            user = data.draw(self.pick_user(), label="user")
            current = self.alerts.get(alert_id)
            version = None
            if stale is not None:
                base = current.version if current else 1
                version = (
                    base
                    if stale == "current"
                    else base + data.draw(st.sampled_from([-1, 1, 5]), label="off by")
                )
            variables = {"id": alert_id, "input": self.input_of(drawn), "expectedVersion": version}
            before = alerts_table(engine)
            payload, codes = self.change(user, UPDATE, variables, "updateAlert")
            role = self.roles[user]
            expected = expected_change(user, role, current, drawn["visibility"], version)
            assert codes == ([expected] if expected else []), (user, role, current, payload)
            if expected == "NOT_FOUND":
                self.same_as_missing(user, UPDATE, variables, "id")
            if expected is None:
                assert current is not None
                updated = replace(
                    current, name=drawn["name"], type=drawn["type"], level=drawn["level"],
                    color=drawn["color"], visibility=drawn["visibility"],
                    criteria=drawn["criteria"], version=current.version + 1,
                )  # fmt: skip
                self.alerts[alert_id] = updated
                assert payload["alert"]["version"] == updated.version
                after = alerts_table(engine)
                changed = [row for row in after if row not in before]
                assert len(after) == len(before) and len(changed) == 1, (before, after)

        @rule(alert_id=ids, data=st.data())
        def delete(self, alert_id: str, data: st.DataObject) -> None:
            user = data.draw(self.pick_user(), label="user")
            current = self.alerts.get(alert_id)
            payload, codes = self.change(user, DELETE, {"id": alert_id}, "deleteAlert")
            expected = expected_change(user, self.roles[user], current, None, None)
            assert codes == ([expected] if expected else []), (user, current, payload)
            if expected == "NOT_FOUND":
                self.same_as_missing(user, DELETE, {"id": alert_id}, "id")
            if expected is None:
                assert payload["deletedId"] == alert_id
                del self.alerts[alert_id]
                assert len(alerts_table(engine)) == len(self.alerts)

        @rule(alert_id=consumes(ids))
        def owner_deletes(self, alert_id: str) -> None:
            """The owner deletes their alert (keeps the population moving)."""
            current = self.alerts.get(alert_id)
            if current is None or self.roles[current.owner] == "VIEWER":
                return
            payload, codes = self.change(current.owner, DELETE, {"id": alert_id}, "deleteAlert")
            assert codes == [] and payload["deletedId"] == alert_id, payload
            del self.alerts[alert_id]

        # -- reads that take an id ----------------------------------------

        @rule(alert_id=ids, data=st.data())
        def customers_of_alert(self, alert_id: str, data: st.DataObject) -> None:
            user = data.draw(self.pick_user(), label="user")
            current = self.alerts.get(alert_id)
            if current is None or not sees(user, self.roles[user], current):
                self.same_as_missing(user, OF_ALERT, {"id": alert_id}, "id")
                answer = self.ask(user, OF_ALERT, {"id": alert_id})
                assert [e.get("extensions", {}).get("code") for e in answer["errors"]] in (
                    ["NOT_FOUND"], [None],
                ), answer  # fmt: skip
                return
            page = self.ask(user, OF_ALERT, {"id": alert_id})["data"]["customers"]
            found = [e["node"]["accountNumber"] for e in page["edges"]]
            assert page["totalCount"] == len(current.matches) and found == current.matches

        @rule(account=st.sampled_from(ACCOUNTS))
        def look_at(self, account: str) -> None:
            self.account = account

        # -- after every step ----------------------------------------------

        @invariant()
        def every_user_sees_exactly_what_the_model_allows(self) -> None:
            ids = sorted(self.known | {MISSING})
            queries = everything_queries(ids, self.account)
            for user, role in self.roles.items():
                data = {k: v for q in queries for k, v in self.ask(user, q)["data"].items()}
                visible = {i: a for i, a in self.alerts.items() if sees(user, role, a)}
                self.check_alerts(user, role, data["all"], visible)
                for tab, types in TABS.items():
                    listed = [a["id"] for a in data[tab.lower()]]
                    assert sorted(listed) == sorted(
                        i for i, a in visible.items() if a.type in types
                    ), (user, tab, listed)
                    ranks = [LEVELS.index(a["level"]) for a in data[tab.lower()]]
                    assert ranks == sorted(ranks, reverse=True), (user, tab)
                for n, alert_id in enumerate(ids):
                    got = data[f"a{n}"]
                    # node(id) and nodes(ids) answer what alert(id) does, null included.
                    assert data[f"n{n}"] == got == data["allNodes"][n], (user, alert_id, data)
                    if alert_id in visible:
                        self.check_alerts(user, role, [got], {alert_id: visible[alert_id]})
                    else:
                        assert got is None, (user, alert_id, got)
                edges = data["customers"]["edges"]
                assert [e["node"]["accountNumber"] for e in edges] == ACCOUNTS
                for edge in edges:
                    node = edge["node"]
                    account = node["accountNumber"]
                    self.check_bell(node["bell"], visible, account, None)
                    self.check_bell(node["c"], visible, account, TABS["COLLECTION"])
                    self.check_bell(node["r"], visible, account, TABS["RISK"])
                assert data["one"]["accountNumber"] == self.account
                self.check_bell(data["one"]["bell"], visible, self.account, None)

        @staticmethod
        def check_alerts(
            user: str, role: str, got: list[dict[str, Any]], expected: dict[str, ModelAlert]
        ) -> None:
            assert sorted(a["id"] for a in got) == sorted(expected), (user, got, expected)
            for seen in got:
                alert = expected[seen["id"]]
                assert seen == {
                    "id": alert.id, "name": alert.name, "type": alert.type, "level": alert.level,
                    "color": (alert.color or LEVEL_COLORS[alert.level]).upper(),
                    "visibility": alert.visibility, "locked": alert.visibility == "PRIVATE",
                    "owner": {"name": alert.owner}, "version": alert.version,
                    "matchCount": len(alert.matches), "canEdit": may_edit(user, role, alert),
                }, (user, seen, alert)  # fmt: skip
            ranks = [LEVELS.index(a["level"]) for a in got]
            assert ranks == sorted(ranks, reverse=True), (user, got)

        @staticmethod
        def check_bell(
            bell: dict[str, Any], visible: dict[str, ModelAlert], account: str, types: Any
        ) -> None:
            ringing = [
                a for a in visible.values()
                if account in a.matches and (types is None or a.type in types)
            ]  # fmt: skip
            assert bell["count"] == len(ringing), (account, bell, ringing)
            assert sorted(a["id"] for a in bell["alerts"]) == sorted(a.id for a in ringing)
            if not ringing:
                assert (bell["level"], bell["color"]) == (None, None), (account, bell)
                return
            top = max((a.level for a in ringing), key=LEVELS.index)
            assert (bell["level"], bell["color"].upper()) == (top, LEVEL_COLORS[top]), bell
            ranks = [LEVELS.index(a["level"]) for a in bell["alerts"]]
            assert ranks == sorted(ranks, reverse=True), bell

    return AlertRights


def test_no_user_learns_of_another_users_private_alert(api: Api, registry: CriteriaRegistry):
    del registry
    run_state_machine_as_test(
        machine_for(api),
        settings=settings(
            max_examples=EXAMPLES,
            stateful_step_count=20,
            deadline=None,
            database=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        ),
    )
