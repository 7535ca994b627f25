"""docs/plugins.md is checked against the code: every hook is documented with its exact
signature and has a `test_hook_<name>`; every built-in criterion is in the docs' table with
its scope, kind and label; every ledger column is described; the examples in it run."""

from __future__ import annotations

import inspect
import json
import re
import subprocess
import sys
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from sqlalchemy import Engine

from graphql_api import hookspecs
from graphql_api.app import create_app
from graphql_api.criteria import Criterion, Scope, criteria_json, load_criteria, parse_criteria
from graphql_api.customer_queries import customer_page
from graphql_api.errors import ErrorCode, UserInputError
from graphql_api.evaluation import compile_criteria, ledger_for, match_counts
from graphql_api.ledger_import import import_ledger
from graphql_api.plugins import CORE_DISTRIBUTION, load_registry
from graphql_api.storage import customer_figures, customers, items, reminders
from graphql_api.testing.ledger import LedgerBuilder
from graphql_api.testing.probe import CriteriaProbe
from tests.api_client import Api, TestClient
from tests.conftest import DATABASES, TODAY

pytest_plugins = ("tests.api_client",)

ROOT = Path(__file__).resolve().parent.parent
DOCS = (ROOT / "docs" / "plugins.md").read_text(encoding="utf-8")
TESTS = Path(__file__).resolve().parent


def hook_specs() -> list[Callable[..., Any]]:
    marker = f"{hookspecs.hookspec.project_name}_spec"
    return [f for _, f in inspect.getmembers(hookspecs, inspect.isfunction) if hasattr(f, marker)]


def signature(function: Callable[..., Any]) -> str:
    """`name(arg: type, ...) -> type`, the annotations as written in hookspecs.py."""
    sig = inspect.signature(function)

    def text(annotation: Any) -> str:
        return annotation if isinstance(annotation, str) else inspect.formatannotation(annotation)

    params = []
    for p in sig.parameters.values():
        part = p.name if p.annotation is p.empty else f"{p.name}: {text(p.annotation)}"
        params.append(part if p.default is p.empty else f"{part} = {p.default!r}")
    result = "" if sig.return_annotation is sig.empty else f" -> {text(sig.return_annotation)}"
    return f"{function.__name__}({', '.join(params)}){result}"


def table_rows(heading: str) -> list[list[str]]:
    """The cells of the table under `## heading`, without the header row."""
    section = DOCS.split(f"\n## {heading}\n", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("|")]
    return [[cell.strip() for cell in row.strip("|").split("|")] for row in rows[2:]]


def code_block(containing: str) -> str:
    blocks = re.findall(r"```python\n(.*?)```", DOCS, flags=re.S)
    (found,) = [b for b in blocks if containing in b]
    return found


# -- hooks -------------------------------------------------------------------------------


def test_there_are_hooks() -> None:
    assert [f.__name__ for f in hook_specs()] == ["register_criteria"]


@pytest.mark.parametrize("hook", hook_specs(), ids=lambda f: f.__name__)
def test_every_hook_is_documented_with_its_exact_signature(hook: Callable[..., Any]) -> None:
    assert f"### `{signature(hook)}`" in DOCS


@pytest.mark.parametrize("hook", hook_specs(), ids=lambda f: f.__name__)
def test_every_hook_has_a_test(hook: Callable[..., Any]) -> None:
    pattern = re.compile(rf"^def test_hook_{hook.__name__}\b", re.M)
    assert any(pattern.search(p.read_text(encoding="utf-8")) for p in TESTS.glob("test_*.py"))


# -- built-in criteria -------------------------------------------------------------------


def builtin_criteria() -> dict[str, Any]:
    registry = load_registry()
    keys = [k for p in registry.plugins if p.distribution == CORE_DISTRIBUTION for k in p.criteria]
    return {key: registry.criteria[key] for key in keys}


def test_every_builtin_criterion_has_a_label_and_a_description() -> None:
    criteria = builtin_criteria()
    assert len(criteria) == 24
    for key, criterion in criteria.items():
        assert criterion.label.strip(), key
        assert criterion.description.strip(), key


def test_the_docs_table_lists_exactly_the_builtin_criteria() -> None:
    rows = table_rows("Built-in criteria")
    assert all(row[4] for row in rows)  # each says what it is on
    documented = {tuple(cell.strip("`") for cell in row[:4]) for row in rows}
    actual = {(k, c.scope.value, c.kind.name, c.label) for k, c in builtin_criteria().items()}
    assert documented == actual


@pytest.mark.parametrize("table", [customers, customer_figures, items, reminders], ids=str)
def test_every_ledger_column_is_described(table: Any) -> None:
    rows = {row[0].split()[0].strip("`"): row[1] for row in table_rows("The API") if len(row) == 2}
    name = "figures" if table is customer_figures else table.name
    for column in table.c:
        assert f"`{column.name}`" in rows[name], f"{table.name}.{column.name}"


# -- the examples in the docs run --------------------------------------------------------


def docs_module(name: str, containing: str) -> ModuleType:
    module = ModuleType(name)
    exec(compile(code_block(containing), "docs/plugins.md", "exec"), module.__dict__)
    return module


def docs_plugin() -> ModuleType:
    return docs_module("dso_alerts_reminders", REMINDERS)


REMINDERS = "def reminders_last_30_days"  # the short example plugin


def test_the_short_example_plugin_works(engine: Engine, tmp_path: Path) -> None:
    registry = load_registry([docs_plugin()])
    assert registry.failures == []
    day = lambda n: (TODAY - timedelta(days=n)).isoformat()  # noqa: E731
    (tmp_path / "c.csv").write_text("account_number,name\nA1,Often\nB2,Once\nC3,Never\n")
    (tmp_path / "r.csv").write_text(
        "account_number,date\n"
        f"A1,{day(0)}\nA1,{day(29)}\nA1,{day(10)}\nB2,{day(30)}\nB2,{day(2)}\n"
    )
    files = {"customers_file": tmp_path / "c.csv", "reminders_file": tmp_path / "r.csv"}
    import_ledger(engine, today=TODAY, **files)

    def accounts(criteria: dict[str, Any]) -> list[str]:
        compiled = compile_criteria(parse_criteria(registry, criteria), ledger_for(TODAY))
        assert compiled.problems == ()
        with engine.connect() as conn:
            rows, _ = customer_page(conn, [compiled.condition], None, 10)
            assert match_counts(conn, {1: compiled.condition}) == {1: len(rows)}
        return [row.account_number for row in rows]

    assert accounts({"remindersLast30Days": {"min": 3}}) == ["A1"]
    assert accounts({"remindersLast30Days": {"min": 1, "max": 1}}) == ["B2"]  # day 30 is out
    assert accounts({"remindersLast30Days": {"max": 0}}) == ["C3"]


def test_the_wrapped_kind_example_works(engine: Engine, tmp_path: Path) -> None:
    namespace: dict[str, Any] = {}
    exec(compile(code_block("class ZeroIfEmptyAmount"), "docs/plugins.md", "exec"), namespace)
    criterion = Criterion(
        "limitOrZero", "Limit", "The credit limit, empty as 0.", Scope.CUSTOMER,
        namespace["ZeroIfEmptyAmount"](), value=lambda t: t.customers.c.credit_limit,
    )  # fmt: skip
    module = ModuleType("wrapped")
    module.register_criteria = hookspecs.hookimpl(lambda: [criterion])  # type: ignore[attr-defined]
    registry = load_registry([module])
    assert registry.failures == []
    (tmp_path / "c.csv").write_text("account_number,name,credit_limit\nA1,Acme,\nB2,Bravo,10\n")
    import_ledger(engine, today=TODAY, customers_file=tmp_path / "c.csv")

    stored = criteria_json(parse_criteria(registry, {"limitOrZero": {"max": 0}}))
    assert stored == {"limitOrZero": {"max": "0"}}
    compiled = compile_criteria(load_criteria(registry, stored), ledger_for(TODAY))
    with engine.connect() as conn:
        rows, _ = customer_page(conn, [compiled.condition], None, 10)
    assert [row.account_number for row in rows] == ["A1"]  # the empty limit counts as 0


def test_the_testing_example_passes(tmp_path: Path) -> None:
    """The docs' test module, run as its author runs it: with the shipped fixtures, on both
    databases (here a PostgreSQL that cannot start fails the run)."""
    (tmp_path / "dso_alerts_reminders.py").write_text(code_block(REMINDERS), encoding="utf-8")
    (tmp_path / "test_docs_example.py").write_text(code_block("def test_"), encoding="utf-8")
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-o",
         "dso_alerts_require_postgresql=true", "test_docs_example.py"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )  # fmt: skip
    assert run.returncode == 0, run.stdout + run.stderr
    assert f"{2 * len(DATABASES)} passed" in run.stdout


# -- the docs and the example plugin use the public API only -------------------------------

PUBLIC = {"graphql_api.plugin"}
IMPORT = re.compile(
    r"^\s*(?:from\s+(graphql_api[\w.]*)\s+import|import\s+(graphql_api[\w.]*))", re.M
)


def imported_modules(source: str) -> set[str]:
    return {a or b for a, b in IMPORT.findall(source)}


def test_the_docs_import_only_the_public_module() -> None:
    blocks = re.findall(r"```python\n(.*?)```", DOCS, flags=re.S)
    assert imported_modules("\n".join(blocks)) == PUBLIC
    # Nor do they send the reader to any other module of dso-alerts, or to a spec elsewhere.
    named = set(re.findall(r"graphql_api\.\w+", DOCS))
    assert named == {"graphql_api.plugin", "graphql_api.pytest_plugin"}
    assert "SPEC" not in DOCS


def test_the_example_plugin_imports_only_the_public_module() -> None:
    example = ROOT / "examples" / "dso-alerts-credit-plugin"
    sources = [p.read_text(encoding="utf-8") for p in sorted(example.rglob("*.py"))]
    assert len(sources) >= 2
    assert set().union(*map(imported_modules, sources)) == PUBLIC


def test_the_public_module_has_what_the_docs_list() -> None:
    from graphql_api import plugin

    rows = [row for row in table_rows("The API") if len(row) == 3]
    listed = {name.strip("`") for row in rows for name in row[0].split(", ")}
    assert listed == set(plugin.__all__)
    assert all(hasattr(plugin, name) for name in plugin.__all__)


# -- the helpers' examples run ------------------------------------------------------------


def test_the_helpers_examples_work(engine: Engine) -> None:
    namespace: dict[str, Any] = {}
    for marker in ("utilisation = Criterion(", "def name_contains", "PAID = Buckets("):
        exec(compile(code_block(marker), "docs/plugins.md", "exec"), namespace)
    criteria = [namespace[n] for n in ("utilisation", "share", "name", "last_payment")]
    module = ModuleType("helpers_from_the_docs")
    module.register_criteria = hookspecs.hookimpl(lambda: criteria)  # type: ignore[attr-defined]
    registry = load_registry([module])
    assert registry.failures == []

    ledger = LedgerBuilder(engine, TODAY)
    ledger.customer("P21", "SOCIÉTÉ Lyonnaise", credit_limit="12345.00",
                    last_payment_date=TODAY - timedelta(days=30))
    ledger.item("P21", "2592.45").item("P21", "0.07", disputed=True).item("P21", "-0.07")
    ledger.customer("P7", "Gülf", credit_limit="1.00", last_payment_date=TODAY - timedelta(days=31))
    ledger.item("P7", "0.93").item("P7", "0.07", disputed=True)
    ledger.customer("NONE", "Nobody").load()  # fmt: skip
    probe = CriteriaProbe(engine, registry, TODAY)
    assert probe.matching({"creditLimitUtilisation": {"min": 21, "max": 21}}) == ["P21"]
    assert probe.matching({"disputedFraction": {"min": "0.07", "max": "0.07"}}) == ["P7"]
    assert probe.matching({"nameContains": {"values": ["société", "GULF"]}}) == ["P21", "P7"]
    assert probe.matching({"nameContains": {"op": "IS_NOT", "values": ["societe"]}}) == [
        "NONE", "P7"
    ]  # fmt: skip
    assert probe.matching({"lastPaymentAge": {"values": ["this month"]}}) == ["P21"]
    assert probe.matching({"lastPaymentAge": {"values": ["this quarter"]}}) == ["P7"]
    assert probe.matching({"lastPaymentAge": {"values": ["never"]}}) == ["NONE"]


def test_the_errors_example_names_the_field() -> None:
    namespace: dict[str, Any] = {}
    exec(compile(code_block("def checked_days"), "docs/plugins.md", "exec"), namespace)
    assert namespace["checked_days"](3, "criteria.x") == 3
    with pytest.raises(UserInputError) as caught:
        namespace["checked_days"](-1, "criteria.x")
    (problem,) = caught.value.problems
    assert (problem.code, problem.field) == (ErrorCode.VALIDATION, "criteria.x")
    assert str(caught.value) == "criteria.x must be a whole number of days, 0 or more"


def test_the_fixed_values_example_is_what_the_registry_answers(api: Api) -> None:
    """The ageing-bucket plugin: its registry entry through HTTP is the one the docs show,
    and its example, sent back, finds the accounts 61 days late or more."""
    ageing = docs_module("dso_alerts_ageing", "def ageing_bucket")
    registry = load_registry([ageing])
    assert registry.failures == []
    (documented,) = re.findall(r"Its registry entry, from `[^`]*`:\n`(.*?)`\.", DOCS, flags=re.S)
    with TestClient(create_app(api.engine, registry), raise_server_exceptions=False) as client:
        served = Api(api.engine, client, api.tokens)
        entries = served.data("viewer", "{ criteria { key kind unit values example } }")
        entry = {c["key"]: c for c in entries["criteria"]}["ageingBucket"]
        assert entry == json.loads(documented)
        where = "query($where: CriteriaInput) { customers(where: $where) { totalCount } }"
        found = served.data("viewer", where, {"where": {"ageingBucket": entry["example"]}})
        assert found["customers"]["totalCount"] == 3  # C001 (83 days), C002 (114), C005 (175)
        everyone = {"ageingBucket": {"values": list(entry["values"])}}
        assert served.data("viewer", where, {"where": everyone})["customers"]["totalCount"] == 8
