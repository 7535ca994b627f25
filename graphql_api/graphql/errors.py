"""Errors as data: a domain's `UserInputError` becomes a mutation payload's `errors`, or a
query's GraphQL error, in one place each."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, ParamSpec, Protocol, TypeVar

import strawberry

from graphql import GraphQLError
from graphql_api.errors import ErrorCode, UserInputError

strawberry.enum(
    ErrorCode,
    name="ErrorCode",
    description="VALIDATION (bad input), NOT_FOUND, FORBIDDEN (not allowed), CONFLICT "
    "(stale version).",
)


@strawberry.type(description="A problem with a mutation's input or rights; nothing was changed.")
class UserError:
    code: ErrorCode = strawberry.field(description="The kind of problem.")
    field: str | None = strawberry.field(
        description="The input path at fault, e.g. criteria.overdueAmount.min; null for the "
        "whole request."
    )
    message: str = strawberry.field(description="What is wrong, for a person to read.")


def user_errors(error: UserInputError) -> list[UserError]:
    return [UserError(code=p.code, field=p.field, message=p.message) for p in error.problems]


def graphql_error(error: UserInputError) -> GraphQLError:
    """A query argument's problem as a GraphQL error (mutations use `UserError` instead)."""
    problems = [
        {"code": p.code.value, "field": p.field, "message": p.message} for p in error.problems
    ]
    return GraphQLError(
        str(error), extensions={"code": error.problems[0].code.value, "problems": problems}
    )


class Payload(Protocol):
    """A mutation payload: its result fields, and `errors`."""

    @classmethod
    def rejected(cls, error: UserInputError, info: Any) -> Any:
        """The payload of a change the domain refused with `error`: nothing was changed."""


P = ParamSpec("P")
R = TypeVar("R")


def payload_errors(payload: type[Payload]) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """A mutation whose domain refuses the input answers `payload.rejected(error, info)`: the
    one place a `UserInputError` becomes a payload's `errors`."""

    def decorate(mutation: Callable[P, R]) -> Callable[P, R]:
        @wraps(mutation)
        def run(*args: P.args, **kwargs: P.kwargs) -> R:
            try:
                return mutation(*args, **kwargs)
            except UserInputError as error:
                rejected: R = payload.rejected(error, kwargs.get("info"))
                return rejected

        return run

    return decorate


def query_error(function: Callable[P, R]) -> Callable[P, R]:
    """A query resolver whose arguments a domain refuses raises the GraphQL error for it."""

    @wraps(function)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return function(*args, **kwargs)
        except UserInputError as error:
            raise graphql_error(error) from None

    return run
