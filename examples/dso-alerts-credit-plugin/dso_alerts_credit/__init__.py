"""An example dso-alerts plugin: two criteria a credit manager asks for.

- `creditLimitUtilisation`: the outstanding as a percentage of the credit limit
  (`{min: 80}` = "using at least 80% of their limit"). Accounts with no credit
  limit (empty or 0) have no utilisation and never match it, whatever the range.
- `attribute`: a condition on one of the free extra attributes imported with the
  customers (any extra CSV column), e.g. `{name: "segment", values: ["SME"]}`.

dso-alerts finds this module through the `dso_alerts` entry point declared in
this package's pyproject.toml; nothing in dso-alerts imports it.
"""

from __future__ import annotations

from typing import Any

import strawberry
from sqlalchemy import ColumnElement, Float, case, cast, func, null

from graphql_api.criteria import Criterion, Ledger, Scope
from graphql_api.criterion_kinds import NUMBER, VALUE_LIST, ListOp
from graphql_api.errors import invalid
from graphql_api.hookspecs import hookimpl

MAX_NAME = 200


def credit_limit_utilisation(t: Ledger) -> ColumnElement[Any]:
    """100 × outstanding ÷ credit limit, or NULL when the limit is empty or not positive.

    Portable: both amounts are in the same unit (integer cents on SQLite, NUMERIC on
    PostgreSQL), so their ratio is unit-free; casting to FLOAT avoids SQLite's integer
    division. A NULL value is in no range (the NUMBER kind decides that), so accounts
    without a limit never match.
    """
    limit = t.customers.c.credit_limit
    outstanding = t.figures.c.outstanding_amount
    return case(
        (limit > 0, cast(outstanding, Float) * 100 / cast(limit, Float)),
        else_=null(),
    )


@strawberry.input(
    description=(
        "A condition on an extra customer attribute (any extra column of the customers "
        "import). IS: its value is one of `values`; IS_NOT: it is none of them (an account "
        "without the attribute is none of them, so it matches IS_NOT)."
    )
)
class AttributeFilter:
    name: str = strawberry.field(description="The name: the CSV column header, exactly.")
    op: ListOp = strawberry.field(default=ListOp.IS, description="IS (default) or IS_NOT.")
    values: list[str] = strawberry.field(description="At least one value, compared exactly.")


class AttributeKind:
    """A kind of its own: the value it is given is the customer's whole `attributes` JSON object."""

    name = "attribute"
    input_type = AttributeFilter

    def validate(self, raw: Any, field: str) -> dict[str, Any]:
        if not isinstance(raw, dict):
            raise invalid(field, f"{field} must be an object with name, op and values")
        unknown = sorted(set(raw) - {"name", "op", "values"})
        if unknown:
            raise invalid(f"{field}.{unknown[0]}", f"{field} has no field {unknown[0]}")
        name = raw.get("name")
        if not isinstance(name, str) or not name.strip():
            raise invalid(f"{field}.name", f"{field}.name must be a non-blank attribute name")
        name = name.strip()
        if len(name) > MAX_NAME or '"' in name or "\\" in name:
            raise invalid(
                f"{field}.name",
                f'{field}.name must be at most {MAX_NAME} characters, without " or \\',
            )
        # op and values mean exactly what they mean for a list of values: reuse its checks.
        listed = VALUE_LIST.validate({k: v for k, v in raw.items() if k != "name"}, field)
        return {"name": name, **listed}

    def predicate(
        self, value: ColumnElement[Any], spec: Any, ledger: Ledger
    ) -> ColumnElement[bool]:
        # attributes[name] as text: JSON_EXTRACT on SQLite, ->> on PostgreSQL.
        # A missing, null or blank attribute is empty (NULL), as for any text value.
        text = func.nullif(func.trim(value[spec["name"]].as_string()), "")
        return VALUE_LIST.predicate(text, spec, ledger)

    def describe_input(self) -> str:
        return '{name: "segment", op: IS, values: ["SME"]}'


ATTRIBUTE = AttributeKind()


@hookimpl
def register_criteria() -> list[Criterion]:
    return [
        Criterion(
            "creditLimitUtilisation",
            "Credit limit utilisation (%)",
            "Outstanding as a percentage of the credit limit (100 = the limit is fully used); "
            "bounds are whole percentages, the utilisation itself is not rounded. Accounts "
            "with no credit limit (empty or 0) never match.",
            Scope.CUSTOMER,
            NUMBER,
            value=credit_limit_utilisation,
        ),
        Criterion(
            "attribute",
            "Extra attribute",
            "One of the extra attributes imported with the customers (any extra column of the "
            "customers file), compared exactly with the given values; an account without the "
            "attribute matches IS_NOT.",
            Scope.CUSTOMER,
            ATTRIBUTE,
            value=lambda t: t.customers.c.attributes,
        ),
    ]
