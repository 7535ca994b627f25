"""`raisingPredicate`: parses its input, then raises when asked for its SQL;
`notSqlPredicate`: returns a string where a SQL condition is expected."""

from typing import Any

from graphql_api.criteria import Criterion, Ledger, Scope
from graphql_api.criterion_kinds import YES_NO
from graphql_api.hookspecs import hookimpl


def predicate(answer: bool, ledger: Ledger) -> Any:
    raise KeyError("no column 'segment' in this ledger")


def not_sql(answer: bool, ledger: Ledger) -> Any:
    return "1 = 1; DROP TABLE customers"


@hookimpl
def register_criteria() -> list[Criterion]:
    return [
        Criterion(
            "raisingPredicate", "Raising predicate", "Its predicate always raises.",
            Scope.CUSTOMER, YES_NO, predicate_fn=predicate,
        ),
        Criterion(
            "notSqlPredicate", "Not SQL", "Its predicate returns a string.",
            Scope.CUSTOMER, YES_NO, predicate_fn=not_sql,
        ),
    ]  # fmt: skip
