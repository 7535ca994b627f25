"""`alwaysTrue`: a healthy plugin installed beside the broken ones."""

from sqlalchemy import literal

from graphql_api.criteria import Criterion, Scope
from graphql_api.criterion_kinds import YES_NO
from graphql_api.hookspecs import hookimpl


@hookimpl
def register_criteria() -> list[Criterion]:
    return [
        Criterion(
            "alwaysTrue", "Always true", "Every customer.",
            Scope.CUSTOMER, YES_NO, value=lambda ledger: literal(True),
        )
    ]  # fmt: skip
