"""The two questions a criterion's test asks, answered the way the API answers them:
which accounts do these criteria match, and is this input refused — with which errors."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from sqlalchemy import Engine

from graphql_api.criteria import criteria_json, load_criteria, parse_criteria
from graphql_api.customer_queries import customer_page
from graphql_api.errors import UserInputError
from graphql_api.evaluation import compile_criteria, ledger_for, match_counts
from graphql_api.plugins import CriteriaRegistry

MAX_ACCOUNTS = 10_000


class CriteriaProbe:
    """Criteria of `registry` asked about the ledger in `engine`, on the day `today`."""

    def __init__(self, engine: Engine, registry: CriteriaRegistry, today: date) -> None:
        self.engine = engine
        self.registry = registry
        self.today = today

    def matching(self, criteria: Mapping[str, Any]) -> list[str]:
        """The account numbers the criteria match, sorted, as an alert with them matches:
        the input parsed, stored and loaded back, compiled, and asked both as a search (a page
        of customers) and as a count from scratch, which must agree. A refused input
        raises its `UserInputError`; an alert that could not be evaluated, AssertionError."""
        stored = criteria_json(parse_criteria(self.registry, criteria))
        compiled = compile_criteria(load_criteria(self.registry, stored), ledger_for(self.today))
        assert compiled.problems == (), f"the alert cannot be evaluated: {compiled.problems}"
        with self.engine.connect() as conn:
            rows, _ = customer_page(conn, [compiled.condition], None, MAX_ACCOUNTS)
            counted = match_counts(conn, {0: compiled.condition})[0]
        accounts = sorted(row.account_number for row in rows)
        assert counted == len(accounts), f"matchCount says {counted}, the page {accounts}"
        return accounts

    def refused(self, criteria: Mapping[str, Any]) -> dict[str, str]:
        """The errors an input is refused with, field → message (`criteria.<key>.min`: …), as
        createAlert answers them. AssertionError when it is accepted."""
        try:
            parse_criteria(self.registry, criteria)
        except UserInputError as error:
            return {str(problem.field): problem.message for problem in error.problems}
        raise AssertionError(f"the input was accepted: {dict(criteria)!r}")

    def stored(self, criteria: Mapping[str, Any]) -> dict[str, Any]:
        """The JSON an alert stores for the criteria; it must parse back to itself."""
        stored = criteria_json(parse_criteria(self.registry, criteria))
        again = criteria_json(parse_criteria(self.registry, stored))
        assert again == stored, f"stored {stored!r} reads back as {again!r}"
        return stored
