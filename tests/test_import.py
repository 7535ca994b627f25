"""CSV import (SPEC §6): every format variant an ERP export comes in, upserts and the
items snapshot, and all-or-nothing — every problem listed by line and column, and the
database left exactly as it was."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, inspect, select

from graphql_api.alerts import AlertInput, Visibility, create_alert
from graphql_api.database import write_transaction
from graphql_api.ledger_import import BATCH, ImportFailed, import_ledger
from graphql_api.plugins import CriteriaRegistry
from graphql_api.storage import customers, items, reminders, users
from graphql_api.users import Role, User, add_user
from tests.conftest import TODAY
from tests.ledger_builder import dump_database, stored_figures

D = Decimal


def write(folder: Path, name: str, content: str | bytes) -> Path:
    path = folder / name
    if isinstance(content, str):
        content = content.encode("utf-8")
    path.write_bytes(content)
    return path


def run_import(engine: Engine, folder: Path, **files: str | bytes | bool) -> Any:
    """import_ledger with the given file contents (customers=, items=, reminders=)."""
    upsert = bool(files.pop("upsert_items", False))
    paths = {f"{kind}_file": write(folder, f"{kind}.csv", text) for kind, text in files.items()}
    return import_ledger(engine, today=TODAY, upsert_items=upsert, **paths)  # type: ignore[arg-type]


def failure(engine: Engine, folder: Path, **files: str | bytes | bool) -> ImportFailed:
    with pytest.raises(ImportFailed) as raised:
        run_import(engine, folder, **files)
    return raised.value


def where(failed: ImportFailed) -> list[tuple[str, int, str | None]]:
    """(file, line, column) of every problem, in the order they are listed."""
    return [(p.file, p.line, p.column) for p in failed.problems]


def customer_rows(engine: Engine) -> dict[str, dict[str, Any]]:
    with engine.connect() as conn:
        rows = conn.execute(select(customers)).mappings().all()
    return {r["account_number"]: {k: v for k, v in r.items() if k != "id"} for r in rows}


def item_rows(engine: Engine) -> dict[tuple[str, str], dict[str, Any]]:
    query = select(customers.c.account_number, items).select_from(customers.join(items))
    with engine.connect() as conn:
        rows = conn.execute(query).mappings().all()
    return {
        (r["account_number"], r["document_number"]): {
            k: v for k, v in r.items() if k not in ("id", "customer_id", "account_number")
        }
        for r in rows
    }


# -- format variants ---------------------------------------------------------

CUSTOMER_CELLS = [
    ["account_number", "name", "group", "country", "status", "collector", "blocked",
     "credit_limit", "insurer_guarantee", "last_payment_date", "segment"],
    ["A1", "Société Générale d'Été", "Retail", "FR", "Litige résolu", "Camille", "oui",
     "1234,56", "1000", "01/11/2026", "PME"],
    ["B2", "Bravo; Fils", "", "be", "Normal", "", "non", "", "0,5", "2026-10-31", ""],
]  # fmt: skip
ITEM_CELLS = [
    ["account_number", "document_number", "type", "document_date", "due_date", "amount",
     "open_amount", "disputed", "ignored_in_collection"],
    ["A1", "F-1", "INVOICE", "01/10/2026", "31/10/2026", "1 500,00", "1 234,56", "true", "0"],
    ["B2", "AV-1", "credit_note", "2026-11-02", "", "-10,5", "-10,5", "FALSE", "Yes"],
]  # fmt: skip


def render(cells: list[list[str]], delimiter: str, newline: str) -> str:
    def cell(value: str) -> str:
        return f'"{value}"' if delimiter in value or "," in value else value

    return "".join(delimiter.join(cell(v) for v in row) + newline for row in cells)


@pytest.mark.parametrize("delimiter", [",", ";"])
@pytest.mark.parametrize("bom", [False, True], ids=["utf8", "utf8-bom"])
@pytest.mark.parametrize("newline", ["\n", "\r\n"], ids=["lf", "crlf"])
def test_format_variants_load_the_same_ledger(
    engine: Engine, tmp_path: Path, delimiter: str, bom: bool, newline: str
) -> None:
    prefix = "\ufeff" if bom else ""
    summary = run_import(
        engine,
        tmp_path,
        customers=prefix + render(CUSTOMER_CELLS, delimiter, newline),
        items=prefix + render(ITEM_CELLS, delimiter, newline),
    )
    assert (summary.customers_created, summary.items_loaded) == (2, 2)
    assert customer_rows(engine) == {
        "A1": {
            "account_number": "A1", "name": "Société Générale d'Été", "customer_group": "Retail",
            "country": "FR", "status": "Litige résolu", "collector": "Camille", "blocked": True,
            "credit_limit": D("1234.56"), "insurer_guarantee": D("1000.00"),
            "last_payment_date": date(2026, 11, 1), "attributes": {"segment": "PME"},
            "name_key": "societe generale d'ete", "account_key": "a1",
        },
        "B2": {
            "account_number": "B2", "name": "Bravo; Fils", "customer_group": None,
            "country": "BE", "status": "Normal", "collector": None, "blocked": False,
            "credit_limit": None, "insurer_guarantee": D("0.50"),
            "last_payment_date": date(2026, 10, 31), "attributes": {},
            "name_key": "bravo; fils", "account_key": "b2",
        },
    }  # fmt: skip
    assert item_rows(engine) == {
        ("A1", "F-1"): {
            "document_number": "F-1", "type": "INVOICE", "document_date": date(2026, 10, 1),
            "due_date": date(2026, 10, 31), "amount": D("1500.00"), "open_amount": D("1234.56"),
            "disputed": True, "ignored_in_collection": False, "document_key": None,
        },
        ("B2", "AV-1"): {
            "document_number": "AV-1", "type": "CREDIT_NOTE", "document_date": date(2026, 11, 2),
            "due_date": None, "amount": D("-10.50"), "open_amount": D("-10.50"),
            "disputed": False, "ignored_in_collection": True, "document_key": None,
        },
    }  # fmt: skip


@pytest.mark.parametrize(
    ("raw", "amount"),
    [
        ("1234.56", "1234.56"),
        ("1234,56", "1234.56"),
        ("1 234,56", "1234.56"),
        ("1\u00a0234,56", "1234.56"),  # a no-break space, as spreadsheets write it
        ("1,234.56", "1234.56"),
        ("1.234,56", "1234.56"),
        ("1 234.56", "1234.56"),
        ("12 345 678,9", "12345678.90"),
        ("-12,5", "-12.50"),
        ("  42  ", "42.00"),
        ("0", "0.00"),
        ("0,01", "0.01"),
    ],
)
def test_amount_spellings(engine: Engine, tmp_path: Path, raw: str, amount: str) -> None:
    run_import(engine, tmp_path, customers=f"account_number;credit_limit\nA1;{raw}\n")
    assert customer_rows(engine)["A1"]["credit_limit"] == D(amount)


@pytest.mark.parametrize("raw", ["23/11/2026", "2026-11-23", " 2026-11-23 ", "23/11/2026 "])
def test_date_spellings(engine: Engine, tmp_path: Path, raw: str) -> None:
    run_import(engine, tmp_path, customers=f"account_number;last_payment_date\nA1;{raw}\n")
    assert customer_rows(engine)["A1"]["last_payment_date"] == date(2026, 11, 23)


@pytest.mark.parametrize(
    ("raw", "flag"),
    [("yes", True), ("no", False), ("true", True), ("false", False), ("1", True), ("0", False),
     ("oui", True), ("non", False), ("YES", True), ("No", False), ("True", True),
     ("FALSE", False), ("Oui", True), ("NON", False), (" yes ", True), ("", False)],
)  # fmt: skip
def test_yes_no_spellings(engine: Engine, tmp_path: Path, raw: str, flag: bool) -> None:
    run_import(
        engine,
        tmp_path,
        customers=f"account_number,blocked\nA1,{raw}\n",
        items=f"account_number,document_number,type,open_amount,disputed,ignored_in_collection\n"
        f"A1,F1,INVOICE,10,{raw},{raw}\n",
    )
    assert customer_rows(engine)["A1"]["blocked"] is flag
    item = item_rows(engine)["A1", "F1"]
    assert (item["disputed"], item["ignored_in_collection"]) == (flag, flag)


def test_text_is_trimmed_and_blank_is_empty(engine: Engine, tmp_path: Path) -> None:
    run_import(
        engine,
        tmp_path,
        customers="account_number,name,group,status,collector,country\n"
        "  A1  ,  Acme  ,  Retail  ,   ,,  fr \n",
        items="account_number,document_number,type,open_amount\n A1 , F1 , invoice , 10 \n",
        reminders="account_number,date,channel,note\n"
        "A1,2026-11-20, phone ,  called  \nA1,2026-11-21,,   \n",
    )
    row = customer_rows(engine)["A1"]
    assert (row["account_number"], row["name"], row["customer_group"]) == ("A1", "Acme", "Retail")
    assert (row["status"], row["collector"], row["country"]) == (None, None, "FR")
    assert list(item_rows(engine)) == [("A1", "F1")]
    assert item_rows(engine)["A1", "F1"]["type"] == "INVOICE"
    with engine.connect() as conn:
        logged = conn.execute(select(reminders.c.date, reminders.c.channel, reminders.c.note)).all()
    assert sorted(logged) == [
        (date(2026, 11, 20), "PHONE", "called"),
        (date(2026, 11, 21), "EMAIL", None),
    ]


def test_extra_customer_columns_are_kept_as_attributes(engine: Engine, tmp_path: Path) -> None:
    run_import(
        engine,
        tmp_path,
        customers="account_number,name,Segment,région,sales_rep\nA1,Acme, PME ,Île-de-France,\n",
    )
    assert customer_rows(engine)["A1"]["attributes"] == {
        "Segment": "PME",
        "région": "Île-de-France",
    }


# -- upserts and the items snapshot ------------------------------------------


def test_customers_are_upserted_by_account_number(engine: Engine, tmp_path: Path) -> None:
    run_import(
        engine,
        tmp_path,
        customers="account_number,name,group,collector,credit_limit,segment\n"
        "A1,Old name,Retail,Camille,100,x\nB2,Bravo,Public,Hugo,5,y\n",
    )
    summary = run_import(
        engine,
        tmp_path,
        customers="account_number,name,collector,credit_limit\n"
        "A1,New name,,200.5\nC3,Charlie,Sofia,\n",
    )
    assert (summary.customers_created, summary.customers_updated) == (1, 1)
    rows = customer_rows(engine)
    assert set(rows) == {"A1", "B2", "C3"}  # B2, absent from the file, is kept
    a1 = rows["A1"]
    assert (a1["name"], a1["credit_limit"], a1["collector"]) == ("New name", D("200.50"), None)
    # a column the file does not have keeps its value
    assert (a1["customer_group"], a1["attributes"]) == ("Retail", {"segment": "x"})
    assert rows["B2"]["name"] == "Bravo" and rows["B2"]["credit_limit"] == D("5.00")
    assert rows["C3"]["collector"] == "Sofia"


def test_customers_repeated_as_they_are_count_as_updated_and_keep_their_values(
    engine: Engine, tmp_path: Path
) -> None:
    # A nightly file repeats most customers unchanged; one changes a flag, and one keeps an
    # attribute an earlier file gave it besides those of this file's extra column.
    nightly = (
        "account_number,name,blocked,credit_limit,last_payment_date,segment\n"
        "A1,Acme,yes,100,2026-11-01,x\nB2,Bravo,no,,,y\n"
    )
    run_import(engine, tmp_path, customers=nightly)
    run_import(engine, tmp_path, customers="account_number,region\nA1,North\n")
    before = customer_rows(engine)
    assert before["A1"]["attributes"] == {"segment": "x", "region": "North"}
    summary = run_import(engine, tmp_path, customers=nightly.replace("Bravo,no", "Bravo,yes"))
    assert (summary.customers_created, summary.customers_updated) == (0, 2)
    assert customer_rows(engine) == {"A1": before["A1"], "B2": before["B2"] | {"blocked": True}}


ITEMS_HEADER = "account_number,document_number,type,due_date,open_amount,disputed\n"


@pytest.mark.parametrize("upsert", [False, True], ids=["replace", "upsert"])
def test_items_replace_the_ledger_unless_upserted(
    engine: Engine, tmp_path: Path, upsert: bool
) -> None:
    run_import(
        engine,
        tmp_path,
        customers="account_number\nA1\nB2\n",
        items=ITEMS_HEADER
        + "A1,X1,INVOICE,2026-10-01,100,no\nA1,X2,INVOICE,,50,no\nB2,X1,INVOICE,,7,no\n",
    )
    run_import(
        engine,
        tmp_path,
        items=ITEMS_HEADER + "A1,X2,INVOICE,,20,yes\nB2,X3,OTHER,,1,no\n",
        upsert_items=upsert,
    )
    found = {key: (row["open_amount"], row["disputed"]) for key, row in item_rows(engine).items()}
    if upsert:
        assert found == {
            ("A1", "X1"): (D("100.00"), False),
            ("A1", "X2"): (D("20.00"), True),
            ("B2", "X1"): (D("7.00"), False),
            ("B2", "X3"): (D("1.00"), False),
        }
    else:
        assert found == {("A1", "X2"): (D("20.00"), True), ("B2", "X3"): (D("1.00"), False)}
    outstanding = {a: f["outstandingAmount"] for a, f in stored_figures(engine).items()}
    assert outstanding == (
        {"A1": D("120"), "B2": D("8")} if upsert else {"A1": D("20"), "B2": D("1")}
    )


def test_a_header_only_items_file_is_an_empty_snapshot(engine: Engine, tmp_path: Path) -> None:
    run_import(
        engine,
        tmp_path,
        customers="account_number\nA1\n",
        items=ITEMS_HEADER + "A1,X1,INVOICE,,5,no\n",
    )
    run_import(engine, tmp_path, items=ITEMS_HEADER)
    assert item_rows(engine) == {}
    assert stored_figures(engine)["A1"]["outstandingAmount"] == 0


def test_figures_are_refreshed_by_every_import(engine: Engine, tmp_path: Path) -> None:
    run_import(
        engine,
        tmp_path,
        customers="account_number,insurer_guarantee\nA1,100\n",
        items=ITEMS_HEADER + "A1,X1,INVOICE,2026-11-13,300,yes\n",
    )
    figures = stored_figures(engine)["A1"]
    assert (figures["outstandingAmount"], figures["overdueAmount"], figures["daysOverdue"]) == (
        D("300"),
        D("300"),
        10,
    )
    assert (figures["disputedAmount"], figures["uncoveredAmount"]) == (D("300"), D("200"))
    assert figures["lastReminderDate"] is None
    run_import(
        engine, tmp_path, items=ITEMS_HEADER + "A1,X2,INVOICE,2026-12-01,50,no\n", upsert_items=True
    )
    run_import(engine, tmp_path, reminders="account_number,date\nA1,2026-11-20\nA1,2026-11-02\n")
    run_import(engine, tmp_path, customers="account_number,insurer_guarantee\nA1,400\n")
    figures = stored_figures(engine)["A1"]
    assert (figures["outstandingAmount"], figures["notDueAmount"]) == (D("350"), D("50"))
    assert figures["uncoveredAmount"] == D("-50")
    assert figures["lastReminderDate"] == date(2026, 11, 20)


def test_reimporting_the_same_reminders_adds_nothing(engine: Engine, tmp_path: Path) -> None:
    run_import(engine, tmp_path, customers="account_number\nA1\n")
    text = "account_number,date,channel,note\nA1,2026-11-20,PHONE,called\nA1,2026-11-21,EMAIL,\n"
    assert run_import(engine, tmp_path, reminders=text).reminders_added == 2
    again = run_import(engine, tmp_path, reminders=text)
    assert (again.reminders_added, again.reminders_skipped) == (0, 2)


# -- all or nothing ----------------------------------------------------------


@pytest.fixture
def populated(engine: Engine, registry: CriteriaRegistry, tmp_path: Path) -> Engine:
    """A ledger with customers, items, reminders, figures, a user and an alert."""
    run_import(
        engine,
        tmp_path,
        customers="account_number,name,group,credit_limit,segment\nA1,Acme,Retail,1000,x\nB2,Bravo,,,\n",
        items=ITEMS_HEADER + "A1,OLD-1,INVOICE,2026-10-01,700,no\nB2,OLD-2,CREDIT_NOTE,,-5,yes\n",
        reminders="account_number,date\nA1,2026-11-01\n",
    )
    with write_transaction(engine) as conn:
        add_user(conn, "ann", Role.ADMIN)
        user_id = conn.execute(select(users.c.id).where(users.c.name == "ann")).scalar_one()
        create_alert(
            conn,
            registry,
            User(user_id, "ann", Role.ADMIN),
            AlertInput("Late", {"overdueAmount": {"min": "1"}}, visibility=Visibility.PUBLIC),
        )
    return engine


BAD_ITEMS = (
    ITEMS_HEADER
    + "A1,X1,INVOICE,2026-10-01,100,no\n"  # line 2: good
    + "A1,X2,INVOICE,2026-02-30,100,no\n"  # 3: not a real date
    + "A1,X3,INVOICE,2026-10-01,12.3.4,no\n"  # 4: bad amount
    + "ZZ9,X4,INVOICE,2026-10-01,100,no\n"  # 5: unknown account
    + "B2,X5,INVOCE,2026-10-01,100,no\n"  # 6: unknown item type
    + "A1,X1,INVOICE,2026-10-02,5,no\n"  # 7: the document of line 2 again
    + "B2,X6,INVOICE,2026-10-01,100,maybe\n"  # 8: not a yes/no
    + "B2,X7,INVOICE,1/10/2026,,no\n"  # 9: bad date, empty open amount
    + "B2,X8,INVOICE,2026-10-01,100,no\n"  # 10: good
)

# The same rows with every column: clean rows take the importer's quick path, the others not.
BAD_ITEMS_ALL_COLUMNS = (
    "account_number,document_number,type,document_date,due_date,amount,open_amount,disputed,"
    "ignored_in_collection\n"
    "A1,X1,INVOICE,2026-09-01,2026-10-01,100.00,100.00,no,no\n"
    "A1,X2,INVOICE,2026-09-01,2026-02-30,100.00,100.00,no,no\n"
    "A1,X3,INVOICE,2026-09-01,2026-10-01,100.00,12.3.4,no,no\n"
    "ZZ9,X4,INVOICE,,2026-10-01,,100.00,no,no\n"
    "B2,X5,INVOCE,,2026-10-01,,100.00,no,no\n"
    "A1,X1,INVOICE,,2026-10-02,,5.00,no,no\n"
    "B2,X6,INVOICE,,2026-10-01,,100.00,maybe,no\n"
    "B2,X7,INVOICE,,1/10/2026,,,no,no\n"
    "B2,X8,INVOICE,,2026-10-01,,100.00,no,no\n"
)


@pytest.mark.parametrize("upsert", [False, True], ids=["replace", "upsert"])
@pytest.mark.parametrize(
    "bad_items", [BAD_ITEMS, BAD_ITEMS_ALL_COLUMNS], ids=["some-columns", "all-columns"]
)
def test_bad_rows_list_every_problem_and_change_nothing(
    populated: Engine, tmp_path: Path, upsert: bool, bad_items: str
) -> None:
    before = dump_database(populated)
    failed = failure(populated, tmp_path, items=bad_items, upsert_items=upsert)
    assert where(failed) == [
        ("items.csv", 3, "due_date"),
        ("items.csv", 4, "open_amount"),
        ("items.csv", 5, "account_number"),
        ("items.csv", 6, "type"),
        ("items.csv", 8, "disputed"),
        ("items.csv", 9, "due_date"),
        ("items.csv", 9, "open_amount"),
        ("items.csv", 7, "document_number"),
    ]
    assert failed.total == 8
    shown = [str(p) for p in failed.problems]
    assert "items.csv, line 3, column due_date" in shown[0] and "2026-02-30" in shown[0]
    assert "12.3.4" in shown[1]
    assert "ZZ9" in shown[2] and "unknown account" in shown[2]
    assert "INVOCE" in shown[3] and "INVOICE" in shown[3]  # says what was expected
    assert "line 2" in shown[7]  # where the document was first
    assert dump_database(populated) == before


def test_problems_in_every_file_are_listed_together(populated: Engine, tmp_path: Path) -> None:
    before = dump_database(populated)
    failed = failure(
        populated,
        tmp_path,
        customers="account_number,name,country,credit_limit\n"
        "A1,Acme renamed,FR,2000\n"  # 2: good (an update that must not survive)
        "C3,New,France,\n"  # 3: not an ISO country code
        "A1,Twice,FR,\n"  # 4: duplicate account
        "D4,,FR,1e999\n",  # 5: amount out of range
        items=ITEMS_HEADER + "C3,N1,INVOICE,,10,no\nD4,N2,PAYMENT,,x,no\n",
        reminders="account_number,date,channel\nA1,2026-11-31,EMAIL\nQ9,2026-11-01,FAX\n",
    )
    assert where(failed) == [
        ("customers.csv", 3, "country"),
        ("customers.csv", 4, "account_number"),
        ("customers.csv", 5, "credit_limit"),
        ("items.csv", 3, "open_amount"),
        ("reminders.csv", 2, "date"),
        ("reminders.csv", 3, "channel"),
        ("reminders.csv", 3, "account_number"),
    ]
    assert dump_database(populated) == before


def test_a_good_customers_file_is_undone_by_a_bad_items_file(
    populated: Engine, tmp_path: Path
) -> None:
    before = dump_database(populated)
    failed = failure(
        populated,
        tmp_path,
        customers="account_number,name\nA1,Renamed\nN1,New customer\n",
        items=ITEMS_HEADER + "N1,Z1,INVOICE,,10,no\nA1,Z2,INVOICE,someday,10,no\n",
    )
    assert where(failed) == [("items.csv", 3, "due_date")]
    assert dump_database(populated) == before


LONG_FILE_SHAPES = {
    "some-columns": (ITEMS_HEADER, "A1,{},INVOICE,,1,no\n"),
    "all-columns": (
        "account_number,document_number,type,document_date,due_date,amount,open_amount,"
        "disputed,ignored_in_collection\n",
        "A1,{},INVOICE,,2026-10-01,1.00,1.00,no,no\n",
    ),
}


def long_file_with_repeats(shape: str) -> tuple[str, list[str]]:
    """An items file of LONG_FILE_SHAPES[shape] (header, lines) whose line 3 repeats line 2's
    document (within a batch) and whose line BATCH + 13 repeats line 4's (after a first
    batch has been written)."""
    header, row = LONG_FILE_SHAPES[shape]
    lines = [row.format(f"D{n}") for n in range(BATCH + 10)]
    lines.insert(1, row.format("D0"))
    lines.append(row.format("D1"))
    return header, lines


@pytest.mark.parametrize("upsert", [False, True], ids=["replace", "upsert"])
@pytest.mark.parametrize("shape", list(LONG_FILE_SHAPES))
def test_a_duplicate_document_in_a_long_file_is_a_problem(
    populated: Engine, tmp_path: Path, upsert: bool, shape: str
) -> None:
    header, lines = long_file_with_repeats(shape)
    before = dump_database(populated)
    failed = failure(populated, tmp_path, items=header + "".join(lines), upsert_items=upsert)
    assert where(failed) == [
        ("items.csv", 3, "document_number"),
        ("items.csv", BATCH + 13, "document_number"),
    ]
    assert dump_database(populated) == before


@pytest.mark.parametrize("later_problem", [False, True], ids=["alone", "with-a-bad-line-after"])
@pytest.mark.parametrize("shape", list(LONG_FILE_SHAPES))
def test_a_duplicate_document_in_a_first_load_is_a_problem(
    engine: Engine, tmp_path: Path, shape: str, later_problem: bool
) -> None:
    # A first load of an empty ledger (PostgreSQL adds the items' keys after its COPY): the
    # repeats are still named by line, with the other files' and lines' problems.
    header, lines = long_file_with_repeats(shape)
    expected = [("items.csv", 3, "document_number"), ("items.csv", BATCH + 13, "document_number")]
    if later_problem:
        lines.append(LONG_FILE_SHAPES[shape][1].format("D-bad").replace("INVOICE", "RECEIPT"))
        expected.append(("items.csv", BATCH + 14, "type"))
    before = dump_database(engine)
    failed = failure(
        engine,
        tmp_path,
        customers="account_number,name\nA1,Acme\n",
        items=header + "".join(lines),
        reminders="account_number,date\nZ9,2026-11-01\n",
    )
    # (a repeat found after the file was read is listed after that file's other problems)
    assert sorted(where(failed)) == [*expected, ("reminders.csv", 2, "account_number")]
    assert dump_database(engine) == before


def test_line_numbers_count_physical_lines(populated: Engine, tmp_path: Path) -> None:
    before = dump_database(populated)
    failed = failure(
        populated,
        tmp_path,
        customers='account_number,name,blocked\nA1,"Two\nlines",no\n\nB2,Bravo,perhaps\n',
    )
    assert where(failed) == [("customers.csv", 5, "blocked")]
    assert dump_database(populated) == before


def test_text_longer_than_its_column_is_a_problem(populated: Engine, tmp_path: Path) -> None:
    before = dump_database(populated)
    failed = failure(
        populated, tmp_path, customers=f"account_number,name,status\nA1,{'n' * 301},{'s' * 201}\n"
    )
    assert where(failed) == [("customers.csv", 2, "name"), ("customers.csv", 2, "status")]
    assert "300" in str(failed.problems[0])
    assert dump_database(populated) == before


def test_a_row_with_too_many_cells_is_a_problem(populated: Engine, tmp_path: Path) -> None:
    before = dump_database(populated)
    failed = failure(populated, tmp_path, customers="account_number,name\nA1,Acme,extra\n")
    assert where(failed) == [("customers.csv", 2, None)]
    assert dump_database(populated) == before


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        ({"customers": "account_number,name\nA1,Soci\xe9t\xe9\n".encode("latin-1")}, "UTF-8"),
        ({"items": "account_number,document_number,type\nA1,X,INVOICE\n"}, "open_amount"),
        ({"customers": "name,group\nAcme,Retail\n"}, "account_number"),
        ({"customers": ""}, "empty"),
        ({"items": "\n\n"}, "empty"),
        ({"customers": "account_number,name\nA1," + "x" * 10_000_000 + "\n"}, "field"),
        ({"customers": 'account_number,name\nA1,"' + "x" * 10_000_000 + '"\n'}, "field"),
        ({"reminders": "account_number,date,date\nA1,2026-01-01,2026-01-02\n"}, "twice"),
    ],
    ids=["latin-1", "missing-open_amount", "missing-account_number", "empty", "blank-lines",
         "10MB-field", "10MB-quoted-field", "duplicate-column"],
)  # fmt: skip
def test_unreadable_files_are_problems_not_crashes(
    populated: Engine, tmp_path: Path, files: dict[str, str | bytes], expected: str
) -> None:
    before = dump_database(populated)
    failed = failure(populated, tmp_path, **files)
    assert failed.total >= 1
    assert expected in str(failed.problems[0])
    assert len(str(failed.problems[0])) < 500  # a 10 MB value is not echoed back
    assert dump_database(populated) == before


def test_a_missing_file_is_a_problem(populated: Engine, tmp_path: Path) -> None:
    before = dump_database(populated)
    with pytest.raises(ImportFailed) as raised:
        import_ledger(populated, today=TODAY, items_file=tmp_path / "no-such-file.csv")
    assert "cannot open" in str(raised.value.problems[0])
    assert dump_database(populated) == before


def items_table(engine: Engine) -> dict[str, Any]:
    """The items table's definition as the database reports it."""
    found = inspect(engine)
    return {
        "columns": [(c["name"], str(c["type"]), c["nullable"]) for c in found.get_columns("items")],
        "indexes": [  # a partial index's condition as its text
            index | {"dialect_options": {k: str(v) for k, v in index["dialect_options"].items()}}
            for index in found.get_indexes("items")
        ],
        "unique": found.get_unique_constraints("items"),
        "keys": found.get_foreign_keys("items"),
    }


def test_replacing_the_items_keeps_their_table_as_it_was(populated: Engine, tmp_path: Path) -> None:
    # SQLite empties the items by dropping and creating their table again (bulk.delete_all).
    before = items_table(populated)
    run_import(populated, tmp_path, items=ITEMS_HEADER + "A1,NEW-1,INVOICE,2026-10-01,5.00,no\n")
    assert items_table(populated) == before
    assert [document for _, document in item_rows(populated)] == ["NEW-1"]
