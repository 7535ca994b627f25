"""A user linked to the collector code of the accounts they follow (SPEC §8: "my portfolio"):
set by `users add --collector` and `users set`, read as `User.collector`, and usable as the
`collector` criterion of a search."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import Engine

from graphql_api.app import create_app
from graphql_api.cli import main
from graphql_api.database import create_db_engine
from graphql_api.plugins import CriteriaRegistry
from tests.ledger_builder import Customer, load_ledger

with warnings.catch_warnings():
    warnings.filterwarnings("ignore", "Using `httpx` with `starlette.testclient`")
    from starlette.testclient import TestClient


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Engine]:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("DSO_ALERTS_DATABASE_URL", url)
    engine = create_db_engine(url)
    yield engine
    engine.dispose()


def run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def ask(engine: Engine, registry: CriteriaRegistry, token: str, query: str) -> dict:
    with TestClient(create_app(engine, registry)) as client:
        response = client.post(
            "/graphql", json={"query": query}, headers={"Authorization": f"Bearer {token}"}
        )
    body = response.json()
    assert "errors" not in body, body
    return body["data"]


def test_a_users_portfolio_is_the_accounts_of_their_collector_code(
    database: Engine, registry: CriteriaRegistry
) -> None:
    added = run("users", "add", "ann", "--role", "USER", "--collector", " Ann ")
    assert added.exit_code == 0, added.output
    token = added.stdout.splitlines()[-1]
    load_ledger(database, [Customer("C1", collector="Ann"), Customer("C2", collector="Ben")])

    me = ask(database, registry, token, "{ me { name collector } }")["me"]
    assert me == {"name": "ann", "collector": "Ann"}  # trimmed, as customers' codes are
    mine = ask(
        database, registry, token,
        '{ customers(where: {collector: {values: ["Ann"]}}) { nodes { accountNumber } } }',
    )  # fmt: skip
    assert mine["customers"]["nodes"] == [{"accountNumber": "C1"}]

    moved = run("users", "set", "ann", "--collector", "Ben")
    assert (moved.exit_code, moved.stdout.strip()) == (0, "User ann follows collector Ben.")
    assert ask(database, registry, token, "{ me { collector } }")["me"] == {"collector": "Ben"}
    listed = run("users", "list").stdout.splitlines()
    assert listed == ["ann\tUSER\tactive\tBen"]

    unlinked = run("users", "set", "ann", "--collector", "")
    assert (unlinked.exit_code, unlinked.stdout.strip()) == (0, "User ann follows no collector.")
    assert ask(database, registry, token, "{ me { collector } }")["me"] == {"collector": None}


def test_setting_the_collector_of_an_unknown_user_is_an_error(database: Engine) -> None:
    run("users", "add", "ann", "--role", "USER")
    result = run("users", "set", "bob", "--collector", "Ann")
    assert result.exit_code != 0
    assert "no user named 'bob'" in result.output + result.stderr
    assert "Traceback" not in result.output


def test_a_user_without_a_collector_has_none(database: Engine, registry: CriteriaRegistry) -> None:
    token = run("users", "add", "viewer", "--role", "VIEWER").stdout.splitlines()[-1]
    assert ask(database, registry, token, "{ me { collector } }")["me"] == {"collector": None}
