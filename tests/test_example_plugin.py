"""The example plugin package (examples/dso-alerts-credit-plugin), installed with pip the way
an integrator installs one: found through its entry point, listed by the CLI, its criteria
matching exactly the hand-picked accounts on SQLite and PostgreSQL, through GraphQL too — and
once uninstalled, its alerts report a problem and match nothing while the others still work.

The package is pip-installed once per session into a temporary directory put on sys.path
only by the tests that want it (unless it is already installed in the environment), so the
shared virtualenv and the other tests never see it.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import warnings
from importlib.metadata import PackageNotFoundError, distribution
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import Engine

from graphql_api import plugins
from graphql_api.cli import main
from graphql_api.criteria import criteria_json, parse_criteria
from graphql_api.customer_queries import customer_page
from graphql_api.database import write_transaction
from graphql_api.errors import UserInputError
from graphql_api.evaluation import compile_criteria, ledger_for, match_counts
from graphql_api.ledger_import import import_ledger
from graphql_api.plugins import CriteriaRegistry, load_registry
from graphql_api.users import Role, add_user
from tests.conftest import DATABASES, TODAY

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "dso-alerts-credit-plugin"
DIST = "dso-alerts-credit-plugin"
KEYS = ("creditLimitUtilisation", "disputedShare", "attribute")

# Utilisation = 100 × outstanding ÷ credit limit; "région" tests a non-ASCII attribute name.
CUSTOMERS_CSV = """\
account_number,name,credit_limit,segment,région
U100,Full,1000,SME,Nord
U080,Eighty,1000, Large ,Sud
U079,Just under,100000,sme,
U150,Over,200,SME,Nord-Est
NOLIMIT,No limit,,,
ZERO,Zero limit,0,Public,Nord
CREDIT,In credit,1000,SME,
IDLE,Nothing open,1000,Large,
"""
ITEMS_CSV = """\
account_number,document_number,type,due_date,open_amount
U100,F1,INVOICE,2026-10-01,600
U100,F2,INVOICE,2026-12-31,400
U080,F3,INVOICE,2026-12-31,800
U079,F4,INVOICE,2026-12-31,79999.99
U150,F5,INVOICE,2026-10-01,300
NOLIMIT,F6,INVOICE,2026-10-01,500
ZERO,F7,INVOICE,2026-10-01,500
CREDIT,F8,CREDIT_NOTE,2026-10-01,-200
"""
ALL = ["CREDIT", "IDLE", "NOLIMIT", "U079", "U080", "U100", "U150", "ZERO"]

EXPECTED: list[tuple[dict[str, Any], list[str]]] = [
    ({"creditLimitUtilisation": {"min": 80}}, ["U080", "U100", "U150"]),
    ({"creditLimitUtilisation": {"min": 80, "max": 100}}, ["U080", "U100"]),
    ({"creditLimitUtilisation": {"min": 101}}, ["U150"]),
    ({"creditLimitUtilisation": {"max": 79}}, ["CREDIT", "IDLE"]),  # U079 is at 79.99999%
    ({"creditLimitUtilisation": {"max": 80}}, ["CREDIT", "IDLE", "U079", "U080"]),
    ({"creditLimitUtilisation": {"min": 0, "max": 0}}, ["IDLE"]),
    # No limit (empty or 0): never, whatever the range.
    (
        {"creditLimitUtilisation": {"min": -(10**6), "max": 10**6}},
        ["CREDIT", "IDLE", "U079", "U080", "U100", "U150"],
    ),
    ({"attribute": {"name": "segment", "values": ["SME"]}}, ["CREDIT", "U100", "U150"]),
    ({"attribute": {"name": "segment", "op": "IS", "values": [" Large "]}}, ["IDLE", "U080"]),
    (
        {"attribute": {"name": "segment", "op": "IS_NOT", "values": ["SME", "Large"]}},
        ["NOLIMIT", "U079", "ZERO"],  # no segment is neither: NOLIMIT matches IS_NOT
    ),
    ({"attribute": {"name": "région", "values": ["Nord"]}}, ["U100", "ZERO"]),
    (
        {"attribute": {"name": "région", "op": "IS_NOT", "values": ["Nord"]}},
        ["CREDIT", "IDLE", "NOLIMIT", "U079", "U080", "U150"],
    ),
    ({"attribute": {"name": "Segment", "values": ["SME"]}}, []),  # names are exact
    ({"attribute": {"name": "nowhere", "op": "IS_NOT", "values": ["x"]}}, ALL),
    (
        {
            "creditLimitUtilisation": {"min": 100},
            "attribute": {"name": "segment", "values": ["SME"]},
            "itemOverdue": True,
        },
        ["U100", "U150"],
    ),
]


# -- installing it -----------------------------------------------------------------------


@pytest.fixture(scope="session")
def credit_site(tmp_path_factory: pytest.TempPathFactory) -> Path | None:
    """Where pip installed the example, or None when the environment already has it."""
    try:
        distribution(DIST)
        return None
    except PackageNotFoundError:
        pass
    base = tmp_path_factory.mktemp("credit-plugin")
    source = base / "src"  # build from a copy: the build writes into the source tree
    ignored = shutil.ignore_patterns("*.egg-info", "build", "__pycache__")
    shutil.copytree(EXAMPLE, source, ignore=ignored)
    target = base / "site-packages"
    pip = [sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    pip += ["--no-deps", "--target", str(target), str(source)]
    # Offline and fast when setuptools can build wheels by itself (≥ 70.1, or with `wheel`);
    # otherwise let pip fetch the build tools into an isolated build environment.
    offline = subprocess.run([*pip, "--no-build-isolation"], capture_output=True, text=True)
    if offline.returncode != 0:
        shutil.rmtree(target, ignore_errors=True)
        isolated = subprocess.run(pip, capture_output=True, text=True)
        assert isolated.returncode == 0, offline.stderr + isolated.stderr
    return target


@pytest.fixture
def installed(credit_site: Path | None, monkeypatch: pytest.MonkeyPatch) -> CriteriaRegistry:
    """The registry the application starts with once the example is installed."""
    if credit_site is not None:
        monkeypatch.syspath_prepend(str(credit_site))
    registry = load_registry()
    assert registry.failures == []
    return registry


def uninstalled(monkeypatch: pytest.MonkeyPatch) -> CriteriaRegistry:
    """The registry the application starts with after `pip uninstall dso-alerts-credit-plugin`:
    its entry point is no longer found."""
    found = plugins.entry_points

    def without_example(group: str) -> list[Any]:
        return [ep for ep in found(group=group) if ep.dist is None or ep.dist.name != DIST]

    monkeypatch.setattr(plugins, "entry_points", without_example)
    return load_registry()


# -- discovery and the CLI ---------------------------------------------------------------


def test_found_through_its_entry_point(installed: CriteriaRegistry) -> None:
    credit = next(p for p in installed.plugins if p.name == "credit")
    assert (credit.module, credit.distribution) == ("dso_alerts_credit", DIST)
    assert credit.version == "0.1.0"
    assert credit.criteria == KEYS
    assert installed.criteria["creditLimitUtilisation"].kind.name == "number"
    assert installed.criteria["attribute"].kind.name == "attribute"
    assert len(installed.criteria) == 24 + 3


def test_nothing_in_the_core_imports_it() -> None:
    root = EXAMPLE.parent.parent
    core = [*(root / "graphql_api").rglob("*.py"), *(root / "criteria_plugins").rglob("*.py")]
    assert not [p for p in core if "dso_alerts_credit" in p.read_text(encoding="utf-8")]


def test_cli_plugins_lists_it(installed: CriteriaRegistry) -> None:
    result = CliRunner().invoke(main, ["plugins"])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    header = next(i for i, line in enumerate(lines) if line.startswith("credit "))
    assert "dso_alerts_credit" in lines[header] and f"{DIST} 0.1.0" in lines[header]
    assert lines[header + 1].split(maxsplit=3) == [
        "creditLimitUtilisation", "CUSTOMER", "number", "Credit limit utilisation (%)"
    ]
    assert lines[header + 2].split(maxsplit=3) == [
        "disputedShare", "CUSTOMER", "number", "Disputed share (%)"
    ]
    assert lines[header + 3].split(maxsplit=3) == [
        "attribute", "CUSTOMER", "attribute", "Extra attribute"
    ]
    assert "FAILED" not in result.stdout


def test_cli_criteria_json_lists_it(installed: CriteriaRegistry) -> None:
    result = CliRunner().invoke(main, ["criteria", "--json"])
    assert result.exit_code == 0, result.output
    entries = {entry["key"]: entry for entry in json.loads(result.stdout)}
    assert entries["attribute"] == {
        "key": "attribute",
        "label": "Extra attribute",
        "description": installed.criteria["attribute"].description,
        "scope": "CUSTOMER",
        "kind": "attribute",
        "example": {"name": "segment", "op": "IS", "values": ["SME"]},
        "plugin": "credit",
    }
    assert entries["creditLimitUtilisation"]["plugin"] == "credit"
    assert entries["overdueAmount"]["plugin"] == "customer_figures"


def test_the_example_packages_own_tests_pass(
    credit_site: Path | None, tmp_path: Path
) -> None:
    """Its own suite, run the way its author runs it — with the fixtures dso-alerts ships
    (the `pytest11` plugin), on SQLite and PostgreSQL — against the pip-installed package:
    the tests are run from a copy holding no source of the plugin, so `import
    dso_alerts_credit` finds the installed one."""
    shutil.copytree(EXAMPLE / "tests", tmp_path / "tests")
    shutil.copy(EXAMPLE / "pyproject.toml", tmp_path / "pyproject.toml")
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1")
    if credit_site is not None:
        paths = [str(credit_site), env.get("PYTHONPATH", "")]
        env["PYTHONPATH"] = os.pathsep.join(p for p in paths if p)
    run = subprocess.run(
        # Here a PostgreSQL that cannot start fails the run: a third party's would skip.
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-rs",
         "-o", "dso_alerts_require_postgresql=true"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )  # fmt: skip
    assert run.returncode == 0, run.stdout + run.stderr
    per_database = 18  # its tests that take a database; one more that does not
    expected = per_database * len(DATABASES) + 1
    assert f"{expected} passed" in run.stdout, run.stdout  # not skipped: it is installed
    assert "skipped" not in run.stdout


# -- its criteria, on both databases -----------------------------------------------------


def load_credit_ledger(engine: Engine, directory: Path) -> None:
    (directory / "customers.csv").write_text(CUSTOMERS_CSV, encoding="utf-8")
    (directory / "items.csv").write_text(ITEMS_CSV, encoding="utf-8")
    import_ledger(
        engine,
        today=TODAY,
        customers_file=directory / "customers.csv",
        items_file=directory / "items.csv",
    )


def matching(engine: Engine, registry: CriteriaRegistry, criteria: dict[str, Any]) -> list[str]:
    compiled = compile_criteria(parse_criteria(registry, criteria), ledger_for(TODAY))
    assert compiled.problems == ()
    with engine.connect() as conn:
        rows, _ = customer_page(conn, [compiled.condition], None, 100)
        assert match_counts(conn, {1: compiled.condition}) == {1: len(rows)}
    return [row.account_number for row in rows]


def test_its_criteria_match_the_expected_accounts(
    engine: Engine, installed: CriteriaRegistry, tmp_path: Path
) -> None:
    load_credit_ledger(engine, tmp_path)
    for criteria, expected in EXPECTED:
        assert matching(engine, installed, criteria) == expected, criteria


@pytest.mark.parametrize(
    ("criteria", "field"),
    [
        ({"attribute": {"values": ["SME"]}}, "criteria.attribute.name"),
        ({"attribute": {"name": "  ", "values": ["SME"]}}, "criteria.attribute.name"),
        ({"attribute": {"name": 'a"b', "values": ["SME"]}}, "criteria.attribute.name"),
        ({"attribute": {"name": "segment", "values": []}}, "criteria.attribute.values"),
        ({"attribute": {"name": "s", "op": "LIKE", "values": ["x"]}}, "criteria.attribute.op"),
        ({"attribute": {"name": "segment", "value": ["x"]}}, "criteria.attribute.value"),
        ({"attribute": "segment=SME"}, "criteria.attribute"),
        ({"creditLimitUtilisation": {"min": 9, "max": 8}}, "criteria.creditLimitUtilisation.min"),
        ({"creditLimitUtilisation": {"min": 80.5}}, "criteria.creditLimitUtilisation.min"),
    ],
)
def test_bad_input_is_a_validation_error_naming_the_field(
    installed: CriteriaRegistry, criteria: dict[str, Any], field: str
) -> None:
    with pytest.raises(UserInputError) as caught:
        parse_criteria(installed, criteria)
    assert [p.field for p in caught.value.problems] == [field]


def test_input_is_stored_normalised(installed: CriteriaRegistry) -> None:
    spec = criteria_json(
        parse_criteria(
            installed, {"attribute": {"name": " segment ", "values": [" SME", "SME", "Large "]}}
        )
    )
    assert spec == {"attribute": {"name": "segment", "op": "IS", "values": ["SME", "Large"]}}
    assert criteria_json(parse_criteria(installed, spec)) == spec  # stored input parses to itself


# -- through GraphQL, installed then uninstalled -----------------------------------------

CREATE = """
mutation Create($input: AlertInput!) {
  createAlert(input: $input) { alert { id matchCount problems } errors { code field message } }
}
"""
ALERT = "query One($id: ID!) { alert(id: $id) { id matchCount problems customers { totalCount } } }"
CRITERIA_INPUT = """
{
  criteriaInput: __type(name: "CriteriaInput") { inputFields { name type { name } } }
  attributeFilter: __type(name: "AttributeFilter") {
    inputFields { name defaultValue type { kind name ofType { kind name } } }
  }
  criteria { key label kind scope plugin inputType }
}
"""


class Client:
    def __init__(self, engine: Engine, registry: CriteriaRegistry, token: str) -> None:
        from graphql_api.app import create_app

        with warnings.catch_warnings():  # starlette 1.x prefers httpx2 but works with httpx
            warnings.filterwarnings("ignore", "Using `httpx` with `starlette.testclient`")
            from starlette.testclient import TestClient

        self.http = TestClient(create_app(engine, registry), raise_server_exceptions=True)
        self.headers = {"Authorization": f"Bearer {token}"}

    def __enter__(self) -> Client:
        self.http.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self.http.__exit__(*exc)

    def data(self, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        response = self.http.post(
            "/graphql", json={"query": query, "variables": variables or {}}, headers=self.headers
        )
        body = response.json()
        assert response.status_code == 200 and not body.get("errors"), body
        return body["data"]

    def create(self, name: str, criteria: dict[str, Any]) -> dict[str, Any]:
        payload = self.data(CREATE, {"input": {"name": name, "criteria": criteria}})["createAlert"]
        assert payload["errors"] == [], payload
        return payload["alert"]


def test_through_graphql_then_uninstalled(
    engine: Engine, installed: CriteriaRegistry, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytest.importorskip("graphql_api.app")
    load_credit_ledger(engine, tmp_path)
    with write_transaction(engine) as conn:
        token = add_user(conn, "carla", Role.USER)

    with Client(engine, installed, token) as api:
        schema = api.data(CRITERIA_INPUT)
        fields = {f["name"]: f["type"]["name"] for f in schema["criteriaInput"]["inputFields"]}
        assert fields["creditLimitUtilisation"] == "IntRange"
        assert fields["attribute"] == "AttributeFilter"
        attribute_filter = {f["name"]: f for f in schema["attributeFilter"]["inputFields"]}
        assert list(attribute_filter) == ["name", "op", "values"]
        string = {"kind": "SCALAR", "name": "String"}
        assert attribute_filter["name"]["type"] == dict(kind="NON_NULL", name=None, ofType=string)
        assert attribute_filter["op"]["defaultValue"] == "IS"
        assert attribute_filter["values"]["type"]["kind"] == "NON_NULL"
        info = {c["key"]: c for c in schema["criteria"]}
        assert info["attribute"]["plugin"] == info["creditLimitUtilisation"]["plugin"] == "credit"
        assert info["creditLimitUtilisation"]["label"] == "Credit limit utilisation (%)"

        near_limit = api.create("Near the limit", {"creditLimitUtilisation": {"min": 80}})
        smes = api.create(
            "SMEs", {"attribute": {"name": "segment", "op": "IS", "values": ["SME"]}}
        )
        both = api.create(
            "SMEs over the limit",
            {
                "creditLimitUtilisation": {"min": 100},
                "attribute": {"name": "segment", "values": ["SME"]},
                "overdueAmount": {"min": "1"},
            },
        )
        builtin = api.create("Overdue", {"overdueAmount": {"min": "1"}})
        assert [a["matchCount"] for a in (near_limit, smes, both, builtin)] == [3, 3, 2, 4]
        assert all(a["problems"] == [] for a in (near_limit, smes, both, builtin))

        where = "query W($where: CriteriaInput) { customers(where: $where) { totalCount } }"
        criteria = {"attribute": {"name": "segment", "op": "IS_NOT", "values": ["SME", "Large"]}}
        assert api.data(where, {"where": criteria})["customers"]["totalCount"] == 3

    with Client(engine, uninstalled(monkeypatch), token) as api:
        for alert in (near_limit, smes, both):
            found = api.data(ALERT, {"id": alert["id"]})["alert"]
            assert found["matchCount"] == 0 and found["customers"]["totalCount"] == 0
            assert found["problems"] and "is not available" in found["problems"][0], found
        still = api.data(ALERT, {"id": builtin["id"]})["alert"]
        assert (still["matchCount"], still["problems"]) == (4, [])
        schema = api.data(CRITERIA_INPUT)
        assert schema["attributeFilter"] is None
        assert not {"attribute", "creditLimitUtilisation"} & {c["key"] for c in schema["criteria"]}


def test_uninstalled_the_registry_loses_only_its_criteria(
    installed: CriteriaRegistry, monkeypatch: pytest.MonkeyPatch
) -> None:
    registry = uninstalled(monkeypatch)
    assert set(installed.criteria) - set(registry.criteria) == set(KEYS)
    assert registry.failures == []
    result = CliRunner().invoke(main, ["plugins"])
    assert "credit" not in result.stdout.split() and "overdueAmount" in result.stdout


def test_no_leak_into_other_tests(credit_site: Path | None) -> None:
    """Outside the `installed` fixture the example is not found (unless installed for real)."""
    if credit_site is None:
        pytest.skip("installed in the environment")
    assert "credit" not in {p.name for p in load_registry().plugins}
