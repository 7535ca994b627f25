"""Bearer-token authentication (SPEC §4).

Every request needs `Authorization: Bearer <token>` of a user who is not
revoked; anything else gets HTTP 401 with a JSON body and nothing more
(`{"errors": [{"message": …, "extensions": {"code": "UNAUTHENTICATED"}}]}`). Only
the GraphiQL page (a browser's GET /graphql asking for HTML) and its assets
are public, and CORS preflights, which CORSMiddleware answers before this one runs
(see app.py).

Two steps, one rule. The `BearerAuth` middleware turns away every non-public
request without a well-formed token, and leaves the token in
`scope["state"]["token"]`. The GraphQL endpoint, the one protected route,
then looks the token up with the first statement of the request's own
transaction (`RequestContext.signed_in`) before it reads the request: one
connection and one thread per request, and the same 401 for a token no user
has.
"""

from __future__ import annotations

from starlette.datastructures import Headers
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from graphql_api.error_shape import UNAUTHENTICATED, errors_body
from graphql_api.graphql_over_http import HTML, JSON_TYPES, qualities
from graphql_api.web_app import is_app_path

GRAPHQL_PATH = "/graphql"
ASSETS_PATH = "/graphiql"
MAX_TOKEN = 256


def prefers_html(accept: str) -> bool:
    """Whether an Accept header asks for HTML rather than JSON (a browser opening the URL)."""
    accepted = qualities(accept)
    html = accepted.get(HTML, 0.0)
    return html > 0 and html >= max(accepted.get(media, 0.0) for media in JSON_TYPES)


def is_graphiql_page(scope: Scope) -> bool:
    """A browser's GET /graphql asking for the GraphiQL page (no query in the URL)."""
    if scope.get("method") not in ("GET", "HEAD") or scope.get("path") != GRAPHQL_PATH:
        return False
    if b"query=" in scope.get("query_string", b""):
        return False
    return prefers_html(Headers(scope=scope).get("accept", ""))


def is_public(scope: Scope) -> bool:
    """The GraphiQL page and its assets; the web app's page, assets and deep links."""
    if is_graphiql_page(scope) or is_app_path(scope):
        return True
    path = scope.get("path", "")
    return scope.get("method") in ("GET", "HEAD") and path.startswith(ASSETS_PATH + "/")


def bearer_token(headers: Headers) -> tuple[str | None, str]:
    """The token, or None and why the request is refused."""
    values = headers.getlist("authorization")
    if not values:
        return None, "authentication required: send the header 'Authorization: Bearer <token>'"
    scheme, _, token = values[0].strip().partition(" ")
    token = token.strip()
    if len(values) > 1 or scheme.lower() != "bearer":
        return None, "malformed Authorization header: expected 'Bearer <token>'"
    if not token:
        return None, "missing token: send the header 'Authorization: Bearer <token>'"
    if len(token) > MAX_TOKEN or not token.isascii() or not token.isprintable() or " " in token:
        return None, "malformed token in the Authorization header"
    return token, ""


def unauthorized(message: str = "invalid token: unknown or revoked") -> JSONResponse:
    return JSONResponse(
        errors_body(message, UNAUTHENTICATED), status_code=401,
        headers={"WWW-Authenticate": "Bearer"},
    )  # fmt: skip


class BearerAuth:
    """Turn away every request but the GraphiQL page and its assets that has no well-formed
    bearer token; leave the token for the endpoint to check."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or is_public(scope):
            await self.app(scope, receive, send)
            return
        token, problem = bearer_token(Headers(scope=scope))
        if token is None:
            await unauthorized(problem)(scope, receive, send)
            return
        scope.setdefault("state", {})["token"] = token
        await self.app(scope, receive, send)
