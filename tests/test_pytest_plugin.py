"""The pytest plugin dso-alerts ships for plugins' tests (graphql_api/pytest_plugin.py): it
is active wherever dso-alerts is installed, costs nothing to a run that does not use it, and
where no PostgreSQL server can be started, a third party's PostgreSQL runs are skipped with
the reason — or fail, where `dso_alerts_require_postgresql` says PostgreSQL must be tested
(this project's own runs: see pyproject.toml)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

NO_SERVER = """
from graphql_api.testing import postgres_server


def _nowhere() -> str:
    raise postgres_server.PostgresUnavailable("no PostgreSQL server binaries (pg_ctl) found")


postgres_server.find_pg_ctl = _nowhere  # as on a machine without PostgreSQL
"""

USES_A_DATABASE = """
def test_a_database(dso_database):
    assert dso_database.dialect.name == "sqlite"
"""

USES_NOTHING = """
import sys


def test_nothing_of_dso_alerts_was_imported():
    loaded = {name.partition(".")[0] for name in sys.modules}
    assert not {"sqlalchemy", "strawberry", "alembic"} & loaded
    assert [m for m in sys.modules if m.startswith("graphql_api.")] == ["graphql_api.pytest_plugin"]
"""


def run_pytest(folder: Path, *options: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DSO_ALERTS_TEST_")}
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-rs", "-p", "no:cacheprovider", *options],
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_without_a_server_postgresql_is_skipped_with_the_reason(tmp_path: Path) -> None:
    (tmp_path / "conftest.py").write_text(NO_SERVER, encoding="utf-8")
    (tmp_path / "test_plugin.py").write_text(USES_A_DATABASE, encoding="utf-8")
    run = run_pytest(tmp_path)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "1 passed, 1 skipped" in run.stdout
    assert (
        "no PostgreSQL server could be started: no PostgreSQL server binaries (pg_ctl) found"
        in run.stdout
    )


def test_where_postgresql_is_required_it_fails_instead(tmp_path: Path) -> None:
    (tmp_path / "conftest.py").write_text(NO_SERVER, encoding="utf-8")
    (tmp_path / "test_plugin.py").write_text(USES_A_DATABASE, encoding="utf-8")
    run = run_pytest(tmp_path, "-o", "dso_alerts_require_postgresql=true")
    assert run.returncode == 1, run.stdout + run.stderr
    assert "1 passed, 1 error" in run.stdout
    assert "no PostgreSQL server could be started" in run.stdout


def test_a_run_that_uses_no_fixture_imports_nothing_of_dso_alerts(tmp_path: Path) -> None:
    (tmp_path / "test_other.py").write_text(USES_NOTHING, encoding="utf-8")
    run = run_pytest(tmp_path)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "1 passed" in run.stdout
