"""Bad input through HTTP (SPEC §2, §4, §5): each criterion kind's bad values, a bad
name or colour, no criteria. A mutation answers VALIDATION with `field` naming the
input path and a message a person understands, and creates or changes nothing.
Mistakes the schema itself catches (unknown field, wrong type) stay GraphQL errors.
`customers(where:)` checks criteria the same way."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.api_client import CREATE, FRANCE, LATE, LATE_ACCOUNTS, UPDATE, Api

pytest_plugins = ("tests.api_client",)

# (criteria, the input path the error must name (or a path below it), words of the message)
BAD_CRITERIA = {
    "amount min above max": (
        {"overdueAmount": {"min": "30000", "max": "20000"}},
        "criteria.overdueAmount",
        ["overdueAmount"],
    ),
    "amount without bounds": ({"overdueAmount": {}}, "criteria.overdueAmount", ["overdueAmount"]),
    "amount with null bounds": (
        {"outstandingAmount": {"min": None, "max": None}},
        "criteria.outstandingAmount",
        ["outstandingAmount"],
    ),
    "item amount min above max": (
        {"itemOpenAmount": {"min": "10.50", "max": "10.49"}},
        "criteria.itemOpenAmount",
        ["itemOpenAmount"],
    ),
    "number min above max": (
        {"daysOverdue": {"min": 90, "max": 30}},
        "criteria.daysOverdue",
        ["daysOverdue"],
    ),
    "number without bounds": ({"daysOverdue": {}}, "criteria.daysOverdue", ["daysOverdue"]),
    "list without values": (
        {"country": {"values": []}},
        "criteria.country",
        ["country"],
    ),
    "IS_NOT list without values": (
        {"status": {"op": "IS_NOT", "values": []}},
        "criteria.status",
        ["status"],
    ),
    "relative date without bounds": (
        {"lastReminderDate": {}},
        "criteria.lastReminderDate",
        ["lastReminderDate"],
    ),
    "item relative date with null bounds": (
        {"itemDueDate": {"olderThanDays": None, "newerThanDays": None}},
        "criteria.itemDueDate",
        ["itemDueDate"],
    ),
    "one bad among good criteria": (
        {"country": {"values": ["FR"]}, "creditLimit": {"min": "5", "max": "1"}},
        "criteria.creditLimit",
        ["creditLimit"],
    ),
    "no criteria": ({}, "criteria", ["criteri"]),
    "only empty criteria": ({"overdueAmount": None}, "criteria", ["criteri"]),
}

BAD_FIELDS = {
    "empty name": ({"name": ""}, "name", ["name"]),
    "blank name": ({"name": "   "}, "name", ["name"]),
    "colour as a word": ({"color": "red"}, "color", ["colo"]),
    "colour too short": ({"color": "#12345"}, "color", ["colo"]),
    "colour not hex": ({"color": "#GGGGGG"}, "color", ["colo"]),
    "colour too long": ({"color": "#1234567"}, "color", ["colo"]),
    "colour without #": ({"color": "123456"}, "color", ["colo"]),
}

# Mistakes the schema catches: GraphQL errors, not payload errors.
SCHEMA_ERRORS = {
    "unknown criterion": ({"criteria": {"bogus": True}}, ["bogus"]),
    "amount as a word": ({"criteria": {"overdueAmount": "lots"}}, ["overdueAmount"]),
    "amount bound not a number": ({"criteria": {"overdueAmount": {"min": "abc"}}}, ["abc", "min"]),
    "unknown field of a range": ({"criteria": {"overdueAmount": {"low": 1}}}, ["low"]),
    "number bound as text": ({"criteria": {"daysOverdue": {"min": "ten"}}}, ["ten", "min"]),
    "yes/no as text": ({"criteria": {"blocked": "yes"}}, ["blocked", "yes", "Boolean"]),
    "unknown list op": (
        {"criteria": {"country": {"op": "MAYBE", "values": ["FR"]}}},
        ["MAYBE", "op"],
    ),
    "unknown level": ({"level": "EXTREME"}, ["EXTREME", "level"]),
    "unknown type": ({"type": "BOTH"}, ["BOTH", "type"]),
    "unknown visibility": ({"visibility": "SECRET"}, ["SECRET", "visibility"]),
    "name missing": ({"name": None}, ["name"]),
    "criteria missing": ({"criteria": None}, ["criteria"]),
}

WHERE = """
query($where: CriteriaInput) {
  customers(where: $where) { totalCount edges { node { accountNumber } } }
}
"""


def good_input(**changes: Any) -> dict[str, Any]:
    return {"name": "Late above 20k", "criteria": LATE} | changes


def assert_readable(message: str, words: list[str]) -> None:
    """A sentence for a person: not empty, not a Python exception, about the right thing."""
    assert len(message.strip()) >= 8, message
    for jargon in ("Traceback", "NoneType", "object has no attribute", "KeyError", "TypeError"):
        assert jargon not in message, message
    assert any(word.lower() in message.lower() for word in words), (words, message)


def assert_validation(payload: dict[str, Any], path: str, words: list[str]) -> None:
    assert payload["alert"] is None, payload
    errors = payload["errors"]
    assert errors, payload
    assert {e["code"] for e in errors} == {"VALIDATION"}, errors
    named = [e for e in errors if e["field"] == path or (e["field"] or "").startswith(path + ".")]
    assert named, f"no error names {path!r}: {errors}"
    for error in named:
        assert_readable(error["message"], words)


@pytest.fixture
def existing(api: Api) -> dict[str, Any]:
    """Alice's one alert; every refused request must leave the list exactly so."""
    return api.create("alice", name="Existing", visibility="PUBLIC", criteria=FRANCE)


@pytest.mark.parametrize("case", BAD_CRITERIA.values(), ids=BAD_CRITERIA.keys())
def test_create_with_bad_criteria_is_refused_naming_the_field(
    api: Api, existing: dict[str, Any], case: tuple[dict[str, Any], str, list[str]]
) -> None:
    criteria, path, words = case
    before = api.alerts("alice")
    payload = api.create_payload("alice", good_input(criteria=criteria))
    assert_validation(payload, path, words)
    assert api.alerts("alice") == before
    assert api.stored_alert_count() == 1


@pytest.mark.parametrize("case", BAD_FIELDS.values(), ids=BAD_FIELDS.keys())
def test_create_with_bad_name_or_colour_is_refused_naming_the_field(
    api: Api, existing: dict[str, Any], case: tuple[dict[str, Any], str, list[str]]
) -> None:
    changes, path, words = case
    before = api.alerts("alice")
    payload = api.create_payload("alice", good_input(**changes))
    assert_validation(payload, path, words)
    assert api.alerts("alice") == before
    assert api.stored_alert_count() == 1


def test_every_problem_of_an_input_is_reported_at_once(api: Api, existing: dict[str, Any]) -> None:
    payload = api.create_payload(
        "alice",
        {"name": " ", "color": "red", "criteria": {"overdueAmount": {"min": "2", "max": "1"}}},
    )
    assert payload["alert"] is None
    fields = {e["field"] for e in payload["errors"]}
    assert "name" in fields and "color" in fields, payload["errors"]
    assert any((f or "").startswith("criteria.overdueAmount") for f in fields), payload["errors"]
    assert api.stored_alert_count() == 1


@pytest.mark.parametrize("case", SCHEMA_ERRORS.values(), ids=SCHEMA_ERRORS.keys())
def test_schema_mistakes_are_graphql_errors_and_create_nothing(
    api: Api, existing: dict[str, Any], case: tuple[dict[str, Any], list[str]]
) -> None:
    changes, words = case
    before = api.alerts("alice")
    body = api.run("alice", CREATE, {"input": good_input(**changes)})
    assert body.get("errors"), body
    assert (body.get("data") or {}).get("createAlert") is None, body
    messages = " ".join(e["message"] for e in body["errors"])
    assert any(word.lower() in messages.lower() for word in words), (words, messages)
    assert api.alerts("alice") == before
    assert api.stored_alert_count() == 1


def test_an_unknown_criterion_typed_inline_is_a_graphql_error(api: Api) -> None:
    body = api.run(
        "alice",
        'mutation { createAlert(input: {name: "x", criteria: {bogus: true}}) { alert { id } } }',
    )
    assert body.get("errors"), body
    assert "bogus" in body["errors"][0]["message"]
    assert not body.get("data")
    assert api.stored_alert_count() == 0


@pytest.mark.parametrize(
    "case",
    [c for name, c in BAD_CRITERIA.items() if name not in ("no criteria", "only empty criteria")],
    ids=[n for n in BAD_CRITERIA if n not in ("no criteria", "only empty criteria")],
)
def test_customers_where_with_bad_criteria_is_an_error_naming_the_field(
    api: Api, case: tuple[dict[str, Any], str, list[str]]
) -> None:
    criteria, path, _words = case
    key = path.split(".")[1]
    body = api.run("viewer", WHERE, {"where": criteria})
    assert body.get("errors"), body
    assert (body.get("data") or {}).get("customers") is None, body
    # The error (its message, or the field it names in its extensions) names the criterion.
    named = [e for e in body["errors"] if key in json.dumps(e)]
    assert named, (key, body["errors"])
    assert all("Traceback" not in json.dumps(e) for e in body["errors"])


def test_customers_where_unknown_criterion_is_a_graphql_error(api: Api) -> None:
    body = api.run("viewer", WHERE, {"where": {"bogus": True}})
    assert body.get("errors"), body
    assert "bogus" in body["errors"][0]["message"]


def test_customers_where_with_good_criteria_answers(api: Api) -> None:
    # Control for the two tests above.
    page = api.data("viewer", WHERE, {"where": LATE})["customers"]
    assert page["totalCount"] == len(LATE_ACCOUNTS)
    assert [e["node"]["accountNumber"] for e in page["edges"]] == LATE_ACCOUNTS


UPDATE_CASES = {**BAD_CRITERIA, **BAD_FIELDS}


@pytest.mark.parametrize("case", UPDATE_CASES.values(), ids=UPDATE_CASES.keys())
def test_update_with_bad_input_is_refused_and_changes_nothing(
    api: Api, existing: dict[str, Any], case: tuple[dict[str, Any], str, list[str]]
) -> None:
    changes, path, words = case
    if path.startswith("criteria"):
        changes = {"criteria": changes}
    bad = good_input(name="Changed", visibility="PUBLIC", level="HIGH") | changes
    for expected_version in (None, 1):
        payload = api.update_payload("alice", existing["id"], bad, expected_version)
        assert_validation(payload, path, words)
        assert api.alert("alice", existing["id"]) == existing
    assert existing["version"] == 1


def test_update_with_a_schema_mistake_changes_nothing(api: Api, existing: dict[str, Any]) -> None:
    body = api.run(
        "alice",
        UPDATE,
        {"id": existing["id"], "input": good_input(criteria={"overdueAmount": {"min": "abc"}})},
    )
    assert body.get("errors"), body
    assert api.alert("alice", existing["id"]) == existing
