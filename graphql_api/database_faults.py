"""A database that cannot be reached, or whose schema is newer than this version (SPEC §8).

Both are told apart from every other failure so that they are answered plainly: a
request gets HTTP 503 with Retry-After (the pool reconnects by itself once the database
is back: PostgreSQL engines check a connection before lending it, pool_ping.py), and a
command one line and a non-zero exit. Anything else stays a failure of the server, logged
with its trace.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator

import psycopg
from alembic.script.revision import ResolutionError
from alembic.util.exc import CommandError
from graphql import GraphQLError
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError

RETRY_AFTER_SECONDS = 5

# PostgreSQL's SQLSTATEs for a server that is gone, starting, stopping or full; a connection
# that failed before the server said anything has none.
_UNREACHABLE_STATES = ("08", "57P01", "57P02", "57P03", "53300")
# SQLite's primary result codes for a file that cannot be opened or read, or stays locked.
_UNREACHABLE_SQLITE = {sqlite3.SQLITE_CANTOPEN, sqlite3.SQLITE_IOERR, sqlite3.SQLITE_BUSY,
                       sqlite3.SQLITE_NOTADB, sqlite3.SQLITE_PERM}  # fmt: skip


class DatabaseFault(Exception):
    """The database cannot be used by this version: the message says why, in one line."""


def is_unreachable(error: BaseException) -> bool:
    """Whether `error` (or what caused it) is the database being out of reach."""
    for cause in _causes(error):
        if isinstance(cause, DBAPIError) and cause.connection_invalidated:
            return True
        if isinstance(cause, psycopg.OperationalError):
            state = cause.sqlstate
            return state is None or state.startswith(_UNREACHABLE_STATES)
        if isinstance(cause, psycopg.InterfaceError):  # e.g. "the connection is closed"
            return True
        if isinstance(cause, sqlite3.OperationalError | sqlite3.DatabaseError):
            code = getattr(cause, "sqlite_errorcode", None)
            return code is not None and code & 0xFF in _UNREACHABLE_SQLITE
    return False


def unknown_revision(error: BaseException) -> str | None:
    """The schema revision Alembic found in the database and does not know (a newer version
    migrated it), if that is what `error` is."""
    if isinstance(error, CommandError) and isinstance(error.__cause__, ResolutionError):
        return str(error.__cause__.argument)
    return None


def fault(error: BaseException, url: str) -> DatabaseFault | None:
    """What a command says, in one line, when it meets `error` on the database at `url`; None
    for any other failure."""
    shown = safe_url(url)
    revision = unknown_revision(error)
    if revision is not None:
        return DatabaseFault(
            f"the database {shown} has schema revision {revision!r}, which this version of "
            "dso-alerts does not know: a newer version migrated it; use that version "
            "(nothing was changed)"
        )
    if isinstance(error, ArgumentError):
        return DatabaseFault(f"DSO_ALERTS_DATABASE_URL is not a database URL: {_line(error)}")
    if is_unreachable(error):
        reason = _line(getattr(error, "orig", None) or error)
        return DatabaseFault(f"cannot reach the database {shown}: {reason}")
    return None


def safe_url(url: str) -> str:
    """The URL without its password."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except (ArgumentError, ValueError):
        return "(unreadable URL)"


def _line(error: BaseException) -> str:
    """The first line of an error's message (a driver's next lines are hints)."""
    lines = str(error).strip().splitlines()
    return " ".join(lines[0].split())[:300] if lines else type(error).__name__


def _causes(error: BaseException) -> Iterator[BaseException]:
    """`error`, the driver's error it wraps, and what caused them, each once."""
    seen: set[int] = set()
    pending: list[BaseException | None] = [error]
    while pending:
        current = pending.pop(0)
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        pending.append(getattr(current, "orig", None))
        if isinstance(current, GraphQLError):
            pending.append(current.original_error)
        pending.extend((current.__cause__, current.__context__))
