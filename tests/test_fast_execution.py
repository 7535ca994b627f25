"""The short path for plain fields answers exactly what graphql-core answers, errors included."""

from __future__ import annotations

import enum
from typing import Any

import pytest
import strawberry
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from graphql_api.fast_execution import FastExecutionContext


@strawberry.enum
class Colour(enum.Enum):
    RED = "RED"
    BLUE = "BLUE"


@strawberry.type
class Leaf:
    name: str
    colour: Colour
    note: str | None = None

    @strawberry.field
    def shout(self, times: int = 1) -> str:
        return self.name.upper() * times


@strawberry.type
class Branch:
    label: str
    leaves: list[Leaf]
    maybe: list[Leaf | None]
    main: Leaf
    alt: Leaf | None = None


@strawberry.type
class Tree:
    trunk: Branch
    branches: list[Branch]


SHARED = Leaf(name="shared", colour=Colour.RED)
BROKEN = Leaf(name=None, colour=Colour.BLUE)  # type: ignore[arg-type]


@strawberry.type
class Query:
    @strawberry.field
    def branches(self) -> list[Branch]:
        return [
            Branch(label="a", leaves=[SHARED, Leaf(name="x", colour=Colour.BLUE)], maybe=[None],
                   main=SHARED, alt=SHARED),
            Branch(label="b", leaves=[SHARED, SHARED], maybe=[SHARED], main=SHARED),
        ]  # fmt: skip

    @strawberry.field
    def broken(self) -> list[Branch]:
        return [Branch(label="c", leaves=[SHARED, BROKEN], maybe=[BROKEN], main=BROKEN)]

    @strawberry.field
    def tree(self) -> Tree:
        branches = Query.branches(self)
        return Tree(trunk=branches[0], branches=branches + Query.broken(self))


QUERIES = [
    "{ branches { label leaves { name colour note } maybe { name } } }",
    "{ branches { leaves { n: name name __typename shout(times: 2) } } }",
    "{ branches { ... on Branch { leaves { ...L } } } } fragment L on Leaf { name colour }",
    "query($x: Boolean!) { branches { leaves { name @skip(if: $x) colour @include(if: $x) } } }",
    "{ broken { label leaves { name colour } } }",
    "{ broken { label maybe { name } } }",
    "{ branches { main { name colour } alt { name note } } }",
    "{ broken { label main { name } } }",
    "{ tree { trunk { leaves { name } main { shout } } branches { label main { colour } } } }",
    "{ tree { branches { main { name } } } }",
]


def run(context_class: Any, query: str) -> dict[str, Any]:
    schema = strawberry.Schema(Query, execution_context_class=context_class)
    result = schema.execute_sync(query, {"x": True})
    return {"data": result.data, "errors": [e.formatted for e in result.errors or []]}


@pytest.mark.parametrize("query", QUERIES)
def test_same_answer_as_graphql_core(query: str) -> None:
    assert run(FastExecutionContext, query) == run(StrawberryGraphQLCoreExecutionContext, query)


def test_a_null_in_a_non_null_field_is_still_an_error() -> None:
    answer = run(FastExecutionContext, QUERIES[4])
    assert answer["data"] is None  # the null propagates up to the non-null root field
    assert answer["errors"][0]["path"] == ["broken", 0, "leaves", 1, "name"]


def test_a_null_inside_a_plain_object_field_is_placed_on_its_own_path() -> None:
    answer = run(FastExecutionContext, QUERIES[-1])
    assert answer["data"] is None
    assert answer["errors"][0]["path"] == ["tree", "branches", 2, "main", "name"]
