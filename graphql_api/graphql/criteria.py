"""Criteria: `CriteriaInput`, one field per installed criterion, and the registry as
`CriterionInfo`s.

`CriteriaInput` is built from the registry when the schema is, so a plugin adds a field
without touching this module.
"""

from __future__ import annotations

import datetime as dt
import keyword
import logging
import types
from decimal import Decimal
from typing import Any

import strawberry
from sqlalchemy import ColumnElement
from strawberry.scalars import JSON
from strawberry.schema.name_converter import NameConverter
from strawberry.types.base import get_object_definition
from strawberry.types.enum import has_enum_definition

from graphql_api import evaluation, settings
from graphql_api.criteria import Criterion, KindId, Ledger, ParsedCriteria, Scope, parse_criteria
from graphql_api.errors import invalid
from graphql_api.graphql.context import Info
from graphql_api.plugins import CriteriaRegistry

log = logging.getLogger(__name__)

_NAMES = NameConverter()
_SCALARS: dict[Any, str] = {
    bool: "Boolean", int: "Int", float: "Float", str: "String", Decimal: "Decimal",
    dt.date: "Date", dt.datetime: "DateTime", strawberry.ID: "ID",
}  # fmt: skip

strawberry.enum(
    Scope,
    name="CriterionScope",
    description="CUSTOMER: the criterion looks at the account; ITEM: at its open items.",
)


strawberry.enum(
    KindId,
    name="CriterionKind",
    description="A criterion's input shape and meaning (SPEC §2): AmountRange, IntRange, "
    "RelativeDate, ValueList, Boolean; CUSTOM: a plugin's own input type, named by inputType.",
)


@strawberry.type(description="A criterion of the registry: a field of CriteriaInput.")
class CriterionInfo:
    key: str = strawberry.field(description="The criterion's field name in CriteriaInput.")
    label: str = strawberry.field(description="A short human name.")
    description: str = strawberry.field(description="What the criterion looks at.")
    scope: Scope = strawberry.field(description="Whether it looks at the account or its items.")
    kind: KindId = strawberry.field(
        description="Its input shape and meaning; CUSTOM: a plugin's own, see inputType."
    )
    input_type: str = strawberry.field(description="The GraphQL input type of the field.")
    unit: str | None = strawberry.field(
        description="What its numbers mean, where it helps: the currency (ISO 4217) for "
        "amounts, days, %; null otherwise."
    )
    plugin: str | None = strawberry.field(description="The plugin that contributes it.")
    criterion: strawberry.Private[Criterion]

    @strawberry.field(
        description="For list criteria, the values a form offers: the plugin's fixed list in its "
        "order, or else the values present in the ledger (sorted); null for other criteria."
    )
    def values(self, info: Info) -> list[str] | None:
        return _values(info, self.criterion)

    @strawberry.field(
        description="A valid value for the field, as JSON a client can send back in variables "
        "(for list criteria, drawn from its values)."
    )
    def example(self, info: Info) -> JSON:
        return self.criterion.example_input(_values(info, self.criterion) or ())


def _values(info: Info, criterion: Criterion) -> list[str] | None:
    # Only a criterion whose values are the ledger's reads them (once a request, for all).
    known = info.context.known_values() if criterion.values_from_ledger else {}
    return criterion.listed_values(known)


@strawberry.type
class CriteriaQueries:
    @strawberry.field(description="The installed criteria: the fields of CriteriaInput.")
    def criteria(self, info: Info) -> list[CriterionInfo] | None:
        return criterion_infos(info.context.registry)


def criteria_input_type(registry: CriteriaRegistry) -> type:
    """`CriteriaInput`: one optional field per criterion, named by its key."""
    namespace: dict[str, Any] = {}
    annotations: dict[str, Any] = {}
    for index, (key, criterion) in enumerate(registry.criteria.items()):
        input_type = criterion.kind.input_type
        if not _usable_input(input_type):
            log.warning("criterion %s: %r is not a GraphQL input type; left out", key, input_type)
            continue
        usable = key.isidentifier() and not keyword.iskeyword(key)
        attribute = key if usable else f"criterion_{index}"
        annotations[attribute] = input_type | None
        namespace[attribute] = strawberry.field(
            default=None, name=key, description=f"{criterion.label}: {criterion.description}"
        )
    if not annotations:
        annotations["none"] = bool | None
        namespace["none"] = strawberry.field(
            default=None, name="_none", description="No criterion is installed."
        )
    namespace["__annotations__"] = annotations
    cls = types.new_class("CriteriaInput", (), {}, lambda ns: ns.update(namespace))
    return strawberry.input(
        cls,
        description="Criteria, all ANDed: one field per installed criterion (plugins add fields). "
        "A customer matches when every customer criterion holds and, if item criteria are given, "
        "at least one of its open items meets them all.",
    )


def _usable_input(input_type: Any) -> bool:
    return _graphql_name(input_type) != ""


def _graphql_name(input_type: Any) -> str:
    """The name of a criterion's GraphQL input type; "" when it cannot be an input."""
    if input_type in _SCALARS:
        return _SCALARS[input_type]
    if has_enum_definition(input_type):
        return input_type.__strawberry_definition__.name
    definition = get_object_definition(input_type)
    return definition.name if definition is not None and definition.is_input else ""


def criteria_given(value: Any) -> dict[str, Any]:
    """A CriteriaInput's given fields by criterion key, as strawberry built them: each kind
    parses its own (criteria.parse_criteria), with no JSON in between."""
    definition = get_object_definition(type(value), strict=True)
    given = {}
    for field in definition.fields:
        item = getattr(value, field.python_name, None)
        if item is not None and item is not strawberry.UNSET:
            given[_NAMES.get_graphql_name(field)] = item
    return given


def criterion_infos(registry: CriteriaRegistry) -> list[CriterionInfo]:
    owners, currency = registry.owners(), settings.currency()
    return [
        CriterionInfo(
            key=key, label=c.label, description=c.description, scope=c.scope, kind=c.kind.id,
            input_type=_graphql_name(c.kind.input_type), unit=c.unit_in(currency),
            plugin=owners.get(key), criterion=c,
        )
        for key, c in registry.criteria.items()
    ]  # fmt: skip


def parse_where(
    registry: CriteriaRegistry, ledger: Ledger, where: Any
) -> tuple[ParsedCriteria, ColumnElement[bool]]:
    """`where:` criteria, parsed and compiled exactly like an alert's: the criteria as
    parsed, and their condition. A UserInputError names what is wrong."""
    spec = parse_criteria(registry, criteria_given(where))
    compiled = evaluation.compile_criteria(spec, ledger)
    if compiled.problems:
        raise invalid("where", "; ".join(compiled.problems))
    return spec, compiled.condition
