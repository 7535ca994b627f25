"""Customers: the `Customer` type with its bell, items and reminders, the connection that
pages through customers in the orders of SPEC §8, and `customers`/`customer`.

No `from __future__ import annotations` here: `customers(where:)` takes the registry's
`CriteriaInput`, a type built with the schema, so its annotations are objects.
"""

import datetime as dt
import functools
import operator
from collections.abc import Callable
from decimal import Decimal
from typing import Annotated, Any

import strawberry
from sqlalchemy import ColumnElement, Row
from strawberry.scalars import JSON

from graphql_api import alerts as domain
from graphql_api import customer_queries, ids
from graphql_api.bell_queries import matches_alert
from graphql_api.criteria import ParsedCriteria
from graphql_api.customer_queries import CustomerSortField
from graphql_api.errors import invalid
from graphql_api.graphql.alerts import not_found_as, visible_alert
from graphql_api.graphql.bells import Bell, BellFilter, customer_bell, worklist
from graphql_api.graphql.changes import AlertChangeConnection, customer_alert_changes
from graphql_api.graphql.context import Info
from graphql_api.graphql.criteria import parse_where
from graphql_api.graphql.errors import query_error
from graphql_api.graphql.items import (
    ItemConnection,
    ItemOrderBy,
    SchemaCriteria,
    customer_items,
    items_query_type,
)
from graphql_api.graphql.node import Node
from graphql_api.graphql.paging import Paging, connection_types, page_size, paged, window
from graphql_api.graphql.reminders import Reminder
from graphql_api.sort_order import SortDirection

strawberry.enum(
    CustomerSortField,
    description="What customers can be sorted by; ties go by account number. BELL: by the "
    "entries of the viewer's bell that `bell` keeps (the whole bell without it), their highest "
    "level then how many; customers with none last.",
)


@strawberry.input(description="One key of an order of customers.")
class CustomerOrder:
    field: CustomerSortField = strawberry.field(description="What to sort by.")
    direction: SortDirection = strawberry.field(
        default=SortDirection.ASC, description="ASC (the default) or DESC."
    )


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
    def of(row: Row[Any], read: Callable[[Row[Any]], Any] | None = None) -> "Customer":
        """The customer of a row; `read` takes its columns from rows of the same statement
        (`_columns_read`), else they are read off the row's mapping by name."""
        (
            pk, account_number, name, group, country, status, collector, blocked, credit_limit,
            insurer_guarantee, last_payment_date, attributes, outstanding_amount, overdue_amount,
            not_due_amount, disputed_amount, uncovered_amount, credit_limit_excess, days_overdue,
            last_reminder_date,
        ) = read(row) if read is not None else _CUSTOMER_COLUMNS(row._mapping)  # fmt: skip
        return Customer(
            pk=pk, id=strawberry.ID(ids.customer_id(pk)), account_number=account_number,
            name=name, group=group, country=country, status=status, collector=collector,
            blocked=blocked, credit_limit=credit_limit, insurer_guarantee=insurer_guarantee,
            last_payment_date=last_payment_date, attributes=attributes,
            outstanding_amount=outstanding_amount, overdue_amount=overdue_amount,
            not_due_amount=not_due_amount, disputed_amount=disputed_amount,
            uncovered_amount=uncovered_amount, credit_limit_excess=credit_limit_excess,
            days_overdue=days_overdue, last_reminder_date=last_reminder_date,
        )  # fmt: skip

    @staticmethod
    def shown(info: Info, rows: list[Row[Any]]) -> list["Customer"]:
        """The customers of a page, primed in the request's loaders (bells, items, reminders)."""
        info.context.show_customers(row.id for row in rows)
        if not rows:
            return []
        read = _columns_read(rows[0]._fields)
        return [Customer.of(row, read) for row in rows]

    @strawberry.field(
        description="The viewer's alerts this customer matches, optionally for one tab."
    )
    def bell(
        self,
        info: Info,
        tab: Annotated[domain.AlertTab | None, strawberry.argument(
            description="Only the alerts of this tab; all of them when omitted.")] = None,
    ) -> Bell:  # fmt: skip
        return customer_bell(info, self.pk, tab)

    @strawberry.field(
        description="Its entries into and exits from the alerts the viewer can see, newest first."
    )
    @query_error
    @paged
    def alert_changes(
        self,
        info: Info,
        paging: Paging,
        since: Annotated[dt.datetime | None, strawberry.argument(
            description="Only the changes at or after this moment.")] = None,
    ) -> AlertChangeConnection:  # fmt: skip
        return customer_alert_changes(info, self.pk, paging, since)

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

    @strawberry.field(
        description="Its items: all of them (open or settled), or with `where` its open items "
        "meeting those item criteria. Oldest due date first unless `orderBy` says otherwise."
    )
    @query_error
    @paged
    def items(
        self,
        info: Info,
        paging: Paging,
        where: Annotated[SchemaCriteria | None, strawberry.argument(
            description="Item criteria only (a customer criterion is a VALIDATION error).",
        )] = None,
        order_by: ItemOrderBy = None,
    ) -> ItemConnection:  # fmt: skip
        return customer_items(info, self, paging, where, order_by)


# The columns of a customer's row that Customer.of reads, in the order it unpacks them.
_COLUMN_NAMES = (
    "id", "account_number", "name", "customer_group", "country", "status", "collector",
    "blocked", "credit_limit", "insurer_guarantee", "last_payment_date", "attributes",
    "outstanding_amount", "overdue_amount", "not_due_amount", "disputed_amount",
    "uncovered_amount", "credit_limit_excess", "days_overdue", "last_reminder_date",
)  # fmt: skip
_CUSTOMER_COLUMNS = operator.itemgetter(*_COLUMN_NAMES)


@functools.lru_cache(maxsize=64)
def _columns_read(fields: tuple[str, ...]) -> Callable[[Row[Any]], Any]:
    """The columns Customer.of reads, by position in rows whose names are `fields`: a row's
    mapping looks each name up (1.4 µs a row), its positions are a C tuple's (0.3 µs);
    worked out once per page (a row's `_fields` costs about as much as the mapping)."""
    return operator.itemgetter(*(fields.index(name) for name in _COLUMN_NAMES))

CustomerEdge, CustomerConnection = connection_types(Customer, "customer", "customers")


def customer_connection(
    info: Info,
    paging: Paging,
    conditions: list[ColumnElement[bool]],
    search: str | None = None,
    *,
    order_by: list[CustomerOrder] | None = None,
    where: ParsedCriteria | None = None,
    bell: BellFilter | None = None,
    total: Callable[[], int] | None = None,
) -> CustomerConnection:
    """A page of the customers meeting every condition, the search and `bell`, in the order
    asked (`paging` is first, after, last, before); `total` answers their number when the
    caller knows it without counting. Should the SQL of the criteria `where` fail in the
    database, the search is an error naming the criterion (raised as a UserInputError)."""
    wanted = [(o.field, o.direction) for o in order_by or ()]
    by_bell = any(field is CustomerSortField.BELL for field, _ in wanted)
    source, kept, key = worklist(info, bell, by_bell)
    order = customer_queries.customer_order(wanted, key)
    asked = window(order, paging)
    filters = [*conditions, *kept, *customer_queries.customer_filter(None, search)]
    guarded = info.context.alerts.guarded_read
    page = guarded(
        lambda conn: customer_queries.sorted_customers(conn, filters, order, asked, source), where
    )

    @query_error
    def count() -> int:
        if total is not None:
            return total()
        return guarded(lambda conn: customer_queries.customer_count(conn, filters, source), where)

    return CustomerConnection.of(page, order, Customer.shown(info, page.rows), count)


@query_error
def alert_customers(
    info: Info,
    alert_id: int,
    paging: Paging,
) -> CustomerConnection:
    """The customers matching one of the viewer's alerts, in account-number order."""
    condition = _of_alert(info, alert_id)
    return customer_connection(info, paging, [condition], total=_total(info, alert_id))


def _of_alert(info: Info, alert_id: int) -> ColumnElement[bool]:
    """The customers matching the alert (none while it cannot be evaluated)."""
    count = info.context.alerts.live().get(alert_id)
    return matches_alert(None if count is None else alert_id, count or 0)


def _total(info: Info, alert_id: int) -> Callable[[], int]:
    """How many customers match the alert: stored, no need to count them."""
    return lambda: info.context.alerts.match_count(alert_id)


def customer_queries_type(criteria_input: type) -> type:
    """`customers`, `customer` and `items`, taking the schema's `CriteriaInput`."""

    @strawberry.type
    class CustomerQueries(items_query_type(criteria_input)):  # type: ignore[misc]
        @strawberry.field(
            description="Customers, optionally those matching criteria (`where`), an alert "
            "(`alertId`) and a search, all combined; in account-number order unless `orderBy` "
            "says otherwise. An unknown or invisible alertId is an error (NOT_FOUND), the same "
            "for both."
        )
        @query_error
        @paged
        def customers(
            self,
            info: Info,
            paging: Paging,
            where: Annotated[criteria_input | None, strawberry.argument(  # type: ignore[valid-type]
                description="Advanced search: the criteria of alerts, with the same meaning."
            )] = None,
            alert_id: Annotated[strawberry.ID | None, strawberry.argument(
                description="Only the customers matching this alert.")] = None,
            search: Annotated[str | None, strawberry.argument(
                description="Text found in the account number or the name, ignoring case and "
                "accents."
            )] = None,
            order_by: Annotated[list[CustomerOrder] | None, strawberry.argument(
                description="Sort keys, applied in turn; ties go by account number."
            )] = None,
            bell: Annotated[BellFilter | None, strawberry.argument(
                description="The worklist: only the customers with at least one entry of the "
                "viewer's bell meeting these conditions."
            )] = None,
        ) -> CustomerConnection | None:  # fmt: skip
            """`alertId` of an alert the viewer may not see is answered exactly like an id that
            does not exist: a NOT_FOUND error "no alert with id '…'" (not an empty page,
            which would hide a typo)."""
            context = info.context
            conditions = []
            spec = total = None
            if where is not None:
                spec, condition = parse_where(context.registry, context.ledger, where)
                conditions.append(condition)
            if alert_id is not None:
                shown = visible_alert(info, alert_id)
                if shown is None:
                    raise not_found_as("alertId", alert_id)
                conditions.append(_of_alert(info, shown.source.id))
                if where is None and bell is None and customer_queries.search_text(search) is None:
                    total = _total(info, shown.source.id)
            return customer_connection(
                info, paging, conditions, search, order_by=order_by,
                where=spec, bell=bell, total=total,
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
