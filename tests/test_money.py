"""Money (graphql_api/money.py): integer cents on both databases, and SQL arithmetic on money
that keeps its unit, so an expression reads the same amount on SQLite and PostgreSQL; the
migration that moves an existing PostgreSQL database to cents keeps every amount."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import Engine, func, inspect, select, text
from sqlalchemy.sql import ColumnElement

from graphql_api.criteria import Criterion, Ledger, Scope
from graphql_api.criterion_kinds import AMOUNT
from graphql_api.database import create_db_engine, migrate
from graphql_api.hookspecs import hookimpl
from graphql_api.money import MAX_AMOUNT, PLAIN_AMOUNT, from_cents, plain_cents, to_cents
from graphql_api.plugins import load_registry
from graphql_api.storage import customers, items
from tests.conftest import DATABASES, own_postgresql_database
from tests.ledger_builder import Customer, Item, load_ledger, matches_of_many

D = Decimal
limit, guarantee, open_amount = (
    customers.c.credit_limit,
    customers.c.insurer_guarantee,
    items.c.open_amount,
)


def one(engine: Engine, expression: ColumnElement[Any], account: str = "A") -> Any:
    """The value of `expression` for the customer `account`."""
    query = select(expression).where(customers.c.account_number == account)
    with engine.connect() as conn:
        return conn.execute(query).scalar_one()


def test_money_times_a_number_is_money(engine: Engine) -> None:
    load_ledger(engine, [Customer("A", credit_limit=D("1429.00"))])
    assert one(engine, limit * 100) == D("142900.00")
    assert one(engine, 100 * limit) == D("142900.00")
    assert one(engine, limit * D("1.5")) == D("2143.50")
    assert one(engine, D("0.5") * limit) == D("714.50")
    assert one(engine, limit / 4) == D("357.25")
    assert one(engine, limit / D("0.5")) == D("2858.00")


def test_money_plus_and_minus_money_is_money(engine: Engine) -> None:
    load_ledger(engine, [Customer("A", credit_limit=D("1429.00"), insurer_guarantee=D("-0.05"))])
    assert one(engine, limit + guarantee) == D("1428.95")
    assert one(engine, limit - guarantee) == D("1429.05")
    assert one(engine, -guarantee) == D("0.05")
    assert one(engine, limit + D("0.01")) == D("1429.01")  # a Python number is an amount
    assert one(engine, limit - 1) == D("1428.00")


def test_sums_of_money_are_money_with_negative_amounts(engine: Engine) -> None:
    load_ledger(
        engine,
        [Customer("A")],
        [
            Item("A", "INV", D("1000.10")),
            Item("A", "CN", D("-250.35"), type="CREDIT_NOTE"),
            Item("A", "PAY", D("-0.01"), type="PAYMENT"),
        ],
    )
    query = select(func.sum(open_amount), func.min(open_amount), func.sum(open_amount) * 2)
    with engine.connect() as conn:
        assert tuple(conn.execute(query).one()) == (D("749.74"), D("-250.35"), D("1499.48"))


def test_a_ratio_of_money_is_a_plain_number(engine: Engine) -> None:
    load_ledger(engine, [Customer("A", credit_limit=D("1429.00"), insurer_guarantee=D("500"))])
    assert float(one(engine, limit / guarantee)) == pytest.approx(2.858)


def test_meaningless_money_arithmetic_is_refused_when_written() -> None:
    with pytest.raises(TypeError, match="multiply money by a plain number"):
        _ = limit * guarantee
    with pytest.raises(TypeError, match="cents or currency units"):
        _ = limit + customers.c.id


def test_comparisons_bind_amounts_as_cents(engine: Engine) -> None:
    load_ledger(
        engine,
        [Customer("cent", credit_limit=D("0.01")), Customer("minus", credit_limit=D("-0.01"))],
    )
    query = select(customers.c.account_number).where(limit >= D("0.01"), limit * 100 <= 1)
    with engine.connect() as conn:
        assert conn.execute(query).scalars().all() == ["cent"]
    with engine.connect() as conn, pytest.raises(Exception, match="more than two decimal places"):
        conn.execute(select(customers.c.id).where(limit >= D("0.001")))


def test_the_largest_amount_round_trips_and_scales(engine: Engine) -> None:
    load_ledger(
        engine,
        [Customer("A", credit_limit=MAX_AMOUNT, insurer_guarantee=-MAX_AMOUNT)],
        [Item("A", "ONE", MAX_AMOUNT), Item("A", "TWO", MAX_AMOUNT)],
    )
    assert one(engine, limit) == MAX_AMOUNT
    assert one(engine, guarantee) == -MAX_AMOUNT
    assert one(engine, limit * 100) == MAX_AMOUNT * 100
    assert one(engine, limit - guarantee) == 2 * MAX_AMOUNT
    with engine.connect() as conn:
        assert conn.execute(select(func.sum(open_amount))).scalar_one() == 2 * MAX_AMOUNT


class HundredfoldLimit:
    """A plugin whose criterion compares an arithmetic money expression."""

    @hookimpl
    def register_criteria(self) -> list[Criterion]:
        def value(t: Ledger) -> ColumnElement[Any]:
            return func.coalesce(t.customers.c.credit_limit, 0) * 100

        return [
            Criterion(
                "hundredfoldLimit", "Hundred times the credit limit", "For the money tests.",
                Scope.CUSTOMER, AMOUNT, value=value,
            )
        ]  # fmt: skip


def test_amount_criteria_on_money_expressions_round_bounds_inwards(engine: Engine) -> None:
    load_ledger(
        engine,
        [
            Customer("zero", credit_limit=D("0")),
            Customer("one-cent", credit_limit=D("0.01")),  # × 100 = 1.00
            Customer("minus-a-cent", credit_limit=D("-0.01")),  # × 100 = -1.00
        ],
    )
    registry = load_registry([HundredfoldLimit()])
    tiny, up_to_one, negative = matches_of_many(
        engine,
        registry,
        [
            {"hundredfoldLimit": {"min": "0.001"}},  # ⇔ ≥ 0.01
            {"hundredfoldLimit": {"max": "1.009"}},  # ⇔ ≤ 1.00
            {"hundredfoldLimit": {"max": "-0.999"}},  # ⇔ ≤ -1.00
        ],
    )
    assert tiny == {"one-cent"}
    assert up_to_one == {"zero", "one-cent", "minus-a-cent"}
    assert negative == {"minus-a-cent"}


@given(st.decimals(-MAX_AMOUNT, MAX_AMOUNT, places=2))
def test_the_encoding_of_plain_text_is_the_encoding_of_amounts(amount: Decimal) -> None:
    written = f"{amount:.2f}"
    assert PLAIN_AMOUNT.fullmatch(written)
    assert int(plain_cents(written)) == to_cents(amount)
    assert from_cents(to_cents(amount)) == amount


# -- the migration to cents (0003) -----------------------------------------------------------

AMOUNTS = [D("0.00"), D("0.01"), D("-0.01"), D("1429.00"), D("-250.35"), MAX_AMOUNT, -MAX_AMOUNT]


@pytest.fixture(params=DATABASES)
def empty_database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """A database of its own, with no schema yet."""
    if request.param == "sqlite":
        engine = create_db_engine(f"sqlite:///{tmp_path / 'old.db'}")
        yield engine
        engine.dispose()
        return
    with own_postgresql_database(request, "money") as url:
        engine = create_db_engine(url)
        try:
            yield engine
        finally:
            engine.dispose()


def test_the_migration_keeps_every_amount_written_before_it(empty_database: Engine) -> None:
    engine = empty_database
    migrate(engine, "0002")
    postgresql = engine.dialect.name == "postgresql"
    # As revision 0002 stored them: NUMERIC on PostgreSQL, cents on SQLite.
    stored: list[Any] = AMOUNTS if postgresql else [to_cents(a) for a in AMOUNTS]
    with engine.begin() as conn:
        for n, amount in enumerate(stored):
            conn.execute(
                text(
                    "INSERT INTO customers (account_number, blocked, credit_limit,"
                    " insurer_guarantee, attributes)"
                    " VALUES (:account, false, :amount, :minus, '{}')"
                ),
                {"account": f"C{n}", "amount": amount, "minus": -amount},
            )
            conn.execute(
                text(
                    "INSERT INTO items (customer_id, document_number, type, amount, open_amount,"
                    " disputed, ignored_in_collection) SELECT id, 'D', 'INVOICE', :amount,"
                    " :amount, false, false FROM customers WHERE account_number = :account"
                ),
                {"account": f"C{n}", "amount": amount},
            )

    migrate(engine)

    query = select(limit, guarantee, items.c.amount, open_amount).join_from(customers, items)
    with engine.connect() as conn:
        rows = conn.execute(query.order_by(customers.c.account_number)).all()
        column_types = {c["name"]: c["type"] for c in inspect(conn).get_columns("items")}
    assert [tuple(row) for row in rows] == [(a, -a, a, a) for a in AMOUNTS]
    assert str(column_types["open_amount"]) == "BIGINT"
