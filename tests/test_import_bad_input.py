"""Bad CSV input, through the command a user runs: `dso-alerts import` (SPEC §6, §7).

tests/test_import.py covers these problems through `import_ledger`, several per file.
Here each is alone in an otherwise good file, sent through the command on the suite's
database (SQLite and PostgreSQL, via DSO_ALERTS_DATABASE_URL), and must be rejected with:
  - an exit status that is not 0;
  - a message on stderr naming the file, the line and the column at fault;
  - the database exactly as it was (every row of every table), the good rows of the
    same file included.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import Engine, select

from graphql_api import cli
from graphql_api.alerts import AlertInput, Visibility, create_alert
from graphql_api.cli import main
from graphql_api.database import write_transaction
from graphql_api.ledger_import import import_ledger
from graphql_api.plugins import CriteriaRegistry
from graphql_api.storage import users
from graphql_api.users import Role, User, add_user
from tests.conftest import TODAY
from tests.ledger_builder import dump_database

CUSTOMERS = "account_number,name,group,country,credit_limit\n"
ITEMS = "account_number,document_number,type,due_date,open_amount,disputed\n"
REMINDERS = "account_number,date,channel,note\n"
TEN_MB = 10 * 1024 * 1024
# Good rows that surround the bad one: the bad one is never alone in its file.
GOOD_CUSTOMERS = "N1,New one,Retail,FR,100\nA1,Acme renamed,Retail,FR,5000\n"
GOOD_ITEMS = "A1,G1,INVOICE,2026-10-01,100,no\nB2,G2,CREDIT_NOTE,,-5,no\n"
GOOD_REMINDERS = "A1,2026-11-20,EMAIL,called\n"


@dataclass
class Rejected:
    exit_code: int
    stderr: str


@pytest.fixture
def ledger(
    engine: Engine, registry: CriteriaRegistry, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Engine]:
    """The suite's database with customers, items, reminders, figures, a user and an alert,
    and DSO_ALERTS_DATABASE_URL pointing at it for the command."""
    folder = tmp_path / "setup"
    folder.mkdir()
    files = {
        "customers_file": (CUSTOMERS + "A1,Acme,Retail,FR,1000\nB2,Bravo,,BE,\n"),
        "items_file": ITEMS + "A1,OLD-1,INVOICE,2026-10-01,700,no\nB2,OLD-2,INVOICE,,5,yes\n",
        "reminders_file": REMINDERS + "A1,2026-11-01,PHONE,\n",
    }
    paths = {}
    for name, text in files.items():
        paths[name] = folder / f"{name}.csv"
        paths[name].write_text(text, encoding="utf-8")
    import_ledger(engine, today=TODAY, **paths)
    with write_transaction(engine) as conn:
        add_user(conn, "ann", Role.ADMIN)
        user_id = conn.execute(select(users.c.id).where(users.c.name == "ann")).scalar_one()
        create_alert(
            conn,
            registry,
            User(user_id, "ann", Role.ADMIN),
            AlertInput("Late", {"overdueAmount": {"min": "1"}}, visibility=Visibility.PUBLIC),
        )
    monkeypatch.setenv("DSO_ALERTS_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    monkeypatch.chdir(tmp_path)
    # The command opens its own engine each time: close them after the test.
    opened: list[Engine] = []

    def open_database() -> Engine:
        opened.append(real_open_database())
        return opened[-1]

    real_open_database = cli.open_database
    monkeypatch.setattr(cli, "open_database", open_database)
    yield engine
    for command_engine in opened:
        command_engine.dispose()


def rejected(engine: Engine, folder: Path, **files: str | bytes) -> Rejected:
    """`dso-alerts import --customers customers.csv ...` with these contents, which must
    be rejected and change nothing."""
    args = ["import"]
    for kind, content in files.items():
        path = folder / f"{kind}.csv"
        if isinstance(content, str):
            content = content.encode("utf-8")
        path.write_bytes(content)
        args += [f"--{kind}", str(path)]
    before = dump_database(engine)
    result = CliRunner().invoke(main, args, catch_exceptions=False)
    assert result.exit_code != 0, result.output
    assert "Import rejected" in result.stderr and "nothing was changed" in result.stderr
    assert "Traceback" not in result.output
    assert dump_database(engine) == before
    return Rejected(result.exit_code, result.stderr)


def names(stderr: str, where: str, *words: str) -> None:
    """stderr has a problem line starting with `where` ("file, line N, column C") that also
    says each of `words`, and that line is short (a huge value is never echoed whole)."""
    lines = [line for line in stderr.splitlines() if line.startswith(where)]
    assert lines, f"no problem at {where!r} in:\n{stderr[:3000]}"
    assert any(all(w.lower() in line.lower() for w in words) for line in lines), lines
    assert all(len(line) < 500 for line in lines), [line[:200] for line in lines]


# -- one test per case ----------------------------------------------------------------


def latin1_file() -> dict[str, bytes]:
    text = CUSTOMERS + GOOD_CUSTOMERS + "C3,Société Générale,Retail,FR,10\n"
    return {"customers": text.encode("latin-1")}


def latin1_long_file() -> dict[str, bytes]:
    # Decoding works by blocks of the file: the line named must still be the bad one's.
    good = "".join(f"N{n},Customer number {n},Retail,FR,{n}\n" for n in range(3000))
    text = CUSTOMERS + good + "C3,Société,Retail,FR,10\n" + GOOD_CUSTOMERS
    return {"customers": text.encode("latin-1")}


def ten_mb_field() -> dict[str, str]:
    return {"customers": CUSTOMERS + GOOD_CUSTOMERS + "C3," + "x" * TEN_MB + ",Retail,FR,1\n"}


def ten_mb_field_first_row() -> dict[str, str]:
    return {
        "customers": CUSTOMERS + "C3,Big note,Retail,FR,1\n",  # good, and undone
        "reminders": REMINDERS + "A1,2026-11-21,EMAIL," + "n" * TEN_MB + "\n" + GOOD_REMINDERS,
    }


# A quoted cell holding the delimiter comes before the bad one: columns are counted as
# the CSV reader counts them, not by splitting the line at every delimiter.
QUOTED_HEADER = "account_number,name,group,status,collector\n"


def latin1_after_a_quoted_delimiter() -> dict[str, bytes]:
    text = QUOTED_HEADER + 'A1,"Bravo, Fils",Retail,Société,Ann\n'
    return {"customers": text.encode("latin-1")}


def ten_mb_field_after_a_quoted_delimiter() -> dict[str, str]:
    return {"customers": QUOTED_HEADER + 'A1,"Bravo, Fils",Retail,' + "x" * TEN_MB + ",Ann\n"}


# case: (files, where the problem is, what the message must say)
UNREADABLE = {
    "latin-1": (latin1_file, "customers.csv, line 4, column name", "UTF-8"),
    "latin-1-deep": (latin1_long_file, "customers.csv, line 3002, column name", "UTF-8"),
    "10MB-field": (ten_mb_field, "customers.csv, line 4, column name", "field"),
    "10MB-field-first-row": (ten_mb_field_first_row, "reminders.csv, line 2, column note", "field"),
    "latin-1-after-quoted-delimiter": (
        latin1_after_a_quoted_delimiter,
        "customers.csv, line 2, column status",
        "UTF-8",
    ),
    "10MB-field-after-quoted-delimiter": (
        ten_mb_field_after_a_quoted_delimiter,
        "customers.csv, line 2, column status",
        "field",
    ),
}


def test_wrong_encoding_latin1(ledger: Engine, tmp_path: Path) -> None:
    out = rejected(ledger, tmp_path, **latin1_file())
    names(out.stderr, "customers.csv, line", "UTF-8")


def test_wrong_encoding_deep_in_a_long_file(ledger: Engine, tmp_path: Path) -> None:
    out = rejected(ledger, tmp_path, **latin1_long_file())
    names(out.stderr, "customers.csv, line", "UTF-8")


def test_a_10_mb_single_field(ledger: Engine, tmp_path: Path) -> None:
    out = rejected(ledger, tmp_path, **ten_mb_field())
    names(out.stderr, "customers.csv, line", "field")


def test_a_10_mb_single_field_first_row(ledger: Engine, tmp_path: Path) -> None:
    out = rejected(ledger, tmp_path, **ten_mb_field_first_row())
    names(out.stderr, "reminders.csv, line", "field")


@pytest.mark.parametrize("case", list(UNREADABLE))
def test_unreadable_files_name_the_bad_line_and_column(
    ledger: Engine, tmp_path: Path, case: str
) -> None:
    make, where, says = UNREADABLE[case]
    out = rejected(ledger, tmp_path, **make())
    names(out.stderr, where, says)


def test_missing_required_column(ledger: Engine, tmp_path: Path) -> None:
    header = "account_number,document_number,type,due_date,disputed\n"  # no open_amount
    out = rejected(ledger, tmp_path, items=header + "A1,G1,INVOICE,2026-10-01,no\n")
    names(out.stderr, "items.csv, line 1", "open_amount", "missing")


def test_duplicate_account_number_in_one_file(ledger: Engine, tmp_path: Path) -> None:
    content = CUSTOMERS + GOOD_CUSTOMERS + "N1,Same account again,Retail,FR,1\n"
    out = rejected(ledger, tmp_path, customers=content)
    names(out.stderr, "customers.csv, line 4, column account_number", "N1", "line 2")


def test_duplicate_document_in_one_items_file(ledger: Engine, tmp_path: Path) -> None:
    content = ITEMS + GOOD_ITEMS + "A1,G1,INVOICE,2026-10-05,1,no\n"
    out = rejected(ledger, tmp_path, items=content)
    names(out.stderr, "items.csv, line 4, column document_number", "G1", "line 2")


def test_duplicate_document_in_one_items_file_when_upserting(
    ledger: Engine, tmp_path: Path
) -> None:
    content = ITEMS + GOOD_ITEMS + "B2,G2,CREDIT_NOTE,,-7,no\n"
    path = tmp_path / "items.csv"
    path.write_text(content, encoding="utf-8")
    before = dump_database(ledger)
    result = CliRunner().invoke(
        main, ["import", "--items", str(path), "--upsert-items"], catch_exceptions=False
    )
    assert result.exit_code != 0
    names(result.stderr, "items.csv, line 4, column document_number", "G2", "line 3")
    assert dump_database(ledger) == before


def test_unknown_item_type(ledger: Engine, tmp_path: Path) -> None:
    content = ITEMS + GOOD_ITEMS + "A1,G3,DEBIT_NOTE,2026-10-01,10,no\n"
    out = rejected(ledger, tmp_path, items=content)
    names(out.stderr, "items.csv, line 4, column type", "DEBIT_NOTE", "INVOICE")


def test_unknown_reminder_channel(ledger: Engine, tmp_path: Path) -> None:
    content = REMINDERS + GOOD_REMINDERS + "A1,2026-11-21,SMS,texted\n"
    out = rejected(ledger, tmp_path, reminders=content)
    names(out.stderr, "reminders.csv, line 3, column channel", "SMS", "EMAIL")


def test_a_reminder_dated_after_today(ledger: Engine, tmp_path: Path) -> None:
    # Today is 2026-11-23: a reminder of the 24th would silence "not reminded" alerts.
    content = REMINDERS + GOOD_REMINDERS + "A1,2026-11-24,EMAIL,\nA1,24/12/2030,PHONE,\n"
    out = rejected(ledger, tmp_path, reminders=content)
    names(out.stderr, "reminders.csv, line 3, column date", "2026-11-24", "after today")
    names(out.stderr, "reminders.csv, line 4, column date", "24/12/2030", "after today")


@pytest.mark.parametrize(
    ("kind", "content", "line"),
    [
        ("customers", CUSTOMERS + GOOD_CUSTOMERS + ",Nameless,Retail,FR,1\n", 4),
        ("customers", CUSTOMERS + "   ,Blank,Retail,FR,1\n" + GOOD_CUSTOMERS, 2),
        ("items", ITEMS + GOOD_ITEMS + ",G3,INVOICE,2026-10-01,10,no\n", 4),
        ("reminders", REMINDERS + GOOD_REMINDERS + ",2026-11-21,EMAIL,\n", 3),
    ],
    ids=["customers", "customers-blank", "items", "reminders"],
)
def test_empty_account_number(
    ledger: Engine, tmp_path: Path, kind: str, content: str, line: int
) -> None:
    out = rejected(ledger, tmp_path, **{kind: content})
    names(out.stderr, f"{kind}.csv, line {line}, column account_number", "empty")


def test_non_numeric_amount(ledger: Engine, tmp_path: Path) -> None:
    content = ITEMS + GOOD_ITEMS + "A1,G3,INVOICE,2026-10-01,twelve,no\n"
    out = rejected(ledger, tmp_path, items=content)
    names(out.stderr, "items.csv, line 4, column open_amount", "twelve", "amount")


def test_non_numeric_credit_limit(ledger: Engine, tmp_path: Path) -> None:
    content = CUSTOMERS + GOOD_CUSTOMERS + "C3,Charlie,Retail,FR,1O0\n"  # a letter O
    out = rejected(ledger, tmp_path, customers=content)
    names(out.stderr, "customers.csv, line 4, column credit_limit", "1O0")


def test_impossible_date(ledger: Engine, tmp_path: Path) -> None:
    content = ITEMS + GOOD_ITEMS + "A1,G3,INVOICE,2026-02-30,10,no\n"
    out = rejected(ledger, tmp_path, items=content)
    names(out.stderr, "items.csv, line 4, column due_date", "2026-02-30")


def test_impossible_date_day_first(ledger: Engine, tmp_path: Path) -> None:
    content = REMINDERS + GOOD_REMINDERS + "A1,30/02/2026,EMAIL,\n"
    out = rejected(ledger, tmp_path, reminders=content)
    names(out.stderr, "reminders.csv, line 3, column date", "30/02/2026")


def test_a_nul_byte_in_a_field(ledger: Engine, tmp_path: Path) -> None:
    # PostgreSQL text cannot hold U+0000: the import must refuse it as a bad value (on both
    # databases, so that a file loads the same on either), not crash.
    content = CUSTOMERS + GOOD_CUSTOMERS + "C3,Nul\x00name,Retail,FR,1\n"
    out = rejected(ledger, tmp_path, customers=content)
    names(out.stderr, "customers.csv, line 4, column name")
