"""The HTTP application: GraphQL and the GraphiQL page at /graphql, GraphiQL's files at /graphiql.

GraphQL runs synchronously in a worker thread (the database driver is
synchronous), one request context per request: its read transaction is
closed when the response is ready. GET runs queries only; batching is off.
"""

from __future__ import annotations

import json
from typing import Any

import strawberry
from graphql import GraphQLError
from sqlalchemy import Engine
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from strawberry.schema.exceptions import InvalidOperationTypeError
from strawberry.types.graphql import OperationType

from graphql_api.auth import ASSETS_PATH, GRAPHQL_PATH, BearerAuth, is_graphiql_page
from graphql_api.graphiql import graphiql_assets, graphiql_page
from graphql_api.plugins import CriteriaRegistry
from graphql_api.request_context import CompiledAlerts, RequestContext
from graphql_api.schema import build_schema, is_unexpected
from graphql_api.users import User

MAX_BODY = 1_000_000


class GraphQLEndpoint:
    """POST (JSON) or GET (query string) GraphQL requests, and the GraphiQL page."""

    def __init__(self, schema: strawberry.Schema, engine: Engine, registry: CriteriaRegistry):
        self.schema = schema
        self.engine = engine
        self.registry = registry
        self.compiled = CompiledAlerts(registry)
        self.page = graphiql_page(GRAPHQL_PATH, ASSETS_PATH)

    async def handle(self, request: Request) -> Response:
        if is_graphiql_page(request.scope):
            return HTMLResponse(self.page)
        if request.method == "GET":
            params: Any = dict(request.query_params)
            if "variables" in params:
                params["variables"] = _json(params["variables"])
            allowed = {OperationType.QUERY}
        else:
            content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
            if content_type not in ("application/json", "application/graphql-response+json"):
                return _problem(415, "send the request as JSON (Content-Type: application/json)")
            body = await request.body()
            if len(body) > MAX_BODY:
                return _problem(413, f"the request is larger than {MAX_BODY} bytes")
            params = _json(body)
            if params is _INVALID:
                return _problem(400, "the request body is not valid JSON")
            allowed = {OperationType.QUERY, OperationType.MUTATION}
        if not isinstance(params, dict):
            return _problem(400, "the request must be a JSON object (batching is not supported)")
        query, variables = params.get("query"), params.get("variables")
        operation = params.get("operationName")
        if not isinstance(query, str) or not query.strip():
            return _problem(400, "the request has no GraphQL query")
        if variables is not None and not isinstance(variables, dict):
            return _problem(400, "variables must be a JSON object")
        if operation is not None and not isinstance(operation, str):
            return _problem(400, "operationName must be a string")
        user: User = request.scope["state"]["user"]
        return await run_in_threadpool(self.execute, user, query, variables, operation, allowed)

    def execute(
        self,
        user: User,
        query: str,
        variables: dict[str, Any] | None,
        operation: str | None,
        allowed: set[OperationType],
    ) -> Response:
        with RequestContext(self.engine, self.registry, user, compiled=self.compiled) as context:
            try:
                result = self.schema.execute_sync(
                    query, variables, context, None, operation, allowed
                )
            except InvalidOperationTypeError:
                return _problem(405, "mutations must be sent with POST", {"Allow": "POST"})
        payload: dict[str, Any] = {"data": result.data}
        if result.errors:
            payload["errors"] = [_formatted(error) for error in result.errors]
        # A bell page repeats the same alert objects: no cycles, so no circular check.
        body = json.dumps(
            payload, ensure_ascii=False, allow_nan=False, separators=(",", ":"),
            check_circular=False,
        )  # fmt: skip
        return Response(body.encode(), media_type="application/json")


def create_app(engine: Engine, registry: CriteriaRegistry) -> Starlette:
    """The application served by `dso-alerts serve`."""
    endpoint = GraphQLEndpoint(build_schema(registry), engine, registry)

    async def home(request: Request) -> Response:
        return RedirectResponse(GRAPHQL_PATH)

    return Starlette(
        routes=[
            Route(GRAPHQL_PATH, endpoint.handle, methods=["GET", "POST"]),
            Route("/", home, methods=["GET"]),
            Mount(ASSETS_PATH, app=graphiql_assets()),
        ],
        middleware=[Middleware(BearerAuth, engine=engine)],
    )


def _formatted(error: GraphQLError) -> dict[str, Any]:
    """A GraphQL error for the client; the server's own failures are not described."""
    formatted: dict[str, Any] = dict(error.formatted)
    if is_unexpected(error):
        formatted["message"] = "internal error: the server could not answer this field"
        formatted.pop("extensions", None)
    return formatted


def _json(raw: str | bytes) -> Any:
    try:
        return json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        return _INVALID


_INVALID = object()


def _problem(status: int, message: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"errors": [{"message": message}]}, status_code=status, headers=headers)
