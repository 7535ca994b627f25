"""Secondary indexes built once after a bulk write instead of row by row during it.

Building an index from the finished table sorts its entries once; keeping it during a load
of 100,000 customers or 2M items inserts each entry into a B-tree that no longer fits the
page cache (measured: the customers' and figures' writes took most of their load time in
their sort indexes). The indexes are dropped and created again inside the import's
transaction, so a killed import leaves them as they were, like everything else.

Where readers would wait: on PostgreSQL, DROP INDEX locks the table against readers until
the transaction ends, so it is done only on tables that are empty (a first load, where the
import's TRUNCATE locks them anyway). On SQLite, readers keep reading their WAL snapshot,
indexes included, whatever the writer does: a table that is rewritten whole is indexed
after its write whether it was empty or not.

A table whose rows are all replaced is emptied by delete_all.

On PostgreSQL the import's transaction also gets the memory to sort and aggregate whole
tables without spilling to disk (use_bulk_settings).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from sqlalchemy import Index, Table, delete, inspect, select
from sqlalchemy.engine import Connection
from sqlalchemy.schema import CreateIndex, DropIndex


def _is_empty(conn: Connection, table: Table) -> bool:
    return conn.execute(select(1).select_from(table).limit(1)).first() is None


def _deferrable(conn: Connection, table: Table, rewritten: bool) -> list[Index]:
    """The table's indexes to build after the write: its plain (not unique) indexes that
    the database has, when readers would not wait for them (see the module's docstring)."""
    readers_wait = conn.dialect.name == "postgresql" or not rewritten
    if readers_wait and not _is_empty(conn, table):
        return []
    present = {index["name"] for index in inspect(conn).get_indexes(table.name)}
    return sorted(
        (index for index in table.indexes if not index.unique and index.name in present),
        key=lambda index: str(index.name),
    )


def _constraints(conn: Connection, table: Table) -> list[tuple[str, str]]:
    """(name, definition) of an empty PostgreSQL table's primary key and unique constraints,
    which PostgreSQL can add again to a filled table (SQLite cannot)."""
    if conn.dialect.name != "postgresql" or not _is_empty(conn, table):
        return []
    rows = conn.exec_driver_sql(
        "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE conrelid = %(table)s::regclass AND contype IN ('p', 'u') ORDER BY conname",
        {"table": table.name},
    )
    return [(name, definition) for name, definition in rows]


# Measured on the 2M-item ledger (PostgreSQL 15, two cores): the items' three index builds
# took 4.5-5.5 s with the default 64 MB, 3.3-3.5 s with 256 MB (each sort in memory); the
# figures' aggregate over the items spilled 70 MB to disk in 17 batches with the default
# 4 MB of work_mem, and ran in memory (43 MB) and about 1 s faster with 64 MB.
BULK_SETTINGS = {
    "maintenance_work_mem": "256MB",
    "work_mem": "64MB",
    # The import is one transaction: a crash before its commit is durable leaves the
    # database as it was before the import, exactly as a crash during it would (the
    # command may then have said "Imported" a moment before the crash: run it again).
    # Its commit does not wait for the WAL of 2M rows to reach the disk.
    "synchronous_commit": "off",
}


def use_bulk_settings(conn: Connection) -> None:
    """On PostgreSQL, the server settings of the import's transaction (SET LOCAL: they end
    with it), for sorts and aggregates over whole tables held in memory."""
    if conn.dialect.name != "postgresql":
        return
    for name, value in BULK_SETTINGS.items():
        conn.exec_driver_sql(f"SET LOCAL {name} = '{value}'")


@contextlib.contextmanager
def indexes_built_after(
    conn: Connection, *tables: Table, rewritten: bool = False, keys: bool = False
) -> Iterator[None]:
    """Write `tables` in the block, then build their plain indexes from the result.

    `rewritten`: the block replaces every row of the tables (on SQLite their indexes are then
    built after even when the tables held rows). `keys`: on PostgreSQL, an empty table's
    primary key and unique constraints are added after too; the block must then find its
    duplicates itself (a duplicate fails the import when the constraint is added again).
    """
    deferred = [index for table in tables for index in _deferrable(conn, table, rewritten)]
    constraints = [
        (table, name, definition)
        for table in (tables if keys else ())
        for name, definition in _constraints(conn, table)
    ]
    for index in deferred:
        conn.execute(DropIndex(index))
    for table, name, _ in constraints:
        conn.exec_driver_sql(f'ALTER TABLE {table.name} DROP CONSTRAINT "{name}"')
    yield
    for table, name, definition in constraints:
        conn.exec_driver_sql(f'ALTER TABLE {table.name} ADD CONSTRAINT "{name}" {definition}')
    for index in deferred:
        conn.execute(CreateIndex(index))


def delete_all(conn: Connection, table: Table) -> None:
    """Delete every row of `table`, inside the transaction.

    On SQLite, with foreign keys on, a DELETE of a table that has a foreign key goes row by
    row (its truncate optimization is off) and takes each row out of its indexes too:
    1.9 s of CPU for the 2M items. Dropping the table and creating it again from its own
    definition and those of its indexes and triggers (sqlite_master: the schema stays
    exactly as it was) frees its pages instead: 0.8 s. Not for a table that other tables
    refer to (DROP TABLE would then delete row by row too) or whose keys AUTOINCREMENT
    (DROP TABLE would forget their sequence).
    """
    if conn.dialect.name != "sqlite":
        conn.execute(delete(table))
        return
    schema = conn.exec_driver_sql(
        "SELECT type, sql FROM sqlite_master WHERE tbl_name = ? AND sql IS NOT NULL "
        "ORDER BY type = 'table' DESC, type = 'index' DESC",
        (table.name,),
    ).all()
    referred = conn.exec_driver_sql(
        "SELECT 1 FROM sqlite_master AS t, pragma_foreign_key_list(t.name) AS f "
        "WHERE t.type = 'table' AND f.\"table\" = ? LIMIT 1",
        (table.name,),
    ).first()
    if referred is not None or not schema or "AUTOINCREMENT" in schema[0][1].upper():
        conn.execute(delete(table))
        return
    conn.exec_driver_sql(f"DROP TABLE {table.name}")
    for _, sql in schema:
        conn.exec_driver_sql(sql)
