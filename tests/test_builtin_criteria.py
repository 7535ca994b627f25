# ruff: noqa: E501 - the ledger and the expectations read best one per line
"""Every one of the 24 built-in criteria on ONE small hand-written ledger, with the matching
accounts written out by hand (TODAY is 2026-11-23; `ago(n)` is n days before it)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import Engine

from graphql_api.criteria import Scope
from graphql_api.plugins import CriteriaRegistry
from tests.conftest import TODAY
from tests.ledger_builder import (
    Customer,
    Item,
    Reminder,
    ago,
    load_ledger,
    matches_of_many,
    stored_figures,
)

D = Decimal

BUILT_IN_KEYS = {
    "outstandingAmount", "overdueAmount", "notDueAmount", "disputedAmount", "uncoveredAmount",
    "creditLimitExcess", "creditLimit", "insurerGuarantee", "daysOverdue", "lastReminderDate",
    "lastPaymentDate", "group", "country", "status", "collector", "insured", "blocked",
    "itemType", "itemOverdue", "itemDueDate", "itemDocumentDate", "itemOpenAmount",
    "itemDisputed", "itemIgnoredInCollection",
}  # fmt: skip

CUSTOMERS = [
    Customer("A01", "Alpha", "Retail", "FR", "Normal", "Camille", False, D("10000"), D("5000"), ago(5)),
    Customer("B02", "Bravo", "Public", "FR", "Litige", "Julien", True, None, None, None),
    Customer("C03", "Charlie", "Industry", "BE", "Normal", "Sofia", False, D("20000"), D("20000"), ago(40)),
    Customer("D04", "Delta (no items)", None, None, None, None, False, D("1000"), None, None),
    Customer("E05", "Echo", "Retail", "DE", "Litige résolu", "Camille", False, D("50000"), D("30000"), TODAY),
    Customer("F06", "Foxtrot", None, "FR", "Normal", None, True, D("5000"), D("5000"), ago(100)),
    Customer("G07", "Golf", "Public", "ES", "Normal", "Hugo", False, None, D("10000"), ago(10)),
    Customer("H08", "Hotel", "Services", "FR", None, "Julien", False, D("100"), D("0"), ago(200)),
    Customer("I09", "India", "Industry", "FR", "Normal", "Sofia", False, D("30000"), D("25000"), ago(15)),
    Customer("J10", "Juliet (only closed items)", "Wholesale", "IT", "Contentieux", None, False, D("0"), D("0"), None),
]  # fmt: skip

ITEMS = [
    # A01: an overdue undisputed invoice and a different, disputed, not yet due one
    Item("A01", "A-1", D("3000"), "INVOICE", ago(60), ago(30), D("3000")),
    Item("A01", "A-2", D("2000"), "INVOICE", ago(10), ago(-20), D("2000"), disputed=True),
    # B02: an overdue disputed invoice, and a credit note due even earlier (negative: not
    # the item daysOverdue is measured on)
    Item("B02", "B-1", D("12000"), "INVOICE", ago(40), ago(10), D("12000"), disputed=True),
    Item("B02", "B-2", D("-500"), "CREDIT_NOTE", ago(50), ago(50), D("-500")),
    # C03: a closed item (open 0) that is overdue, disputed and ignored; an invoice 1 day
    # late; an unallocated payment without due date
    Item("C03", "C-1", D("0"), "INVOICE", ago(130), ago(100), D("8000"), disputed=True, ignored=True),
    Item("C03", "C-2", D("25000"), "INVOICE", ago(31), ago(1), D("25000")),
    Item("C03", "C-3", D("-1000"), "PAYMENT", ago(2), None, D("-1000")),
    # E05: due today (not overdue), and one cent on an ignored item due in 5 days
    Item("E05", "E-1", D("7000"), "INVOICE", ago(30), TODAY, D("7000")),
    Item("E05", "E-2", D("0.01"), "OTHER", TODAY, ago(-5), D("0.01"), ignored=True),
    # F06: an overdue ignored invoice, a disputed credit note not yet due
    Item("F06", "F-1", D("6000"), "INVOICE", ago(75), ago(45), D("6000"), ignored=True),
    Item("F06", "F-2", D("-1000"), "CREDIT_NOTE", ago(5), ago(-10), D("-1000"), disputed=True),
    # G07: a late invoice, and a closed one older still
    Item("G07", "G-1", D("21000"), "INVOICE", ago(35), ago(5), D("21000")),
    Item("G07", "G-2", D("0"), "INVOICE", ago(50), ago(20), D("500")),
    # H08: only an overdue credit note
    Item("H08", "H-1", D("-300"), "CREDIT_NOTE", ago(45), ago(15), D("-300")),
    # I09: two overdue invoices (one disputed), one with no dates at all
    Item("I09", "I-1", D("40000"), "INVOICE", ago(55), ago(25), D("40000")),
    Item("I09", "I-2", D("500"), "INVOICE", ago(42), ago(12), D("500"), disputed=True),
    Item("I09", "I-3", D("100"), "INVOICE", None, None, None),
    # J10: a closed item that would match every item criterion if it were open
    Item("J10", "J-1", D("0"), "OTHER", ago(33), ago(3), D("50"), disputed=True, ignored=True),
]  # fmt: skip

REMINDERS = [
    Reminder("A01", ago(3)),
    Reminder("C03", ago(20), "LETTER"),
    Reminder("C03", ago(10), "PHONE", "promised to pay"),
    Reminder("D04", ago(11)),
    Reminder("F06", ago(30)),
    Reminder("G07", ago(2)),
    Reminder("H08", ago(40), "LETTER"),
    Reminder("I09", ago(9)),
]  # B02, E05 and J10 were never reminded

ALL = {c.account for c in CUSTOMERS}

# criteria → the accounts that match, worked out by hand from the ledger above
EXPECTED: list[tuple[dict[str, Any], set[str]]] = [
    # outstanding: A01 5000, B02 11500, C03 24000, D04 0, E05 7000.01, F06 5000, G07 21000,
    # H08 -300, I09 40600, J10 0
    ({"outstandingAmount": {"min": 5000, "max": 11500}}, {"A01", "B02", "E05", "F06"}),
    ({"outstandingAmount": {"max": 0}}, {"D04", "H08", "J10"}),
    ({"outstandingAmount": {"min": "7000.01", "max": "7000.01"}}, {"E05"}),
    # overdue: A01 3000, B02 11500, C03 25000, F06 6000, G07 21000, H08 -300, I09 40500
    ({"overdueAmount": {"min": 20000}}, {"C03", "G07", "I09"}),
    ({"overdueAmount": {"max": "-0.01"}}, {"H08"}),
    ({"overdueAmount": {"min": 0, "max": 0}}, {"D04", "E05", "J10"}),
    # not due: A01 2000, C03 -1000 (the payment has no due date), E05 7000.01, F06 -1000, I09 100
    ({"notDueAmount": {"min": "0.01"}}, {"A01", "E05", "I09"}),
    ({"notDueAmount": {"max": -1}}, {"C03", "F06"}),
    # disputed: A01 2000, B02 12000, F06 -1000, I09 500 (C03's and J10's are closed)
    ({"disputedAmount": {"min": "0.01"}}, {"A01", "B02", "I09"}),
    ({"disputedAmount": {"max": "-0.01"}}, {"F06"}),
    # uncovered = outstanding − guarantee (empty = 0)
    ({"uncoveredAmount": {"min": "0.01"}}, {"B02", "C03", "G07", "I09"}),
    ({"uncoveredAmount": {"min": 0, "max": 0}}, {"A01", "D04", "F06", "J10"}),
    # credit limit excess = outstanding − credit limit (empty = 0)
    ({"creditLimitExcess": {"min": 0}}, {"B02", "C03", "F06", "G07", "I09", "J10"}),
    ({"creditLimitExcess": {"max": -1000}}, {"A01", "D04", "E05"}),
    ({"creditLimit": {"max": 0}}, {"B02", "G07", "J10"}),
    ({"creditLimit": {"min": 10000, "max": 30000}}, {"A01", "C03", "I09"}),
    ({"insurerGuarantee": {"min": 5000, "max": 25000}}, {"A01", "C03", "F06", "G07", "I09"}),
    ({"insurerGuarantee": {"max": 0}}, {"B02", "D04", "H08", "J10"}),
    # days overdue: A01 30, B02 10 (not the credit note's 50), C03 1, F06 45, G07 5, I09 25;
    # H08 has only a negative overdue item: 0
    ({"daysOverdue": {"min": 1}}, {"A01", "B02", "C03", "F06", "G07", "I09"}),
    ({"daysOverdue": {"min": 10, "max": 30}}, {"A01", "B02", "I09"}),
    ({"daysOverdue": {"min": 10, "max": 10}}, {"B02"}),
    ({"daysOverdue": {"max": 0}}, {"D04", "E05", "H08", "J10"}),
    # last reminder: A01 3, C03 10, D04 11, F06 30, G07 2, H08 40, I09 9 days ago; others never
    ({"lastReminderDate": {"olderThanDays": 10}}, {"B02", "C03", "D04", "E05", "F06", "H08", "J10"}),
    ({"lastReminderDate": {"newerThanDays": 9}}, {"A01", "G07", "I09"}),
    ({"lastPaymentDate": {"newerThanDays": 15}}, {"A01", "E05", "G07", "I09"}),
    ({"lastPaymentDate": {"olderThanDays": 100}}, {"B02", "D04", "F06", "H08", "J10"}),
    ({"group": {"values": ["Public"]}}, {"B02", "G07"}),
    ({"group": {"op": "IS_NOT", "values": ["Public", "Retail"]}}, {"C03", "D04", "F06", "H08", "I09", "J10"}),
    ({"country": {"values": ["FR"]}}, {"A01", "B02", "F06", "H08", "I09"}),
    ({"country": {"op": "IS_NOT", "values": ["FR"]}}, {"C03", "D04", "E05", "G07", "J10"}),
    ({"status": {"values": ["Litige", "Litige résolu"]}}, {"B02", "E05"}),
    ({"status": {"op": "IS_NOT", "values": ["Normal"]}}, {"B02", "D04", "E05", "H08", "J10"}),
    ({"collector": {"values": ["Camille"]}}, {"A01", "E05"}),
    ({"collector": {"op": "IS_NOT", "values": ["Camille", "Julien", "Sofia"]}}, {"D04", "F06", "G07", "J10"}),
    ({"insured": True}, {"A01", "C03", "E05", "F06", "G07", "I09"}),
    ({"insured": False}, {"B02", "D04", "H08", "J10"}),
    ({"blocked": True}, {"B02", "F06"}),
    ({"blocked": False}, ALL - {"B02", "F06"}),
    # item criteria: only open items (openAmount ≠ 0) count
    ({"itemType": {"values": ["CREDIT_NOTE"]}}, {"B02", "F06", "H08"}),
    ({"itemType": {"values": ["PAYMENT", "OTHER"]}}, {"C03", "E05"}),
    ({"itemType": {"op": "IS_NOT", "values": ["INVOICE"]}}, {"B02", "C03", "E05", "F06", "H08"}),
    ({"itemOverdue": True}, {"A01", "B02", "C03", "F06", "G07", "H08", "I09"}),
    ({"itemOverdue": False}, {"A01", "C03", "E05", "F06", "I09"}),
    ({"itemDueDate": {"olderThanDays": 30}}, {"A01", "B02", "C03", "F06", "I09"}),
    ({"itemDueDate": {"newerThanDays": -5}}, {"A01", "E05", "F06"}),
    ({"itemDueDate": {"olderThanDays": 0, "newerThanDays": 0}}, {"E05"}),
    ({"itemDocumentDate": {"newerThanDays": 5}}, {"C03", "E05", "F06"}),
    ({"itemDocumentDate": {"olderThanDays": 60}}, {"A01", "F06", "I09"}),
    ({"itemOpenAmount": {"max": "-0.01"}}, {"B02", "C03", "F06", "H08"}),
    ({"itemOpenAmount": {"min": 20000}}, {"C03", "G07", "I09"}),
    ({"itemOpenAmount": {"min": "0.01", "max": "0.01"}}, {"E05"}),
    ({"itemOpenAmount": {"min": 0, "max": 0}}, set()),  # closed items are not looked at
    ({"itemDisputed": True}, {"A01", "B02", "F06", "I09"}),
    ({"itemDisputed": False}, {"A01", "B02", "C03", "E05", "F06", "G07", "H08", "I09"}),
    ({"itemIgnoredInCollection": True}, {"E05", "F06"}),
    ({"itemIgnoredInCollection": False}, {"A01", "B02", "C03", "E05", "F06", "G07", "H08", "I09"}),
    # item criteria hold on ONE open item together: A01 has an overdue item and a disputed
    # item, but no overdue disputed one
    ({"itemOverdue": True, "itemDisputed": True}, {"B02", "I09"}),
    ({"itemOverdue": True, "itemIgnoredInCollection": True}, {"F06"}),
    ({"itemType": {"values": ["CREDIT_NOTE"]}, "itemOverdue": True}, {"B02", "H08"}),
    ({"itemOpenAmount": {"min": 1000}, "itemDisputed": True}, {"A01", "B02"}),
    # only closed items (C03's C-1, J10's J-1) are overdue, disputed and ignored at once
    ({"itemOverdue": True, "itemDisputed": True, "itemIgnoredInCollection": True}, set()),
    # customer and item criteria together
    ({"blocked": True, "itemDisputed": True}, {"B02", "F06"}),
    ({"country": {"values": ["FR"]}, "itemOverdue": False, "daysOverdue": {"min": 1}}, {"A01", "F06", "I09"}),
]  # fmt: skip


@pytest.fixture
def ledger(engine: Engine) -> Engine:
    load_ledger(engine, CUSTOMERS, ITEMS, REMINDERS)
    return engine


def test_the_table_covers_every_built_in_criterion(registry: CriteriaRegistry) -> None:
    assert set(registry.criteria) >= BUILT_IN_KEYS
    used = {key for criteria, _ in EXPECTED for key in criteria}
    assert used == BUILT_IN_KEYS
    item_keys = {k for k in BUILT_IN_KEYS if registry.criteria[k].scope is Scope.ITEM}
    assert item_keys == {k for k in BUILT_IN_KEYS if k.startswith("item")}


def test_built_in_criteria(ledger: Engine, registry: CriteriaRegistry) -> None:
    # All the questions at once: they are answered by one statement per call, as the API does.
    found = matches_of_many(ledger, registry, [criteria for criteria, _ in EXPECTED])
    wrong = [
        (criteria, sorted(expected), sorted(got))
        for (criteria, expected), got in zip(EXPECTED, found, strict=True)
        if got != expected
    ]
    assert wrong == []


@pytest.mark.parametrize(
    ("criteria", "expected"), EXPECTED, ids=[repr(c)[:70] for c, _ in EXPECTED]
)
def test_built_in_criterion(
    ledger: Engine, registry: CriteriaRegistry, criteria: dict[str, Any], expected: set[str]
) -> None:
    assert matches_of_many(ledger, registry, [criteria])[0] == expected


# account → outstanding, overdue, notDue, disputed, uncovered, creditLimitExcess,
# daysOverdue, lastReminderDate
FIGURES = {
    "A01": ("5000", "3000", "2000", "2000", "0", "-5000", 30, ago(3)),
    "B02": ("11500", "11500", "0", "12000", "11500", "11500", 10, None),
    "C03": ("24000", "25000", "-1000", "0", "4000", "4000", 1, ago(10)),
    "D04": ("0", "0", "0", "0", "0", "-1000", 0, ago(11)),
    "E05": ("7000.01", "0", "7000.01", "0", "-22999.99", "-42999.99", 0, None),
    "F06": ("5000", "6000", "-1000", "-1000", "0", "0", 45, ago(30)),
    "G07": ("21000", "21000", "0", "0", "11000", "21000", 5, ago(2)),
    "H08": ("-300", "-300", "0", "0", "-300", "-400", 0, ago(40)),
    "I09": ("40600", "40500", "100", "500", "15600", "10600", 25, ago(9)),
    "J10": ("0", "0", "0", "0", "0", "0", 0, None),
}


def test_figures_of_the_ledger(ledger: Engine) -> None:
    names = (
        "outstandingAmount", "overdueAmount", "notDueAmount", "disputedAmount",
        "uncoveredAmount", "creditLimitExcess", "daysOverdue", "lastReminderDate",
    )  # fmt: skip
    expected = {
        account: {
            name: (D(v) if isinstance(v, str) else v) for name, v in zip(names, values, strict=True)
        }
        for account, values in FIGURES.items()
    }
    assert stored_figures(ledger) == expected
