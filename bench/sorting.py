"""Sorted pages of customers (SPEC §8) against unsorted ones, through HTTP: page 1, page 200
(or the last but one, on a smaller ledger) and the page before it asked backwards, by
`OVERDUE_AMOUNT DESC` and in the default account order. Target: a sorted page costs at
most 1.5× an unsorted one."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bench.config import PAGE

SORT_PAGE = """query SortPage($first: Int, $after: String, $last: Int, $before: String,
                         $orderBy: [CustomerOrder!]) {
  customers(first: $first, after: $after, last: $last, before: $before, orderBy: $orderBy) {
    edges { cursor node { accountNumber name outstandingAmount overdueAmount } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}"""
ORDERS: dict[str, list[dict[str, str]] | None] = {
    "unsorted": None,
    "overdue_desc": [{"field": "OVERDUE_AMOUNT", "direction": "DESC"}],
}
DEEP_PAGE = 200
ROUNDS = 7
TARGET = 1.5

Timed = Callable[[str, dict[str, Any]], tuple[float, dict[str, Any]]]


def _pages(gql: Timed, order: list[dict[str, str]] | None, customers: int) -> dict[str, Any]:
    """The three pages' variables in this order: walks the cursors to the deep page."""
    deep = min(DEEP_PAGE, max(2, customers // PAGE - 1))
    after = None
    for _ in range(deep - 1):
        _, data = gql(SORT_PAGE, {"first": PAGE, "after": after, "orderBy": order})
        after = data["customers"]["pageInfo"]["endCursor"]
    _, data = gql(SORT_PAGE, {"first": PAGE, "after": after, "orderBy": order})
    start = data["customers"]["pageInfo"]["startCursor"]
    return {
        "page 1": {"first": PAGE, "orderBy": order},
        f"page {deep}": {"first": PAGE, "after": after, "orderBy": order},
        f"page {deep - 1}, backwards": {"last": PAGE, "before": start, "orderBy": order},
    }


def measure_sorted_pages(gql: Timed, customers: int) -> dict[str, Any]:
    """{page: {order: median seconds}, and the ratio sorted ÷ unsorted}; the two orders'
    requests alternate, so that both see the same machine."""
    from bench.run import summary

    pages = {name: _pages(gql, order, customers) for name, order in ORDERS.items()}
    found: dict[str, Any] = {}
    for page in pages["unsorted"]:
        times: dict[str, list[float]] = {name: [] for name in ORDERS}
        for name in ORDERS:
            gql(SORT_PAGE, pages[name][page])  # warm
        for _ in range(ROUNDS):
            for name in ORDERS:
                times[name].append(gql(SORT_PAGE, pages[name][page])[0])
        medians = {name: summary(t) for name, t in times.items()}
        found[page] = medians | {
            "ratio": medians["overdue_desc"]["median_s"] / medians["unsorted"]["median_s"]
        }
    return found


def sorted_rows(found: dict[str, Any], ms: Callable[[float], str]) -> list[str]:
    lines = []
    for page, measured in found.items():
        lines.append(
            f"{'OVERDUE_AMOUNT DESC: ' + page:<44}"
            f"{ms(measured['overdue_desc']['median_s']):>14}"
            f"{ms(measured['unsorted']['median_s']):>14}{measured['ratio']:>8.2f}×  "
            f"≤ {TARGET}× (floor: the unsorted page)"
        )
    return lines
