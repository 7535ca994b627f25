"""A resolver the fast executor calls without strawberry's wrapper (resolver_calls.py) answers
what graphql-core answers, errors and paths included; a field whose wrapper matters
(a permission, an argument that could be changed by one call and seen by the next) keeps it."""

from __future__ import annotations

import enum
from typing import Any

import pytest
import strawberry
from strawberry.permission import BasePermission
from strawberry.scalars import JSON
from strawberry.schema import schema_converter

from graphql_api.fast_execution import FastExecutionContext
from tests.test_fast_execution import EXECUTORS, both, run


@strawberry.enum
class Tone(enum.Enum):
    LOW = "LOW"
    HIGH = "HIGH"


class Never(BasePermission):
    message = "not for you"

    def has_permission(self, source: Any, info: strawberry.Info, **kwargs: Any) -> bool:
        return False


@strawberry.type
class Pet:
    name: str

    @strawberry.field
    def call(self, info: strawberry.Info, tone: Tone = Tone.LOW, times: int = 1) -> str:
        said = self.name.upper() if tone is Tone.HIGH else self.name
        return " ".join([said] * times) + " @ " + ".".join(map(str, info.path.as_list()))

    @strawberry.field
    def fails(self) -> str | None:
        if self.name == "rex":
            raise ValueError(f"{self.name} cannot")
        return "fine"

    @strawberry.field
    def must(self) -> str:
        if self.name == "rex":
            raise ValueError("rex must not")
        return "done"

    @strawberry.field(permission_classes=[Never])
    def secret(self) -> str:
        raise AssertionError("a denied resolver is not called")

    @strawberry.field
    def tags(self, extra: list[str]) -> list[str]:
        extra.append(self.name)  # a list is the call's own
        return extra

    @strawberry.field
    def stamped(self, data: JSON) -> JSON:
        data[self.name] = True  # a JSON value is the call's own
        return data


@strawberry.type
class PetQuery:
    @strawberry.field
    def pets(self) -> list[Pet]:
        return [Pet(name="tom"), Pet(name="rex"), Pet(name="kit")]


def test_a_direct_resolver_gets_its_arguments_and_its_own_path() -> None:
    answer = both("{ pets { call(tone: HIGH, times: 2) low: call } }", PetQuery)
    assert answer["data"]["pets"][1] == {
        "call": "REX REX @ pets.1.call", "low": "rex @ pets.1.low",
    }  # fmt: skip


def test_a_direct_resolver_reads_variables() -> None:
    query = "query($t: Tone!, $n: Int) { pets { call(tone: $t, times: $n) } }"
    answers = []
    for context_class in EXECUTORS.values():
        schema = strawberry.Schema(PetQuery, execution_context_class=context_class)
        result = schema.execute_sync(query, {"t": "HIGH", "n": 3})
        answers.append((result.data, result.errors))
    assert answers[0] == answers[1]
    assert answers[0][0] == {"pets": [{"call": f"{n} {n} {n} @ pets.{i}.call"}
                                      for i, n in enumerate(("TOM", "REX", "KIT"))]}  # fmt: skip


def test_a_direct_resolver_that_raises_is_graphql_cores_error() -> None:
    nullable = both("{ pets { name fails } }", PetQuery)
    assert nullable["data"]["pets"][1] == {"name": "rex", "fails": None}
    assert [e["path"] for e in nullable["errors"]] == [["pets", 1, "fails"]]
    non_null = both("{ pets { name must } }", PetQuery)
    assert non_null["data"] is None  # the null propagates up to the non-null root field
    assert non_null["errors"][0]["path"] == ["pets", 1, "must"]


def test_a_permission_still_denies() -> None:
    answer = both("{ pets { name secret } }", PetQuery)
    assert answer["data"] is None
    assert {e["message"] for e in answer["errors"]} == {"not for you"}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ('{ pets { tags(extra: ["pet"]) } }', [["pet", "tom"], ["pet", "rex"], ["pet", "kit"]]),
        ("{ pets { stamped(data: {seen: 1}) } }",
         [{"seen": 1, name: True} for name in ("tom", "rex", "kit")]),
    ],
)  # fmt: skip
def test_an_argument_a_call_may_change_is_each_calls_own(query: str, expected: list[Any]) -> None:
    answer = both(query, PetQuery)
    assert [next(iter(p.values())) for p in answer["data"]["pets"]] == expected


def test_the_wrapper_is_skipped_only_where_it_can_be(monkeypatch: pytest.MonkeyPatch) -> None:
    converted: list[str] = []
    original = schema_converter.get_arguments

    def counting(**kwargs: Any) -> Any:
        converted.append(kwargs["field"].python_name)
        return original(**kwargs)

    monkeypatch.setattr(schema_converter, "get_arguments", counting)
    run(FastExecutionContext, '{ pets { call(tone: HIGH) tags(extra: ["a"]) } }', PetQuery)
    # `tags` (a list argument) through the wrapper for each pet; `pets` and `call` directly
    assert converted == ["tags", "tags", "tags"]
