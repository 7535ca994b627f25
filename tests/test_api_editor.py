"""What an alert editor and a front end need (SPEC §8): the level palette and "today", an
alert's own colour apart from its level's, criteria that load and save back unchanged,
exact amounts (never rounded), no reminder dated in the future, and root fields that fail
alone."""

from __future__ import annotations

from typing import Any

import pytest

from tests.api_client import CREATE, LATE, MADE_UP_ALERT_ID, TODAY, UPDATE, Api

pytest_plugins = ("tests.api_client",)

EDITOR_FIELDS = "id name type level color ownColor visibility criteria version"


def editable(alert: dict[str, Any]) -> dict[str, Any]:
    """What an editor sends back: the fields it loaded, as AlertInput."""
    return {
        "name": alert["name"], "type": alert["type"], "level": alert["level"],
        "color": alert["ownColor"], "visibility": alert["visibility"],
        "criteria": alert["criteria"],
    }  # fmt: skip


def load(api: Api, user: str, alert_id: str) -> dict[str, Any]:
    return api.data(user, f'{{ alert(id: "{alert_id}") {{ {EDITOR_FIELDS} }} }}')["alert"]


def test_levels_and_today_come_from_the_server(api: Api) -> None:
    data = api.data("viewer", "{ today levels { level color } }")
    assert data["today"] == TODAY.isoformat()
    assert [entry["level"] for entry in data["levels"]] == ["LOW", "MEDIUM", "HIGH", "CRITICAL"]
    colors = [entry["color"] for entry in data["levels"]]
    assert len(set(colors)) == 4 and all(c.startswith("#") and len(c) == 7 for c in colors)


def test_an_alert_without_its_own_colour_follows_its_level_when_saved_back(api: Api) -> None:
    palette = {
        e["level"]: e["color"] for e in api.data("alice", "{ levels { level color } }")["levels"]
    }
    created = api.create("alice", name="Late", level="HIGH", criteria=LATE)
    loaded = load(api, "alice", created["id"])
    assert (loaded["ownColor"], loaded["color"]) == (None, palette["HIGH"])

    changed = editable(loaded) | {"level": "LOW"}
    payload = api.data("alice", UPDATE, {"id": created["id"], "input": changed})["updateAlert"]
    assert payload["errors"] == []
    assert load(api, "alice", created["id"])["color"] == palette["LOW"]


def test_an_alert_with_its_own_colour_keeps_it_when_saved_back(api: Api) -> None:
    created = api.create("alice", name="Mine", level="HIGH", color="#123abc", criteria=LATE)
    loaded = load(api, "alice", created["id"])
    assert (loaded["ownColor"], loaded["color"]) == ("#123ABC", "#123ABC")
    changed = editable(loaded) | {"level": "LOW"}
    api.data("alice", UPDATE, {"id": created["id"], "input": changed})
    assert load(api, "alice", created["id"])["color"] == "#123ABC"


def test_criteria_load_and_save_back_unchanged(api: Api) -> None:
    criteria = {
        "overdueAmount": {"min": "20000.50", "max": "90000"},
        "daysOverdue": {"min": 30},
        "lastReminderDate": {"olderThanDays": 10},
        "status": {"op": "IS_NOT", "values": ["Litige", "Litige résolu"]},
        "itemDisputed": False,
    }
    created = api.create("alice", name="Round trip", criteria=criteria)
    loaded = load(api, "alice", created["id"])
    assert loaded["criteria"] == criteria
    payload = api.data("alice", UPDATE, {"id": created["id"], "input": editable(loaded)})
    assert payload["updateAlert"]["errors"] == []
    assert load(api, "alice", created["id"])["criteria"] == criteria


@pytest.mark.parametrize("amount", ["20000", 20000, 20000.5, "0.01", -12.25, "1e3"])
def test_an_amount_is_a_string_an_integer_or_a_number_with_two_decimals(
    api: Api, amount: Any
) -> None:
    payload = api.create_payload(
        "alice", {"name": "Amount", "criteria": {"overdueAmount": {"min": amount}}}
    )
    assert payload["errors"] == [], payload
    stored = payload["alert"]["criteria"]["overdueAmount"]["min"]
    assert str(stored) == {"1e3": "1000", 20000.5: "20000.5", -12.25: "-12.25"}.get(
        amount, str(amount)
    )


@pytest.mark.parametrize("amount", [0.1 + 0.2, "0.001", "12.345", 1e-3, "abc", True])
def test_an_amount_with_more_than_two_decimals_is_refused_not_rounded(
    api: Api, amount: Any
) -> None:
    before = api.stored_alert_count()
    body = api.run(
        "alice", CREATE, {"input": {"name": "x", "criteria": {"overdueAmount": {"min": amount}}}}
    )
    assert body.get("errors"), body
    assert body.get("data") is None
    assert api.stored_alert_count() == before
    message = body["errors"][0]["message"]
    if isinstance(amount, float) or amount in ("0.001", "12.345"):
        assert "more than two decimals" in message, message


def test_an_amount_in_a_search_is_checked_the_same_way(api: Api) -> None:
    body = api.run("alice", "{ customers(where: {overdueAmount: {min: 0.305}}) { totalCount } }")
    assert "more than two decimals" in body["errors"][0]["message"], body


def test_a_reminder_dated_after_today_is_refused(api: Api) -> None:
    customer = api.data("alice", '{ customer(accountNumber: "C001") { id lastReminderDate } }')
    logged = api.data(
        "alice",
        """mutation($input: ReminderInput!) { logReminder(input: $input) {
             reminder { id } errors { code field message } } }""",
        {"input": {"customerId": customer["customer"]["id"], "date": "2026-11-24"}},
    )["logReminder"]
    assert logged["reminder"] is None
    assert [(e["code"], e["field"]) for e in logged["errors"]] == [("VALIDATION", "date")]
    assert "after today (2026-11-23)" in logged["errors"][0]["message"]
    again = api.data("alice", '{ customer(accountNumber: "C001") { lastReminderDate } }')
    assert again["customer"]["lastReminderDate"] is None


def test_a_reminder_dated_today_is_logged(api: Api) -> None:
    customer = api.data("alice", '{ customer(accountNumber: "C001") { id } }')["customer"]
    logged = api.data(
        "alice",
        """mutation($input: ReminderInput!) { logReminder(input: $input) {
             customer { lastReminderDate } errors { code } } }""",
        {"input": {"customerId": customer["id"], "date": TODAY.isoformat()}},
    )["logReminder"]
    assert logged == {"customer": {"lastReminderDate": TODAY.isoformat()}, "errors": []}


def test_one_failing_root_field_does_not_blank_its_siblings(api: Api) -> None:
    body = api.run(
        "alice", f'{{ me {{ name }} customers(alertId: "{MADE_UP_ALERT_ID}") {{ totalCount }} }}'
    )
    assert body["data"] == {"me": {"name": "alice"}, "customers": None}, body
    assert body["errors"][0]["extensions"]["code"] == "NOT_FOUND"
