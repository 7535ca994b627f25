"""Every command meets a database it cannot use — out of reach, or migrated by a newer version
(an Alembic revision this one does not know) — with one clear line on stderr and exit status
1, never a traceback, and changes nothing (SPEC §8); on SQLite and PostgreSQL."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import Engine, text

from graphql_api.cli import main
from graphql_api.database import write_transaction
from graphql_api.users import Role, add_user
from tests.api_client import write_ledger
from tests.ledger_builder import dump_database
from tests.live_server import command, free_port

FUTURE = "9999_from_the_future"
COMMANDS = {
    "serve": ["serve", "--port", "1"],
    "demo": ["demo"],
    "import": ["import", "--customers", "customers.csv", "--items", "items.csv"],
    "users add": ["users", "add", "erin", "--role", "USER"],
    "users list": ["users", "list"],
    "users revoke": ["users", "revoke", "alice"],
    "users reset-token": ["users", "reset-token", "alice"],
}


@dataclass
class Unusable:
    url: str
    situation: str  # "unreachable" or "newer"
    unchanged: object  # what must still be true afterwards, compared by `state()`
    engine: Engine | None

    def state(self) -> object:
        if self.engine is None:
            return None
        with self.engine.connect() as conn:
            revision = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
        return revision, dump_database(self.engine)


@pytest.fixture(params=["unreachable", "newer"])
def unusable(
    request: pytest.FixtureRequest,
    engine: Engine,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[Unusable]:
    """DSO_ALERTS_DATABASE_URL naming a database of the kind `engine` is (SQLite or
    PostgreSQL) that is out of reach, or whose schema a newer version migrated; the working
    directory holds the CSV files of a ledger."""
    write_ledger(tmp_path)
    monkeypatch.chdir(tmp_path)
    if request.param == "unreachable":
        if engine.dialect.name == "sqlite":
            url = f"sqlite:///{tmp_path / 'no-such-folder' / 'alerts.db'}"
        else:
            url = f"postgresql+psycopg://postgres:secret@127.0.0.1:{free_port()}/dso_alerts"
        found = Unusable(url, "unreachable", None, None)
        monkeypatch.setenv("DSO_ALERTS_DATABASE_URL", url)
        yield found
        assert not (tmp_path / "no-such-folder").exists()
        return
    with write_transaction(engine) as conn:
        add_user(conn, "alice", Role.USER)
        (current,) = conn.execute(text("SELECT version_num FROM alembic_version")).one()
        conn.execute(text("UPDATE alembic_version SET version_num = :v"), {"v": FUTURE})
    url = engine.url.render_as_string(hide_password=False)
    monkeypatch.setenv("DSO_ALERTS_DATABASE_URL", url)
    found = Unusable(url, "newer", None, engine)
    found.unchanged = found.state()
    try:
        yield found
    finally:
        with engine.begin() as conn:
            conn.execute(text("UPDATE alembic_version SET version_num = :v"), {"v": current})


def expected_line(found: Unusable) -> str:
    if found.situation == "newer":
        return f"schema revision '{FUTURE}', which this version of dso-alerts does not know"
    return "error: cannot reach the database "


@pytest.mark.parametrize("name", list(COMMANDS))
def test_each_command_says_it_in_one_line(unusable: Unusable, name: str) -> None:
    result = CliRunner().invoke(main, COMMANDS[name], catch_exceptions=False)
    assert result.exit_code == 1, (result.exit_code, result.output)
    assert result.stdout == ""
    (line,) = result.stderr.splitlines()
    assert line.startswith("error: ") and expected_line(unusable) in line, line
    assert "secret" not in line  # the password is not shown
    assert unusable.state() == unusable.unchanged


@pytest.mark.parametrize("name", ["serve", "import"])
def test_as_a_user_runs_it_no_traceback(unusable: Unusable, name: str) -> None:
    """Through the installed `dso-alerts` script, with its logging as a user sees it."""
    done = subprocess.run(
        [*command(), *COMMANDS[name]], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 1, done
    assert done.stdout == ""
    (line,) = done.stderr.splitlines()
    assert expected_line(unusable) in line, done.stderr
    assert unusable.state() == unusable.unchanged


def test_a_bad_setting_is_one_line_too(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DSO_ALERTS_TODAY", "23/11/2026")
    result = CliRunner().invoke(main, ["users", "list"], catch_exceptions=False)
    assert result.exit_code == 1
    (line,) = result.stderr.splitlines()
    assert line.startswith("error: DSO_ALERTS_TODAY is not valid: "), line
    monkeypatch.setenv("DSO_ALERTS_DATABASE_URL", "not a url")
    monkeypatch.delenv("DSO_ALERTS_TODAY")
    result = CliRunner().invoke(main, ["users", "list"], catch_exceptions=False)
    (line,) = result.stderr.splitlines()
    assert line.startswith("error: DSO_ALERTS_DATABASE_URL is not a database URL"), line
    assert not list(tmp_path.iterdir())
