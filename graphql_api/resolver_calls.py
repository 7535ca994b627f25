"""Resolvers the fast executor (fast_execution.py) calls without strawberry's wrapper.

Strawberry wraps every resolver: on each call it coerces the field's arguments, converts
them to Python values, builds an `Info` and runs the field's extensions. A bell page calls
the customer's `bell` resolver 50 times with the same arguments, and the wrapper cost about
as much as the resolver. When nothing in the wrapper can differ from one parent to the next,
the arguments are converted once per selection and request (by strawberry's own functions),
and the resolver is called with them and a fresh `Info`:

- the field has no extensions (strawberry's permission classes are extensions) and no
  exception handler, and its resolver is sync and asks for neither `root` nor `parent`;
- every argument is a scalar or an enum (no list, no input object), and each converted value
  is immutable (None, a string, a number, a date, an enum member), so that no call sees
  what another did to it.

Anything else, and any argument that fails to coerce or convert, keeps strawberry's wrapper,
so that errors are reported as they always were.
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from graphql import GraphQLField, GraphQLSchema, get_nullable_type, is_leaf_type
from graphql.execution.values import get_argument_values
from strawberry.schema.schema_converter import GraphQLCoreConverter
from strawberry.types.arguments import convert_arguments
from strawberry.types.field import StrawberryField

IMMUTABLE = (str, int, float, Decimal, dt.date, dt.time, enum.Enum)


@dataclass(frozen=True)
class DirectCall:
    """A resolver and the arguments it is called with for one selection."""

    field: StrawberryField
    kwargs: dict[str, Any]
    pass_source: bool  # the resolver takes `self`: the parent object
    info_name: str | None  # the parameter that takes the `Info`, if any
    info_class: type

    def __call__(self, source: Any, raw_info: Any) -> Any:
        kwargs = dict(self.kwargs)
        if self.info_name is not None:
            kwargs[self.info_name] = self.info_class(_raw_info=raw_info, _field=self.field)
        args = [source] if self.pass_source else []
        return self.field.get_result(source, info=None, args=args, kwargs=kwargs)


def direct_call(
    schema: GraphQLSchema,
    field_def: GraphQLField,
    field_details: Any,
    variable_values: Any,
    hide_suggestions: bool,
) -> DirectCall | None:
    """How to call the field's resolver directly for this selection; None when strawberry's
    wrapper must (see the module's docstring)."""
    definition = (field_def.extensions or {}).get(GraphQLCoreConverter.DEFINITION_BACKREF)
    converter = getattr(getattr(schema, "_strawberry_schema", None), "schema_converter", None)
    # an older strawberry release within the pin has no field exception handlers at all
    handlers = getattr(converter, "_get_field_exception_handlers", lambda _: ())
    if (
        not isinstance(definition, StrawberryField)
        or not isinstance(converter, GraphQLCoreConverter)
        or definition.base_resolver is None
        or definition.is_async
        or definition.extensions
        or handlers(definition)
        or not all(is_leaf_type(get_nullable_type(a.type)) for a in field_def.args.values())
    ):
        return None
    resolver = definition.base_resolver
    if resolver.parent_parameter is not None or resolver.root_parameter is not None:
        return None
    node = field_details.node
    try:
        raw = get_argument_values(
            field_def, node, variable_values, field_details.fragment_variable_values,
            hide_suggestions,
        )  # fmt: skip
        kwargs = convert_arguments(
            raw, definition.arguments, scalar_registry=converter.scalar_registry,
            config=converter.config,
        )  # fmt: skip
    except Exception:  # strawberry's wrapper reports it
        return None
    if not all(value is None or isinstance(value, IMMUTABLE) for value in kwargs.values()):
        return None
    info = resolver.info_parameter
    return DirectCall(
        definition, kwargs, resolver.self_parameter is not None,
        None if info is None else info.name, converter.config.info_class,
    )  # fmt: skip
