"""Reading what is left of a request's body before the answer ends (SPEC §8: a readable 413).

A server that answers early (413, 401, 415) without reading the body, then closes the
connection, leaves unread bytes in its socket: the kernel resets the connection, and a
client that writes its whole body before it reads (most do) gets "connection reset" and
never the answer. So before the last byte of an answer goes out, what the client is still
sending is read and thrown away — up to a bound, past which the connection is closed as
before — and only then does the answer end.
"""

from __future__ import annotations

import anyio
from starlette.types import ASGIApp, Message, Receive, Scope, Send

DRAIN_BYTES = 64 * 1024 * 1024
DRAIN_SECONDS = 30.0


class DrainUnreadBody:
    def __init__(
        self, app: ASGIApp, max_bytes: int = DRAIN_BYTES, max_seconds: float = DRAIN_SECONDS
    ) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.max_seconds = max_seconds

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        finished = False  # the client has sent its whole body, or is gone

        async def tracked_receive() -> Message:
            nonlocal finished
            message = await receive()
            if message["type"] == "http.disconnect" or not message.get("more_body", False):
                finished = True
            return message

        async def draining_send(message: Message) -> None:
            nonlocal finished
            if finished or message["type"] != "http.response.body" or message.get("more_body"):
                await send(message)
                return
            # The answer's last part: send its bytes, read the rest of the body, then end it.
            if message.get("body"):
                await send({**message, "more_body": True})
            finished = await self._drain(receive)
            await send({"type": "http.response.body", "body": b"", "more_body": False})

        await self.app(scope, tracked_receive, draining_send)

    async def _drain(self, receive: Receive) -> bool:
        """Read and drop the rest of the body; whether all of it came within the bounds."""
        read = 0
        with anyio.move_on_after(self.max_seconds):
            while read <= self.max_bytes:
                message = await receive()
                if message["type"] == "http.disconnect" or not message.get("more_body", False):
                    return True
                read += len(message.get("body", b""))
        return False
