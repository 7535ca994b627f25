"""The SQL that reads bells from stored membership (SPEC §9): a page's bell entries, the
customers of one alert, and the worklist's filter and `BELL` order.

Every read is given the alerts it may answer with (the viewer's visible alerts that can be
evaluated, viewer_alerts.py): the matches of any other alert are never answered. A page's
entries are one range of `ix_alert_matches_customer` per customer (it holds `since`: the
table is not read); an alert's customers one probe of the primary key per customer walked.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_left
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import repeat
from typing import Any

from sqlalchemy import ColumnElement, and_, case, exists, false, func, select, true
from sqlalchemy.engine import Connection

from graphql_api.alerts import Level
from graphql_api.sql_functions import among
from graphql_api.storage import alert_matches, alert_seen, alerts, bell_keys, customers

# BELL's key in one integer: the highest level's rank, then how many entries (a bell never
# holds a million alerts), so that the order is one term and its cursor one number.
LEVEL_WEIGHT = 1_000_000
RANKS = case(
    *((alerts.c.level == level.value, level.rank + 1) for level in Level), else_=0
)


class Matches:
    """The alerts a customer matches among those asked, in the order asked (`alert_ids`),
    and since when each match began (`since`). The moments are read only when asked (for the
    whole page at once, `PageSinces`): a bell page that lists only alerts reads none."""

    __slots__ = ("_customer_id", "_page", "_parsed", "alert_ids")

    def __init__(
        self, alert_ids: list[int], customer_id: int = 0, page: PageSinces | None = None
    ) -> None:
        self.alert_ids = alert_ids
        self._customer_id = customer_id
        self._page = page
        self._parsed: dict[int, Any] | None = None

    def since(self, alert_id: int) -> dt.datetime:
        """When the customer's match of one of `alert_ids` began."""
        if self._parsed is None:
            assert self._page is not None, "no customer matches nothing since"
            self._parsed = self._page.sinces(self._customer_id)
        return moment(self._parsed[alert_id])


NO_MATCHES = Matches([])


class PageSinces:
    """Since when each match of a page's customers began, by customer and alert: one
    statement, on the first that is asked (in the request's transaction that read the page's
    matches, so the same matches)."""

    def __init__(self, conn: Connection, customer_ids: Sequence[int]) -> None:
        self._conn = conn
        self._customer_ids = customer_ids
        self._found: dict[int, dict[int, Any]] | None = None

    def sinces(self, customer_id: int) -> dict[int, Any]:
        if self._found is None:
            self._found = self._read()
        return self._found.get(customer_id, {})

    def _read(self) -> dict[int, dict[int, Any]]:
        conn, found = self._conn, {}
        if conn.dialect.name == "postgresql":
            # in the same order, as the standard says of aggregates with the same ORDER BY
            read = (
                "SELECT customer_id, array_agg(alert_id ORDER BY alert_id), "
                "array_agg(since ORDER BY alert_id) FROM alert_matches"
            )
            for customer_id, ids, sinces in driver_rows(
                conn, read, "customer_id", self._customer_ids, "GROUP BY customer_id"
            ):
                found[customer_id] = dict(zip(ids, sinces, strict=True))
            return found
        # One aggregate of "alert=since" pairs: SQLite does not promise that two aggregates
        # of a group see its rows in the same order. Neither an id nor a moment has "=" or ",".
        read = "SELECT customer_id, group_concat(alert_id || '=' || since) FROM alert_matches"
        for customer_id, pairs in driver_rows(
            conn, read, "customer_id", self._customer_ids, "GROUP BY customer_id"
        ):
            split = (pair.partition("=") for pair in pairs.split(","))
            found[customer_id] = {int(alert_id): since for alert_id, _, since in split}
        return found


def bell_entries(
    conn: Connection, customer_ids: Sequence[int], order: Mapping[int, int]
) -> dict[int, Matches]:
    """Per customer, the alerts among `order` it matches, in the order `order` gives them
    (alert id -> position, from 0 up): one statement, one row per customer (since when each match
    began is read when first asked, `PageSinces`).

    The statement reads each customer's whole range of the index, and the alerts are kept
    here: as a second IN list the database would probe the index once per customer and
    alert (100 alerts: 5,000 probes for a page), far more than the few rows it skips. Each
    customer's matches come aggregated (SQLite: as text; PostgreSQL: as arrays), so that a
    page's 1,500 matches cost 50 rows, and are kept and sorted without a Python loop."""
    found = dict.fromkeys(customer_ids, NO_MATCHES)
    if not customer_ids or not order:
        return found
    page = PageSinces(conn, customer_ids)
    # Each customer's alerts become their positions (-1: not among `order`), sorted as plain
    # integers and mapped back, all in C: a key function and a filter called per match cost
    # 2% of a page (1,500 matches).
    alert_at = sorted(order, key=order.__getitem__)
    if conn.dialect.name == "postgresql":
        read = "SELECT customer_id, array_agg(alert_id) FROM alert_matches"
        positions = order
    else:
        read = "SELECT customer_id, group_concat(alert_id) FROM alert_matches"
        positions = {str(alert_id): n for alert_id, n in order.items()}
    for customer_id, ids in driver_rows(conn, read, "customer_id", customer_ids,
                                        "GROUP BY customer_id"):  # fmt: skip
        if isinstance(ids, str):
            ids = ids.split(",")
        ranked = sorted(map(positions.get, ids, repeat(-1)))
        kept = ranked[bisect_left(ranked, 0) :]
        found[customer_id] = Matches(list(map(alert_at.__getitem__, kept)), customer_id, page)
    return found


def driver_rows(
    conn: Connection, read: str, column: str, ids: Sequence[int], tail: str = ""
) -> list[tuple[Any, ...]]:
    """The rows of `read` (a SELECT without WHERE) whose `column` is among `ids`, then
    `tail` (a GROUP BY, say), run on the driver's cursor in the request's transaction: for
    the rows a page reads, SQLAlchemy's statement and result cost as much as the database's
    reading them. The ids are bound in the driver's own style: PostgreSQL as one array,
    SQLite one each."""
    if conn.dialect.name == "postgresql":
        sql, parameters = f"{read} WHERE {column} = ANY(%s) {tail}", (list(ids),)
    else:
        marks = ", ".join("?" * len(ids))
        sql, parameters = f"{read} WHERE {column} IN ({marks}) {tail}", list(ids)
    cursor = conn.connection.cursor()
    try:
        cursor.execute(sql, parameters)
        return list(cursor.fetchall())
    finally:
        cursor.close()


def moment(since: dt.datetime | str) -> dt.datetime:
    """A `since` as the database gives it, as an aware datetime."""
    if isinstance(since, str):  # SQLite's text, in UTC
        return dt.datetime.fromisoformat(since).replace(tzinfo=dt.UTC)
    return since if since.tzinfo is not None else since.replace(tzinfo=dt.UTC)


# Below this many matches, an alert's customers are read from its matches and sorted;
# above, by walking the customers in order and probing each (a page of 50 then walks about
# 50 × customers / matches of them: with 100,000 customers, 2,500 probes at most).
FEW_MATCHES = 2_000


def matches_alert(alert_id: int | None, match_count: int = 0) -> ColumnElement[bool]:
    """The customer matches the alert (None: an alert that matches nothing), written for
    the plan its `match_count` calls for: SQLite (and a planner guessing) drives an IN from
    the alert's few matches, and walks the customers' order with an EXISTS."""
    if alert_id is None:
        return false()
    if match_count <= FEW_MATCHES:
        mine = select(alert_matches.c.customer_id).where(alert_matches.c.alert_id == alert_id)
        return customers.c.id.in_(mine)
    return exists().where(
        alert_matches.c.alert_id == alert_id, alert_matches.c.customer_id == customers.c.id
    )





@dataclass(frozen=True)
class EntryConditions:
    """Which bell entries count: those of `alert_ids` (already narrowed by tab, level and the
    ids asked for), and with `new_only`, those that began after `user_id`'s seenAt."""

    alert_ids: tuple[int, ...]
    new_only: bool = False
    user_id: int = 0

    def _where(self) -> list[ColumnElement[bool]]:
        if not self.alert_ids:
            return [false()]
        found: list[ColumnElement[bool]] = [among(alert_matches.c.alert_id, list(self.alert_ids))]
        if self.new_only:
            seen = (
                select(alert_seen.c.seen_at)
                .where(
                    alert_seen.c.user_id == self.user_id,
                    alert_seen.c.alert_id == alert_matches.c.alert_id,
                )
                .scalar_subquery()
            )
            found.append(func.coalesce(alert_matches.c.since > seen, true()))
        return found

    def any_entry(self) -> ColumnElement[bool]:
        """The customer has at least one such entry."""
        return exists().where(alert_matches.c.customer_id == customers.c.id, *self._where())

    def ordering_keys(self) -> Any:
        """Per customer with such entries, its key (`bell_key`): the highest level of its
        entries, then how many (customers with none have no row)."""
        keys = (
            select(
                alert_matches.c.customer_id,
                (func.max(RANKS) * LEVEL_WEIGHT + func.count()).label("bell_key"),
            )
            .select_from(alert_matches.join(alerts, alerts.c.id == alert_matches.c.alert_id))
            .where(*self._where())
            .group_by(alert_matches.c.customer_id)
            .cte("bell_keys")
        )
        return keys


@dataclass(frozen=True)
class StoredKeys:
    """The keys of `user_id`'s bell in `tab` as bell_keys.py keeps them: what
    `EntryConditions(the viewer's alerts of the tab).ordering_keys()` groups, read from
    `ix_bell_keys_order` (a page in BELL order is one range of it)."""

    user_id: int
    tab: str

    @property
    def keys(self) -> Any:
        return bell_keys

    @property
    def account(self) -> ColumnElement[Any]:
        return bell_keys.c.account_number

    def _mine(self) -> list[ColumnElement[bool]]:
        return [bell_keys.c.user_id == self.user_id, bell_keys.c.tab == self.tab]

    def joined(self) -> ColumnElement[bool]:
        """The join of customers to their keys."""
        return and_(bell_keys.c.customer_id == customers.c.id, *self._mine())

    def any_entry(self) -> ColumnElement[bool]:
        """The customer has at least one entry in the tab."""
        return exists().where(bell_keys.c.customer_id == customers.c.id, *self._mine())
