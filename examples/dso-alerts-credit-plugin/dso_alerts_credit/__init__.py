"""An example dso-alerts plugin: three criteria a credit manager asks for.

- `creditLimitUtilisation`: the outstanding as a percentage of the credit limit
  (`{min: 80}` = "using at least 80% of their limit"). Accounts with no credit
  limit (empty or 0) have no utilisation and never match it, whatever the range.
- `disputedShare`: the disputed amount as a percentage of the outstanding. Accounts
  that owe nothing (outstanding 0 or in credit) have no share and never match it.
- `attribute`: a condition on one of the free extra attributes imported with the
  customers (any extra CSV column), e.g. `{name: "segment", values: ["SME"]}`.

dso-alerts finds this module through the `dso_alerts` entry point declared in
this package's pyproject.toml; nothing in dso-alerts imports it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import strawberry
from sqlalchemy import ColumnElement, func

from graphql_api.plugin import (
    NUMBER,
    VALUE_LIST,
    Criterion,
    KindId,
    Ledger,
    ListOp,
    Scope,
    ValueChoice,
    ValueList,
    hookimpl,
    input_fields,
    invalid,
    percentage,
)

MAX_NAME = 200


def credit_limit_utilisation(t: Ledger) -> ColumnElement[Any]:
    """100 × outstanding ÷ credit limit, or NULL when the limit is empty or not positive.

    `percentage` compares it with the NUMBER kind's bounds by cross-multiplication, in
    integers, never through a float: 2,592.45 of 12,345.00 is 21 %, exactly, on SQLite and
    PostgreSQL. A NULL value is in no range, so accounts without a limit never match.
    """
    return percentage(t.figures.c.outstanding_amount, t.customers.c.credit_limit)


def disputed_share(t: Ledger) -> ColumnElement[Any]:
    """100 × disputed ÷ outstanding; NULL (no share) when the customer owes nothing."""
    return percentage(t.figures.c.disputed_amount, t.figures.c.outstanding_amount)


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


@dataclass(frozen=True)
class AttributeChoice:
    """What the attribute kind parses its input into: an attribute name, and a choice of
    values that means what it means for a list of values."""

    name: str
    choice: ValueChoice


class AttributeKind:
    """A kind of its own: the value it is given is the customer's whole `attributes` JSON object."""

    id = KindId.CUSTOM
    name = "attribute"
    input_type = AttributeFilter

    def parse(self, raw: Any, field: str) -> AttributeChoice:
        if isinstance(raw, AttributeFilter):  # from GraphQL
            name, listed = raw.name, ValueList(op=raw.op, values=raw.values)
        else:  # as stored (to_json's output): {"name": …, "op": …, "values": […]}
            given = input_fields(raw, field, AttributeFilter, ("name", "op", "values"))
            name, listed = given.get("name"), {"op": given.get("op"), "values": given.get("values")}
        # op and values mean exactly what they mean for a list of values: its parse checks them.
        return AttributeChoice(_attribute_name(name, field), VALUE_LIST.parse(listed, field))

    def to_json(self, parsed: AttributeChoice) -> dict[str, Any]:
        return {"name": parsed.name, **VALUE_LIST.to_json(parsed.choice)}

    def predicate(
        self, value: ColumnElement[Any], parsed: AttributeChoice, ledger: Ledger
    ) -> ColumnElement[bool]:
        # attributes[name] as text: JSON_EXTRACT on SQLite, ->> on PostgreSQL.
        # A missing, null or blank attribute is empty (NULL), as for any text value.
        text = func.nullif(func.trim(value[parsed.name].as_string()), "")
        return VALUE_LIST.predicate(text, parsed.choice, ledger)

    def example(self, values: Sequence[str]) -> dict[str, Any]:
        # A criterion's values would be attribute values, of no one attribute: not drawn on.
        return {"name": "segment", "op": "IS", "values": ["SME"]}


def _attribute_name(raw: Any, field: str) -> str:
    if not isinstance(raw, str) or not raw.strip():
        raise invalid(f"{field}.name", f"{field}.name must be a non-blank attribute name")
    name = raw.strip()
    if len(name) > MAX_NAME or '"' in name or "\\" in name:
        raise invalid(
            f"{field}.name", f'{field}.name must be at most {MAX_NAME} characters, without " or \\'
        )
    return name


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
            unit="%",
            example={"min": 80},  # at least 80% of the limit used
        ),
        Criterion(
            "disputedShare",
            "Disputed share (%)",
            "The disputed amount as a percentage of the outstanding; bounds are whole "
            "percentages, the share itself is not rounded. Accounts that owe nothing "
            "(outstanding 0 or in credit) never match.",
            Scope.CUSTOMER,
            NUMBER,
            value=disputed_share,
            unit="%",
            example={"min": 10},  # a tenth or more of what is owed is disputed
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
