"""Criteria whose SQL builds fine and fails when the database runs it.

- `failingSql`, `itemFailingSql`: call a function no database has (both databases).
- `brokenList`: a list criterion whose value is such a call (its known values fail too).
- `divisionByZero`: divides by zero for every customer; PostgreSQL raises, SQLite answers
  NULL (so on SQLite it simply matches nothing).
"""

from typing import Any

from sqlalchemy import func

from graphql_api.criteria import Criterion, Ledger, Scope
from graphql_api.criterion_kinds import VALUE_LIST, YES_NO
from graphql_api.hookspecs import hookimpl


def divided_by_zero(ledger: Ledger) -> Any:
    customer_id = ledger.customers.c.id
    return customer_id / (customer_id - customer_id) > 0


@hookimpl
def register_criteria() -> list[Criterion]:
    return [
        Criterion(
            "failingSql", "Failing SQL", "Calls a function that does not exist.",
            Scope.CUSTOMER, YES_NO,
            value=lambda ledger: func.dso_no_such_function(ledger.customers.c.id) > 0,
        ),
        Criterion(
            "itemFailingSql", "Failing item SQL", "Calls a function that does not exist.",
            Scope.ITEM, YES_NO,
            value=lambda ledger: func.dso_no_such_function(ledger.items.c.id) > 0,
        ),
        Criterion(
            "brokenList", "Broken list", "Its value calls a function that does not exist.",
            Scope.CUSTOMER, VALUE_LIST,
            value=lambda ledger: func.dso_no_such_function(ledger.customers.c.name),
        ),
        Criterion(
            "divisionByZero", "Division by zero", "Divides by zero on every customer.",
            Scope.CUSTOMER, YES_NO,
            value=divided_by_zero,
        ),
    ]  # fmt: skip
