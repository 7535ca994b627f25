"""The GraphQL schema of SPEC §5, assembled at start-up from the criteria registry.

`CriteriaInput` gets one field per installed criterion, so a plugin adds a
field without touching this module. Its annotations are evaluated eagerly
(no `from __future__ import annotations`): the types built here are local.
"""

import dataclasses
import datetime as dt
import enum
import keyword
import logging
import types
from decimal import Decimal
from typing import Annotated, Any

import strawberry
from graphql import GraphQLError
from strawberry.extensions import ParserCache, ValidationCache
from strawberry.schema.name_converter import NameConverter
from strawberry.types import ExecutionContext

from graphql_api import alerts, evaluation, reminders
from graphql_api.errors import ErrorCode, Problem, UserInputError
from graphql_api.fast_execution import FastExecutionContext
from graphql_api.graphql_types import (
    Alert,
    AlertPayload,
    CriterionInfo,
    Customer,
    CustomerConnection,
    DeleteAlertPayload,
    Reminder,
    ReminderPayload,
    User,
    _cx,
    customer_connection,
    graphql_error,
    user_errors,
)
from graphql_api.plugins import CriteriaRegistry, PluginFailure
from graphql_api.query_limits import QueryLimits
from graphql_api.reminders import ReminderChannel
from graphql_api.request_context import VisibleAlert

log = logging.getLogger(__name__)

_NAMES = NameConverter()
_SCALARS = (bool, int, float, str, Decimal, dt.date, dt.datetime, strawberry.ID)


class Schema(strawberry.Schema):
    """Logs only the errors that are the server's fault (not a client's bad query), with the
    request id the client is shown, and the stack trace."""

    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        context = execution_context.context if execution_context is not None else None
        request_id = getattr(context, "request_id", None)
        for error in errors:
            if is_unexpected(error):
                path = ".".join(str(p) for p in error.path or ())
                log.error(
                    "request %s: unexpected error at %s: %s", request_id, path or "-",
                    error.message, exc_info=error.original_error,
                )  # fmt: skip


def is_unexpected(error: GraphQLError) -> bool:
    return error.original_error is not None and not isinstance(error.original_error, GraphQLError)


def build_schema(
    registry: CriteriaRegistry, limits: QueryLimits | None = None
) -> strawberry.Schema:
    """The schema served with these criteria (see `served_schema`)."""
    return served_schema(registry, limits)[0]


def served_schema(
    registry: CriteriaRegistry, limits: QueryLimits | None = None
) -> tuple[strawberry.Schema, CriteriaRegistry]:
    """The schema, and the registry it serves: `registry` itself, unless some criterion's
    GraphQL input type cannot be part of the schema (e.g. its name is already another
    type's). Such a criterion is left out, as if its plugin had failed to load: the schema
    still builds, and the alerts using it report the problem and match nothing."""
    limits = limits or QueryLimits.from_environment()
    try:
        return _schema(registry, limits), registry
    except Exception:  # a plugin's input type; find which, below
        pass
    kept = CriteriaRegistry(plugins=registry.plugins, failures=list(registry.failures))
    owners = {key: plugin.name for plugin in registry.plugins for key in plugin.criteria}
    for key, criterion in registry.criteria.items():
        kept.criteria[key] = criterion
        try:
            _schema(kept, limits)
        except Exception as error:
            del kept.criteria[key]
            message = f"criterion {key!r} left out of the schema: {_first_line(error)}"
            kept.failures.append(PluginFailure(owners.get(key, "?"), message))
            log.warning("plugin %s: %s", owners.get(key, "?"), message)
    return _schema(kept, limits), kept


def _schema(registry: CriteriaRegistry, limits: QueryLimits) -> strawberry.Schema:
    criteria_input = criteria_input_type(registry)
    infos: list[CriterionInfo] = []
    schema = Schema(
        query=query_type(registry, criteria_input, infos),
        mutation=mutation_type(registry, alert_input_type(criteria_input)),
        extensions=[*limits.extensions(), lambda: ParserCache(maxsize=256),
                    lambda: ValidationCache(maxsize=256)],
        execution_context_class=FastExecutionContext.for_settings(),
    )  # fmt: skip
    infos.extend(criterion_infos(registry, schema))
    return schema


def _first_line(error: Exception) -> str:
    text = str(error).strip().splitlines()
    return text[0] if text else type(error).__name__


# -- criteria ----------------------------------------------------------------------------


def criteria_input_type(registry: CriteriaRegistry) -> type:
    """`CriteriaInput`: one optional field per criterion, named by its key."""
    namespace: dict[str, Any] = {}
    annotations: dict[str, Any] = {}
    for index, (key, criterion) in enumerate(registry.criteria.items()):
        input_type = criterion.kind.input_type
        if not _usable_input(input_type):
            log.warning("criterion %s: %r is not a GraphQL input type; left out", key, input_type)
            continue
        usable = key.isidentifier() and not keyword.iskeyword(key)
        attribute = key if usable else f"criterion_{index}"
        annotations[attribute] = input_type | None
        namespace[attribute] = strawberry.field(
            default=None, name=key, description=f"{criterion.label}: {criterion.description}"
        )
    if not annotations:
        annotations["none"] = bool | None
        namespace["none"] = strawberry.field(
            default=None, name="_none", description="No criterion is installed."
        )
    namespace["__annotations__"] = annotations
    cls = types.new_class("CriteriaInput", (), {}, lambda ns: ns.update(namespace))
    return strawberry.input(
        cls,
        description="Criteria, all ANDed: one field per installed criterion (plugins add fields). "
        "A customer matches when every customer criterion holds and, if item criteria are given, "
        "at least one of its open items meets them all.",
    )


def _usable_input(input_type: Any) -> bool:
    if input_type in _SCALARS:
        return True
    definition = getattr(input_type, "__strawberry_definition__", None)
    return bool(definition is not None and definition.is_input) or hasattr(
        input_type, "_enum_definition"
    )


def input_json(value: Any) -> Any:
    """A GraphQL input object as stored JSON: GraphQL names, no nulls, amounts as strings."""
    definition = getattr(type(value), "__strawberry_definition__", None)
    if definition is not None and dataclasses.is_dataclass(value):
        found = {}
        for field in definition.fields:
            item = getattr(value, field.python_name, None)
            if item is not None and item is not strawberry.UNSET:
                found[_NAMES.get_graphql_name(field)] = input_json(item)
        return found
    if isinstance(value, list | tuple):
        return [input_json(item) for item in value]
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def criterion_infos(registry: CriteriaRegistry, schema: strawberry.Schema) -> list[CriterionInfo]:
    graphql_input = schema._schema.type_map["CriteriaInput"]
    fields = getattr(graphql_input, "fields", {})
    owners = {key: plugin.name for plugin in registry.plugins for key in plugin.criteria}
    return [
        CriterionInfo(
            key=key, label=c.label, description=c.description, scope=c.scope, kind=c.kind.name,
            input_type=str(fields[key].type) if key in fields else "",
            example=c.kind.describe_input(), plugin=owners.get(key),
            is_list=c.known_values is not None or c.kind.name == "list of values",
        )
        for key, c in registry.criteria.items()
    ]  # fmt: skip


def _where(registry: CriteriaRegistry, info: strawberry.Info, where: Any) -> tuple[Any, Any]:
    """`customers(where:)`: validated and compiled exactly like an alert's criteria; the
    criteria as validated, and their condition."""
    try:
        spec = evaluation.validate_criteria(registry, input_json(where))
    except UserInputError as error:
        raise graphql_error(error) from None
    compiled = evaluation.compile_criteria(registry, spec, _cx(info).ledger)
    if compiled.problems:
        message = "; ".join(compiled.problems)
        raise graphql_error(UserInputError([Problem(ErrorCode.VALIDATION, "where", message)]))
    return spec, compiled.condition


# -- queries -----------------------------------------------------------------------------


def query_type(
    registry: CriteriaRegistry, criteria_input: type, infos: list[CriterionInfo]
) -> type:
    @strawberry.type(description="Reading the ledger and the alerts; every request needs a token.")
    class Query:
        @strawberry.field(description="The user the token belongs to.")
        def me(self, info: strawberry.Info) -> User:
            return User.of(_cx(info).user)

        @strawberry.field(description="The installed criteria: the fields of CriteriaInput.")
        def criteria(self) -> list[CriterionInfo]:
            return infos

        @strawberry.field(
            description="The alerts the viewer can see (PUBLIC ones and their own PRIVATE ones), "
            "highest level first, then by name."
        )
        def alerts(
            self,
            info: strawberry.Info,
            tab: Annotated[alerts.AlertTab | None, strawberry.argument(
                description="Only the alerts of this tab.")] = None,
        ) -> list[Alert]:  # fmt: skip
            found = Alert.visible(info).values()
            return [alert for alert in found if tab is None or alert.type in tab.types]

        @strawberry.field(description="One alert; null when it does not exist or is not visible.")
        def alert(self, info: strawberry.Info, id: strawberry.ID) -> Alert | None:
            number = alerts.parse_id(id)
            return None if number is None else Alert.visible(info).get(number)

        @strawberry.field(
            description="Customers in account-number order, optionally those matching criteria "
            "(`where`), an alert (`alertId`) and a search, all combined. An unknown or invisible "
            "alertId is an error (NOT_FOUND), the same for both."
        )
        def customers(
            self,
            info: strawberry.Info,
            first: Annotated[int | None, strawberry.argument(
                description="Page size: 50 by default, at most 500.")] = 50,
            after: Annotated[str | None, strawberry.argument(
                description="The endCursor of the previous page.")] = None,
            where: Annotated[criteria_input | None, strawberry.argument(
                description="Advanced search: the criteria of alerts, with the same meaning."
            )] = None,
            alert_id: Annotated[strawberry.ID | None, strawberry.argument(
                description="Only the customers matching this alert.")] = None,
            search: Annotated[str | None, strawberry.argument(
                description="Case-insensitive text found in the account number or the name."
            )] = None,
        ) -> CustomerConnection:  # fmt: skip
            """Thin: the filters, then one page. `alertId` of an alert the viewer may not see
            is answered exactly like an id that does not exist: a NOT_FOUND GraphQL error
            "no alert with id '…'" (not an empty page, which would hide a typo)."""
            conditions = []
            spec = visible = None
            if where is not None:
                spec, condition = _where(registry, info, where)
                conditions.append(condition)
            if alert_id is not None:
                visible = _cx(info).visible_alert(alerts.parse_id(alert_id))
                if visible is None:
                    error = alerts.not_found(alert_id)
                    error.problems[0] = dataclasses.replace(error.problems[0], field="alertId")
                    raise graphql_error(error)
                conditions.append(visible.compiled.condition)
            return customer_connection(
                info, first, after, conditions, search,
                alert_id=None if visible is None else visible.alert.id, where=spec,
            )  # fmt: skip

        @strawberry.field(description="One customer by id or account number; null when absent.")
        def customer(
            self,
            info: strawberry.Info,
            id: strawberry.ID | None = None,
            account_number: str | None = None,
        ) -> Customer | None:
            if id is None and account_number is None:
                problem = Problem(ErrorCode.VALIDATION, "id", "give id or accountNumber")
                raise graphql_error(UserInputError([problem]))
            number = None if id is None else alerts.parse_id(id)
            if id is not None and number is None:
                return None
            context = _cx(info)
            row = evaluation.customer_by(
                context.conn, customer_id=number, account_number=account_number
            )
            if row is None:
                return None
            context.show_customers([row.id])
            return Customer.of(row)

    return Query


# -- mutations ---------------------------------------------------------------------------


def alert_input_type(criteria_input: type) -> type:
    @strawberry.input(description="An alert as the user defines it; updateAlert replaces it whole.")
    class AlertInput:
        name: str = strawberry.field(description="Required, not blank.")
        type: alerts.AlertType = strawberry.field(
            default=alerts.AlertType.COLLECTION, description="Which tabs list it."
        )
        level: alerts.Level = strawberry.field(
            default=alerts.Level.MEDIUM, description="How critical it is."
        )
        color: str | None = strawberry.field(
            default=None, description="#RRGGBB; null for the level's colour."
        )
        visibility: alerts.Visibility = strawberry.field(
            default=alerts.Visibility.PRIVATE,
            description="PRIVATE (default) or PUBLIC; only the owner may change it.",
        )
        criteria: criteria_input = strawberry.field(  # type: ignore[valid-type]
            description="At least one criterion."
        )

    return AlertInput


@strawberry.input(description="A reminder to log on a customer.")
class ReminderInput:
    customer_id: strawberry.ID = strawberry.field(description="The customer's id.")
    date: dt.date | None = strawberry.field(
        default=None, description="When the customer was reminded; today when omitted."
    )
    channel: ReminderChannel = strawberry.field(
        default=ReminderChannel.EMAIL, description="How (EMAIL by default)."
    )
    note: str | None = strawberry.field(default=None, description="A free note.")


def _alert_data(data: Any) -> alerts.AlertInput:
    return alerts.AlertInput(
        name=data.name, criteria=input_json(data.criteria), type=data.type, level=data.level,
        color=data.color, visibility=data.visibility,
    )  # fmt: skip


def _saved(info: strawberry.Info, registry: CriteriaRegistry, alert: alerts.Alert) -> Alert:
    """The saved alert, read back through a fresh read transaction."""
    saved = Alert.visible(info).get(alert.id)
    if saved is None:  # not visible any more: a concurrent change; answer what was saved
        compiled = evaluation.compile_criteria(registry, alert.criteria, _cx(info).ledger)
        saved = Alert.build(VisibleAlert(alert, compiled))
    return saved


def mutation_type(registry: CriteriaRegistry, alert_input: type) -> type:
    @strawberry.type(description="Changing alerts and logging reminders; a rejected change changes nothing.")  # noqa: E501
    class Mutation:
        @strawberry.mutation(description="Create an alert owned by the viewer (not for VIEWERs).")
        def create_alert(self, info: strawberry.Info, input: alert_input) -> AlertPayload:  # type: ignore[valid-type]
            context = _cx(info)
            try:
                with context.writing() as conn:
                    alert = alerts.create_alert(conn, registry, context.user, _alert_data(input))
            except UserInputError as error:
                return AlertPayload(alert=None, errors=user_errors(error))
            return AlertPayload(alert=_saved(info, registry, alert), errors=[])

        @strawberry.mutation(
            description="Replace an alert with the input: its owner, or an ADMIN for a PUBLIC "
            "alert. With expectedVersion not the alert's version, nothing changes (CONFLICT)."
        )
        def update_alert(
            self,
            info: strawberry.Info,
            id: strawberry.ID,
            input: alert_input,  # type: ignore[valid-type]
            expected_version: Annotated[int | None, strawberry.argument(
                description="The version the change was made from.")] = None,
        ) -> AlertPayload:  # fmt: skip
            context = _cx(info)
            try:
                with context.writing() as conn:
                    alert = alerts.update_alert(
                        conn, registry, context.user, id, _alert_data(input), expected_version
                    )
            except UserInputError as error:
                return AlertPayload(alert=None, errors=user_errors(error))
            return AlertPayload(alert=_saved(info, registry, alert), errors=[])

        @strawberry.mutation(
            description="Delete an alert: its owner, or an ADMIN for a PUBLIC alert."
        )
        def delete_alert(self, info: strawberry.Info, id: strawberry.ID) -> DeleteAlertPayload:
            context = _cx(info)
            try:
                with context.writing() as conn:
                    deleted = alerts.delete_alert(conn, context.user, id)
            except UserInputError as error:
                return DeleteAlertPayload(deleted_id=None, errors=user_errors(error))
            return DeleteAlertPayload(deleted_id=strawberry.ID(str(deleted)), errors=[])

        @strawberry.mutation(
            description="Log a reminder on a customer (not for VIEWERs); its lastReminderDate is "
            "updated at once."
        )
        def log_reminder(self, info: strawberry.Info, input: ReminderInput) -> ReminderPayload:
            context = _cx(info)
            try:
                with context.writing() as conn:
                    logged = reminders.log_reminder(
                        conn, context.user, input.customer_id, input.date or context.today,
                        input.channel, input.note,
                    )  # fmt: skip
            except UserInputError as error:
                return ReminderPayload(reminder=None, customer=None, errors=user_errors(error))
            row = evaluation.customer_by(context.conn, customer_id=logged.customer_id)
            customer = None if row is None else Customer.of(row)
            if customer is not None:
                context.show_customers([customer.pk])
            return ReminderPayload(reminder=Reminder.of(logged), customer=customer, errors=[])

    return Mutation
