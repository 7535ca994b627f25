"""The independent floor: the bench's CSV files loaded raw into tables of the floor's own,
designed for alerts, and the hand-written statements over them. Nothing here reads a table
of the product.

- The raw load: each file parsed with the csv module, amounts to integer cents and dates to
  integer day numbers (`date.toordinal`), inserted as they come (executemany on SQLite, COPY
  on PostgreSQL) into tables without an index: what loading the files costs at least.
- The alert tables, built from those by SQL: `floor_customers`, one row per customer with
  its attributes and figures (dates as day numbers, empty amounts as 0), and
  `floor_open_items`, the open items only, narrow, with one covering index so that an item
  criterion's EXISTS reads the index alone.

The statements are those of floors.py (criterion by criterion from SPEC §1–2), written over
these tables by `FLOOR` (a `floors.Layout`).
"""

from __future__ import annotations

import csv
import time
from collections.abc import Iterable, Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from bench.floors import Floors, Layout

FLOOR = Layout(
    table="floor_customers",
    source="floor_customers c",
    customer_id="c.id",
    account="c.account_number",
    page_columns="c.account_number, c.name, c.outstanding, c.overdue",
    values={
        "outstandingAmount": "c.outstanding",
        "overdueAmount": "c.overdue",
        "notDueAmount": "c.not_due",
        "disputedAmount": "c.disputed",
        "uncoveredAmount": "c.uncovered",
        "creditLimitExcess": "c.excess",
        "creditLimit": "c.credit_limit",
        "insurerGuarantee": "c.insurer",
        "daysOverdue": "c.days_overdue",
        "lastReminderDate": "c.last_reminder_day",
        "lastPaymentDate": "c.last_payment_day",
        "group": "c.grp",
        "country": "c.country",
        "status": "c.status",
        "collector": "c.collector",
        "blocked": "c.blocked",
        "itemType": "i.type",
        "itemDueDate": "i.due_day",
        "itemDocumentDate": "i.document_day",
        "itemOpenAmount": "i.open_amount",
        "itemDisputed": "i.disputed",
        "itemIgnoredInCollection": "i.ignored",
    },
    items="floor_open_items i",
    open_only="",
    day_numbers=True,
)

RAW = {
    "floor_raw_customers": "account_number TEXT, name TEXT, grp TEXT, country TEXT, "
    "status TEXT, collector TEXT, blocked SMALLINT, credit_limit BIGINT, insurer BIGINT, "
    "last_payment_day INTEGER",
    "floor_raw_items": "account_number TEXT, document_number TEXT, type TEXT, "
    "document_day INTEGER, due_day INTEGER, amount BIGINT, open_amount BIGINT, "
    "disputed SMALLINT, ignored SMALLINT",
    "floor_raw_reminders": "account_number TEXT, day INTEGER, channel TEXT, note TEXT",
}
BATCH = 10_000


def _cents(text: str) -> int | None:
    return int(Decimal(text) * 100) if text else None


def _day(text: str) -> int | None:
    return date.fromisoformat(text).toordinal() if text else None


def _flag(text: str) -> int:
    return 1 if text.strip().lower() in ("yes", "true", "1", "y") else 0


def _rows(path: Path, kind: str) -> Iterator[tuple[Any, ...]]:
    with path.open(newline="", encoding="utf-8") as file:
        lines = csv.reader(file)
        header = next(lines)
        at = {name: n for n, name in enumerate(header)}

        def get(row: list[str], name: str) -> str:
            n = at.get(name)
            return row[n] if n is not None and n < len(row) else ""

        for row in lines:
            if kind == "customers":
                yield (get(row, "account_number"), get(row, "name"), get(row, "group") or None,
                       get(row, "country") or None, get(row, "status") or None,
                       get(row, "collector") or None, _flag(get(row, "blocked")),
                       _cents(get(row, "credit_limit")), _cents(get(row, "insurer_guarantee")),
                       _day(get(row, "last_payment_date")))  # fmt: skip
            elif kind == "items":
                yield (get(row, "account_number"), get(row, "document_number"), get(row, "type"),
                       _day(get(row, "document_date")), _day(get(row, "due_date")),
                       _cents(get(row, "amount")), _cents(get(row, "open_amount")),
                       _flag(get(row, "disputed")),
                       _flag(get(row, "ignored_in_collection")))  # fmt: skip
            else:
                yield (get(row, "account_number"), _day(get(row, "date")), get(row, "channel"),
                       get(row, "note") or None)  # fmt: skip


def _batches(rows: Iterable[tuple[Any, ...]]) -> Iterator[list[tuple[Any, ...]]]:
    batch: list[tuple[Any, ...]] = []
    for row in rows:
        batch.append(row)
        if len(batch) == BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def _load(floor: Floors, table: str, rows: Iterable[tuple[Any, ...]]) -> None:
    cursor = floor.conn.cursor()
    try:
        if floor.dialect.name == "sqlite":
            width = RAW[table].count(",") + 1
            sql = f"INSERT INTO {table} VALUES ({', '.join('?' * width)})"
            for batch in _batches(rows):
                cursor.executemany(sql, batch)
        else:
            with cursor.copy(f"COPY {table} FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
    finally:
        cursor.close()


def _script(floor: Floors, statements: Iterable[str]) -> None:
    cursor = floor.conn.cursor()
    try:
        for statement in statements:
            cursor.execute(statement)
    finally:
        cursor.close()


def _transaction(floor: Floors) -> Any:
    """The floor's connection is in autocommit: one explicit transaction per step."""
    return _Transaction(floor)


class _Transaction:
    def __init__(self, floor: Floors) -> None:
        self.floor = floor

    def __enter__(self) -> None:
        _script(self.floor, ["BEGIN"])

    def __exit__(self, kind: object, *rest: object) -> None:
        _script(self.floor, ["ROLLBACK" if kind else "COMMIT"])


def raw_load(floor: Floors, paths: dict[str, Path]) -> float:
    """Load the three files into the raw tables (dropped first); the wall time."""
    _script(floor, [f"DROP TABLE IF EXISTS {t}" for t in (*RAW, *_BUILT)])
    started = time.perf_counter()
    with _transaction(floor):
        _script(floor, [f"CREATE TABLE {table} ({columns})" for table, columns in RAW.items()])
        for kind, table in (("customers", "floor_raw_customers"), ("items", "floor_raw_items"),
                            ("reminders", "floor_raw_reminders")):  # fmt: skip
            _load(floor, table, _rows(paths[kind], kind))
    return time.perf_counter() - started


_BUILT = ("floor_customers", "floor_open_items")


def build(floor: Floors, today: date) -> float:
    """The alert tables from the raw ones, for `today`; the wall time."""
    day = today.toordinal()
    started = time.perf_counter()
    statements = [
        "CREATE TABLE floor_ids AS SELECT account_number, "
        "ROW_NUMBER() OVER (ORDER BY account_number) AS id FROM floor_raw_customers",
        "CREATE UNIQUE INDEX floor_ids_account ON floor_ids (account_number)",
        # Open items only, with the customer's number: narrow, and one covering index.
        "CREATE TABLE floor_open_items AS SELECT n.id AS customer_id, i.type, i.due_day, "
        "i.document_day, i.open_amount, i.disputed, i.ignored FROM floor_raw_items i "
        "JOIN floor_ids n ON n.account_number = i.account_number WHERE i.open_amount <> 0",
        "CREATE INDEX floor_open_items_cover ON floor_open_items (customer_id, due_day, type, "
        "open_amount, disputed, ignored, document_day)",
        f"""CREATE TABLE floor_customers AS
        WITH totals AS (
          SELECT customer_id, SUM(open_amount) AS outstanding,
            SUM(CASE WHEN due_day < {day} THEN open_amount ELSE 0 END) AS overdue,
            SUM(CASE WHEN disputed = 1 THEN open_amount ELSE 0 END) AS disputed,
            MIN(CASE WHEN due_day < {day} AND open_amount > 0 THEN due_day END) AS oldest
          FROM floor_open_items GROUP BY customer_id),
        reminded AS (
          SELECT account_number, MAX(day) AS last_day FROM floor_raw_reminders
          GROUP BY account_number)
        SELECT n.id, c.account_number, c.name, c.grp, c.country, c.status, c.collector,
          c.blocked, COALESCE(c.credit_limit, 0) AS credit_limit,
          COALESCE(c.insurer, 0) AS insurer, c.last_payment_day,
          COALESCE(t.outstanding, 0) AS outstanding, COALESCE(t.overdue, 0) AS overdue,
          COALESCE(t.outstanding, 0) - COALESCE(t.overdue, 0) AS not_due,
          COALESCE(t.disputed, 0) AS disputed,
          COALESCE(t.outstanding, 0) - COALESCE(c.insurer, 0) AS uncovered,
          COALESCE(t.outstanding, 0) - COALESCE(c.credit_limit, 0) AS excess,
          COALESCE({day} - t.oldest, 0) AS days_overdue, r.last_day AS last_reminder_day
        FROM floor_raw_customers c JOIN floor_ids n ON n.account_number = c.account_number
        LEFT JOIN totals t ON t.customer_id = n.id
        LEFT JOIN reminded r ON r.account_number = c.account_number""",
        "CREATE UNIQUE INDEX floor_customers_account ON floor_customers (account_number)",
        "DROP TABLE floor_ids",
        "ANALYZE floor_customers",  # these tables only: the product's statistics stay
        "ANALYZE floor_open_items",
    ]
    with _transaction(floor):
        _script(floor, ["DROP TABLE IF EXISTS floor_ids"])
        _script(floor, statements[:-2])
    _script(floor, statements[-2:])
    return time.perf_counter() - started


def drop(floor: Floors) -> None:
    _script(floor, [f"DROP TABLE IF EXISTS {t}" for t in (*RAW, *_BUILT)])
