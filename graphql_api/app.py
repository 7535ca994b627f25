"""The HTTP application: GraphQL and the GraphiQL page at /graphql, GraphiQL's files at
/graphiql, the web app at / (web_app.py).

A request runs synchronously (the database driver is synchronous), in a worker thread
when it may wait for a lock or the network (request_threads.py), in one request context:
its read transaction signs the token in (auth.py) and is closed when the response is
ready. GET runs queries only; batching is off.
Every response carries an X-Request-ID; the server's own failures are answered with
that id alone (see request_ids.py), and the limits of query_limits.py apply. Every error
has one shape (error_shape.py); the answer's media type and status follow GraphQL over
HTTP (graphql_over_http.py); a query may be sent by its hash (persisted_queries.py); while
the database cannot be reached, requests get 503 (database_faults.py).

Middleware, outermost first: CORS, so that every answer to an allowed origin carries
its headers, a preflight is answered before authentication, and the 500 of an escaped
exception (RequestIds') is readable from the page; DrainUnreadBody, so that an early
answer reaches a client still sending its body; RequestIds; gzip for answers over 1 KB;
then BearerAuth in front of the routes.
"""

from __future__ import annotations

import contextlib
import gc
import json
import logging
from collections.abc import AsyncIterator
from typing import Any

from graphql import GraphQLError
from isal import isal_zlib
from sqlalchemy import Engine
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import Headers
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.middleware.gzip import GZipMiddleware, GZipResponder
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Mount, Route
from starlette.types import Receive, Scope, Send
from strawberry.schema.exceptions import InvalidOperationTypeError
from strawberry.types.graphql import OperationType

from graphql_api import compact_json
from graphql_api.alert_cache import AlertCache
from graphql_api.auth import ASSETS_PATH, GRAPHQL_PATH, BearerAuth, is_graphiql_page, unauthorized
from graphql_api.database import create_db_engine
from graphql_api.database_faults import RETRY_AFTER_SECONDS, is_unreachable
from graphql_api.error_shape import (
    BAD_REQUEST,
    PERSISTED_QUERY_NOT_FOUND,
    SERVICE_UNAVAILABLE,
    ErrorShape,
    errors_body,
)
from graphql_api.graphiql import graphiql_assets, graphiql_page
from graphql_api.graphql.schema import Schema, is_unexpected, served_schema
from graphql_api.graphql_over_http import (
    GRAPHQL_RESPONSE,
    JSON_TYPES,
    request_error_status,
    response_media_type,
)
from graphql_api.persisted_queries import PersistedQueries, Refusal
from graphql_api.plugins import CriteriaRegistry, load_registry
from graphql_api.query_limits import QueryLimits, bounded_body
from graphql_api.request_context import RequestContext
from graphql_api.request_ids import HEADER, RequestIds, masked_error, request_id_of
from graphql_api.request_threads import runs_on_loop
from graphql_api.settings import Settings
from graphql_api.unread_body import DrainUnreadBody
from graphql_api.web_app import web_routes

log = logging.getLogger(__name__)

GZIP_MIN_BYTES = 1024
# ISA-L's level 1 (of 0-3): a 147 KB bell page in 0.05 ms (8.8 KB), where zlib's fastest
# level took 0.2-0.28 ms for 9.2 KB, its default level 6 0.6 ms for 7.0 KB (isal_gzip below).
GZIP_LEVEL = 1
# Below this, an answer is compressed on the event loop rather than in a worker thread
# (starlette's default: 128 KB): at ISA-L's ~3 GB/s a 2 MB answer takes ~0.7 ms, about what
# the trip to a thread and back costs a bell page of 150-300 KB.
GZIP_THREAD_MIN_BYTES = 2 * 1024 * 1024
UNAVAILABLE = "the database cannot be reached; try again in a few seconds"
# The cyclic garbage collector's first threshold while serving (Python's default: 700). With
# the defaults, a bell page cost ~1 ms of collections on average, mostly full collections
# walking everything loaded at start; frozen (see `_serving`) and at this threshold, ~0.35 ms.
GC_THRESHOLD = 20_000

# What a request asks for, once checked: query, variables, operation name, allowed operations.
Checked = tuple[str, dict[str, Any] | None, str | None, set[OperationType]]


class GraphQLEndpoint:
    """POST (JSON) or GET (query string) GraphQL requests, and the GraphiQL page."""

    def __init__(
        self,
        schema: Schema,
        engine: Engine,
        registry: CriteriaRegistry,
        limits: QueryLimits | None = None,
    ) -> None:
        self.schema = schema
        self.engine = engine
        self.registry = registry
        limits = limits or QueryLimits.from_environment()
        self.max_body, self.max_tokens = limits.max_body_bytes, limits.max_tokens
        self.alerts = AlertCache(registry)
        self.persisted = PersistedQueries()
        self.page = graphiql_page(GRAPHQL_PATH, ASSETS_PATH)

    async def handle(self, request: Request) -> Response:
        if is_graphiql_page(request.scope):
            return HTMLResponse(self.page)
        media = response_media_type(request.headers.get("accept", ""))
        params: Any = _NOT_JSON  # a POST's decoded body
        if request.method == "POST" and _content_type(request) in JSON_TYPES:
            body = await bounded_body(request, self.max_body)
            if body is None:
                message = f"the request body is larger than {self.max_body} bytes"
                return _problem(413, message, media)
            params = _json(body)
        if runs_on_loop(self.engine.dialect.name, request.method, params, self.max_tokens):
            return self.respond(request, params, media)
        return await run_in_threadpool(self.respond, request, params, media)

    def respond(self, request: Request, params: Any, media: str) -> Response:
        """Sign in with the request's token (see auth.py), then check the request and run it;
        503 while the database cannot be reached."""
        request_id = request_id_of(request.scope)
        try:
            context = RequestContext.signed_in(
                self.engine, self.registry, request.scope["state"]["token"],
                cache=self.alerts, request_id=request_id,
            )  # fmt: skip
            if context is None:
                return unauthorized()
            with context:
                checked = self._checked(request, params, context, media)
                if isinstance(checked, Response):
                    return checked
                return self.execute(context, *checked, media=media)
        except Exception as error:
            if not is_unreachable(error):
                raise
            return _unavailable(request_id, error, media)

    def _checked(
        self, request: Request, params: Any, context: RequestContext, media: str
    ) -> Response | Checked:
        """The query, variables, operation name and allowed operations; or the error response."""
        if request.method == "GET":
            if len(request.scope.get("query_string", b"")) > self.max_body:
                message = f"the query string is larger than {self.max_body} bytes"
                return _problem(414, message, media)
            params: Any = dict(request.query_params)
            for name in ("variables", "extensions"):
                if name in params:
                    params[name] = _json(params[name])
            allowed = {OperationType.QUERY}
        else:
            if params is _NOT_JSON:
                message = "send the request as JSON (Content-Type: application/json)"
                return _problem(415, message, media)
            if params is _INVALID:
                return _problem(400, "the request body is not valid JSON", media)
            allowed = {OperationType.QUERY, OperationType.MUTATION}
        if not isinstance(params, dict):
            message = "the request must be a JSON object (batching is not supported)"
            return _problem(400, message, media)
        variables, operation = params.get("variables"), params.get("operationName")
        extensions = params.get("extensions")
        if extensions is not None and not isinstance(extensions, dict):
            return _problem(400, "extensions must be a JSON object", media)
        query = self.persisted.resolve(context.user.id, params.get("query"), extensions)
        if isinstance(query, Refusal):
            if query.not_found:
                status = request_error_status(media)
                return _problem(status, query.message, media, code=PERSISTED_QUERY_NOT_FOUND)
            return _problem(400, query.message, media)
        if not isinstance(query, str) or not query.strip():
            return _problem(400, "the request has no GraphQL query", media)
        if variables is not None and not isinstance(variables, dict):
            return _problem(400, "variables must be a JSON object", media)
        if operation is not None and not isinstance(operation, str):
            return _problem(400, "operationName must be a string", media)
        return query, variables, operation, allowed

    def execute(
        self,
        context: RequestContext,
        query: str,
        variables: dict[str, Any] | None,
        operation: str | None,
        allowed: set[OperationType],
        *,
        media: str,
    ) -> Response:
        try:
            result = self.schema.execute_sync(query, variables, context, None, operation, allowed)
        except InvalidOperationTypeError:
            return _problem(405, "mutations must be sent with POST", media, {"Allow": "POST"})
        errors = result.errors or []
        unreachable = next((e for e in errors if is_unexpected(e) and is_unreachable(e)), None)
        if unreachable is not None:
            return _unavailable(context.request_id, unreachable, media)
        shape = ErrorShape(self.schema.graphql_schema, query, variables)
        payload: dict[str, Any] = {"data": result.data}
        status = 200
        if result.data is None and errors and all(e.path is None for e in errors):
            status = request_error_status(media)  # the request could not run
            if media == GRAPHQL_RESPONSE:
                del payload["data"]
        if errors:
            payload["errors"] = [_formatted(e, context.request_id, shape) for e in errors]
        return Response(compact_json.dumps(payload), status_code=status, media_type=media)


def create_app(
    engine: Engine, registry: CriteriaRegistry, limits: QueryLimits | None = None
) -> Starlette:
    """The application served by `dso-alerts serve`; `limits` default to the environment's."""
    limits = limits or QueryLimits.from_environment()
    schema, served = served_schema(registry, limits)
    endpoint = GraphQLEndpoint(schema, engine, served, limits)
    gzip = Middleware(
        IsalGZip, minimum_size=GZIP_MIN_BYTES, compresslevel=GZIP_LEVEL,
        thread_minimum_size=GZIP_THREAD_MIN_BYTES,
    )  # fmt: skip

    return Starlette(
        lifespan=_serving,
        routes=[
            Route(GRAPHQL_PATH, endpoint.handle, methods=["GET", "POST"]),
            Mount(ASSETS_PATH, app=graphiql_assets()),
            *web_routes(),  # the web app at / (web_app.py)
        ],
        middleware=[
            _cors(Settings().allowed_origins()),
            Middleware(DrainUnreadBody),
            Middleware(RequestIds),
            gzip,
            Middleware(BearerAuth),
        ],
    )


@contextlib.asynccontextmanager
async def _serving(app: Starlette) -> AsyncIterator[None]:
    """Once the application is built and before it answers: what was loaded so far (modules,
    the schema, the tables) is frozen out of the garbage collector's reach, which full
    collections walked for ~50 ms each, and the collector runs less often (GC_THRESHOLD)."""
    gc.collect()
    gc.freeze()
    _, *older = gc.get_threshold()
    gc.set_threshold(GC_THRESHOLD, *older)
    yield


def app_from_environment() -> Starlette:
    """The application of one `dso-alerts serve` worker: the database and plugins the
    environment names. The command migrated the database and applied the day before."""
    engine = create_db_engine(Settings().resolved_database_url())
    return create_app(engine, load_registry())


class IsalGZip(GZipMiddleware):
    """starlette's gzip middleware, its rules unchanged (sizes, types, Vary, streaming),
    compressing with ISA-L (isal): the same gzip format, about five times faster than zlib's
    fastest level on a bell page, and a little smaller."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or "gzip" not in Headers(scope=scope).get("accept-encoding", ""):
            await super().__call__(scope, receive, send)
            return
        responder = _IsalResponder(
            self.app, self.minimum_size, compresslevel=self.compresslevel,
            thread_minimum_size=self.thread_minimum_size,
            exclude_content_types=self.exclude_content_types,
        )  # fmt: skip
        await responder(scope, receive, send)


class _IsalResponder(GZipResponder):
    @property
    def compressor(self) -> Any:
        if self._compressor is None:
            self._compressor = isal_zlib.compressobj(
                self.compresslevel, isal_zlib.DEFLATED, 16 + isal_zlib.MAX_WBITS
            )
        return self._compressor


def _cors(origins: list[str]) -> Middleware:
    """CORS for the pages of `origins` (DSO_ALERTS_CORS_ORIGINS): they may send a token and
    JSON, and read the request id."""
    return Middleware(
        CORSMiddleware,
        allow_origins=origins,
        allow_methods=["GET", "POST"],
        allow_headers=["authorization", "content-type"],
        expose_headers=[HEADER],
    )


def _formatted(error: GraphQLError, request_id: str, shape: ErrorShape) -> dict[str, Any]:
    """A GraphQL error for the client, in the one error shape; the server's own failures are
    not described (the schema logged them under the same request id)."""
    formatted: dict[str, Any] = dict(error.formatted)
    if is_unexpected(error):
        located = {k: formatted[k] for k in ("locations", "path") if k in formatted}
        return masked_error(request_id, **located)
    return shape.complete(error, formatted)


def _unavailable(request_id: str, error: BaseException, media: str) -> Response:
    log.warning("request %s: the database cannot be reached: %s", request_id,
                " ".join(str(error).split())[:300])  # fmt: skip
    return _problem(503, UNAVAILABLE, media, {"Retry-After": str(RETRY_AFTER_SECONDS)},
                    code=SERVICE_UNAVAILABLE)  # fmt: skip


def _content_type(request: Request) -> str:
    return request.headers.get("content-type", "").split(";")[0].strip().lower()


def _json(raw: str | bytes) -> Any:
    try:
        return json.loads(raw)
    except (ValueError, UnicodeDecodeError, RecursionError):  # RecursionError: nested too deep
        return _INVALID


_INVALID = object()
_NOT_JSON = object()  # a POST body not sent as JSON: not read


def _problem(
    status: int,
    message: str,
    media: str,
    headers: dict[str, str] | None = None,
    code: str = BAD_REQUEST,
) -> Response:
    """An answer given before (or instead of) running GraphQL, in the one error shape."""
    body = compact_json.dumps(errors_body(message, code))
    return Response(body, status_code=status, headers=headers, media_type=media)
