"""Which fields of an object type the fast executor (fast_execution.py) reads as plain
attributes: a scalar or enum, or a non-null object or list of non-null objects, that
strawberry would read with `getattr` (no resolver, no arguments, no permission)."""

from __future__ import annotations

import enum
import weakref
from collections.abc import Callable
from typing import Any

from graphql import (
    GraphQLBoolean,
    GraphQLEnumType,
    GraphQLField,
    GraphQLID,
    GraphQLList,
    GraphQLObjectType,
    GraphQLSchema,
    GraphQLString,
    get_named_type,
    is_leaf_type,
    is_non_null_type,
)
from strawberry.resolvers import is_default_resolver
from strawberry.schema.schema_converter import GraphQLCoreConverter

# field name -> (attribute, coerce, nullable), per object type
PlainFields = dict[str, tuple[str, Callable[[Any], Any], bool]]
# field name -> (attribute, object type, whether a list of them), per object type
ObjectFields = dict[str, tuple[str, GraphQLObjectType, bool]]

# what fields_of found, by schema and type name
_found: weakref.WeakKeyDictionary[GraphQLSchema, dict[str, tuple[PlainFields, ObjectFields]]] = (
    weakref.WeakKeyDictionary()
)


def fields_of(
    schema: GraphQLSchema, object_type: GraphQLObjectType
) -> tuple[PlainFields, ObjectFields]:
    """The plain leaves and plain object fields of `object_type`, worked out once per schema."""
    by_type = _found.get(schema)
    if by_type is None:
        by_type = _found[schema] = {}
    found = by_type.get(object_type.name)
    if found is None:
        found = by_type[object_type.name] = (plain_fields(object_type), object_fields(object_type))
    return found


def plain_fields(object_type: GraphQLObjectType) -> PlainFields:
    """The fields of `object_type` that are a scalar or enum attribute with no resolver."""
    found: PlainFields = {}
    for name, field in object_type.fields.items():
        attribute = _plain_attribute(field)
        if attribute is not None:
            leaf = get_named_type(field.type)
            coerce = leaf.coerce_output_value
            if isinstance(leaf, GraphQLEnumType):
                coerce = _by_member(coerce)
            found[name] = (attribute, coerce, not is_non_null_type(field.type))
    return found


def _by_member(coerce: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """An enum's `coerce`, remembered for each member: strawberry's compares the member with
    each of the enum's values in turn, for every bell and alert a page shows."""
    known: dict[enum.Enum, Any] = {}

    def coerced(value: Any) -> Any:
        if not isinstance(value, enum.Enum):
            return coerce(value)
        found = known.get(value)
        if found is None:
            found = known[value] = coerce(value)
        return found

    return coerced


def object_fields(object_type: GraphQLObjectType) -> ObjectFields:
    """The fields of `object_type` that are an attribute with no resolver holding a non-null
    object, or a non-null list of non-null objects (each checked by `_accepts`)."""
    found: ObjectFields = {}
    for name, field in object_type.fields.items():
        attribute = _attribute(field)
        if attribute is None or not is_non_null_type(field.type):
            continue
        inner, is_list = field.type.of_type, False
        if isinstance(inner, GraphQLList) and is_non_null_type(inner.of_type):
            inner, is_list = inner.of_type.of_type, True
        if isinstance(inner, GraphQLObjectType):
            found[name] = (attribute, inner, is_list)
    return found


def accepts(object_type: GraphQLObjectType, value: Any) -> bool:
    """Whether graphql-core's type check passes `value`. strawberry gives a type that
    implements an interface (every `Node`) an `is_type_of`, an isinstance check that reads
    the value alone (its resolve info is unused); any doubt, an error included, leaves the
    value to graphql-core, which checks it with the info and reports it as it does."""
    check = object_type.is_type_of
    if check is None:
        return True
    try:
        return check(value, None) is True
    except Exception:
        return False


def _plain_attribute(field: GraphQLField) -> str | None:
    if not is_leaf_type(get_named_type(field.type)):
        return None
    return _attribute(field)


def _attribute(field: GraphQLField) -> str | None:
    """The attribute a field reads when it has no arguments, no resolver of its own, and
    strawberry would read it with `getattr` (no other default resolver is configured)."""
    if field.args or field.resolve is None or not is_default_resolver(field.resolve):
        return None
    definition = (field.extensions or {}).get(GraphQLCoreConverter.DEFINITION_BACKREF)
    if (
        definition is None
        or not definition.is_basic_field
        or definition.permission_classes
        or definition.default_resolver is not getattr
    ):
        return None
    return definition.python_name


def unchanged_type(field_type: Any) -> type | None:
    """The type of the values a leaf field's scalar answers unchanged: graphql-core's String
    and ID return a `str` as it is, and Boolean a `bool` (a page has ~400 such values); None
    for any other scalar or enum, whose values are coerced."""
    named = get_named_type(field_type)
    if named is GraphQLString or named is GraphQLID:
        return str
    return bool if named is GraphQLBoolean else None


def non_null_object(field_type: Any) -> GraphQLObjectType | None:
    """The object type of a non-null object field; None for any other type."""
    if is_non_null_type(field_type) and isinstance(field_type.of_type, GraphQLObjectType):
        return field_type.of_type
    return None
