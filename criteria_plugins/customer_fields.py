"""Criteria on the fields of the customer account itself."""

from sqlalchemy import func

from graphql_api.criteria import Criterion, Scope
from graphql_api.criterion_kinds import AMOUNT, RELATIVE_DATE, VALUE_LIST, YES_NO
from graphql_api.hookspecs import hookimpl


@hookimpl
def register_criteria() -> list[Criterion]:
    return [
        Criterion(
            "creditLimit", "Credit limit",
            "The customer's credit limit; an empty limit counts as 0.",
            Scope.CUSTOMER, AMOUNT, value=lambda t: func.coalesce(t.customers.c.credit_limit, 0),
        ),
        Criterion(
            "insurerGuarantee", "Insurer's guarantee",
            "The cover granted by the credit insurer; an empty guarantee counts as 0.",
            Scope.CUSTOMER, AMOUNT,
            value=lambda t: func.coalesce(t.customers.c.insurer_guarantee, 0),
        ),
        Criterion(
            "lastPaymentDate", "Last payment",
            "Date of the customer's last payment; an empty date counts as infinitely old.",
            Scope.CUSTOMER, RELATIVE_DATE, value=lambda t: t.customers.c.last_payment_date,
        ),
        Criterion(
            "group", "Group", "The customer's group.",
            Scope.CUSTOMER, VALUE_LIST, value=lambda t: t.customers.c.customer_group,
        ),
        Criterion(
            "country", "Country", "The customer's country (ISO 3166-1 alpha-2).",
            Scope.CUSTOMER, VALUE_LIST, value=lambda t: t.customers.c.country,
        ),
        Criterion(
            "status", "Status", "The customer's status code, such as Normal or Litige.",
            Scope.CUSTOMER, VALUE_LIST, value=lambda t: t.customers.c.status,
        ),
        Criterion(
            "collector", "Collector", "Who follows the account.",
            Scope.CUSTOMER, VALUE_LIST, value=lambda t: t.customers.c.collector,
        ),
        Criterion(
            "insured", "Insured", "Whether the credit insurer grants a guarantee above 0.",
            Scope.CUSTOMER, YES_NO,
            value=lambda t: func.coalesce(t.customers.c.insurer_guarantee, 0) > 0,
        ),
        Criterion(
            "blocked", "Blocked", "Whether the account is on credit hold.",
            Scope.CUSTOMER, YES_NO, value=lambda t: t.customers.c.blocked,
        ),
    ]
