"""The SQL that reads recorded membership changes (SPEC §9: `Alert.changes`,
`Customer.alertChanges`, `Query.alertChanges`, `node` of an `AlertChange`).

Changes are listed newest first; changes sharing an `at` (one event) by account number,
then alert name, then the alert's public key (unique with the rest: one event changes a
pair once). The walk reads `ix_alert_changes_at` (everyone's), `ix_alert_changes_alert_at`
(one alert's) or `ix_alert_changes_customer_at` (one customer's) in `at` order; within one
event the rows are sorted by the joined account number and name.

Callers pass the viewer's visible alerts as a filter: a change of any other alert is never
read, counted nor found by its id (SPEC §4).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Row, false, func, select, tuple_, union_all
from sqlalchemy.engine import Connection

from graphql_api import keyset
from graphql_api.keyset import Page, Window
from graphql_api.sort_order import TEXT, Kind, Order, Term
from graphql_api.sql_functions import among
from graphql_api.storage import alert_changes, alerts, customers

# Each SELECT of a batched read is one parent's page (SQLite allows 500 terms in a UNION).
PARENTS_PER_STATEMENT = 400


def utc(moment: dt.datetime) -> dt.datetime:
    """SQLite gives timestamps back without their offset; they are stored in UTC."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)


def _moment(value: Any) -> dt.datetime:
    if not isinstance(value, str) or len(value) > 40:
        raise ValueError(value)
    return utc(dt.datetime.fromisoformat(value))


DATETIME = Kind("datetime", lambda v: utc(v).isoformat(), _moment)

ORDER = Order(
    "changes",
    (
        Term("at", alert_changes.c.at, DATETIME, descending=True),
        Term("account", customers.c.account_number, TEXT),
        Term("alert", alerts.c.name, TEXT),
        Term("key", alerts.c.public_id, TEXT),
    ),
)
SOURCE = alert_changes.join(customers, customers.c.id == alert_changes.c.customer_id).join(
    alerts, alerts.c.id == alert_changes.c.alert_id
)
COLUMNS = (
    alert_changes.c.alert_id,
    alert_changes.c.customer_id,
    alert_changes.c.kind,
    alert_changes.c.at,
    alert_changes.c.day,
    alert_changes.c.cause,
)


@dataclass(frozen=True)
class Change:
    alert_id: int
    customer_id: int
    kind: str
    at: dt.datetime
    day: dt.date
    cause: str

    @staticmethod
    def of(row: Row[Any]) -> Change:
        m = row._mapping
        return Change(
            m["alert_id"], m["customer_id"], m["kind"], utc(m["at"]), m["day"], m["cause"]
        )


def change_filters(
    alert_ids: Collection[int],
    since: dt.datetime | None = None,
    kind: str | None = None,
) -> list[ColumnElement[bool]]:
    """Changes of these alerts (the viewer's visible ones), at or after `since`, of `kind`."""
    found = [among(alert_changes.c.alert_id, sorted(alert_ids)) if alert_ids else false()]
    if since is not None:
        found.append(alert_changes.c.at >= utc(since).astimezone(dt.UTC))
    if kind is not None:
        found.append(alert_changes.c.kind == kind)
    return found


def changes_page(conn: Connection, filters: Sequence[ColumnElement[bool]], window: Window) -> Page:
    """One page of the changes meeting `filters`, with exact flags: one statement."""
    return keyset.read_page(
        conn, COLUMNS, SOURCE, alert_changes.c.id, filters, ORDER, window
    )


def first_pages(
    conn: Connection,
    parent: ColumnElement[int],
    parent_ids: Iterable[int],
    filters: Sequence[ColumnElement[bool]],
    size: int,
    forward: bool,
) -> dict[int, Page]:
    """For each parent (an alert, or a customer: `parent` is the column naming it), the first
    (`forward`) or last `size` of its changes meeting `filters`, without cursors: one
    statement per PARENTS_PER_STATEMENT parents, each parent's rows one limited index read."""
    walk = ORDER if forward else ORDER.reversed()
    wanted = sorted(set(parent_ids))
    rows: dict[int, list[Row[Any]]] = {p: [] for p in wanted}
    keys = ORDER.key_columns()
    for start in range(0, len(wanted), PARENTS_PER_STATEMENT):
        parts = [
            select(parent.label("parent"), *COLUMNS, *keys)
            .select_from(SOURCE)
            .where(parent == p, *filters)
            .order_by(*(t.ordered() for t in walk.terms))
            .limit(size + 1)
            for p in wanted[start : start + PARENTS_PER_STATEMENT]
        ]
        if not parts:
            continue
        merged = union_all(*(select(q.subquery()) for q in parts)).subquery()
        ordered = [
            t.ordered(merged.c[f"k{i}"]) for i, t in enumerate(walk.terms)
        ]  # the UNION's rows come back in no order: sorted again, per parent
        statement = select(merged).order_by(merged.c.parent, *ordered)
        for row in conn.execute(statement):
            rows[row.parent].append(row)
    pages = {}
    for p, found in rows.items():
        more = len(found) > size
        found = found[:size]
        if not forward:
            found.reverse()
        pages[p] = Page(found, has_previous=more and not forward, has_next=more and forward)
    return pages


def change_counts(
    conn: Connection,
    parent: ColumnElement[int],
    parent_ids: Iterable[int],
    filters: Sequence[ColumnElement[bool]],
) -> dict[int, int]:
    """How many changes meet `filters`, per parent: one statement."""
    wanted = sorted(set(parent_ids))
    found = dict.fromkeys(wanted, 0)
    if wanted:
        query = (
            select(parent, func.count())
            .where(among(parent, wanted), *filters)
            .group_by(parent)
        )
        found.update(dict(conn.execute(query).all()))
    return found


def change_count(conn: Connection, filters: Sequence[ColumnElement[bool]]) -> int:
    query = select(func.count()).select_from(alert_changes).where(*filters)
    return int(conn.execute(query).scalar_one())


def changes_by_keys(
    conn: Connection, keys: Collection[tuple[int, int, dt.datetime]]
) -> dict[tuple[int, int, dt.datetime], Change]:
    """The changes these (alert id, customer id, at) name, where they exist: one statement.
    The callers pass only alerts the viewer may see."""
    if not keys:
        return {}
    wanted = sorted(keys)
    query = select(*COLUMNS).where(
        among(alert_changes.c.alert_id, sorted({k[0] for k in wanted})),
        tuple_(alert_changes.c.alert_id, alert_changes.c.customer_id, alert_changes.c.at).in_(
            [(a, c, at) for a, c, at in wanted]
        ),
    )
    found = {}
    for row in conn.execute(query):
        change = Change.of(row)
        found[(change.alert_id, change.customer_id, change.at)] = change
    return found
