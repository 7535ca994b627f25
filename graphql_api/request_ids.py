"""Request ids: every response carries one (X-Request-ID), and the server's own failures are
answered with it alone, never with their details.

A client reporting "internal error (request id 3f2a…)" points at the one log record
that has the stack trace. A failure no one else caught answers HTTP 500 with that
generic message; inside GraphQL, a field's unexpected error is masked the same way
(see `masked_error`) and the rest of the response still answers.
"""

from __future__ import annotations

import logging
import secrets
from typing import Any

from starlette.datastructures import MutableHeaders
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

log = logging.getLogger(__name__)

HEADER = "X-Request-ID"
INTERNAL = "INTERNAL_SERVER_ERROR"


def new_request_id() -> str:
    return secrets.token_hex(8)


def request_id_of(scope: Scope) -> str:
    """The id `RequestIds` gave this request (a new one outside it, e.g. in a unit test)."""
    state = scope.setdefault("state", {})
    if "request_id" not in state:
        state["request_id"] = new_request_id()
    request_id: str = state["request_id"]
    return request_id


def masked_error(request_id: str, **located: Any) -> dict[str, Any]:
    """What a client is told of an unexpected failure: nothing but the request id."""
    return {
        "message": f"internal error (request id {request_id})",
        **located,
        "extensions": {"code": INTERNAL, "requestId": request_id},
    }


class RequestIds:
    """Give each HTTP request an id, send it back as X-Request-ID, and turn an exception that
    escaped the application into a logged, masked HTTP 500."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = new_request_id()
        scope.setdefault("state", {})["request_id"] = request_id
        started = False

        async def send_with_id(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                MutableHeaders(scope=message)[HEADER] = request_id
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        except Exception:
            log.exception("request %s: unhandled error", request_id)
            if started:  # too late for another answer: the server closes the connection
                raise
            response = JSONResponse(
                {"data": None, "errors": [masked_error(request_id)]},
                status_code=500,
                headers={HEADER: request_id},
            )
            await response(scope, receive, send)
