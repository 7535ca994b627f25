"""Who may do what with alerts, through HTTP (SPEC §4), as ADMIN `admin`, USER `alice`
(usually the owner), second USER `bob` and VIEWER `viewer`: every right both allowed
and refused; a refused mutation answers its code and changes nothing."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import pytest

from tests.api_client import (
    CUSTOMERS_OF_ALERT,
    FRANCE,
    LATE,
    LATE_ACCOUNTS,
    UNCOVERED,
    UNCOVERED_ACCOUNTS,
    Api,
)

pytest_plugins = ("tests.api_client",)

HEX_COLOR = re.compile(r"^#[0-9A-Fa-f]{6}$")
LEVELS = ("LOW", "MEDIUM", "HIGH", "CRITICAL")


def alert_input(**fields: Any) -> dict[str, Any]:
    """A full AlertInput (updateAlert replaces the alert with its input)."""
    base: dict[str, Any] = {
        "name": "Late above 20k",
        "type": "COLLECTION",
        "level": "MEDIUM",
        "visibility": "PRIVATE",
        "criteria": LATE,
    }
    return base | fields


def assert_refused(payload: dict[str, Any], code: str, result_key: str = "alert") -> None:
    assert payload[result_key] is None, payload
    assert_error_codes(payload, code)


def assert_error_codes(payload: dict[str, Any], code: str) -> None:
    assert [e["code"] for e in payload["errors"]] == [code], payload
    assert payload["errors"][0]["message"].strip(), payload


def assert_conflict(payload: dict[str, Any], current: dict[str, Any]) -> None:
    """A CONFLICT answers the alert as it now stands (SPEC §8), so an editor can show it."""
    assert_error_codes(payload, "CONFLICT")
    assert payload["errors"][0]["field"] == "expectedVersion", payload
    assert {k: payload["alert"][k] for k in ("id", "name", "version")} == {
        k: current[k] for k in ("id", "name", "version")
    }, payload


def test_admin_and_users_create_alerts_they_own(api: Api) -> None:
    for user in ("admin", "alice", "bob"):
        alert = api.create(user, **alert_input(name=f"{user}'s alert"))
        assert alert["name"] == f"{user}'s alert"
        assert alert["owner"]["name"] == user
        assert alert["version"] == 1
        assert alert["canEdit"] is True
        assert alert["matchCount"] == len(LATE_ACCOUNTS)
        assert api.alert(user, alert["id"]) == alert
        assert [a["id"] for a in api.alerts(user)] == [alert["id"]]
    assert api.stored_alert_count() == 3


def test_owner_is_the_user_who_created_it(api: Api) -> None:
    me = api.data("alice", "{ me { id name } }")["me"]
    alert = api.create("alice", **alert_input())
    assert alert["owner"] == {"id": me["id"], "name": "alice"}


@pytest.mark.parametrize("visibility", ["PRIVATE", "PUBLIC"])
def test_viewer_cannot_create_an_alert(api: Api, visibility: str) -> None:
    payload = api.create_payload("viewer", alert_input(name="viewer's", visibility=visibility))
    assert_refused(payload, "FORBIDDEN")
    assert api.stored_alert_count() == 0
    assert api.alerts("viewer") == []
    assert api.alerts("admin") == []


def test_owner_edits_their_alert_and_each_change_adds_one_to_version(api: Api) -> None:
    alert = api.create("alice", **alert_input())
    assert alert["version"] == 1

    first = api.update_payload(
        "alice",
        alert["id"],
        alert_input(name="Uncovered", type="RISK", level="HIGH", criteria=UNCOVERED),
    )
    assert first["errors"] == []
    changed = first["alert"]
    assert changed["id"] == alert["id"]
    assert (changed["name"], changed["type"], changed["level"]) == ("Uncovered", "RISK", "HIGH")
    assert changed["version"] == 2
    assert changed["matchCount"] == len(UNCOVERED_ACCOUNTS)
    assert changed["owner"]["name"] == "alice"
    assert api.alert("alice", alert["id"]) == changed

    second = api.update_payload("alice", alert["id"], alert_input(name="Renamed"))
    assert second["errors"] == []
    assert second["alert"]["version"] == 3
    assert second["alert"]["name"] == "Renamed"
    assert api.alert("alice", alert["id"])["version"] == 3
    assert api.stored_alert_count() == 1


def test_owner_deletes_their_alert(api: Api) -> None:
    alert = api.create("alice", **alert_input())
    kept = api.create("alice", **alert_input(name="kept"))
    payload = api.delete_payload("alice", alert["id"])
    assert payload == {"deletedId": alert["id"], "errors": []}
    assert api.alert("alice", alert["id"]) is None
    assert [a["id"] for a in api.alerts("alice")] == [kept["id"]]
    assert api.stored_alert_count() == 1


@pytest.mark.parametrize("intruder", ["bob", "viewer"])
def test_others_cannot_edit_or_delete_a_users_public_alert(api: Api, intruder: str) -> None:
    alert = api.create("alice", **alert_input(visibility="PUBLIC"))
    # The intruder sees it (it is public) ...
    assert api.alert(intruder, alert["id"])["name"] == alert["name"]

    # ... but may neither change it ...
    payload = api.update_payload(
        intruder, alert["id"], alert_input(name="hijacked", visibility="PUBLIC")
    )
    assert_refused(payload, "FORBIDDEN")
    assert api.alert("alice", alert["id"]) == alert

    payload = api.update_payload(
        intruder,
        alert["id"],
        alert_input(name="hijacked", visibility="PUBLIC"),
        expected_version=1,
    )
    assert_refused(payload, "FORBIDDEN")
    assert api.alert("alice", alert["id"]) == alert

    # ... nor delete it.
    assert_refused(api.delete_payload(intruder, alert["id"]), "FORBIDDEN", "deletedId")
    assert api.alert("alice", alert["id"]) == alert
    assert api.stored_alert_count() == 1


def test_viewer_cannot_change_anything_even_an_admins_public_alert(api: Api) -> None:
    alert = api.create("admin", **alert_input(visibility="PUBLIC"))
    payload = api.update_payload("viewer", alert["id"], alert_input(visibility="PUBLIC"))
    assert_refused(payload, "FORBIDDEN")
    assert_refused(api.delete_payload("viewer", alert["id"]), "FORBIDDEN", "deletedId")
    assert api.alert("admin", alert["id"]) == alert


def test_admin_edits_someone_elses_public_alert(api: Api) -> None:
    alert = api.create("alice", **alert_input(visibility="PUBLIC"))
    payload = api.update_payload(
        "admin",
        alert["id"],
        alert_input(name="Fixed by admin", level="CRITICAL", visibility="PUBLIC"),
        expected_version=1,
    )
    assert payload["errors"] == []
    changed = payload["alert"]
    assert changed["name"] == "Fixed by admin"
    assert changed["level"] == "CRITICAL"
    assert changed["version"] == 2
    assert changed["visibility"] == "PUBLIC"
    assert changed["owner"]["name"] == "alice"  # an admin's edit does not take ownership
    seen_by_alice = api.alert("alice", alert["id"])
    assert (seen_by_alice["name"], seen_by_alice["version"]) == ("Fixed by admin", 2)
    assert seen_by_alice["canEdit"] is True


def test_admin_deletes_someone_elses_public_alert(api: Api) -> None:
    alert = api.create("bob", **alert_input(visibility="PUBLIC"))
    assert api.delete_payload("admin", alert["id"]) == {"deletedId": alert["id"], "errors": []}
    assert api.alert("bob", alert["id"]) is None
    assert api.alerts("bob") == []
    assert api.stored_alert_count() == 0


@pytest.mark.parametrize("intruder", ["admin", "bob", "viewer"])
def test_only_the_owner_changes_visibility(api: Api, intruder: str) -> None:
    alert = api.create("alice", **alert_input(visibility="PUBLIC"))

    # Making it private, alone or with another change: refused, nothing changes.
    for change in (
        alert_input(visibility="PRIVATE"),
        alert_input(name="mine now", visibility="PRIVATE"),
    ):
        payload = api.update_payload(intruder, alert["id"], change)
        assert_refused(payload, "FORBIDDEN")
        assert api.alert("alice", alert["id"]) == alert
        assert api.alert("bob", alert["id"])["visibility"] == "PUBLIC"

    # The owner may: the alert becomes private (padlock) and leaves others' view.
    payload = api.update_payload("alice", alert["id"], alert_input(visibility="PRIVATE"))
    assert payload["errors"] == []
    assert payload["alert"]["visibility"] == "PRIVATE"
    assert payload["alert"]["locked"] is True
    assert payload["alert"]["version"] == 2
    assert api.alert(intruder, alert["id"]) is None


def test_can_edit_tells_each_viewer_what_they_may_do(api: Api) -> None:
    alice_public = api.create("alice", **alert_input(name="a-pub", visibility="PUBLIC"))
    alice_private = api.create("alice", **alert_input(name="a-priv"))
    bob_public = api.create("bob", **alert_input(name="b-pub", visibility="PUBLIC"))
    admin_public = api.create("admin", **alert_input(name="adm-pub", visibility="PUBLIC"))
    admin_private = api.create("admin", **alert_input(name="adm-priv"))

    expected = {
        "alice": {"a-pub": True, "a-priv": True, "b-pub": False, "adm-pub": False},
        "bob": {"a-pub": False, "b-pub": True, "adm-pub": False},
        "admin": {"a-pub": True, "b-pub": True, "adm-pub": True, "adm-priv": True},
        "viewer": {"a-pub": False, "b-pub": False, "adm-pub": False},
    }
    ids = {
        a["name"]: a["id"]
        for a in (alice_public, alice_private, bob_public, admin_public, admin_private)
    }
    for user, rights in expected.items():
        listed = {a["name"]: a["canEdit"] for a in api.alerts(user)}
        assert listed == rights, user
        for name, can in rights.items():
            assert api.alert(user, ids[name])["canEdit"] is can, (user, name)


def test_viewer_reads_public_alerts(api: Api) -> None:
    public = api.create("alice", **alert_input(name="public", visibility="PUBLIC"))
    api.create("alice", **alert_input(name="private"))
    listed = api.alerts("viewer")
    assert [a["name"] for a in listed] == ["public"]
    assert listed[0]["matchCount"] == len(LATE_ACCOUNTS)
    assert api.alert("viewer", public["id"])["canEdit"] is False


def test_stale_expected_version_is_a_conflict_and_changes_nothing(api: Api) -> None:
    alert = api.create("alice", **alert_input())
    ok = api.update_payload("alice", alert["id"], alert_input(name="v2"), expected_version=1)
    assert ok["errors"] == [] and ok["alert"]["version"] == 2
    current = api.alert("alice", alert["id"])

    for stale in (1, 3, 99):
        payload = api.update_payload(
            "alice", alert["id"], alert_input(name="lost update"), expected_version=stale
        )
        assert_conflict(payload, current)
        assert api.alert("alice", alert["id"]) == current

    ok = api.update_payload("alice", alert["id"], alert_input(name="v3"), expected_version=2)
    assert ok["errors"] == []
    assert (ok["alert"]["name"], ok["alert"]["version"]) == ("v3", 3)


def test_conflict_also_applies_to_an_admin_editing_a_public_alert(api: Api) -> None:
    alert = api.create("alice", **alert_input(visibility="PUBLIC"))
    api.update_payload("alice", alert["id"], alert_input(name="v2", visibility="PUBLIC"))
    payload = api.update_payload(
        "admin", alert["id"], alert_input(name="admin", visibility="PUBLIC"), expected_version=1
    )
    assert_conflict(payload, api.alert("admin", alert["id"]))
    assert api.alert("alice", alert["id"])["name"] == "v2"


def test_defaults_of_a_new_alert(api: Api) -> None:
    alert = api.create("alice", name="Only a name", criteria=LATE)
    assert alert["type"] == "COLLECTION"
    assert alert["level"] == "MEDIUM"
    assert alert["visibility"] == "PRIVATE"
    assert alert["locked"] is True
    assert HEX_COLOR.match(alert["color"]), alert["color"]
    assert alert["version"] == 1
    assert alert["problems"] in (None, [], "")
    assert alert["matchCount"] == len(LATE_ACCOUNTS)
    criteria = alert["criteria"]
    assert list(criteria) == ["overdueAmount"]
    assert {k: Decimal(str(v)) for k, v in criteria["overdueAmount"].items()} == {
        "min": Decimal("20000")
    }

    public = api.create("alice", name="Public", visibility="PUBLIC", criteria=LATE)
    assert public["locked"] is False
    # No colour of its own: the level's colour, the same for every MEDIUM alert.
    assert public["color"] == alert["color"]


def test_each_level_has_its_colour_unless_the_alert_sets_one(api: Api) -> None:
    colours = {
        level: api.create("alice", name=level, level=level, criteria=LATE)["color"]
        for level in LEVELS
    }
    assert all(HEX_COLOR.match(c) for c in colours.values()), colours
    assert len({c.upper() for c in colours.values()}) == 4, colours

    own = api.create("alice", name="own", level="LOW", color="#1A2B3C", criteria=LATE)
    assert own["color"].upper() == "#1A2B3C"

    # Changing the level of an alert without a colour of its own changes its colour.
    medium = api.create("alice", name="medium", criteria=LATE)
    payload = api.update_payload("alice", medium["id"], alert_input(level="CRITICAL"))
    assert payload["alert"]["color"] == colours["CRITICAL"]
    # Replacing an alert with an input without a colour drops its own colour.
    payload = api.update_payload("alice", own["id"], alert_input(level="HIGH"))
    assert payload["alert"]["color"] == colours["HIGH"]


def test_tabs(api: Api) -> None:
    for name, kind in (("c", "COLLECTION"), ("r", "RISK"), ("n", "NONE")):
        api.create("alice", name=name, type=kind, visibility="PUBLIC", criteria=FRANCE)
    for user in ("alice", "bob", "viewer", "admin"):
        assert sorted(a["name"] for a in api.alerts(user)) == ["c", "n", "r"]
        assert sorted(a["name"] for a in api.alerts(user, "COLLECTION")) == ["c", "n"]
        assert sorted(a["name"] for a in api.alerts(user, "RISK")) == ["n", "r"]


def test_customers_of_an_alert_are_its_matches(api: Api) -> None:
    alert = api.create("alice", name="late", visibility="PUBLIC", criteria=LATE)
    for user in ("alice", "bob", "viewer"):
        page = api.data(user, CUSTOMERS_OF_ALERT, {"alertId": alert["id"]})["customers"]
        assert page["totalCount"] == len(LATE_ACCOUNTS)
        assert [e["node"]["accountNumber"] for e in page["edges"]] == LATE_ACCOUNTS
