"""One database fixture for the whole suite: every test that takes `engine` runs on
SQLite and on a throwaway PostgreSQL (set DSO_ALERTS_TEST_DATABASES=sqlite to skip one).

`--executor graphql-core` runs the suite with graphql-core's own execution instead of
graphql_api/fast_execution.py (it sets DSO_ALERTS_EXECUTOR, which servers the tests
start inherit); `make test` runs the suite both ways, the second time on SQLite."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import date

import pytest
from sqlalchemy import Engine, delete, update

from graphql_api.plugins import CriteriaRegistry, load_registry
from graphql_api.storage import (
    alerts,
    create_db_engine,
    customer_figures,
    customers,
    items,
    ledger_state,
    migrate,
    reminders,
    users,
)
from tests.postgres_server import throwaway_postgres

TODAY = date(2026, 11, 23)
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


@pytest.fixture(scope="session")
def sqlite_engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    engine = create_db_engine(f"sqlite:///{tmp_path_factory.mktemp('sqlite') / 'test.db'}")
    migrate(engine)
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def postgresql_engine() -> Iterator[Engine]:
    with throwaway_postgres() as url:
        engine = create_db_engine(url)
        migrate(engine)
        yield engine
        engine.dispose()


def reset_database(engine: Engine) -> None:
    """Empty every table, so each test (or Hypothesis example) starts from nothing."""
    with engine.begin() as conn:
        for table in (alerts, users, reminders, items, customer_figures, customers):
            conn.execute(delete(table))
        conn.execute(update(ledger_state).values(figures_date=None))


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
