"""The served schema, assembled at start-up from each domain's queries and mutations and
the registry's criteria (SPEC §5)."""

from __future__ import annotations

import logging
import types
from decimal import Decimal

import strawberry
from strawberry.extensions import ParserCache, ValidationCache
from strawberry.types import ExecutionContext

from graphql import GraphQLError, GraphQLSchema
from graphql_api.database_faults import is_unreachable
from graphql_api.fast_execution import FastExecutionContext
from graphql_api.graphql.alerts import AlertQueries, alert_input_type, alert_mutations
from graphql_api.graphql.changes import ChangeQueries, MarkMutations
from graphql_api.graphql.criteria import CriteriaQueries, criteria_input_type
from graphql_api.graphql.customers import customer_queries_type
from graphql_api.graphql.nodes import NodeQueries
from graphql_api.graphql.reminders import ReminderMutations
from graphql_api.graphql.scalars import MONEY
from graphql_api.graphql.users import UserQueries
from graphql_api.plugins import CriteriaRegistry, PluginFailure
from graphql_api.query_limits import QueryLimits

log = logging.getLogger(__name__)


class Schema(strawberry.Schema):
    """Logs only the errors that are the server's fault (not a client's bad query), with the
    request id the client is shown, and the stack trace."""

    @property
    def graphql_schema(self) -> GraphQLSchema:
        """graphql-core's schema, which error_shape.py checks arguments against. strawberry
        keeps it as `_schema` with no public accessor (graphql-core 3.3, strawberry 0.341,
        pinned): this is the one place that reads it."""
        return self._schema

    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        context = execution_context.context if execution_context is not None else None
        request_id = getattr(context, "request_id", None)
        for error in errors:
            # A lost database is answered 503 by the endpoint: not a fault of ours to log.
            if is_unexpected(error) and not is_unreachable(error.original_error):
                path = ".".join(str(p) for p in error.path or ())
                log.error(
                    "request %s: unexpected error at %s: %s", request_id, path or "-",
                    error.message, exc_info=error.original_error,
                )  # fmt: skip


def is_unexpected(error: GraphQLError) -> bool:
    return error.original_error is not None and not isinstance(error.original_error, GraphQLError)


def build_schema(
    registry: CriteriaRegistry, limits: QueryLimits | None = None
) -> Schema:
    """The schema served with these criteria (see `served_schema`)."""
    return served_schema(registry, limits)[0]


def served_schema(
    registry: CriteriaRegistry, limits: QueryLimits | None = None
) -> tuple[Schema, CriteriaRegistry]:
    """The schema, and the registry it serves: `registry` itself, unless some criterion's
    GraphQL input type cannot be part of the schema (e.g. its name is already another
    type's). Such a criterion is left out, as if its plugin had failed to load: the schema
    still builds, and the alerts using it report the problem and match nothing."""
    limits = limits or QueryLimits.from_environment()
    try:
        return _schema(registry, limits), registry
    except Exception:  # a plugin's input type; find which, below
        pass
    kept = CriteriaRegistry(plugins=registry.plugins, failures=list(registry.failures))
    owners = registry.owners()
    for key, criterion in registry.criteria.items():
        kept.criteria[key] = criterion
        try:
            _schema(kept, limits)
        except Exception as error:
            del kept.criteria[key]
            message = f"criterion {key!r} left out of the schema: {_first_line(error)}"
            kept.failures.append(PluginFailure(owners.get(key, "?"), message))
            log.warning("plugin %s: %s", owners.get(key, "?"), message)
    return _schema(kept, limits), kept


def _schema(registry: CriteriaRegistry, limits: QueryLimits) -> Schema:
    criteria_input = criteria_input_type(registry)
    query = _combined(
        "Query", "Reading the ledger and the alerts; every request needs a token.",
        UserQueries, CriteriaQueries, AlertQueries, customer_queries_type(criteria_input),
        ChangeQueries, NodeQueries,
    )  # fmt: skip
    mutation = _combined(
        "Mutation",
        "Changing alerts and logging reminders; a rejected change changes nothing.",
        alert_mutations(alert_input_type(criteria_input)), MarkMutations, ReminderMutations,
    )
    return Schema(
        query=query,
        mutation=mutation,
        extensions=[*limits.extensions(), lambda: ParserCache(maxsize=256),
                    lambda: ValidationCache(maxsize=256)],
        execution_context_class=FastExecutionContext.for_settings(),
        scalar_overrides={Decimal: MONEY},
    )  # fmt: skip


def _combined(name: str, description: str, *parts: type) -> type:
    """One root type with the fields of each domain's part, in order."""
    cls = types.new_class(name, parts)
    return strawberry.type(cls, description=description)


def _first_line(error: Exception) -> str:
    text = str(error).strip().splitlines()
    return text[0] if text else type(error).__name__
