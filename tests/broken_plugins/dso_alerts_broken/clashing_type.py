"""`clashingType`: its GraphQL input type is named AmountRange, like a built-in type."""

from typing import Any

import strawberry
from sqlalchemy import literal

from graphql_api.criteria import Criterion, KindId, Scope
from graphql_api.criterion_kinds import YES_NO
from graphql_api.hookspecs import hookimpl


@strawberry.input(name="AmountRange", description="Not the built-in AmountRange.")
class OtherAmountRange:
    low: int | None = None


class ClashingKind:
    id = KindId.CUSTOM
    name = "clashing"
    input_type = OtherAmountRange
    predicate = YES_NO.predicate
    example = staticmethod(lambda values: {"low": 1})

    def parse(self, raw: Any, field: str) -> bool:
        return True

    def to_json(self, parsed: bool) -> bool:
        return parsed


@hookimpl
def register_criteria() -> list[Criterion]:
    return [
        Criterion(
            "clashingType", "Clashing type", "Its input type's name is taken.",
            Scope.CUSTOMER, ClashingKind(), value=lambda ledger: literal(True),
        )
    ]  # fmt: skip
