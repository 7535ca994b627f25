"""`dso-alerts plugins new NAME` writes a plugin package that installs with pip, loads, and
whose own tests pass on SQLite and PostgreSQL with the shipped fixtures."""

from __future__ import annotations

import os
import subprocess
import sys
from importlib.metadata import distributions
from pathlib import Path

from click.testing import CliRunner

from graphql_api.cli import main
from tests.conftest import DATABASES


def test_it_writes_a_package_that_installs_and_passes_its_tests(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["plugins", "new", "late-share", "--directory", tmp_path])
    assert result.exit_code == 0, result.output
    root = tmp_path / "dso-alerts-late-share"
    assert result.output.strip().endswith(str(root))
    assert (root / "dso_alerts_late_share" / "__init__.py").exists()

    site = tmp_path / "site"
    pip = [sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
           "--no-deps", "--no-build-isolation", "--target", str(site), str(root)]  # fmt: skip
    installed = subprocess.run(pip, capture_output=True, text=True, cwd=tmp_path)
    assert installed.returncode == 0, installed.stderr
    (dist,) = distributions(path=[str(site)])
    assert [(ep.group, ep.name, ep.value) for ep in dist.entry_points] == [
        ("dso_alerts", "late_share", "dso_alerts_late_share")
    ]

    tests = root / "tests"
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1", PYTHONPATH=str(site))
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-o",
         "dso_alerts_require_postgresql=true", str(tests)],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert run.returncode == 0, run.stdout + run.stderr
    assert f"{3 * len(DATABASES)} passed" in run.stdout


def test_a_bad_name_or_an_existing_folder_is_refused(tmp_path: Path) -> None:
    bad = CliRunner().invoke(main, ["plugins", "new", "Late Share", "--directory", tmp_path])
    assert bad.exit_code == 2 and "'Late Share' is not a plugin name" in bad.output
    CliRunner().invoke(main, ["plugins", "new", "late", "--directory", tmp_path])
    again = CliRunner().invoke(main, ["plugins", "new", "late", "--directory", tmp_path])
    assert again.exit_code == 2 and "already exists" in again.output
