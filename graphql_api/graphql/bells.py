"""Bells (SPEC §4, §9): the `Bell` of a customer with its entries (since when, new or not
for the viewer), and the worklist's `BellFilter`, read into the conditions bell_queries.py
filters and sorts customers by.

A bell lists the viewer's live alerts the customer matches (viewer_alerts.py): an alert
the viewer cannot see, or that cannot be evaluated, is in no bell.
"""

import datetime as dt

import strawberry
from sqlalchemy import ColumnElement, FromClause

from graphql_api import alerts as domain
from graphql_api import ids
from graphql_api.bell_queries import NO_MATCHES, EntryConditions, Matches, StoredKeys
from graphql_api.customer_queries import BellKey
from graphql_api.errors import invalid
from graphql_api.evaluation import CUSTOMER_BASE
from graphql_api.graphql.alerts import Alert, visible_alerts
from graphql_api.graphql.context import Info
from graphql_api.storage import customers


@strawberry.type(description="An alert in a customer's bell: since when the customer matches it.")
class BellEntry:
    alert: Alert = strawberry.field(description="The alert.")
    since: dt.datetime = strawberry.field(
        description="When the customer's current uninterrupted match began."
    )

    @strawberry.field(
        description="Whether the match began after the viewer last marked the alert seen "
        "(always, when they never did)."
    )
    def is_new(self, info: Info) -> bool:
        seen = info.context.marks.seen_at(self.alert.source.id)
        return seen is None or self.since > seen


@strawberry.type(
    description="The alerts a customer matches among those the viewer can see, highest level first."
)
class Bell:
    count: int = strawberry.field(description="How many alerts the customer matches.")
    level: domain.Level | None = strawberry.field(
        description="The highest level among them; null when the bell is empty."
    )
    color: str | None = strawberry.field(
        description="That level's colour (#RRGGBB); null when the bell is empty."
    )
    alerts: list[Alert] = strawberry.field(
        description="The matched alerts: highest level first, then by name."
    )
    # The customer's matches, as read: since when each of `alerts` matches.
    matches: strawberry.Private[Matches]

    @strawberry.field(
        description="The same alerts, in the same order, each with since when it matches."
    )
    def entries(self) -> list[BellEntry]:
        # Built when asked: a bell page that lists only `alerts` makes none.
        since = self.matches.since
        return [BellEntry(alert=alert, since=since(alert.source.id)) for alert in self.alerts]


EMPTY = Bell(count=0, level=None, color=None, alerts=[], matches=NO_MATCHES)


def customer_bell(info: Info, customer_id: int, tab: domain.AlertTab | None) -> Bell:
    """The customer's bell for the viewer (in `tab`): its alerts highest level first."""
    viewer = info.context.alerts
    matches = viewer.bells.get(customer_id)
    found = matches.alert_ids
    if tab is not None:
        in_tab = viewer.in_tab(tab)
        found = [alert_id for alert_id in found if alert_id in in_tab]
    if not found:
        return EMPTY
    nodes = visible_alerts(info)
    alerts = [nodes[alert_id] for alert_id in found]
    top = alerts[0].level
    return Bell(count=len(alerts), level=top, color=top.color, alerts=alerts, matches=matches)


@strawberry.input(
    description="Which entries of the viewer's bell count (all of these conditions): customers "
    "with at least one are kept, and orderBy BELL sorts by them."
)
class BellFilter:
    tab: domain.AlertTab | None = strawberry.field(
        default=None, description="Only the alerts of this tab; all tabs when omitted."
    )
    min_level: domain.Level | None = strawberry.field(
        default=None, description="Only the alerts of this level or higher."
    )
    alert_ids: list[strawberry.ID] | None = strawberry.field(
        default=None,
        description="Only these alerts (ids the viewer cannot see match nothing).",
    )
    new_only: bool = strawberry.field(
        default=False, description="Only the matches that are new for the viewer (isNew)."
    )


def entry_conditions(info: Info, bell: BellFilter | None) -> EntryConditions:
    """The entries `bell` keeps (the whole bell when None); a UserInputError naming the
    element of `bell.alertIds` that is not an alert id."""
    context = info.context
    nodes = visible_alerts(info)
    kept = [i for i in context.alerts.live() if i in nodes]
    if bell is None:
        return EntryConditions(tuple(kept))
    if bell.tab is not None:
        types = bell.tab.types
        kept = [i for i in kept if nodes[i].type in types]
    if bell.min_level is not None:
        lowest = bell.min_level.rank
        kept = [i for i in kept if nodes[i].level.rank >= lowest]
    if bell.alert_ids is not None:
        keys = set()
        for index, given in enumerate(bell.alert_ids):
            key = ids.alert_key(given)
            if key is None:
                raise invalid(f"bell.alertIds.{index}", f"{given!r} is not an alert id")
            keys.add(key)
        kept = [i for i in kept if nodes[i].source.public_id in keys]
    return EntryConditions(tuple(kept), bell.new_only, context.user.id)


def _stored_tab(info: Info, bell: BellFilter | None) -> str | None:
    """The tab whose stored keys (bell_keys.py) are exactly what `bell` asks for: a tab and
    no other condition, while every alert of the viewer in that tab is live (the keys count
    the stored matches of a frozen alert, which matches nothing); else None: the entries are
    grouped as they are asked."""
    if bell is None or bell.tab is None or bell.new_only:
        return None
    if bell.min_level is not None or bell.alert_ids is not None:
        return None
    live = info.context.alerts.live()  # first: it may find alerts broken, which in_tab reads
    if not all(i in live for i in info.context.alerts.in_tab(bell.tab)):
        return None
    return bell.tab.value


def worklist(
    info: Info, bell: BellFilter | None, by_bell: bool
) -> tuple[FromClause, list[ColumnElement[bool]], BellKey | None]:
    """What `bell` and `orderBy: BELL` add to a read of customers: (the source to read, the
    filters, BELL's key). Sorted by BELL, the customers are joined to their keys: all of
    them without `bell` (those with no entry have no key), only those with a key with it.
    A tab alone is read from the stored keys (`_stored_tab`): a page is one index range;
    anything else groups the entries it asks for, per request."""
    if bell is None and not by_bell:
        return CUSTOMER_BASE, [], None
    tab = _stored_tab(info, bell)
    if tab is not None:
        stored = StoredKeys(info.context.user.id, tab)
        if not by_bell:
            return CUSTOMER_BASE, [stored.any_entry()], None
        key = BellKey(stored.keys.c.bell_key, nullable=False, account_number=stored.account)
        return CUSTOMER_BASE.join(stored.keys, stored.joined()), [], key
    entries = entry_conditions(info, bell)
    if not by_bell:
        return CUSTOMER_BASE, [entries.any_entry()], None
    keys = entries.ordering_keys()
    on = keys.c.customer_id == customers.c.id
    if bell is None:
        return CUSTOMER_BASE.outerjoin(keys, on), [], BellKey(keys.c.bell_key, nullable=True)
    return CUSTOMER_BASE.join(keys, on), [], BellKey(keys.c.bell_key, nullable=False)
