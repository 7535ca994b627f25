"""Criteria on the figures computed over a customer's items and reminders (SPEC §1)."""

from graphql_api.criteria import Criterion, Scope
from graphql_api.criterion_kinds import AMOUNT, NUMBER, RELATIVE_DATE
from graphql_api.hookspecs import hookimpl


@hookimpl
def register_criteria() -> list[Criterion]:
    return [
        Criterion(
            "outstandingAmount", "Outstanding (encours)",
            "Sum of the open amounts of all the customer's items.",
            Scope.CUSTOMER, AMOUNT, value=lambda t: t.figures.c.outstanding_amount,
        ),
        Criterion(
            "overdueAmount", "Overdue (retard)",
            "Sum of the open amounts of the customer's items due before today.",
            Scope.CUSTOMER, AMOUNT, value=lambda t: t.figures.c.overdue_amount,
            example={"min": "20000"},
        ),
        Criterion(
            "notDueAmount", "Not yet due",
            "Outstanding minus overdue: what is open and due today or later.",
            Scope.CUSTOMER, AMOUNT, value=lambda t: t.figures.c.not_due_amount,
        ),
        Criterion(
            "disputedAmount", "Disputed",
            "Sum of the open amounts of the customer's disputed items.",
            Scope.CUSTOMER, AMOUNT, value=lambda t: t.figures.c.disputed_amount,
        ),
        Criterion(
            "uncoveredAmount", "Not covered by the insurer",
            "Outstanding minus the insurer's guarantee; positive when the outstanding exceeds "
            "the cover.",
            Scope.CUSTOMER, AMOUNT, value=lambda t: t.figures.c.uncovered_amount,
            example={"min": "0.01"},  # the outstanding exceeds the cover
        ),
        Criterion(
            "creditLimitExcess", "Credit limit excess",
            "Outstanding minus the credit limit; positive when the limit is exceeded.",
            Scope.CUSTOMER, AMOUNT, value=lambda t: t.figures.c.credit_limit_excess,
            example={"min": "0.01"},  # over the limit
        ),
        Criterion(
            "daysOverdue", "Days overdue",
            "Days since the due date of the customer's earliest-due overdue item with a positive "
            "open amount; 0 when none.",
            Scope.CUSTOMER, NUMBER, value=lambda t: t.figures.c.days_overdue,
            example={"min": 30}, unit="days",
        ),
        Criterion(
            "lastReminderDate", "Last reminder",
            "Date of the customer's most recent reminder; a customer never reminded counts as "
            "reminded infinitely long ago.",
            Scope.CUSTOMER, RELATIVE_DATE, value=lambda t: t.figures.c.last_reminder_date,
        ),
    ]
