"""Membership as data (SPEC §9): which customers match each alert, since when, and every
change recorded with its cause.

An event (an import, a reminder logged or deleted, an alert saved, a new day) evaluates
some alerts over some customers with the alerts' compiled SQL (evaluation.py) into a
temporary table, one INSERT … SELECT per hundred alerts, and diffs it with the stored
matches in SQL: the changes are written, then the matches follow them, then each alert's
count. Nothing is read into Python per customer, and everything happens in the caller's
transaction: a rolled-back event leaves membership and history as they were.

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
    Column,
    Date,
    DateTime,
    Integer,
    MetaData,
    String,
    Table,
    bindparam,
    delete,
    exists,
    func,
    insert,
    literal,
    select,
    tuple_,
    union_all,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection

from graphql_api import sql_faults
from graphql_api.criteria import load_criteria
from graphql_api.evaluation import CUSTOMER_BASE, OPEN, Compiled, compile_criteria, ledger_for
from graphql_api.plugins import CriteriaRegistry
from graphql_api.sql_functions import among
from graphql_api.storage import (
    alert_changes,
    alert_daily_counts,
    alert_matches,
    alert_seen,
    alert_states,
    alerts,
    customers,
    items,
)

log = logging.getLogger(__name__)

# Alerts per INSERT … SELECT: a UNION ALL of one SELECT per alert (SQLite allows 500 terms).
ALERTS_PER_STATEMENT = 100
# Up to this many alerts with ITEM criteria, each is evaluated by its own EXISTS, which reads
# a customer's open items in their covering index (storage.ix_items_open) and stops at the
# first that meets it; beyond, by one pass over every open item computing each alert's flag
# per customer, which costs as much for one alert as for 34. Measured on the bench (2,000
# customers, 34 item alerts, CPU): SQLite 64 ms by EXISTS against 135 ms by the pass;
# PostgreSQL, whose EXISTS are hashed or looped per alert, 132 against 104 ms.
EXISTS_UP_TO = {"sqlite": 10_000, "postgresql": 3}


class Cause(enum.Enum):
    IMPORT = "IMPORT"
    REMINDER = "REMINDER"
    ALERT_SAVED = "ALERT_SAVED"
    NEW_DAY = "NEW_DAY"


class ChangeKind(enum.Enum):
    ENTERED = "ENTERED"
    LEFT = "LEFT"


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


# The fresh evaluation, per transaction: a temporary table (PostgreSQL empties it at commit;
# on SQLite it lives with the connection and is emptied before and after each use).
_scratch = MetaData()
fresh = Table(
    "membership_fresh",
    _scratch,
    Column("alert_id", Integer, primary_key=True),
    Column("customer_id", Integer, primary_key=True),
    prefixes=["TEMPORARY"],
)
_FRESH_DDL = (
    "CREATE TEMPORARY TABLE IF NOT EXISTS membership_fresh (alert_id INTEGER NOT NULL, "
    "customer_id INTEGER NOT NULL, PRIMARY KEY (alert_id, customer_id))"
)
# The difference between the stored matches and the fresh ones, found in one pass over each
# (and usually small): the changes, the deletions and the new matches are written from it.
difference = Table(
    "membership_diff",
    _scratch,
    Column("alert_id", Integer, nullable=False),
    Column("customer_id", Integer, nullable=False),
    Column("kind", String(7), nullable=False),
    prefixes=["TEMPORARY"],
)
_DIFF_DDL = (
    "CREATE TEMPORARY TABLE IF NOT EXISTS membership_diff (alert_id INTEGER NOT NULL, "
    "customer_id INTEGER NOT NULL, kind VARCHAR(7) NOT NULL)"
)


def compile_alerts(
    conn: Connection, registry: CriteriaRegistry, today: date, alert_ids: Collection[int] | None
) -> dict[int, Compiled]:
    """The alerts (all when None), each compiled for `today` (see evaluation.compile_criteria)."""
    query = select(alerts.c.id, alerts.c.criteria).order_by(alerts.c.id)
    if alert_ids is not None:
        query = query.where(among(alerts.c.id, sorted(alert_ids)))
    ledger = ledger_for(today)
    return {
        row.id: compile_criteria(load_criteria(registry, row.criteria), ledger)
        for row in conn.execute(query)
    }


def settled_alerts(conn: Connection) -> list[int]:
    """The alerts whose membership is kept by every event: evaluated, and not frozen."""
    query = select(alert_states.c.alert_id).where(alert_states.c.frozen.is_(False))
    return list(conn.execute(query.order_by(alert_states.c.alert_id)).scalars())


def evaluate(
    conn: Connection,
    compiled: Mapping[int, Compiled],
    today: date,
    customer_ids: Sequence[int] | None = None,
) -> dict[int, str]:
    """Fill the fresh table with each alert's matches (among `customer_ids` when given).

    Answers the alerts that could not be evaluated, and why: their criteria's problems, or
    their SQL failing in the database (found by halves in savepoints, sql_faults.py)."""
    at_commit = " ON COMMIT DELETE ROWS" if conn.dialect.name == "postgresql" else ""
    conn.exec_driver_sql(_FRESH_DDL + at_commit)
    conn.exec_driver_sql(_DIFF_DDL + at_commit)
    empty_fresh(conn)
    failed = {i: "; ".join(c.problems) for i, c in compiled.items() if c.problems}
    usable = [i for i in compiled if i not in failed]
    for start in range(0, len(usable), ALERTS_PER_STATEMENT):
        chunk = {i: compiled[i] for i in usable[start : start + ALERTS_PER_STATEMENT]}
        failed.update(_fill(conn, chunk, today, customer_ids))
    return failed


def _fill(
    conn: Connection,
    chunk: Mapping[int, Compiled],
    today: date,
    customer_ids: Sequence[int] | None,
) -> dict[int, str]:
    dialect = conn.dialect.name

    def probe(conn: Connection, conditions: Mapping[Any, Compiled]) -> object:
        # By position: `failing` also probes one criterion alone, keyed by its name.
        matches = _matches_of(dict(enumerate(conditions.values())), customer_ids, dialect)
        return conn.execute(select(func.count()).select_from(matches.subquery())).scalar()

    def run(part: Mapping[int, Compiled]) -> None:
        columns = ["alert_id", "customer_id"]
        conn.execute(insert(fresh).from_select(columns, _matches_of(part, customer_ids, dialect)))

    try:
        with conn.begin_nested():
            run(chunk)
        return {}
    except Exception as error:
        if not sql_faults.is_sql_failure(error, conn.dialect):
            raise
        broken = sql_faults.failing(conn, ledger_for(today), chunk, probe)
        if not broken:
            raise
        rest = {i: c for i, c in chunk.items() if i not in broken}
        if rest:
            run(rest)
        return broken


def empty_fresh(conn: Connection) -> None:
    """Empty the fresh and difference tables. PostgreSQL truncates them: deleted rows would
    stay in them (and the index) until the transaction ends, and an import or a demo makes
    many events in one."""
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql("TRUNCATE membership_fresh, membership_diff")
    else:
        conn.execute(delete(fresh))
        conn.execute(delete(difference))


def _matches_of(
    conditions: Mapping[int, Compiled], customer_ids: Sequence[int] | None, dialect: str
) -> Any:
    """(alert id, customer id) of every match of these alerts: one UNION ALL.

    ITEM criteria of many alerts are read in one pass over the open items, which computes
    every alert's item flag per customer, instead of one correlated EXISTS per alert and
    customer; those of a few alerts (an alert saved) by their EXISTS, which reads only each
    customer's items through the index and stops at the first that meets them."""
    scope = [] if customer_ids is None else [among(customers.c.id, list(customer_ids))]
    with_items = {i: c.item_part for i, c in conditions.items() if c.item_part is not None}
    if len(with_items) <= EXISTS_UP_TO.get(dialect, 3):
        with_items = {}  # each alert's own EXISTS, below
    source: Any = CUSTOMER_BASE
    flags: dict[int, Any] = {}
    if with_items:
        either = func.bool_or if dialect == "postgresql" else func.max
        per_customer = select(
            items.c.customer_id, *(either(part).label(f"i{i}") for i, part in with_items.items())
        ).where(OPEN)
        if customer_ids is not None:
            per_customer = per_customer.where(among(items.c.customer_id, list(customer_ids)))
        item_flags = per_customer.group_by(items.c.customer_id).cte("item_flags")
        source = CUSTOMER_BASE.join(item_flags, item_flags.c.customer_id == customers.c.id)
        flags = {i: item_flags.c[f"i{i}"] for i in with_items}
    selects = [
        select(literal(alert_id, Integer), customers.c.id)
        .select_from(source if alert_id in flags else CUSTOMER_BASE)
        .where(
            *(
                (compiled.customer_part, flags[alert_id])
                if alert_id in flags
                else (compiled.condition,)
            ),
            *scope,
        )
        for alert_id, compiled in conditions.items()
    ]
    return selects[0] if len(selects) == 1 else union_all(*selects)


def record(
    conn: Connection,
    registry: CriteriaRegistry,
    today: date,
    cause: Cause,
    *,
    alert_ids: Collection[int] | None = None,
    customer_ids: Sequence[int] | None = None,
    quiet: bool = False,
) -> Recorded:
    """Evaluate alerts over customers and record the difference as one event of `cause`.

    `alert_ids`: these alerts whatever their state (saved, or thawed); None: every settled
    alert. `customer_ids`: only these customers (a reminder); None: all. `quiet`: write the
    matches but no change (the very first computation of a database's membership)."""
    at = datetime.now(UTC)
    targets = settled_alerts(conn) if alert_ids is None else list(alert_ids)
    compiled = compile_alerts(conn, registry, today, targets)
    failed = evaluate(conn, compiled, today, customer_ids)
    evaluated = [i for i in compiled if i not in failed]
    if failed:
        _freeze(conn, failed, today)
    if not evaluated:
        return Recorded(cause, at, today, frozen=failed)
    before = dict(
        conn.execute(
            select(alert_states.c.alert_id, alert_states.c.match_count).where(
                among(alert_states.c.alert_id, evaluated)
            )
        ).all()
    )
    deltas = _diff(conn, evaluated, customer_ids, cause, at, today, quiet)
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


def _diff(
    conn: Connection,
    evaluated: list[int],
    customer_ids: Sequence[int] | None,
    cause: Cause,
    at: datetime,
    today: date,
    quiet: bool,
) -> dict[int, tuple[int, int]]:
    """Stored matches of `evaluated` (among `customer_ids`) made equal to the fresh table;
    the changes written first (unless `quiet`). Per alert that changed: (entered, left).

    The stored matches and the fresh ones are each read once, into the difference table;
    everything else is written from it (a day usually changes a few matches of many)."""
    scope = [among(alert_matches.c.alert_id, evaluated)]
    if customer_ids is not None:
        scope.append(among(alert_matches.c.customer_id, list(customer_ids)))
    still_fresh = exists().where(
        fresh.c.alert_id == alert_matches.c.alert_id,
        fresh.c.customer_id == alert_matches.c.customer_id,
    )
    stored = exists().where(
        alert_matches.c.alert_id == fresh.c.alert_id,
        alert_matches.c.customer_id == fresh.c.customer_id,
        scope[0],  # said again: the planner reads these alerts' matches only
    )
    into_difference = ["alert_id", "customer_id", "kind"]
    left = select(
        alert_matches.c.alert_id, alert_matches.c.customer_id, _kind(ChangeKind.LEFT)
    ).where(*scope, ~still_fresh)
    conn.execute(insert(difference).from_select(into_difference, left))
    entered = select(fresh.c.alert_id, fresh.c.customer_id, _kind(ChangeKind.ENTERED))
    conn.execute(insert(difference).from_select(into_difference, entered.where(~stored)))
    if not quiet:
        change = select(
            difference.c.alert_id,
            difference.c.customer_id,
            difference.c.kind,
            literal(at, DateTime(timezone=True)),
            literal(today, Date),
            literal(cause.value, String),
        )
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
        insert(alert_matches).from_select(["alert_id", "customer_id", "since"], new_matches)
    )
    if quiet:  # the first computation: whatever was stored before, the count is the matches'
        counted = select(alert_matches.c.alert_id, func.count()).where(scope[0])
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
    for table in (alert_changes, alert_matches, alert_daily_counts, alert_seen, alert_states):
        conn.execute(delete(table).where(table.c.alert_id == alert_id))
