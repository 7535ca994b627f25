"""The HTTP application: GraphQL and the GraphiQL page at /graphql, GraphiQL's files at /graphiql.

A request runs synchronously in a worker thread (the database driver is
synchronous), in one request context: its read transaction signs the token
in (auth.py) and is closed when the response is ready. GET runs queries
only; batching is off.
Every response carries an X-Request-ID; the server's own failures are answered with
that id alone (see request_ids.py), and the limits of query_limits.py apply.
"""

from __future__ import annotations

import json
from typing import Any

import orjson
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

from graphql_api.alert_cache import AlertCache
from graphql_api.auth import (
    ASSETS_PATH,
    GRAPHQL_PATH,
    JSON_TYPES,
    BearerAuth,
    is_graphiql_page,
    unauthorized,
)
from graphql_api.graphiql import graphiql_assets, graphiql_page
from graphql_api.graphql.schema import is_unexpected, served_schema
from graphql_api.plugins import CriteriaRegistry
from graphql_api.query_limits import QueryLimits, bounded_body
from graphql_api.request_context import RequestContext
from graphql_api.request_ids import RequestIds, masked_error, request_id_of


class GraphQLEndpoint:
    """POST (JSON) or GET (query string) GraphQL requests, and the GraphiQL page."""

    def __init__(
        self,
        schema: strawberry.Schema,
        engine: Engine,
        registry: CriteriaRegistry,
        limits: QueryLimits | None = None,
    ) -> None:
        self.schema = schema
        self.engine = engine
        self.registry = registry
        self.max_body = (limits or QueryLimits.from_environment()).max_body_bytes
        self.alerts = AlertCache(registry)
        self.page = graphiql_page(GRAPHQL_PATH, ASSETS_PATH)

    async def handle(self, request: Request) -> Response:
        if is_graphiql_page(request.scope):
            return HTMLResponse(self.page)
        body = None
        if request.method == "POST" and _content_type(request) in JSON_TYPES:
            body = await bounded_body(request, self.max_body)
            if body is None:
                return _problem(413, f"the request body is larger than {self.max_body} bytes")
        return await run_in_threadpool(self.respond, request, body)

    def respond(self, request: Request, body: bytes | None) -> Response:
        """Sign in with the request's token (see auth.py), then check the request and run it."""
        request_id = request_id_of(request.scope)
        context = RequestContext.signed_in(
            self.engine, self.registry, request.scope["state"]["token"],
            cache=self.alerts, request_id=request_id,
        )  # fmt: skip
        if context is None:
            return unauthorized()
        with context:
            checked = self._checked(request, body)
            if isinstance(checked, Response):
                return checked
            return self.execute(context, *checked)

    def _checked(
        self, request: Request, body: bytes | None
    ) -> Response | tuple[str, dict[str, Any] | None, str | None, set[OperationType]]:
        """The query, variables, operation name and allowed operations; or the error response."""
        if request.method == "GET":
            if len(request.scope.get("query_string", b"")) > self.max_body:
                return _problem(414, f"the query string is larger than {self.max_body} bytes")
            params: Any = dict(request.query_params)
            if "variables" in params:
                params["variables"] = _json(params["variables"])
            allowed = {OperationType.QUERY}
        else:
            if body is None:  # not read: not JSON
                return _problem(415, "send the request as JSON (Content-Type: application/json)")
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
        return query, variables, operation, allowed

    def execute(
        self,
        context: RequestContext,
        query: str,
        variables: dict[str, Any] | None,
        operation: str | None,
        allowed: set[OperationType],
    ) -> Response:
        try:
            result = self.schema.execute_sync(query, variables, context, None, operation, allowed)
        except InvalidOperationTypeError:
            return _problem(405, "mutations must be sent with POST", {"Allow": "POST"})
        payload: dict[str, Any] = {"data": result.data}
        if result.errors:
            payload["errors"] = [_formatted(e, context.request_id) for e in result.errors]
        return Response(_encoded(payload), media_type="application/json")


def create_app(
    engine: Engine, registry: CriteriaRegistry, limits: QueryLimits | None = None
) -> Starlette:
    """The application served by `dso-alerts serve`; `limits` default to the environment's."""
    limits = limits or QueryLimits.from_environment()
    schema, served = served_schema(registry, limits)
    endpoint = GraphQLEndpoint(schema, engine, served, limits)

    async def home(request: Request) -> Response:
        return RedirectResponse(GRAPHQL_PATH)

    return Starlette(
        routes=[
            Route(GRAPHQL_PATH, endpoint.handle, methods=["GET", "POST"]),
            Route("/", home, methods=["GET"]),
            Mount(ASSETS_PATH, app=graphiql_assets()),
        ],
        middleware=[Middleware(RequestIds), Middleware(BearerAuth)],
    )


def _formatted(error: GraphQLError, request_id: str) -> dict[str, Any]:
    """A GraphQL error for the client; the server's own failures are not described (the schema
    logged them under the same request id)."""
    formatted: dict[str, Any] = dict(error.formatted)
    if is_unexpected(error):
        located = {k: formatted[k] for k in ("locations", "path") if k in formatted}
        return masked_error(request_id, **located)
    return formatted


def _encoded(payload: dict[str, Any]) -> bytes:
    """The response body: orjson writes a 1,500-entry bell page several times faster than the
    standard library, which stays the fallback for what orjson refuses (an integer beyond 64
    bits in a JSON attribute)."""
    try:
        return orjson.dumps(payload)
    except orjson.JSONEncodeError:
        return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()


def _content_type(request: Request) -> str:
    return request.headers.get("content-type", "").split(";")[0].strip().lower()


def _json(raw: str | bytes) -> Any:
    try:
        return json.loads(raw)
    except (ValueError, UnicodeDecodeError, RecursionError):  # RecursionError: nested too deep
        return _INVALID


_INVALID = object()


def _problem(status: int, message: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"errors": [{"message": message}]}, status_code=status, headers=headers)
