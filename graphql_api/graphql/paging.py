"""Connections' shared parts (Relay convention, SPEC §8): the page size, the paging
arguments read into a `keyset.Window`, `PageInfo` and `SortDirection`."""

from __future__ import annotations

from typing import Annotated

import strawberry

from graphql_api import keyset
from graphql_api.errors import invalid
from graphql_api.keyset import SortDirection

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


def page_size(first: int | None, argument: str = "first") -> int:
    """`first` checked (0 to MAX_FIRST), DEFAULT_FIRST when omitted; a UserInputError else."""
    if first is None:
        return DEFAULT_FIRST
    if not 0 <= first <= MAX_FIRST:
        raise invalid(argument, f"{argument} must be between 0 and {MAX_FIRST}, not {first}")
    return first


def window(
    order: keyset.Order,
    first: int | None,
    after: str | None,
    last: int | None,
    before: str | None,
) -> keyset.Window:
    """The page the four arguments ask for, in `order`; a UserInputError naming the argument
    that is wrong (both `first` and `last`, a size out of range, a cursor not of `order`)."""
    if first is not None and last is not None:
        raise invalid("last", "give first or last, not both")
    start = None if after is None else order.decode(after, "after")
    end = None if before is None else order.decode(before, "before")
    if last is not None:
        return keyset.Window(page_size(last, "last"), False, start, end)
    return keyset.Window(page_size(first), True, start, end)


def page_info(page: keyset.Page, cursors: list[str]) -> PageInfo:
    return PageInfo(
        has_next_page=page.has_next, has_previous_page=page.has_previous,
        start_cursor=cursors[0] if cursors else None,
        end_cursor=cursors[-1] if cursors else None,
    )  # fmt: skip
