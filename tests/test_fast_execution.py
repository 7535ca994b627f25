"""The short path for plain fields answers exactly what graphql-core answers, errors included,
and steps aside for what it cannot do: extensions' `resolve` hooks, another default resolver,
`@defer` and `@stream`. (tests/test_executors_agree.py compares them on the real schema.)"""

from __future__ import annotations

import asyncio
import enum
import gc
import operator
import weakref
from collections.abc import Callable
from typing import Any

import pytest
import strawberry
from pydantic import ValidationError
from strawberry.extensions import SchemaExtension
from strawberry.schema.config import StrawberryConfig
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from graphql_api.fast_execution import FastExecutionContext

EXECUTORS = {"fast": FastExecutionContext, "graphql-core": StrawberryGraphQLCoreExecutionContext}


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


class FlakyLeaf:
    """Read as a Leaf: its name raises and it has no `note` attribute at all."""

    colour = Colour.BLUE

    @property
    def name(self) -> str:
        raise ValueError("the name cannot be read")


class FlakyBranch:
    """Read as a Branch whose object fields raise."""

    label = "flaky"

    @property
    def main(self) -> Leaf:
        raise ValueError("the main leaf cannot be read")

    @property
    def leaves(self) -> list[Leaf]:
        raise ValueError("the leaves cannot be read")


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
    def flaky(self) -> list[Leaf | None]:
        return [SHARED, FlakyLeaf()]  # type: ignore[list-item]

    @strawberry.field
    def flaky_branches(self) -> list[Branch | None]:
        return [FlakyBranch()]  # type: ignore[list-item]

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
    "{ flaky { colour name } }",
    "{ flaky { colour note } }",
    "{ flakyBranches { label main { name } } }",
    "{ flakyBranches { label leaves { name } } }",
]


def run(context_class: Any, query: str, root: type = Query, **options: Any) -> dict[str, Any]:
    schema = strawberry.Schema(root, execution_context_class=context_class, **options)
    result = schema.execute_sync(query, {"x": True})
    return {"data": result.data, "errors": [e.formatted for e in result.errors or []]}


def both(query: str, root: type = Query, **options: Any) -> dict[str, Any]:
    """The answer, after checking that both executors give it."""
    fast, graphql_core = (run(c, query, root, **options) for c in EXECUTORS.values())
    assert fast == graphql_core
    return fast


@pytest.mark.parametrize("query", QUERIES)
def test_same_answer_as_graphql_core(query: str) -> None:
    assert run(FastExecutionContext, query) == run(StrawberryGraphQLCoreExecutionContext, query)


def test_a_null_in_a_non_null_field_is_still_an_error() -> None:
    answer = run(FastExecutionContext, QUERIES[4])
    assert answer["data"] is None  # the null propagates up to the non-null root field
    assert answer["errors"][0]["path"] == ["broken", 0, "leaves", 1, "name"]


def test_a_null_inside_a_plain_object_field_is_placed_on_its_own_path() -> None:
    answer = run(FastExecutionContext, "{ tree { branches { main { name } } } }")
    assert answer["data"] is None
    assert answer["errors"][0]["path"] == ["tree", "branches", 2, "main", "name"]


def test_an_attribute_that_raises_or_is_missing_is_graphql_cores_error() -> None:
    raising = both("{ flaky { colour name } }")
    assert raising["errors"][0]["path"] == ["flaky", 1, "name"]
    assert raising["data"] == {"flaky": [{"colour": "RED", "name": "shared"}, None]}
    missing = both("{ flaky { note } }")
    assert missing["errors"][0]["path"] == ["flaky", 1, "note"]  # not a silent null
    assert both("{ flakyBranches { main { name } } }")["errors"][0]["path"] == [
        "flakyBranches", 0, "main",
    ]  # fmt: skip


# -- what the short path leaves to graphql-core ----------------------------------------------


def test_an_extensions_resolve_hook_sees_every_field() -> None:
    seen: list[str] = []

    class Shout(SchemaExtension):
        def resolve(
            self, _next: Callable[..., Any], root: Any, info: Any, *a: Any, **k: Any
        ) -> Any:
            seen.append(info.field_name)
            value = _next(root, info, *a, **k)
            return value.upper() if isinstance(value, str) else value

    query = "{ branches { label leaves { name colour } main { name } } }"
    answer = both(query, extensions=[Shout])
    assert answer["data"]["branches"][0]["label"] == "A"
    assert answer["data"]["branches"][0]["leaves"][0] == {"name": "SHARED", "colour": "RED"}
    assert seen.count("name") == 2 * 6  # 4 leaves and 2 mains, once per executor


@strawberry.type
class Row:
    name: str
    note: str | None = None


@strawberry.type
class RowQuery:
    @strawberry.field
    def rows(self) -> list[Row]:
        return [{"name": "a", "note": "kept"}, {"name": "b", "note": None}]  # type: ignore[list-item]


def test_a_configured_default_resolver_is_used_for_plain_fields() -> None:
    config = StrawberryConfig(default_resolver=operator.getitem)
    answer = both("{ rows { name note } }", RowQuery, config=config)
    assert answer == {
        "data": {"rows": [{"name": "a", "note": "kept"}, {"name": "b", "note": None}]},
        "errors": [],
    }


async def incremental(context_class: Any, query: str) -> list[dict[str, Any]]:
    config = StrawberryConfig(enable_experimental_incremental_execution=True)
    schema = strawberry.Schema(Query, config=config, execution_context_class=context_class)
    result: Any = await schema.execute(query)
    if not hasattr(result, "initial_result"):
        return [{"data": result.data, "errors": [e.formatted for e in result.errors or []]}]
    return [result.initial_result.formatted] + [
        later.formatted async for later in result.subsequent_results
    ]


@pytest.mark.parametrize(
    "query",
    [
        "{ branches { label leaves @stream(initialCount: 1) { name colour } } }",
        "{ branches { label leaves { name ... @defer { colour } } } }",
        '{ branches { main { ... @defer(label: "m") { name } colour } } }',
        "{ branches { leaves @stream(initialCount: -1) { name } } }",
    ],
)
def test_defer_and_stream_are_graphql_cores(query: str) -> None:
    fast, graphql_core = (asyncio.run(incremental(c, query)) for c in EXECUTORS.values())
    assert fast == graphql_core
    assert len(fast) > 1 or fast[0]["errors"]  # delivered incrementally, or refused


# -- the setting -----------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["fast", "graphql-core"])
def test_the_setting_names_the_executor(monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    monkeypatch.setenv("DSO_ALERTS_EXECUTOR", name)
    assert FastExecutionContext.for_settings() is EXECUTORS[name]


def test_fast_is_the_default_and_a_bad_name_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DSO_ALERTS_EXECUTOR", raising=False)
    assert FastExecutionContext.for_settings() is FastExecutionContext
    monkeypatch.setenv("DSO_ALERTS_EXECUTOR", "quick")
    with pytest.raises(ValidationError, match="executor"):
        FastExecutionContext.for_settings()


@strawberry.type
class Scalars:
    text: str
    flag: bool
    ident: strawberry.ID


@strawberry.type
class ScalarQuery:
    @strawberry.field
    def values(self) -> list[Scalars]:
        odd = [Scalars(text=True, flag=1, ident=7), Scalars(text=1.5, flag=0.0, ident=2.0)]  # type: ignore[arg-type]
        return [Scalars(text="a", flag=True, ident=strawberry.ID("n1")), *odd]


def test_a_scalar_answers_a_value_of_its_own_type_as_it_is_and_coerces_any_other() -> None:
    answer = both("{ values { text flag ident } }", ScalarQuery)
    assert answer == {"data": {"values": [
        {"text": "a", "flag": True, "ident": "n1"},
        {"text": "true", "flag": True, "ident": "7"},
        {"text": "1.5", "flag": False, "ident": "2"},
    ]}, "errors": []}  # fmt: skip


# -- what a request leaves behind ------------------------------------------------------------


def test_a_synchronous_request_leaves_no_cycle_for_the_collector() -> None:
    """Everything a request read is freed when it is answered, not at the next collection."""
    executors: list[weakref.ref[FastExecutionContext]] = []

    class Watched(FastExecutionContext):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            executors.append(weakref.ref(self))

    schema = strawberry.Schema(Query, execution_context_class=Watched)
    gc.disable()
    try:
        result = schema.execute_sync("{ branches { label main { name } } }")
        assert result.data is not None and result.data["branches"][1]["label"] == "b"
        assert executors and executors[0]() is None
    finally:
        gc.enable()


def test_an_asynchronous_request_is_answered_as_graphql_core_answers_it() -> None:
    @strawberry.type
    class AsyncQuery:
        @strawberry.field
        async def leaf(self) -> Leaf:
            return SHARED

    answers = [
        asyncio.run(strawberry.Schema(AsyncQuery, execution_context_class=c).execute(
            "{ leaf { name colour } }"
        )).data
        for c in EXECUTORS.values()
    ]  # fmt: skip
    assert answers[0] == answers[1] == {"leaf": {"name": "shared", "colour": "RED"}}
