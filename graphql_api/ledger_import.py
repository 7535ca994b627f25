"""Loading ERP CSV exports into the ledger (SPEC §6): all or nothing.

Files are streamed (a 2M-line items file is never held in memory). Every bad
value is reported with its line and column; if there is any, the transaction
is rolled back and the database is exactly as it was.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import operator
import re
import sys
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from psycopg.copy import QueuedLibpqWriter
from sqlalchemy import Engine, bindparam, delete, select, update
from sqlalchemy.engine import Connection
from tqdm import tqdm

from graphql_api.figures import refresh_figures
from graphql_api.storage import (
    CENT,
    MAX_AMOUNT,
    MAX_AMOUNT_DIGITS,
    customers,
    items,
    reminders,
    write_transaction,
)

KEPT_PROBLEMS = 1000
BATCH = 5000
ITEM_TYPES = ("INVOICE", "CREDIT_NOTE", "PAYMENT", "OTHER")
CHANNELS = ("EMAIL", "LETTER", "PHONE", "OTHER")
YES = {"yes", "true", "1", "oui", "y", "o"}
NO = {"no", "false", "0", "non", "n", ""}

CUSTOMER_COLUMNS = (
    "account_number", "name", "group", "country", "status", "collector", "blocked",
    "credit_limit", "insurer_guarantee", "last_payment_date",
)  # fmt: skip
ITEM_COLUMNS = (
    "account_number", "document_number", "type", "document_date", "due_date", "amount",
    "open_amount", "disputed", "ignored_in_collection",
)  # fmt: skip
REMINDER_COLUMNS = ("account_number", "date", "channel", "note")


@dataclass(frozen=True)
class ImportProblem:
    file: str
    line: int
    column: str | None
    value: str | None
    message: str

    def __str__(self) -> str:
        where = f"{self.file}, line {self.line}" + (
            f", column {self.column}" if self.column else ""
        )
        shown = "" if self.value is None else f" (got {_clip(self.value)!r})"
        return f"{where}: {self.message}{shown}"


class ImportFailed(Exception):
    """The import changed nothing; `problems` are the first KEPT_PROBLEMS of `total`."""

    def __init__(self, problems: list[ImportProblem], total: int) -> None:
        super().__init__(f"{total} problem(s); nothing was imported")
        self.problems = problems
        self.total = total


@dataclass
class ImportSummary:
    customers_created: int = 0
    customers_updated: int = 0
    items_loaded: int = 0
    reminders_added: int = 0
    reminders_skipped: int = 0


class BadValue(ValueError):
    """A value that cannot be read; the message says what was expected."""


# -- values ------------------------------------------------------------------


def parse_text(raw: str) -> str | None:
    return raw.strip() or None


def text_of_at_most(limit: int) -> Callable[[str], str | None]:
    """Trimmed text that fits its column (PostgreSQL would refuse it mid-import)."""

    def parse(raw: str) -> str | None:
        text = parse_text(raw)
        if text is not None and len(text) > limit:
            raise BadValue(f"longer than {limit} characters")
        return text

    return parse


def parse_amount(raw: str) -> Decimal | None:
    text = raw.strip().replace(" ", "").replace("\u00a0", "").replace("\u202f", "")
    if not text:
        return None
    if "," in text:
        if "." in text and text.rfind(".") > text.rfind(","):
            text = text.replace(",", "")  # 1,234.56
        else:
            text = text.replace(".", "").replace(",", ".")  # 1.234,56 or 1234,56
    try:
        amount = Decimal(text)
    except InvalidOperation:
        raise BadValue("expected an amount such as 1234.56 or 1234,56") from None
    if not amount.is_finite() or abs(amount) > MAX_AMOUNT:
        raise BadValue(f"expected an amount of at most {MAX_AMOUNT}")
    if amount != amount.quantize(CENT):
        raise BadValue("expected at most two decimal places")
    return amount.quantize(CENT)


def parse_date(raw: str) -> date | None:
    text = raw.strip()
    if not text:
        return None
    try:
        if len(text) == 10 and text[4] == "-" and text[7] == "-":
            return date.fromisoformat(text)
        if len(text) == 10 and text[2] == "/" and text[5] == "/":
            return date(int(text[6:]), int(text[3:5]), int(text[:2]))
    except ValueError:
        raise BadValue("not a real date (expected YYYY-MM-DD or DD/MM/YYYY)") from None
    raise BadValue("expected a date as YYYY-MM-DD or DD/MM/YYYY")


def parse_flag(raw: str) -> bool:
    text = raw.strip().lower()
    if text in YES:
        return True
    if text in NO:
        return False
    raise BadValue("expected yes/no, true/false, 1/0 or oui/non")


def _choice(options: tuple[str, ...], default: str | None = None) -> Callable[[str], str | None]:
    def parse(raw: str) -> str | None:
        text = raw.strip().upper()
        if not text:
            if default is None:
                raise BadValue(f"expected one of {', '.join(options)}")
            return default
        if text not in options:
            raise BadValue(f"expected one of {', '.join(options)}")
        return text

    return parse


def parse_country(raw: str) -> str | None:
    text = raw.strip().upper()
    if not text:
        return None
    if len(text) != 2 or not text.isascii() or not text.isalpha():
        raise BadValue("expected an ISO 3166-1 alpha-2 country code such as FR")
    return text


def parse_required(raw: str) -> str:
    text = raw.strip()
    if not text:
        raise BadValue("must not be empty")
    if len(text) > 100:
        raise BadValue("longer than 100 characters")
    return text


# -- reading -----------------------------------------------------------------


@dataclass
class CsvFile:
    """A CSV export read row by row, with its problems."""

    path: Path
    required: tuple[str, ...]
    known: tuple[str, ...]
    problems: list[ImportProblem]
    counter: list[int]
    show_progress: bool = False
    header: list[str] = field(default_factory=list)
    index: dict[str, int] = field(default_factory=dict)

    def problem(self, line: int, column: str | None, value: str | None, message: str) -> None:
        self.counter[0] += 1
        if len(self.problems) < KEPT_PROBLEMS:
            self.problems.append(ImportProblem(self.path.name, line, column, value, message))

    def rows(self) -> Iterator[tuple[int, list[str]]]:
        """(line number, cells) for every data row; cells are padded to the header."""
        try:
            handle = self.path.open(encoding="utf-8-sig", newline="")
        except OSError as error:
            self.problem(0, None, None, f"cannot open the file: {error.strerror}")
            return
        with handle, self._progress() as bar:
            try:
                yield from self._rows(handle, bar)
            except UnicodeDecodeError as error:
                line, column = self._locate(lambda cell: "\ufffd" in cell)
                self.problem(
                    line, column, None,
                    f"not UTF-8 (byte 0x{error.object[error.start]:02X}): save the file as UTF-8",
                )  # fmt: skip
            except csv.Error as error:
                if "field larger than field limit" not in str(error):
                    self.problem(self._line, None, None, f"unreadable CSV: {error}")
                    return
                limit = csv.field_size_limit()
                line, column = self._locate(lambda cell: len(cell) > limit)
                self.problem(line, column, None, f"a field longer than {limit:,} characters")

    _line = 0
    _delimiter = ","

    def _locate(self, is_bad: Callable[[str], bool]) -> tuple[int, str | None]:
        """The line and column of the first bad cell, for problems the csv reader cannot place.

        Only on the way to a rejection: the file is read again, line by line, as bytes,
        each line parsed alone (quotes respected) with no limit on a field's size.
        """
        header = self.header
        limit = csv.field_size_limit()
        csv.field_size_limit(sys.maxsize)
        try:
            with self.path.open("rb") as raw:
                for number, data in enumerate(raw, start=1):
                    text = data.decode("utf-8-sig" if number == 1 else "utf-8", errors="replace")
                    if number == 1 and not header:  # the error came before the header was read
                        if text.count(";") > text.count(","):
                            self._delimiter = ";"
                        header = [name.strip() for name in self._cells(text)]
                    for position, cell in enumerate(self._cells(text)):
                        if is_bad(cell):
                            named = header[position] if position < len(header) else None
                            return number, named if number > 1 else None
        finally:
            csv.field_size_limit(limit)
        return self._line, None

    def _cells(self, text: str) -> list[str]:
        try:
            return next(csv.reader([text.rstrip("\r\n")], delimiter=self._delimiter), [])
        except csv.Error:  # a quoted field spanning lines: split it plainly
            return text.rstrip("\r\n").split(self._delimiter)

    def _nul_cells(self, line: int, cells: list[str]) -> bool:
        """Report cells holding U+0000 (PostgreSQL text cannot hold it); True when any did."""
        found = False
        for position, cell in enumerate(cells):
            if "\x00" in cell:
                name = self.header[position] if position < len(self.header) else None
                self.problem(line, name, cell.replace("\x00", "\\0"), "contains a NUL character")
                found = True
        return found

    def _rows(self, handle: io.TextIOBase, bar: tqdm) -> Iterator[tuple[int, list[str]]]:
        first = handle.readline()
        if not first.strip():
            self.problem(1, None, None, "the file is empty: expected a header row")
            return
        try:
            delimiter = csv.Sniffer().sniff(first, delimiters=",;").delimiter
        except csv.Error:
            delimiter = ","
        self._delimiter = delimiter
        header = next(csv.reader([first], delimiter=delimiter))
        self.header = [name.strip() for name in header]
        self.index = {}
        for position, name in enumerate(self.header):
            key = name.lower() if name.lower() in self.known else name
            if key in self.index:
                self.problem(1, name, None, "this column appears twice in the header")
            self.index[key] = position
        missing = [name for name in self.required if name not in self.index]
        if missing:
            self.problem(1, None, None, f"missing required column(s): {', '.join(missing)}")
            return
        width = len(self.header)
        has_nul = _contains(self.path, b"\x00")  # rare: then every row is checked for it
        raw = getattr(handle, "buffer", None)  # bytes read so far, for the progress bar
        shown = next_update = 0
        reader = csv.reader(handle, delimiter=delimiter)
        line = 1
        for cells in reader:
            line_start = line + 1
            line = reader.line_num + 1
            self._line = line
            if line >= next_update and raw is not None:
                bar.update(raw.tell() - shown)
                shown, next_update = raw.tell(), line + 50_000
            if has_nul and self._nul_cells(line_start, cells):
                continue
            count = len(cells)
            if count == width and (count > 1 or cells[0].strip()):  # the common case first
                yield line_start, cells
                continue
            if not cells or (count == 1 and not cells[0].strip()):
                continue
            if count > width:
                self.problem(line_start, None, None, f"{count} cells, but the header has {width}")
                continue
            cells.extend([""] * (width - count))
            yield line_start, cells
        if raw is not None:
            bar.update(raw.tell() - shown)

    def _progress(self) -> tqdm:
        size = self.path.stat().st_size if self.path.exists() else 0
        return tqdm(
            total=size, unit="B", unit_scale=True, desc=self.path.name, leave=False,
            disable=not (self.show_progress and sys.stderr.isatty()),
        )  # fmt: skip


def _contains(path: Path, needle: bytes) -> bool:
    with path.open("rb") as raw:
        while chunk := raw.read(1 << 20):
            if needle in chunk:
                return True
    return False


def _clip(value: str) -> str:
    return value if len(value) <= 60 else value[:57] + "..."


# -- the import --------------------------------------------------------------


def import_ledger(
    engine: Engine,
    *,
    today: date,
    customers_file: Path | None = None,
    items_file: Path | None = None,
    reminders_file: Path | None = None,
    upsert_items: bool = False,
    logged_by: str | None = None,
    show_progress: bool = False,
) -> ImportSummary:
    """Load the given files in one transaction.

    On any problem, raise ImportFailed listing them; the database is left as it was.
    """
    problems: list[ImportProblem] = []
    counter = [0]
    summary = ImportSummary()
    with write_transaction(engine) as conn:
        accounts = dict(conn.execute(select(customers.c.account_number, customers.c.id)).all())
        if customers_file is not None:
            source = CsvFile(
                customers_file,
                ("account_number",),
                CUSTOMER_COLUMNS,
                problems,
                counter,
                show_progress,
            )
            _load_customers(conn, source, accounts, summary)
        if items_file is not None:
            source = CsvFile(
                items_file,
                ("account_number", "document_number", "type", "open_amount"),
                ITEM_COLUMNS,
                problems,
                counter,
                show_progress,
            )
            _load_items(conn, source, accounts, summary, upsert=upsert_items)
        if reminders_file is not None:
            source = CsvFile(
                reminders_file,
                ("account_number", "date"),
                REMINDER_COLUMNS,
                problems,
                counter,
                show_progress,
            )
            _load_reminders(conn, source, accounts, summary, logged_by)
        if counter[0]:
            conn.rollback()
            raise ImportFailed(problems, counter[0])
        # Fresh planner statistics for the reloaded tables (autovacuum would only get to
        # them later), so that the figures' aggregate and the first requests after the
        # import are planned on real sizes.
        analyze = conn.dialect.name == "postgresql" and bool(items_file or customers_file)
        if analyze:
            conn.exec_driver_sql("ANALYZE customers, items, reminders")
        with _checked_references(conn):
            refresh_figures(conn, today)
        if analyze:
            conn.exec_driver_sql("ANALYZE customer_figures")
    return summary


def _known_account(
    source: CsvFile, line: int, account: str | None, accounts: dict[str, int | None]
) -> None:
    """Items and reminders may only name accounts of the ledger or of this import."""
    if account is not None and account not in accounts:
        source.problem(
            line,
            "account_number",
            account,
            "unknown account: not in the ledger nor in the customers file",
        )


def _read(
    source: CsvFile, line: int, cells: list[str], column: str, parse: Callable[[str], Any]
) -> Any:
    position = source.index.get(column)
    if position is None:
        return None
    raw = cells[position]
    try:
        return parse(raw)
    except BadValue as error:
        source.problem(line, column, raw, str(error))
        return None


def _memoized(parse: Callable[[str], Any], limit: int = 10_000) -> Callable[[str], Any]:
    """`parse` remembering its answers: columns with few distinct values (a group, a country,
    a limit, a date) are parsed once per value instead of once per line."""
    answers: dict[str, Any] = {}

    def remembered(raw: str) -> Any:
        found = answers.get(raw, _UNKNOWN)
        if found is _UNKNOWN:
            try:
                found = parse(raw)
            except BadValue as error:
                found = error
            if len(answers) < limit:
                answers[raw] = found
        if isinstance(found, BadValue):
            raise BadValue(str(found))
        return found

    return remembered


_UNKNOWN = object()
CUSTOMER_FIELDS: dict[str, tuple[str, Callable[[str], Any]]] = {
    "name": ("name", text_of_at_most(300)),
    "group": ("customer_group", _memoized(text_of_at_most(200))),
    "country": ("country", _memoized(parse_country)),
    "status": ("status", _memoized(text_of_at_most(200))),
    "collector": ("collector", _memoized(text_of_at_most(200))),
    "blocked": ("blocked", _memoized(parse_flag)),
    "credit_limit": ("credit_limit", _memoized(parse_amount)),
    "insurer_guarantee": ("insurer_guarantee", _memoized(parse_amount)),
    "last_payment_date": ("last_payment_date", _memoized(parse_date)),
}
NEW_CUSTOMER = {column: None for column, _ in CUSTOMER_FIELDS.values()} | {"blocked": False}


def _load_customers(
    conn: Connection, source: CsvFile, accounts: dict[str, int | None], summary: ImportSummary
) -> None:
    seen: dict[str, int] = {}
    new_rows: list[dict[str, Any]] = []
    changed: list[dict[str, Any]] = []
    extra: list[str] = []
    fields: list[tuple[str, str, Callable[[str], Any]]] | None = None
    for line, cells in source.rows():
        if fields is None:  # the header is read with the first row
            extra = [name for name in source.header if name.lower() not in CUSTOMER_COLUMNS]
            fields = [(name, column, parse) for name, (column, parse) in CUSTOMER_FIELDS.items()
                      if name in source.index]  # fmt: skip
        before = source.counter[0]
        account = _read(source, line, cells, "account_number", parse_required)
        values = {column: _read(source, line, cells, name, parse) for name, column, parse in fields}
        if account is not None and account in seen:
            source.problem(
                line, "account_number", account, f"this account is already on line {seen[account]}"
            )
        elif account is not None:
            seen[account] = line  # in the file, even if this row is bad: items may refer to it
        if source.counter[0] != before or account is None:
            continue
        if values.get("blocked") is None and "blocked" in values:
            values["blocked"] = False
        values["attributes"] = {
            name: cells[source.index[name]].strip()
            for name in extra
            if cells[source.index[name]].strip()
        }
        if accounts.get(account) is None:
            new_rows.append(NEW_CUSTOMER | values | {"account_number": account})
        else:
            changed.append(values | {"key": account})
    if source.counter[0]:
        accounts.update(dict.fromkeys(seen))  # known to the items and reminders checks
        return
    if new_rows:
        _insert_customers(conn, new_rows)
    if changed:
        _update_customers(conn, changed, extra)
    accounts.update(conn.execute(select(customers.c.account_number, customers.c.id)).all())
    summary.customers_created += len(new_rows)
    summary.customers_updated += len(changed)


WRITTEN_CUSTOMER_COLUMNS = (
    "account_number", "name", "customer_group", "country", "status", "collector", "blocked",
    "credit_limit", "insurer_guarantee", "last_payment_date", "attributes",
)  # fmt: skip


def _insert_customers(conn: Connection, new_rows: list[dict[str, Any]]) -> None:
    """New customers as the database stores them (see _wire_item): COPY on PostgreSQL, one
    executemany on SQLite; attributes as the engine's JSON serializer writes them."""
    in_cents = conn.dialect.name == "sqlite"

    def money(amount: Decimal | None) -> Any:
        return None if amount is None else int(amount * 100) if in_cents else amount

    rows = [
        (
            r["account_number"],
            r["name"],
            r["customer_group"],
            r["country"],
            r["status"],
            r["collector"],
            bool(r["blocked"]),
            money(r["credit_limit"]),
            money(r["insurer_guarantee"]),
            None if r["last_payment_date"] is None else r["last_payment_date"].isoformat(),
            json.dumps(r["attributes"], ensure_ascii=False) if r["attributes"] else "{}",
        )
        for r in new_rows
    ]
    _insert_rows(conn, "customers", WRITTEN_CUSTOMER_COLUMNS, rows)


def _insert_rows(
    conn: Connection, table: str, columns: Sequence[str], rows: list[tuple[Any, ...]]
) -> None:
    """Rows of ready values: COPY on PostgreSQL, one executemany on SQLite."""
    if conn.dialect.name == "postgresql":
        driver = conn.connection.driver_connection
        assert driver is not None
        names = ", ".join(columns)
        with driver.cursor() as cursor, cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        return
    conn.exec_driver_sql(_insert_sql(conn, table, columns), rows)


def _insert_sql(conn: Connection, table: str, columns: Sequence[str]) -> str:
    """INSERT of one row of `columns` in the driver's parameter style."""
    marker = "?" if conn.dialect.paramstyle == "qmark" else "%s"
    markers = ", ".join([marker] * len(columns))
    return f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({markers})"


def _update_customers(conn: Connection, changed: list[dict[str, Any]], extra: list[str]) -> None:
    """Columns absent from the file keep their values; extra columns replace those attributes."""
    stored = dict(conn.execute(select(customers.c.account_number, customers.c.attributes)).all())
    for row in changed:
        merged = {k: v for k, v in (stored.get(row["key"]) or {}).items() if k not in extra}
        row["attributes"] = merged | row["attributes"]
    columns = [c for c in changed[0] if c != "key"]
    conn.execute(
        update(customers)
        .where(customers.c.account_number == bindparam("key"))
        .values({c: bindparam(c) for c in columns}),
        changed,
    )


def _load_items(
    conn: Connection,
    source: CsvFile,
    accounts: dict[str, int | None],
    summary: ImportSummary,
    *,
    upsert: bool,
) -> None:
    parsers: list[tuple[str, str, Callable[[str], Any]]] = [
        ("document_number", "document_number", parse_required),
        ("type", "type", _choice(ITEM_TYPES)),
        ("document_date", "document_date", parse_date),
        ("due_date", "due_date", parse_date),
        ("amount", "amount", parse_amount),
        ("open_amount", "open_amount", parse_amount),
        ("disputed", "disputed", parse_flag),
        ("ignored_in_collection", "ignored_in_collection", parse_flag),
    ]
    # The first load of an empty ledger on PostgreSQL: TRUNCATE lets the COPY write its rows
    # frozen (FREEZE), so the figures' scan and ANALYZE that follow find them final instead of
    # setting hint bits on every page. A ledger being replaced is DELETEd instead: TRUNCATE
    # would lock the table, and readers go on reading the old ledger until the import commits.
    first_load = (
        not upsert
        and conn.dialect.name == "postgresql"
        and conn.execute(select(items.c.id).limit(1)).first() is None
    )
    if first_load:
        conn.exec_driver_sql("TRUNCATE items")
    elif not upsert:
        conn.execute(delete(items))
    seen: set[int] = set()
    suspects: list[tuple[int, str, str]] = []
    batch: list[tuple[Any, ...]] = []  # rows as written: see _wire_item
    writing = source.counter[0] == 0
    mode = _item_mode(conn, upsert)
    fast: Callable[[list[str]], tuple[str, tuple[Any, ...]] | None] | None = None
    with _ItemsWriter(conn, upsert, freeze=first_load) as writer:
        for line, cells in source.rows():
            if fast is None:  # the header is read with the first row
                fast = _fast_item_reader(source.index, accounts, mode) or (lambda cells: None)
            quick = fast(cells)
            if quick is None:  # anything unusual takes the path that reports problems
                before = source.counter[0]
                account = _read(source, line, cells, "account_number", parse_required)
                row = {col: _read(source, line, cells, name, parse) for name, col, parse in parsers}
                _known_account(source, line, account, accounts)
                if (
                    row["open_amount"] is None
                    and "open_amount" in source.index
                    and not cells[source.index["open_amount"]].strip()
                ):
                    source.problem(line, "open_amount", "", "must not be empty")
                if source.counter[0] != before:
                    writing = False
                    continue
                quick = account, _wire_item(row, accounts[account], mode)
            account, item = quick
            known = len(seen)
            seen.add(hash((account, item[1])))
            if len(seen) == known:  # seen before (one set operation per item: 2M of them)
                suspects.append((line, account, item[1]))
                if writing:
                    writer.pause()  # _is_repeat may look at the items written so far
                    if _is_repeat(conn, batch, item[0], item[1], upsert):
                        writing = False  # a real duplicate: the import fails, so write nothing more
            if not writing:
                continue
            batch.append(item)
            if len(batch) >= BATCH:
                writer.write(batch)
                summary.items_loaded += len(batch)
                batch = []
        if suspects:
            _report_duplicates(source, suspects)
        if source.counter[0] == 0 and batch:
            writer.write(batch)
            summary.items_loaded += len(batch)


def _is_repeat(
    conn: Connection, batch: list[tuple[Any, ...]], customer_id: Any, document: Any, upsert: bool
) -> bool:
    """Whether a document whose hash was seen is really in this file already (rare: exact check).

    Without it, writing the batch would hit the unique constraint before the duplicate is
    reported. In replace mode every stored item was written by this import.
    """
    if any(r[0] == customer_id and r[1] == document for r in batch):
        return True
    if upsert:
        return False  # an earlier batch's row is only upserted again; the report rejects the file
    query = select(items.c.id).where(
        items.c.customer_id == customer_id, items.c.document_number == document
    )
    return conn.execute(query).first() is not None


# The item columns in the order of the rows written; values are already what the
# database stores (see _wire_item), so rows go to the driver as they are.
WRITTEN_ITEM_COLUMNS = (
    "customer_id", "document_number", "type", "document_date", "due_date", "amount",
    "open_amount", "disputed", "ignored_in_collection",
)  # fmt: skip
_FAST_AMOUNT = re.compile(rf"-?[0-9]{{1,{MAX_AMOUNT_DIGITS}}}\.[0-9]{{2}}").fullmatch
_FAST_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}").fullmatch
_FAST_FLAGS = {word: True for word in YES} | {word: False for word in NO}
_FAST_TYPES = {name: name for name in ITEM_TYPES}


def _item_mode(conn: Connection, upsert: bool) -> str:
    """How item rows are written: "text" lines for a PostgreSQL COPY, "cents" values for
    SQLite (storage.Money), else "values" for the driver."""
    if conn.dialect.name == "sqlite":
        return "cents"
    return "values" if upsert else "text"


_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _copy_text(value: Any) -> str:
    if value is None:
        return "\\N"
    if value is True or value is False:
        return "t" if value else "f"
    if isinstance(value, str):
        return value.translate(_COPY_ESCAPES)
    return str(value)


def _wire_item(row: dict[str, Any], customer_id: Any, mode: str) -> tuple[Any, ...]:
    """A parsed item as written (see _item_mode): ISO dates; amounts in integer cents on
    SQLite; in "text" mode (customer_id, document_number, the COPY line)."""

    def money(amount: Decimal | None) -> Any:
        return None if amount is None else int(amount * 100) if mode == "cents" else amount

    def day(value: date | None) -> str | None:
        return None if value is None else value.isoformat()

    values = (
        customer_id, row["document_number"], row["type"], day(row["document_date"]),
        day(row["due_date"]), money(row["amount"]), money(row["open_amount"]),
        bool(row["disputed"]), bool(row["ignored_in_collection"]),
    )  # fmt: skip
    if mode == "text":
        return customer_id, row["document_number"], "\t".join(map(_copy_text, values)) + "\n"
    return values


def _fast_item_reader(
    index: dict[str, int], accounts: dict[str, int | None], mode: str
) -> Callable[[list[str]], tuple[str, tuple[Any, ...]] | None] | None:
    """A reader for the common shape of an items line (clean values, ISO dates, amounts like
    -1234.56, lower-case yes/no); it returns None for any other line, which then takes the
    general path (same result, or the problems listed). None when a column is missing."""
    if any(name not in index for name in ITEM_COLUMNS):
        return None
    cells_of = operator.itemgetter(*(index[name] for name in ITEM_COLUMNS))
    amount_ok, date_ok, flags, types = _FAST_AMOUNT, _FAST_DATE, _FAST_FLAGS, _FAST_TYPES
    from_iso = date.fromisoformat
    good_dates: set[str] = set()  # a ledger has few distinct dates: each is checked once
    null = "\\N"  # COPY's NULL

    def real_date(text: str) -> bool:
        if date_ok(text) is None:
            return False
        try:
            from_iso(text)
        except ValueError:
            return False
        if len(good_dates) < 100_000:
            good_dates.add(text)
        return True

    def read(cells: list[str]) -> tuple[str, tuple[Any, ...]] | None:
        (account, document, kind, issued, due, amount, open_amount, disputed, ignored) = cells_of(
            cells
        )
        customer_id = accounts.get(account, _UNKNOWN)
        kind = types.get(kind)
        disputed, ignored = flags.get(disputed), flags.get(ignored)
        if (
            customer_id is _UNKNOWN or kind is None or disputed is None or ignored is None
            or not document or len(document) > 100 or document.strip() != document
            or not amount_ok(open_amount)
            or (amount and amount != open_amount and not amount_ok(amount))  # often the same
            or (issued and issued not in good_dates and not real_date(issued))
            or (due and due not in good_dates and not real_date(due))
        ):  # fmt: skip
            return None
        if mode == "text":
            if not document.isprintable() or "\\" in document:
                return None  # to be escaped: the general path does it
            return account, (
                customer_id, document,
                f"{customer_id}\t{document}\t{kind}\t{issued or null}\t{due or null}\t"
                f"{amount or null}\t{open_amount}\t{'t' if disputed else 'f'}\t"
                f"{'t' if ignored else 'f'}\n",
            )  # fmt: skip
        if mode == "cents":
            cents = int(amount.replace(".", "")) if amount else None
            return account, (
                customer_id, document, kind, issued or None, due or None, cents,
                int(open_amount.replace(".", "")), disputed, ignored,
            )  # fmt: skip
        return account, (
            customer_id, document, kind, issued or None, due or None, amount or None,
            open_amount, disputed, ignored,
        )  # fmt: skip

    return read


def _write_items(conn: Connection, batch: list[tuple[Any, ...]], upsert: bool) -> None:
    """Write rows as they are (_insert_rows), or upsert them by account and document."""
    if not upsert:
        _insert_rows(conn, "items", WRITTEN_ITEM_COLUMNS, batch)
        return
    changed = [c for c in WRITTEN_ITEM_COLUMNS if c not in ("customer_id", "document_number")]
    sql = _insert_sql(conn, "items", WRITTEN_ITEM_COLUMNS)
    sql += " ON CONFLICT (customer_id, document_number) DO UPDATE SET " + ", ".join(
        f"{c} = excluded.{c}" for c in changed
    )
    conn.exec_driver_sql(sql, batch)


@contextlib.contextmanager
def _checked_references(conn: Connection) -> Iterator[None]:
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


class _ItemsWriter:
    """Writes item rows: on PostgreSQL one COPY kept open across batches (the server loads
    while the file is read), paused before any other statement; else _write_items. The
    COPY runs in _checked_references."""

    def __init__(self, conn: Connection, upsert: bool, freeze: bool = False) -> None:
        self.conn = conn
        self.upsert = upsert
        self.copying = conn.dialect.name == "postgresql" and not upsert
        self.options = " WITH (FREEZE)" if freeze else ""  # the table was truncated just now
        self._open: contextlib.ExitStack | None = None
        self._copy: Any = None
        self._checked: contextlib.ExitStack | None = None

    def __enter__(self) -> _ItemsWriter:
        return self

    def __exit__(self, kind: object, error: BaseException | None, tb: object) -> None:
        self.pause(error)
        if self._checked is not None and error is None:
            self._checked.close()

    def write(self, batch: list[tuple[Any, ...]]) -> None:
        if not self.copying:
            _write_items(self.conn, batch, self.upsert)
            return
        if self._copy is None:
            if self._checked is None:
                self._checked = contextlib.ExitStack()
                self._checked.enter_context(_checked_references(self.conn))
            driver = self.conn.connection.driver_connection
            assert driver is not None
            stack = contextlib.ExitStack()
            cursor = stack.enter_context(driver.cursor())
            columns = ", ".join(WRITTEN_ITEM_COLUMNS)
            # A writer thread sends to the server while this one reads the file.
            writer = QueuedLibpqWriter(cursor)
            statement = f"COPY items ({columns}) FROM STDIN{self.options}"
            self._copy = stack.enter_context(cursor.copy(statement, writer=writer))
            self._open = stack
        try:
            self._copy.write("".join([row[2] for row in batch]))  # see _item_mode: "text"
        except BaseException as error:
            self.pause(error)
            raise

    def pause(self, error: BaseException | None = None) -> None:
        """End the open COPY (so that other statements can run); on an error, abandon it."""
        if self._open is not None:
            stack, self._open, self._copy = self._open, None, None
            if error is None:
                stack.close()
            else:
                stack.__exit__(type(error), error, error.__traceback__)


def _report_duplicates(source: CsvFile, suspects: list[tuple[int, str, str]]) -> None:
    """Second pass, only when hashes collided: find each real duplicate's first line."""
    wanted = {(account, document) for _, account, document in suspects}
    first: dict[tuple[str, str], int] = {}
    quiet = CsvFile(source.path, source.required, source.known, [], [0])
    for line, cells in quiet.rows():
        key = (
            cells[quiet.index["account_number"]].strip(),
            cells[quiet.index["document_number"]].strip(),
        )
        if key not in wanted:
            continue
        if key in first:
            source.problem(
                line,
                "document_number",
                key[1],
                f"document of account {key[0]} is already on line {first[key]}",
            )
        else:
            first[key] = line


def _load_reminders(
    conn: Connection,
    source: CsvFile,
    accounts: dict[str, int | None],
    summary: ImportSummary,
    logged_by: str | None,
) -> None:
    existing = set(
        conn.execute(
            select(reminders.c.customer_id, reminders.c.date, reminders.c.channel, reminders.c.note)
        )
    )
    rows: list[tuple[Any, ...]] = []
    channel = _choice(CHANNELS, default="EMAIL")
    for line, cells in source.rows():
        before = source.counter[0]
        account = _read(source, line, cells, "account_number", parse_required)
        when = _read(source, line, cells, "date", parse_date)
        how = _read(source, line, cells, "channel", channel) or "EMAIL"
        note = _read(source, line, cells, "note", parse_text)
        if when is None and "date" in source.index and not cells[source.index["date"]].strip():
            source.problem(line, "date", "", "must not be empty")
        _known_account(source, line, account, accounts)
        if source.counter[0] != before or source.counter[0]:
            continue
        key = (accounts[account], when, how, note)
        if key in existing:
            summary.reminders_skipped += 1
            continue
        existing.add(key)
        rows.append((key[0], when.isoformat(), how, note, logged_by))
    if rows and not source.counter[0]:
        _insert_rows(conn, "reminders", REMINDER_WRITTEN, rows)
        summary.reminders_added += len(rows)


REMINDER_WRITTEN = ("customer_id", "date", "channel", "note", "logged_by")
