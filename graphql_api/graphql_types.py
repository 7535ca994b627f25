"""The GraphQL object types of SPEC §5, as plain classes built in one step from domain objects.

Resolvers stay thin: what needs the database asks the request context, which
batches it over every customer and alert the response shows.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from typing import Annotated, Any

import strawberry
from graphql import GraphQLError
from sqlalchemy import ColumnElement, Row, false
from strawberry.scalars import JSON

from graphql_api import alerts as domain
from graphql_api import evaluation
from graphql_api.criteria import Scope
from graphql_api.errors import ErrorCode, Problem, UserInputError
from graphql_api.reminders import Reminder as ReminderRow
from graphql_api.reminders import ReminderChannel
from graphql_api.request_context import RequestContext, VisibleAlert
from graphql_api.users import Role
from graphql_api.users import User as UserRow

DEFAULT_FIRST = 50
MAX_FIRST = 500

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
    Role,
    description="ADMIN (may also edit public alerts), USER, or VIEWER (reads, changes nothing).",
)
strawberry.enum(
    Scope,
    name="CriterionScope",
    description="CUSTOMER: the criterion looks at the account; ITEM: at its open items.",
)
strawberry.enum(
    ErrorCode,
    name="ErrorCode",
    description="VALIDATION (bad input), NOT_FOUND, FORBIDDEN (not allowed), CONFLICT "
    "(stale version).",
)
strawberry.enum(
    ReminderChannel, name="ReminderChannel", description="How a customer was reminded."
)


def _cx(info: strawberry.Info) -> RequestContext:
    context: RequestContext = info.context
    return context


# -- errors ------------------------------------------------------------------------------


@strawberry.type(description="A problem with a mutation's input or rights; nothing was changed.")
class UserError:
    code: ErrorCode = strawberry.field(description="The kind of problem.")
    field: str | None = strawberry.field(
        description="The input path at fault, e.g. criteria.overdueAmount.min; null for the "
        "whole request."
    )
    message: str = strawberry.field(description="What is wrong, for a person to read.")


def user_errors(error: UserInputError) -> list[UserError]:
    return [UserError(code=p.code, field=p.field, message=p.message) for p in error.problems]


def graphql_error(error: UserInputError) -> GraphQLError:
    """A query argument's problem as a GraphQL error (mutations use `UserError` instead)."""
    problems = [
        {"code": p.code.value, "field": p.field, "message": p.message} for p in error.problems
    ]
    return GraphQLError(
        str(error), extensions={"code": error.problems[0].code.value, "problems": problems}
    )


def check_first(first: int | None, argument: str = "first") -> int:
    if first is None:
        return DEFAULT_FIRST
    if not 0 <= first <= MAX_FIRST:
        raise graphql_error(
            UserInputError(
                [Problem(ErrorCode.VALIDATION, argument,
                         f"{argument} must be between 0 and {MAX_FIRST}, not {first}")]
            )
        )  # fmt: skip
    return first


# -- users and alerts --------------------------------------------------------------------


@strawberry.type(description="A user of the API.")
class User:
    id: strawberry.ID = strawberry.field(description="The user's id.")
    name: str = strawberry.field(description="The user's name.")
    role: Role = strawberry.field(description="What the user may do.")

    @staticmethod
    def of(user: UserRow) -> User:
        return User(id=strawberry.ID(str(user.id)), name=user.name, role=user.role)


@strawberry.type(
    description="An alert: named criteria that highlight the customers breaking a rule."
)
class Alert:
    source: strawberry.Private[domain.Alert]
    compiled_problems: strawberry.Private[tuple[str, ...]]
    id: strawberry.ID = strawberry.field(description="The alert's id.")
    name: str = strawberry.field(description="The alert's name.")
    type: domain.AlertType = strawberry.field(description="Which tabs list the alert.")
    level: domain.Level = strawberry.field(description="How critical the alert is.")
    color: str = strawberry.field(
        description="#RRGGBB: the alert's own colour, or its level's colour when it sets none."
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
    def build(visible: VisibleAlert) -> Alert:
        alert = visible.alert
        return Alert(
            source=alert, id=strawberry.ID(str(alert.id)), name=alert.name, type=alert.type,
            level=alert.level, color=alert.color, visibility=alert.visibility,
            locked=alert.locked, criteria=alert.criteria, version=alert.version,
            compiled_problems=visible.compiled.problems,
        )  # fmt: skip

    @staticmethod
    def visible(info: strawberry.Info) -> dict[int, Alert]:
        """The GraphQL objects of the viewer's alerts, built once per request, in their order."""
        context = _cx(info)
        nodes: dict[int, Alert] | None = context.nodes.get("alerts")
        if nodes is None:
            nodes = context.nodes["alerts"] = {
                alert_id: Alert.build(v) for alert_id, v in context.visible_alerts().items()
            }
        return nodes

    @strawberry.field(
        description="Why the alert cannot be evaluated (e.g. a criterion whose plugin is gone); "
        "such an alert matches nothing. Empty when all is well."
    )
    def problems(self, info: strawberry.Info) -> list[str]:
        if self.compiled_problems:
            return list(self.compiled_problems)
        return _cx(info).alert_problems(self.source.id)  # its SQL may fail in the database

    @strawberry.field(description="The user who created the alert.")
    def owner(self, info: strawberry.Info) -> User:
        owner = _cx(info).owner(self.source.owner_id)
        if owner is None:  # an owner is never deleted; keep the alert readable all the same
            return User(id=strawberry.ID(str(self.source.owner_id)), name=self.source.owner_name,
                        role=Role.USER)  # fmt: skip
        return User.of(owner)

    @strawberry.field(description="How many customers match the alert today.")
    def match_count(self, info: strawberry.Info) -> int:
        return _cx(info).match_count(self.source.id)

    @strawberry.field(description="Whether the viewer may edit and delete the alert.")
    def can_edit(self, info: strawberry.Info) -> bool:
        return domain.can_edit(_cx(info).user, self.source)

    @strawberry.field(description="The customers matching the alert, by account number.")
    def customers(
        self,
        info: strawberry.Info,
        first: Annotated[int | None, strawberry.argument(
            description=f"How many customers (default {DEFAULT_FIRST}, at most {MAX_FIRST})."
        )] = DEFAULT_FIRST,
        after: Annotated[str | None, strawberry.argument(
            description="The endCursor of the previous page.")] = None,
    ) -> CustomerConnection:  # fmt: skip
        visible = _cx(info).visible_alert(self.source.id)
        condition = false() if visible is None else visible.compiled.condition
        return customer_connection(info, first, after, [condition], alert_id=self.source.id)


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


@strawberry.type(description="A criterion of the registry: a field of CriteriaInput.")
class CriterionInfo:
    key: str = strawberry.field(description="The criterion's field name in CriteriaInput.")
    label: str = strawberry.field(description="A short human name.")
    description: str = strawberry.field(description="What the criterion looks at.")
    scope: Scope = strawberry.field(description="Whether it looks at the account or its items.")
    kind: str = strawberry.field(
        description="amount, number, relative date, list of values, yes/no, or a plugin's own kind."
    )
    input_type: str = strawberry.field(description="The GraphQL input type of the field.")
    example: str = strawberry.field(description="An example input.")
    plugin: str | None = strawberry.field(description="The plugin that contributes it.")
    is_list: strawberry.Private[bool]

    @strawberry.field(
        description="For list criteria, the values present in the ledger (sorted); null otherwise."
    )
    def values(self, info: strawberry.Info) -> list[str] | None:
        return _cx(info).known_values().get(self.key) if self.is_list else None


# -- customers ---------------------------------------------------------------------------


@strawberry.type(description="Where a page of a connection stands (Relay convention).")
class PageInfo:
    has_next_page: bool = strawberry.field(description="Whether more follow this page.")
    has_previous_page: bool = strawberry.field(
        description="Whether this page started after a cursor."
    )
    start_cursor: str | None = strawberry.field(description="The cursor of the first edge.")
    end_cursor: str | None = strawberry.field(
        description="The cursor of the last edge: pass it as `after` for the next page."
    )


@strawberry.type(description="An open item (document) of a customer.")
class Item:
    id: strawberry.ID = strawberry.field(description="The item's id.")
    document_number: str = strawberry.field(description="The document number, unique per customer.")
    type: str = strawberry.field(description="INVOICE, CREDIT_NOTE, PAYMENT or OTHER.")
    document_date: dt.date | None = strawberry.field(description="The document's date.")
    due_date: dt.date | None = strawberry.field(description="When it falls due.")
    amount: Decimal | None = strawberry.field(description="The document's amount.")
    open_amount: Decimal = strawberry.field(
        description="What is still open; negative for credit notes and unallocated payments."
    )
    disputed: bool = strawberry.field(description="Whether the item is disputed.")
    ignored_in_collection: bool = strawberry.field(description="Whether collection ignores it.")
    overdue: bool = strawberry.field(description="Whether its due date is before today.")


@strawberry.type(description="An item and its cursor.")
class ItemEdge:
    cursor: str = strawberry.field(description="Pass it as `after` to continue after this item.")
    node: Item = strawberry.field(description="The item.")


@strawberry.type(description="A page of a customer's items, oldest due date first.")
class ItemConnection:
    total_count: int = strawberry.field(description="How many items the customer has.")
    page_info: PageInfo = strawberry.field(description="Where this page stands.")
    edges: list[ItemEdge] = strawberry.field(description="The items of this page.")

    @strawberry.field(description="The items of this page, without cursors.")
    def nodes(self) -> list[Item]:
        return [edge.node for edge in self.edges]


@strawberry.type(description="A collection action logged on a customer.")
class Reminder:
    id: strawberry.ID = strawberry.field(description="The reminder's id.")
    date: dt.date = strawberry.field(description="When the customer was reminded.")
    channel: ReminderChannel = strawberry.field(description="How.")
    note: str | None = strawberry.field(description="A free note.")
    logged_by: str | None = strawberry.field(description="Who logged it (null for imported ones).")

    @staticmethod
    def of(row: ReminderRow) -> Reminder:
        return Reminder(id=strawberry.ID(str(row.id)), date=row.date, channel=row.channel,
                        note=row.note, logged_by=row.logged_by)  # fmt: skip


@strawberry.type(description="A customer account, its figures for today, its items and its bell.")
class Customer:
    pk: strawberry.Private[int]
    id: strawberry.ID = strawberry.field(description="The customer's id.")
    account_number: str = strawberry.field(description="The account number (the ERP's key).")
    name: str | None = strawberry.field(description="The customer's name.")
    group: str | None = strawberry.field(description="The customer's group.")
    country: str | None = strawberry.field(description="ISO 3166-1 alpha-2 country code.")
    status: str | None = strawberry.field(description="A free status code, e.g. Normal or Litige.")
    collector: str | None = strawberry.field(description="Who follows the account.")
    blocked: bool = strawberry.field(description="Whether the account is on credit hold.")
    credit_limit: Decimal | None = strawberry.field(
        description="The credit limit (empty counts as 0)."
    )
    insurer_guarantee: Decimal | None = strawberry.field(
        description="The credit insurer's cover (empty counts as 0)."
    )
    last_payment_date: dt.date | None = strawberry.field(description="The last payment's date.")
    attributes: JSON = strawberry.field(description="Extra attributes from the import, by column.")
    outstanding_amount: Decimal = strawberry.field(
        description="Sum of the open amounts of its items."
    )
    overdue_amount: Decimal = strawberry.field(
        description="Sum of the open amounts of its items due before today."
    )
    not_due_amount: Decimal = strawberry.field(description="outstandingAmount − overdueAmount.")
    disputed_amount: Decimal = strawberry.field(
        description="Sum of the open amounts of its disputed items."
    )
    uncovered_amount: Decimal = strawberry.field(
        description="outstandingAmount − insurerGuarantee."
    )
    credit_limit_excess: Decimal = strawberry.field(description="outstandingAmount − creditLimit.")
    days_overdue: int = strawberry.field(
        description="Days since the earliest due date of its overdue items with a positive open "
        "amount; 0 when none."
    )
    last_reminder_date: dt.date | None = strawberry.field(
        description="Its most recent reminder's date; null when never reminded."
    )

    @staticmethod
    def of(row: Row[Any]) -> Customer:
        return Customer(
            pk=row.id, id=strawberry.ID(str(row.id)), account_number=row.account_number,
            name=row.name, group=row.customer_group, country=row.country, status=row.status,
            collector=row.collector, blocked=row.blocked, credit_limit=row.credit_limit,
            insurer_guarantee=row.insurer_guarantee, last_payment_date=row.last_payment_date,
            attributes=row.attributes, outstanding_amount=row.outstanding_amount,
            overdue_amount=row.overdue_amount, not_due_amount=row.not_due_amount,
            disputed_amount=row.disputed_amount, uncovered_amount=row.uncovered_amount,
            credit_limit_excess=row.credit_limit_excess, days_overdue=row.days_overdue,
            last_reminder_date=row.last_reminder_date,
        )  # fmt: skip

    @strawberry.field(
        description="The viewer's alerts this customer matches, optionally for one tab."
    )
    def bell(
        self,
        info: strawberry.Info,
        tab: Annotated[domain.AlertTab | None, strawberry.argument(
            description="Only the alerts of this tab; all of them when omitted.")] = None,
    ) -> Bell:  # fmt: skip
        nodes = Alert.visible(info)
        matched = [nodes[i] for i in _cx(info).bell_alerts(self.pk)]
        if tab is not None:
            types = tab.types
            matched = [alert for alert in matched if alert.type in types]
        if not matched:
            return Bell(count=0, level=None, color=None, alerts=[])
        top = matched[0].level  # visible alerts come highest level first, then by name
        return Bell(count=len(matched), level=top, color=top.color, alerts=matched)

    @strawberry.field(description="Its reminders, newest first.")
    def reminders(
        self,
        info: strawberry.Info,
        first: Annotated[int | None, strawberry.argument(
            description="Only the newest ones; all when omitted.")] = None,
    ) -> list[Reminder]:  # fmt: skip
        found = _cx(info).reminders(self.pk)
        if first is not None:
            found = found[: check_first(first)]
        return [Reminder.of(r) for r in found]

    @strawberry.field(description="Its items (open or settled), oldest due date first.")
    def items(
        self,
        info: strawberry.Info,
        first: Annotated[int | None, strawberry.argument(
            description=f"How many items (default {DEFAULT_FIRST}, at most {MAX_FIRST})."
        )] = DEFAULT_FIRST,
        after: Annotated[str | None, strawberry.argument(
            description="The endCursor of the previous page.")] = None,
    ) -> ItemConnection:  # fmt: skip
        context = _cx(info)
        count = check_first(first)
        offset = 0 if after is None else _item_offset(after)
        rows, total = context.items(self.pk, offset, count)
        edges = [
            ItemEdge(cursor=_item_cursor(offset + n + 1), node=_item(row, context.today))
            for n, row in enumerate(rows[:count])
        ]
        page = PageInfo(
            has_next_page=len(rows) > count, has_previous_page=offset > 0,
            start_cursor=edges[0].cursor if edges else None,
            end_cursor=edges[-1].cursor if edges else after,
        )  # fmt: skip
        return ItemConnection(total_count=total, page_info=page, edges=edges)


@strawberry.type(description="A customer and its cursor.")
class CustomerEdge:
    cursor: str = strawberry.field(
        description="Pass it as `after` to continue after this customer."
    )
    node: Customer = strawberry.field(description="The customer.")


@strawberry.type(description="A page of customers in account-number order (Relay convention).")
class CustomerConnection:
    filters: strawberry.Private[list[ColumnElement[bool]]]
    # Where the filters come from, should a plugin's SQL in them fail in the database.
    alert_id: strawberry.Private[int | None]
    where: strawberry.Private[Mapping[str, Any] | None]
    page_info: PageInfo = strawberry.field(description="Where this page stands.")
    edges: list[CustomerEdge] = strawberry.field(description="The customers of this page.")

    @strawberry.field(description="How many customers match, over all pages.")
    def total_count(self, info: strawberry.Info) -> int:
        found = _guarded(
            info, lambda conn: evaluation.customer_count(conn, self.filters), self.alert_id,
            self.where,
        )  # fmt: skip
        return 0 if found is None else found

    @strawberry.field(description="The customers of this page, without cursors.")
    def nodes(self) -> list[Customer]:
        return [edge.node for edge in self.edges]


def customer_connection(
    info: strawberry.Info,
    first: int | None,
    after: str | None,
    conditions: list[ColumnElement[bool]],
    search: str | None = None,
    *,
    alert_id: int | None = None,
    where: Mapping[str, Any] | None = None,
) -> CustomerConnection:
    """A page of the customers meeting every condition (and the search), in account order.
    The conditions come from the alert `alert_id` and/or the criteria `where`: should their
    SQL fail in the database, the alert matches nothing, or the search is an error."""
    count = check_first(first)
    try:
        start = None if after is None else evaluation.decode_cursor(after)
        filters = [*conditions, *evaluation.customer_filter(None, search)]
    except UserInputError as error:
        raise graphql_error(error) from None
    context = _cx(info)
    found = _guarded(
        info, lambda conn: evaluation.customer_page(conn, filters, start, count), alert_id, where
    )
    if found is None:  # the alert's SQL fails: it matches nothing
        filters = [false()]
    rows, more = found or ([], False)
    edges = [CustomerEdge(cursor=evaluation.encode_cursor(r.account_number), node=Customer.of(r))
             for r in rows]  # fmt: skip
    context.show_customers(edge.node.pk for edge in edges)
    page = PageInfo(
        has_next_page=more, has_previous_page=start is not None,
        start_cursor=edges[0].cursor if edges else None,
        end_cursor=edges[-1].cursor if edges else after,
    )  # fmt: skip
    return CustomerConnection(
        filters=filters, alert_id=alert_id, where=where, page_info=page, edges=edges
    )


def _guarded(
    info: strawberry.Info,
    run: Any,
    alert_id: int | None,
    where: Mapping[str, Any] | None,
) -> Any:
    try:
        return _cx(info).guarded_read(run, alert_id, where)
    except UserInputError as error:
        raise graphql_error(error) from None


def _item(row: Row[Any], today: dt.date) -> Item:
    return Item(
        id=strawberry.ID(str(row.id)), document_number=row.document_number, type=row.type,
        document_date=row.document_date, due_date=row.due_date, amount=row.amount,
        open_amount=row.open_amount, disputed=row.disputed,
        ignored_in_collection=row.ignored_in_collection,
        overdue=row.due_date is not None and row.due_date < today,
    )  # fmt: skip


def _item_cursor(position: int) -> str:
    return base64.urlsafe_b64encode(f"i:{position}".encode()).decode()


def _item_offset(cursor: str) -> int:
    try:
        decoded = base64.urlsafe_b64decode(cursor.encode()).decode()
        if decoded.startswith("i:") and decoded[2:].isdigit() and len(decoded) < 12:
            return int(decoded[2:])
    except (binascii.Error, UnicodeError, ValueError):
        pass
    raise graphql_error(
        UserInputError([Problem(ErrorCode.VALIDATION, "after",
                                "after is not an item cursor returned by this API")])
    )  # fmt: skip


# -- mutation payloads -------------------------------------------------------------------


@strawberry.type(description="The result of createAlert or updateAlert.")
class AlertPayload:
    alert: Alert | None = strawberry.field(description="The alert as saved; null when rejected.")
    errors: list[UserError] = strawberry.field(description="Why it was rejected; empty on success.")


@strawberry.type(description="The result of deleteAlert.")
class DeleteAlertPayload:
    deleted_id: strawberry.ID | None = strawberry.field(
        description="The id of the deleted alert; null when rejected."
    )
    errors: list[UserError] = strawberry.field(description="Why it was rejected; empty on success.")


@strawberry.type(description="The result of logReminder.")
class ReminderPayload:
    reminder: Reminder | None = strawberry.field(
        description="The reminder logged; null when rejected."
    )
    customer: Customer | None = strawberry.field(
        description="The customer, with its figures (lastReminderDate) already updated."
    )
    errors: list[UserError] = strawberry.field(description="Why it was rejected; empty on success.")
