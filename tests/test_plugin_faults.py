"""Plugin fault isolation (SPEC §3), through GraphQL on SQLite and PostgreSQL.

The deliberately broken plugins of tests/broken_plugins are "installed" (their site folder,
dist-info and entry points included, put on sys.path) beside the built-ins: one fails to
import, one's hook raises, one's validator raises, one's predicate raises, one's SQL fails
when the database runs it, one's input type clashes with a built-in type's name. Alerts
that use them (stored while the plugins still worked) report the cause in `problems` and
match nothing; `criteria`, every other alert, their counts, bells and searches keep working.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import graphql
import pytest
from click.testing import CliRunner
from sqlalchemy import Engine, event, insert, select

from graphql_api import ids as api_ids
from graphql_api.app import create_app
from graphql_api.cli import main
from graphql_api.database import write_transaction
from graphql_api.graphql.schema import build_schema, served_schema
from graphql_api.plugins import CriteriaRegistry, load_registry
from graphql_api.storage import alerts, users
from tests.api_client import ACCOUNTS, BELLS, LATE, LATE_ACCOUNTS, Api

with warnings.catch_warnings():
    warnings.filterwarnings("ignore", "Using `httpx` with `starlette.testclient`")
    from starlette.testclient import TestClient

pytest_plugins = ("tests.api_client",)

BROKEN_SITE = Path(__file__).parent / "broken_plugins"
NOT_AVAILABLE = "is not available: its plugin is not installed or failed to load"
IN_THE_DATABASE = "fails when the database evaluates it"

# Alerts stored while their plugins worked: criteria as stored -> what `problems` must say
# (None: no problem, and the count it must have).
BROKEN: dict[str, tuple[dict[str, Any], str]] = {
    "import error": ({"fromBrokenImport": True, "overdueAmount": {"min": "1"}}, NOT_AVAILABLE),
    "raising hook": ({"fromRaisingHook": True}, NOT_AVAILABLE),
    "uninstalled": ({"goneCriterion": {"min": "1"}}, NOT_AVAILABLE),
    "clashing type": ({"clashingType": True}, NOT_AVAILABLE),
    "raising validator": ({"raisingValidator": True}, "failed: ZeroDivisionError"),
    "raising predicate": ({"raisingPredicate": True}, "failed: KeyError"),
    "predicate not SQL": (
        {"notSqlPredicate": True},
        "criterion 'notSqlPredicate' failed: its predicate is not a valid SQL condition",
    ),
    "failing SQL": (
        {"failingSql": True, "overdueAmount": {"min": "1"}},
        f"criterion 'failingSql' {IN_THE_DATABASE}",
    ),
    "failing item SQL": ({"itemFailingSql": True}, f"criterion 'itemFailingSql' {IN_THE_DATABASE}"),
    "broken list": (
        {"brokenList": {"op": "IS", "values": ["x"]}},
        f"criterion 'brokenList' {IN_THE_DATABASE}",
    ),
}
HEALTHY = {"late": (LATE, LATE_ACCOUNTS), "always": ({"alwaysTrue": True}, ACCOUNTS)}

ALERTS = """{ alerts { id name problems matchCount
  customers(first: 100) { totalCount edges { node { accountNumber } } } } }"""
PROBLEMS_FIRST = "{ alerts { name problems matchCount } }"
OF_ALERT = """query($id: ID) { customers(alertId: $id, first: 100) {
  totalCount edges { node { accountNumber } } } }"""
ALERT_CUSTOMERS = """query($id: ID!) { alert(id: $id) {
  customers { totalCount edges { node { accountNumber } } } } }"""
WHERE = "query($w: CriteriaInput) { customers(where: $w) { totalCount } }"
CREATE = """mutation($input: AlertInput!) { createAlert(input: $input) {
  alert { name problems matchCount } errors { code field message } } }"""


@pytest.fixture
def registry(monkeypatch: pytest.MonkeyPatch) -> CriteriaRegistry:
    """The registry `dso-alerts serve` starts with once the broken plugins are installed
    (this module's `api` is built on it)."""
    monkeypatch.syspath_prepend(str(BROKEN_SITE))
    return load_registry()


def store_alert(engine: Engine, name: str, criteria: dict[str, Any], owner: str = "admin") -> str:
    """A PUBLIC alert written as an earlier, working version of its plugin left it."""
    now = datetime.now(UTC)
    with write_transaction(engine) as conn:
        owner_id = conn.execute(select(users.c.id).where(users.c.name == owner)).scalar_one()
        new_id = conn.execute(
            insert(alerts).values(
                name=name, type="COLLECTION", level="CRITICAL", color=None, visibility="PUBLIC",
                owner_id=owner_id, criteria=criteria, version=1, created_at=now, updated_at=now,
            ).returning(alerts.c.public_id)
        ).scalar_one()  # fmt: skip
    return api_ids.alert_id(new_id)


def store_all(api: Api) -> dict[str, str]:
    ids = {name: store_alert(api.engine, name, criteria) for name, (criteria, _) in BROKEN.items()}
    ids["division by zero"] = store_alert(api.engine, "division by zero", {"divisionByZero": True})
    for name, (criteria, _) in HEALTHY.items():
        ids[name] = api.create("alice", name=name, criteria=criteria, visibility="PUBLIC")["id"]
    return ids


def expected_problem(engine: Engine, name: str) -> str | None:
    if name == "division by zero":  # SQLite answers NULL, PostgreSQL raises
        dialect = engine.dialect.name
        return f"criterion 'divisionByZero' {IN_THE_DATABASE}" if dialect == "postgresql" else None
    return BROKEN[name][1] if name in BROKEN else None


@contextmanager
def fresh_app(api: Api, registry: CriteriaRegistry) -> Iterator[Callable[..., dict[str, Any]]]:
    """A new application on the same database: nothing known yet about the broken alerts."""
    with TestClient(create_app(api.engine, registry), raise_server_exceptions=False) as client:

        def ask(query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
            response = client.post(
                "/graphql", json={"query": query, "variables": variables or {}},
                headers={"Authorization": f"Bearer {api.tokens['alice']}"},
            )  # fmt: skip
            assert response.status_code == 200, (response.status_code, response.text)
            assert "internal error" not in response.text, response.text
            body: dict[str, Any] = response.json()
            return body

        yield ask


@contextmanager
def statements(engine: Engine) -> Iterator[list[str]]:
    seen: list[str] = []

    def count(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", count)


def check_alerts(engine: Engine, found: list[dict[str, Any]]) -> None:
    by_name = {alert["name"]: alert for alert in found}
    assert set(by_name) == {*BROKEN, "division by zero", *HEALTHY}, by_name
    for name, alert in by_name.items():
        problem = expected_problem(engine, name)
        if problem is None:
            assert alert["problems"] == [], alert
        else:
            (text,) = alert["problems"]
            assert problem in text, (name, text)
            for leak in ("SELECT", "DROP", "dso_no_such_function", "ArgumentError",
                         "OperationalError", "ProgrammingError"):  # fmt: skip
                assert leak not in text, text
        if name in HEALTHY:
            assert alert["matchCount"] == len(HEALTHY[name][1]), alert
        else:
            assert alert["matchCount"] == 0, alert
        if "customers" in alert:
            accounts = [e["node"]["accountNumber"] for e in alert["customers"]["edges"]]
            expected = HEALTHY[name][1] if name in HEALTHY else []
            assert (alert["customers"]["totalCount"], accounts) == (len(expected), expected)


def check_bells(ids: dict[str, str], page: dict[str, Any]) -> None:
    ringing = {ids["late"]: LATE_ACCOUNTS, ids["always"]: ACCOUNTS}
    for edge in page["customers"]["edges"]:
        node = edge["node"]
        expected = sorted(i for i, accounts in ringing.items() if node["accountNumber"] in accounts)
        for bell in (node["bell"], node["collection"]):
            assert sorted(a["id"] for a in bell["alerts"]) == expected, node
            assert bell["count"] == len(expected), node
        assert node["risk"]["count"] == 0, node


# -- the registry and the schema ---------------------------------------------------------


def test_broken_plugins_are_recorded_and_the_rest_is_loaded(registry: CriteriaRegistry) -> None:
    failed = {failure.plugin: failure.message for failure in registry.failures}
    assert set(failed) == {"broken_import", "raising_hook"}, failed
    assert "dso_alerts_no_such_dependency" in failed["broken_import"]
    assert "configuration file is missing" in failed["raising_hook"]
    # The others load; their faults show later, where they are used.
    for key in ("raisingValidator", "raisingPredicate", "failingSql", "clashingType", "alwaysTrue"):
        assert key in registry.criteria, key
    assert "overdueAmount" in registry.criteria


def test_a_clashing_input_type_is_left_out_and_the_schema_builds(
    registry: CriteriaRegistry, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="graphql_api.graphql.schema"):
        schema, served = served_schema(registry)
    assert "clashingType" not in served.criteria and "clashingType" in registry.criteria
    assert set(served.criteria) == set(registry.criteria) - {"clashingType"}
    (failure,) = [f for f in served.failures if f.plugin == "clashing_type"]
    assert "'clashingType' left out of the schema" in failure.message
    assert "AmountRange" in failure.message and "clashing_type" in caplog.text
    served_types = graphql.build_schema(schema.as_str()).type_map  # the SDL clients see
    amount_range = served_types["AmountRange"]
    assert set(amount_range.fields) == {"min", "max"}  # the built-in kept its name
    criteria_input = served_types["CriteriaInput"]
    assert "alwaysTrue" in criteria_input.fields and "clashingType" not in criteria_input.fields
    assert build_schema(registry).as_str() == schema.as_str()


def test_serve_logs_a_warning_for_each_broken_plugin(
    registry: CriteriaRegistry,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    import uvicorn

    served: list[Any] = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **options: served.append(app))
    monkeypatch.setenv("DSO_ALERTS_DATABASE_URL", f"sqlite:///{tmp_path / 'serve.db'}")
    with caplog.at_level(logging.WARNING):
        result = CliRunner().invoke(main, ["serve", "--port", "8765"])
    assert result.exit_code == 0, result.output
    assert len(served) == 1  # started, with the application built
    warned = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    for plugin in ("broken_import", "raising_hook", "clashing_type"):
        assert any(message.startswith(f"plugin {plugin}:") for message in warned), warned


# -- through GraphQL ---------------------------------------------------------------------


def test_criteria_lists_every_working_criterion(api: Api) -> None:
    found = api.data("alice", "{ criteria { key plugin values } }")["criteria"]
    by_key = {c["key"]: c for c in found}
    assert {"alwaysTrue", "failingSql", "brokenList", "overdueAmount"} <= set(by_key)
    assert "clashingType" not in by_key and "fromRaisingHook" not in by_key
    assert by_key["brokenList"]["values"] == []  # its SQL fails: no known values
    assert by_key["country"]["values"] == ["BE", "DE", "FR", "IT", "US"]
    assert by_key["alwaysTrue"]["plugin"] == "healthy"


def test_broken_alerts_report_the_cause_and_match_nothing(api: Api) -> None:
    ids = store_all(api)
    check_alerts(api.engine, api.data("alice", ALERTS)["alerts"])
    check_bells(ids, api.data("alice", BELLS))
    for name, alert_id in ids.items():
        page = api.data("alice", OF_ALERT, {"id": alert_id})["customers"]
        expected = HEALTHY[name][1] if name in HEALTHY else []
        assert [e["node"]["accountNumber"] for e in page["edges"]] == expected, name
        assert page["totalCount"] == len(expected), name
    assert api.data("alice", WHERE, {"w": {"country": {"values": ["FR"]}}}) == {
        "customers": {"totalCount": 4}
    }
    assert api.data("alice", '{ customers(search: "acme") { totalCount } }') == {
        "customers": {"totalCount": 1}
    }


@pytest.mark.parametrize(
    "first",
    ["bells", "counts", "problems before counts", "alert's customers", "customers of alert"],
)
def test_found_whichever_entry_point_runs_the_sql_first(
    api: Api, registry: CriteriaRegistry, first: str
) -> None:
    ids = store_all(api)
    broken = ids["failing SQL"]
    with fresh_app(api, registry) as ask:
        if first == "bells":
            check_bells(ids, ask(BELLS)["data"])
        elif first == "counts":
            check_alerts(api.engine, ask(ALERTS)["data"]["alerts"])
        elif first == "problems before counts":
            check_alerts(api.engine, ask(PROBLEMS_FIRST)["data"]["alerts"])
        elif first == "alert's customers":
            page = ask(ALERT_CUSTOMERS, {"id": broken})["data"]["alert"]["customers"]
            assert page == {"totalCount": 0, "edges": []}
        else:
            page = ask(OF_ALERT, {"id": broken})["data"]["customers"]
            assert page == {"totalCount": 0, "edges": []}
        # Then everything else, in the same application.
        check_alerts(api.engine, ask(ALERTS)["data"]["alerts"])
        check_bells(ids, ask(BELLS)["data"])


def test_the_fault_is_found_once_and_the_happy_path_has_no_savepoint(
    api: Api, registry: CriteriaRegistry
) -> None:
    counts = "{ alerts { name matchCount } }"
    api.create("alice", name="late", criteria=LATE, visibility="PUBLIC")
    with fresh_app(api, registry) as ask:
        ask(counts)
        with statements(api.engine) as healthy:  # the alert list is now known to the server
            ask(counts)
    assert not any("SAVEPOINT" in s.upper() for s in healthy), healthy

    store_all(api)
    with fresh_app(api, registry) as ask:
        with statements(api.engine) as first:
            ask(counts)
        with statements(api.engine) as second:
            check_alerts(api.engine, ask(PROBLEMS_FIRST)["data"]["alerts"])
    assert any("SAVEPOINT" in s.upper() for s in first)  # the faulty alerts were probed...
    assert not any("SAVEPOINT" in s.upper() for s in second), second  # ...once
    assert len(second) == len(healthy), (second, healthy)


@pytest.mark.parametrize("key", ["failingSql", "itemFailingSql", "brokenList"])
def test_a_search_with_a_criterion_whose_sql_fails_is_an_error_naming_it(
    api: Api, key: str
) -> None:
    value: Any = {"values": ["x"]} if key == "brokenList" else True
    body = api.run("alice", WHERE, {"w": {key: value, "country": {"values": ["FR"]}}})
    (error,) = body["errors"]
    assert f"criterion {key!r} {IN_THE_DATABASE}" in error["message"], error
    assert error["extensions"]["code"] == "VALIDATION", error
    assert "dso_no_such_function" not in str(body) and "SELECT" not in str(body)
    # The request's transaction was recovered: the next one works, on the same server.
    assert api.data("alice", WHERE, {"w": {"country": {"values": ["FR"]}}}) == {
        "customers": {"totalCount": 4}
    }


def test_creating_alerts_with_broken_criteria(api: Api) -> None:
    def create(criteria: dict[str, Any]) -> dict[str, Any]:
        variables = {"input": {"name": "new", "criteria": criteria}}
        payload: dict[str, Any] = api.data("alice", CREATE, variables)["createAlert"]
        return payload

    rejected = create({"raisingValidator": True})
    assert rejected["alert"] is None
    ((code, field, message),) = [tuple(e.values()) for e in rejected["errors"]]
    assert (code, field) == ("VALIDATION", "criteria.raisingValidator"), rejected
    assert "could not check its input" in message

    for key, problem in (("raisingPredicate", "failed: KeyError"),
                         ("failingSql", IN_THE_DATABASE)):  # fmt: skip
        payload = create({key: True, "overdueAmount": {"min": "1"}})
        assert payload["errors"] == [], payload
        (text,) = payload["alert"]["problems"]
        assert problem in text and payload["alert"]["matchCount"] == 0, payload

    # A criterion whose plugin failed is not part of CriteriaInput: a GraphQL error.
    body = api.run("alice", CREATE, {"input": {"name": "x", "criteria": {"fromRaisingHook": True}}})
    assert "fromRaisingHook" in body["errors"][0]["message"], body
    assert api.data("alice", "{ alerts { name } }")["alerts"] == [
        {"name": "new"}, {"name": "new"}
    ]  # fmt: skip
