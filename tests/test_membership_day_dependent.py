"""Which alerts a new day evaluates (day_dependence.compile_for_a_new_day): those whose
matches may change with the day alone. An alert left out keeps its matches, so one wrongly
left out would be stale after a new day; these are the cases the bench's alerts do not cover."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import func, literal, text

from graphql_api.criteria import load_criteria
from graphql_api.day_dependence import compile_for_a_new_day, reads_a_day_input, watched_ledger
from graphql_api.evaluation import Compiled
from graphql_api.plugins import CriteriaRegistry
from graphql_api.storage import customer_figures, customers

TODAY = date(2026, 11, 23)


def may_change(registry: CriteriaRegistry, criteria: dict[str, Any]) -> bool:
    return compile_for_a_new_day(load_criteria(registry, criteria), watched_ledger(TODAY))[1]


def test_an_alert_reading_a_date_relative_to_today_or_a_figure_of_the_day_is_evaluated(
    registry: CriteriaRegistry,
) -> None:
    alerts = {
        1: {"lastReminderDate": {"olderThanDays": 10}},  # relative to today
        2: {"country": {"values": ["FR"]}},  # the same SQL every day
        3: {"daysOverdue": {"min": 30}},  # a figure that grows with the day
        4: {"itemDueDate": {"newerThanDays": 30}, "itemType": {"values": ["INVOICE"]}},
        5: {"insurerGuarantee": {"max": "0"}},
        6: {"overdueAmount": {"min": "100"}},  # moves when an item falls due
        7: {"itemOverdue": True},  # a plugin's value reading the ledger's today
        8: {"itemType": {"values": ["INVOICE"]}, "disputedAmount": {"min": "10"}},
    }
    found = [i for i, criteria in alerts.items() if may_change(registry, criteria)]
    assert found == [1, 3, 4, 6, 7]


def test_an_alert_that_cannot_be_compiled_is_kept_to_be_frozen(
    registry: CriteriaRegistry,
) -> None:
    compiled, kept = compile_for_a_new_day(
        load_criteria(registry, {"noSuchCriterion": True}), watched_ledger(TODAY)
    )
    assert compiled.problems
    assert kept


def test_each_compilation_notes_its_own_reads_of_today(
    registry: CriteriaRegistry,
) -> None:
    ledger = watched_ledger(TODAY)
    reads = load_criteria(registry, {"lastReminderDate": {"olderThanDays": 10}})
    does_not = load_criteria(registry, {"country": {"values": ["FR"]}})
    assert compile_for_a_new_day(reads, ledger)[1]
    assert not compile_for_a_new_day(does_not, ledger)[1]


def test_sql_reading_the_database_clock_is_evaluated_every_day() -> None:
    def reads(condition: Any) -> bool:
        return reads_a_day_input(Compiled(condition))

    assert not reads(customers.c.country == "FR")
    assert reads(customers.c.last_payment_date < func.current_date())
    assert reads(customers.c.last_payment_date < func.now())
    assert reads(text("customers.last_payment_date < date('now')"))
    assert reads(customers.c.last_payment_date < func.date(literal("now")))
    assert reads(customer_figures.c.days_overdue > 3)
