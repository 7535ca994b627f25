"""Criteria on a customer's open items: a customer matches when one open item meets them all."""

from sqlalchemy import and_

from graphql_api.criteria import Criterion, Scope
from graphql_api.criterion_kinds import AMOUNT, RELATIVE_DATE, VALUE_LIST, YES_NO
from graphql_api.hookspecs import hookimpl


@hookimpl
def register_criteria() -> list[Criterion]:
    return [
        Criterion(
            "itemType", "Item type", "The item's type: INVOICE, CREDIT_NOTE, PAYMENT or OTHER.",
            Scope.ITEM, VALUE_LIST, value=lambda t: t.items.c.type,
        ),
        Criterion(
            "itemOverdue", "Item overdue", "Whether the item's due date is before today.",
            Scope.ITEM, YES_NO,
            value=lambda t: and_(t.items.c.due_date.is_not(None), t.items.c.due_date < t.today),
        ),
        Criterion(
            "itemDueDate", "Item due date", "The item's due date; an empty date is infinitely old.",
            Scope.ITEM, RELATIVE_DATE, value=lambda t: t.items.c.due_date,
        ),
        Criterion(
            "itemDocumentDate", "Item document date",
            "The item's document date; an empty date is infinitely old.",
            Scope.ITEM, RELATIVE_DATE, value=lambda t: t.items.c.document_date,
        ),
        Criterion(
            "itemOpenAmount", "Item open amount",
            "What is still open on the item (negative for credit notes and unallocated payments).",
            Scope.ITEM, AMOUNT, value=lambda t: t.items.c.open_amount,
        ),
        Criterion(
            "itemDisputed", "Item disputed", "Whether the item is disputed.",
            Scope.ITEM, YES_NO, value=lambda t: t.items.c.disputed,
        ),
        Criterion(
            "itemIgnoredInCollection", "Item ignored in collection",
            "Whether the item is set aside from collection.",
            Scope.ITEM, YES_NO, value=lambda t: t.items.c.ignored_in_collection,
        ),
    ]
