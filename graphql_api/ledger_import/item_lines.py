"""An items line as the writer takes it (see writers.ItemsWriter): built from parsed values
on the general path, or straight from the text of a line of the common shape.

An items file may hold millions of lines; most are clean. The fast path checks a line's
shape with a few dictionary lookups and regular expressions and builds its row without
parsing a Decimal or a date; any other line returns None and takes the general path,
which gives the same row or reports the problems.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable
from datetime import date
from typing import Any

from graphql_api.ledger_import.values import ITEM_TYPES, NO, YES
from graphql_api.ledger_import.writers import copy_line, wire_encoder, written_columns
from graphql_api.money import PLAIN_AMOUNT, plain_cents
from graphql_api.storage import items
from graphql_api.text_folding import fold

# The items file's columns (SPEC §6), in the order of the table's columns.
ITEM_COLUMNS = (
    "account_number", "document_number", "type", "document_date", "due_date", "amount",
    "open_amount", "disputed", "ignored_in_collection",
)  # fmt: skip

ItemRow = tuple[Any, ...]
LineReader = Callable[[list[str]], tuple[str, ItemRow] | None]

_wire_item = wire_encoder(items)


def item_row(values: dict[str, Any], customer_id: int | None, as_copy_line: bool) -> ItemRow:
    """The row of an item parsed on the general path: the wire tuple, or (customer_id,
    document_number, the COPY line). The customer is None when its row in the customers file
    was refused: the import fails, nothing is written."""
    document = values["document_number"]
    document_key = None if document is None or document.isascii() else fold(document)
    wire = _wire_item(values | {"customer_id": customer_id, "document_key": document_key})
    if as_copy_line:
        return customer_id, values["document_number"], copy_line(wire)
    return wire


_PLAIN_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}").fullmatch
_FLAGS = {word: True for word in YES} | {word: False for word in NO}
_TYPES = {name: name for name in ITEM_TYPES}
_UNKNOWN = object()
# The fast path writes its rows in this order: should the table change, every line takes the
# general path (still right, only slower) until the fast path is updated.
_FAST_ORDER = ("customer_id", *ITEM_COLUMNS[1:], "document_key")


def fast_item_reader(
    index: dict[str, int], accounts: dict[str, int | None], as_copy_line: bool
) -> LineReader | None:
    """A reader for the common shape of an items line (clean values, ISO dates, amounts like
    -1234.56, lower-case yes/no), giving (account, row) as item_row would; None for any other
    line. None when a column is missing."""
    if any(name not in index for name in ITEM_COLUMNS) or written_columns(items) != _FAST_ORDER:
        return None
    cells_of = operator.itemgetter(*(index[name] for name in ITEM_COLUMNS))
    amount_ok, date_ok, flags, types = PLAIN_AMOUNT.fullmatch, _PLAIN_DATE, _FLAGS, _TYPES
    cents = plain_cents
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

    def read(cells: list[str]) -> tuple[str, ItemRow] | None:
        (account, document, kind, issued, due, amount, open_amount, disputed, ignored) = cells_of(
            cells
        )
        customer_id = accounts.get(account, _UNKNOWN)
        kind = types.get(kind)
        disputed, ignored = flags.get(disputed), flags.get(ignored)
        if (
            customer_id is _UNKNOWN or kind is None or disputed is None or ignored is None
            or not document or len(document) > 100 or document.strip() != document
            or not document.isascii()  # its folded key is written by the general path
            or not amount_ok(open_amount)
            or (amount and amount != open_amount and not amount_ok(amount))  # often the same
            or (issued and issued not in good_dates and not real_date(issued))
            or (due and due not in good_dates and not real_date(due))
        ):  # fmt: skip
            return None
        open_cents = cents(open_amount)
        amount_cents = open_cents if amount == open_amount else cents(amount) if amount else None
        if as_copy_line:
            if not document.isprintable() or "\\" in document:
                return None  # to be escaped: the general path does it
            return account, (
                customer_id, document,
                f"{customer_id}\t{document}\t{kind}\t{issued or null}\t{due or null}\t"
                f"{amount_cents or null}\t{open_cents}\t"
                f"{'t' if disputed else 'f'}\t{'t' if ignored else 'f'}\t{null}\n",
            )  # fmt: skip
        return account, (
            customer_id, document, kind, issued or None, due or None,
            None if amount_cents is None else int(amount_cents), int(open_cents), disputed, ignored,
            None,
        )  # fmt: skip

    return read
