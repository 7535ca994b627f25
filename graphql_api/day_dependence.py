"""Which alerts a new day may change (SPEC §9: a new day is one diff between the last day
applied and today): with the ledger unchanged, an alert whose SQL is the same for both days
and reads neither a figure of the day nor the database's clock matches the same customers,
and is not evaluated.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from sqlalchemy import Column
from sqlalchemy.sql import visitors
from sqlalchemy.sql.elements import BindParameter, ColumnClause, TextClause
from sqlalchemy.sql.functions import FunctionElement

from graphql_api.evaluation import Compiled, compile_criteria, ledger_for
from graphql_api.storage import customer_figures

# The figures that change with the day alone (figures.py): a condition reading one may change.
_DAY_FIGURES = frozenset({"overdue_amount", "not_due_amount", "days_overdue"})
# SQL reading the database's clock rather than the ledger's today (a plugin's mistake): such
# a condition is evaluated every day all the same.
_CLOCK_FUNCTIONS = frozenset(
    {"current_date", "current_time", "current_timestamp", "now", "localtime", "localtimestamp"}
)
_CLOCK_WORDS = (*_CLOCK_FUNCTIONS, "'now'")


def day_dependent(compiled: Mapping[int, Compiled], last_day: date) -> dict[int, Compiled]:
    """Of alerts compiled for today, those whose matches may differ between `last_day` and
    today with the ledger unchanged: their SQL differs between the two days (compared as
    expressions, with their values), or reads a figure of the day or the database's clock.
    One that cannot be compiled is kept (to be frozen)."""
    before = ledger_for(last_day)
    found = {}
    for alert_id, current in compiled.items():
        if current.problems or current.criteria is None:
            found[alert_id] = current
            continue
        then = compile_criteria(current.criteria, before)
        if then.problems or _reads_the_day(then, current):
            found[alert_id] = current
    return found


def _reads_the_day(then: Compiled, current: Compiled) -> bool:
    if not then.condition.compare(current.condition):
        return True
    return any(_reads_a_day_input(element) for element in visitors.iterate(current.condition))


def _reads_a_day_input(element: Any) -> bool:
    if isinstance(element, Column):
        return element.table is customer_figures and element.name in _DAY_FIGURES
    if isinstance(element, FunctionElement):
        return str(getattr(element, "name", "")).lower() in _CLOCK_FUNCTIONS
    if isinstance(element, TextClause):
        return any(word in element.text.lower() for word in _CLOCK_WORDS)
    if isinstance(element, ColumnClause) and element.is_literal:
        return any(word in element.name.lower() for word in _CLOCK_WORDS)
    if isinstance(element, BindParameter):
        return isinstance(element.value, str) and element.value.lower() == "now"
    return False
