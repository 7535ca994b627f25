"""graphql-core's execution with a short path for plain fields.

Most of a bell page is fields read off plain objects (a bell entry's id, name,
level, colour; an edge's node; a bell's list of alerts). graphql-core gives
each of them a resolve info, a path, a resolver call and a value completion;
here such a field (an attribute with no resolver of its own: a scalar or enum,
or a non-null object or list of non-null objects) is read and completed
directly. Any other field, and any value that is not a clean success (null for
a non-null field, an attribute that is missing or raises, a coercion failure, an
object whose type must be checked), goes through graphql-core unchanged, so errors
and their paths are exactly graphql-core's.

What the short path would skip makes it step aside: a field whose strawberry
config names another default resolver than `getattr` goes through graphql-core;
a request with a schema extension that hooks `resolve` (graphql-core middleware,
which must see every field), or on a schema that declares `@defer` or `@stream`
(strawberry's incremental execution), is executed by graphql-core alone.

A field answered by a resolver is resolved as graphql-core does, except that the resolver
is called without strawberry's per-call wrapper when nothing in it can differ from one
parent to the next (resolver_calls.py): the customer's `bell`, 50 times a page.

It overrides graphql-core 3.3's `execute_field`, `execute_fields` and
`complete_iterable_value`, which graphql-core documents as private (and `execute_operation`,
to break a cycle once a request is answered), and reads strawberry's field definitions:
pyproject.toml pins graphql-core and strawberry to the releases it is checked against (see
the README), and DSO_ALERTS_EXECUTOR=graphql-core turns it off.
"""

from __future__ import annotations

import inspect
from typing import Any

from graphql import (
    ExecutionResult,
    GraphQLField,
    GraphQLObjectType,
    Undefined,
    is_non_null_type,
)
from graphql.execution.executor import to_nodes
from graphql.pyutils import Path
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from graphql_api.completion_memo import Memo, memo_for
from graphql_api.plain_fields import accepts, fields_of, non_null_object, unchanged_type
from graphql_api.resolver_calls import direct_call
from graphql_api.settings import Settings

# graphql-core's directives for incremental delivery, which only graphql-core reads
INCREMENTAL_DIRECTIVES = ("defer", "stream")


class FastExecutionContext(StrawberryGraphQLCoreExecutionContext):
    """Executes plain fields inline; everything else as graphql-core does.

    An object whose selection is all plain fields is completed once per request, or once
    for all requests when its class is `shared` (completion_memo.py): a bell entry shown on
    many customers is the same alert asked the same fields.
    """

    @classmethod
    def for_settings(cls) -> type[StrawberryGraphQLCoreExecutionContext]:
        """The execution context DSO_ALERTS_EXECUTOR names: this one (`fast`, the default)
        or strawberry's plain graphql-core execution (`graphql-core`)."""
        return cls if Settings().executor == "fast" else StrawberryGraphQLCoreExecutionContext

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.short_path = self._short_path_applies()
        # id of an all-plain selection -> id(object) -> its completed fields (its memo's)
        self._memo: dict[int, dict[int, dict[str, Any]]] = {}
        # (parent type, id of a field's selection) -> (the selection, kept alive so that its
        # id stays its own; its nodes; the field; its resolver's direct call, if it has one;
        # the object type it returns, when non-null)
        self._calls: dict[tuple[str, int], tuple[Any, Any, GraphQLField | None, Any, Any]] = {}
        self._plans: dict[int, Plan] = {}

    def _short_path_applies(self) -> bool:
        """False when the request must be graphql-core's alone: an extension's `resolve` hook
        is graphql-core middleware, called around every field's resolver; `@defer` and
        `@stream` are read by graphql-core's own field collection and list completion."""
        middleware = self.middleware_manager
        if middleware is not None and middleware.middlewares:
            return False
        return not any(self.schema.get_directive(name) for name in INCREMENTAL_DIRECTIVES)

    def execute_operation(self, serially: bool | None = None) -> Any:
        result = super().execute_operation(serially)
        if type(result) is ExecutionResult:  # answered synchronously: nothing runs later
            # graphql-core's helpers for async work hold bound methods of the executor: a
            # cycle that left what a request read to the cyclic collector, 150 objects a
            # bell page (cycles make the server's collections; see app.py's GC_THRESHOLD)
            del self.async_helpers
        return result

    def _plan(self, parent_type: GraphQLObjectType, grouped_field_set: Any) -> Plan:
        """Whether a selection is all plain leaves (then its memo), and for each of its fields:
        the response name, the field details, how it is read (a plain leaf, a plain object, or
        neither), and the type of the values its scalar answers as they are (`unchanged_type`);
        None when the type has no plain field. Worked out once per selection and request (a
        selection is of one type), found with one lookup: 240 a page."""
        plain, objects = fields_of(self.schema, parent_type)
        plan = None
        if plain or objects:
            plan = [
                (response_name, details, plain.get(name), objects.get(name),
                 unchanged_type(parent_type.fields[name].type) if name in plain else None)
                for response_name, details in grouped_field_set.items()
                for name in (details[0].node.name.value,)
            ]  # fmt: skip
        memo = None
        if plan and all(spec is not None for _, _, spec, _, _ in plan):
            memo = memo_for(self.schema, parent_type, grouped_field_set)
            self._memo[id(grouped_field_set)] = memo.results
        # the selection is kept alive with its plan, so that its id stays its own
        known = self._plans[id(grouped_field_set)] = (grouped_field_set, memo, plan)
        return known

    def complete_iterable_value(  # type: ignore[override]
        self,
        item_type: Any,
        field_details_list: Any,
        info: Any,
        path: Path,
        items: Any,
        position_context: Any,
    ) -> Any:
        object_type = item_type.of_type if is_non_null_type(item_type) else None
        if (
            self.short_path
            and isinstance(object_type, GraphQLObjectType)
            and isinstance(items, list)
        ):
            completed = self._completed_list(
                object_type, field_details_list, path, items, position_context
            )
            if completed is not Undefined:
                return completed
        return super().complete_iterable_value(
            item_type, field_details_list, info, path, items, position_context
        )

    def _completed_list(
        self,
        object_type: GraphQLObjectType,
        field_details_list: Any,
        path: Path,
        items: list[Any],
        position_context: Any,
    ) -> Any:
        """A list of non-null objects: each item's fields executed directly (an item asked
        only plain fields is completed once per request); Undefined when graphql-core must
        do it (an item is null or an error, or a fragment is deferred)."""
        grouped_field_set, new_defer_usages, _ = self.collect_subfields(
            object_type, field_details_list
        )
        memo = self._memo.get(id(grouped_field_set))
        if memo is not None and not new_defer_usages:
            # in C: 800 bell entries a page
            completed = list(map(memo.get, map(id, items)))
            if None not in completed:  # a bell's alerts, all shown before in this request
                return completed
        else:
            completed = [None] * len(items)
        new = [index for index, known in enumerate(completed) if known is None]
        if new_defer_usages or any(
            items[index] is None
            or isinstance(items[index], Exception)
            or not accepts(object_type, items[index])
            for index in new
        ):
            return Undefined
        awaiting = False
        for index in new:
            value = self.execute_fields(
                object_type, items[index], path.add_key(index), grouped_field_set,
                position_context,
            )  # fmt: skip
            completed[index] = value
            # a dict is never awaitable: the check is a call per item otherwise
            awaiting = awaiting or (type(value) is not dict and self.is_awaitable(value))
        return self._gathered(completed) if awaiting else completed

    def _completed_object(
        self,
        field: tuple[str, GraphQLObjectType, bool],
        source_value: Any,
        field_details_list: Any,
        path: Path,
        position_context: Any,
    ) -> Any:
        """A plain object field completed directly; Undefined when graphql-core must do it."""
        attribute, object_type, is_list = field
        try:
            value = getattr(source_value, attribute)
        except Exception:  # graphql-core reads it again and places the error on its path
            return Undefined
        if is_list:
            if not isinstance(value, list):
                return Undefined
            return self._completed_list(
                object_type, field_details_list, path, value, position_context
            )
        return self._completed_result(
            object_type, value, field_details_list, path, position_context
        )

    def _completed_result(
        self,
        object_type: GraphQLObjectType,
        result: Any,
        field_details_list: Any,
        path: Path,
        position_context: Any,
    ) -> Any:
        """A resolver's non-null object executed as graphql-core's `complete_value` would,
        without its four calls of checks that pass; Undefined when graphql-core must (null,
        an error, a type check in doubt, a deferred fragment). A page has 50 bells."""
        if result is None or isinstance(result, Exception) or not accepts(object_type, result):
            return Undefined
        grouped_field_set, new_defer_usages, _ = self.collect_subfields(
            object_type, field_details_list
        )
        if new_defer_usages:
            return Undefined
        return self.execute_fields(object_type, result, path, grouped_field_set, position_context)

    @staticmethod
    async def _gathered(completed: list[Any]) -> list[Any]:  # never with sync resolvers
        return [await value if inspect.isawaitable(value) else value for value in completed]

    def execute_field(  # type: ignore[override]
        self,
        parent_type: GraphQLObjectType,
        source: Any,
        field_details_list: Any,
        path: Path,
        position_context: Any,
    ) -> Any:
        """graphql-core's `execute_field`, with a resolver that can be called directly
        (resolver_calls.py) called so."""
        if not self.short_path:
            return super().execute_field(
                parent_type, source, field_details_list, path, position_context
            )
        key = (parent_type.name, id(field_details_list))
        known = self._calls.get(key)
        if known is None:
            first = field_details_list[0]
            field_def = self.schema.get_field(parent_type, first.node.name.value)
            call = None
            if field_def is not None:
                call = direct_call(
                    self.schema, field_def, first, self.variable_values, self.hide_suggestions
                )
            nodes = to_nodes(field_details_list)
            returned = non_null_object(field_def.type) if field_def is not None else None
            known = self._calls[key] = (field_details_list, nodes, field_def, call, returned)
        _, nodes, field_def, call, returned = known
        if call is None or field_def is None:
            return super().execute_field(
                parent_type, source, field_details_list, path, position_context
            )
        # As graphql-core's execute_field, with the resolver called directly.
        return_type = field_def.type
        info = self.build_resolve_info(field_def, nodes, parent_type, path)
        try:
            result = call(source, info)
            if self.is_awaitable(result):
                return self.complete_awaitable_value(
                    return_type, field_details_list, info, path, result, position_context
                )
            completed = Undefined
            if returned is not None:  # the customer's bell: its fields executed directly
                completed = self._completed_result(
                    returned, result, field_details_list, path, position_context
                )
            if completed is Undefined:
                completed = self.complete_value(
                    return_type, field_details_list, info, path, result, position_context
                )
        except Exception as raw_error:
            self.handle_field_error(raw_error, return_type, field_details_list, path)
            return None
        # never with this project's sync resolvers; a dict (an object's fields) never is
        if type(completed) is not dict and self.is_awaitable(completed):

            async def await_completed() -> Any:
                try:
                    return await completed
                except Exception as raw_error:
                    self.handle_field_error(raw_error, return_type, field_details_list, path)
                    return None

            return await_completed()
        return completed

    def execute_fields(  # type: ignore[override]
        self,
        parent_type: GraphQLObjectType,
        source_value: Any,
        path: Path | None,
        grouped_field_set: Any,
        position_context: Any,
    ) -> Any:
        if not self.short_path:
            return super().execute_fields(
                parent_type, source_value, path, grouped_field_set, position_context
            )
        known = self._plans.get(id(grouped_field_set))
        if known is None:
            known = self._plan(parent_type, grouped_field_set)
        _, memo, plan = known
        if plan is None:
            return super().execute_fields(
                parent_type, source_value, path, grouped_field_set, position_context
            )
        if memo is not None:  # all plain
            seen = memo.results.get(id(source_value))
            if seen is not None:
                return seen
        results: dict[str, Any] = {}
        fast_only = True
        awaitable_fields: list[str] = []
        for response_name, field_details_list, spec, inline, unchanged in plan:
            if spec is not None:
                attribute, coerce, nullable = spec
                try:
                    value = getattr(source_value, attribute)
                except Exception:  # graphql-core reads it again and places the error
                    value = Undefined
                if type(value) is unchanged:  # a str or bool its scalar would return as is
                    results[response_name] = value
                    continue
                if value is None and nullable:
                    results[response_name] = None
                    continue
                if (
                    value is not None
                    and value is not Undefined
                    and not isinstance(value, Exception)
                ):
                    try:
                        coerced = coerce(value)
                    except Exception:
                        coerced = Undefined
                    if coerced is not None and coerced is not Undefined:
                        results[response_name] = coerced
                        continue
            fast_only = False
            field_path = Path(path, response_name, parent_type.name)
            result = Undefined
            if inline is not None:
                result = self._completed_object(
                    inline, source_value, field_details_list, field_path, position_context
                )
            if result is Undefined:
                result = self.execute_field(
                    parent_type, source_value, field_details_list, field_path, position_context
                )
            if result is Undefined:
                continue
            results[response_name] = result
            # never with this project's sync resolvers; a dict (an object's fields) never is
            if type(result) is not dict and self.is_awaitable(result):
                awaitable_fields.append(response_name)
        if fast_only and memo is not None:
            memo.remember(source_value, results)
        if not awaitable_fields:
            return results

        async def awaited() -> dict[str, Any]:
            for name in awaitable_fields:
                results[name] = await results[name]
            return results

        return awaited()


# A selection's plan (see `_plan`): the selection, its memo when it is all plain, its fields.
Plan = tuple[Any, Memo | None, list[tuple[str, Any, Any, Any, Any]] | None]
