"""PostgreSQL connections checked before use without a round trip when they are idle.

SQLAlchemy's `pool_pre_ping` sends a statement each time a connection leaves the pool: a
round trip of every request (a bell page made 8). A connection the server closed, or spoke
on while it sat idle in the pool (PostgreSQL says why before it closes one: a restart, an
administrator, an idle timeout), has something to read on its socket: only such a connection
is pinged as `pool_pre_ping` would, and one that fails the ping is replaced, as
`pool_pre_ping` does (DisconnectionError: the pool connects again). A silent one is used as
it is.
"""

from __future__ import annotations

import select
from typing import Any

from sqlalchemy import Engine, event
from sqlalchemy.exc import DisconnectionError


def ping_when_spoken_to(engine: Engine) -> None:
    """Check the connections of `engine` (psycopg) as they leave its pool."""
    dialect = engine.dialect

    @event.listens_for(engine, "checkout")
    def _on_checkout(dbapi_connection: Any, _record: Any, _proxy: Any) -> None:
        if dbapi_connection.closed or dbapi_connection.broken:
            raise DisconnectionError("the connection is closed")
        if not _has_input(dbapi_connection.fileno()):
            return
        try:
            dialect.do_ping(dbapi_connection)
        except dialect.loaded_dbapi.Error as error:
            if dialect.is_disconnect(error, dbapi_connection, None):
                raise DisconnectionError(str(error)) from error
            raise


def _has_input(fd: int) -> bool:
    """Whether the socket has something to read (or is closed): nothing waits on an idle one."""
    poller = select.poll()
    poller.register(fd, select.POLLIN | select.POLLPRI | select.POLLERR | select.POLLHUP)
    return bool(poller.poll(0))
