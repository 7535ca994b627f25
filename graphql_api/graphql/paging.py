"""Connections' shared parts (Relay convention): the page size and `PageInfo`."""

from __future__ import annotations

import strawberry

from graphql_api.errors import invalid

DEFAULT_FIRST = 50
MAX_FIRST = 500


@strawberry.type(description="Where a page of a connection stands (Relay convention).")
class PageInfo:
    has_next_page: bool = strawberry.field(description="Whether more follow this page.")
    has_previous_page: bool = strawberry.field(
        description="Whether this page started after a cursor."
    )
    start_cursor: str | None = strawberry.field(description="The cursor of the first edge.")
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
