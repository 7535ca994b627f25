"""One request's view of the database: a read transaction opened on first use, with the
figures and membership caught up for today (membership_day.py), and the write transactions
the request makes.

Every statement a request reads with sees the same snapshot. A write ends the snapshot
first; the next read opens a new one, which sees the write.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from datetime import date

from sqlalchemy import Dialect, Engine
from sqlalchemy.engine import Connection

from graphql_api import membership_day
from graphql_api.database import read_transaction, write_transaction
from graphql_api.plugins import CriteriaRegistry


class Snapshot:
    def __init__(self, engine: Engine, today: date, registry: CriteriaRegistry) -> None:
        self.engine = engine
        self.today = today
        self.registry = registry
        self._transaction: contextlib.ExitStack | None = None
        self._conn: Connection | None = None
        self._marked = False  # whether this transaction's ledger marks were read
        self._adopted: membership_day.Marks | None = None  # read with the adopted transaction
        self._alerts_version = 0
        self._unsettled: frozenset[int] = frozenset()

    @property
    def dialect(self) -> Dialect:
        return self.engine.dialect

    def adopt(
        self,
        transaction: contextlib.ExitStack,
        conn: Connection,
        marks: membership_day.Marks | None = None,
    ) -> None:
        """Go on with a read transaction opened elsewhere (the one that signed the token in),
        whose ledger marks were read already (`marks`) or not."""
        self.close()
        self._transaction, self._conn, self._adopted = transaction, conn, marks

    @property
    def conn(self) -> Connection:
        """The read transaction, with the figures and membership current for today."""
        if self._conn is None:
            self._open()
        if not self._marked:  # the transaction's first read: the day applied, the alerts
            found = self._adopted or membership_day.marks(self._read())
            self._adopted = None
            if membership_day.needs_catch_up(self._read(), self.registry, self.today, found):
                self.close()
                membership_day.ensure_current(self.engine, self.registry, self.today)
                found = membership_day.marks(self._open())
            self._alerts_version = found.alerts_version
            self._unsettled = frozenset(alert_id for alert_id, _ in found.unsettled)
            self._marked = True
        return self._read()

    @property
    def unsettled(self) -> frozenset[int]:
        """The alerts frozen or never evaluated (membership_day.Marks) as this snapshot sees
        them: every other alert that compiles has its matches stored and current."""
        self.conn  # noqa: B018 - opening the snapshot reads it
        return self._unsettled

    @property
    def alerts_version(self) -> int:
        """The alerts' change counter as this snapshot sees it."""
        self.conn  # noqa: B018 - opening the snapshot reads it
        return self._alerts_version

    def _open(self) -> Connection:
        self._transaction = contextlib.ExitStack()
        self._conn = self._transaction.enter_context(read_transaction(self.engine))
        return self._conn

    def _read(self) -> Connection:
        assert self._conn is not None
        return self._conn

    def close(self) -> None:
        """End the read transaction, if one is open."""
        self._marked, self._adopted = False, None
        if self._transaction is not None:
            transaction, self._transaction, self._conn = self._transaction, None, None
            transaction.close()

    def discard(self, error: BaseException) -> None:
        """Roll back after `error` (PostgreSQL refuses every statement after a failed one);
        the next read opens a new transaction."""
        self._marked, self._adopted = False, None
        if self._transaction is not None:
            transaction, self._transaction, self._conn = self._transaction, None, None
            transaction.__exit__(type(error), error, error.__traceback__)

    @contextlib.contextmanager
    def writing(self) -> Iterator[Connection]:
        """A write transaction, after the read one ends; the next read sees what it wrote."""
        self.close()
        try:
            with write_transaction(self.engine) as conn:
                yield conn
        finally:
            self.close()
