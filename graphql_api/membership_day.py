"""Catching membership up before anything reads or writes the ledger (SPEC §9): a new day,
the very first computation of a database's membership, and alerts to evaluate as saved.

`catch_up` runs in a write transaction, so under the ledger lock (SQLite: BEGIN IMMEDIATE;
PostgreSQL: the ledger_state row FOR UPDATE): however many processes meet a new day
together, the first applies it and the others find it applied. It does, in order:

1. the day: when the figures or the membership were computed for another day than today
   (an earlier pinned day too), the figures are recomputed, every settled alert is diffed
   between the last day applied and today as one NEW_DAY event (the days in between are
   not replayed), and old history is pruned (`DSO_ALERTS_HISTORY_DAYS`). A database whose
   membership was never computed gets it computed once, recording no change: its history
   starts there (see migration 0006);
2. the alerts not settled, that can be evaluated now: written by something else than
   alerts.py (no state yet), or frozen while they could not be evaluated. Their
   difference is one ALERT_SAVED event; matches that held throughout keep their `since`.
"""

from __future__ import annotations

import weakref
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Engine, Select, and_, delete, exists, select, true, update
from sqlalchemy.engine import Connection
from sqlalchemy.orm import aliased

from graphql_api.criteria import load_criteria
from graphql_api.database import write_transaction
from graphql_api.evaluation import compile_criteria, ledger_for
from graphql_api.figures import advance_figures, refresh_figures
from graphql_api.membership import Cause, ChangeKind, Recorded, record
from graphql_api.plugins import CriteriaRegistry
from graphql_api.settings import Settings
from graphql_api.storage import (
    alert_changes,
    alert_daily_counts,
    alert_matches,
    alert_states,
    alerts,
    ledger_state,
)

# An alert frozen, or never evaluated (no state).
_unsettled = ~(
    select(alert_states.c.alert_id)
    .where(alert_states.c.alert_id == alerts.c.id, alert_states.c.frozen.is_(False))
    .correlate(alerts)
    .exists()
)


@dataclass(frozen=True)
class Marks:
    """What a request's first read learns of the ledger's state, in one statement."""

    figures_date: date | None
    membership_date: date | None
    alerts_version: int
    unsettled: tuple[tuple[int, int], ...]  # (id, version) of the alerts frozen or never evaluated

    def day_pending(self, today: date) -> bool:
        return self.membership_date != today or self.figures_date != today


_unsettled_versions = select(alerts.c.id, alerts.c.version).where(_unsettled).subquery()
_MARK_COLUMNS = (
    ledger_state.c.figures_date,
    ledger_state.c.membership_date,
    ledger_state.c.alerts_version,
    _unsettled_versions.c.id,
    _unsettled_versions.c.version,
)
_MARKS_FROM = ledger_state.outerjoin(_unsettled_versions, true())
# Built once: every request's first read runs it.
_MARKS = select(*_MARK_COLUMNS).select_from(_MARKS_FROM)


def marks(conn: Connection) -> Marks:
    return marks_of(conn.execute(_MARKS).all())


def marks_of(rows: Sequence[Sequence[Any]]) -> Marks:
    """The marks in the rows of `_MARKS` or of a `with_marks` statement (its last columns)."""
    first = rows[0]
    found = tuple((row[-2], row[-1]) for row in rows if row[-2] is not None)
    return Marks(first[-5], first[-4], first[-3], found)


def with_marks(read: Select[Any]) -> Select[Any]:
    """`read` (a SELECT of one table, one row at most) and the marks in one statement: its
    columns then the marks', one row per unsettled alert, none when `read` finds none. A
    request signs in with it (request_context.py): on PostgreSQL one round trip fewer."""
    (table,) = read.get_final_froms()
    return (
        select(*read.selected_columns, *_MARK_COLUMNS)
        .select_from(table.join(_MARKS_FROM, true()))
        .where(read.whereclause if read.whereclause is not None else true())
    )


@dataclass(frozen=True)
class CatchUp:
    """What a catch-up applied (nothing: both None)."""

    new_day: Recorded | None = None
    saved: Recorded | None = None
    pruned: int = 0


def catch_up(conn: Connection, registry: CriteriaRegistry, today: date) -> CatchUp:
    """Apply a pending day, then evaluate the alerts not settled that can be now; in the
    caller's write transaction (see the module's docstring)."""
    found = marks(conn)
    new_day: Recorded | None = None
    pruned = 0
    if found.membership_date is None:
        if found.figures_date != today:
            refresh_figures(conn, today)
        every = list(conn.execute(select(alerts.c.id)).scalars())
        new_day = record(conn, registry, today, Cause.NEW_DAY, alert_ids=every, quiet=True)
        _set_day(conn, today)
    elif found.day_pending(today):
        advance_figures(conn, today)
        # Only the day changed since the last day applied (an event records its own diff):
        # the alerts that do not read the day keep their matches.
        only_the_day = found.figures_date == found.membership_date
        new_day = record(conn, registry, today, Cause.NEW_DAY, only_the_day=only_the_day)
        pruned = prune(conn, today, Settings().history_days)
        _set_day(conn, today)
    saved = None
    if found.unsettled or new_day is not None:
        ready = evaluable_unsettled(conn, registry, today)
        if ready:
            saved = record(conn, registry, today, Cause.ALERT_SAVED, alert_ids=ready)
    return CatchUp(new_day, saved, pruned)


def _set_day(conn: Connection, today: date) -> None:
    conn.execute(update(ledger_state).where(ledger_state.c.id == 1).values(membership_date=today))


def evaluable_unsettled(conn: Connection, registry: CriteriaRegistry, today: date) -> list[int]:
    """The alerts frozen or never evaluated whose criteria compile now (their SQL may still
    fail in the database)."""
    query = select(alerts.c.id, alerts.c.criteria).where(_unsettled).order_by(alerts.c.id)
    ledger = ledger_for(today)
    return [
        row.id
        for row in conn.execute(query)
        if not compile_criteria(load_criteria(registry, row.criteria), ledger).problems
    ]


def prune(conn: Connection, today: date, days: int) -> int:
    """Forget changes older than `days` days, but for the ENTERED that began a current match
    (its `at` is the match's `since`); and the daily counts before, but for the newest one
    on or before the cutoff, which the first days kept still read."""
    cutoff = today - timedelta(days=days)
    began_current = and_(
        alert_changes.c.kind == ChangeKind.ENTERED.value,
        exists().where(
            alert_matches.c.alert_id == alert_changes.c.alert_id,
            alert_matches.c.customer_id == alert_changes.c.customer_id,
            alert_matches.c.since == alert_changes.c.at,
        ),
    )
    done = conn.execute(delete(alert_changes).where(alert_changes.c.day < cutoff, ~began_current))
    later = aliased(alert_daily_counts)
    superseded = exists().where(
        later.c.alert_id == alert_daily_counts.c.alert_id,
        later.c.day > alert_daily_counts.c.day,
        later.c.day <= cutoff,
    )
    conn.execute(delete(alert_daily_counts).where(alert_daily_counts.c.day < cutoff, superseded))
    return int(done.rowcount or 0)


# -- for a request's first read ------------------------------------------------------------

# Per registry (one process's plugins), the (alert id, version, day) it could not evaluate:
# requests do not try them again (and have no statement to add for them); the next day or
# event does.
_failed: dict[int, set[tuple[int, int, date]]] = {}


def _failed_for(registry: CriteriaRegistry) -> set[tuple[int, int, date]]:
    key = id(registry)
    if key not in _failed:
        _failed[key] = set()
        weakref.finalize(registry, _failed.pop, key, None)
    return _failed[key]


def needs_catch_up(conn: Connection, registry: CriteriaRegistry, today: date, found: Marks) -> bool:
    """Whether a request must catch up before reading: a day pending, or an unsettled alert
    this process may be able to evaluate now."""
    if found.day_pending(today):
        return True
    failed = _failed_for(registry)
    untried = [i for i, version in found.unsettled if (i, version, today) not in failed]
    if not untried:
        return False
    query = select(alerts.c.id, alerts.c.version, alerts.c.criteria).where(alerts.c.id.in_(untried))
    ledger = ledger_for(today)
    ready = False
    for row in conn.execute(query):
        if compile_criteria(load_criteria(registry, row.criteria), ledger).problems:
            failed.add((row.id, row.version, today))
        else:
            ready = True
    return ready


def ensure_current(engine: Engine, registry: CriteriaRegistry, today: date) -> CatchUp:
    """Catch up in a write transaction of its own (a request, before its snapshot)."""
    with write_transaction(engine) as conn:
        done = catch_up(conn, registry, today)
        if done.saved is not None and done.saved.frozen:
            versions = select(alerts.c.id, alerts.c.version).where(
                alerts.c.id.in_(list(done.saved.frozen))
            )
            _failed_for(registry).update((i, v, today) for i, v in conn.execute(versions))
    return done
