"""A request's read transaction (graphql_api/database.py): one snapshot for all its statements,
opened on PostgreSQL by a BEGIN that travels with the first statement (one round trip, not
two), and a connection that goes back to the pool as it came (the next write is a
transaction, and rolls back whole)."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, func, select

from graphql_api.database import create_db_engine, opening_read, write_transaction
from graphql_api.storage import users
from graphql_api.testing.database import empty_database
from graphql_api.users import Role, add_user

USER_COUNT = select(func.count()).select_from(users)


def test_every_statement_of_a_read_sees_its_first_statements_snapshot(engine: Engine) -> None:
    with write_transaction(engine) as conn:
        add_user(conn, "Ann", Role.ADMIN)
    with opening_read(engine, USER_COUNT) as (conn, rows):
        assert [tuple(row) for row in rows] == [(1,)]
        with write_transaction(engine) as other:  # committed while the read goes on
            add_user(other, "Bob", Role.USER)
        assert conn.execute(USER_COUNT).scalar_one() == 1
    with opening_read(engine, USER_COUNT) as (_, rows):
        assert [tuple(row) for row in rows] == [(2,)]


@pytest.fixture
def one_connection(postgresql_engine: Engine) -> Iterator[Engine]:
    """An engine of its own on the suite's PostgreSQL server: used one transaction at a time,
    its pool lends the same connection each time."""
    empty_database(postgresql_engine)
    engine = create_db_engine(postgresql_engine.url.render_as_string(hide_password=False))
    try:
        yield engine
    finally:
        engine.dispose()


def _sent(trace: str, message: str) -> int:
    """How many frontend messages of a kind a libpq trace shows ("F <length> <kind> ...")."""
    return sum(1 for line in trace.splitlines() if "\tF\t" in line and f"\t{message}" in line)


@pytest.mark.database("postgresql")
def test_the_begin_and_the_first_statement_are_sent_before_any_wait(
    one_connection: Engine,
) -> None:
    # One round trip: the BEGIN and the statement go out before the server's first answer,
    # followed by one Sync (each Sync or simple Query is a point where libpq waits).
    with tempfile.TemporaryFile("w+") as traced:
        with one_connection.connect() as warm:  # the pool's one connection, traced from now
            pgconn = warm.connection.dbapi_connection.pgconn  # type: ignore[union-attr]
            pgconn.trace(traced.fileno())
            pgconn.set_trace_flags(0)
        with opening_read(one_connection, USER_COUNT) as (conn, rows):
            isolation = conn.exec_driver_sql("SHOW transaction_isolation").scalar_one()
        pgconn.untrace()
        traced.seek(0)
        trace = traced.read()
    assert isolation == "repeatable read"
    assert [tuple(row) for row in rows] == [(0,)]
    before_first_answer = trace.split("\tB\t", 1)[0]
    assert "BEGIN ISOLATION LEVEL REPEATABLE READ" in before_first_answer
    assert "count(*)" in before_first_answer.lower()
    assert _sent(before_first_answer, "Query") == 0 and _sent(before_first_answer, "Sync") == 1


@pytest.mark.database("postgresql")
def test_a_write_after_a_read_on_the_same_connection_rolls_back_whole(
    one_connection: Engine,
) -> None:
    with opening_read(one_connection, USER_COUNT):
        pass
    with pytest.raises(RuntimeError), write_transaction(one_connection) as conn:
        add_user(conn, "Cid", Role.ADMIN)
        raise RuntimeError("the write fails halfway")
    with opening_read(one_connection, USER_COUNT) as (_, rows):
        assert [tuple(row) for row in rows] == [(0,)]
