"""Loading ERP CSV exports into the ledger (SPEC §6): all or nothing.

Files are streamed (a 2M-line items file is never held in memory). Every bad
value is reported with its line and column; if there is any, the transaction
is rolled back and the database is exactly as it was.
"""

from __future__ import annotations

import csv
import io
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, bindparam, delete, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection
from tqdm import tqdm

from graphql_api.figures import refresh_figures
from graphql_api.storage import CENT, MAX_AMOUNT, customers, items, reminders, write_transaction

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
        where = f"{self.file}, line {self.line}" + (f", column {self.column}" if self.column else "")
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
                self.problem(
                    self._line, None, None,
                    f"the file is not UTF-8 (byte 0x{error.object[error.start]:02X}): "
                    "save it as UTF-8",
                )  # fmt: skip
            except csv.Error as error:
                self.problem(self._line, None, None, f"unreadable CSV: {error}")

    _line = 0

    def _rows(self, handle: io.TextIOBase, bar: tqdm) -> Iterator[tuple[int, list[str]]]:
        first = handle.readline()
        if not first.strip():
            self.problem(1, None, None, "the file is empty: expected a header row")
            return
        try:
            delimiter = csv.Sniffer().sniff(first, delimiters=",;").delimiter
        except csv.Error:
            delimiter = ","
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
        counted = _count_chars(handle, bar, len(first))
        reader = csv.reader(counted, delimiter=delimiter)
        line = 1
        for cells in reader:
            line_start = line + 1
            line = reader.line_num + 1
            self._line = line
            if not cells or (len(cells) == 1 and not cells[0].strip()):
                continue
            if len(cells) > width:
                self.problem(line_start, None, None, f"{len(cells)} cells, but the header has {width}")
                continue
            if len(cells) < width:
                cells.extend([""] * (width - len(cells)))
            yield line_start, cells

    def _progress(self) -> tqdm:
        size = self.path.stat().st_size if self.path.exists() else 0
        return tqdm(
            total=size, unit="B", unit_scale=True, desc=self.path.name, leave=False,
            disable=not (self.show_progress and sys.stderr.isatty()),
        )  # fmt: skip


def _count_chars(handle: io.TextIOBase, bar: tqdm, done: int) -> Iterator[str]:
    bar.update(done)
    pending = 0
    for text in handle:
        pending += len(text)
        if pending > 1 << 20:
            bar.update(pending)
            pending = 0
        yield text
    bar.update(pending)


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
    """Load the given files in one transaction; raise ImportFailed (changing nothing) on any problem."""
    problems: list[ImportProblem] = []
    counter = [0]
    summary = ImportSummary()
    with write_transaction(engine) as conn:
        accounts = dict(conn.execute(select(customers.c.account_number, customers.c.id)).all())
        if customers_file is not None:
            source = CsvFile(customers_file, ("account_number",), CUSTOMER_COLUMNS, problems, counter, show_progress)
            _load_customers(conn, source, accounts, summary)
        if items_file is not None:
            source = CsvFile(items_file, ("account_number", "document_number", "type", "open_amount"), ITEM_COLUMNS, problems, counter, show_progress)
            _load_items(conn, source, accounts, summary, upsert=upsert_items)
        if reminders_file is not None:
            source = CsvFile(reminders_file, ("account_number", "date"), REMINDER_COLUMNS, problems, counter, show_progress)
            _load_reminders(conn, source, accounts, summary, logged_by)
        if counter[0]:
            conn.rollback()
            raise ImportFailed(problems, counter[0])
        refresh_figures(conn, today)
    return summary


def _read(source: CsvFile, line: int, cells: list[str], column: str, parse: Callable[[str], Any]) -> Any:
    position = source.index.get(column)
    if position is None:
        return None
    raw = cells[position]
    try:
        return parse(raw)
    except BadValue as error:
        source.problem(line, column, raw, str(error))
        return None


CUSTOMER_FIELDS: dict[str, tuple[str, Callable[[str], Any]]] = {
    "name": ("name", parse_text),
    "group": ("customer_group", parse_text),
    "country": ("country", parse_country),
    "status": ("status", parse_text),
    "collector": ("collector", parse_text),
    "blocked": ("blocked", parse_flag),
    "credit_limit": ("credit_limit", parse_amount),
    "insurer_guarantee": ("insurer_guarantee", parse_amount),
    "last_payment_date": ("last_payment_date", parse_date),
}
NEW_CUSTOMER = {column: None for column, _ in CUSTOMER_FIELDS.values()} | {"blocked": False}


def _load_customers(
    conn: Connection, source: CsvFile, accounts: dict[str, int | None], summary: ImportSummary
) -> None:
    seen: dict[str, int] = {}
    new_rows: list[dict[str, Any]] = []
    changed: list[dict[str, Any]] = []
    extra: list[str] = []
    for line, cells in source.rows():
        extra = [name for name in source.header if name.lower() not in CUSTOMER_COLUMNS]
        before = source.counter[0]
        account = _read(source, line, cells, "account_number", parse_required)
        values = {
            column: _read(source, line, cells, name, parse)
            for name, (column, parse) in CUSTOMER_FIELDS.items()
            if name in source.index
        }
        if account is not None and account in seen:
            source.problem(
                line, "account_number", account, f"this account is already on line {seen[account]}"
            )
        if source.counter[0] != before or account is None:
            continue
        seen[account] = line
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
        conn.execute(insert(customers), new_rows)
    if changed:
        _update_customers(conn, changed, extra)
    accounts.update(conn.execute(select(customers.c.account_number, customers.c.id)).all())
    summary.customers_created += len(new_rows)
    summary.customers_updated += len(changed)


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


def _load_items(conn: Connection, source: CsvFile, accounts: dict[str, int | None], summary: ImportSummary, *, upsert: bool) -> None:
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
    if not upsert:
        conn.execute(delete(items))
    seen: set[int] = set()
    suspects: list[tuple[int, str, str]] = []
    batch: list[dict[str, Any]] = []
    writing = source.counter[0] == 0
    for line, cells in source.rows():
        before = source.counter[0]
        account = _read(source, line, cells, "account_number", parse_required)
        row = {column: _read(source, line, cells, name, parse) for name, column, parse in parsers}
        if account is not None and account not in accounts:
            source.problem(line, "account_number", account, "unknown account: not in the ledger nor in the customers file")
        if row["open_amount"] is None and "open_amount" in source.index and source.counter[0] == before:
            source.problem(line, "open_amount", "", "must not be empty")
        if source.counter[0] != before:
            writing = False
            continue
        key = hash((account, row["document_number"]))
        if key in seen:
            suspects.append((line, account, row["document_number"]))
        seen.add(key)
        if not writing:
            continue
        row["customer_id"] = accounts[account]
        row["disputed"] = bool(row["disputed"])
        row["ignored_in_collection"] = bool(row["ignored_in_collection"])
        batch.append(row)
        if len(batch) >= BATCH:
            _write_items(conn, batch, upsert)
            summary.items_loaded += len(batch)
            batch = []
    if suspects:
        _report_duplicates(source, suspects)
    if source.counter[0] == 0 and batch:
        _write_items(conn, batch, upsert)
        summary.items_loaded += len(batch)


def _write_items(conn: Connection, batch: list[dict[str, Any]], upsert: bool) -> None:
    if not upsert:
        conn.execute(insert(items), batch)
        return
    dialect_insert = postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert
    statement = dialect_insert(items)
    statement = statement.on_conflict_do_update(
        index_elements=["customer_id", "document_number"],
        set_={c: statement.excluded[c] for c in batch[0] if c not in ("customer_id", "document_number")},
    )
    conn.execute(statement, batch)


def _report_duplicates(source: CsvFile, suspects: list[tuple[int, str, str]]) -> None:
    """Second pass, only when hashes collided: find each real duplicate's first line."""
    wanted = {(account, document) for _, account, document in suspects}
    first: dict[tuple[str, str], int] = {}
    quiet = CsvFile(source.path, source.required, source.known, [], [0])
    for line, cells in quiet.rows():
        key = (cells[quiet.index["account_number"]].strip(), cells[quiet.index["document_number"]].strip())
        if key not in wanted:
            continue
        if key in first:
            source.problem(line, "document_number", key[1], f"document of account {key[0]} is already on line {first[key]}")
        else:
            first[key] = line


def _load_reminders(conn: Connection, source: CsvFile, accounts: dict[str, int | None], summary: ImportSummary, logged_by: str | None) -> None:
    existing = set(
        conn.execute(select(reminders.c.customer_id, reminders.c.date, reminders.c.channel, reminders.c.note))
    )
    rows: list[dict[str, Any]] = []
    channel = _choice(CHANNELS, default="EMAIL")
    for line, cells in source.rows():
        before = source.counter[0]
        account = _read(source, line, cells, "account_number", parse_required)
        when = _read(source, line, cells, "date", parse_date)
        how = _read(source, line, cells, "channel", channel) or "EMAIL"
        note = _read(source, line, cells, "note", parse_text)
        if when is None and source.counter[0] == before:
            source.problem(line, "date", "", "must not be empty")
        if account is not None and account not in accounts:
            source.problem(line, "account_number", account, "unknown account: not in the ledger nor in the customers file")
        if source.counter[0] != before or source.counter[0]:
            continue
        key = (accounts[account], when, how, note)
        if key in existing:
            summary.reminders_skipped += 1
            continue
        existing.add(key)
        rows.append({"customer_id": key[0], "date": when, "channel": how, "note": note, "logged_by": logged_by})
    if rows and not source.counter[0]:
        conn.execute(insert(reminders), rows)
        summary.reminders_added += len(rows)
