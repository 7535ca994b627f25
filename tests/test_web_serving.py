"""How `dso-alerts serve` serves the web app (SPEC §10), and the sign-in links the commands
print: no browser needed here (tests/test_web_app.py drives one)."""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import Engine

from graphql_api.app import create_app
from graphql_api.cli import main
from graphql_api.ledger_generator import LedgerSize
from graphql_api.plugins import CriteriaRegistry

with warnings.catch_warnings():
    warnings.filterwarnings("ignore", "Using `httpx` with `starlette.testclient`")
    from starlette.testclient import TestClient

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
INDEX = '<!doctype html><div id="root"></div><script src="/assets/app-1.js"></script>'
DEEP_LINKS = ("/", "/risk", "/alerts/QWxlcnQ6MQ", "/customers/Q3VzdG9tZXI6Nw", "/changes",
              "/search")  # fmt: skip


def client_for(
    dist: Path, engine: Engine, registry: CriteriaRegistry, monkeypatch: pytest.MonkeyPatch
) -> TestClient:
    monkeypatch.setenv("DSO_ALERTS_WEB_DIST", str(dist))
    return TestClient(create_app(engine, registry))


@pytest.fixture
def built(tmp_path: Path) -> Path:
    (tmp_path / "assets").mkdir()
    (tmp_path / "index.html").write_text(INDEX, encoding="utf-8")
    (tmp_path / "assets" / "app-1.js").write_text("console.log('app')", encoding="utf-8")
    return tmp_path


@pytest.fixture
def served(
    built: Path, sqlite_engine: Engine, registry: CriteriaRegistry, monkeypatch: pytest.MonkeyPatch
) -> Iterator[TestClient]:
    with client_for(built, sqlite_engine, registry, monkeypatch) as client:
        yield client


def test_the_page_and_every_deep_link_load_the_app_without_a_token(served: TestClient) -> None:
    for path in DEEP_LINKS:
        response = served.get(path, headers={"Accept": BROWSER})
        assert response.status_code == 200, path
        assert response.text == INDEX, path
        assert response.headers["cache-control"] == "no-cache"  # a new build's bundles are seen


def test_the_assets_are_served_without_a_token(served: TestClient) -> None:
    response = served.get("/assets/app-1.js")
    assert response.status_code == 200
    assert "javascript" in response.headers["content-type"]
    assert served.get("/assets/missing.js").status_code == 404


def test_graphql_and_other_paths_still_need_a_token(served: TestClient) -> None:
    assert served.post("/graphql", json={"query": "{ me { name } }"}).status_code == 401
    assert served.get("/graphql", params={"query": "{ me { name } }"}).status_code == 401
    assert served.get("/elsewhere").status_code == 401
    assert served.post("/", json={}).status_code in (401, 405)
    # GraphiQL keeps its page at /graphql.
    page = served.get("/graphql", headers={"Accept": BROWSER})
    assert page.status_code == 200 and "GraphiQL" in page.text


def test_before_the_app_is_built_the_page_says_how_to_build_it(
    tmp_path: Path, sqlite_engine: Engine, registry: CriteriaRegistry,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    with client_for(tmp_path / "nothing", sqlite_engine, registry, monkeypatch) as client:
        for path in ("/", "/alerts/x"):
            response = client.get(path, headers={"Accept": BROWSER})
            assert response.status_code == 200
            assert "make web" in response.text
            assert 'href="/graphql"' in response.text


@pytest.fixture
def cli_database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DSO_ALERTS_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    monkeypatch.chdir(tmp_path)


@pytest.mark.usefixtures("cli_database")
def test_users_add_and_reset_token_print_a_sign_in_link_before_the_token() -> None:
    for args in (["users", "add", "carol", "--role", "USER"], ["users", "reset-token", "carol"]):
        result = CliRunner().invoke(main, args, catch_exceptions=False)
        assert result.exit_code == 0, result.output
        *_, link, token = result.stdout.rstrip("\n").splitlines()
        assert link == f"Sign in to the web app: http://127.0.0.1:8000/#token={token}"


@pytest.mark.usefixtures("cli_database")
def test_demo_prints_a_sign_in_link_for_each_user_it_creates(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A small ledger: the links are the point here, not the demo's size.
    monkeypatch.setattr("graphql_api.demo.DEMO_SIZE", LedgerSize(customers=40, items=200,
                                                                  reminders=20))  # fmt: skip
    result = CliRunner().invoke(main, ["demo"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    tokens = dict(re.findall(r"^user (\w+): Authorization: Bearer (\S+)$", result.stdout, re.M))
    links = dict(re.findall(r"^user (\w+): sign in: (\S+)$", result.stdout, re.M))
    assert sorted(tokens) == ["admin", "alice", "bob", "viewer"]
    assert links == {name: f"http://127.0.0.1:8000/#token={t}" for name, t in tokens.items()}
    again = CliRunner().invoke(main, ["demo"], catch_exceptions=False)
    assert "sign in:" not in again.stdout  # no new user, no new link
