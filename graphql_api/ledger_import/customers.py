"""The customers file: accounts added or updated by account number. Columns absent from the
file keep their stored values; columns the ledger does not know become the customer's
extra attributes."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Connection

from graphql_api.database import json_text
from graphql_api.ledger_import.csv_file import CsvFile
from graphql_api.ledger_import.values import (
    BadValue,
    memoized,
    parse_amount,
    parse_country,
    parse_date,
    parse_flag,
    parse_required,
    text_of_at_most,
)
from graphql_api.ledger_import.writers import (
    StreamedRows,
    wire_encoder,
    wire_function,
    written_columns,
)
from graphql_api.storage import customers
from graphql_api.text_folding import fold, fold_or_none

CUSTOMER_COLUMNS = (
    "account_number", "name", "group", "country", "status", "collector", "blocked",
    "credit_limit", "insurer_guarantee", "last_payment_date",
)  # fmt: skip
REQUIRED = ("account_number",)
# file column → (table column, parser)
CUSTOMER_FIELDS: dict[str, tuple[str, Callable[[str], Any]]] = {
    "name": ("name", text_of_at_most(300)),
    "group": ("customer_group", memoized(text_of_at_most(200))),
    "country": ("country", memoized(parse_country)),
    "status": ("status", memoized(text_of_at_most(200))),
    "collector": ("collector", memoized(text_of_at_most(200))),
    "blocked": ("blocked", memoized(parse_flag)),
    "credit_limit": ("credit_limit", memoized(parse_amount)),
    "insurer_guarantee": ("insurer_guarantee", memoized(parse_amount)),
    "last_payment_date": ("last_payment_date", memoized(parse_date)),
}
NEW_CUSTOMER = {column: None for column, _ in CUSTOMER_FIELDS.values()} | {
    "blocked": False, "name_key": None,
}  # fmt: skip

_wire_customer = wire_encoder(customers)


def load_customers(
    conn: Connection, source: CsvFile, accounts: dict[str, int | None]
) -> tuple[int, int]:
    """Load the customers file; (created, updated). Every account of the file is added to
    `accounts` (with no id when the import has problems), for the items and reminders."""
    seen: dict[str, int] = {}
    new_rows = StreamedRows(conn, customers)  # written as they come, in the file's order
    created = 0
    changed: list[tuple[Any, ...]] = []  # stored customers' rows, as new ones are written
    extra: list[str] = []
    fields: list[tuple[str, str, Callable[[str], Any]]] | None = None
    fast: Callable[[list[str]], tuple[Any, ...] | None] = _general
    try:
        for line, cells in source.rows():
            if fields is None:  # the header is read with the first row
                extra = [name for name in source.header if name.lower() not in CUSTOMER_COLUMNS]
                fields = [(name, column, parse) for name, (column, parse)
                          in CUSTOMER_FIELDS.items() if name in source.index]  # fmt: skip
                fast = _fast_customer(source, extra)
            row = fast(cells) if source.log.total == 0 else None
            account = None if row is None else row[0]  # written_columns begin with it
            if account is None or account in seen:
                row = _read_customer(source, line, cells, fields, extra, seen)
                account = None if row is None else row[0]
            else:
                seen[account] = line
            if row is None or source.log.total:
                continue
            if accounts.get(account) is None:
                new_rows.add(row)
                created += 1
            else:
                changed.append(row)
        new_rows.close()
    except BaseException as error:
        new_rows.abandon(error)
        raise
    if source.log.total:
        accounts.update(dict.fromkeys(seen))  # known to the items and reminders checks
        return 0, 0
    if changed:
        assert fields is not None
        updated = [column for _, column, _ in fields]
        if "name" in source.index:
            updated.append("name_key")  # what search and NAME order read (SPEC §8)
        _update_customers(conn, changed, [*updated, "attributes"], extra)
    accounts.update(conn.execute(select(customers.c.account_number, customers.c.id)).all())
    return created, len(changed)


def _read_customer(
    source: CsvFile,
    line: int,
    cells: list[str],
    fields: list[tuple[str, str, Callable[[str], Any]]],
    extra: list[str],
    seen: dict[str, int],
) -> tuple[Any, ...] | None:
    """The general path: the customer's row in wire form, as a new customer would be
    written; None when the line has problems (reported)."""
    before = source.log.total
    account = source.read(line, cells, "account_number", parse_required)
    values = {column: source.read(line, cells, name, parse) for name, column, parse in fields}
    if account is not None and account in seen:
        source.problem(
            line, "account_number", account, f"this account is already on line {seen[account]}"
        )
    elif account is not None:
        seen[account] = line  # in the file, even if this row is bad: items may refer to it
    if source.log.total != before or account is None:
        return None
    if values.get("blocked") is None and "blocked" in values:
        values["blocked"] = False
    if "name" in values:  # what search and NAME order read (SPEC §8)
        values["name_key"] = fold_or_none(values["name"])
    values["attributes"] = {
        name: cells[source.index[name]].strip()
        for name in extra
        if cells[source.index[name]].strip()
    }
    new = NEW_CUSTOMER | values | {"account_number": account, "account_key": fold(account)}
    return _wire_customer(new)


def _general(cells: list[str]) -> None:
    return None


_MISSING = object()


def _fast_customer(
    source: CsvFile, extra: list[str]
) -> Callable[[list[str]], tuple[Any, ...] | None]:
    """A reader of a line that the general path reads without a problem, giving the row
    that path gives (in wire form); None for any other line.

    The general path costs some 15 microseconds a line (a parser call per cell, a dict per
    row, its wire encoding); here a cell of a column with few distinct values is one
    dictionary lookup of its wire value."""
    index = source.index
    columns = written_columns(customers)
    if columns[0] != "account_number":  # load_customers reads the account there
        return _general
    blank = {"account_number": "", "attributes": {}, "account_key": None}
    template = list(_wire_customer(NEW_CUSTOMER | blank))
    slot = {column: columns.index(column) for column in columns}
    name_at = index.get("name")
    cached = [
        (index[name], slot[column], {}, parse, wire_function(customers.c[column].type))
        for name, (column, parse) in CUSTOMER_FIELDS.items()
        if name in index and name != "name"
    ]
    account_at, account_slot = index["account_number"], slot["account_number"]
    name_slot, key_slot = slot["name"], slot["name_key"]
    attributes_slot, account_key_slot = slot["attributes"], slot["account_key"]
    extra_at = [(name, index[name]) for name in extra]
    attributes: dict[tuple[str, ...], str] = {}

    def read(cells: list[str]) -> tuple[Any, ...] | None:
        account = cells[account_at]
        if not account or len(account) > 100 or account.strip() != account:
            return None
        row = template.copy()
        row[account_slot] = account
        row[account_key_slot] = fold(account)
        if name_at is not None:
            name = cells[name_at].strip() or None
            if name is not None and len(name) > 300:
                return None
            row[name_slot], row[key_slot] = name, fold_or_none(name)
        for position, at, values, parse, wire in cached:
            raw = cells[position]
            value = values.get(raw, _MISSING)
            if value is _MISSING:
                try:
                    value = wire(parse(raw))
                except BadValue:
                    return None
                if len(values) < 10_000:
                    values[raw] = value
            row[at] = value
        if extra_at:
            raws = tuple([cells[position] for _, position in extra_at])
            text = attributes.get(raws)
            if text is None:
                pairs = zip([name for name, _ in extra_at], raws, strict=True)
                text = json_text({name: raw.strip() for name, raw in pairs if raw.strip()})
                if len(attributes) < 10_000:
                    attributes[raws] = text
            row[attributes_slot] = text
        return tuple(row)

    return read


def _update_customers(
    conn: Connection, changed: list[tuple[Any, ...]], columns: list[str], extra: list[str]
) -> None:
    """Write `columns` of the `changed` rows (in wire form, as new customers' rows) over the
    stored customers of their accounts: columns absent from the file keep their values;
    extra columns replace those attributes.

    Only the rows whose values differ from the stored ones are written (a nightly file
    repeats most customers as they are), by one UPDATE run by the driver with the values in
    wire form (through SQLAlchemy's per-row parameter processing, 100,000 rows took
    some 1.4 s more).
    """
    stored = {
        account: values
        for account, *values in conn.exec_driver_sql(
            f"SELECT account_number, {', '.join(columns)} FROM customers"
        )
    }
    written = written_columns(customers)
    slots = [written.index(column) for column in columns]
    at = columns.index("attributes")
    merged = _AttributesMerge(extra)
    rows = []
    for row in changed:
        account = row[0]
        old = stored[account]
        new = [row[slot] for slot in slots]
        new[at] = merged(old[at], new[at])
        # Stored and wire values compare equal on SQLite (PostgreSQL's driver gives typed
        # values: there every row is written).
        if old != new:
            new.append(account)
            rows.append(new)
    if not rows:
        return
    marker = "?" if conn.dialect.paramstyle == "qmark" else "%s"
    assignments = ", ".join(f"{column} = {marker}" for column in columns)
    conn.exec_driver_sql(
        f"UPDATE customers SET {assignments} WHERE account_number = {marker}",
        [tuple(row) for row in rows],
    )


class _AttributesMerge:
    """A stored customer's attributes after the file's: the file's extra columns replace
    those attributes, the others are kept (before the file's, in their order). A ledger has
    few distinct attribute sets: on SQLite, where they are read as text, each pair of texts
    is merged once."""

    def __init__(self, extra: list[str]) -> None:
        self.extra = set(extra)
        self.known: dict[tuple[str, str], str] = {}

    def __call__(self, stored: str | dict[str, Any], text: str) -> str:
        if stored == "{}":  # the file's extra columns are the customer's attributes
            return text
        key = (stored, text) if isinstance(stored, str) else None
        if key is not None and key in self.known:
            return self.known[key]
        attributes = stored if isinstance(stored, dict) else json.loads(stored)
        kept = {name: value for name, value in attributes.items() if name not in self.extra}
        result = json_text(kept | json.loads(text)) if kept else text
        if key is not None and len(self.known) < 10_000:
            self.known[key] = result
        return result


def known_account(
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
