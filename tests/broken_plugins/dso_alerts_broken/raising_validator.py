"""`raisingValidator`: its parse raises on every input (a bug in the plugin)."""

from typing import Any

from sqlalchemy import literal

from graphql_api.criteria import Criterion, Scope
from graphql_api.criterion_kinds import YES_NO
from graphql_api.hookspecs import hookimpl


class FragileYesNo:
    id = YES_NO.id
    name = "yes/no"
    input_type = YES_NO.input_type
    to_json = YES_NO.to_json
    predicate = YES_NO.predicate
    example = YES_NO.example

    def parse(self, raw: Any, field: str) -> bool:
        raise ZeroDivisionError("the plugin divided by zero while checking its input")


@hookimpl
def register_criteria() -> list[Criterion]:
    return [
        Criterion(
            "raisingValidator", "Raising validator", "Its parse always raises.",
            Scope.CUSTOMER, FragileYesNo(), value=lambda ledger: literal(True),
        )
    ]  # fmt: skip
