"""The worklist's BELL keys kept as data (SPEC §9, `customers(bell: {tab}, orderBy: BELL)`):
per user, tab and customer, the key bell_queries.py's grouping would give, so that a page
is one range of `ix_bell_keys_order` instead of a grouping of every match of the tab.

A stored key counts the stored matches of every alert the user can see (§4: public alerts
and their own private ones) in the tab, whatever the alert's state: a read uses the keys
only while each of those alerts is live (graphql/bells.py), so freezing or thawing an
alert changes no key; the diff that follows a thaw does.

Every change that moves a key calls one function here, in its transaction: a membership
diff (`follow_diff`, `follow_new_alerts`), an alert deleted (`forget_alert`), a level,
type or visibility edited (`alert_edited`), a user added (`user_added`). Each touches only
the (user, tab, customer) triples the change reaches, in one statement over them, never a
row at a time in Python: entries gained are added to the keys arithmetically (the higher
level, the larger count: exact, and it reads no other match), and a customer that lost
an entry, or whose alert changed level, tab or audience, is grouped again. A diff in
which most customers lost an entry groups its users' and tabs' keys whole, in one
statement. Users and customers are never deleted (the table has no foreign keys,
storage.py: `dso-alerts check` reports a key of one that does not exist).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    String,
    case,
    delete,
    func,
    insert,
    literal,
    or_,
    select,
    true,
    union_all,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection

from graphql_api.membership_eval import difference
from graphql_api.sql_functions import among
from graphql_api.storage import alert_matches, alerts, bell_keys, customers, users

# The tabs and the alert types each lists (SPEC §4), and who sees a public alert, as stored.
# Written out, not read from alerts.py: membership.py and users.py call this module, and
# alerts.py imports them (a test below holds them equal to alerts.AlertTab).
TABS: dict[str, tuple[str, ...]] = {"COLLECTION": ("COLLECTION", "NONE"), "RISK": ("RISK", "NONE")}
EVERY_TAB = frozenset(TABS)
PUBLIC = "PUBLIC"
COLUMNS = ["user_id", "tab", "customer_id", "bell_key", "account_number"]

# Above this share of the customers touched, a change recomputes its users' and tabs' keys
# whole: one pass over the matches, instead of a probe of the matches per customer.
MOST = 0.5
FEW = 1_000  # touched customers that are never most of them (not worth counting them all)

# The users whose keys a change touches: these, or every user (None).
Viewers = frozenset[int] | None


def follow_diff(conn: Connection, evaluated: Collection[int]) -> None:
    """The matches of `evaluated` were made equal to a fresh evaluation: the keys of the
    customers that entered or left (membership_eval.difference, not yet emptied) follow.

    A customer that only gained entries has them added to its keys (`_add`); one that lost
    an entry is grouped again, since the level it lost may have been its highest."""
    viewers, tabs = _reach(conn, evaluated)
    if not tabs:
        return
    lost = select(difference.c.customer_id).where(difference.c.kind == "LEFT").distinct()
    n = int(conn.execute(select(func.count()).select_from(lost.subquery())).scalar_one())
    if n > FEW and n > MOST * _customer_count(conn):
        _recompute(conn, viewers, tabs, None)  # every key of theirs, entries gained included
        return
    if n:
        _recompute(conn, viewers, tabs, lost)
    gained = select(difference.c.alert_id, difference.c.customer_id).where(
        difference.c.kind == "ENTERED"
    )
    _add(conn, gained.where(difference.c.customer_id.not_in(lost)) if n else gained)


def follow_new_alerts(conn: Connection, evaluated: Collection[int]) -> None:
    """Alerts evaluated for the first time: each of their matches is an entry gained."""
    _add(
        conn,
        select(alert_matches.c.alert_id, alert_matches.c.customer_id).where(
            among(alert_matches.c.alert_id, list(evaluated))
        ),
    )


def forget_alert(conn: Connection, alert_id: int) -> None:
    """The alert is being deleted (call it while its matches are still stored): the keys of
    the customers it matches are recomputed without it."""
    viewers, tabs = _reach(conn, [alert_id])
    touched = select(alert_matches.c.customer_id).where(alert_matches.c.alert_id == alert_id)
    _recompute(conn, viewers, tabs, touched, excluding=alert_id)


def alert_edited(conn: Connection, before: Any, values: Mapping[str, Any]) -> None:
    """The alert `before` (an alerts.Alert) was just saved with `values` (its new columns):
    a new level, type or visibility moves the keys of the customers it matches, for the
    users who saw it before or see it now, in the tabs it was or is in. Call it before the
    membership diff of a criteria change: the customers that leave are recomputed here
    with the alert as it is now, and then by the diff."""
    if (values["level"], values["type"], values["visibility"]) == (
        before.level.value, before.type.value, before.visibility.value
    ):  # fmt: skip
        return
    viewers = (
        None
        if PUBLIC in (values["visibility"], before.visibility.value)
        else frozenset([before.owner_id])
    )
    tabs = _tabs_of([values["type"], before.type.value])
    touched = select(alert_matches.c.customer_id).where(alert_matches.c.alert_id == before.id)
    _recompute(conn, viewers, tabs, touched)


def user_added(conn: Connection, name: str) -> None:
    """A new user sees the public alerts: their keys, in every tab. Keys already under
    their id go first: those of a user deleted by hand (the table has no foreign keys,
    and SQLite gives a deleted last row's id to the next user)."""
    user_id = conn.execute(select(users.c.id).where(users.c.name == name)).scalar_one()
    conn.execute(delete(bell_keys).where(bell_keys.c.user_id == user_id))
    conn.execute(_insert(_keys(frozenset([user_id]), EVERY_TAB, None)))


def _customer_count(conn: Connection) -> int:
    return int(conn.execute(select(func.count()).select_from(customers)).scalar_one())


def _reach(conn: Connection, alert_ids: Collection[int]) -> tuple[Viewers, frozenset[str]]:
    """Who sees these alerts (every user when one is public), and in which tabs."""
    if not alert_ids:
        return frozenset(), frozenset()
    rows = conn.execute(
        select(alerts.c.type, alerts.c.visibility, alerts.c.owner_id).where(
            among(alerts.c.id, sorted(alert_ids))
        )
    ).all()
    public = any(row.visibility == PUBLIC for row in rows)
    viewers = None if public else frozenset(row.owner_id for row in rows)
    return viewers, _tabs_of(row.type for row in rows)


def _tabs_of(types: Iterable[str]) -> frozenset[str]:
    found = set()
    for alert_type in types:
        found.update(tab for tab, kept in TABS.items() if alert_type in kept)
    return frozenset(found)


def _recompute(
    conn: Connection,
    viewers: Viewers,
    tabs: frozenset[str],
    touched: Select[Any] | None,
    excluding: int | None = None,
) -> None:
    """Delete, then write again, the keys of `viewers` in `tabs` of the `touched` customers
    (all when None)."""
    if (viewers is not None and not viewers) or not tabs:
        return
    scope = _scope(bell_keys.c.user_id, bell_keys.c.tab, viewers, tabs)
    if touched is not None:
        # Every column of the primary key constrained, so that SQLite seeks each touched
        # (user, tab, customer) instead of scanning every key: 3,000 customers of 100k,
        # 13 ms instead of 35 (a change of day's diff).
        if viewers is None:
            scope.append(bell_keys.c.user_id.in_(select(users.c.id)))
        if tabs == EVERY_TAB:
            scope.append(bell_keys.c.tab.in_(sorted(tabs)))
        scope.append(bell_keys.c.customer_id.in_(touched))
    conn.execute(delete(bell_keys).where(*scope))
    conn.execute(_insert(_keys(viewers, tabs, touched, excluding)))


def _scope(
    user: Any, tab: Any, viewers: Viewers, tabs: frozenset[str]
) -> list[ColumnElement[bool]]:
    found = [] if tabs == EVERY_TAB else [tab.in_(sorted(tabs))]
    if viewers is not None:
        found.append(among(user, sorted(viewers)))
    return found


def _keys(
    viewers: Viewers,
    tabs: frozenset[str],
    touched: Select[Any] | None,
    excluding: int | None = None,
) -> Select[Any]:
    """(user, tab, customer, key, account number) of `viewers` in `tabs` for the `touched`
    customers (all when None), `excluding` an alert: one statement."""
    where = [] if viewers is None else [among(users.c.id, sorted(viewers))]
    if touched is not None:
        where.append(alert_matches.c.customer_id.in_(touched))
    if excluding is not None:
        where.append(alert_matches.c.alert_id != excluding)
    return _grouped(alert_matches, tabs, where)


def _grouped(pairs: Any, tabs: frozenset[str], where: list[ColumnElement[bool]]) -> Select[Any]:
    """The keys in `tabs` that `pairs` (alert_id, customer_id) give each user who sees the
    alert (public, or the owner of a private one).

    Grouped once per (user, customer), with one key per tab side by side, then one row per
    tab that has one: a join of the pairs to the tabs' alert types (NONE is in both) would
    group every pair once per tab, and SQLite read the pairs once per type (bench, 100k,
    a change of day: its 3,000 customers that lost an entry regrouped in 80 ms instead of
    175; adding its entries gained, whose cost is the upsert's writes, stays at 50)."""
    from graphql_api.bell_queries import LEVEL_WEIGHT, RANKS  # imports alerts.py: see TABS

    ordered = sorted(tabs)
    per_tab = []
    for number, tab in enumerate(ordered):
        listed = alerts.c.type.in_(TABS[tab])
        key = func.max(case((listed, RANKS))) * LEVEL_WEIGHT + func.sum(case((listed, 1), else_=0))
        per_tab.append(key.label(f"key_{number}"))
    sees = or_(alerts.c.visibility == PUBLIC, alerts.c.owner_id == users.c.id)
    grouped = (
        select(users.c.id.label("user_id"), pairs.c.customer_id, *per_tab)
        .select_from(pairs.join(alerts, alerts.c.id == pairs.c.alert_id).join(users, sees))
        .where(*where)
        .group_by(users.c.id, pairs.c.customer_id)
        .subquery("grouped")
    )
    # The account numbers joined once, not once per tab (PostgreSQL, which cannot estimate
    # the touched customers, joins each tab's keys to every customer).
    numbered = (
        select(grouped, customers.c.account_number)
        .join_from(grouped, customers, customers.c.id == grouped.c.customer_id)
        .cte("keys_per_customer")
    )
    arms = [
        select(
            numbered.c.user_id,
            literal(tab, String).label("tab"),
            numbered.c.customer_id,
            numbered.c[f"key_{number}"].label("bell_key"),
            numbered.c.account_number,
        ).where(numbered.c[f"key_{number}"].is_not(None))
        for number, tab in enumerate(ordered)
    ]
    every = union_all(*arms).subquery("keys")
    return select(*every.c)


def _add(conn: Connection, gained: Select[Any]) -> None:
    """Entries gained, as (alert id, customer id) pairs, added to the keys of the users who
    see the alert in each tab it is in, where nothing else changed for the customer: a key's
    level becomes the higher of the two, its count grows by theirs (a customer with no key
    gets one). One statement, that reads the pairs and no other match."""
    from graphql_api.bell_queries import LEVEL_WEIGHT  # imports alerts.py: see TABS

    # WHERE: SQLite's parser would otherwise read ON CONFLICT as a join's ON.
    added = _grouped(gained.subquery("gained"), EVERY_TAB, []).where(true())
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    upsert = dialect.insert(bell_keys).from_select(COLUMNS, added)
    was, gain = bell_keys.c.bell_key, upsert.excluded.bell_key
    level = case(
        (was // LEVEL_WEIGHT >= gain // LEVEL_WEIGHT, was // LEVEL_WEIGHT),
        else_=gain // LEVEL_WEIGHT,
    )
    conn.execute(
        upsert.on_conflict_do_update(
            index_elements=["user_id", "tab", "customer_id"],
            set_={"bell_key": level * LEVEL_WEIGHT + was % LEVEL_WEIGHT + gain % LEVEL_WEIGHT},
        )
    )


def _insert(keys: Select[Any]) -> Any:
    return insert(bell_keys).from_select(COLUMNS, keys)


def differences(conn: Connection) -> list[str]:
    """The stored keys against a recomputation from scratch, each difference said (for
    `dso-alerts check`): a key missing, extra or wrong. Compared in SQL, both ways."""
    fresh = _keys(None, EVERY_TAB, None)
    stored = select(*(bell_keys.c[name] for name in COLUMNS))
    names = dict(conn.execute(select(users.c.id, users.c.name)).all())
    wanted = {(r[0], r[1], r[4]): r[3] for r in conn.execute(fresh.except_(stored))}
    kept = {(r[0], r[1], r[4]): r[3] for r in conn.execute(stored.except_(fresh))}
    found = []
    for key in sorted(wanted.keys() | kept.keys()):
        should, stands = wanted.get(key), kept.get(key)
        user_id, tab, account = key
        where = f"bell key of user {names.get(user_id, user_id)!r} in tab {tab} for {account}"
        if stands is None:
            found.append(f"{where}: {should} is missing")
        elif should is None:
            found.append(f"{where}: {stands} is stored, but it has no entry")
        else:
            found.append(f"{where}: {stands} is stored, {should} expected")
    return found
