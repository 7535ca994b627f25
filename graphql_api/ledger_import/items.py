"""The items file: a snapshot that replaces the ledger's items, or with `upsert` adds and
updates items by account and document number. Each document appears once per account."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from functools import partial
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from graphql_api.ledger_import.bulk import delete_all
from graphql_api.ledger_import.csv_file import CsvFile
from graphql_api.ledger_import.customers import known_account
from graphql_api.ledger_import.item_blocks import (
    BLOCK_WIDTH,
    item_block_cells,
    item_block_insert,
    item_block_reader,
)
from graphql_api.ledger_import.item_lines import (
    ItemRow,
    LineReader,
    fast_item_reader,
    item_row,
)
from graphql_api.ledger_import.problems import ProblemLog
from graphql_api.ledger_import.values import (
    ITEM_TYPES,
    choice,
    parse_amount,
    parse_date,
    parse_flag,
    parse_required,
)
from graphql_api.ledger_import.writers import ItemsWriter
from graphql_api.storage import items

REQUIRED = ("account_number", "document_number", "type", "open_amount")
BATCH = 5000
UNIQUE_VIOLATION = "23505"  # PostgreSQL's SQLSTATE
PARSERS: dict[str, Callable[[str], Any]] = {
    "document_number": parse_required,
    "type": choice(ITEM_TYPES),
    "document_date": parse_date,
    "due_date": parse_date,
    "amount": parse_amount,
    "open_amount": parse_amount,
    "disputed": parse_flag,
    "ignored_in_collection": parse_flag,
}


def load_items(
    conn: Connection,
    source: CsvFile,
    accounts: dict[str, int | None],
    *,
    upsert: bool,
) -> int:
    """Load the items file; the number of items written (none when the import has problems)."""
    # The first load of an empty ledger on PostgreSQL: TRUNCATE lets the COPY write its rows
    # frozen (FREEZE), so the figures' scan and ANALYZE that follow find them final instead of
    # setting hint bits on every page. A ledger being replaced is deleted instead (delete_all):
    # TRUNCATE would lock the table, and readers go on reading the old ledger until the import
    # commits.
    first_load = (
        not upsert
        and conn.dialect.name == "postgresql"
        and conn.execute(select(items.c.id).limit(1)).first() is None
    )
    if first_load:
        conn.exec_driver_sql("TRUNCATE items")
    elif not upsert:
        delete_all(conn, items)
    # Duplicates: the unique key refuses them, and only a failing import looks for their
    # lines, where a refused statement leaves the transaction usable (SQLite, replacing) or
    # where the key is added after the load (PostgreSQL's first load: see keyed_after_load).
    # A COPY into a keyed table would abort the transaction, and an upsert would not refuse
    # them: those are checked line by line.
    by_index = not upsert and (conn.dialect.name == "sqlite" or first_load)
    seen = None if by_index else SeenDocuments()
    refused = False
    suspects: list[tuple[int, str, str]] = []
    batch: list[ItemRow] = []
    writing = source.log.total == 0
    fast: LineReader | None = None
    loaded = 0
    with ItemsWriter(conn, upsert, freeze=first_load) as writer:
        # Clean blocks are written whole where no line needs a look of its own (no document
        # is checked against the items written so far).
        blocks = _BlockWriter(writer, source, accounts)
        offered = blocks.take if seen is None and writing else None
        for line, cells in source.rows(offered):
            if fast is None:  # the header is read with the first row
                fast = fast_item_reader(source.index, accounts, writer.copying) or _general
                refused = blocks.refused  # then nothing more is written
                writing = writing and not refused
            quick = fast(cells) or _parse_item(source, line, cells, accounts, writer.copying)
            if quick is None:
                writing = False
                continue
            account, item = quick
            if seen is not None and seen.seen_before(account, item[1]):
                suspects.append((line, account, item[1]))
                if writing:
                    writer.pause()  # _is_repeat may look at the items written so far
                    if _is_repeat(conn, batch, item[0], item[1], upsert):
                        writing = False  # a real duplicate: the import fails, so write nothing more
            if not writing:
                continue
            batch.append(item)
            if len(batch) >= BATCH:
                refused = not _write(writer, batch, by_index)
                writing = not refused
                loaded += len(batch)
                batch = []
        refused = refused or blocks.refused  # when every line came in blocks
        if source.log.total == 0 and batch and not refused:
            refused = not _write(writer, batch, by_index)
            loaded += len(batch)
        loaded += blocks.loaded
        if by_index and (refused or source.log.total):
            suspects = _duplicate_suspects(source)
        if suspects:
            _report_duplicates(source, suspects)
        if refused and not source.log.total:  # not expected: the file's pairs are all distinct
            source.problem(0, "document_number", None, "a document appears twice for an account")
    return loaded


@contextlib.contextmanager
def keyed_after_load(conn: Connection, source: CsvFile) -> Iterator[None]:
    """Run the block (load_items and the adding of the items' keys after it) in a savepoint on
    PostgreSQL: a first load writes its rows without the unique key, and a document repeated
    in the file fails the key's ADD CONSTRAINT. Then the block is undone back to the
    savepoint, so that the import can go on reading its other files for problems, and a
    second pass over the file names the duplicates' lines (load_items has already looked
    for them when the file had other problems)."""
    if conn.dialect.name != "postgresql":
        yield
        return
    savepoint = conn.begin_nested()
    try:
        yield
    except IntegrityError as error:
        if getattr(error.orig, "sqlstate", None) != UNIQUE_VIOLATION:
            raise
        savepoint.rollback()
        if source.log.total == 0:
            _report_duplicates(source, _duplicate_suspects(source))
        if source.log.total == 0:  # not expected: the key found what the file does not hold
            source.problem(0, "document_number", None, "a document appears twice for an account")
        return
    savepoint.commit()


class _BlockWriter:
    """Takes the blocks of the file that item_blocks reads: into the COPY on PostgreSQL, by
    multi-row INSERTs on SQLite. A block that the unique key refuses (a document repeated)
    is not taken, nor any after it (`refused`): the import fails, and the lines from there
    are only read for their problems."""

    def __init__(self, writer: ItemsWriter, source: CsvFile, accounts: dict[str, int | None]):
        self.writer, self.source, self.accounts = writer, source, accounts
        self.read: Callable[[str], tuple[Any, int] | None] | None = None
        self.loaded = 0
        self.refused = False

    def take(self, block: str) -> bool:
        if self.read is None:  # the header is read before the first block
            source = self.source
            make = item_block_reader if self.writer.copying else item_block_cells
            read = make(source.header, source.delimiter, source.line_end, self.accounts)
            self.read = read or _no_block
        taken = None if self.refused else self.read(block)
        if taken is None:
            return False
        rows, lines = taken
        if self.writer.copying:
            self.writer.write_text(rows)
        else:
            write = partial(self.writer.write_cells, item_block_insert, rows, BLOCK_WIDTH)
            if _refused_by_key(write):
                self.refused = True
                return False
        self.loaded += lines
        return True


def _no_block(block: str) -> None:
    """The block reader when the file's header or delimiter rules blocks out."""
    return None


def _write(writer: ItemsWriter, batch: list[ItemRow], by_index: bool) -> bool:
    """Write `batch`; False when the unique index refused a duplicate (`by_index`)."""
    if not by_index:
        writer.write(batch)
        return True
    return not _refused_by_key(partial(writer.write, batch))


def _refused_by_key(write: Callable[[], object]) -> bool:
    """Run `write`; True when the items' unique key refused a duplicate document (SQLite
    undoes the refused statement, and the transaction goes on)."""
    try:
        write()
    except IntegrityError as error:
        if "UNIQUE" not in str(error.orig):
            raise
        return True
    return False


def _duplicate_suspects(source: CsvFile) -> list[tuple[int, str, str]]:
    """(line, account, document) of the lines whose pair's hash was met before (a pass over
    the file, on the way to a rejection); _report_duplicates keeps the real ones."""
    seen = SeenDocuments()
    quiet = CsvFile(source.path, source.required, source.known, ProblemLog())
    suspects = []
    for line, cells in quiet.rows():
        account = cells[quiet.index["account_number"]].strip()
        document = cells[quiet.index["document_number"]].strip()
        if seen.seen_before(account, document):
            suspects.append((line, account, document))
    return suspects


class SeenDocuments:
    """The (account, document) pairs of the file so far, as 8-byte hashes in 65,536 byte
    strings: 2M items take 16 MB here, where a set of their hashes took some 150 MB of the
    import's peak memory. A pair found may still be another's hash (rare): the caller
    checks it exactly, as it did with the set."""

    BUCKETS = 1 << 16

    def __init__(self) -> None:
        self._buckets = [bytearray() for _ in range(self.BUCKETS)]

    def seen_before(self, account: str, document: str) -> bool:
        """Whether the pair's hash was met before; remembered from now on."""
        code = hash((account, document)) & 0xFFFF_FFFF_FFFF_FFFF
        bucket = self._buckets[code & 0xFFFF]
        key = code.to_bytes(8, "little")
        if bucket.find(key) >= 0:  # the bytes at another offset would be a rare false alarm
            return True
        bucket += key
        return False


def _general(cells: list[str]) -> None:
    """The fast path's stand-in when the file's shape rules it out: every line is parsed."""
    return None


def _parse_item(
    source: CsvFile,
    line: int,
    cells: list[str],
    accounts: dict[str, int | None],
    as_copy_line: bool,
) -> tuple[str, ItemRow] | None:
    """The general path: (account, row) of a line, or None when it has problems (reported)."""
    before = source.log.total
    account = source.read(line, cells, "account_number", parse_required)
    values = {column: source.read(line, cells, column, parse) for column, parse in PARSERS.items()}
    known_account(source, line, account, accounts)
    if (
        values["open_amount"] is None
        and "open_amount" in source.index
        and not cells[source.index["open_amount"]].strip()
    ):
        source.problem(line, "open_amount", "", "must not be empty")
    if source.log.total != before:
        return None
    return account, item_row(values, accounts[account], as_copy_line)


def _is_repeat(
    conn: Connection, batch: list[ItemRow], customer_id: Any, document: Any, upsert: bool
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


def _report_duplicates(source: CsvFile, suspects: list[tuple[int, str, str]]) -> None:
    """Second pass, only when hashes collided: find each real duplicate's first line."""
    wanted = {(account, document) for _, account, document in suspects}
    first: dict[tuple[str, str], int] = {}
    quiet = CsvFile(source.path, source.required, source.known, ProblemLog())
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
