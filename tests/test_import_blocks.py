"""A long items file that replaces the ledger's items (read by whole blocks of clean lines,
item_blocks.py: on PostgreSQL by a first load, on SQLite by every load that is not an
upsert) stores what the line-by-line reading stores, and a line that is not clean,
wherever it is, is read line by line: its problems are named at their line."""

from __future__ import annotations

import itertools
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import Engine

from graphql_api.ledger_import import csv_file
from graphql_api.ledger_import.csv_file import BLOCK_CHARACTERS
from graphql_api.ledger_import.item_blocks import item_block_cells, item_block_reader
from graphql_api.ledger_import.item_lines import ITEM_COLUMNS
from graphql_api.ledger_import.problems import ProblemLog
from tests.ledger_builder import dump_database
from tests.test_import import failure, item_rows, run_import, where

HEADER = ",".join(ITEM_COLUMNS)
ACCOUNTS = ("A1", "B2", "C-3 x")
CUSTOMERS = "account_number,name\n" + "".join(f"{a},Customer {a}\n" for a in ACCOUNTS)
# The shapes a clean line comes in: empty dates and amount, signs, zeros, every type and
# flag word the server reads as the ledger does, document numbers with spaces and symbols.
VARIANTS = [
    "{a},{d},INVOICE,2026-10-01,2026-10-31,1500.00,1234.56,yes,no",
    "{a},{d},CREDIT_NOTE,,,,-10.50,no,yes",
    "{a},{d},PAYMENT,2024-02-29,,-0.05,-0.05,true,false",
    "{a},{d} bis,OTHER,2000-02-29,1999-12-31,0.00,0.00,1,0",
    "{a},#{d}/(x)&'y',INVOICE,0001-01-01,9999-12-31,000123.40,999999999999.99,y,n",
]


def clean_lines(count: int) -> list[str]:
    variants = itertools.cycle(VARIANTS)
    accounts = itertools.cycle(ACCOUNTS)
    return [next(variants).format(a=next(accounts), d=f"D{n}") for n in range(count)]


def items_file(lines: list[str], newline: str = "\n") -> str:
    return "".join(line + newline for line in [HEADER, *lines])


# More lines than three blocks hold.
LONG = 3 * BLOCK_CHARACTERS // 50


@pytest.mark.parametrize("newline", ["\n", "\r\n"], ids=["lf", "crlf"])
def test_a_long_first_load_stores_what_an_upsert_of_the_same_lines_stores(
    engine: Engine, tmp_path: Path, newline: str
) -> None:
    text = items_file(clean_lines(LONG), newline)
    summary = run_import(engine, tmp_path, customers=CUSTOMERS, items=text)
    assert summary.items_loaded == LONG
    first_load = item_rows(engine)
    # An upsert reads every line on its own and writes it over the stored item.
    assert run_import(engine, tmp_path, items=text, upsert_items=True).items_loaded == LONG
    assert item_rows(engine) == first_load
    assert first_load[("B2", "D1")]["amount"] is None
    assert first_load[("C-3 x", "D2")]["document_date"] == date(2024, 2, 29)


@pytest.mark.parametrize(
    ("bad_date", "bad_type"),
    [
        ("2025-02-29", "RECEIPT"),
        ("2026-04-31", "INVOICES"),
        ("0000-01-01", ""),
        ("2026-13-01", "X"),
    ],
)
@pytest.mark.parametrize("newline", ["\n", "\r\n"], ids=["lf", "crlf"])
def test_a_bad_line_after_clean_blocks_is_named_at_its_line(
    engine: Engine, tmp_path: Path, bad_date: str, bad_type: str, newline: str
) -> None:
    lines = clean_lines(LONG)
    lines[LONG - 900] = f"A1,BAD1,INVOICE,{bad_date},,1.00,1.00,no,no"
    lines[LONG - 10] = f"B2,BAD2,{bad_type},,,1.00,1.00,no,no"
    before = dump_database(engine)
    failed = failure(engine, tmp_path, customers=CUSTOMERS, items=items_file(lines, newline))
    # Line 1 is the header.
    assert where(failed) == [
        ("items.csv", LONG - 900 + 2, "document_date"),
        ("items.csv", LONG - 10 + 2, "type"),
    ]
    assert dump_database(engine) == before


def test_a_block_is_taken_only_with_real_dates() -> None:
    read = item_block_reader(list(ITEM_COLUMNS), ",", "\n", {"A1": 1})
    assert read is not None
    years = ["0000", "0001", "0004", "0100", "0400", "1900", "2000", "2024", "2025", "9999"]
    for year, month, day in itertools.product(years, range(15), range(33)):
        text = f"{year}-{month:02}-{day:02}"
        try:
            date.fromisoformat(text)
            real = True
        except ValueError:
            real = False
        taken = read(f"A1,D1,INVOICE,{text},,,1.00,no,no\n")
        assert (taken is not None) == real, text
        if real:
            assert taken == (f"1\tD1\tINVOICE\t{text}\t\\N\t\\N\t100\tno\tno\t\\N\n", 1)


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"], ids=["lf", "crlf", "cr"])
def test_rows_after_the_first_block_not_taken_are_every_line_from_its_start(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, newline: str
) -> None:
    rows = [["a", "b"], *([f"x{n}", "y"] for n in range(8)), ["BAD", '"two' + newline + 'lines"']]
    rows += [[f"z{n}", "w"] for n in range(3)]
    path = tmp_path / "f.csv"
    path.write_bytes("".join(",".join(row) + newline for row in rows).encode())
    taken: list[str] = []

    def take(block: str) -> bool:
        if "BAD" in block:
            return False
        taken.append(block)
        return True

    for size in range(1, 60):  # every place a block can end, a "\r\n" cut in two included
        monkeypatch.setattr(csv_file, "BLOCK_CHARACTERS", size)
        taken.clear()
        source = csv_file.CsvFile(path, ("a",), ("a", "b"), ProblemLog())
        read = list(source.rows(take))
        lines = "".join(taken).count("\n")  # taken blocks hold whole "\n" or "\r\n" lines
        assert [cells for _, cells in read] == [
            *[row for row in rows[1 + lines : 9]],
            ["BAD", "two" + newline + "lines"],
            *rows[10:],
        ], size
        assert [line for line, _ in read][-4:] == [10, 12, 13, 14], size
        assert all(block.endswith("\n") for block in taken)


def stored_items(engine: Engine) -> list[tuple[object, ...]]:
    """The items as the driver reads them, without the types' conversions: on SQLite an
    amount stored as the text "100" is not the integer 100."""
    with engine.connect() as conn:
        rows = conn.exec_driver_sql(
            "SELECT c.account_number, i.document_number, i.type, i.document_date, i.due_date,"
            " i.amount, i.open_amount, i.disputed, i.ignored_in_collection, i.document_key"
            " FROM items i JOIN customers c ON c.id = i.customer_id"
        ).all()
    return sorted(tuple(row) for row in rows)


@pytest.mark.parametrize("newline", ["\n", "\r\n"], ids=["lf", "crlf"])
def test_a_long_file_loaded_again_stores_what_each_line_read_alone_stores(
    engine: Engine, tmp_path: Path, newline: str
) -> None:
    lines = clean_lines(LONG)
    # An account with a period, beside the account it would be without it.
    lines[LONG // 2] = "A.1,D-dot,INVOICE,2026-01-02,,1.00,0.50,no,yes"
    text = items_file(lines, newline)
    run_import(engine, tmp_path, customers=CUSTOMERS + "A.1,Customer A.1\n")
    # An upsert reads every line on its own.
    assert run_import(engine, tmp_path, items=text, upsert_items=True).items_loaded == LONG
    line_by_line = stored_items(engine)
    assert ("A.1", "D-dot", "INVOICE", "2026-01-02", None, 100, 50, 0, 1, None) in {
        (*row[:3], str(row[3]), *row[4:7], int(row[7]), int(row[8]), row[9]) for row in line_by_line
    }
    for _ in range(2):  # over the items of the upsert, then over its own
        assert run_import(engine, tmp_path, items=text).items_loaded == LONG
        assert stored_items(engine) == line_by_line


def test_a_document_repeated_in_a_later_block_is_named_at_its_line(
    engine: Engine, tmp_path: Path
) -> None:
    lines = clean_lines(LONG)
    run_import(engine, tmp_path, customers=CUSTOMERS, items=items_file(lines))
    before = dump_database(engine)
    lines[LONG - 5] = lines[3]  # blocks after the first: the first blocks are written
    failed = failure(engine, tmp_path, items=items_file(lines))
    # Line 1 is the header.
    assert where(failed) == [("items.csv", LONG - 5 + 2, "document_number")]
    assert "already on line 5" in failed.problems[0].message
    assert dump_database(engine) == before


def test_a_block_of_cells_holds_the_ids_the_cents_and_the_flags() -> None:
    read = item_block_cells(list(ITEM_COLUMNS), ",", "\r\n", {"A1": 7, "A.1": 8, "B2": None})
    assert read is not None
    block = "A1,D1,INVOICE,2026-01-02,,-000.05,1234.50,yes,n\r\nA1,D2,OTHER,,,,0.00,1,false\r\n"
    first = (7, "D1", "INVOICE", "2026-01-02", "", "-00005", "123450", True, False)
    second = (7, "D2", "OTHER", "", "", "", "000", True, False)
    assert read(block) == ((*first, *second), 2)
    # An account with a period, or one refused by the import's customers file: line by line.
    assert read("A.1,D1,INVOICE,,,,1.00,no,no\r\n") is None
    assert read("B2,D1,INVOICE,,,,1.00,no,no\r\n") is None
