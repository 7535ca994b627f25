"""Objects of a `shared` type (completion_memo.py) are completed once for every request: each
request still gets what graphql-core answers, for each selection, alias and object, and an
object that failed to complete is completed (and fails) again."""

from __future__ import annotations

from typing import Any

import strawberry
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from graphql_api.completion_memo import shared
from graphql_api.fast_execution import FastExecutionContext


@shared
@strawberry.type
class Badge:
    name: str
    rank: int
    note: str | None = None


class Counted(Badge):
    """A Badge of another class: not promised unchanging, so never kept across requests."""


BADGES = [Badge(name=f"b{i}", rank=i) for i in range(3)]
BROKEN = Badge(name=None, rank=9)  # type: ignore[arg-type]
COUNTED = Counted(name="counted", rank=5)


@strawberry.type
class Query:
    @strawberry.field
    def badges(self) -> list[Badge]:
        return [*BADGES, BADGES[0]]

    @strawberry.field
    def fresh(self, n: int) -> list[Badge]:
        # new objects on every request: ids freed by one request are reused by the next
        return [Badge(name=f"fresh{n}-{i}", rank=n * 10 + i) for i in range(50)]

    @strawberry.field
    def broken(self) -> list[Badge]:
        return [BADGES[1], BROKEN]

    @strawberry.field
    def counted(self) -> list[Badge]:
        return [COUNTED, COUNTED]


SCHEMAS = {
    name: strawberry.Schema(Query, execution_context_class=context)
    for name, context in (
        ("fast", FastExecutionContext),
        ("graphql-core", StrawberryGraphQLCoreExecutionContext),
    )
}


def both(query: str) -> dict[str, Any]:
    """The answer, after checking that both executors give it (each schema kept from one
    request to the next, as a server keeps it)."""
    answers = []
    for schema in SCHEMAS.values():
        result = schema.execute_sync(query)
        answers.append({"data": result.data, "errors": [e.formatted for e in result.errors or []]})
    assert answers[0] == answers[1]
    return answers[0]


def test_a_selection_asked_again_is_answered_the_same() -> None:
    for _ in range(2):
        answer = both("{ badges { name rank } }")
        assert answer["data"]["badges"][3] == {"name": "b0", "rank": 0}


def test_another_selection_or_alias_of_the_same_objects_is_its_own() -> None:
    both("{ badges { name rank } }")
    assert both("{ badges { rank } }")["data"]["badges"][1] == {"rank": 1}
    aliased = both("{ badges { title: name name note } }")["data"]["badges"][2]
    assert aliased == {"title": "b2", "name": "b2", "note": None}
    assert both("{ badges { name rank } }")["data"]["badges"][0] == {"name": "b0", "rank": 0}


def test_objects_of_earlier_requests_are_not_taken_for_new_ones() -> None:
    for n in range(20):
        badges = both(f"{{ fresh(n: {n}) {{ name rank }} }}")["data"]["fresh"]
        assert [b["rank"] for b in badges] == [n * 10 + i for i in range(50)]
        assert badges[7]["name"] == f"fresh{n}-7"


def test_a_failed_completion_fails_again_on_its_own_path() -> None:
    for _ in range(2):
        answer = both("{ broken { rank name } }")
        assert answer["data"] is None
        assert answer["errors"][0]["path"] == ["broken", 1, "name"]
    assert both("{ badges { name } }")["data"]["badges"][1] == {"name": "b1"}


def test_an_object_of_a_subclass_is_completed_in_each_request() -> None:
    for rank in (5, 6):
        COUNTED.rank = rank  # a subclass may change: each request reads it again
        assert (
            both("{ counted { name rank } }")["data"]["counted"]
            == [{"name": "counted", "rank": rank}] * 2
        )
