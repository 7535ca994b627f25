"""One database fixture for the whole suite: every test that takes `engine` runs on
SQLite and on a throwaway PostgreSQL (set DSO_ALERTS_TEST_DATABASES=sqlite to skip one).

`--executor graphql-core` runs the suite with graphql-core's own execution instead of
graphql_api/fast_execution.py (it sets DSO_ALERTS_EXECUTOR, which servers the tests
start inherit); `make test` runs the suite both ways, the second time on SQLite."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date

import pytest
from sqlalchemy import Engine, create_engine

from graphql_api.plugins import CriteriaRegistry, load_registry
from graphql_api.testing.database import empty_database

TODAY = date(2026, 11, 23)  # the shipped plugin's too (graphql_api.pytest_plugin.TODAY)
DATABASES = os.environ.get("DSO_ALERTS_TEST_DATABASES", "sqlite,postgresql").split(",")
EXECUTORS = ("fast", "graphql-core")


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--executor", choices=EXECUTORS, default=None,
        help="how GraphQL is executed (DSO_ALERTS_EXECUTOR; default: fast)",
    )  # fmt: skip


def pytest_configure(config: pytest.Config) -> None:
    executor = config.getoption("executor")
    if executor is not None:
        os.environ["DSO_ALERTS_EXECUTOR"] = executor


def pytest_report_header() -> str:
    return f"executor: {os.environ.get('DSO_ALERTS_EXECUTOR', 'fast')}"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """A test marked `database(name)` is left out (deselected, not skipped) when that
    database is not tested: the run that leaves a database out on purpose says so once."""
    kept, left_out = [], []
    for item in items:
        marker = item.get_closest_marker("database")
        (kept if marker is None or marker.args[0] in DATABASES else left_out).append(item)
    if left_out:
        config.hook.pytest_deselected(items=left_out)
        items[:] = kept


# The databases are the shipped pytest plugin's (graphql_api/pytest_plugin.py, the fixtures
# plugins' tests use): one throwaway-PostgreSQL implementation. pyproject.toml's
# `dso_alerts_require_postgresql` makes a PostgreSQL that cannot start a failure here.


@pytest.fixture(scope="session")
def sqlite_engine(dso_sqlite_engine: Engine) -> Engine:
    return dso_sqlite_engine


@pytest.fixture(scope="session")
def postgresql_engine(dso_postgresql_engine: Engine) -> Engine:
    return dso_postgresql_engine


reset_database = empty_database  # every table emptied, so each test starts from nothing


@contextmanager
def own_postgresql_database(request: pytest.FixtureRequest, prefix: str) -> Iterator[str]:
    """The URL of a new, empty database on the suite's PostgreSQL server, for a test that
    needs one of its own (a server it starts, a migration from nothing); dropped after."""
    suite: Engine = request.getfixturevalue("postgresql_engine")
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    admin = create_engine(suite.url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
        yield suite.url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


@pytest.fixture(params=DATABASES)
def engine(request: pytest.FixtureRequest) -> Engine:
    engine: Engine = request.getfixturevalue(f"{request.param}_engine")
    reset_database(engine)
    return engine


@pytest.fixture(scope="session")
def registry() -> CriteriaRegistry:
    return load_registry()


@pytest.fixture(autouse=True)
def pinned_today(monkeypatch: pytest.MonkeyPatch) -> date:
    monkeypatch.setenv("DSO_ALERTS_TODAY", TODAY.isoformat())
    return TODAY
