"""Customers: the `Customer` type with its bell, items and reminders, the connections that
page through customers and items, and `customers`/`customer`.

No `from __future__ import annotations` here: `customers(where:)` takes the registry's
`CriteriaInput`, a type built with the schema, so its annotations are objects.
"""

import base64
import binascii
import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Annotated, Any

import strawberry
from sqlalchemy import ColumnElement, Row, false
from strawberry.scalars import JSON

from graphql_api import alerts as domain
from graphql_api import customer_queries, ids
from graphql_api.criteria import ParsedCriteria
from graphql_api.errors import invalid
from graphql_api.graphql.alerts import Bell, not_found_as, visible_alert, visible_alerts
from graphql_api.graphql.context import Info
from graphql_api.graphql.criteria import parse_where
from graphql_api.graphql.errors import query_error
from graphql_api.graphql.node import Node
from graphql_api.graphql.paging import DEFAULT_FIRST, MAX_FIRST, PageInfo, page_size
from graphql_api.graphql.reminders import Reminder


@strawberry.type(description="An open item (document) of a customer.")
class Item(Node):
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

    @staticmethod
    def of(row: Row[Any], today: dt.date) -> "Item":
        return Item(
            id=strawberry.ID(ids.item_id(row.customer_id, row.document_number)),
            document_number=row.document_number, type=row.type,
            document_date=row.document_date, due_date=row.due_date, amount=row.amount,
            open_amount=row.open_amount, disputed=row.disputed,
            ignored_in_collection=row.ignored_in_collection,
            overdue=row.due_date is not None and row.due_date < today,
        )  # fmt: skip


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


@strawberry.type(description="A customer account, its figures for today, its items and its bell.")
class Customer(Node):
    pk: strawberry.Private[int]
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
    def of(row: Row[Any]) -> "Customer":
        return Customer(
            pk=row.id, id=strawberry.ID(ids.customer_id(row.id)), account_number=row.account_number,
            name=row.name, group=row.customer_group, country=row.country, status=row.status,
            collector=row.collector, blocked=row.blocked, credit_limit=row.credit_limit,
            insurer_guarantee=row.insurer_guarantee, last_payment_date=row.last_payment_date,
            attributes=row.attributes, outstanding_amount=row.outstanding_amount,
            overdue_amount=row.overdue_amount, not_due_amount=row.not_due_amount,
            disputed_amount=row.disputed_amount, uncovered_amount=row.uncovered_amount,
            credit_limit_excess=row.credit_limit_excess, days_overdue=row.days_overdue,
            last_reminder_date=row.last_reminder_date,
        )  # fmt: skip

    @staticmethod
    def shown(info: Info, rows: list[Row[Any]]) -> list["Customer"]:
        """The customers of a page, primed in the request's loaders (bells, items, reminders)."""
        info.context.show_customers(row.id for row in rows)
        return [Customer.of(row) for row in rows]

    @strawberry.field(
        description="The viewer's alerts this customer matches, optionally for one tab."
    )
    def bell(
        self,
        info: Info,
        tab: Annotated[domain.AlertTab | None, strawberry.argument(
            description="Only the alerts of this tab; all of them when omitted.")] = None,
    ) -> Bell:  # fmt: skip
        nodes = visible_alerts(info)
        matched = [nodes[i] for i in info.context.alerts.bells.get(self.pk)]
        if tab is not None:
            matched = [alert for alert in matched if alert.type in tab.types]
        return Bell.ringing(matched)

    @strawberry.field(description="Its reminders, newest first.")
    @query_error
    def reminders(
        self,
        info: Info,
        first: Annotated[int | None, strawberry.argument(
            description="Only the newest ones; all when omitted.")] = None,
    ) -> list[Reminder]:  # fmt: skip
        found = info.context.reminders.get(self.pk)
        if first is not None:
            found = found[: page_size(first)]
        return [Reminder.of(r) for r in found]

    @strawberry.field(description="Its items (open or settled), oldest due date first.")
    @query_error
    def items(
        self,
        info: Info,
        first: Annotated[int | None, strawberry.argument(
            description=f"How many items (default {DEFAULT_FIRST}, at most {MAX_FIRST})."
        )] = DEFAULT_FIRST,
        after: Annotated[str | None, strawberry.argument(
            description="The endCursor of the previous page.")] = None,
    ) -> ItemConnection:  # fmt: skip
        context = info.context
        count = page_size(first)
        offset = 0 if after is None else _item_offset(after)
        rows, total = context.items(self.pk, offset, count)
        edges = [
            ItemEdge(cursor=_item_cursor(offset + n + 1), node=Item.of(row, context.today))
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
    # Counts the customers of every page; None when the alert filtering them cannot run.
    count: strawberry.Private[Callable[[], int | None]]
    page_info: PageInfo = strawberry.field(description="Where this page stands.")
    edges: list[CustomerEdge] = strawberry.field(description="The customers of this page.")

    @strawberry.field(description="How many customers match, over all pages.")
    def total_count(self) -> int:
        return self.count() or 0

    @strawberry.field(description="The customers of this page, without cursors.")
    def nodes(self) -> list[Customer]:
        return [edge.node for edge in self.edges]


def customer_connection(
    info: Info,
    first: int | None,
    after: str | None,
    conditions: list[ColumnElement[bool]],
    search: str | None = None,
    *,
    alert_id: int | None = None,
    where: ParsedCriteria | None = None,
) -> CustomerConnection:
    """A page of the customers meeting every condition (and the search), in account order.
    The conditions come from the alert `alert_id` and/or the criteria `where`: should their
    SQL fail in the database, the alert matches nothing, or the search is an error (raised
    as a UserInputError)."""
    count = page_size(first)
    start = None if after is None else customer_queries.decode_cursor(after)
    filters = [*conditions, *customer_queries.customer_filter(None, search)]
    guarded = info.context.alerts.guarded_read
    found = guarded(
        lambda conn: customer_queries.customer_page(conn, filters, start, count), alert_id, where
    )
    if found is None:  # the alert's SQL fails: it matches nothing
        filters = [false()]
    rows, more = found or ([], False)
    edges = [
        CustomerEdge(cursor=customer_queries.encode_cursor(row.account_number), node=node)
        for row, node in zip(rows, Customer.shown(info, rows), strict=True)
    ]
    page = PageInfo(
        has_next_page=more, has_previous_page=start is not None,
        start_cursor=edges[0].cursor if edges else None,
        end_cursor=edges[-1].cursor if edges else after,
    )  # fmt: skip

    @query_error
    def total() -> int | None:
        return guarded(
            lambda conn: customer_queries.customer_count(conn, filters), alert_id, where
        )

    return CustomerConnection(count=total, page_info=page, edges=edges)


@query_error
def alert_customers(
    info: Info, alert_id: int, first: int | None, after: str | None
) -> CustomerConnection:
    """The customers matching one of the viewer's alerts."""
    visible = info.context.alerts.get(alert_id)
    condition = false() if visible is None else visible.compiled.condition
    return customer_connection(info, first, after, [condition], alert_id=alert_id)


def _item_cursor(position: int) -> str:
    return base64.urlsafe_b64encode(f"i:{position}".encode()).decode()


def _item_offset(cursor: str) -> int:
    try:
        decoded = base64.urlsafe_b64decode(cursor.encode()).decode()
        if decoded.startswith("i:") and decoded[2:].isdigit() and len(decoded) < 12:
            return int(decoded[2:])
    except (binascii.Error, UnicodeError, ValueError):
        pass
    raise invalid("after", "after is not an item cursor returned by this API")


def customer_queries_type(criteria_input: type) -> type:
    """`customers` and `customer`, taking the schema's `CriteriaInput`."""

    @strawberry.type
    class CustomerQueries:
        @strawberry.field(
            description="Customers in account-number order, optionally those matching criteria "
            "(`where`), an alert (`alertId`) and a search, all combined. An unknown or invisible "
            "alertId is an error (NOT_FOUND), the same for both."
        )
        @query_error
        def customers(
            self,
            info: Info,
            first: Annotated[int | None, strawberry.argument(
                description="Page size: 50 by default, at most 500.")] = 50,
            after: Annotated[str | None, strawberry.argument(
                description="The endCursor of the previous page.")] = None,
            where: Annotated[criteria_input | None, strawberry.argument(  # type: ignore[valid-type]
                description="Advanced search: the criteria of alerts, with the same meaning."
            )] = None,
            alert_id: Annotated[strawberry.ID | None, strawberry.argument(
                description="Only the customers matching this alert.")] = None,
            search: Annotated[str | None, strawberry.argument(
                description="Case-insensitive text found in the account number or the name."
            )] = None,
        ) -> CustomerConnection | None:  # fmt: skip
            """`alertId` of an alert the viewer may not see is answered exactly like an id that
            does not exist: a NOT_FOUND error "no alert with id '…'" (not an empty page,
            which would hide a typo)."""
            context = info.context
            conditions = []
            spec = visible = None
            if where is not None:
                spec, condition = parse_where(context.registry, context.ledger, where)
                conditions.append(condition)
            if alert_id is not None:
                shown = visible_alert(info, alert_id)
                if shown is None:
                    raise not_found_as("alertId", alert_id)
                visible = context.alerts.get(shown.source.id)
                assert visible is not None
                conditions.append(visible.compiled.condition)
            return customer_connection(
                info, first, after, conditions, search,
                alert_id=None if visible is None else visible.alert.id, where=spec,
            )  # fmt: skip

        @strawberry.field(
            description="The reference date \"today\" every relative date is measured from (the "
            "server's local date, unless DSO_ALERTS_TODAY pins it)."
        )
        def today(self, info: Info) -> dt.date | None:
            return info.context.today

        @strawberry.field(description="One customer by id or account number; null when absent.")
        @query_error
        def customer(
            self,
            info: Info,
            id: strawberry.ID | None = None,
            account_number: str | None = None,
        ) -> Customer | None:
            if id is None and account_number is None:
                raise invalid("id", "give id or accountNumber")
            number = None if id is None else ids.customer_row(id)
            if id is not None and number is None:
                return None
            row = customer_queries.customer_by(
                info.context.conn, customer_id=number, account_number=account_number
            )
            return None if row is None else Customer.shown(info, [row])[0]

    return CustomerQueries
