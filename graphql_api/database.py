"""The database's engine and transactions: how a connection is set up on SQLite and
PostgreSQL, a write transaction (serialised), a read transaction (one snapshot), and the
migrations."""

from __future__ import annotations

import contextlib
import functools
import json
import sqlite3
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import Dialect, Engine, create_engine, event, text
from sqlalchemy.engine import Connection
from sqlalchemy.sql.expression import Executable

from graphql_api.pool_ping import ping_when_spoken_to
from graphql_api.sql_functions import register_sqlite_functions


def default_database_url() -> str:
    return f"sqlite:///{Path.cwd() / 'dso-alerts.db'}"


# JSON is stored as UTF-8 text, not \u-escaped: SQLite's JSON_EXTRACT compares the raw key
# text, so an extra attribute named "région" could not be found if stored as "r\u00e9gion".
json_text = functools.partial(json.dumps, ensure_ascii=False)


CONNECT_TIMEOUT = 10  # seconds


# SQLite's page cache per connection, in KiB (see create_db_engine). Measured on the bench
# (10,000 customers, CPU): saving an item alert 130 → 95 ms, a change of day 947 → 812 ms.
WRITE_CACHE_KIB = 32_768
READ_CACHE_KIB = 2_000  # SQLite's default
_WRITE_CACHE = "dso_write_cache"  # in a connection's info: its cache is WRITE_CACHE_KIB


def create_db_engine(url: str) -> Engine:
    """An engine whose transactions behave the same on SQLite and PostgreSQL.

    SQLite runs in WAL mode (readers never block the writer and see one
    snapshot), and write transactions start with BEGIN IMMEDIATE so that two
    writers queue instead of failing halfway through.
    """
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 60}, json_serializer=json_text)

        @event.listens_for(engine, "connect")
        def _on_connect(dbapi_connection: Any, _record: Any) -> None:
            dbapi_connection.isolation_level = None  # we emit BEGIN ourselves
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.close()
            register_sqlite_functions(dbapi_connection)  # dso_fold, as PostgreSQL has it

        @event.listens_for(engine, "begin")
        def _on_begin(conn: Connection) -> None:
            write = conn.get_execution_options().get("write", False)
            # A write (an event's diff, a new day) touches index pages all over the matches
            # and the history: with SQLite's default 2 MB of cache it rereads them from the
            # OS for every row. Reads keep the default, so idle connections stay small.
            # Set for a write and set back when its connection returns to the pool, not
            # before every read: a request's read begins with one statement, BEGIN.
            info = conn.connection.info
            if write and not info.get(_WRITE_CACHE):
                conn.exec_driver_sql(f"PRAGMA cache_size=-{WRITE_CACHE_KIB}")
                info[_WRITE_CACHE] = True
            elif not write and info.pop(_WRITE_CACHE, False):  # a read after a write, checked out
                conn.exec_driver_sql(f"PRAGMA cache_size=-{READ_CACHE_KIB}")
            conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")

        @event.listens_for(engine, "checkin")
        def _on_checkin(dbapi_connection: Any, record: Any) -> None:
            if dbapi_connection is not None and record.info.pop(_WRITE_CACHE, False):
                with contextlib.suppress(sqlite3.Error):  # a broken connection is not reused
                    dbapi_connection.execute(f"PRAGMA cache_size=-{READ_CACHE_KIB}")

        return engine
    # A host that never answers would hold a request (or a command) for the system's TCP
    # timeout, minutes: ten seconds, unless the URL says otherwise.
    connect_args = {} if "connect_timeout" in url else {"connect_timeout": CONNECT_TIMEOUT}
    engine = create_engine(url, json_serializer=json_text, connect_args=connect_args)
    ping_when_spoken_to(engine)  # pool_pre_ping, without its round trip (pool_ping.py)
    return engine


@contextlib.contextmanager
def write_transaction(engine: Engine) -> Iterator[Connection]:
    """One transaction that changes the ledger or the alerts; writers are serialised."""
    with engine.connect().execution_options(write=True) as conn, conn.begin():
        if conn.dialect.name == "postgresql":
            # Every writer takes the ledger lock, so two imports queue.
            conn.execute(text("SELECT id FROM ledger_state WHERE id = 1 FOR UPDATE"))
        yield conn


@contextlib.contextmanager
def read_transaction(engine: Engine) -> Iterator[Connection]:
    """One consistent snapshot for every statement of a request."""
    with opening_read(engine) as (conn, _):
        yield conn


# PostgreSQL: a snapshot for every statement of the transaction, taken by its first.
BEGIN_READ = b"BEGIN ISOLATION LEVEL REPEATABLE READ"


@contextlib.contextmanager
def opening_read(
    engine: Engine, first: Executable | None = None, parameters: Mapping[str, Any] | None = None
) -> Iterator[tuple[Connection, list[Sequence[Any]]]]:
    """A read transaction (`read_transaction`) and the rows of its first statement `first`
    (a SELECT built once, whose `parameters` need no SQLAlchemy type processing; none: no
    rows), as tuples.

    On PostgreSQL the BEGIN and `first` travel together, one round trip where psycopg makes
    two (it waits for its own BEGIN, even in pipeline mode): the connection is in autocommit
    and the BEGIN is ours, sent in one pipeline with `first`. The transaction then ends as
    any other: SQLAlchemy's commit or rollback reaches psycopg, which ends what the server
    says is open, autocommit or not."""
    if engine.dialect.name != "postgresql":
        with engine.connect() as conn, conn.begin():
            yield conn, [] if first is None else list(conn.execute(first, parameters).all())
        return
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn, conn.begin():
        yield conn, _begin_with(conn, first, parameters)


def _begin_with(
    conn: Connection, first: Executable | None, parameters: Mapping[str, Any] | None
) -> list[Sequence[Any]]:
    driver = conn.connection.dbapi_connection
    assert driver is not None
    if first is None:
        driver.execute(BEGIN_READ)
        return []
    sql = _driver_sql(first, conn.dialect)
    cursor = driver.cursor()
    try:
        # Both queued, then sent with one Sync when the pipeline ends; the rows are read after.
        with driver.pipeline():
            driver.execute(BEGIN_READ)
            cursor.execute(sql, parameters)
        return list(cursor.fetchall())
    finally:
        cursor.close()


@functools.lru_cache(maxsize=16)
def _driver_sql(statement: Executable, dialect: Dialect) -> str:
    """A statement built once (a module's constant) as its driver's SQL, compiled once."""
    return str(statement.compile(dialect=dialect))  # type: ignore[attr-defined]


def migrate(engine: Engine, revision: str = "head") -> None:
    """Create or upgrade the schema to the newest migration (every command calls this), or
    to `revision` (the migrations' tests start from an older one)."""
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(Path(__file__).parent / "migrations"))
    with engine.connect().execution_options(write=True) as conn, conn.begin():
        if conn.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(4242)"))
        config.attributes["connection"] = conn
        command.upgrade(config, revision)
