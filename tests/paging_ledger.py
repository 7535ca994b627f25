"""A ledger made to sort (SPEC §8): ties in every figure, empty names and dates, accents and
case in names, accounts whose code-point order differs from a locale's; and helpers that
walk a connection page by page, forwards or backwards, checking both `pageInfo` flags.

Test modules use it with `pytest_plugins = ("tests.paging_ledger",)` after importing from
it, so pytest cannot rewrite its asserts (PYTEST_DONT_REWRITE): each says what it checks.
"""

from __future__ import annotations

import random
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

with warnings.catch_warnings():
    warnings.filterwarnings("ignore", "Using `httpx` with `starlette.testclient`")
    from starlette.testclient import TestClient

from graphql_api.database import write_transaction
from graphql_api.plugins import CriteriaRegistry
from graphql_api.users import Role, add_user
from tests.conftest import TODAY
from tests.ledger_builder import Customer, Item, Reminder, ago, load_ledger
from tests.oracle import Oracle

NAMES = [
    "alpha", "Ångström", "Beta", "beta", "Éclair SA", "eclair sa", "Hôtel du Lac", "HOTEL IBIS",
    "SOCIÉTÉ Générale", "Société Lyonnaise", "Straße AG", "STRASSE GmbH", "Zoé", "zebra",
    "Ølstad", "Œuvre", "ﬁlature", "  ", None, None,
]  # fmt: skip
ACCOUNTS = [f"K{n:03d}" for n in range(1, 37)] + ["a100", "Z9", "k-7", "É12"]


def build_ledger(seed: int = 7) -> tuple[list[Customer], list[Item], list[Reminder]]:
    rnd = random.Random(seed)
    accounts = ACCOUNTS[:]
    rnd.shuffle(accounts)  # ids are given in this order, not in account order
    customers, items, reminders = [], [], []
    for n, account in enumerate(accounts):
        customers.append(Customer(
            account, name=NAMES[n % len(NAMES)],
            credit_limit=rnd.choice([None, Decimal(0), Decimal(5000), Decimal(20000)]),
            insurer_guarantee=rnd.choice([None, Decimal(1000), Decimal(10000)]),
            last_payment_date=rnd.choice([None, None, ago(10), ago(40), ago(rnd.randint(1, 200))]),
        ))  # fmt: skip
        for d in range(rnd.choice([0, 0, 1, 2, 3, 5])):
            amount = Decimal(rnd.choice([100, 250, 1000, -300, rnd.randint(1, 90000)]))
            items.append(Item(
                account, f"D-{n}-{d}" if d != 2 else f"Dé-{n}", amount,
                type=rnd.choice(["INVOICE", "INVOICE", "CREDIT_NOTE", "PAYMENT", "OTHER"]),
                document_date=rnd.choice([None, ago(rnd.randint(0, 300))]),
                due_date=rnd.choice([None, ago(30), ago(-20), ago(rnd.randint(-60, 300))]),
                amount=rnd.choice([None, amount, amount * 2]),
                disputed=rnd.random() < 0.2, ignored=rnd.random() < 0.1,
            ))  # fmt: skip
            if rnd.random() < 0.15:  # a settled item: in Customer.items, not in searches
                items.append(Item(account, f"S-{n}-{d}", Decimal(0), due_date=ago(5)))
        if rnd.random() < 0.4:
            reminders.append(Reminder(account, rnd.choice([ago(3), ago(3), ago(50)])))
    return customers, items, reminders


@dataclass
class Shop:
    client: TestClient
    token: str
    oracle: Oracle

    def post(self, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        response = self.client.post(
            "/graphql", json={"query": query, "variables": variables or {}},
            headers={"Authorization": f"Bearer {self.token}"},
        )  # fmt: skip
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    def data(self, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        body = self.post(query, variables)
        assert not body.get("errors"), body["errors"]
        return body["data"]  # type: ignore[no-any-return]

    def error(self, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        """The one error of a request that must fail."""
        body = self.post(query, variables)
        assert len(body.get("errors") or []) == 1, body
        return body["errors"][0]  # type: ignore[no-any-return]


@pytest.fixture
def shop(engine: Engine, registry: CriteriaRegistry, tmp_path: Path) -> Iterator[Shop]:
    from graphql_api.app import create_app

    customers, items, reminders = build_ledger()
    load_ledger(engine, customers, items, reminders)
    with write_transaction(engine) as conn:
        token = add_user(conn, "alice", Role.USER)
    with TestClient(create_app(engine, registry), raise_server_exceptions=False) as client:
        yield Shop(client, token, Oracle(customers, items, reminders, TODAY))


def walk(
    shop: Shop, path: list[str], query: str, variables: dict[str, Any], size: int, forward: bool
) -> tuple[list[dict[str, Any]], int]:
    """Every node of a connection (at `path` in the answer), walked `size` at a time forwards
    (`first`/`after`) or backwards (`last`/`before`), in the connection's order; checks that
    each page's flags and cursors are exact. The nodes and the totalCount."""
    pages: list[list[dict[str, Any]]] = []
    cursor = None
    total = None
    while True:
        paging = {"first": size, "after": cursor} if forward else {"last": size, "before": cursor}
        connection = shop.data(query, variables | paging)
        for key in path:
            connection = connection[key]
        info, edges = connection["pageInfo"], connection["edges"]
        total = connection["totalCount"]
        assert 0 < len(edges) <= size or (total == 0 and not edges), connection
        if edges:
            assert info["startCursor"] == edges[0]["cursor"], info
            assert info["endCursor"] == edges[-1]["cursor"], info
        pages.append([edge["node"] for edge in edges])
        more = info["hasNextPage"] if forward else info["hasPreviousPage"]
        behind = info["hasPreviousPage"] if forward else info["hasNextPage"]
        assert behind == (len(pages) > 1), (len(pages), info)  # exact, whichever the direction
        if not more:
            break
        assert len(edges) == size, info
        cursor = info["endCursor"] if forward else info["startCursor"]
    if not forward:
        pages.reverse()
    nodes = [node for page in pages for node in page]
    assert total == len(nodes), (total, len(nodes))
    return nodes, total
