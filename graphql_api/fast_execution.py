"""graphql-core's execution with a short path for plain leaf fields.

Most of a bell page is leaf fields read off plain objects (a bell entry's id,
name, level, colour...). graphql-core gives each of them a resolve info, a
path, a resolver call and a value completion; here such a field (a scalar or
enum attribute with no resolver of its own) is read and coerced directly. Any
other field, and any leaf whose value is not a clean success (null for a
non-null field, a coercion failure), goes through graphql-core unchanged, so
errors and their paths are exactly graphql-core's.
"""

from __future__ import annotations

import inspect
import weakref
from collections.abc import Callable
from typing import Any, ClassVar

from graphql import (
    GraphQLField,
    GraphQLObjectType,
    GraphQLSchema,
    Undefined,
    get_named_type,
    is_leaf_type,
    is_non_null_type,
)
from graphql.pyutils import Path
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.schema.schema_converter import GraphQLCoreConverter

# field name -> (attribute, coerce, nullable), per object type
PlainFields = dict[str, tuple[str, Callable[[Any], Any], bool]]


def plain_fields(object_type: GraphQLObjectType) -> PlainFields:
    """The fields of `object_type` that are a scalar or enum attribute with no resolver."""
    found: PlainFields = {}
    for name, field in object_type.fields.items():
        attribute = _plain_attribute(field)
        if attribute is not None:
            leaf = get_named_type(field.type)
            found[name] = (attribute, leaf.coerce_output_value, not is_non_null_type(field.type))
    return found


def _plain_attribute(field: GraphQLField) -> str | None:
    if field.args or not getattr(field.resolve, "_is_default", False):
        return None
    if not is_leaf_type(get_named_type(field.type)):
        return None
    definition = (field.extensions or {}).get(GraphQLCoreConverter.DEFINITION_BACKREF)
    if definition is None or definition.extensions or definition.permission_classes:
        return None
    return definition.python_name


class FastExecutionContext(StrawberryGraphQLCoreExecutionContext):
    """Executes plain leaf fields inline; everything else as graphql-core does.

    An object whose selection is all plain fields is completed once per request: a
    bell entry shown on many customers is the same alert asked the same fields.
    """

    _plain: ClassVar[weakref.WeakKeyDictionary[GraphQLSchema, dict[str, PlainFields]]] = (
        weakref.WeakKeyDictionary()
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._memo: dict[tuple[int, int], tuple[Any, dict[str, Any]]] = {}
        self._all_plain: dict[int, tuple[Any, bool]] = {}

    def _plain_of(self, parent_type: GraphQLObjectType) -> PlainFields:
        by_type = self._plain.get(self.schema)
        if by_type is None:
            by_type = self._plain[self.schema] = {}
        fields = by_type.get(parent_type.name)
        if fields is None:
            fields = by_type[parent_type.name] = plain_fields(parent_type)
        return fields

    def _selection_is_plain(self, plain: PlainFields, grouped_field_set: Any) -> bool:
        selection = id(grouped_field_set)
        known = self._all_plain.get(selection)
        if known is None:
            names = (details[0].node.name.value for details in grouped_field_set.values())
            known = self._all_plain[selection] = (
                grouped_field_set,  # kept alive, so that its id stays its own
                bool(plain) and all(name in plain for name in names),
            )
        return known[1]

    def complete_iterable_value(  # type: ignore[override]
        self,
        item_type: Any,
        field_details_list: Any,
        info: Any,
        path: Path,
        items: Any,
        position_context: Any,
    ) -> Any:
        """A list of non-null objects: each item's fields executed directly (an item asked
        only plain fields is completed once per request)."""
        object_type = item_type.of_type if is_non_null_type(item_type) else None
        if (
            isinstance(object_type, GraphQLObjectType)
            and not object_type.is_type_of
            and isinstance(items, list)
            and not any(item is None or isinstance(item, Exception) for item in items)
        ):
            grouped_field_set, new_defer_usages, _ = self.collect_subfields(
                object_type, field_details_list
            )
            if not new_defer_usages:
                memo = self._memo
                selection = id(grouped_field_set)
                completed = []
                for index, item in enumerate(items):
                    seen = memo.get((selection, id(item)))
                    if seen is not None and seen[0] is item:
                        completed.append(seen[1])
                    else:
                        value = self.execute_fields(
                            object_type, item, path.add_key(index), grouped_field_set,
                            position_context,
                        )  # fmt: skip
                        completed.append(value)
                if not any(self.is_awaitable(value) for value in completed):
                    return completed
                return self._gathered(completed)
        return super().complete_iterable_value(
            item_type, field_details_list, info, path, items, position_context
        )

    @staticmethod
    async def _gathered(completed: list[Any]) -> list[Any]:  # never with sync resolvers
        return [await value if inspect.isawaitable(value) else value for value in completed]

    def execute_fields(  # type: ignore[override]
        self,
        parent_type: GraphQLObjectType,
        source_value: Any,
        path: Path | None,
        grouped_field_set: Any,
        position_context: Any,
    ) -> Any:
        plain = self._plain_of(parent_type)
        if not plain:
            return super().execute_fields(
                parent_type, source_value, path, grouped_field_set, position_context
            )
        all_plain = self._selection_is_plain(plain, grouped_field_set)
        memo_key = (id(grouped_field_set), id(source_value))
        if all_plain:
            seen = self._memo.get(memo_key)
            if seen is not None and seen[0] is source_value:
                return seen[1]
        results: dict[str, Any] = {}
        fast_only = True
        awaitable_fields: list[str] = []
        for response_name, field_details_list in grouped_field_set.items():
            spec = plain.get(field_details_list[0].node.name.value)
            if spec is not None:
                attribute, coerce, nullable = spec
                value = getattr(source_value, attribute, None)
                if value is None and nullable:
                    results[response_name] = None
                    continue
                if value is not None and not isinstance(value, Exception):
                    try:
                        coerced = coerce(value)
                    except Exception:
                        coerced = Undefined
                    if coerced is not None and coerced is not Undefined:
                        results[response_name] = coerced
                        continue
            fast_only = False
            result = self.execute_field(
                parent_type,
                source_value,
                field_details_list,
                Path(path, response_name, parent_type.name),
                position_context,
            )
            if result is Undefined:
                continue
            results[response_name] = result
            if self.is_awaitable(result):  # never with this project's sync resolvers
                awaitable_fields.append(response_name)
        if fast_only and all_plain:
            self._memo[memo_key] = (source_value, results)
        if not awaitable_fields:
            return results

        async def awaited() -> dict[str, Any]:
            for name in awaitable_fields:
                results[name] = await results[name]
            return results

        return awaited()
