"""The attacker: alice has a PRIVATE alert; bob (a USER), admin (an ADMIN) and viewer
(a VIEWER) try every entry point to learn anything about it (SPEC §4: "an alert they
may not see is indistinguishable from one that does not exist, everywhere").

Every answer an intruder gets about the private alert is compared with the answer
about an id that does not exist (with both ids masked), and every bell, list and
count with the same answer taken before the private alert existed. Through every
argument that takes an id, the private alert's id is answered byte for byte like a
deleted alert's, a made-up one, a malformed one and another type's.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pytest

from graphql_api import ids
from tests.api_client import (
    BELL_FIELDS,
    CUSTOMERS_OF_ALERT,
    DELETE,
    FRANCE,
    GET_ALERT,
    LATE,
    LATE_ACCOUNTS,
    MADE_UP_ALERT_ID,
    UNCOVERED,
    UPDATE,
    Api,
    masked,
)

pytest_plugins = ("tests.api_client",)

INTRUDERS = ("bob", "admin", "viewer")
SECRET_NAME = "Alice secret watchlist"
SECRET_COLOR = "#ABCDEF"
ONE_CUSTOMER = f"""
query One($account: String) {{
  customer(accountNumber: $account) {{
    accountNumber
    bell {{ {BELL_FIELDS} }}
    collection: bell(tab: COLLECTION) {{ {BELL_FIELDS} }}
    risk: bell(tab: RISK) {{ {BELL_FIELDS} }}
  }}
}}
"""


@dataclass
class Scene:
    api: Api
    secret: dict[str, Any]  # alice's private alert, as alice sees it
    missing: str  # an alert id that does not exist
    before: dict[str, dict[str, Any]]  # what each intruder saw before the secret existed

    def secret_input(self, **changes: Any) -> dict[str, Any]:
        return {
            "name": SECRET_NAME,
            "type": "NONE",
            "level": "CRITICAL",
            "color": SECRET_COLOR,
            "visibility": "PRIVATE",
            "criteria": LATE,
        } | changes


def everything_seen_by(api: Api, user: str) -> dict[str, Any]:
    """Every list, count and bell a user can see (what a trace could hide in)."""
    return {
        "alerts": api.alerts(user),
        "collection": api.alerts(user, "COLLECTION"),
        "risk": api.alerts(user, "RISK"),
        "bells": api.bells(user),
        "customer": [
            api.data(user, ONE_CUSTOMER, {"account": account})["customer"]
            for account in LATE_ACCOUNTS
        ],
    }


@pytest.fixture
def scene(api: Api) -> Scene:
    api.create("alice", name="France watch", level="LOW", visibility="PUBLIC", criteria=FRANCE)
    api.create(
        "bob", name="Uncovered", type="RISK", level="HIGH", visibility="PUBLIC", criteria=UNCOVERED
    )
    api.create("admin", name="Admin only", type="NONE", criteria=FRANCE)
    before = {user: everything_seen_by(api, user) for user in INTRUDERS}
    secret = api.create(
        "alice",
        name=SECRET_NAME,
        type="NONE",
        level="CRITICAL",
        color=SECRET_COLOR,
        visibility="PRIVATE",
        criteria=LATE,
    )
    # Control: the secret alert matches customers, and alice sees it everywhere.
    assert secret["matchCount"] == len(LATE_ACCOUNTS)
    assert secret["id"] in {a["id"] for a in api.alerts("alice")}
    missing = api.missing_id()
    assert missing != secret["id"]
    return Scene(api, secret, missing, before)


def assert_no_trace(scene: Scene, answer: Any) -> None:
    text = json.dumps(answer, ensure_ascii=False)
    assert SECRET_NAME not in text, text[:1000]
    assert SECRET_COLOR.lower() not in text.lower(), text[:1000]


@pytest.mark.parametrize("intruder", INTRUDERS)
def test_alert_by_id_is_null_exactly_like_a_missing_id(scene: Scene, intruder: str) -> None:
    api = scene.api
    secret = api.run(intruder, GET_ALERT, {"id": scene.secret["id"]})
    missing = api.run(intruder, GET_ALERT, {"id": scene.missing})
    assert secret == {"data": {"alert": None}}
    assert masked(secret, scene.secret["id"]) == masked(missing, scene.missing)
    # Control: its owner gets it.
    assert api.alert("alice", scene.secret["id"]) == scene.secret


@pytest.mark.parametrize("intruder", INTRUDERS)
def test_lists_bells_and_counts_show_no_trace(scene: Scene, intruder: str) -> None:
    seen = everything_seen_by(scene.api, intruder)
    assert_no_trace(scene, seen)
    # Identical, to the last count and colour, to what they saw before it existed.
    assert seen == scene.before[intruder]


def test_control_the_owner_sees_the_secret_in_her_bells(scene: Scene) -> None:
    api = scene.api
    bells = {e["node"]["accountNumber"]: e["node"] for e in api.bells("alice")["edges"]}
    for account in LATE_ACCOUNTS:
        bell = bells[account]["bell"]
        assert bell["level"] == "CRITICAL"
        assert bell["alerts"][0]["id"] == scene.secret["id"]
        assert bell["alerts"][0]["color"].upper() == SECRET_COLOR
        assert bells[account]["collection"]["alerts"][0]["id"] == scene.secret["id"]
        assert bells[account]["risk"]["alerts"][0]["id"] == scene.secret["id"]
    assert scene.secret["id"] not in json.dumps(bells["C003"])


@pytest.mark.parametrize("intruder", INTRUDERS)
def test_customers_of_the_secret_alert_answer_like_a_missing_id(
    scene: Scene, intruder: str
) -> None:
    api = scene.api
    for first in (None, 2):
        secret = api.run(
            intruder, CUSTOMERS_OF_ALERT, {"alertId": scene.secret["id"], "first": first}
        )
        missing = api.run(intruder, CUSTOMERS_OF_ALERT, {"alertId": scene.missing, "first": first})
        assert masked(secret, scene.secret["id"]) == masked(missing, scene.missing)
        for account in LATE_ACCOUNTS:
            assert account not in json.dumps(secret)
    # Control: alice gets its customers.
    page = api.data("alice", CUSTOMERS_OF_ALERT, {"alertId": scene.secret["id"]})["customers"]
    assert [e["node"]["accountNumber"] for e in page["edges"]] == LATE_ACCOUNTS


@pytest.mark.parametrize("intruder", INTRUDERS)
def test_update_and_delete_answer_not_found_like_a_missing_id(scene: Scene, intruder: str) -> None:
    api = scene.api
    attempts = [
        scene.secret_input(name="pwned"),
        scene.secret_input(visibility="PUBLIC"),  # trying to expose it
    ]
    for change in attempts:
        for version in (None, 1, 2):
            variables: dict[str, Any] = {"input": change, "expectedVersion": version}
            secret = api.run(intruder, UPDATE, variables | {"id": scene.secret["id"]})
            missing = api.run(intruder, UPDATE, variables | {"id": scene.missing})
            payload = secret["data"]["updateAlert"]
            assert payload["alert"] is None, payload
            assert [e["code"] for e in payload["errors"]] == ["NOT_FOUND"], payload
            assert masked(secret, scene.secret["id"]) == masked(missing, scene.missing)

    secret = api.run(intruder, DELETE, {"id": scene.secret["id"]})
    missing = api.run(intruder, DELETE, {"id": scene.missing})
    payload = secret["data"]["deleteAlert"]
    assert payload["deletedId"] is None, payload
    assert [e["code"] for e in payload["errors"]] == ["NOT_FOUND"], payload
    assert masked(secret, scene.secret["id"]) == masked(missing, scene.missing)

    # Nothing changed: alice still has it, as it was.
    assert api.alert("alice", scene.secret["id"]) == scene.secret
    assert everything_seen_by(api, intruder) == scene.before[intruder]


@pytest.mark.parametrize("intruder", INTRUDERS)
def test_guessing_ids_reveals_nothing(scene: Scene, intruder: str) -> None:
    api = scene.api
    visible = {a["id"] for a in api.alerts(intruder)}
    # Row numbers, bare and spelled as ids: an alert's id is its random key, not its row.
    guesses = [str(n) for n in range(1, 26)] + [ids.encode(ids.ALERT, str(n)) for n in range(1, 26)]
    answers: dict[str, Any] = {}
    for start in range(0, len(guesses), 15):  # at most 15 aliases per request (query_limits.py)
        chunk = range(start, min(start + 15, len(guesses)))
        aliases = " ".join(f'g{n}: alert(id: "{guesses[n]}") {{ id name }}' for n in chunk)
        answers.update(api.data(intruder, f"{{ {aliases} }}"))
    assert_no_trace(scene, answers)
    for n, guess in enumerate(guesses):
        assert answers[f"g{n}"] is None, (guess, answers[f"g{n}"])

    reference_customers = masked(
        api.run(intruder, CUSTOMERS_OF_ALERT, {"alertId": scene.missing}), scene.missing
    )
    reference_update = masked(
        api.run(intruder, UPDATE, {"id": scene.missing, "input": scene.secret_input()}),
        scene.missing,
    )
    reference_delete = masked(api.run(intruder, DELETE, {"id": scene.missing}), scene.missing)
    for guess in guesses:
        if guess in visible:
            continue
        customers = api.run(intruder, CUSTOMERS_OF_ALERT, {"alertId": guess})
        assert masked(customers, guess) == reference_customers, guess
        update = api.run(intruder, UPDATE, {"id": guess, "input": scene.secret_input()})
        assert masked(update, guess) == reference_update, guess
        delete = api.run(intruder, DELETE, {"id": guess})
        assert masked(delete, guess) == reference_delete, guess
    assert api.alert("alice", scene.secret["id"]) == scene.secret


WEIRD_IDS = [
    "-1",
    "0",
    "abc",
    "1 OR 1=1",
    "' OR '1'='1",
    "1; DROP TABLE alerts",
    "99999999999999999999",
    "9223372036854775808",
    "2147483648",
    "1.5",
    "",
    "9" * 10_000,
]


@pytest.mark.parametrize("user", ["alice", "bob"])
def test_weird_ids_are_absent_and_never_a_server_error(scene: Scene, user: str) -> None:
    api = scene.api
    for weird in WEIRD_IDS:
        label = weird[:30]
        assert api.run(user, GET_ALERT, {"id": weird}).get("data") == {"alert": None}, label

        customers = api.run(user, CUSTOMERS_OF_ALERT, {"alertId": weird})
        page = (customers.get("data") or {}).get("customers")
        assert page is None or (page["totalCount"] == 0 and page["edges"] == []), (label, page)
        if page is None:
            assert customers.get("errors"), (label, customers)

        update = api.run(user, UPDATE, {"id": weird, "input": scene.secret_input()})
        payload = update["data"]["updateAlert"]
        assert payload["alert"] is None, (label, payload)
        assert [e["code"] for e in payload["errors"]] == ["NOT_FOUND"], (label, payload)

        delete = api.run(user, DELETE, {"id": weird})
        payload = delete["data"]["deleteAlert"]
        assert payload["deletedId"] is None, (label, payload)
        assert [e["code"] for e in payload["errors"]] == ["NOT_FOUND"], (label, payload)
    assert api.alert("alice", scene.secret["id"]) == scene.secret
    assert api.stored_alert_count() == 4


def test_nobody_else_sees_an_admins_private_alert(scene: Scene) -> None:
    api = scene.api
    (admin_only,) = [a for a in api.alerts("admin") if a["name"] == "Admin only"]
    for user in ("alice", "bob", "viewer"):
        assert api.alert(user, admin_only["id"]) is None
        assert "Admin only" not in json.dumps(api.alerts(user))


def test_an_intruder_may_reuse_the_secret_name_without_learning_anything(scene: Scene) -> None:
    # Had names to be unique across users, a refusal would reveal the private alert.
    alert = scene.api.create("bob", name=SECRET_NAME, criteria=FRANCE)
    assert alert["name"] == SECRET_NAME
    assert alert["owner"]["name"] == "bob"


def test_made_public_by_its_owner_it_is_seen_by_all_and_hidden_again_when_private(
    scene: Scene,
) -> None:
    api = scene.api
    secret_id = scene.secret["id"]
    payload = api.update_payload("alice", secret_id, scene.secret_input(visibility="PUBLIC"))
    assert payload["errors"] == []
    assert (payload["alert"]["visibility"], payload["alert"]["locked"]) == ("PUBLIC", False)

    for user in INTRUDERS:
        seen = api.alert(user, secret_id)
        assert seen is not None and seen["name"] == SECRET_NAME, user
        assert seen["matchCount"] == len(LATE_ACCOUNTS)
        assert seen["canEdit"] is (user == "admin")
        assert secret_id in {a["id"] for a in api.alerts(user)}
        assert secret_id in {a["id"] for a in api.alerts(user, "COLLECTION")}
        assert secret_id in {a["id"] for a in api.alerts(user, "RISK")}
        page = api.data(user, CUSTOMERS_OF_ALERT, {"alertId": secret_id})["customers"]
        assert [e["node"]["accountNumber"] for e in page["edges"]] == LATE_ACCOUNTS
        bells = {e["node"]["accountNumber"]: e["node"]["bell"] for e in api.bells(user)["edges"]}
        before = {
            e["node"]["accountNumber"]: e["node"]["bell"]
            for e in scene.before[user]["bells"]["edges"]
        }
        for account in LATE_ACCOUNTS:
            assert bells[account]["count"] == before[account]["count"] + 1, (user, account)
            assert bells[account]["level"] == "CRITICAL"
            assert bells[account]["alerts"][0]["id"] == secret_id

    payload = api.update_payload("alice", secret_id, scene.secret_input(visibility="PRIVATE"))
    assert payload["errors"] == []
    assert (payload["alert"]["visibility"], payload["alert"]["locked"]) == ("PRIVATE", True)
    assert payload["alert"]["version"] == 3
    for user in INTRUDERS:
        assert api.alert(user, secret_id) is None
        assert everything_seen_by(api, user) == scene.before[user]


def test_one_request_mixing_the_secret_id_with_public_data(scene: Scene) -> None:
    # The secret part is null; the rest is answered exactly as without it.
    api = scene.api
    query = f"""
    query($id: ID!) {{
      alert(id: $id) {{ id name }}
      alerts {{ id name matchCount }}
      customers(first: 100) {{ edges {{ node {{ accountNumber bell {{ {BELL_FIELDS} }} }} }} }}
    }}
    """
    for user in INTRUDERS:
        answer = api.data(user, query, {"id": scene.secret["id"]})
        assert answer["alert"] is None
        assert_no_trace(scene, answer)
        before = scene.before[user]
        assert answer["alerts"] == [
            {"id": a["id"], "name": a["name"], "matchCount": a["matchCount"]}
            for a in before["alerts"]
        ]
        assert [e["node"]["bell"] for e in answer["customers"]["edges"]] == [
            e["node"]["bell"] for e in before["bells"]["edges"]
        ]


# -- every argument that takes an id, byte for byte ---------------------------------------

ALERT_SHOWN = "id name level color matchCount"
BY_ID = {
    "alert(id)": (f"query($id: ID!) {{ alert(id: $id) {{ {ALERT_SHOWN} }} }}", "id"),
    "node(id)": (f"query($id: ID!) {{ node(id: $id) {{ id ... on Alert {{ {ALERT_SHOWN} }} }} }}",
                 "id"),
    "nodes(ids)": ("query($id: ID!) { nodes(ids: [$id, $id]) { id ... on Alert { name } } }",
                   "id"),
    "customers(alertId)": (CUSTOMERS_OF_ALERT, "alertId"),
    "alert's customers": (
        "query($id: ID!) { alert(id: $id) { customers { totalCount } } }", "id"
    ),
    "updateAlert(id)": (UPDATE, "id"),
    "deleteAlert(id)": (DELETE, "id"),
}  # fmt: skip


def body_about(scene: Scene, user: str, entry_point: str, alert_id: str) -> tuple[int, str]:
    """The status and the whole body of a request about `alert_id`, the id masked."""
    query, argument = BY_ID[entry_point]
    variables: dict[str, Any] = {argument: alert_id}
    if entry_point == "updateAlert(id)":
        variables["input"] = scene.secret_input()
    token = scene.api.tokens[user]
    response = scene.api.post(query, variables, headers={"Authorization": f"Bearer {token}"})
    return response.status_code, response.text.replace(alert_id, "<ID>")


@pytest.mark.parametrize("entry_point", sorted(BY_ID))
@pytest.mark.parametrize("intruder", INTRUDERS)
def test_a_private_alert_s_id_is_answered_byte_for_byte_like_nothing(
    scene: Scene, intruder: str, entry_point: str
) -> None:
    api = scene.api
    customer = api.data("alice", '{ customer(accountNumber: "C001") { id } }')["customer"]
    alice = api.data("alice", "{ me { id } }")["me"]
    nothing = {
        "a deleted alert's id": scene.missing,
        "a made-up id": MADE_UP_ALERT_ID,
        "a malformed id": "not-an-id",
        "an alert's row number": ids.encode(ids.ALERT, "1"),
    }
    if not entry_point.startswith("node"):  # node(id) answers any type
        nothing |= {"a customer's id": customer["id"], "a user's id": alice["id"]}
    secret = body_about(scene, intruder, entry_point, scene.secret["id"])
    assert SECRET_NAME not in secret[1]
    for kind, other in nothing.items():
        assert body_about(scene, intruder, entry_point, other) == secret, kind
    assert everything_seen_by(api, intruder) == scene.before[intruder]  # nothing changed
    # Control: its owner is answered otherwise.
    assert body_about(scene, "alice", entry_point, scene.secret["id"]) != secret
