"""Throwaway databases for tests: created, migrated, and emptied between tests."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, delete, update


@contextmanager
def migrated_engine(url: str) -> Iterator[Engine]:
    """An engine on `url`, the schema migrated to the newest version; disposed on exit."""
    from graphql_api.database import create_db_engine, migrate

    engine = create_db_engine(url)
    try:
        migrate(engine)
        yield engine
    finally:
        engine.dispose()


def sqlite_url(folder: Path) -> str:
    return f"sqlite:///{folder / 'test.db'}"


def empty_database(engine: Engine) -> None:
    """Delete every row of the ledger, the users and the alerts (and what hangs on them),
    so each test starts from nothing; the figures are for no day yet."""
    from graphql_api.storage import ledger_state, metadata

    with engine.begin() as conn:
        for table in reversed(metadata.sorted_tables):  # the referencing tables first
            if table is not ledger_state:
                conn.execute(delete(table))
        conn.execute(update(ledger_state).values(figures_date=None))
