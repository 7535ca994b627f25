"""Alerts: the `Alert` and `Bell` types, `alerts`/`alert`, and the mutations that change
alerts (rights and storage are graphql_api/alerts.py's).

No `from __future__ import annotations` here: `AlertInput` embeds the registry's
`CriteriaInput`, a type built with the schema, so its annotations are objects.
"""

import dataclasses
import datetime
from collections.abc import Mapping
from typing import Annotated, Any

import strawberry
from strawberry.scalars import JSON

from graphql_api import alerts as domain
from graphql_api import ids
from graphql_api.alert_cache import VisibleAlert
from graphql_api.completion_memo import shared
from graphql_api.criteria import load_criteria
from graphql_api.errors import UserInputError
from graphql_api.evaluation import compile_criteria
from graphql_api.graphql.context import Info
from graphql_api.graphql.criteria import criteria_given
from graphql_api.graphql.errors import (
    UserError,
    graphql_error,
    payload_errors,
    query_error,
    user_errors,
)
from graphql_api.graphql.node import Node
from graphql_api.graphql.paging import Paging, paged
from graphql_api.graphql.users import User
from graphql_api.membership import Cause, ChangeKind
from graphql_api.users import Role

strawberry.enum(
    domain.AlertType,
    description="What an alert is about: COLLECTION (dunning), RISK (credit risk) or NONE "
    "(both tabs).",
)
strawberry.enum(
    domain.Level, description="How critical an alert is, from LOW to CRITICAL; each has a colour."
)
strawberry.enum(
    domain.Visibility,
    description="PRIVATE: seen by its owner alone (locked); PUBLIC: seen by every user.",
)
strawberry.enum(
    domain.AlertTab,
    description="A tab of alerts: COLLECTION lists COLLECTION and NONE alerts, RISK lists RISK "
    "and NONE.",
)
strawberry.enum(
    ChangeKind, name="AlertChangeKind",
    description="ENTERED: the customer began to match the alert; LEFT: it stopped.",
)  # fmt: skip
strawberry.enum(
    Cause, name="AlertChangeCause",
    description="What changed membership: IMPORT, REMINDER (logged or deleted), ALERT_SAVED "
    "(created, criteria changed, or evaluated again after it could not be), NEW_DAY.",
)  # fmt: skip

CustomerConnection = Annotated[
    "CustomerConnection", strawberry.lazy("graphql_api.graphql.customers")
]
# changes.py builds on `Alert`: its types are named lazily here.
AlertChangeConnection = Annotated[
    "AlertChangeConnection", strawberry.lazy("graphql_api.graphql.changes")
]
DailyCount = Annotated["DailyCount", strawberry.lazy("graphql_api.graphql.changes")]


# shared: a node is built once for each version of an alert (`_node`) and never changed
@shared
@strawberry.type(
    description="An alert: named criteria that highlight the customers breaking a rule."
)
class Alert(Node):
    source: strawberry.Private[domain.Alert]
    compiled_problems: strawberry.Private[tuple[str, ...]]
    name: str = strawberry.field(description="The alert's name.")
    type: domain.AlertType = strawberry.field(description="Which tabs list the alert.")
    level: domain.Level = strawberry.field(description="How critical the alert is.")
    color: str = strawberry.field(
        description="#RRGGBB: the alert's own colour, or its level's colour when it sets none."
    )
    own_color: str | None = strawberry.field(
        description="The alert's own colour (#RRGGBB); null when it shows its level's. Send it "
        "back as AlertInput.color to keep the alert as it is."
    )
    visibility: domain.Visibility = strawberry.field(description="Who sees the alert.")
    locked: bool = strawberry.field(description="True for a PRIVATE alert (show a padlock).")
    criteria: JSON = strawberry.field(
        description="The criteria as stored, in the CriteriaInput shape (amounts as strings)."
    )
    version: int = strawberry.field(
        description="1 on creation, +1 on every change; pass it to updateAlert as expectedVersion."
    )

    @staticmethod
    def build(visible: VisibleAlert) -> "Alert":
        alert = visible.alert
        return Alert(
            source=alert, id=strawberry.ID(ids.alert_id(alert.public_id)), name=alert.name,
            type=alert.type,
            level=alert.level, color=alert.color, own_color=alert.own_color,
            visibility=alert.visibility,
            locked=alert.locked, criteria=alert.criteria, version=alert.version,
            compiled_problems=visible.compiled.problems,
        )  # fmt: skip

    @strawberry.field(
        description="Why the alert cannot be evaluated (e.g. a criterion whose plugin is gone); "
        "such an alert matches nothing. Empty when all is well."
    )
    def problems(self, info: Info) -> list[str]:
        if self.compiled_problems:
            return list(self.compiled_problems)
        return info.context.alerts.problems(self.source.id)  # frozen: its SQL may fail

    @strawberry.field(description="The user who created the alert.")
    def owner(self, info: Info) -> User:
        owner = info.context.owner(self.source.owner_id)
        if owner is None:  # an owner is never deleted; keep the alert readable all the same
            return User(id=strawberry.ID(ids.user_id(self.source.owner_id)),
                        name=self.source.owner_name, role=Role.USER)  # fmt: skip
        return User.of(owner)

    @strawberry.field(
        description="How many customers match the alert today (0 while it cannot be evaluated)."
    )
    def match_count(self, info: Info) -> int:
        return info.context.alerts.match_count(self.source.id)

    @strawberry.field(description="Whether the viewer may edit and delete the alert.")
    def can_edit(self, info: Info) -> bool:
        return domain.can_edit(info.context.user, self.source)

    @strawberry.field(description="The customers matching the alert, by account number.")
    @paged
    def customers(self, info: Info, paging: Paging) -> CustomerConnection:
        # Imported here: customers.py shows bells, which list alerts.
        from graphql_api.graphql.customers import alert_customers

        return alert_customers(info, self.source.id, paging)

    @strawberry.field(description="When the viewer last marked the alert seen; null: never.")
    def seen_at(self, info: Info) -> datetime.datetime | None:
        return info.context.marks.seen_at(self.source.id)

    @strawberry.field(
        description="How many of its matches began after the viewer's seenAt (all when null)."
    )
    def new_count(self, info: Info) -> int:
        if not info.context.alerts.is_live(self.source.id):
            return 0  # an alert that cannot be evaluated matches nothing (SPEC §9)
        return info.context.marks.new_count(self.source.id)

    @strawberry.field(description="Customers entering and leaving the alert, newest first.")
    @query_error
    @paged
    def changes(
        self,
        info: Info,
        paging: Paging,
        since: Annotated[datetime.datetime | None, strawberry.argument(
            description="Only the changes at or after this moment.")] = None,
        kind: Annotated[ChangeKind | None, strawberry.argument(
            description="Only the changes of this kind.")] = None,
    ) -> AlertChangeConnection:  # fmt: skip
        from graphql_api.graphql.changes import alert_changes_of

        return alert_changes_of(info, self, paging, since, kind)

    @strawberry.field(
        description="For each of the last `days` days up to today (1 to 400), oldest first, how "
        "many customers matched at the end of that day (today: now); days before the alert's "
        "history begins are left out."
    )
    @query_error
    def match_count_history(self, info: Info, days: int = 90) -> list[DailyCount]:
        from graphql_api.graphql.changes import match_count_history

        return match_count_history(info, self, days)


# Each alert's GraphQL object, kept from one request to the next for as long as the alert
# cache hands out the same alert and compilation (a new version, day or registry gives new
# ones): a bell page would otherwise build and encode the ids of all the viewer's alerts.
# Keyed by identity, the pair kept alive with its object so that the ids stay theirs.
_BUILT: dict[tuple[int, int], tuple[VisibleAlert, "Alert"]] = {}
_MAX_BUILT = 20_000


def _node(visible: VisibleAlert) -> "Alert":
    key = (id(visible.alert), id(visible.compiled))
    known = _BUILT.get(key)
    if known is not None:
        kept, node = known
        if kept.alert is visible.alert and kept.compiled is visible.compiled:
            return node
    node = Alert.build(visible)
    if len(_BUILT) >= _MAX_BUILT:
        _BUILT.clear()
    _BUILT[key] = (visible, node)
    return node


def visible_alerts(info: Info) -> dict[int, Alert]:
    """The viewer's alerts as GraphQL objects by row id, in their order: highest level
    first, then by name (a bell page shows each alert many times: one object each)."""
    viewer = info.context.alerts
    nodes = viewer.nodes
    if nodes is None:
        nodes = viewer.nodes = viewer.cache.derived(viewer.all(), "nodes", _nodes)
    return nodes


def _nodes(visible: Mapping[int, VisibleAlert]) -> dict[int, "Alert"]:
    return {i: _node(v) for i, v in visible.items()}


def visible_by_key(info: Info) -> dict[str, Alert]:
    """The viewer's alerts by public key (the key of their API id)."""
    viewer = info.context.alerts
    found = viewer.nodes_by_key
    if found is None:
        nodes = visible_alerts(info).values()
        found = viewer.nodes_by_key = {a.source.public_id: a for a in nodes}
    return found


def visible_alert(info: Info, alert_id: str) -> Alert | None:
    """The alert an API id names, if the viewer may see it; None for anything else."""
    key = ids.alert_key(alert_id)
    return None if key is None else visible_by_key(info).get(key)


@strawberry.type(description="A level of criticality and the colour its alerts show.")
class LevelInfo:
    level: domain.Level = strawberry.field(description="The level.")
    color: str = strawberry.field(description="Its colour (#RRGGBB).")


@strawberry.type
class AlertQueries:
    @strawberry.field(
        description="The alerts the viewer can see (PUBLIC ones and their own PRIVATE ones), "
        "highest level first, then by name."
    )
    def alerts(
        self,
        info: Info,
        tab: Annotated[domain.AlertTab | None, strawberry.argument(
            description="Only the alerts of this tab.")] = None,
    ) -> list[Alert] | None:  # fmt: skip
        found = visible_alerts(info).values()
        return [alert for alert in found if tab is None or alert.type in tab.types]

    @strawberry.field(description="One alert; null when it does not exist or is not visible.")
    def alert(self, info: Info, id: strawberry.ID) -> Alert | None:
        return visible_alert(info, id)

    @strawberry.field(description="Each level and its colour, lowest first.")
    def levels(self) -> list[LevelInfo] | None:
        return [LevelInfo(level=level, color=level.color) for level in domain.Level]


@strawberry.type(description="The result of createAlert or updateAlert.")
class AlertPayload:
    alert: Alert | None = strawberry.field(description="The alert as saved; null when rejected.")
    errors: list[UserError] = strawberry.field(description="Why it was rejected; empty on success.")

    @classmethod
    def rejected(cls, error: UserInputError, info: Info) -> "AlertPayload":
        """On CONFLICT, the alert as it now stands, so the editor can show what changed."""
        current = None
        if isinstance(error, domain.Conflict):
            current = visible_alerts(info).get(error.current.id)
        return cls(alert=current, errors=user_errors(error))


@strawberry.type(description="The result of deleteAlert.")
class DeleteAlertPayload:
    deleted_id: strawberry.ID | None = strawberry.field(
        description="The id of the deleted alert; null when rejected."
    )
    errors: list[UserError] = strawberry.field(description="Why it was rejected; empty on success.")

    @classmethod
    def rejected(cls, error: UserInputError, info: Info) -> "DeleteAlertPayload":
        return cls(deleted_id=None, errors=user_errors(error))


def not_found_as(argument: str, alert_id: str) -> Exception:
    """The GraphQL error for an alert id the viewer cannot see, naming the argument: the same
    whether the alert does not exist or is someone else's private one."""
    error = domain.not_found(alert_id)
    error.problems[0] = dataclasses.replace(error.problems[0], field=argument)
    return graphql_error(UserInputError(error.problems))


def alert_input_type(criteria_input: type) -> type:
    @strawberry.input(description="An alert as the user defines it; updateAlert replaces it whole.")
    class AlertInput:
        name: str = strawberry.field(description="Required, not blank.")
        type: domain.AlertType = strawberry.field(
            default=domain.AlertType.COLLECTION, description="Which tabs list it."
        )
        level: domain.Level = strawberry.field(
            default=domain.Level.MEDIUM, description="How critical it is."
        )
        color: str | None = strawberry.field(
            default=None, description="#RRGGBB; null for the level's colour."
        )
        visibility: domain.Visibility = strawberry.field(
            default=domain.Visibility.PRIVATE,
            description="PRIVATE (default) or PUBLIC; only the owner may change it.",
        )
        criteria: criteria_input = strawberry.field(  # type: ignore[valid-type]
            description="At least one criterion."
        )

    return AlertInput


def _alert_data(data: Any) -> domain.AlertInput:
    return domain.AlertInput(
        name=data.name, criteria=criteria_given(data.criteria), type=data.type, level=data.level,
        color=data.color, visibility=data.visibility,
    )  # fmt: skip


def _saved(info: Info, alert: domain.Alert) -> Alert:
    """The saved alert, read back through a fresh read transaction."""
    saved = visible_alerts(info).get(alert.id)
    if saved is None:  # not visible any more: a concurrent change; answer what was saved
        context = info.context
        compiled = compile_criteria(load_criteria(context.registry, alert.criteria), context.ledger)
        saved = Alert.build(VisibleAlert(alert, compiled))
    return saved


def alert_mutations(alert_input: type) -> type:
    """The alert mutations, taking the schema's `AlertInput`."""

    @strawberry.type
    class AlertMutations:
        @strawberry.mutation(description="Create an alert owned by the viewer (not for VIEWERs).")
        @payload_errors(AlertPayload)
        def create_alert(self, info: Info, input: alert_input) -> AlertPayload:  # type: ignore[valid-type]
            context = info.context
            with context.writing() as conn:
                data = _alert_data(input)
                alert = domain.create_alert(
                    conn, context.registry, context.user, data, context.today
                )
            return AlertPayload(alert=_saved(info, alert), errors=[])

        @strawberry.mutation(
            description="Replace an alert with the input: its owner, or an ADMIN for a PUBLIC "
            "alert. With expectedVersion not the alert's version, nothing changes (CONFLICT)."
        )
        @payload_errors(AlertPayload)
        def update_alert(
            self,
            info: Info,
            id: strawberry.ID,
            input: alert_input,  # type: ignore[valid-type]
            expected_version: Annotated[int | None, strawberry.argument(
                description="The version the change was made from.")] = None,
        ) -> AlertPayload:  # fmt: skip
            context = info.context
            with context.writing() as conn:
                alert = domain.update_alert(
                    conn, context.registry, context.user, id, _alert_data(input),
                    expected_version, context.today,
                )  # fmt: skip
            return AlertPayload(alert=_saved(info, alert), errors=[])

        @strawberry.mutation(
            description="Delete an alert: its owner, or an ADMIN for a PUBLIC alert."
        )
        @payload_errors(DeleteAlertPayload)
        def delete_alert(self, info: Info, id: strawberry.ID) -> DeleteAlertPayload:
            context = info.context
            with context.writing() as conn:
                deleted = domain.delete_alert(conn, context.user, id)
            deleted_id = strawberry.ID(ids.alert_id(deleted.public_id))
            return DeleteAlertPayload(deleted_id=deleted_id, errors=[])

    return AlertMutations
