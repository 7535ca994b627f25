"""Sorting and paging customers (SPEC §8), through HTTP on both databases: every order,
both directions, walked forwards and backwards, against a plain-Python sort of the same
ledger (tests/oracle.py), with exact `pageInfo` flags on every page."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.oracle import fold, sort_by, text
from tests.paging_ledger import Shop, walk

pytest_plugins = ("tests.paging_ledger",)

CUSTOMERS = """
query Sorted($first: Int, $after: String, $last: Int, $before: String,
             $orderBy: [CustomerOrder!], $search: String) {
  customers(first: $first, after: $after, last: $last, before: $before, orderBy: $orderBy,
            search: $search) {
    totalCount
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges { cursor node { accountNumber } }
  }
}
"""
FIGURES = {
    "OUTSTANDING_AMOUNT": "outstandingAmount", "OVERDUE_AMOUNT": "overdueAmount",
    "NOT_DUE_AMOUNT": "notDueAmount", "DISPUTED_AMOUNT": "disputedAmount",
    "UNCOVERED_AMOUNT": "uncoveredAmount", "CREDIT_LIMIT_EXCESS": "creditLimitExcess",
    "DAYS_OVERDUE": "daysOverdue", "LAST_REMINDER_DATE": "lastReminderDate",
}  # fmt: skip
FIELDS = ["ACCOUNT_NUMBER", "NAME", *FIGURES, "LAST_PAYMENT_DATE"]


def value_of(shop: Shop, field: str) -> tuple[Callable[[str], Any], str]:
    """What a field sorts an account by, and where its empty value goes (§8)."""
    oracle = shop.oracle
    if field == "ACCOUNT_NUMBER":
        return (lambda a: a), "last"
    if field == "NAME":
        return (lambda a: None if text(oracle.customers[a].name) is None
                else fold(text(oracle.customers[a].name) or "")), "last"  # fmt: skip
    if field == "LAST_PAYMENT_DATE":
        return (lambda a: oracle.customers[a].last_payment_date), "oldest"
    figure = FIGURES[field]
    return (lambda a: getattr(oracle.figures[a], figure)), "oldest"


def expected(shop: Shop, orders: list[tuple[str, str]]) -> list[str]:
    keys = []
    for field, direction in orders:
        value, empty = value_of(shop, field)
        keys.append((value, direction == "DESC", empty))
    return sort_by(shop.oracle.customers, keys, ties=lambda a: a)


def accounts(nodes: list[dict[str, Any]]) -> list[str]:
    return [node["accountNumber"] for node in nodes]


@pytest.mark.parametrize("direction", ["ASC", "DESC"])
@pytest.mark.parametrize("field", FIELDS)
def test_every_order_walked_both_ways_is_the_plain_python_sort(
    shop: Shop, field: str, direction: str
) -> None:
    order = [{"field": field, "direction": direction}]
    want = expected(shop, [(field, direction)])
    for forward in (True, False):
        nodes, _ = walk(shop, ["customers"], CUSTOMERS, {"orderBy": order}, 7, forward)
        assert accounts(nodes) == want, (field, direction, forward)


def test_ties_fall_back_to_ascending_account_number_whatever_the_direction(shop: Shop) -> None:
    # Many customers have nothing overdue: that tie is broken by account number, also in DESC.
    oracle = shop.oracle
    zero = sorted(a for a in oracle.customers if oracle.figures[a].overdueAmount == 0)
    assert len(zero) > 7
    nodes, _ = walk(shop, ["customers"], CUSTOMERS,
                    {"orderBy": [{"field": "OVERDUE_AMOUNT", "direction": "DESC"}]}, 5, True)
    listed = [a for a in accounts(nodes) if a in zero]
    assert listed == zero


def test_empty_dates_are_infinitely_old_and_empty_names_last(shop: Shop) -> None:
    oracle = shop.oracle
    never = sorted(a for a, f in oracle.figures.items() if f.lastReminderDate is None)
    nameless = sorted(a for a, c in oracle.customers.items() if text(c.name) is None)
    assert never and nameless
    for direction, where in (("ASC", slice(0, len(never))), ("DESC", slice(-len(never), None))):
        order = [{"field": "LAST_REMINDER_DATE", "direction": direction}]
        nodes, _ = walk(shop, ["customers"], CUSTOMERS, {"orderBy": order}, 50, True)
        assert accounts(nodes)[where] == never, direction
    for direction in ("ASC", "DESC"):
        order = [{"field": "NAME", "direction": direction}]
        nodes, _ = walk(shop, ["customers"], CUSTOMERS, {"orderBy": order}, 50, True)
        assert accounts(nodes)[-len(nameless):] == nameless, direction


def test_name_ignores_case_and_accents(shop: Shop) -> None:
    names = {a: shop.oracle.customers[a].name for a in shop.oracle.customers}
    nodes, _ = walk(shop, ["customers"], CUSTOMERS,
                    {"orderBy": [{"field": "NAME"}]}, 100, True)  # direction: ASC by default
    order = [names[a] for a in accounts(nodes)]
    assert order.index("alpha") < order.index("Ångström") < order.index("Beta")
    assert order.index("Straße AG") < order.index("zebra")


@pytest.mark.parametrize(
    "orders",
    [
        [("LAST_REMINDER_DATE", "ASC"), ("OVERDUE_AMOUNT", "DESC")],
        [("DAYS_OVERDUE", "DESC"), ("NAME", "ASC")],
        [("NAME", "DESC"), ("LAST_PAYMENT_DATE", "DESC")],
        [("DISPUTED_AMOUNT", "ASC"), ("ACCOUNT_NUMBER", "DESC")],
    ],
    ids=str,
)
def test_two_keys_apply_in_turn(shop: Shop, orders: list[tuple[str, str]]) -> None:
    order = [{"field": f, "direction": d} for f, d in orders]
    for forward in (True, False):
        nodes, _ = walk(shop, ["customers"], CUSTOMERS, {"orderBy": order}, 6, forward)
        assert accounts(nodes) == expected(shop, orders), forward


def test_a_sorted_search_pages_both_ways(shop: Shop) -> None:
    variables = {"orderBy": [{"field": "NAME", "direction": "DESC"}], "search": "e"}
    want = [a for a in expected(shop, [("NAME", "DESC")])
            if a in shop.oracle.searched_customers("e")]  # fmt: skip
    for forward in (True, False):
        nodes, _ = walk(shop, ["customers"], CUSTOMERS, variables, 4, forward)
        assert accounts(nodes) == want


def test_pages_between_two_cursors(shop: Shop) -> None:
    order = {"orderBy": [{"field": "OUTSTANDING_AMOUNT", "direction": "DESC"}]}
    want = expected(shop, [("OUTSTANDING_AMOUNT", "DESC")])
    first = shop.data(CUSTOMERS, order | {"first": 20})["customers"]
    cursors = [e["cursor"] for e in first["edges"]]
    # The 5th to the 15th, asked from either end.
    for paging in ({"first": 3, "after": cursors[4], "before": cursors[15]},
                   {"last": 3, "after": cursors[4], "before": cursors[15]}):  # fmt: skip
        page = shop.data(CUSTOMERS, order | paging)["customers"]
        got = accounts([e["node"] for e in page["edges"]])
        assert got == (want[5:8] if "first" in paging else want[12:15]), paging
        assert page["pageInfo"]["hasPreviousPage"] and page["pageInfo"]["hasNextPage"]


def test_the_last_page_asked_backwards_without_a_cursor(shop: Shop) -> None:
    page = shop.data(CUSTOMERS, {"last": 4})["customers"]
    assert accounts([e["node"] for e in page["edges"]]) == sorted(shop.oracle.customers)[-4:]
    assert page["pageInfo"]["hasPreviousPage"] and not page["pageInfo"]["hasNextPage"]


def test_the_default_page_is_the_first_50(shop: Shop) -> None:
    page = shop.data(CUSTOMERS)["customers"]
    assert accounts([e["node"] for e in page["edges"]]) == sorted(shop.oracle.customers)
    assert not page["pageInfo"]["hasPreviousPage"] and not page["pageInfo"]["hasNextPage"]


def test_an_empty_page_after_the_last_cursor_knows_what_precedes_it(shop: Shop) -> None:
    last = shop.data(CUSTOMERS, {"last": 1})["customers"]["pageInfo"]["endCursor"]
    page = shop.data(CUSTOMERS, {"first": 5, "after": last})["customers"]
    assert page["edges"] == []
    assert page["pageInfo"] == {"hasNextPage": False, "hasPreviousPage": True,
                                "startCursor": None, "endCursor": None}  # fmt: skip


@pytest.mark.parametrize(
    ("variables", "field", "words"),
    [
        ({"first": 2, "last": 2}, "last", "not both"),
        ({"first": 501}, "first", "500"),
        ({"last": 501}, "last", "500"),
        ({"last": -1}, "last", "500"),
        ({"after": "bm90IGEgY3Vyc29y"}, "after", "not a cursor"),
        ({"before": "%%%"}, "before", "not a cursor"),
    ],
    ids=str,
)
def test_bad_paging_is_a_validation_error_naming_the_argument(
    shop: Shop, variables: dict[str, Any], field: str, words: str
) -> None:
    error = shop.error(CUSTOMERS, variables)
    assert error["extensions"]["code"] == "VALIDATION", error
    assert error["extensions"]["field"] == field, error
    assert words in error["message"], error


def test_a_cursor_of_another_order_is_refused(shop: Shop) -> None:
    by_name = {"orderBy": [{"field": "NAME"}], "first": 2}
    cursor = shop.data(CUSTOMERS, by_name)["customers"]["pageInfo"]["endCursor"]
    error = shop.error(CUSTOMERS, {"first": 2, "after": cursor})
    assert (error["extensions"]["code"], error["extensions"]["field"]) == ("VALIDATION", "after")


def test_an_alert_s_customers_page_both_ways(shop: Shop) -> None:
    created = shop.data(
        """mutation { createAlert(input: {name: "late", criteria: {overdueAmount: {min: 1}}}) {
             alert { id } errors { message } } }"""
    )["createAlert"]
    assert created["errors"] == []
    query = """query A($id: ID!, $first: Int, $after: String, $last: Int, $before: String) {
      alert(id: $id) { customers(first: $first, after: $after, last: $last, before: $before) {
        totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
        edges { cursor node { accountNumber } } } } }"""
    oracle = shop.oracle
    want = sorted(oracle.matches({"overdueAmount": {"min": 1}}))
    variables = {"id": created["alert"]["id"]}
    for forward in (True, False):
        nodes, _ = walk(shop, ["alert", "customers"], query, variables, 3, forward)
        assert accounts(nodes) == want
