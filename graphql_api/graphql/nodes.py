"""`node(id:)` and `nodes(ids:)` (SPEC §8): any object by its id, null for anything the
viewer may not see.

An alert the viewer may not see, a deleted one, an id of no object, of another type or
not an id at all are one answer: null. strawberry's `relay.node()` field raises on an id
it cannot parse, hence these two small resolvers over ids.py's decoders. Each type's
objects are read together: one statement per type, whatever the number of ids.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Annotated

import strawberry

from graphql_api import ids, ledger_lookups, reminders, users
from graphql_api.errors import invalid
from graphql_api.graphql.alerts import visible_alert
from graphql_api.graphql.changes import find_changes
from graphql_api.graphql.context import Info
from graphql_api.graphql.customers import Customer
from graphql_api.graphql.errors import query_error
from graphql_api.graphql.items import Item
from graphql_api.graphql.node import Node
from graphql_api.graphql.reminders import Reminder
from graphql_api.graphql.users import User

MAX_IDS = 500

# For each type, its objects among some ids of that type, by id.
Finder = Callable[[Info, Sequence[str]], dict[str, Node]]


def _alerts(info: Info, given: Sequence[str]) -> dict[str, Node]:
    return {value: alert for value in given if (alert := visible_alert(info, value)) is not None}


def _customers(info: Info, given: Sequence[str]) -> dict[str, Node]:
    wanted = {value: ids.customer_row(value) for value in given}
    rows = ledger_lookups.customers_by_rows(
        info.context.conn, {row for row in wanted.values() if row is not None}
    )
    shown = dict(zip(rows, Customer.shown(info, list(rows.values())), strict=True))
    return {value: shown[row] for value, row in wanted.items() if row in shown}


def _items(info: Info, given: Sequence[str]) -> dict[str, Node]:
    wanted = {value: ids.item_key(value) for value in given}
    rows = ledger_lookups.items_by_keys(
        info.context.conn, {key for key in wanted.values() if key is not None}
    )
    today = info.context.today
    return {value: Item.of(rows[key], today) for value, key in wanted.items() if key in rows}


def _reminders(info: Info, given: Sequence[str]) -> dict[str, Node]:
    wanted = {value: ids.reminder_row(value) for value in given}
    found = reminders.reminders_by_ids(
        info.context.conn, sorted({row for row in wanted.values() if row is not None})
    )
    return {value: Reminder.of(found[row]) for value, row in wanted.items() if row in found}


def _users(info: Info, given: Sequence[str]) -> dict[str, Node]:
    wanted = {value: ids.user_row(value) for value in given}
    found = users.users_by_id(
        info.context.conn, sorted({row for row in wanted.values() if row is not None})
    )
    return {value: User.of(found[row]) for value, row in wanted.items() if row in found}


FINDERS: dict[str, Finder] = {
    ids.ALERT: _alerts,
    ids.CUSTOMER: _customers,
    ids.ITEM: _items,
    ids.REMINDER: _reminders,
    ids.USER: _users,
    ids.ALERT_CHANGE: find_changes,
}


def find_nodes(info: Info, given: Sequence[str]) -> list[Node | None]:
    """The object each id names, in order; None where the viewer may not see one."""
    by_type: dict[str, list[str]] = {}
    for value in dict.fromkeys(given):
        decoded = ids.decode(value)
        if decoded is not None and decoded[0] in FINDERS:
            by_type.setdefault(decoded[0], []).append(value)
    found: dict[str, Node] = {}
    for type_name, values in by_type.items():
        found.update(FINDERS[type_name](info, values))
    return [found.get(value) for value in given]


@strawberry.type
class NodeQueries:
    @strawberry.field(
        description="The object this id names; null when there is none the viewer may see "
        "(a hidden or deleted alert, an id of nothing, not an id at all)."
    )
    def node(
        self,
        info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="An object's id.")],
    ) -> Node | None:
        return find_nodes(info, [id])[0]

    @strawberry.field(
        description=f"The objects these ids name, in order (at most {MAX_IDS} ids); null for "
        "each id `node` answers null."
    )
    @query_error
    def nodes(
        self,
        info: Info,
        ids: Annotated[list[strawberry.ID], strawberry.argument(
            description=f"Objects' ids, at most {MAX_IDS}.")],
    ) -> list[Node | None] | None:  # fmt: skip
        if len(ids) > MAX_IDS:
            raise invalid("ids", f"ids may hold at most {MAX_IDS} ids, not {len(ids)}")
        return find_nodes(info, ids)
