"""pytest fixtures for testing criteria plugins on SQLite and PostgreSQL, shipped with
dso-alerts (entry point `pytest11`: active wherever dso-alerts is installed).

Loading it costs nothing to a test run that takes none of its fixtures: dso-alerts itself is
imported only when a fixture is first used. See docs/plugins.md, "Testing a plugin".

- `dso_database`: an emptied, migrated database; a test that takes it runs once on SQLite
  and once on a throwaway PostgreSQL (`DSO_ALERTS_TEST_DATABASES=sqlite` for one only).
  Without a PostgreSQL server that can be started here, the PostgreSQL run is skipped and
  says why, unless the ini option `dso_alerts_require_postgresql = true` makes it fail.
- `dso_ledger`: a `LedgerBuilder` on that database: `.customer(...)`, `.item(...)`,
  `.reminder(...)`, then `.load()`.
- `dso_criteria`: a `CriteriaProbe`: `.matching(criteria)` → the matched account numbers,
  `.refused(criteria)` → `{field: message}`, `.stored(criteria)` → the stored JSON.
- `dso_plugins`: override it to return your plugin modules, registered by hand beside the
  installed plugins (default: none, the installed ones only); `dso_registry` is the result.
- `dso_today`: the reference date, pinned (`DSO_ALERTS_TODAY`); override it to move it.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import date
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from graphql_api.plugins import CriteriaRegistry
    from graphql_api.testing.ledger import LedgerBuilder
    from graphql_api.testing.probe import CriteriaProbe

TODAY = date(2026, 11, 23)
DATABASES = tuple(os.environ.get("DSO_ALERTS_TEST_DATABASES", "sqlite,postgresql").split(","))
REQUIRE_POSTGRESQL = "dso_alerts_require_postgresql"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addini(
        REQUIRE_POSTGRESQL,
        "fail, rather than skip, the PostgreSQL runs of dso_database when no server starts",
        type="bool",
        default=False,
    )


@pytest.fixture(scope="session")
def dso_sqlite_engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    """A migrated SQLite database for the session (`dso_database` empties it per test)."""
    from graphql_api.testing.database import migrated_engine, sqlite_url

    with migrated_engine(sqlite_url(tmp_path_factory.mktemp("dso-sqlite"))) as engine:
        yield engine


@pytest.fixture(scope="session")
def dso_postgresql_engine(request: pytest.FixtureRequest) -> Iterator[Engine]:
    """A migrated database on a throwaway PostgreSQL server for the session, or on the
    server `DSO_ALERTS_TEST_POSTGRES_URL` names."""
    from graphql_api.testing.database import migrated_engine
    from graphql_api.testing.postgres_server import throwaway_postgres

    try:
        server = throwaway_postgres()
        url = server.__enter__()
    except Exception as error:
        reason = f"no PostgreSQL server could be started: {error}"
        if request.config.getini(REQUIRE_POSTGRESQL):
            pytest.fail(reason, pytrace=False)
        pytest.skip(reason)
    try:
        with migrated_engine(url) as engine:
            yield engine
    finally:
        server.__exit__(None, None, None)


@pytest.fixture
def dso_today(monkeypatch: pytest.MonkeyPatch) -> date:
    """The reference date "today" of the test, pinned for everything that reads it."""
    monkeypatch.setenv("DSO_ALERTS_TODAY", TODAY.isoformat())
    return TODAY


@pytest.fixture(params=DATABASES)
def dso_database(request: pytest.FixtureRequest, dso_today: date) -> Engine:
    """An emptied database: the test runs once per database."""
    from graphql_api.testing.database import empty_database

    if request.param not in ("sqlite", "postgresql"):
        raise pytest.UsageError(f"DSO_ALERTS_TEST_DATABASES names {request.param!r}")
    engine: Engine = request.getfixturevalue(f"dso_{request.param}_engine")
    empty_database(engine)
    return engine


@pytest.fixture
def dso_plugins() -> list[Any]:
    """Plugin modules registered by hand besides the installed ones: override it."""
    return []


@pytest.fixture
def dso_registry(dso_plugins: list[Any]) -> CriteriaRegistry:
    """The criteria registry the application would start with; a plugin that fails to load
    fails the test, with the reason."""
    from graphql_api.plugins import load_registry

    registry = load_registry(dso_plugins)
    if registry.failures:
        reasons = "; ".join(f"{f.plugin}: {f.message}" for f in registry.failures)
        pytest.fail(f"plugins failed to load: {reasons}", pytrace=False)
    return registry


@pytest.fixture
def dso_ledger(dso_database: Engine, dso_today: date) -> LedgerBuilder:
    from graphql_api.testing.ledger import LedgerBuilder

    return LedgerBuilder(dso_database, dso_today)


@pytest.fixture
def dso_criteria(
    dso_database: Engine, dso_registry: CriteriaRegistry, dso_today: date
) -> CriteriaProbe:
    from graphql_api.testing.probe import CriteriaProbe

    return CriteriaProbe(dso_database, dso_registry, dso_today)
