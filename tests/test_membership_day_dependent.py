"""Which alerts a new day evaluates (day_dependence.day_dependent): those whose matches
may change with the day alone. An alert left out keeps its matches, so one wrongly left
out would be stale after a new day; these are the cases the bench's alerts do not cover."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import func, literal, text

from graphql_api.criteria import load_criteria
from graphql_api.day_dependence import _reads_the_day, day_dependent
from graphql_api.evaluation import Compiled, compile_criteria, ledger_for
from graphql_api.plugins import CriteriaRegistry
from graphql_api.storage import customer_figures, customers

TODAY = date(2026, 11, 23)


def compiled(registry: CriteriaRegistry, criteria: dict[str, Any], day: date) -> Compiled:
    return compile_criteria(load_criteria(registry, criteria), ledger_for(day))


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
    }
    today = {i: compiled(registry, c, TODAY) for i, c in alerts.items()}
    assert sorted(day_dependent(today, TODAY - timedelta(days=1))) == [1, 3, 4, 6]
    assert sorted(day_dependent(today, TODAY - timedelta(days=30))) == [1, 3, 4, 6]


def test_an_alert_that_cannot_be_compiled_is_kept_to_be_frozen(
    registry: CriteriaRegistry,
) -> None:
    broken = compiled(registry, {"noSuchCriterion": True}, TODAY)
    assert broken.problems
    assert list(day_dependent({7: broken}, TODAY - timedelta(days=1))) == [7]


def test_sql_reading_the_database_clock_is_evaluated_every_day() -> None:
    def both(condition: Any) -> bool:
        return _reads_the_day(Compiled(condition), Compiled(condition))

    assert not both(customers.c.country == "FR")
    assert both(customers.c.last_payment_date < func.current_date())
    assert both(customers.c.last_payment_date < func.now())
    assert both(text("customers.last_payment_date < date('now')"))
    assert both(customers.c.last_payment_date < func.date(literal("now")))
    assert both(customer_figures.c.days_overdue > 3)


def test_the_same_expression_with_another_value_is_another_day() -> None:
    then = Compiled(customers.c.last_payment_date < TODAY - timedelta(days=1))
    now = Compiled(customers.c.last_payment_date < TODAY)
    same = Compiled(customers.c.last_payment_date < TODAY)
    assert _reads_the_day(then, now)
    assert not _reads_the_day(same, now)
