"""The SQL that reads bells from stored membership (SPEC §9): a page's bell entries, the
customers of one alert, and the worklist's filter and `BELL` order.

Every read names the alerts it may read (the viewer's visible alerts that can be evaluated,
viewer_alerts.py): the matches of any other alert are never read. A page's entries are one
range of `ix_alert_matches_customer` per customer (it holds `since`: the table is not
read); an alert's customers one probe of the primary key per customer walked.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, case, exists, false, func, select, true
from sqlalchemy.engine import Connection

from graphql_api.alerts import Level
from graphql_api.change_queries import utc
from graphql_api.sql_functions import among
from graphql_api.storage import alert_matches, alert_seen, alerts, customers

# BELL's key in one integer: the highest level's rank, then how many entries (a bell never
# holds a million alerts), so that the order is one term and its cursor one number.
LEVEL_WEIGHT = 1_000_000
RANKS = case(
    *((alerts.c.level == level.value, level.rank + 1) for level in Level), else_=0
)


def bell_entries(
    conn: Connection, customer_ids: Sequence[int], alert_ids: Collection[int]
) -> dict[int, dict[int, dt.datetime]]:
    """Per customer, the alerts among `alert_ids` it matches and since when: one statement."""
    found: dict[int, dict[int, dt.datetime]] = {cid: {} for cid in customer_ids}
    if not customer_ids or not alert_ids:
        return found
    query = select(
        alert_matches.c.customer_id, alert_matches.c.alert_id, alert_matches.c.since
    ).where(
        among(alert_matches.c.customer_id, list(customer_ids)),
        among(alert_matches.c.alert_id, sorted(alert_ids)),
    )
    for customer_id, alert_id, since in conn.execute(query):
        found[customer_id][alert_id] = utc(since)
    return found


def matches_alert(alert_id: int | None) -> ColumnElement[bool]:
    """The customer matches the alert (None: an alert that matches nothing)."""
    if alert_id is None:
        return false()
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
