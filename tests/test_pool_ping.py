"""A PostgreSQL connection that the server ended while it sat in the pool is replaced before
use, as pool_pre_ping did; one that sat silent is used without a ping, a round trip of
every request (graphql_api/pool_ping.py)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import Engine

from graphql_api.database import create_db_engine, read_transaction

pytestmark = pytest.mark.database("postgresql")


@pytest.fixture
def pinged(postgresql_engine: Engine) -> Iterator[tuple[Engine, list[Any]]]:
    """An engine of the server's own, and the connections its pool pinged."""
    engine = create_db_engine(postgresql_engine.url.render_as_string(hide_password=False))
    pings: list[Any] = []
    ping = engine.dialect.do_ping

    def counted(dbapi_connection: Any) -> bool:
        pings.append(dbapi_connection)
        return ping(dbapi_connection)

    engine.dialect.do_ping = counted  # type: ignore[method-assign]
    try:
        yield engine, pings
    finally:
        engine.dispose()


def backend_pid(engine: Engine) -> int:
    with read_transaction(engine) as conn:
        return int(conn.exec_driver_sql("SELECT pg_backend_pid()").scalar_one())


def test_a_silent_idle_connection_is_used_without_a_ping(pinged: tuple[Engine, list[Any]]) -> None:
    engine, pings = pinged
    first = backend_pid(engine)
    assert [backend_pid(engine) for _ in range(3)] == [first] * 3
    assert pings == []


def test_a_connection_the_server_ended_is_replaced_unseen(
    postgresql_engine: Engine, pinged: tuple[Engine, list[Any]]
) -> None:
    engine, pings = pinged
    first = backend_pid(engine)
    with postgresql_engine.connect() as admin:
        admin.exec_driver_sql(f"SELECT pg_terminate_backend({first})")
    time.sleep(0.2)  # the server's goodbye reaches the idle socket
    replaced = backend_pid(engine)  # no error: the request never sees the ended connection
    assert replaced != first
    assert len(pings) == 1
    assert backend_pid(engine) == replaced
    assert len(pings) == 1
