"""Membership as data (SPEC §9): which customers match each alert, since when, and every
change recorded with its cause.

An event (an import, a reminder logged or deleted, an alert saved, a new day) evaluates
some alerts over some customers with the alerts' compiled SQL (evaluation.py) and writes
what changed into a temporary difference table, one INSERT … SELECT per chunk of alerts
(membership_eval.py): the changes are written from it, then the matches follow them, then
each alert's count. Nothing is read into Python per customer, and everything happens in the
caller's transaction: a rolled-back event leaves membership and history as they were. An
alert evaluated for the first time (a creation) has nothing to diff: its matches are written
straight from the evaluation. A new day evaluates only the alerts that read the day.

An alert that cannot be evaluated (its criteria do not load, or its SQL fails in the
database) is left out of the diff: its matches stay as they are and its state says it is
*frozen*. The catch-up (membership_day.py) evaluates it again, as saved, once it can be.
"""

from __future__ import annotations

import enum
import logging
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    Date,
    DateTime,
    String,
    bindparam,
    delete,
    func,
    insert,
    literal,
    select,
    tuple_,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection

from graphql_api import bell_keys
from graphql_api.day_dependence import day_dependent_alerts
from graphql_api.membership_eval import (
    ChangeKind,
    compile_alerts,
    difference,
    empty_fresh,
    evaluate_difference,
    evaluate_into_matches,
    settled_alerts,
)
from graphql_api.plugins import CriteriaRegistry
from graphql_api.sql_functions import among
from graphql_api.storage import (
    alert_changes,
    alert_daily_counts,
    alert_matches,
    alert_seen,
    alert_states,
)

log = logging.getLogger(__name__)


class Cause(enum.Enum):
    IMPORT = "IMPORT"
    REMINDER = "REMINDER"
    ALERT_SAVED = "ALERT_SAVED"
    NEW_DAY = "NEW_DAY"


@dataclass(frozen=True)
class Recorded:
    """What one event did: its time, the alerts it evaluated, and those it could not."""

    cause: Cause
    at: datetime
    day: date
    evaluated: tuple[int, ...] = ()
    frozen: Mapping[int, str] = field(default_factory=dict)  # alert id -> why
    entered: int = 0
    left: int = 0


def record(
    conn: Connection,
    registry: CriteriaRegistry,
    today: date,
    cause: Cause,
    *,
    alert_ids: Collection[int] | None = None,
    customer_ids: Sequence[int] | None = None,
    quiet: bool = False,
    only_the_day: bool = False,
) -> Recorded:
    """Evaluate alerts over customers and record the difference as one event of `cause`.

    `alert_ids`: these alerts whatever their state (saved, or thawed); None: every settled
    alert. `customer_ids`: only these customers (a reminder); None: all. `quiet`: write the
    matches but no change (the very first computation of a database's membership).
    `only_the_day`: the ledger is as it was on the last day applied, only the day changed (a
    new day): the alerts that do not read the day cannot change and are not evaluated."""
    at = datetime.now(UTC)
    targets = settled_alerts(conn) if alert_ids is None else list(alert_ids)
    if only_the_day:
        compiled = day_dependent_alerts(conn, registry, today, targets)
        targets = list(compiled)
    else:
        compiled = compile_alerts(conn, registry, today, targets)
    states = select(alert_states.c.alert_id, alert_states.c.match_count)
    before = dict(conn.execute(states.where(among(alert_states.c.alert_id, targets))).all())
    # Alerts never evaluated (a creation) have nothing stored: every match enters, written
    # straight from the evaluation, with no diff.
    first_time = not before and customer_ids is None and not quiet
    if first_time:
        failed = evaluate_into_matches(conn, compiled, today, at)
    else:
        failed = evaluate_difference(conn, compiled, today, customer_ids)
    evaluated = [i for i in compiled if i not in failed]
    if failed:
        _freeze(conn, failed, today)
    if not evaluated:
        return Recorded(cause, at, today, frozen=failed)
    if first_time:
        deltas = _all_entered(conn, evaluated, cause, at, today)
        bell_keys.follow_new_alerts(conn, evaluated)
    else:
        deltas = _diff(conn, evaluated, cause, at, today, quiet)
        bell_keys.follow_diff(conn, evaluated)
        empty_fresh(conn)
    counts = {i: before.get(i, 0) + entered - left for i, (entered, left) in deltas.items()}
    _keep_states(conn, evaluated, before, counts)
    # A day's count is written when it changes, and where an alert's history begins.
    begun = {i: counts.get(i, 0) for i in evaluated if i not in before}
    _write_daily_counts(conn, today, counts | begun)
    entered = sum(e for e, _ in deltas.values())
    left = sum(lost for _, lost in deltas.values())
    if entered or left or failed:
        log.debug(
            "membership %s on %s: %d entered, %d left, %d alert(s) frozen",
            cause.value, today, entered, left, len(failed),
        )  # fmt: skip
    return Recorded(cause, at, today, tuple(evaluated), failed, entered, left)


def _all_entered(
    conn: Connection, evaluated: list[int], cause: Cause, at: datetime, today: date
) -> dict[int, tuple[int, int]]:
    """The changes of alerts whose every match is new (written by evaluate_into_matches)."""
    mine = among(alert_matches.c.alert_id, evaluated)
    change = select(
        alert_matches.c.alert_id,
        alert_matches.c.customer_id,
        _kind(ChangeKind.ENTERED),
        literal(at, DateTime(timezone=True)),
        literal(today, Date),
        literal(cause.value, String),
    ).where(mine)
    columns = ["alert_id", "customer_id", "kind", "at", "day", "cause"]
    conn.execute(insert(alert_changes).from_select(columns, change))
    counted = select(alert_matches.c.alert_id, func.count()).where(mine)
    return {i: (n, 0) for i, n in conn.execute(counted.group_by(alert_matches.c.alert_id))}


def _diff(
    conn: Connection,
    evaluated: list[int],
    cause: Cause,
    at: datetime,
    today: date,
    quiet: bool,
) -> dict[int, tuple[int, int]]:
    """Stored matches of `evaluated` made equal to the evaluation, from
    the difference table (evaluate_difference); the changes written first (unless `quiet`).
    Per alert that changed: (entered, left). The difference table is left as it is: the
    customers whose matches changed, per alert (emptied by the caller)."""
    # Written in customer order: the index by customer then takes them in one sweep, where
    # the difference's order (by alert) would sweep it once per alert (bench, 100k: 12,300
    # changes 195 -> 160 ms, 6,900 matches 150 -> 135 ms; the other indexes take the rows
    # at their ends or by alert in either order).
    by_customer = (difference.c.customer_id, difference.c.alert_id)
    if not quiet:
        change = select(
            difference.c.alert_id,
            difference.c.customer_id,
            difference.c.kind,
            literal(at, DateTime(timezone=True)),
            literal(today, Date),
            literal(cause.value, String),
        ).order_by(*by_customer)
        columns = ["alert_id", "customer_id", "kind", "at", "day", "cause"]
        conn.execute(insert(alert_changes).from_select(columns, change))
    gone = select(difference.c.alert_id, difference.c.customer_id).where(
        difference.c.kind == ChangeKind.LEFT.value
    )
    pair = tuple_(alert_matches.c.alert_id, alert_matches.c.customer_id)
    conn.execute(delete(alert_matches).where(pair.in_(gone)))
    new_matches = select(
        difference.c.alert_id, difference.c.customer_id, literal(at, DateTime(timezone=True))
    ).where(difference.c.kind == ChangeKind.ENTERED.value)
    conn.execute(
        insert(alert_matches).from_select(
            ["alert_id", "customer_id", "since"], new_matches.order_by(*by_customer)
        )
    )
    if quiet:  # the first computation: whatever was stored before, the count is the matches'
        mine = among(alert_matches.c.alert_id, evaluated)
        counted = select(alert_matches.c.alert_id, func.count()).where(mine)
        return {i: (n, 0) for i, n in conn.execute(counted.group_by(alert_matches.c.alert_id))}
    deltas: dict[int, list[int]] = {}
    per_alert = select(difference.c.alert_id, difference.c.kind, func.count()).group_by(
        difference.c.alert_id, difference.c.kind
    )
    for alert_id, kind, n in conn.execute(per_alert):
        deltas.setdefault(alert_id, [0, 0])[0 if kind == ChangeKind.ENTERED.value else 1] += n
    return {i: (e, lost) for i, (e, lost) in deltas.items()}


def _kind(kind: ChangeKind) -> Any:
    return literal(kind.value, String)


def _keep_states(
    conn: Connection, evaluated: list[int], before: Mapping[int, int], counts: Mapping[int, int]
) -> None:
    """Evaluated alerts are settled, with their new counts."""
    known = [i for i in evaluated if i in before]
    new = [{"alert_id": i, "match_count": counts.get(i, 0), "frozen": False}
           for i in evaluated if i not in before]  # fmt: skip
    if new:
        conn.execute(insert(alert_states), new)
    changed = [{"id": i, "n": counts[i]} for i in known if i in counts]
    if changed:
        conn.execute(
            update(alert_states)
            .where(alert_states.c.alert_id == bindparam("id"))
            .values(match_count=bindparam("n"), frozen=False),
            changed,
        )
    if known:
        conn.execute(
            update(alert_states)
            .where(among(alert_states.c.alert_id, known), alert_states.c.frozen.is_(True))
            .values(frozen=False)
        )


def _freeze(conn: Connection, failed: Mapping[int, str], today: date) -> None:
    """These alerts could not be evaluated: their membership is kept as it is. One never
    evaluated begins its history empty (it matches nothing in every answer meanwhile)."""
    ids = sorted(failed)
    frozen = among(alert_states.c.alert_id, ids)
    conn.execute(update(alert_states).where(frozen).values(frozen=True))
    stated = set(
        conn.execute(
            select(alert_states.c.alert_id).where(among(alert_states.c.alert_id, ids))
        ).scalars()
    )
    new = [{"alert_id": i, "match_count": 0, "frozen": True} for i in ids if i not in stated]
    if new:
        conn.execute(insert(alert_states), new)
        _write_daily_counts(conn, today, {row["alert_id"]: 0 for row in new})
    for alert_id, problem in failed.items():
        log.warning("alert %s cannot be evaluated, its membership is kept: %s", alert_id, problem)


def _write_daily_counts(conn: Connection, day: date, counts: Mapping[int, int]) -> None:
    if not counts:
        return
    rows = [{"alert_id": i, "day": day, "match_count": n} for i, n in counts.items()]
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    upsert = dialect.insert(alert_daily_counts)
    conn.execute(
        upsert.on_conflict_do_update(
            index_elements=["alert_id", "day"],
            set_={"match_count": upsert.excluded.match_count},
        ),
        rows,
    )


def forget_alert(conn: Connection, alert_id: int) -> None:
    """An alert is deleted: its matches and its whole history go, nothing is recorded."""
    bell_keys.forget_alert(conn, alert_id)
    for table in (alert_changes, alert_matches, alert_daily_counts, alert_seen, alert_states):
        conn.execute(delete(table).where(table.c.alert_id == alert_id))
