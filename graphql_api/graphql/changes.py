"""Membership's history and marks (SPEC §9): the `AlertChange` type and its connections
(`Alert.changes`, `Customer.alertChanges`, `Query.alertChanges`), `DailyCount`,
`markAlertSeen` and `markAllAlertsSeen`.

A change of an alert the viewer may not see does not exist for them (§4): every read is
filtered by the viewer's visible alerts, `node` included. A nested connection's first (or
last) page is read for every parent of the response at once (change_queries.first_pages):
all visible alerts, or every customer shown; a page from a cursor names one parent's rows,
and is read for that parent alone.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Annotated

import strawberry
from sqlalchemy import ColumnElement

from graphql_api import alert_marks, change_queries, ids
from graphql_api import alerts as domain
from graphql_api.change_queries import ORDER, Change, change_count, changes_by_keys, changes_page
from graphql_api.graphql.alerts import Alert, AlertPayload, visible_alerts, visible_by_key
from graphql_api.graphql.context import Info
from graphql_api.graphql.errors import payload_errors, query_error
from graphql_api.graphql.node import Node
from graphql_api.graphql.paging import Paging, connection_types, paged, window
from graphql_api.keyset import Page
from graphql_api.membership import Cause, ChangeKind
from graphql_api.request_context import ChangeLoaders, ChangesAsked
from graphql_api.storage import alert_changes

if TYPE_CHECKING:
    from graphql_api.graphql.customers import Customer

Since = Annotated[dt.datetime | None, strawberry.argument(
    description="Only the changes at or after this moment (ISO 8601; UTC when no offset).")]


@strawberry.type(description="A customer entering or leaving an alert, and why.")
class AlertChange(Node):
    source: strawberry.Private[Change]
    kind: ChangeKind = strawberry.field(description="ENTERED or LEFT.")
    at: dt.datetime = strawberry.field(
        description="When the product applied it; one event's changes share it."
    )
    day: dt.date = strawberry.field(description="The ledger's today it was applied for.")
    cause: Cause = strawberry.field(description="What changed membership.")

    @staticmethod
    def of(change: Change, alert: Alert) -> AlertChange:
        key = ids.change_id(alert.source.public_id, change.customer_id, change.at)
        return AlertChange(
            source=change, id=strawberry.ID(key), kind=ChangeKind(change.kind), at=change.at,
            day=change.day, cause=Cause(change.cause),
        )  # fmt: skip

    @strawberry.field(description="The alert.")
    def alert(self, info: Info) -> Alert:
        return visible_alerts(info)[self.source.alert_id]

    @strawberry.field(description="The customer.")
    def customer(
        self, info: Info
    ) -> Annotated[Customer, strawberry.lazy("graphql_api.graphql.customers")]:
        from graphql_api.graphql.customers import Customer  # customers list their changes

        return Customer.of(info.context.customer_rows.get(self.source.customer_id))


AlertChangeEdge, AlertChangeConnection = connection_types(
    AlertChange, "change", "changes",
    description="A page of changes, newest first (Relay convention).",
    cursor="Pass it as `after` (or `before`).",
    total_count="How many changes there are, over all pages.",
)  # fmt: skip


@strawberry.type(description="How many customers matched an alert at the end of a day.")
class DailyCount:
    date: dt.date = strawberry.field(description="The day.")
    count: int = strawberry.field(description="Customers matching at its end (today: now).")


def _connection(info: Info, page: Page, count: Callable[[], int]) -> AlertChangeConnection:
    changes = [Change.of(row) for row in page.rows]
    info.context.show_customers(c.customer_id for c in changes)
    alerts = visible_alerts(info)
    nodes = [AlertChange.of(change, alerts[change.alert_id]) for change in changes]
    return AlertChangeConnection.of(page, ORDER, nodes, count)


def _visible_ids(info: Info, tab: domain.AlertTab | None = None) -> list[int]:
    return [i for i, a in visible_alerts(info).items() if tab is None or a.type in tab.types]


def nested_changes(
    info: Info,
    loaders: ChangeLoaders,
    parent: ColumnElement[int],
    parent_id: int,
    paging: Paging,
    since: dt.datetime | None,
    kind: ChangeKind | None = None,
) -> AlertChangeConnection:
    """One parent's changes (an alert's, or a customer's): without a cursor, the page of
    every parent of the response at once; the counts too."""
    context = info.context
    asked = window(ORDER, paging)
    kind_name = None if kind is None else kind.value
    if asked.after is None and asked.before is None:
        first = ChangesAsked(since, kind_name, asked.size, asked.forward)
        page = loaders.pages.get(first, parent_id)
    else:
        filters = context.change_filters(since, kind_name)
        page = changes_page(context.conn, [parent == parent_id, *filters], asked)
    return _connection(
        info, page, lambda: loaders.counts.get(ChangesAsked(since, kind_name), parent_id)
    )


def alert_changes_of(
    info: Info, alert: Alert, paging: Paging, since: dt.datetime | None, kind: ChangeKind | None
) -> AlertChangeConnection:
    return nested_changes(
        info, info.context.alert_changes, alert_changes.c.alert_id, alert.source.id,
        paging, since, kind,
    )  # fmt: skip


def customer_alert_changes(
    info: Info, customer_id: int, paging: Paging, since: dt.datetime | None
) -> AlertChangeConnection:
    return nested_changes(
        info, info.context.customer_changes, alert_changes.c.customer_id, customer_id,
        paging, since,
    )  # fmt: skip


def match_count_history(info: Info, alert: Alert, days: int) -> list[DailyCount]:
    context = info.context
    found = context.marks.history(alert.source.id, context.today, days)
    if found and not context.alerts.is_live(alert.source.id):
        # Today is "now": an alert that cannot be evaluated matches nothing (SPEC §9); the
        # days before keep what was recorded.
        found = [*found[:-1], (found[-1][0], 0)] if found[-1][0] == context.today else found
    return [DailyCount(date=day, count=count) for day, count in found]


def find_changes(info: Info, given: Sequence[str]) -> dict[str, Node]:
    """`node` and `nodes` of AlertChange ids: of the viewer's visible alerts only, so that a
    hidden alert's change is null exactly like a made-up id."""
    by_key = visible_by_key(info)
    wanted: dict[str, tuple[int, int, dt.datetime]] = {}
    for value in given:
        decoded = ids.change_key(value)
        if decoded is not None and decoded[0] in by_key:
            wanted[value] = (by_key[decoded[0]].source.id, decoded[1], decoded[2])
    found = changes_by_keys(info.context.conn, set(wanted.values()))
    info.context.show_customers(key[1] for key in found)
    nodes = visible_alerts(info)
    return {
        value: AlertChange.of(found[key], nodes[key[0]])
        for value, key in wanted.items()
        if key in found
    }


@strawberry.type
class ChangeQueries:
    @strawberry.field(
        description="The changes of every alert the viewer can see (in `tab` when given), "
        "newest first: what changed with last night's import."
    )
    @query_error
    @paged
    def alert_changes(
        self,
        info: Info,
        paging: Paging,
        since: Since = None,
        tab: Annotated[domain.AlertTab | None, strawberry.argument(
            description="Only the changes of this tab's alerts.")] = None,
    ) -> AlertChangeConnection | None:  # fmt: skip
        conn = info.context.conn
        filters = change_queries.change_filters(_visible_ids(info, tab), since)
        page = changes_page(conn, filters, window(ORDER, paging))
        return _connection(info, page, lambda: change_count(conn, filters))


@strawberry.type
class MarkMutations:
    @strawberry.mutation(
        description="Mark an alert seen by the viewer now (any role; no version changes): its "
        "matches from before are no longer new for them."
    )
    @payload_errors(AlertPayload)
    def mark_alert_seen(self, info: Info, id: strawberry.ID) -> AlertPayload:
        context = info.context
        with context.writing() as conn:
            alert = domain.get_alert(conn, context.user, id)
            if alert is None:
                raise domain.not_found(id)
            alert_marks.mark_seen(conn, context.user.id, [alert.id], dt.datetime.now(dt.UTC))
        shown = visible_alerts(info).get(alert.id)
        if shown is None:  # deleted or hidden since: answered like an alert that is not there
            raise domain.not_found(id)
        return AlertPayload(alert=shown, errors=[])

    @strawberry.mutation(
        description="Mark every alert the viewer can see (in `tab` when given) seen now; "
        "answers how many were marked."
    )
    def mark_all_alerts_seen(
        self,
        info: Info,
        tab: Annotated[domain.AlertTab | None, strawberry.argument(
            description="Only the alerts of this tab.")] = None,
    ) -> int:  # fmt: skip
        context = info.context
        with context.writing() as conn:
            found = domain.list_alerts(conn, context.user, tab)
            return alert_marks.mark_seen(
                conn, context.user.id, [a.id for a in found], dt.datetime.now(dt.UTC)
            )
