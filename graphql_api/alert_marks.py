"""What membership tells one viewer about their alerts (SPEC §9): when they last marked each
seen (`seenAt`), how many of its matches began since (`newCount`), and its count at the end
of each day (`matchCountHistory`). Each is read for every visible alert of a request by one
statement, the first time any alert asks.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection, Iterable, Mapping

from sqlalchemy import and_, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection
from sqlalchemy.orm import aliased

from graphql_api.change_queries import utc
from graphql_api.errors import invalid
from graphql_api.sql_functions import among
from graphql_api.storage import alert_daily_counts, alert_matches, alert_seen

MAX_HISTORY_DAYS = 400


def seen_marks(
    conn: Connection, user_id: int, alert_ids: Collection[int]
) -> dict[int, dt.datetime]:
    """When the user last marked each of these alerts seen (absent: never)."""
    if not alert_ids:
        return {}
    query = select(alert_seen.c.alert_id, alert_seen.c.seen_at).where(
        alert_seen.c.user_id == user_id, among(alert_seen.c.alert_id, sorted(alert_ids))
    )
    return {alert_id: utc(at) for alert_id, at in conn.execute(query)}


def new_counts(conn: Connection, user_id: int, alert_ids: Collection[int]) -> dict[int, int]:
    """Per alert, its matches that began strictly after the user's seenAt (all of them when
    the user never marked it): one statement over the matches' primary key."""
    found = dict.fromkeys(alert_ids, 0)
    if not alert_ids:
        return found
    seen = and_(
        alert_seen.c.alert_id == alert_matches.c.alert_id, alert_seen.c.user_id == user_id
    )
    query = (
        select(alert_matches.c.alert_id, func.count())
        .select_from(alert_matches.outerjoin(alert_seen, seen))
        .where(
            among(alert_matches.c.alert_id, sorted(alert_ids)),
            alert_seen.c.seen_at.is_(None) | (alert_matches.c.since > alert_seen.c.seen_at),
        )
        .group_by(alert_matches.c.alert_id)
    )
    found.update(dict(conn.execute(query).all()))
    return found


def mark_seen(conn: Connection, user_id: int, alert_ids: Iterable[int], at: dt.datetime) -> int:
    """The user has seen these alerts at `at`; how many were marked."""
    rows = [{"user_id": user_id, "alert_id": i, "seen_at": at} for i in sorted(set(alert_ids))]
    if not rows:
        return 0
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    upsert = dialect.insert(alert_seen)
    conn.execute(
        upsert.on_conflict_do_update(
            index_elements=["user_id", "alert_id"], set_={"seen_at": upsert.excluded.seen_at}
        ),
        rows,
    )
    return len(rows)


def history_days(days: int) -> int:
    """`days` checked: 1 to MAX_HISTORY_DAYS, else a VALIDATION error naming `days`."""
    if not 1 <= days <= MAX_HISTORY_DAYS:
        raise invalid("days", f"days must be between 1 and {MAX_HISTORY_DAYS}, not {days}")
    return days


def daily_history(
    conn: Connection, alert_ids: Collection[int], today: dt.date, days: int
) -> dict[int, list[tuple[dt.date, int]]]:
    """Per alert, (day, count at its end) for each of the last `days` days up to today,
    oldest first; days before its history begins are left out. A day takes the newest row
    on or before it (membership.py writes a row only on the days a count changes): the
    rows inside the window and the one row before it, in one statement."""
    found: dict[int, list[tuple[dt.date, int]]] = {i: [] for i in alert_ids}
    if not alert_ids:
        return found
    first_day = today - dt.timedelta(days=days - 1)
    earlier = aliased(alert_daily_counts)
    before_window = (
        select(func.max(earlier.c.day))
        .where(earlier.c.alert_id == alert_daily_counts.c.alert_id, earlier.c.day < first_day)
        .scalar_subquery()
    )
    query = (
        select(alert_daily_counts.c.alert_id, alert_daily_counts.c.day,
               alert_daily_counts.c.match_count)
        .where(
            among(alert_daily_counts.c.alert_id, sorted(alert_ids)),
            alert_daily_counts.c.day <= today,
            (alert_daily_counts.c.day >= first_day) | (alert_daily_counts.c.day == before_window),
        )
        .order_by(alert_daily_counts.c.alert_id, alert_daily_counts.c.day)
    )  # fmt: skip
    rows: dict[int, list[tuple[dt.date, int]]] = {}
    for alert_id, day, count in conn.execute(query):
        rows.setdefault(alert_id, []).append((day, count))
    for alert_id, written in rows.items():
        found[alert_id] = _each_day(written, first_day, today)
    return found


def _each_day(
    written: list[tuple[dt.date, int]], first_day: dt.date, today: dt.date
) -> list[tuple[dt.date, int]]:
    out: list[tuple[dt.date, int]] = []
    index, count = 0, None
    day = first_day
    while day <= today:
        while index < len(written) and written[index][0] <= day:
            count = written[index][1]
            index += 1
        if count is not None:
            out.append((day, count))
        day += dt.timedelta(days=1)
    return out


class ViewerMarks:
    """seenAt, newCount and history for the viewer's visible alerts, each read once."""

    def __init__(
        self, conn: Callable[[], Connection], user_id: int, alert_ids: Callable[[], Collection[int]]
    ) -> None:
        self._conn = conn
        self._user_id = user_id
        self._alert_ids = alert_ids
        self._seen: dict[int, dt.datetime] | None = None
        self._new: dict[int, int] | None = None
        self._history: dict[tuple[dt.date, int], Mapping[int, list[tuple[dt.date, int]]]] = {}

    def seen_at(self, alert_id: int) -> dt.datetime | None:
        if self._seen is None:
            self._seen = seen_marks(self._conn(), self._user_id, self._alert_ids())
        return self._seen.get(alert_id)

    def new_count(self, alert_id: int) -> int:
        if self._new is None:
            self._new = new_counts(self._conn(), self._user_id, self._alert_ids())
        return self._new.get(alert_id, 0)

    def history(self, alert_id: int, today: dt.date, days: int) -> list[tuple[dt.date, int]]:
        key = (today, history_days(days))
        if key not in self._history:
            self._history[key] = daily_history(self._conn(), self._alert_ids(), today, days)
        return self._history[key].get(alert_id, [])
