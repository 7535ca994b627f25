"""Which alerts a new day may change (SPEC §9: a new day is one diff between the last day
applied and today): with the ledger unchanged, an alert whose predicates do not read the
ledger's today, and whose SQL reads neither a figure of the day nor the database's clock,
matches the same customers, and is not evaluated.

Whether a predicate reads today is noted while it is built, once (a ledger that watches
its `today`): compiling every alert for the last day too and comparing the two
expressions cost more than evaluating a few alerts (bench, 10,000 customers, SQLite: about
a tenth of a new day's CPU). A predicate that reads today without its SQL changing (its
year, say) is evaluated all the same: more work, never a stale match.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import Column, select
from sqlalchemy.engine import Connection
from sqlalchemy.sql import visitors
from sqlalchemy.sql.elements import BindParameter, ColumnClause, TextClause
from sqlalchemy.sql.functions import FunctionElement

from graphql_api.criteria import Ledger, ParsedCriteria, load_criteria
from graphql_api.evaluation import Compiled, compile_criteria, ledger_for
from graphql_api.plugins import CriteriaRegistry
from graphql_api.sql_functions import among
from graphql_api.storage import alerts, customer_figures

# The figures that change with the day alone (figures.py): a condition reading one may change.
_DAY_FIGURES = frozenset({"overdue_amount", "not_due_amount", "days_overdue"})
# SQL reading the database's clock rather than the ledger's today (a plugin's mistake): such
# a condition is evaluated every day all the same.
_CLOCK_FUNCTIONS = frozenset(
    {"current_date", "current_time", "current_timestamp", "now", "localtime", "localtimestamp"}
)
_CLOCK_WORDS = (*_CLOCK_FUNCTIONS, "'now'")


@dataclass(frozen=True)
class WatchedLedger(Ledger):
    """A ledger that notes every read of its `today` (in `reads`)."""

    reads: list[str] = field(default_factory=list, compare=False)

    def __getattribute__(self, name: str) -> Any:
        if name == "today":
            object.__getattribute__(self, "reads").append(name)
        return object.__getattribute__(self, name)


def watched_ledger(today: date) -> WatchedLedger:
    plain = ledger_for(today)
    return WatchedLedger(plain.customers, plain.figures, plain.items, plain.reminders, today)


def day_dependent_alerts(
    conn: Connection, registry: CriteriaRegistry, today: date, alert_ids: Collection[int]
) -> dict[int, Compiled]:
    """Of these alerts, each compiled for `today`, those whose matches may differ from one
    day to the next with the ledger unchanged: a predicate read today, or their SQL reads a
    figure of the day or the database's clock. One that cannot be compiled is kept (to be
    frozen)."""
    query = select(alerts.c.id, alerts.c.criteria).order_by(alerts.c.id)
    query = query.where(among(alerts.c.id, sorted(alert_ids)))
    ledger = watched_ledger(today)
    found = {}
    for row in conn.execute(query):
        compiled, may_change = compile_for_a_new_day(load_criteria(registry, row.criteria), ledger)
        if may_change:
            found[row.id] = compiled
    return found


def compile_for_a_new_day(criteria: ParsedCriteria, ledger: WatchedLedger) -> tuple[Compiled, bool]:
    """Criteria compiled for the ledger's today, and whether their matches may differ from
    one day to the next with the ledger unchanged (or they cannot be compiled)."""
    ledger.reads.clear()
    compiled = compile_criteria(criteria, ledger)
    return compiled, bool(compiled.problems or ledger.reads or reads_a_day_input(compiled))


def reads_a_day_input(compiled: Compiled) -> bool:
    """Whether an alert's SQL reads a figure of the day or the database's clock."""
    return any(_reads_a_day_input(element) for element in visitors.iterate(compiled.condition))


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
