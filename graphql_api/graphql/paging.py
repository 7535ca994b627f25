"""Connections (Relay convention, SPEC §8): the paging arguments and the page they ask for
(a `keyset.Window`), `PageInfo`, `SortDirection`, and the `Edge`/`Connection` types that
every list of pages shares, made for each node type by `connection_types`."""

from __future__ import annotations

import copy
import inspect
import types
from collections.abc import Callable, Iterable
from functools import wraps
from typing import Annotated, Any, ClassVar, Generic, Self, TypeVar

import strawberry
from strawberry.types.base import get_object_definition
from strawberry.types.field import StrawberryField

from graphql_api import keyset
from graphql_api.errors import invalid
from graphql_api.sort_order import Order, SortDirection

DEFAULT_FIRST = 50
MAX_FIRST = 500

strawberry.enum(
    SortDirection, description="ASC: smallest (or oldest, or A) first; DESC: the reverse."
)

# The four paging arguments of every connection, described once.
First = Annotated[int | None, strawberry.argument(
    description=f"The first n of the rows after `after` (at most {MAX_FIRST}). Without "
    f"`first` or `last`: the first {DEFAULT_FIRST}.")]  # fmt: skip
After = Annotated[str | None, strawberry.argument(
    description="Start after this cursor (an edge's cursor, or `pageInfo.endCursor`).")]
Last = Annotated[int | None, strawberry.argument(
    description=f"The last n of the rows before `before` (at most {MAX_FIRST}).")]
Before = Annotated[str | None, strawberry.argument(
    description="End before this cursor (an edge's cursor, or `pageInfo.startCursor`).")]

# What a connection field was asked: first, after, last, before.
Paging = tuple[int | None, str | None, int | None, str | None]
_ARGUMENTS = (("first", First), ("after", After), ("last", Last), ("before", Before))

R = TypeVar("R")


def paged(resolver: Callable[..., R]) -> Callable[..., R]:
    """A connection field whose resolver takes `paging: Paging`: the field takes the four
    paging arguments in its place (declared once, here), which the resolver gets together."""
    signature = inspect.signature(resolver)
    parameters = list(signature.parameters.values())
    at = [p.name for p in parameters].index("paging")
    keyword = inspect.Parameter.KEYWORD_ONLY
    arguments = [inspect.Parameter(n, keyword, default=None, annotation=a) for n, a in _ARGUMENTS]
    rest = [p.replace(kind=keyword) for p in parameters[at + 1 :]]

    @wraps(resolver)
    def resolve(*args: Any, **kwargs: Any) -> R:
        paging = tuple(kwargs.pop(name, None) for name, _ in _ARGUMENTS)
        return resolver(*args, paging=paging, **kwargs)

    # strawberry reads a resolver's arguments from its signature.
    resolve.__signature__ = signature.replace(  # type: ignore[attr-defined]
        parameters=[*parameters[:at], *arguments, *rest]
    )
    return resolve


def page_size(first: int | None, argument: str = "first") -> int:
    """`first` checked (0 to MAX_FIRST), DEFAULT_FIRST when omitted; a UserInputError else."""
    if first is None:
        return DEFAULT_FIRST
    if not 0 <= first <= MAX_FIRST:
        raise invalid(argument, f"{argument} must be between 0 and {MAX_FIRST}, not {first}")
    return first


def window(order: Order, paging: Paging) -> keyset.Window:
    """The page the four arguments ask for, in `order`; a UserInputError naming the argument
    that is wrong (both `first` and `last`, a size out of range, a cursor not of `order`)."""
    first, after, last, before = paging
    if first is not None and last is not None:
        raise invalid("last", "give first or last, not both")
    start = None if after is None else order.decode(after, "after")
    end = None if before is None else order.decode(before, "before")
    if last is not None:
        return keyset.Window(page_size(last, "last"), False, start, end)
    return keyset.Window(page_size(first), True, start, end)


@strawberry.type(description="Where a page of a connection stands (Relay convention).")
class PageInfo:
    has_next_page: bool = strawberry.field(description="Whether rows follow this page.")
    has_previous_page: bool = strawberry.field(description="Whether rows precede this page.")
    start_cursor: str | None = strawberry.field(
        description="The cursor of the first edge: pass it as `before` for the previous page."
    )
    end_cursor: str | None = strawberry.field(
        description="The cursor of the last edge: pass it as `after` for the next page."
    )


NodeT = TypeVar("NodeT")

# The descriptions below are worded for each node type by `connection_types`: {a} is the
# article of {one}, one node; {many}, several.
_EDGES = "The {many} of this page."


@strawberry.type(description="{a} {one} and its cursor.")
class Edge(Generic[NodeT]):
    cursor: str = strawberry.field(
        description="Pass it as `after` (or `before`) to page from this {one}."
    )
    node: NodeT = strawberry.field(description="The {one}.")


@strawberry.type(description="A page of {many} (Relay convention).")
class Connection(Generic[NodeT]):
    edge_type: ClassVar[type[Edge[Any]]]  # the node's own, set by connection_types
    # Counts the rows of every page (only when asked: it may read them all).
    count: strawberry.Private[Callable[[], int]]
    page_info: PageInfo = strawberry.field(description="Where this page stands.")
    edges: list[Edge[NodeT]] = strawberry.field(description=_EDGES)

    @strawberry.field(description="How many {many} match, over all pages.")
    def total_count(self) -> int:
        return self.count()

    @strawberry.field(description="The {many} of this page, without cursors.")
    def nodes(self) -> list[NodeT]:
        return [edge.node for edge in self.edges]

    @classmethod
    def of(
        cls,
        page: keyset.Page,
        order: Order,
        nodes: Iterable[NodeT],
        count: Callable[[], int],
    ) -> Self:
        """The page's rows, in `order`, as edges to `nodes` (one per row, in turn)."""
        edges = [
            cls.edge_type(cursor=order.encode(order.key_of(row)), node=node)
            for row, node in zip(page.rows, nodes, strict=True)
        ]
        cursors = [edge.cursor for edge in edges]
        info = PageInfo(
            has_next_page=page.has_next, has_previous_page=page.has_previous,
            start_cursor=cursors[0] if cursors else None,
            end_cursor=cursors[-1] if cursors else None,
        )  # fmt: skip
        return cls(count=count, page_info=info, edges=edges)


def connection_types(
    node: type[NodeT],
    one: str,
    many: str,
    *,
    description: str | None = None,
    cursor: str | None = None,
    total_count: str | None = None,
) -> tuple[type[Edge[NodeT]], type[Connection[NodeT]]]:
    """`<Node>Edge` and `<Node>Connection`: `Edge[node]` and `Connection[node]` under the
    names clients know, described in the words `one` and `many`; `description`, `cursor`
    and `total_count` replace the connection's, the cursor's and the count's wording."""
    name = get_object_definition(node, strict=True).name
    words = {"a": "An" if one[0] in "aeiou" else "A", "one": one, "many": many}
    edge = _specialised(Edge[node], f"{name}Edge", words, {}, {"cursor": cursor})
    # The connection's edges are of the node's own edge type: the generic's field would
    # name an `Edge[node]` of strawberry's making, with the descriptions unworded.
    namespace = {
        "__annotations__": {"edges": list[edge]},
        "edges": strawberry.field(description=_EDGES),
        "edge_type": edge,
    }
    given = {"": description, "total_count": total_count}
    connection = _specialised(Connection[node], f"{name}Connection", words, namespace, given)
    return edge, connection


def _specialised(
    generic: Any,
    name: str,
    words: dict[str, str],
    namespace: dict[str, Any],
    given: dict[str, str | None],
) -> Any:
    """A strawberry type `name` extending `generic` (a generic type given its node type),
    with `namespace`, its descriptions worded; those in `given` (by field, "" for the
    type's own) as given."""
    cls = types.new_class(name, (generic,), exec_body=lambda body: body.update(namespace))
    template = get_object_definition(generic.__origin__, strict=True).description or ""
    cls = strawberry.type(cls, name=name, description=given.get("") or template.format_map(words))
    definition = get_object_definition(cls, strict=True)
    definition.fields = [_worded(f, words, given.get(f.python_name)) for f in definition.fields]
    return cls


def _worded(field: StrawberryField, words: dict[str, str], given: str | None) -> StrawberryField:
    # A copy: the generic's own fields are shared by every type extending it.
    worded = copy.copy(field)
    worded.description = given or (field.description and field.description.format_map(words))
    return worded
