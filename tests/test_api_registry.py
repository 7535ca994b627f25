"""The criteria registry drives a form (SPEC §8), through HTTP on SQLite and PostgreSQL: each
criterion's kind is an enum, its example is an input the API accepts back unchanged, its
unit says what its numbers mean, and list criteria offer their values (the ledger's, or a
plugin's fixed list in its own order). Installed: the built-ins, the example credit plugin
and the docs' ageing-bucket plugin (fixed values)."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from sqlalchemy import Engine

from graphql_api.app import create_app
from graphql_api.database import write_transaction
from graphql_api.plugins import CriteriaRegistry, load_registry
from graphql_api.users import Role, add_user
from tests.api_client import CREATE, Api, TestClient
from tests.oracle import KIND_OF
from tests.test_plugin_docs import docs_module

pytest_plugins = ("tests.api_client",)

EXAMPLE_PLUGIN = Path(__file__).resolve().parent.parent / "examples" / "dso-alerts-credit-plugin"
REGISTRY = "{ criteria { key kind inputType unit values example } }"
WHERE = "query($where: CriteriaInput) { customers(where: $where) { totalCount } }"
INPUT_KIND = "query($name: String!) { __type(name: $name) { kind } }"
BUCKETS = ["current", "1-30", "31-60", "61-90", "91+"]

# SPEC §2's kinds, as the enum CriterionKind names them, and their GraphQL input types.
KINDS = {
    "amount": ("AMOUNT", "AmountRange"),
    "number": ("NUMBER", "IntRange"),
    "relative date": ("RELATIVE_DATE", "RelativeDate"),
    "list of values": ("VALUE_LIST", "ValueList"),
    "yes/no": ("YES_NO", "Boolean"),
}


def credit_plugin(monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    """The example package's module, imported from its folder (not installed)."""
    monkeypatch.syspath_prepend(str(EXAMPLE_PLUGIN))
    monkeypatch.delitem(sys.modules, "dso_alerts_credit", raising=False)
    import dso_alerts_credit

    return dso_alerts_credit


@pytest.fixture
def plugins(monkeypatch: pytest.MonkeyPatch) -> CriteriaRegistry:
    ageing = docs_module("dso_alerts_ageing", "def ageing_bucket")
    registry = load_registry([credit_plugin(monkeypatch), ageing])
    assert registry.failures == []
    assert {"creditLimitUtilisation", "attribute", "ageingBucket"} <= set(registry.criteria)
    return registry


@pytest.fixture
def served(api: Api, plugins: CriteriaRegistry) -> Iterator[Api]:
    """The test ledger (tests/api_client.py), served with the plugins installed."""
    with TestClient(create_app(api.engine, plugins), raise_server_exceptions=False) as client:
        yield Api(api.engine, client, api.tokens)


def registry_of(api: Api) -> dict[str, dict[str, Any]]:
    return {c["key"]: c for c in api.data("viewer", REGISTRY)["criteria"]}


def test_kind_is_an_enum_a_form_switches_on(served: Api) -> None:
    entries = registry_of(served)
    for key, spec_kind in KIND_OF.items():  # every built-in criterion of SPEC §2
        assert (entries[key]["kind"], entries[key]["inputType"]) == KINDS[spec_kind], key
    assert (entries["creditLimitUtilisation"]["kind"], entries["ageingBucket"]["kind"]) == (
        "NUMBER", "VALUE_LIST",
    )  # fmt: skip
    # A plugin's own input shape is CUSTOM, named by inputType, which introspects as an input.
    assert (entries["attribute"]["kind"], entries["attribute"]["inputType"]) == (
        "CUSTOM", "AttributeFilter",
    )  # fmt: skip
    introspected = served.data("viewer", INPUT_KIND, {"name": "AttributeFilter"})
    assert introspected == {"__type": {"kind": "INPUT_OBJECT"}}
    enum = served.data("viewer", '{ __type(name: "CriterionKind") { enumValues { name } } }')
    assert [v["name"] for v in enum["__type"]["enumValues"]] == [
        "AMOUNT", "NUMBER", "RELATIVE_DATE", "VALUE_LIST", "YES_NO", "CUSTOM",
    ]  # fmt: skip


def sent_back(api: Api, user: str = "alice") -> None:
    """Every criterion's example, sent back as a search and as an alert's criteria, is
    accepted: no error, and the alert stores exactly the example."""
    entries = registry_of(api)
    assert len(entries) == 24 + 4  # the example credit plugin's three, and ageingBucket
    for key, entry in entries.items():
        criteria = {key: entry["example"]}
        searched = api.run(user, WHERE, {"where": criteria})
        assert "errors" not in searched and searched["data"]["customers"]["totalCount"] >= 0, (
            key, searched,
        )  # fmt: skip
        created = api.data(user, CREATE, {"input": {"name": key, "criteria": criteria}})
        payload = created["createAlert"]
        assert payload["errors"] == [], (key, payload)
        assert payload["alert"]["criteria"] == criteria, key  # a form reloads what it sent
        assert payload["alert"]["problems"] == [], key


def test_every_example_is_a_valid_input(served: Api) -> None:
    sent_back(served)


def test_every_example_is_valid_on_an_empty_ledger(
    engine: Engine, plugins: CriteriaRegistry
) -> None:
    """No values in the ledger yet: list criteria still give an example the API accepts."""
    with write_transaction(engine) as conn:
        tokens = {"alice": add_user(conn, "alice", Role.USER)}
        tokens["viewer"] = add_user(conn, "viewer", Role.VIEWER)
    with TestClient(create_app(engine, plugins), raise_server_exceptions=False) as client:
        empty = Api(engine, client, tokens)
        entries = registry_of(empty)
        assert entries["country"]["values"] == []
        assert entries["ageingBucket"]["values"] == BUCKETS  # fixed: there without a ledger
        sent_back(empty)


def test_list_examples_are_drawn_from_their_values(served: Api) -> None:
    entries = registry_of(served)
    assert entries["country"]["values"] == ["BE", "DE", "FR", "IT", "US"]
    assert entries["status"]["values"] == ["Litige", "Litige résolu", "Normal"]
    for key, entry in entries.items():
        if entry["kind"] == "VALUE_LIST":
            assert entry["example"]["values"], key
            assert set(entry["example"]["values"]) <= set(entry["values"]), key
        else:
            assert entry["values"] is None, key
    # The same example would not do for every list criterion.
    assert len({str(e["example"]) for e in entries.values() if e["kind"] == "VALUE_LIST"}) > 1


def test_a_fixed_list_is_offered_in_its_own_order(served: Api) -> None:
    entry = registry_of(served)["ageingBucket"]
    # In the plugin's order, not sorted, and "1-30" though no account is 1 to 30 days late.
    assert entry["values"] == BUCKETS
    assert entry["example"] == {"op": "IS", "values": ["61-90", "91+"]}
    counts = {
        bucket: served.data("viewer", WHERE, {"where": {"ageingBucket": {"values": [bucket]}}})
        for bucket in BUCKETS
    }
    assert {b: c["customers"]["totalCount"] for b, c in counts.items()} == {
        "current": 3, "1-30": 0, "31-60": 2, "61-90": 1, "91+": 2,
    }  # fmt: skip


def test_units_say_what_numbers_mean(served: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    entries = registry_of(served)
    units = {key: entry["unit"] for key, entry in entries.items()}
    amounts = [key for key, kind in KIND_OF.items() if kind == "amount"]
    assert {units[key] for key in amounts} == {"EUR"}  # the company currency, by default
    relative_dates = [key for key, kind in KIND_OF.items() if kind == "relative date"]
    assert {units[key] for key in relative_dates} == {"days"}
    assert units["daysOverdue"] == "days"
    assert units["creditLimitUtilisation"] == "%"
    unitless = [key for key, kind in KIND_OF.items() if kind in ("list of values", "yes/no")]
    assert {units[key] for key in [*unitless, "attribute", "ageingBucket"]} == {None}

    monkeypatch.setenv("DSO_ALERTS_CURRENCY", "CHF")
    assert registry_of(served)["overdueAmount"]["unit"] == "CHF"
