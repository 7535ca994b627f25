"""Searching items (SPEC §8), through HTTP on both databases: `Query.items` against the
plain-Python oracle (criteria item by item, search), its orders walked both ways,
`Customer.items` with and without criteria, `Item.customer`, `ItemType`."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import event

from tests.oracle import sort_by
from tests.paging_ledger import Shop, walk

pytest_plugins = ("tests.paging_ledger",)

ITEMS = """
query Items($first: Int, $after: String, $last: Int, $before: String, $where: CriteriaInput,
            $search: String, $orderBy: [ItemOrder!]) {
  items(first: $first, after: $after, last: $last, before: $before, where: $where,
        search: $search, orderBy: $orderBy) {
    totalCount
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges { cursor node { documentNumber type customer { accountNumber } } }
  }
}
"""
CUSTOMER_ITEMS = """
query Of($account: String!, $first: Int, $after: String, $last: Int, $before: String,
         $where: CriteriaInput, $orderBy: [ItemOrder!]) {
  customer(accountNumber: $account) {
    items(first: $first, after: $after, last: $last, before: $before, where: $where,
          orderBy: $orderBy) {
      totalCount
      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
      edges { cursor node { documentNumber customer { accountNumber } } }
    }
  }
}
"""
CRITERIA: list[dict[str, Any]] = [
    {"itemOverdue": True},
    {"itemOverdue": True, "itemDisputed": False, "lastReminderDate": {"olderThanDays": 10}},
    {"itemType": {"values": ["INVOICE", "OTHER"]}, "itemOpenAmount": {"min": "500"}},
    {"itemDueDate": {"olderThanDays": 20}},
    {"overdueAmount": {"min": "1000"}},
    {"country": {"op": "IS_NOT", "values": ["FR"]}, "itemIgnoredInCollection": False},
]
FIELDS = ["DUE_DATE", "DOCUMENT_DATE", "OPEN_AMOUNT", "AMOUNT", "ACCOUNT_NUMBER", "DOCUMENT_NUMBER"]


def keys(nodes: list[dict[str, Any]]) -> list[tuple[str, str]]:
    return [(n["customer"]["accountNumber"], n["documentNumber"]) for n in nodes]


def item_sort(shop: Shop, wanted: set[tuple[str, str]], orders: list[tuple[str, str]]) -> list:
    """The plain-Python order of SPEC §8: each key in turn (an empty date is infinitely old,
    an empty amount last), then account number, then document number."""
    found = [i for items in shop.oracle.items.values() for i in items
             if (i.account, i.document) in wanted]  # fmt: skip
    values = {
        "DUE_DATE": (lambda i: i.due_date, "oldest"),
        "DOCUMENT_DATE": (lambda i: i.document_date, "oldest"),
        "OPEN_AMOUNT": (lambda i: i.open_amount, "last"),
        "AMOUNT": (lambda i: i.amount, "last"),
        "ACCOUNT_NUMBER": (lambda i: i.account, "last"),
        "DOCUMENT_NUMBER": (lambda i: i.document, "last"),
    }
    sort_keys = [(values[f][0], d == "DESC", values[f][1]) for f, d in orders]
    ordered = sort_by(found, sort_keys, ties=lambda i: (i.account, i.document))
    return [(i.account, i.document) for i in ordered]


@pytest.mark.parametrize("criteria", CRITERIA, ids=str)
def test_items_meet_the_criteria_item_by_item(shop: Shop, criteria: dict[str, Any]) -> None:
    nodes, total = walk(shop, ["items"], ITEMS, {"where": criteria}, 25, True)
    want = item_sort(shop, shop.oracle.searched_items(criteria), [("DUE_DATE", "ASC")])
    assert keys(nodes) == want
    assert total == len(want)


@pytest.mark.parametrize("search", ["dé", "DE-1", "k0", "hotel", "SOCIETE", "ß", "  ", "%", "_"])
def test_search_finds_document_account_or_name(shop: Shop, search: str) -> None:
    nodes, _ = walk(shop, ["items"], ITEMS, {"search": search}, 40, True)
    assert set(keys(nodes)) == shop.oracle.searched_items(None, search), search


def test_search_and_criteria_combine(shop: Shop) -> None:
    variables = {"search": "e", "where": {"itemOverdue": True}}
    nodes, _ = walk(shop, ["items"], ITEMS, variables, 10, False)
    assert set(keys(nodes)) == shop.oracle.searched_items({"itemOverdue": True}, "e")


@pytest.mark.parametrize("direction", ["ASC", "DESC"])
@pytest.mark.parametrize("field", FIELDS)
def test_every_item_order_walked_both_ways(shop: Shop, field: str, direction: str) -> None:
    want = item_sort(shop, shop.oracle.searched_items(), [(field, direction)])
    order = {"orderBy": [{"field": field, "direction": direction}]}
    for forward in (True, False):
        nodes, _ = walk(shop, ["items"], ITEMS, order, 17, forward)
        assert keys(nodes) == want, (field, direction, forward)


def test_two_item_keys(shop: Shop) -> None:
    orders = [("DOCUMENT_DATE", "DESC"), ("OPEN_AMOUNT", "ASC")]
    want = item_sort(shop, shop.oracle.searched_items(), orders)
    order = {"orderBy": [{"field": f, "direction": d} for f, d in orders]}
    for forward in (True, False):
        nodes, _ = walk(shop, ["items"], ITEMS, order, 9, forward)
        assert keys(nodes) == want


def busiest(shop: Shop) -> str:
    return max(shop.oracle.items, key=lambda a: (len(shop.oracle.items[a]), a))


def test_a_customer_s_items_are_all_of_them_open_or_not(shop: Shop) -> None:
    account = busiest(shop)
    everything = {(account, i.document) for i in shop.oracle.items[account]}
    assert any(i.open_amount == 0 for i in shop.oracle.items[account]) or len(everything) > 3
    for forward in (True, False):
        nodes, _ = walk(shop, ["customer", "items"], CUSTOMER_ITEMS, {"account": account}, 2,
                        forward)  # fmt: skip
        assert keys(nodes) == item_sort(shop, everything, [("DUE_DATE", "ASC")])


def test_a_customer_s_items_with_item_criteria_and_an_order(shop: Shop) -> None:
    criteria = {"itemOverdue": False}
    for account in shop.oracle.items:
        wanted = {k for k in shop.oracle.searched_items(criteria) if k[0] == account}
        variables = {"account": account, "where": criteria,
                     "orderBy": [{"field": "OPEN_AMOUNT", "direction": "DESC"}]}  # fmt: skip
        nodes, _ = walk(shop, ["customer", "items"], CUSTOMER_ITEMS, variables, 2, False)
        assert keys(nodes) == item_sort(shop, wanted, [("OPEN_AMOUNT", "DESC")]), account


def test_every_customer_s_first_items_in_one_page(shop: Shop) -> None:
    query = """query($after: String) { customers(first: 50) { edges { node { accountNumber
      items(first: 2, after: $after, orderBy: [{field: DOCUMENT_NUMBER, direction: DESC}]) {
        totalCount pageInfo { hasNextPage hasPreviousPage }
        edges { node { documentNumber } } } } } } }"""
    for edge in shop.data(query)["customers"]["edges"]:
        node = edge["node"]
        account = node["accountNumber"]
        everything = {(account, i.document) for i in shop.oracle.items[account]}
        want = item_sort(shop, everything, [("DOCUMENT_NUMBER", "DESC")])
        got = [(account, e["node"]["documentNumber"]) for e in node["items"]["edges"]]
        assert got == want[:2], account
        assert node["items"]["totalCount"] == len(want)
        assert node["items"]["pageInfo"] == {"hasNextPage": len(want) > 2,
                                             "hasPreviousPage": False}  # fmt: skip


def test_a_customer_criterion_in_customer_items_is_refused(shop: Shop) -> None:
    where = {"overdueAmount": {"min": 1}, "itemOverdue": True}
    error = shop.error(CUSTOMER_ITEMS, {"account": busiest(shop), "where": where})
    assert error["extensions"]["code"] == "VALIDATION", error
    assert error["extensions"]["field"] == "where.overdueAmount", error


@pytest.mark.parametrize(
    ("variables", "field"),
    [({"first": 1, "last": 1}, "last"), ({"first": 501}, "first"), ({"after": "eyJ4IjoxfQ=="},
     "after"), ({"where": {}}, "where")],
    ids=str,
)
def test_bad_item_arguments(shop: Shop, variables: dict[str, Any], field: str) -> None:
    error = shop.error(ITEMS, variables)
    assert (error["extensions"]["code"], error["extensions"]["field"]) == ("VALIDATION", field)


def test_an_item_cursor_is_not_a_customer_cursor(shop: Shop) -> None:
    cursor = shop.data(ITEMS, {"first": 1})["items"]["pageInfo"]["endCursor"]
    error = shop.error("query($c: String) { customers(after: $c) { totalCount } }", {"c": cursor})
    assert (error["extensions"]["code"], error["extensions"]["field"]) == ("VALIDATION", "after")


def test_item_type_is_an_enum(shop: Shop) -> None:
    kind = shop.data('{ __type(name: "ItemType") { kind enumValues { name } } }')["__type"]
    assert kind == {"kind": "ENUM", "enumValues": [
        {"name": "INVOICE"}, {"name": "CREDIT_NOTE"}, {"name": "PAYMENT"}, {"name": "OTHER"}]}
    nodes, _ = walk(shop, ["items"], ITEMS, {}, 200, True)
    types = {(n["customer"]["accountNumber"], n["documentNumber"]): n["type"] for n in nodes}
    for account, items in shop.oracle.items.items():
        for item in items:
            if item.open_amount:
                assert types[account, item.document] == item.type


def test_item_customer_costs_no_statement_per_item(shop: Shop, engine: Any) -> None:
    query = """query($n: Int) { items(first: $n) { edges { node { documentNumber
      customer { accountNumber overdueAmount bell { count } } } } } }"""
    shop.data(query, {"n": 1})  # the first request also reads the viewer's alerts
    counts = []
    statements: list[str] = []

    def count(*args: Any) -> None:
        statements.append(args[2])

    for size in (3, 60):
        statements.clear()
        event.listen(engine, "before_cursor_execute", count)
        try:
            data = shop.data(query, {"n": size})
        finally:
            event.remove(engine, "before_cursor_execute", count)
        assert len(data["items"]["edges"]) == size
        counts.append(len(statements))
    assert counts[0] == counts[1], counts
