"""Alerts evaluated over the whole ledger for membership (membership.py), in SQL.

`evaluate_difference` writes what an event changed into a temporary table: per chunk of
alerts, one pass over the customers computes a bit mask of the alerts each matches now and
one of the alerts it is stored in; only customers whose masks differ are kept, and unpacked
into (alert, customer, ENTERED or LEFT). `evaluate` fills a temporary table with every match,
which `dso-alerts check` compares with the stored ones (a second, independent form of the
same conditions: one SELECT per alert). `evaluate_into_matches` writes the matches of
alerts with none stored (a creation) straight into `alert_matches`.

Measured on the bench (10,000 customers, 100 alerts, SQLite, CPU), a diff of every alert:
992 ms by writing every match into a table and comparing the two tables pair by pair,
372 ms by the masks; a new day 688 → 458 ms. How the masks are built (alert_bits.py):
identical ITEM criteria share one EXISTS, and a stored match's bit is a shift over a window
of alert ids; a new day's masks statements (54 alerts), alone: 10k 222 → 184 ms, 100k
2,649 → 2,076 ms; the import's (100 alerts) 10k 302 → 233 ms.

Where the masks statement's time goes at 100,000 customers (new day, SQLite, CPU): about
900 ms the EXISTS, 900 ms the stored masks (two windows), 340 ms the CUSTOMER conditions.
Both the EXISTS and the stored masks cost mostly their seeks (a correlated subquery's
seek in a large index: about 3 µs at 100k, 1.8 µs at 10k; reading all 2.6M stored
matches in index order takes 100 ms). Tried, and slower or no better: the stored masks
of every window from one GROUP BY scan, joined to the customers (a subquery: slower; a
temporary table keyed by customer: 2,023 against 2,182 ms once, 2,232 against 2,065 ms
the next); both windows' stored masks in one subquery compared as a row value (10k 225
against 182 ms, 100k 2,545 against 2,050 ms); a lookup of a match's bit by
instr(char(alert_id)) (1,253 against 775 ms for the CASE tree).

On a new day, only the alerts that may change with the day alone are evaluated
(day_dependence.py).

On PostgreSQL, at 100,000 customers, a new day's masks statement (54 alerts) costs about
1,000 ms CPU in the pass over the open items, 430 in the stored masks and 170 in the
CUSTOMER conditions: the masks are therefore read by a SELECT of their own, which
PostgreSQL runs in parallel (an INSERT … SELECT never is), and written back from their rows
(`_write_masks`). Tried, and slower: one EXISTS per ITEM criteria (3,850 against 1,860 ms
CPU), the items' flags as one bit mask per item OR-ed per customer (1,790 against 1,080 ms
for the pass); JIT off with no parallel workers changes nothing measurable.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from contextlib import contextmanager, nullcontext
from datetime import date, datetime
from functools import partial
from typing import Any

from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Integer,
    MetaData,
    String,
    Table,
    bindparam,
    case,
    cast,
    delete,
    func,
    insert,
    literal,
    select,
    union_all,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.engine import Connection, Dialect
from sqlalchemy.schema import CreateTable

from graphql_api import alert_bits, alert_conditions, sql_faults
from graphql_api.criteria import load_criteria
from graphql_api.evaluation import Compiled, compile_criteria, ledger_for
from graphql_api.plugins import CriteriaRegistry
from graphql_api.sql_functions import among
from graphql_api.storage import (
    alert_matches,
    alert_states,
    alerts,
    customers,
)


class ChangeKind(enum.Enum):
    ENTERED = "ENTERED"
    LEFT = "LEFT"


# Alerts per INSERT … SELECT: a UNION ALL of one SELECT per alert (SQLite allows 500 terms).
ALERTS_PER_STATEMENT = 100

# The fresh evaluation, per transaction: a temporary table (PostgreSQL empties it at commit;
# on SQLite it lives with the connection and is emptied before and after each use).
_scratch = MetaData()
fresh = Table(
    "membership_fresh",
    _scratch,
    Column("alert_id", Integer, primary_key=True),
    Column("customer_id", Integer, primary_key=True),
    prefixes=["TEMPORARY"],
    postgresql_on_commit="DELETE ROWS",
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
    postgresql_on_commit="DELETE ROWS",
)


# An event's evaluation, one chunk of alerts at a time: per customer, a bit per alert of the
# chunk, for the alerts it matches now and for those it is stored in, both in one pass over the
# customers; only the customers whose two masks differ are kept, and their bits unpacked into
# the difference. The stored matches are read once, in customer order through their index,
# and nothing is written per match that did not change: writing every match into a table
# (and its index) and comparing the two tables pair by pair was most of an event's time.
ALERTS_PER_MASK = alert_bits.BITS
FEW_ALERTS = 4
changed_masks = Table(
    "membership_masks",
    _scratch,
    Column("customer_id", Integer, primary_key=True, autoincrement=False),
    Column("now", BigInteger, nullable=False),
    Column("stored", BigInteger, nullable=False),
    prefixes=["TEMPORARY"],
    postgresql_on_commit="DELETE ROWS",
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


def _prepare(conn: Connection) -> None:
    for table in (fresh, difference, changed_masks):
        conn.execute(CreateTable(table, if_not_exists=True))
    empty_fresh(conn)


def evaluate(
    conn: Connection,
    compiled: Mapping[int, Compiled],
    today: date,
    customer_ids: Sequence[int] | None = None,
) -> dict[int, str]:
    """Fill the fresh table with each alert's matches (among `customer_ids` when given).

    Answers the alerts that could not be evaluated, and why: their criteria's problems, or
    their SQL failing in the database (found by halves in savepoints, sql_faults.py)."""

    def run(part: Mapping[int, Compiled]) -> None:
        matches = alert_conditions.matches_of(part, customer_ids, conn.dialect)
        conn.execute(insert(fresh).from_select(["alert_id", "customer_id"], matches))

    return _run_chunks(conn, compiled, today, customer_ids, run)


def evaluate_difference(
    conn: Connection,
    compiled: Mapping[int, Compiled],
    today: date,
    customer_ids: Sequence[int] | None = None,
) -> dict[int, str]:
    """Fill the difference table with what changed for each alert (among `customer_ids`
    when given): its stored matches that no longer match (LEFT), and the customers that
    match now and are not stored (ENTERED). Answers the alerts that could not be evaluated,
    as `evaluate`; their difference is not written."""

    def run(part: Mapping[int, Compiled]) -> None:
        conn.execute(delete(changed_masks))
        changed = _changed_customers(part, customer_ids, conn.dialect)
        _write_masks(conn, changed, whole_ledger=customer_ids is None)
        into = ["alert_id", "customer_id", "kind"]
        positions = alert_bits.bit_positions(list(part))
        conn.execute(insert(difference).from_select(into, _unpacked(positions)))

    split = partial(alert_bits.mask_chunks, dialect=conn.dialect)
    return _run_chunks(conn, compiled, today, customer_ids, run, split=split)


def _changed_customers(
    conditions: Mapping[int, Compiled], customer_ids: Sequence[int] | None, dialect: Dialect
) -> Any:
    """(customer id, mask now, mask stored) of the customers (among `customer_ids`) whose
    matches among these alerts changed; bit n is the n-th alert (alert_bits.py)."""
    source, item_flags = alert_conditions.item_flags(conditions, customer_ids, dialect, outer=True)
    ids = list(conditions)
    positions = alert_bits.bit_positions(ids)
    stored_sum, stored_rows_of = alert_bits.stored_mask(positions, dialect)
    # Every stored match of the customers is read (the CASE gives 0 to other alerts' ones),
    # but for a few alerts (one saved): theirs only, through the primary key.
    few = [among(alert_matches.c.alert_id, ids)] if len(ids) <= FEW_ALERTS else []
    if dialect.name == "postgresql":  # hashed once for all customers
        stored_rows = select(
            alert_matches.c.customer_id, cast(stored_sum, BigInteger).label("mask")
        ).where(*few, *stored_rows_of)
        if customer_ids is not None:
            stored_rows = stored_rows.where(among(alert_matches.c.customer_id, list(customer_ids)))
        grouped = stored_rows.group_by(alert_matches.c.customer_id).subquery("stored")
        source = source.outerjoin(grouped, grouped.c.customer_id == customers.c.id)
        stored_mask = func.coalesce(grouped.c.mask, 0)
    else:  # each customer's matches in its index (ix_alert_matches_customer), in order
        stored_mask = func.coalesce(
            select(stored_sum)
            .where(alert_matches.c.customer_id == customers.c.id, *few, *stored_rows_of)
            .scalar_subquery(),
            0,
        )
    masks = select(
        customers.c.id.label("customer_id"),
        alert_bits.now_mask(conditions, positions, item_flags, dialect).label("now"),
        stored_mask.label("stored"),
    ).select_from(source)
    if customer_ids is not None:
        masks = masks.where(among(customers.c.id, list(customer_ids)))
    both = masks.subquery("masks")
    return select(both.c.customer_id, both.c.now, both.c.stored).where(both.c.now != both.c.stored)


_MASK_TYPES = {"customer_id": Integer(), "now": BigInteger(), "stored": BigInteger()}


def _write_masks(conn: Connection, changed: Any, *, whole_ledger: bool) -> None:
    """Write the changed customers' masks. On PostgreSQL the SELECT is run alone and its rows
    (usually few) written back in one statement: an INSERT … SELECT never runs in parallel,
    a SELECT does, and the items' and the stored matches' passes are most of an event's
    time. Without JIT: compiled again in each parallel worker, it cost more than it saved.
    Bench, 100,000 customers, a new day's 54 alerts, alone (CPU of every process, wall):
    serial 2,090 ms CPU and wall; parallel, JIT on, 3,080 ms CPU, 2,200 ms wall; parallel,
    JIT off, 2,300 ms CPU, 1,550 ms wall, on a loaded machine."""
    columns = list(_MASK_TYPES)
    if conn.dialect.name != "postgresql":
        conn.execute(insert(changed_masks).from_select(columns, changed))
        return
    # A few customers (a reminder) cost far less than what JIT compiles for.
    with _without_jit(conn) if whole_ledger else nullcontext():
        found = conn.execute(changed).all()
    if found:
        arrays = (
            bindparam(name, [row[n] for row in found], type_=ARRAY(kind))
            for n, (name, kind) in enumerate(_MASK_TYPES.items())
        )
        given = select(func.unnest(*arrays).table_valued(*columns).render_derived("given"))
        conn.execute(insert(changed_masks).from_select(columns, given))


@contextmanager
def _without_jit(conn: Connection) -> Iterator[None]:
    """PostgreSQL's JIT off for the statements run inside, as it was after. Not put back
    when they fail: the transaction cannot run a statement then, and its rollback (or the
    savepoint's) puts the setting back."""
    jit = conn.exec_driver_sql("SELECT current_setting('jit'), set_config('jit', 'off', true)")
    before = jit.scalar_one()
    yield
    conn.execute(select(func.set_config("jit", before, True)))


def _unpacked(positions: Mapping[int, int]) -> Any:
    """(alert id, customer id, kind) of every change, from the changed customers' masks."""
    now, stored = changed_masks.c.now, changed_masks.c.stored
    terms = []
    for alert_id, n in positions.items():
        bit = alert_bits.bit(n)
        kind = case(
            (now.bitwise_and(bit) != 0, ChangeKind.ENTERED.value), else_=ChangeKind.LEFT.value
        )
        terms.append(
            select(literal(alert_id, Integer), changed_masks.c.customer_id, kind).where(
                now.bitwise_and(bit) != stored.bitwise_and(bit)
            )
        )
    return union_all(*terms)


def evaluate_into_matches(
    conn: Connection, compiled: Mapping[int, Compiled], today: date, at: datetime
) -> dict[int, str]:
    """Write the matches of alerts that have none stored (never evaluated) straight into
    `alert_matches`, since `at`. Answers the alerts that could not be evaluated (as
    `evaluate`); theirs are not written."""

    def run(part: Mapping[int, Compiled]) -> None:
        matches = alert_conditions.matches_of(part, None, conn.dialect).subquery()
        rows = select(matches.c[0], matches.c[1], literal(at, DateTime(timezone=True)))
        conn.execute(insert(alert_matches).from_select(["alert_id", "customer_id", "since"], rows))

    return _run_chunks(conn, compiled, today, None, run, prepare=False)


def _run_chunks(
    conn: Connection,
    compiled: Mapping[int, Compiled],
    today: date,
    customer_ids: Sequence[int] | None,
    run: Callable[[Mapping[int, Compiled]], None],
    *,
    prepare: bool = True,
    split: Callable[[list[int]], list[list[int]]] | None = None,
) -> dict[int, str]:
    if prepare:
        _prepare(conn)
    failed = {i: "; ".join(c.problems) for i, c in compiled.items() if c.problems}
    usable = [i for i in compiled if i not in failed]
    split = split or (lambda ids: alert_bits.chunks(ids, ALERTS_PER_STATEMENT))
    for part in split(usable):
        chunk = {i: compiled[i] for i in part}
        failed.update(_guarded(conn, chunk, today, customer_ids, run))
    return failed


def _guarded(
    conn: Connection,
    chunk: Mapping[int, Compiled],
    today: date,
    customer_ids: Sequence[int] | None,
    run: Callable[[Mapping[int, Compiled]], None],
) -> dict[int, str]:
    """`run` the chunk in a savepoint; when the database rejects it, the alerts at fault are
    found (sql_faults.py) and the others run."""
    dialect = conn.dialect

    def probe(conn: Connection, conditions: Mapping[Any, Compiled]) -> object:
        # By position: `failing` also probes one criterion alone, keyed by its name.
        by_position = dict(enumerate(conditions.values()))
        matches = alert_conditions.matches_of(by_position, customer_ids, dialect)
        return conn.execute(select(func.count()).select_from(matches.subquery())).scalar()

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
        conn.exec_driver_sql("TRUNCATE membership_fresh, membership_diff, membership_masks")
    else:
        conn.execute(delete(fresh))
        conn.execute(delete(difference))
        conn.execute(delete(changed_masks))
