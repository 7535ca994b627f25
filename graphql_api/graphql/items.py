"""Items: the `Item` type and its connection, their orders, `Query.items` (the advanced
search of items, SPEC §8) and the page of `Customer.items`.

No `from __future__ import annotations` here: `items(where:)` takes the registry's
`CriteriaInput`, a type built with the schema, so its annotations are objects.
"""

import datetime as dt
import enum
import json
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, Any

import strawberry
from sqlalchemy import ColumnElement, Row

from graphql_api import ids, item_queries
from graphql_api.criteria import Scope, criteria_json
from graphql_api.errors import invalid
from graphql_api.evaluation import compile_criteria
from graphql_api.graphql.context import Info
from graphql_api.graphql.criteria import parse_where
from graphql_api.graphql.errors import query_error
from graphql_api.graphql.node import Node
from graphql_api.graphql.paging import Paging, connection_types, paged, window
from graphql_api.item_queries import ItemsAsked, ItemSortField
from graphql_api.sort_order import Order, SortDirection

if TYPE_CHECKING:
    from graphql_api.graphql.customers import Customer


class ItemType(enum.Enum):
    INVOICE = "INVOICE"
    CREDIT_NOTE = "CREDIT_NOTE"
    PAYMENT = "PAYMENT"
    OTHER = "OTHER"


strawberry.enum(ItemType, description="What a document is.")
strawberry.enum(
    ItemSortField,
    description="What items can be sorted by; ties go by account number, then document number.",
)

# The schema's CriteriaInput, set when the schema is built (`items_query_type`): the
# `where` of `Customer.items`, a type declared once for all schemas, names it lazily.
CriteriaInput: Any = None
SchemaCriteria = Annotated["CriteriaInput", strawberry.lazy("graphql_api.graphql.items")]


@strawberry.input(description="One key of an order of items.")
class ItemOrder:
    field: ItemSortField = strawberry.field(description="What to sort by.")
    direction: SortDirection = strawberry.field(
        default=SortDirection.ASC, description="ASC (the default) or DESC."
    )


# The `orderBy` of `Query.items` and `Customer.items`.
ItemOrderBy = Annotated[list[ItemOrder] | None, strawberry.argument(
    description="Sort keys, applied in turn (default: due date, oldest first).")]  # fmt: skip


@strawberry.type(description="An item (document) of a customer.")
class Item(Node):
    customer_pk: strawberry.Private[int]
    parent: strawberry.Private[Any]  # the Customer it was listed under, if any
    document_number: str = strawberry.field(description="The document number, unique per customer.")
    type: ItemType = strawberry.field(description="What the document is.")
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
    def of(row: Row[Any], today: dt.date, parent: Any = None) -> "Item":
        return Item(
            customer_pk=row.customer_id, parent=parent,
            id=strawberry.ID(ids.item_id(row.customer_id, row.document_number)),
            document_number=row.document_number,
            type=ItemType(row.type), document_date=row.document_date, due_date=row.due_date,
            amount=row.amount, open_amount=row.open_amount, disputed=row.disputed,
            ignored_in_collection=row.ignored_in_collection,
            overdue=row.due_date is not None and row.due_date < today,
        )  # fmt: skip

    @strawberry.field(description="The customer the item belongs to.")
    def customer(
        self, info: Info
    ) -> Annotated["Customer", strawberry.lazy("graphql_api.graphql.customers")]:
        if self.parent is not None:
            return self.parent
        from graphql_api.graphql.customers import Customer

        # The customers of a page of items were shown with it: one statement for them all.
        return Customer.of(info.context.customer_rows.get(self.customer_pk))


ItemEdge, ItemConnection = connection_types(Item, "item", "items")


def item_order(order_by: list[ItemOrder] | None) -> Order:
    return item_queries.item_order([(o.field, o.direction) for o in order_by or ()])


def customer_items(
    info: Info, customer: "Customer", paging: Paging, where: Any, order_by: list[ItemOrder] | None
) -> ItemConnection:
    """A page of the customer's items: all of them, or with `where` its open items meeting
    those ITEM criteria. The page is read with every other customer's shown by the request."""
    context = info.context
    order = item_order(order_by)
    key = condition = None
    if where is not None:
        spec, _ = parse_where(context.registry, context.ledger, where)
        for name, parsed in spec.items():
            if parsed.criterion.scope is not Scope.ITEM:
                raise invalid(
                    f"where.{name}",
                    f"{name} is a customer criterion: a customer's items take item criteria only",
                )
        condition = compile_criteria(spec, context.ledger).item_part
        key = json.dumps(criteria_json(spec), sort_keys=True, default=str)
    asked = ItemsAsked(order, order.signature, window(order, paging), key, condition)
    found = context.items(customer.pk, asked)
    nodes = [Item.of(row, context.today, customer) for row in found.rows]
    total = found.total
    return ItemConnection.of(found, order, nodes, lambda: total)


def ledger_items(
    info: Info, paging: Paging, where: Any, search: str | None, order_by: list[ItemOrder] | None
) -> ItemConnection:
    context = info.context
    order = item_order(order_by)
    parts: tuple[ColumnElement[bool] | None, ColumnElement[bool] | None] = (None, None)
    if where is not None:
        spec, _ = parse_where(context.registry, context.ledger, where)
        compiled = compile_criteria(spec, context.ledger)
        parts = (compiled.customer_part, compiled.item_part)
    filters = item_queries.item_filter(*parts, search)
    page = item_queries.ledger_items(context.conn, filters, order, window(order, paging))
    context.show_customers(row.customer_id for row in page.rows)

    @query_error
    def total() -> int:
        return item_queries.item_count(context.conn, filters)

    nodes = [Item.of(row, context.today) for row in page.rows]
    return ItemConnection.of(page, order, nodes, total)


def items_query_type(criteria_input: type) -> type:
    """`Query.items`, taking the schema's `CriteriaInput` (also `Customer.items`')."""
    global CriteriaInput
    CriteriaInput = criteria_input

    @strawberry.type
    class ItemQueries:
        @strawberry.field(
            description="The open items of the ledger: with `where`, those meeting its item "
            "criteria among the customers meeting its customer criteria; with `search`, those "
            "whose document number, account number or customer name contains the text "
            "(ignoring case and accents). Oldest due date first unless `orderBy` says otherwise."
        )
        @query_error
        @paged
        def items(
            self,
            info: Info,
            paging: Paging,
            where: Annotated[criteria_input | None, strawberry.argument(  # type: ignore[valid-type]
                description="The criteria of alerts, item by item.")] = None,
            search: Annotated[str | None, strawberry.argument(
                description="Text in the document number, account number or customer name.",
            )] = None,
            order_by: ItemOrderBy = None,
        ) -> ItemConnection | None:  # fmt: skip
            return ledger_items(info, paging, where, search, order_by)

    return ItemQueries
