"""The example plugin's own tests, on a minimal SQLite database: `pytest` in this folder."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import dso_alerts_credit
import pytest
from sqlalchemy import Engine

from graphql_api.criteria import parse_criteria
from graphql_api.customer_queries import customer_page
from graphql_api.errors import UserInputError
from graphql_api.evaluation import compile_criteria, ledger_for
from graphql_api.ledger_import import import_ledger
from graphql_api.plugins import CriteriaRegistry, load_registry
from graphql_api.storage import create_db_engine, migrate

TODAY = date(2026, 11, 23)

CUSTOMERS = """\
account_number,name,credit_limit,segment
A1,Fully used,1000,SME
A2,Half used,1000,Large
A3,No limit,,SME
A4,Zero limit,0,
"""
ITEMS = """\
account_number,document_number,type,due_date,open_amount
A1,F1,INVOICE,2026-12-01,1000
A2,F2,INVOICE,2026-12-01,500
A3,F3,INVOICE,2026-12-01,700
A4,F4,INVOICE,2026-12-01,100
"""


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    engine = create_db_engine(f"sqlite:///{tmp_path / 'test.db'}")
    migrate(engine)
    (tmp_path / "customers.csv").write_text(CUSTOMERS, encoding="utf-8")
    (tmp_path / "items.csv").write_text(ITEMS, encoding="utf-8")
    import_ledger(
        engine,
        today=TODAY,
        customers_file=tmp_path / "customers.csv",
        items_file=tmp_path / "items.csv",
    )
    yield engine
    engine.dispose()


@pytest.fixture(scope="module")
def registry() -> CriteriaRegistry:
    # Registered by hand, so these tests run without installing the package too.
    return load_registry([dso_alerts_credit])


def matching(engine: Engine, registry: CriteriaRegistry, criteria: dict[str, Any]) -> list[str]:
    compiled = compile_criteria(parse_criteria(registry, criteria), ledger_for(TODAY))
    assert compiled.problems == ()
    with engine.connect() as conn:
        rows, _ = customer_page(conn, [compiled.condition], None, 100)
    return [row.account_number for row in rows]


def test_utilisation(engine: Engine, registry: CriteriaRegistry) -> None:
    assert matching(engine, registry, {"creditLimitUtilisation": {"min": 80}}) == ["A1"]
    assert matching(engine, registry, {"creditLimitUtilisation": {"max": 50}}) == ["A2"]


def test_accounts_without_a_limit_never_match(engine: Engine, registry: CriteriaRegistry) -> None:
    any_utilisation = {"creditLimitUtilisation": {"min": -1_000_000, "max": 1_000_000}}
    assert matching(engine, registry, any_utilisation) == ["A1", "A2"]


def test_attribute(engine: Engine, registry: CriteriaRegistry) -> None:
    assert matching(engine, registry, {"attribute": {"name": "segment", "values": ["SME"]}}) == [
        "A1",
        "A3",
    ]
    # A4 has no segment: it is none of the values.
    criteria = {"attribute": {"name": "segment", "op": "IS_NOT", "values": ["SME"]}}
    assert matching(engine, registry, criteria) == ["A2", "A4"]


def test_described_for_a_form(engine: Engine, registry: CriteriaRegistry) -> None:
    """What the `criteria` query tells a form: the unit, and an example it may send back."""
    utilisation = registry.criteria["creditLimitUtilisation"]
    assert utilisation.unit_in("EUR") == "%"
    assert utilisation.example_input() == {"min": 80}
    assert matching(engine, registry, {"creditLimitUtilisation": utilisation.example_input()}) == [
        "A1"
    ]
    attribute = registry.criteria["attribute"]
    assert attribute.unit_in("EUR") is None
    assert matching(engine, registry, {"attribute": attribute.example_input()}) == ["A1", "A3"]


def test_bad_input_names_the_field(registry: CriteriaRegistry) -> None:
    with pytest.raises(UserInputError) as caught:
        parse_criteria(registry, {"attribute": {"name": " ", "values": ["SME"]}})
    assert caught.value.problems[0].field == "criteria.attribute.name"


def test_found_through_the_entry_point_once_installed() -> None:
    if "credit" not in {p.name for p in load_registry(load_entry_points=True).plugins}:
        pytest.skip("not installed: pip install -e . first")
    assert "creditLimitUtilisation" in load_registry().criteria
