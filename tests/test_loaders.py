"""A page primes the request's loaders; a resolver that asks for a customer no page showed
fails loudly instead of quietly costing a statement per customer."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import Engine, select

from graphql_api.alerts import AlertInput, create_alert
from graphql_api.database import write_transaction
from graphql_api.item_queries import ItemsAsked, item_order
from graphql_api.keyset import Window
from graphql_api.loaders import CustomerPage, Loader, NotPrimed
from graphql_api.plugins import CriteriaRegistry
from graphql_api.request_context import RequestContext
from graphql_api.storage import customers
from graphql_api.users import Role, add_user, authenticate
from tests.conftest import TODAY
from tests.ledger_builder import Customer, Item, Reminder, ago, load_ledger


def test_a_loader_loads_every_primed_customer_in_one_call() -> None:
    page = CustomerPage()
    calls: list[list[int]] = []

    def load(ids: list[int]) -> dict[int, str]:
        calls.append(ids)
        return {i: f"value {i}" for i in ids}

    loader: Loader[str] = Loader("thing", page, load)
    page.show([3, 1, 2])
    assert [loader.get(1), loader.get(2), loader.get(3)] == ["value 1", "value 2", "value 3"]
    assert calls == [[3, 1, 2]]
    page.show([4])  # a second page: only what is new is loaded
    assert loader.get(4) == "value 4"
    assert calls == [[3, 1, 2], [4]]


def test_a_loader_refuses_a_customer_no_page_showed() -> None:
    page = CustomerPage()
    loader: Loader[str] = Loader("bell", page, lambda ids: {i: "x" for i in ids})
    page.show([1])
    with pytest.raises(NotPrimed, match="the bell of customer 2 was asked for"):
        loader.get(2)


def test_the_request_context_batches_bells_and_reminders_of_a_page(
    engine: Engine, registry: CriteriaRegistry
) -> None:
    load_ledger(
        engine,
        [Customer("C1"), Customer("C2"), Customer("C3")],
        [
            Item("C1", "D1", Decimal("100"), due_date=ago(30)),
            Item("C2", "D2", Decimal("50"), due_date=ago(-10)),
        ],
        [Reminder("C2", ago(3))],
    )
    with write_transaction(engine) as conn:
        token = add_user(conn, "alice", Role.USER)
        alice = authenticate(conn, token)
        assert alice is not None
        overdue = create_alert(
            conn, registry, alice,
            AlertInput(name="Overdue", criteria={"overdueAmount": {"min": "1"}}),
        )  # fmt: skip
    with engine.connect() as conn:
        ids = dict(conn.execute(select(customers.c.account_number, customers.c.id)).all())
    with RequestContext(engine, registry, alice, today=TODAY) as context:
        context.show_customers([ids["C1"], ids["C2"]])
        assert context.alerts.bells.get(ids["C1"]).alert_ids == [overdue.id]
        assert context.alerts.bells.get(ids["C2"]).alert_ids == []
        assert [r.date for r in context.reminders.get(ids["C2"])] == [ago(3)]
        with pytest.raises(NotPrimed):
            context.alerts.bells.get(ids["C3"])
        order = item_order()
        with pytest.raises(NotPrimed):
            context.items(ids["C3"], ItemsAsked(order, order.signature, Window(10)))
        with pytest.raises(NotPrimed):
            context.customer_rows.get(ids["C3"])
