"""Plugin loading (graphql_api/plugins.py): the hook, key clashes, and fault isolation —
a broken plugin is recorded in `registry.failures` and the rest keeps working."""

from __future__ import annotations

import logging
import warnings
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import Engine, literal

from graphql_api.app import create_app
from graphql_api.cli import main
from graphql_api.criteria import (
    CURRENCY,
    Criterion,
    KindId,
    Ledger,
    Scope,
    criteria_json,
    load_criteria,
    parse_criteria,
)
from graphql_api.criterion_kinds import AMOUNT, VALUE_LIST, YES_NO, AmountBounds, AmountRange
from graphql_api.errors import UserInputError
from graphql_api.evaluation import compile_criteria, known_values, ledger_for, match_counts
from graphql_api.hookspecs import hookimpl
from graphql_api.ledger_import import import_ledger
from graphql_api.plugins import CriteriaRegistry, load_registry
from tests.api_client import Api
from tests.conftest import TODAY

with warnings.catch_warnings():
    warnings.filterwarnings("ignore", "Using `httpx` with `starlette.testclient`")
    from starlette.testclient import TestClient

pytest_plugins = ("tests.api_client",)

BUILTIN_KEYS = 24


def plugin(name: str, register: Callable[[], Any]) -> ModuleType:
    """A plugin module named `name` whose register_criteria hook is `register`."""
    module = ModuleType(name)
    module.register_criteria = hookimpl(register)  # type: ignore[attr-defined]
    return module


def flag(key: str, label: str = "A flag") -> Criterion:
    return Criterion(
        key, label, "Always true.", Scope.CUSTOMER, YES_NO, value=lambda t: literal(True)
    )


def install_fake_distribution(
    directory: Path, monkeypatch: pytest.MonkeyPatch, entry_points: str, **modules: str
) -> None:
    """A distribution `fake-plugins` as pip leaves it: its metadata and modules on sys.path."""
    dist_info = directory / "fake_plugins-1.2.dist-info"
    dist_info.mkdir()
    (dist_info / "METADATA").write_text("Metadata-Version: 2.1\nName: fake-plugins\nVersion: 1.2\n")
    (dist_info / "entry_points.txt").write_text(f"[dso_alerts]\n{entry_points}")
    for name, source in modules.items():
        (directory / f"{name}.py").write_text(source)
    monkeypatch.syspath_prepend(str(directory))


def messages(registry: CriteriaRegistry, plugin_name: str) -> list[str]:
    return [f.message for f in registry.failures if f.plugin == plugin_name]


# -- the hook ----------------------------------------------------------------------------


def test_hook_register_criteria() -> None:
    def register() -> list[Criterion]:
        return [flag("alwaysTrue", "Always true"), flag("alsoTrue")]

    registry = load_registry([plugin("my_plugin", register)])

    assert registry.failures == []
    assert registry.criteria["alwaysTrue"].label == "Always true"
    mine = next(p for p in registry.plugins if p.name == "my_plugin")
    assert mine.criteria == ("alwaysTrue", "alsoTrue")
    assert mine.distribution is None  # handed in by code, not installed
    # The built-ins come through the very same hook, from their entry points.
    builtins = [p for p in registry.plugins if p.distribution == "dso-alerts"]
    assert sum(len(p.criteria) for p in builtins) == BUILTIN_KEYS
    assert len(registry.criteria) == BUILTIN_KEYS + 2


def test_hook_criteria_are_evaluated(engine: Engine, tmp_path: Path) -> None:
    def register() -> list[Criterion]:
        return [flag("alwaysTrue")]

    registry = load_registry([plugin("my_plugin", register)])
    _ledger(engine, tmp_path)
    assert _count(engine, registry, {"alwaysTrue": True}) == 2
    assert _count(engine, registry, {"alwaysTrue": False}) == 0


# -- key clashes -------------------------------------------------------------------------


def test_key_clash_names_both_plugins_and_keeps_the_first(
    caplog: pytest.LogCaptureFixture,
) -> None:
    first = plugin("alpha_plugin", lambda: [flag("clash", "Alpha's")])
    second = plugin("beta_plugin", lambda: [flag("clash", "Beta's"), flag("betaOnly")])

    with caplog.at_level(logging.WARNING, logger="graphql_api.plugins"):
        registry = load_registry([first, second])

    assert registry.criteria["clash"].label == "Alpha's"
    assert "betaOnly" in registry.criteria  # the rest of the second plugin is kept
    (message,) = messages(registry, "beta_plugin")
    assert "alpha_plugin" in message and "beta_plugin" in message and "'clash'" in message
    assert "alpha_plugin" in caplog.text and "beta_plugin" in caplog.text  # reported at start-up


def test_an_installed_plugin_cannot_take_a_builtin_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # "aaa" sorts before the built-ins' entry points, yet they load first and keep their keys.
    install_fake_distribution(
        tmp_path,
        monkeypatch,
        "aaa = dso_alerts_thief\n",
        dso_alerts_thief=(
            "from graphql_api.hookspecs import hookimpl\n"
            "from tests.test_plugins import flag\n\n"
            "@hookimpl\n"
            "def register_criteria():\n"
            "    return [flag('overdueAmount', 'Hijacked'), flag('thiefOwn')]\n"
        ),
    )
    registry = load_registry()
    assert registry.criteria["overdueAmount"].label == "Overdue (retard)"
    assert "thiefOwn" in registry.criteria
    (message,) = messages(registry, "aaa")
    assert "customer_figures" in message and "aaa" in message
    thief = next(p for p in registry.plugins if p.name == "aaa")
    assert (thief.distribution, thief.version) == ("fake-plugins", "1.2")
    assert thief.criteria == ("thiefOwn",)


# -- fault isolation ---------------------------------------------------------------------


def test_a_plugin_whose_hook_raises_is_recorded() -> None:
    def register() -> list[Criterion]:
        raise RuntimeError("database not configured")

    fine = plugin("fine", lambda: [flag("ok")])
    registry = load_registry([plugin("raising_plugin", register), fine])

    (message,) = messages(registry, "raising_plugin")
    assert "register_criteria raised" in message and "database not configured" in message
    assert "ok" in registry.criteria and len(registry.criteria) == BUILTIN_KEYS + 1


def test_non_criteria_returned_are_recorded_and_skipped() -> None:
    class NoKind:
        name = "broken"  # no id, input_type, parse, to_json, predicate, example

    def register() -> list[Any]:
        return [
            flag("good"),
            "not a criterion",
            flag("bad key!"),
            Criterion("kindless", "K", "D", Scope.CUSTOMER, NoKind(), value=lambda t: literal(1)),  # type: ignore[arg-type]
        ]

    registry = load_registry([plugin("sloppy", register)])

    assert "good" in registry.criteria
    assert not {"bad key!", "kindless"} & set(registry.criteria)
    found = messages(registry, "sloppy")
    assert len(found) == 3
    assert "'not a criterion', which is not a Criterion" in found[0]
    assert "not a valid GraphQL name" in found[1]
    assert "input_type" in found[2]


def test_a_kind_written_for_validate_is_told_what_changed() -> None:
    class OldStyle:  # the protocol before kinds parsed their input into a typed value
        name = "old"
        input_type = bool
        validate = predicate = describe_input = staticmethod(lambda *args: None)

    old = Criterion("old", "O", "D", Scope.CUSTOMER, OldStyle(), value=lambda t: literal(1))  # type: ignore[arg-type]
    registry = load_registry([plugin("old_plugin", lambda: [old])])
    (message,) = messages(registry, "old_plugin")
    assert "its kind has no id, parse, to_json" in message and "validate is now parse" in message


def test_a_kind_written_for_describe_input_is_told_what_changed() -> None:
    class GraphQLText:  # the protocol before examples were JSON
        id, name, input_type = KindId.YES_NO, "yes/no", bool
        parse, to_json, predicate = YES_NO.parse, YES_NO.to_json, YES_NO.predicate
        describe_input = staticmethod(lambda: "true")

    old = Criterion("old", "O", "D", Scope.CUSTOMER, GraphQLText(), value=lambda t: literal(1))  # type: ignore[arg-type]
    registry = load_registry([plugin("old_plugin", lambda: [old])])
    (message,) = messages(registry, "old_plugin")
    assert "its kind has no example" in message and "describe_input is now example" in message


def test_a_register_criteria_returning_none_is_recorded() -> None:
    registry = load_registry([plugin("forgetful", lambda: None)])
    assert messages(registry, "forgetful")
    assert len(registry.criteria) == BUILTIN_KEYS


def test_a_misspelt_hook_disables_only_its_plugin() -> None:
    module = ModuleType("typo_plugin")
    module.register_criterion = hookimpl(lambda: [flag("typo")])  # type: ignore[attr-defined]

    registry = load_registry([module])  # must not raise (pluggy's check_pending would)

    assert messages(registry, "typo_plugin") == ["implements unknown hook(s): register_criterion"]
    assert "typo_plugin" not in {p.name for p in registry.plugins}
    assert len(registry.criteria) == BUILTIN_KEYS


def test_installed_plugins_that_fail_to_import(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A distribution installed beside dso-alerts (its metadata on sys.path) whose entry
    points fail: one names a module that does not exist, one a module that raises."""
    install_fake_distribution(
        tmp_path,
        monkeypatch,
        "missing = dso_alerts_no_such_module\nexploding = dso_alerts_exploding\n",
        dso_alerts_exploding='raise RuntimeError("boom at import")\n',
    )

    registry = load_registry()

    assert "dso_alerts_no_such_module" in messages(registry, "missing")[0]
    assert "boom at import" in messages(registry, "exploding")[0]
    assert len(registry.criteria) == BUILTIN_KEYS  # everything else keeps working

    result = CliRunner().invoke(main, ["plugins"])
    assert result.exit_code == 0, result.output
    assert "FAILED missing: failed to load" in result.stdout
    assert "FAILED exploding: failed to load" in result.stdout
    assert "overdueAmount" in result.stdout


# -- kinds -------------------------------------------------------------------------------


def test_a_kind_says_what_it_is_by_its_id(engine: Engine) -> None:
    class Wrapped:
        """YES_NO's members under an id and a label of the test's choosing."""

        parse, to_json = YES_NO.parse, YES_NO.to_json
        predicate, example = YES_NO.predicate, YES_NO.example

        def __init__(self, kind_id: Any, label: str, input_type: Any = bool) -> None:
            self.id, self.name, self.input_type = kind_id, label, input_type

    def register() -> list[Criterion]:
        return [
            Criterion(key, "K", "D", Scope.CUSTOMER, k, value=lambda t: t.customers.c.blocked)
            for key, k in (
                ("ownKind", Wrapped(KindId.CUSTOM, "list of values")),  # its label is not its kind
                ("yesNoWrapped", Wrapped(KindId.YES_NO, "yes/no, wrapped")),
                ("posingAsAmount", Wrapped(KindId.AMOUNT, "amount")),  # not AMOUNT's input type
                ("idAsText", Wrapped("VALUE_LIST", "list of values")),
            )
        ]

    registry = load_registry([plugin("kinds", register)])

    assert {"ownKind", "yesNoWrapped"} <= set(registry.criteria)
    assert not {"posingAsAmount", "idAsText"} & set(registry.criteria)
    posing, as_text = messages(registry, "kinds")
    assert "'posingAsAmount'" in posing and "AMOUNT" in posing and "AmountRange" in posing
    assert "'idAsText'" in as_text and "not a KindId" in as_text
    with engine.connect() as conn:
        listed = known_values(conn, registry, ledger_for(TODAY))
    assert "ownKind" not in listed and "country" in listed  # only VALUE_LIST kinds list values


class CountingAmount:
    """AMOUNT, recording what its parse is handed and what its predicate is built from."""

    id = KindId.AMOUNT
    name = "amount"
    input_type = AMOUNT.input_type
    to_json = AMOUNT.to_json
    example = AMOUNT.example

    def __init__(self) -> None:
        self.parsed: list[Any] = []
        self.compared: list[Any] = []

    def parse(self, raw: Any, field: str) -> AmountBounds:
        self.parsed.append(raw)
        return AMOUNT.parse(raw, field)

    def predicate(self, value: Any, parsed: AmountBounds, ledger: Ledger) -> Any:
        self.compared.append(parsed)
        return AMOUNT.predicate(value, parsed, ledger)


CREATE_LATE = """mutation($input: AlertInput!) { createAlert(input: $input) {
  alert { criteria matchCount problems } errors { field message } } }"""


def test_criteria_are_parsed_once_where_they_come_in(api: Api) -> None:
    kind = CountingAmount()
    late = Criterion(
        "countedOverdue", "Overdue", "Counts its parses.", Scope.CUSTOMER, kind,
        value=lambda t: t.figures.c.overdue_amount,
    )  # fmt: skip
    registry = load_registry([plugin("counting", lambda: [late])])
    assert kind.parsed == [{"min": "20000", "max": "50000"}]  # the registry checked its example
    kind.parsed.clear()

    with TestClient(create_app(api.engine, registry), raise_server_exceptions=False) as client:

        def ask(query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
            headers = {"Authorization": f"Bearer {api.tokens['alice']}"}
            body = {"query": query, "variables": variables or {}}
            answer: dict[str, Any] = client.post("/graphql", json=body, headers=headers).json()
            assert "errors" not in answer, answer
            return answer["data"]

        criteria = {"countedOverdue": {"min": "20000"}}
        created = ask(CREATE_LATE, {"input": {"name": "late", "criteria": criteria}})
        assert created["createAlert"] == {
            "alert": {"criteria": criteria, "matchCount": 4, "problems": []}, "errors": []
        }  # fmt: skip
        # Saving parsed the object strawberry built, not JSON made of it; evaluating its
        # membership (membership.py) and answering each loaded the stored JSON. Each
        # predicate was built from the typed value, once per load.
        from_input, *from_storage = kind.parsed
        assert isinstance(from_input, AmountRange) and from_input.min == Decimal("20000")
        assert from_storage == [{"min": "20000"}] * 2
        assert kind.compared == [AmountBounds(min=Decimal("20000"))] * 2

        ask("{ alerts { matchCount } customers { edges { node { bell { count } } } } }")
        assert len(kind.parsed) == 3  # the compiled alert is kept: nothing is parsed again

        searched = ask("{ customers(where: {countedOverdue: {min: 20000}}) { totalCount } }")
        assert searched == {"customers": {"totalCount": 4}}
        assert isinstance(kind.parsed[-1], AmountRange) and len(kind.parsed) == 4
        assert kind.compared[-1] == AmountBounds(min=Decimal("20000"))


# -- alerts whose criteria are gone ------------------------------------------------------


def test_an_alert_whose_criterion_is_missing_matches_nothing(
    engine: Engine, tmp_path: Path
) -> None:
    with_plugin = load_registry([plugin("my_plugin", lambda: [flag("alwaysTrue")])])
    stored = criteria_json(
        parse_criteria(with_plugin, {"alwaysTrue": True, "overdueAmount": {"min": "1"}})
    )
    without = load_registry()  # the plugin is gone

    compiled = compile_criteria(load_criteria(without, stored), ledger_for(TODAY))

    assert compiled.problems == (
        "criterion 'alwaysTrue' is not available: its plugin is not installed or failed to load",
    )
    _ledger(engine, tmp_path)
    other = compile_criteria(
        load_criteria(without, {"overdueAmount": {"min": "1"}}), ledger_for(TODAY)
    )
    with engine.connect() as conn:
        assert match_counts(conn, {1: compiled.condition, 2: other.condition}) == {1: 0, 2: 1}


def test_a_predicate_that_raises_is_a_problem_of_its_alerts_only() -> None:
    def broken(answer: bool, ledger: Ledger) -> Any:
        raise KeyError("no such column")

    criterion = Criterion("broken", "B", "D", Scope.CUSTOMER, YES_NO, predicate_fn=broken)
    registry = load_registry([plugin("p", lambda: [criterion])])
    parsed = parse_criteria(registry, {"broken": True})
    compiled = compile_criteria(parsed, ledger_for(TODAY))
    assert compiled.problems and "criterion 'broken' failed: KeyError" in compiled.problems[0]
    fine = compile_criteria(parse_criteria(registry, {"blocked": True}), ledger_for(TODAY))
    assert fine.problems == ()


def test_a_validator_that_raises_is_a_validation_error() -> None:
    class Fragile:
        id = KindId.AMOUNT
        name = "fragile"
        input_type = AMOUNT.input_type
        to_json = AMOUNT.to_json
        predicate = AMOUNT.predicate
        example = AMOUNT.example

        def parse(self, raw: Any, field: str) -> Any:
            return raw["min"] + 1  # TypeError on a string

    criterion = Criterion("fragile", "F", "D", Scope.CUSTOMER, Fragile(), value=lambda t: t.today)
    registry = load_registry([plugin("p", lambda: [criterion])])
    with pytest.raises(UserInputError) as caught:
        parse_criteria(registry, {"fragile": {"min": "1"}, "blocked": "yes"})
    fields = [(p.code.value, p.field) for p in caught.value.problems]
    assert fields == [("VALIDATION", "criteria.fragile"), ("VALIDATION", "criteria.blocked")]


# -- helpers -----------------------------------------------------------------------------


def _ledger(engine: Engine, tmp_path: Path) -> None:
    (tmp_path / "c.csv").write_text("account_number,name\nA1,Acme\nB2,Bravo\n")
    (tmp_path / "i.csv").write_text(
        "account_number,document_number,type,due_date,open_amount\nA1,F1,INVOICE,2026-01-01,100\n"
    )
    import_ledger(
        engine, today=TODAY, customers_file=tmp_path / "c.csv", items_file=tmp_path / "i.csv"
    )


def _count(engine: Engine, registry: CriteriaRegistry, criteria: dict[str, Any]) -> int:
    compiled = compile_criteria(parse_criteria(registry, criteria), ledger_for(TODAY))
    assert compiled.problems == ()
    with engine.connect() as conn:
        return match_counts(conn, {1: compiled.condition})[1]


# -- what a form needs: example, unit, fixed values ----------------------------------------


def amount(key: str, **form: Any) -> Criterion:
    return Criterion(
        key, "An amount", "D", Scope.CUSTOMER, AMOUNT,
        value=lambda t: t.figures.c.overdue_amount, **form,
    )  # fmt: skip


def test_a_criterion_sets_its_example_and_unit_or_takes_its_kinds() -> None:
    plain, own = amount("plain"), amount("own", example={"min": "0.01"}, unit="k€")
    assert plain.example_input() == AMOUNT.example(()) and plain.unit_in("CHF") == "CHF"
    assert (own.example_input(), own.unit_in("CHF")) == ({"min": "0.01"}, "k€")
    # CURRENCY stands for the company currency, for a number of a kind of one's own.
    counted = Criterion(
        "n", "N", "D", Scope.CUSTOMER, YES_NO, value=lambda t: literal(True), unit=CURRENCY
    )
    assert counted.unit_in("EUR") == "EUR"
    assert flag("yes").unit_in("EUR") is None


def test_a_fixed_list_is_its_values_in_order_and_queries_nothing(engine: Engine) -> None:
    sizes = Criterion(
        "size", "Size", "D", Scope.CUSTOMER, VALUE_LIST,
        value=lambda t: t.customers.c.status, values=["small", "medium", "large"],
    )  # fmt: skip
    assert sizes.values == ("small", "medium", "large")  # frozen, like the criterion
    assert sizes.listed_values({"size": ["ignored"]}) == ["small", "medium", "large"]
    assert sizes.example_input(sizes.listed_values({}) or ()) == {"op": "IS", "values": ["small"]}
    registry = load_registry([plugin("sizes", lambda: [sizes])])
    assert registry.failures == []
    with engine.connect() as conn:
        listed = known_values(conn, registry, ledger_for(TODAY))
    assert "size" not in listed and "status" in listed


def test_bad_examples_units_and_values_are_recorded_and_skipped() -> None:
    def register() -> list[Criterion]:
        return [
            amount("invalidExample", example={"min": "a lot"}),
            amount("notJson", example={"min": Decimal("1")}),
            amount("emptyExample", example={}),
            amount("numericUnit", unit=5),
            amount("fine", example={"max": "0"}),
        ]

    registry = load_registry([plugin("careless", register)])
    assert "fine" in registry.criteria
    invalid, not_json, empty, unit = messages(registry, "careless")
    assert "'invalidExample': its example {'min': 'a lot'} is not a valid input" in invalid
    assert "criteria.invalidExample.min must be a number" in invalid
    assert "'notJson'" in not_json and "is not JSON" in not_json
    assert "'emptyExample'" in empty and "needs min, max or both" in empty
    assert "'numericUnit': its unit is 5, not a text" in unit

    with pytest.raises(TypeError, match="values= is a sequence of texts"):
        amount("oneText", values="small")
    registry = load_registry([plugin("texts", lambda: [amount("numbers", values=[1, 2])])])
    (message,) = messages(registry, "texts")
    assert "register_criteria raised" in message and "values= is a sequence of texts" in message
