"""The `dso-alerts` command (SPEC §7) as a user runs it, on an SQLite file of its own."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import Engine, func, select

from graphql_api.cli import main
from graphql_api.criteria import criteria_json, parse_criteria
from graphql_api.database import create_db_engine
from graphql_api.evaluation import compile_criteria, ledger_for, match_counts
from graphql_api.plugins import CriteriaRegistry
from graphql_api.storage import alerts, customers, items, reminders, users
from tests.conftest import TODAY
from tests.ledger_builder import dump_database
from tests.test_seed_examples import EXAMPLES

TOKEN = re.compile(r"^\S{32,}$")


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Engine]:
    """DSO_ALERTS_DATABASE_URL pointing at a fresh SQLite file; an engine to look inside it."""
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("DSO_ALERTS_DATABASE_URL", url)
    monkeypatch.chdir(tmp_path)
    engine = create_db_engine(url)
    yield engine
    engine.dispose()


def run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {
            table.name: conn.execute(select(func.count()).select_from(table)).scalar_one()
            for table in (customers, items, reminders, users, alerts)
        }


# -- users -------------------------------------------------------------------


def test_users_add_prints_the_token_alone_on_the_last_line(database: Engine) -> None:
    result = run("users", "add", "carol", "--role", "USER")
    assert result.exit_code == 0, result.output
    token = result.stdout.rstrip("\n").splitlines()[-1]
    assert TOKEN.match(token), result.stdout
    with database.connect() as conn:
        row = conn.execute(select(users.c.name, users.c.role, users.c.token_hash)).one()
    assert tuple(row) == ("carol", "USER", hashlib.sha256(token.encode()).hexdigest())
    # the token itself is stored nowhere
    assert token not in repr(dump_database(database))

    other = run("users", "add", "dave", "--role", "viewer")  # the role in any case
    assert other.exit_code == 0, other.output
    other_token = other.stdout.splitlines()[-1]
    assert other_token != token and TOKEN.match(other_token)
    with database.connect() as conn:
        assert conn.execute(select(users.c.role).where(users.c.name == "dave")).scalar() == "VIEWER"


def test_adding_a_user_twice_is_an_error(database: Engine) -> None:
    first = run("users", "add", "carol", "--role", "ADMIN")
    assert first.exit_code == 0
    before = dump_database(database)
    again = run("users", "add", "carol", "--role", "USER")
    assert again.exit_code == 1
    assert "already exists" in again.stderr
    assert again.stdout == ""  # no token printed
    assert dump_database(database) == before


def test_users_add_needs_a_known_role(database: Engine) -> None:
    result = CliRunner().invoke(main, ["users", "add", "carol", "--role", "BOSS"])
    assert result.exit_code == 2
    assert "BOSS" in result.stderr


# -- import ------------------------------------------------------------------

CUSTOMERS = "account_number;name;credit_limit\nA1;Acme;1 000,50\nB2;Bravo;\n"
ITEMS = (
    "account_number,document_number,type,due_date,open_amount\n"
    "A1,F1,INVOICE,2026-10-01,1500\nB2,F2,INVOICE,,20\n"
)


def test_import_good_files(database: Engine, tmp_path: Path) -> None:
    (tmp_path / "c.csv").write_text(CUSTOMERS)
    (tmp_path / "i.csv").write_text(ITEMS)
    (tmp_path / "r.csv").write_text("account_number,date\nA1,2026-11-20\n")
    result = run(
        "import", "--customers", "c.csv", "--items", "i.csv", "--reminders", str(tmp_path / "r.csv")
    )
    assert result.exit_code == 0, result.output
    assert "2 customer(s) created" in result.stdout
    assert "2 item(s)" in result.stdout
    assert counts(database) == {"customers": 2, "items": 2, "reminders": 1, "users": 0, "alerts": 0}


def test_import_bad_file_changes_nothing(database: Engine, tmp_path: Path) -> None:
    (tmp_path / "c.csv").write_text(CUSTOMERS)
    (tmp_path / "i.csv").write_text(ITEMS)
    assert run("import", "--customers", "c.csv", "--items", "i.csv").exit_code == 0
    before = dump_database(database)
    (tmp_path / "bad.csv").write_text(
        "account_number,document_number,type,due_date,open_amount\n"
        "A1,F9,INVOICE,2026-10-01,10\n"
        "A1,F10,INVOICE,2026-13-01,10\n"
        "ZZ,F11,INVOICE,2026-10-01,10\n"
        "B2,F12,BILL,2026-10-01,ten\n"
    )
    result = run("import", "--items", "bad.csv")
    assert result.exit_code != 0
    problems = result.stderr.splitlines()
    assert problems[:4] == [
        "bad.csv, line 3, column due_date: not a real date (expected YYYY-MM-DD or DD/MM/YYYY) "
        "(got '2026-13-01')",
        "bad.csv, line 4, column account_number: unknown account: not in the ledger nor in the "
        "customers file (got 'ZZ')",
        "bad.csv, line 5, column type: expected one of INVOICE, CREDIT_NOTE, PAYMENT, OTHER "
        "(got 'BILL')",
        "bad.csv, line 5, column open_amount: expected an amount such as 1234.56 or 1234,56 "
        "(got 'ten')",
    ]
    assert "4 problem(s); nothing was changed" in problems[-1]
    assert dump_database(database) == before

    capped = run("import", "--items", "bad.csv", "--max-problems", "1")
    assert capped.exit_code != 0
    assert "... and 3 more problem(s)" in capped.stderr
    assert dump_database(database) == before


def test_import_needs_a_file(database: Engine) -> None:
    result = CliRunner().invoke(main, ["import"])
    assert result.exit_code == 2
    assert "--customers" in result.stderr


# -- demo --------------------------------------------------------------------


def test_demo_twice_duplicates_nothing(database: Engine, registry: CriteriaRegistry) -> None:
    first = run("demo")
    assert first.exit_code == 0, first.output
    for name in ("admin", "alice", "bob", "viewer"):
        assert re.search(rf"^user {name}: Authorization: Bearer \S+$", first.stdout, re.M)
    after_first = counts(database)
    assert after_first["customers"] > 100 and after_first["items"] > after_first["customers"]
    assert after_first["reminders"] > 0 and after_first["users"] == 4

    second = run("demo")
    assert second.exit_code == 0, second.output
    assert "Bearer" not in second.stdout  # no new tokens for existing users
    assert counts(database) == after_first

    with database.connect() as conn:
        stored = [criteria for (criteria,) in conn.execute(select(alerts.c.criteria))]
        roles = dict(conn.execute(select(users.c.name, users.c.role)).all())
    assert roles == {"admin": "ADMIN", "alice": "USER", "bob": "USER", "viewer": "VIEWER"}
    seeds = {name: parse_criteria(registry, criteria) for name, criteria, _ in EXAMPLES}
    for name, criteria in seeds.items():
        assert criteria_json(criteria) in stored, f"seed alert missing: {name}"

    # every seed alert matches some demo accounts, and not all
    ledger = ledger_for(TODAY)
    conditions = {
        i: compile_criteria(criteria, ledger).condition
        for i, criteria in enumerate(seeds.values())
    }
    with database.connect() as conn:
        found = match_counts(conn, conditions)
    total = after_first["customers"]
    for i, name in enumerate(seeds):
        assert 0 < found[i] < total, (name, found[i], total)
