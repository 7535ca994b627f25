"""The five seed examples of SPEC §2 on a hand-written ledger, with the accounts each one
selects written out (TODAY is 2026-11-23; `ago(n)` is n days before it)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import Engine

from graphql_api.criteria import criteria_json, parse_criteria
from graphql_api.demo import SEED_ALERTS
from graphql_api.plugins import CriteriaRegistry
from tests.ledger_builder import Customer, Item, Reminder, ago, load_ledger, matches_of_many

D = Decimal

LATE_20K = {"overdueAmount": {"min": 20000}, "lastReminderDate": {"olderThanDays": 10}}
IN_ARREARS = {"itemOverdue": True, "itemDisputed": False, "lastReminderDate": {"olderThanDays": 10}}
UNCOVERED = {"uncoveredAmount": {"min": "0.01"}}
FRENCH_PRIVATE = {
    "group": {"op": "IS_NOT", "values": ["Public"]},
    "country": {"values": ["FR"]},
    "status": {"op": "IS_NOT", "values": ["Litige", "Litige résolu"]},
}
IGNORED = {"itemIgnoredInCollection": True}

CUSTOMERS = [
    # overdue exactly 20 000, reminded exactly 10 days ago, covered exactly
    Customer("S1", "Overdue 20k", "Retail", "FR", "Normal", insurer_guarantee=D("20000")),
    # overdue one cent short of 20 000, never reminded, Public, no guarantee
    Customer("S2", "Just under", "Public", "FR", "Normal"),
    # 50 000 overdue but disputed, reminded 9 days ago; no group nor status; covered + 0.01
    Customer("S3", "Disputed", None, "FR", None, insurer_guarantee=D("50000.01")),
    # 30 000 overdue (disputed) + 1 000 undisputed not yet due; reminded 40 days ago
    Customer("S4", "Split", "Retail", "BE", "Litige", insurer_guarantee=D("31000")),
    # an ignored item not yet due; in "Litige résolu"
    Customer("S5", "Ignored", "Industry", "FR", "Litige résolu"),
    # only a closed (open 0) overdue, ignored item
    Customer("S6", "Closed", "Retail", "FR", "Normal"),
    # 25 000 overdue on two undisputed items (one ignored), reminded 11 days ago; German
    Customer("S7", "German", "Retail", "DE", "Normal", insurer_guarantee=D("10000")),
    # no items; the group is "Public" once trimmed
    Customer("S8", "Public, padded", " Public ", "FR", "Normal"),
]  # fmt: skip

ITEMS = [
    Item("S1", "1-1", D("12000"), due_date=ago(40)),
    Item("S1", "1-2", D("8000"), due_date=ago(1)),
    Item("S2", "2-1", D("19999.99"), due_date=ago(15)),
    Item("S3", "3-1", D("50000"), due_date=ago(60), disputed=True),
    Item("S4", "4-1", D("30000"), due_date=ago(30), disputed=True),
    Item("S4", "4-2", D("1000"), due_date=ago(-30)),
    Item("S5", "5-1", D("100"), due_date=ago(-3), ignored=True),
    Item("S6", "6-1", D("0"), due_date=ago(90), amount=D("700"), ignored=True),
    Item("S7", "7-1", D("15000"), due_date=ago(20)),
    Item("S7", "7-2", D("10000"), due_date=ago(5), ignored=True),
]

REMINDERS = [
    Reminder("S1", ago(10)),
    Reminder("S1", ago(25)),
    Reminder("S3", ago(9)),
    Reminder("S4", ago(40)),
    Reminder("S7", ago(11)),
    Reminder("S8", ago(1)),
]

EXAMPLES: list[tuple[str, dict[str, Any], set[str]]] = [
    ("late by more than 20k, not reminded for more than 10 days", LATE_20K, {"S1", "S4", "S7"}),
    ("in arrears, excluding disputed items, not reminded for 10d", IN_ARREARS, {"S1", "S2", "S7"}),
    ("outstanding exceeds the insurer's guarantee", UNCOVERED, {"S2", "S5", "S7"}),
    ("not Public, in France, not in Litige nor Litige résolu", FRENCH_PRIVATE, {"S1", "S3", "S6"}),
    ("items ignored during collection", IGNORED, {"S5", "S7"}),
]  # fmt: skip


@pytest.mark.parametrize(
    ("criteria", "expected"), [e[1:] for e in EXAMPLES], ids=[e[0] for e in EXAMPLES]
)
def test_seed_example(
    engine: Engine, registry: CriteriaRegistry, criteria: dict[str, Any], expected: set[str]
) -> None:
    load_ledger(engine, CUSTOMERS, ITEMS, REMINDERS, erp=True)  # spelt as a French ERP does
    assert matches_of_many(engine, registry, [criteria])[0] == expected


def test_the_demo_seeds_these_five_examples(registry: CriteriaRegistry) -> None:
    def stored(criteria: dict[str, Any]) -> dict[str, Any]:
        return criteria_json(parse_criteria(registry, criteria))

    seeded = [stored(criteria) for *_, criteria in SEED_ALERTS]
    assert seeded == [stored(criteria) for _, criteria, _ in EXAMPLES]
