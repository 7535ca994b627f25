"""Whole blocks of clean items lines turned into rows at once: COPY text for PostgreSQL's first
load, the cells of a multi-row INSERT for SQLite's loads that replace the items.

The fast path of item_lines.py still costs a few microseconds of Python per line (the csv
module's cells, a dozen checks, a formatted row): on the 2M-item ledger that was most of
the import's Python time. A block of a few thousand lines of the file's most common shape
(comma-separated, no quotes, ISO dates, plain amounts, flags the server reads as the ledger
does) is checked by one regular expression and rewritten by a few string operations over
the whole block; only the account's id is looked up per line.

A block with any other line is refused: the caller reads it, and the rest of the file,
line by line as before, which gives the same rows or reports the problems. So a block is
taken only when every line of it is one the general path would store exactly as written
here (see fast_item_reader).
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable
from typing import Any

from graphql_api.ledger_import.item_lines import ITEM_COLUMNS
from graphql_api.ledger_import.values import ITEM_TYPES, NO, YES
from graphql_api.ledger_import.writers import written_columns
from graphql_api.money import MAX_AMOUNT_DIGITS
from graphql_api.storage import items

BlockReader = Callable[[str], tuple[str, int] | None]
BlockCells = Callable[[str], tuple[tuple[Any, ...], int] | None]
BlockCheck = Callable[[str], re.Match[str] | None]

# A document number as written: printable ASCII but for the characters a block's rewriting
# or the CSV would change (comma, quote, period, backslash), no space at either end, at
# most 100 characters (the column's length).
_DOCUMENT_CHARACTER = r"[!#-+\-/-\[\]-~]"
_DOCUMENT = rf"{_DOCUMENT_CHARACTER}(?:[ !#-+\-/-\[\]-~]{{0,98}}{_DOCUMENT_CHARACTER})?"
# A real date of years 1 to 9999, as date.fromisoformat reads it (a block with an
# impossible date such as 2025-02-29 is refused, and the general path reports it).
_LEAP_YEAR = r"(?:[0-9]{2}(?:0[48]|[2468][048]|[13579][26])|(?:[02468][048]|[13579][26])00)"
_REAL_DATE = (
    r"(?!0000)(?:[0-9]{4}-(?:(?:0[1-9]|1[0-2])-(?:0[1-9]|1[0-9]|2[0-8])"
    r"|(?:0[13-9]|1[0-2])-(?:29|30)|(?:0[13578]|1[02])-31)"
    rf"|{_LEAP_YEAR}-02-29)"
)
_AMOUNT = rf"-?[0-9]{{1,{MAX_AMOUNT_DIGITS}}}\.[0-9]{{2}}"
# Flags in words that both the ledger (values.YES / NO) and PostgreSQL's boolean input read
# alike; an empty flag means "no" to the ledger but NULL to COPY: not in a block.
_SERVER_FLAGS = ("yes", "no", "true", "false", "y", "n", "1", "0")
assert all(word in YES or word in NO for word in _SERVER_FLAGS)
_FLAG = "(?:" + "|".join(_SERVER_FLAGS) + ")"
_TYPE = "(?:" + "|".join(ITEM_TYPES) + ")"
_AFTER_ACCOUNT = (
    rf",{_DOCUMENT},{_TYPE},(?:{_REAL_DATE})?,(?:{_REAL_DATE})?,"
    rf"(?:{_AMOUNT})?,{_AMOUNT},{_FLAG},{_FLAG}"
)
_LINE = rf'[^,\r\n"]+{_AFTER_ACCOUNT}'
# item_block_cells takes the periods out of a whole block (the amounts') before it looks the
# accounts up: its blocks have none in an account either.
_DOTLESS_ACCOUNT_LINE = rf'[^,.\r\n"]+{_AFTER_ACCOUNT}'
# The columns a block's lines give, in the table's order: the fast path's (document_key,
# written NULL, is only set for a document that is not ASCII).
_BLOCK_ORDER = ("customer_id", *ITEM_COLUMNS[1:], "document_key")


def _clean_blocks(
    header: list[str], delimiter: str, line_end: str, line: str = _LINE
) -> BlockCheck | None:
    """The check of a block of whole lines (each ending in `line_end`, the header's) of the
    pattern `line`; None when the file's header or delimiter rules blocks out."""
    if (
        delimiter != ","
        or [name.lower() for name in header] != list(ITEM_COLUMNS)
        or written_columns(items) != _BLOCK_ORDER
        or line_end not in ("\n", "\r\n")
    ):
        return None
    return re.compile(rf"(?:{line}{re.escape(line_end)})*").fullmatch


def item_block_reader(
    header: list[str], delimiter: str, line_end: str, accounts: dict[str, int | None]
) -> BlockReader | None:
    """A reader of blocks of whole lines giving (their COPY text, their number of lines), or
    None for a block it does not take; None when the file rules blocks out (_clean_blocks)."""
    clean = _clean_blocks(header, delimiter, line_end)
    if clean is None:
        return None
    ids = {account: str(id_) for account, id_ in accounts.items() if id_ is not None}
    first_cell = operator.methodcaller("partition", ",")

    def read(block: str) -> tuple[str, int] | None:
        if clean(block) is None:
            return None
        lines = block.split(line_end)
        lines.pop()  # after the last line's end
        try:
            rows = [ids[account] + comma + rest for account, comma, rest in map(first_cell, lines)]
        except KeyError:  # an account unknown, or refused by this import: the general path
            return None
        rows.append("")
        # The periods are the amounts' (a document has none): their cents. Then the empty
        # cells (dates, amount) are NULL, and the cells are COPY's.
        text = "\t\\N\n".join(rows).replace(".", "")
        text = text.replace(",,", ",\\N,").replace(",,", ",\\N,").replace(",", "\t")
        return text, len(lines)

    return read


# The cells of a block's line as item_block_cells gives them: the account's id, then the
# file's text of the other columns with the amounts' periods taken out (their cents), but
# the flags, which are the ledger's booleans.
_ACCOUNT, _DISPUTED, _IGNORED = (ITEM_COLUMNS.index(name) for name in (
    "account_number", "disputed", "ignored_in_collection"))  # fmt: skip
BLOCK_WIDTH = len(ITEM_COLUMNS)
# What SQLite makes of them, in _BLOCK_ORDER: an empty date or amount is NULL, CAST reads an
# amount's cents as the line-by-line path does ("-000" and "00750" as 0 and 750), and a
# document in a block is ASCII: no folded key. (Measured on the 2M items: these conversions
# cost little beside the INSERT's own work; a REPLACE of the periods here cost 1 s more.)
_BLOCK_ROW = (
    "(?, ?, ?, NULLIF(?, ''), NULLIF(?, ''), CAST(NULLIF(?, '') AS INTEGER), "
    "CAST(? AS INTEGER), ?, ?, NULL)"
)


def item_block_insert(count: int) -> str:
    """SQLite's INSERT of `count` lines' cells of item_block_cells."""
    rows = ", ".join([_BLOCK_ROW] * count)
    return f"INSERT INTO items ({', '.join(_BLOCK_ORDER)}) VALUES {rows}"


def item_block_cells(
    header: list[str], delimiter: str, line_end: str, accounts: dict[str, int | None]
) -> BlockCells | None:
    """A reader of blocks of whole lines giving (the cells of their lines one after another,
    BLOCK_WIDTH a line, as item_block_insert takes them; their number of lines), or None
    for a block it does not take; None when the file rules blocks out (_clean_blocks)."""
    clean = _clean_blocks(header, delimiter, line_end, _DOTLESS_ACCOUNT_LINE)
    if clean is None:
        return None
    ids = {account: id_ for account, id_ in accounts.items() if id_ is not None}.__getitem__
    flag = {word: word in YES for word in _SERVER_FLAGS}.__getitem__
    width = BLOCK_WIDTH

    def read(block: str) -> tuple[tuple[Any, ...], int] | None:
        if clean(block) is None:
            return None
        # No cell of a block holds a comma, and only its amounts a period.
        cells = block.replace(".", "").replace(line_end, ",").split(",")
        cells.pop()  # after the last line's end
        try:
            cells[_ACCOUNT::width] = list(map(ids, cells[_ACCOUNT::width]))
        except KeyError:  # an account unknown, or refused by this import: the general path
            return None
        cells[_DISPUTED::width] = list(map(flag, cells[_DISPUTED::width]))
        cells[_IGNORED::width] = list(map(flag, cells[_IGNORED::width]))
        return tuple(cells), len(cells) // width

    return read
