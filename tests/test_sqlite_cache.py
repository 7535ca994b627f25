"""SQLite's page cache per connection (database.py): a write transaction gets the large
one, and its connection is back to SQLite's default before anything reads with it, without
a statement at the start of every read."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import event

from graphql_api.database import (
    READ_CACHE_KIB,
    WRITE_CACHE_KIB,
    create_db_engine,
    migrate,
    read_transaction,
    write_transaction,
)

pytestmark = pytest.mark.database("sqlite")


def test_a_write_has_the_large_cache_and_the_next_read_the_default(tmp_path: Path) -> None:
    engine = create_db_engine(f"sqlite:///{tmp_path / 'cache.db'}")
    migrate(engine)
    statements: list[str] = []
    try:
        event.listen(engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
        with read_transaction(engine) as conn:
            assert conn.exec_driver_sql("PRAGMA cache_size").scalar() == -READ_CACHE_KIB
        with write_transaction(engine) as conn:
            assert conn.exec_driver_sql("PRAGMA cache_size").scalar() == -WRITE_CACHE_KIB
        statements.clear()
        for _ in range(2):
            with read_transaction(engine) as conn:
                assert conn.exec_driver_sql("PRAGMA cache_size").scalar() == -READ_CACHE_KIB
        assert statements == ["BEGIN", "PRAGMA cache_size"] * 2
    finally:
        engine.dispose()
