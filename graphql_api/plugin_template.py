"""`dso-alerts plugins new NAME`: a ready-to-install plugin package with its tests, like
datasette's plugin template. The criterion it starts from is real (the overdue share of
the outstanding, exact at its bounds), and so are its tests (both databases, the shipped
fixtures): edit them rather than start from nothing."""

from __future__ import annotations

import re
from pathlib import Path

NAME = re.compile(r"[a-z][a-z0-9]*(?:[-_][a-z0-9]+)*")

PYPROJECT = """\
[build-system]
requires = ["setuptools>=61"]
build-backend = "setuptools.build_meta"

[project]
name = "{dist}"
version = "0.1.0"
description = "A dso-alerts criteria plugin."
readme = "README.md"
requires-python = ">=3.11"
dependencies = ["dso-alerts"]

# How dso-alerts finds the plugin: the entry point's name is the plugin's name, its value
# the module holding the @hookimpl functions.
[project.entry-points.dso_alerts]
{name} = "{module}"

[tool.setuptools]
packages = ["{module}"]

[tool.pytest.ini_options]
testpaths = ["tests"]
# In CI, make a PostgreSQL that cannot start a failure rather than a skip:
# dso_alerts_require_postgresql = true
"""

MODULE = '''\
"""{dist}: criteria for dso-alerts (see dso-alerts' docs/plugins.md)."""

from graphql_api.plugin import NUMBER, Criterion, Ledger, Scope, hookimpl, percentage


def overdue_share(t: Ledger):
    """100 × overdue ÷ outstanding, compared exactly; none when the customer owes nothing."""
    return percentage(t.figures.c.overdue_amount, t.figures.c.outstanding_amount)


@hookimpl
def register_criteria() -> list[Criterion]:
    return [
        Criterion(
            "{key}",
            "Overdue share (%)",
            "The overdue amount as a percentage of the outstanding. Accounts that owe "
            "nothing never match.",
            Scope.CUSTOMER,
            NUMBER,
            value=overdue_share,
            unit="%",
            example={{"min": 50}},
        )
    ]
'''

TESTS = '''\
"""Tests of {module}, on SQLite and PostgreSQL, with the fixtures dso-alerts ships."""

from datetime import timedelta

import pytest

import {module}


@pytest.fixture
def dso_plugins():
    return [{module}]  # registered by hand: the tests need not install the package


@pytest.fixture
def ledger(dso_ledger):
    late = dso_ledger.today - timedelta(days=10)
    soon = dso_ledger.today + timedelta(days=10)
    dso_ledger.customer("HALF").item("HALF", "500.00", due_date=late)
    dso_ledger.item("HALF", "500.00", due_date=soon)
    dso_ledger.customer("SEVEN").item("SEVEN", "0.07", due_date=late)
    dso_ledger.item("SEVEN", "0.93", due_date=soon)
    dso_ledger.customer("NOTHING")
    dso_ledger.load()
    return dso_ledger


def test_exact_at_the_bounds(ledger, dso_criteria):
    assert dso_criteria.matching({{"{key}": {{"min": 50, "max": 50}}}}) == ["HALF"]
    assert dso_criteria.matching({{"{key}": {{"min": 7, "max": 7}}}}) == ["SEVEN"]
    assert dso_criteria.matching({{"{key}": {{"max": 6}}}}) == []


def test_who_owes_nothing_never_matches(ledger, dso_criteria):
    assert "NOTHING" not in dso_criteria.matching({{"{key}": {{"min": -1000, "max": 1000}}}})


def test_a_reversed_range_is_refused(dso_criteria):
    refused = dso_criteria.refused({{"{key}": {{"min": 9, "max": 8}}}})
    assert list(refused) == ["criteria.{key}.min"]
'''

README = """\
# {dist}

A [dso-alerts](https://pypi.org/project/dso-alerts/) criteria plugin.

```sh
pip install -e .      # beside dso-alerts, in the same environment
dso-alerts plugins    # lists "{name}" and its criteria
pytest                # its tests, on SQLite and on a throwaway PostgreSQL
```

| key | scope | kind | meaning |
|---|---|---|---|
| `{key}` | CUSTOMER | number | overdue ÷ outstanding, in %, exact at its bounds |
"""


def _camel(name: str) -> str:
    first, *rest = re.split(r"[-_]", name)
    return first + "".join(part.capitalize() for part in rest)


def write_plugin(name: str, parent: Path) -> Path:
    """Write the package `dso-alerts-NAME` into `parent`; its folder. ValueError when the
    name is not a lower-case identifier (`late-share`) or the folder exists."""
    if not NAME.fullmatch(name):
        raise ValueError(
            f"{name!r} is not a plugin name: lower-case letters and digits, words joined by "
            "- or _ (e.g. late-share)"
        )
    slug = name.replace("_", "-")
    names = {
        "name": name.replace("-", "_"),
        "dist": f"dso-alerts-{slug}",
        "module": f"dso_alerts_{slug.replace('-', '_')}",
        "key": f"{_camel(name)}OverdueShare",
    }
    root = parent / names["dist"]
    if root.exists():
        raise ValueError(f"{root} already exists")
    (root / names["module"]).mkdir(parents=True)
    (root / "tests").mkdir()
    (root / "pyproject.toml").write_text(PYPROJECT.format(**names), encoding="utf-8")
    (root / "README.md").write_text(README.format(**names), encoding="utf-8")
    (root / names["module"] / "__init__.py").write_text(MODULE.format(**names), encoding="utf-8")
    test_file = root / "tests" / f"test_{names['module']}.py"
    test_file.write_text(TESTS.format(**names), encoding="utf-8")
    return root
