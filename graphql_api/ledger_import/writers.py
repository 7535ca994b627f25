"""Writing the import's rows: COPY on PostgreSQL, INSERTs of many rows each on SQLite.

Rows reach the driver in their wire form, as the database stores them: amounts in cents
(`money.to_cents`), dates as ISO text, JSON as text. The columns written are the table's
own (storage.py) but its generated key, in the table's order.
"""

from __future__ import annotations

import contextlib
import itertools
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from psycopg.copy import QueuedLibpqWriter
from sqlalchemy import JSON, Boolean, Date, Table
from sqlalchemy.engine import Connection

from graphql_api.database import json_text
from graphql_api.money import Money, to_cents
from graphql_api.storage import items


def written_columns(table: Table) -> tuple[str, ...]:
    return tuple(column.name for column in table.columns if not column.primary_key)


def _cents(amount: Decimal | None) -> int | None:
    return None if amount is None else to_cents(amount)


def _iso(day: date | None) -> str | None:
    return None if day is None else day.isoformat()


def _as_is(value: Any) -> Any:
    return value


def wire_function(column_type: Any) -> Callable[[Any], Any]:
    """A value of a column of `column_type` in its wire form."""
    if isinstance(column_type, Money):
        return _cents
    if isinstance(column_type, Date):
        return _iso
    if isinstance(column_type, Boolean):
        return bool  # an empty flag is "no"
    if isinstance(column_type, JSON):
        return json_text
    return _as_is


def wire_encoder(
    table: Table, names: Sequence[str] | None = None
) -> Callable[[Mapping[str, Any]], tuple[Any, ...]]:
    """A row of `table` (column name → value) in its wire form: the values of `names`, in
    that order (default: written_columns)."""
    names = written_columns(table) if names is None else names
    encoders = [(name, wire_function(table.c[name].type)) for name in names]

    def encode(row: Mapping[str, Any]) -> tuple[Any, ...]:
        return tuple([wire(row[name]) for name, wire in encoders])

    return encode


_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _copy_text(value: Any) -> str:
    if value is None:
        return "\\N"
    if value is True or value is False:
        return "t" if value else "f"
    if isinstance(value, str):
        return value.translate(_COPY_ESCAPES)
    return str(value)


def copy_line(values: Sequence[Any]) -> str:
    """Wire values as one line of COPY's text format."""
    return "\t".join(map(_copy_text, values)) + "\n"


def insert_rows(conn: Connection, table: Table, rows: list[tuple[Any, ...]]) -> None:
    """Rows in wire form (all of written_columns): COPY on PostgreSQL, INSERTs of many rows
    each on SQLite (sqlite_rows)."""
    columns = written_columns(table)
    if conn.dialect.name == "postgresql":
        driver = conn.connection.driver_connection
        assert driver is not None
        names = ", ".join(columns)
        copy = f"COPY {table.name} ({names}) FROM STDIN"
        with driver.cursor() as cursor, cursor.copy(copy) as writer:
            for row in rows:
                writer.write_row(row)
        return
    sqlite_rows(conn, lambda count: _insert_sql(conn, table, columns, count), rows)


def _open_copy(
    conn: Connection, table: Table, options: str = ""
) -> tuple[contextlib.ExitStack, Any]:
    """A COPY into `table` (its written_columns) kept open across writes, with what ends it:
    a writer thread sends to the server while the caller reads its file on."""
    driver = conn.connection.driver_connection
    assert driver is not None
    stack = contextlib.ExitStack()
    cursor = stack.enter_context(driver.cursor())
    names = ", ".join(written_columns(table))
    statement = f"COPY {table.name} ({names}) FROM STDIN{options}"
    return stack, stack.enter_context(cursor.copy(statement, writer=QueuedLibpqWriter(cursor)))


def _end_copy(stack: contextlib.ExitStack, error: BaseException | None = None) -> None:
    """End a COPY of _open_copy; on an error, abandon it."""
    if error is None:
        stack.close()
    else:
        stack.__exit__(type(error), error, error.__traceback__)


class StreamedRows:
    """Rows of `table` in wire form (all of written_columns) written while the file is read:
    on PostgreSQL into one COPY kept open until `close` (a writer thread sends them while
    the caller reads on), on SQLite by insert_rows every few thousand rows. No other
    statement may run on the connection until `close`."""

    BATCH = 2000

    def __init__(self, conn: Connection, table: Table) -> None:
        self.conn, self.table = conn, table
        self.rows: list[tuple[Any, ...]] = []
        self._open: contextlib.ExitStack | None = None
        self._copy: Any = None

    def add(self, row: tuple[Any, ...]) -> None:
        self.rows.append(row)
        if len(self.rows) >= self.BATCH:
            self._flush()

    def close(self) -> None:
        self._flush()
        if self._open is not None:
            stack, self._open, self._copy = self._open, None, None
            _end_copy(stack)

    def abandon(self, error: BaseException) -> None:
        """Give up the open COPY on `error` (the transaction is rolled back)."""
        self.rows = []
        if self._open is not None:
            stack, self._open, self._copy = self._open, None, None
            _end_copy(stack, error)

    def _flush(self) -> None:
        rows, self.rows = self.rows, []
        if not rows:
            return
        if self.conn.dialect.name != "postgresql":
            insert_rows(self.conn, self.table, rows)
            return
        if self._copy is None:
            self._open, self._copy = _open_copy(self.conn, self.table)
        write = self._copy.write_row
        for row in rows:
            write(row)


def _insert_sql(conn: Connection, table: Table, columns: Sequence[str], count: int = 1) -> str:
    """INSERT of `count` rows of `columns` in the driver's parameter style."""
    marker = "?" if conn.dialect.paramstyle == "qmark" else "%s"
    row = f"({', '.join([marker] * len(columns))})"
    return f"INSERT INTO {table.name} ({', '.join(columns)}) VALUES {', '.join([row] * count)}"


# SQLite built with its former default binds at most 999 parameters per statement.
SQLITE_PARAMETERS = 999


def sqlite_rows(
    conn: Connection, statement: Callable[[int], str], rows: list[tuple[Any, ...]]
) -> None:
    """Run `statement(count)`, an INSERT of `count` rows, over `rows` on SQLite: as many rows
    per statement as its parameters allow, then the rest one by one.

    Measured on 200,000 item rows: a fifth less CPU than one executemany of single rows,
    which binds and steps each row separately.
    """
    if not rows:
        return
    width = len(rows[0])
    # The flattened copies, a few thousand rows at a time: 100,000 customers at once held
    # some 18 MB more at the import's peak.
    step = max(1, SQLITE_PARAMETERS // width) * 50
    for first in range(0, len(rows), step):
        cells = tuple(itertools.chain.from_iterable(rows[first : first + step]))
        sqlite_cells(conn, statement, cells, width)


def sqlite_cells(
    conn: Connection, statement: Callable[[int], str], cells: tuple[Any, ...], width: int
) -> None:
    """Run `statement(count)`, an INSERT of `count` rows of `width` values, over `cells`, the
    values of rows one after another, on SQLite: as many rows per statement as its
    parameters allow, then the rest one by one."""
    per = max(1, SQLITE_PARAMETERS // width)
    step = per * width
    whole = len(cells) - len(cells) % step
    if whole:
        conn.exec_driver_sql(
            statement(per), [cells[start : start + step] for start in range(0, whole, step)]
        )
    if whole < len(cells):
        rest = range(whole, len(cells), width)
        conn.exec_driver_sql(statement(1), [cells[start : start + width] for start in rest])


def _insert_items(conn: Connection, batch: list[tuple[Any, ...]]) -> None:
    insert_rows(conn, items, batch)


def _upsert_items(conn: Connection, batch: list[tuple[Any, ...]]) -> None:
    """Item rows in wire form, replacing the stored item of the same account and document."""
    columns = written_columns(items)
    key = ("customer_id", "document_number")
    changed = ", ".join(f"{c} = excluded.{c}" for c in columns if c not in key)
    conflict = f" ON CONFLICT ({', '.join(key)}) DO UPDATE SET {changed}"
    if conn.dialect.name == "sqlite":
        # Within one statement a later row updates an earlier one, as in two; PostgreSQL
        # refuses a row affected twice by one statement: it upserts row by row.
        sqlite_rows(conn, lambda count: _insert_sql(conn, items, columns, count) + conflict, batch)
        return
    conn.exec_driver_sql(_insert_sql(conn, items, columns) + conflict, batch)


@contextlib.contextmanager
def checked_references(conn: Connection) -> Iterator[None]:
    """Writes whose foreign keys hold by construction: PostgreSQL skips its per-row
    foreign-key triggers for them, when the import may (a superuser, as a bulk loader is).

    For item rows, every account was checked against the customers read in this
    transaction, under the ledger lock that every writer takes; figures are computed
    from the customers table itself. The triggers would only repeat those checks, at
    about half the load rate. session_replication_role = replica is SET LOCAL: it ends
    with the transaction at the latest.
    """
    trusted = (
        conn.dialect.name == "postgresql"
        and conn.exec_driver_sql("SELECT current_setting('is_superuser') = 'on'").scalar()
    )
    if trusted:
        conn.exec_driver_sql("SET LOCAL session_replication_role = replica")
    yield
    if trusted:
        conn.exec_driver_sql("SET LOCAL session_replication_role = DEFAULT")


class ItemsWriter:
    """Writes batches of item rows.

    When `copying` (PostgreSQL, replacing the items), a row is (customer_id, document_number,
    its COPY line), and one COPY stays open across batches, so the server loads while the
    file is read; it is paused before any other statement, and runs in checked_references.
    Otherwise a row is the wire tuple, inserted or upserted (`upsert`): sqlite_rows on SQLite.
    """

    def __init__(self, conn: Connection, upsert: bool, freeze: bool = False) -> None:
        self.conn = conn
        self.upsert = upsert
        self.copying = conn.dialect.name == "postgresql" and not upsert
        self.options = " WITH (FREEZE)" if freeze else ""  # the table was truncated just now
        self._open: contextlib.ExitStack | None = None
        self._copy: Any = None
        self._checked: contextlib.ExitStack | None = None

    def __enter__(self) -> ItemsWriter:
        return self

    def __exit__(self, kind: object, error: BaseException | None, tb: object) -> None:
        self.pause(error)
        if self._checked is not None and error is None:
            self._checked.close()

    def write(self, batch: list[tuple[Any, ...]]) -> None:
        if not self.copying:
            (_upsert_items if self.upsert else _insert_items)(self.conn, batch)
            return
        self.write_text("".join([row[2] for row in batch]))

    def write_cells(
        self, statement: Callable[[int], str], cells: tuple[Any, ...], width: int
    ) -> None:
        """Rows as one tuple of their values one after another, on SQLite (sqlite_cells)."""
        sqlite_cells(self.conn, statement, cells, width)

    def write_text(self, text: str) -> None:
        """Lines of COPY's text format, when `copying`."""
        if self._copy is None:
            self._start_copy()
        try:
            self._copy.write(text)
        except BaseException as error:
            self.pause(error)
            raise

    def _start_copy(self) -> None:
        if self._checked is None:
            self._checked = contextlib.ExitStack()
            self._checked.enter_context(checked_references(self.conn))
        self._open, self._copy = _open_copy(self.conn, items, self.options)

    def pause(self, error: BaseException | None = None) -> None:
        """End the open COPY (so that other statements can run); on an error, abandon it."""
        if self._open is not None:
            stack, self._open, self._copy = self._open, None, None
            _end_copy(stack, error)
