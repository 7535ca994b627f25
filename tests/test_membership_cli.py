"""`dso-alerts check` and `dso-alerts refresh` (SPEC §9) as a user runs them, and a new day
met by several processes at once: on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from datetime import timedelta
from typing import Any

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import Engine, delete, insert, select

from graphql_api import membership_day
from graphql_api.cli import main
from graphql_api.database import create_db_engine
from graphql_api.plugins import CriteriaRegistry
from graphql_api.storage import alert_changes, alert_matches, alerts, bell_keys, customers
from graphql_api.users import User
from tests.conftest import TODAY
from tests.ledger_builder import dump_database, load_ledger
from tests.membership_reads import last_change_id, stored_changes, stored_matches
from tests.test_membership import BIG, CUSTOMERS, ITEM, ITEMS, LATE, REMINDERS, new_alert, people

__all__ = ["people"]  # the fixture


@pytest.fixture
def cli(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> Any:
    """Run `dso-alerts` on the test's database."""
    monkeypatch.setenv("DSO_ALERTS_DATABASE_URL", engine.url.render_as_string(hide_password=False))

    def run(*args: str) -> Result:
        return CliRunner().invoke(main, list(args), catch_exceptions=False)

    return run


@pytest.fixture
def ledger(engine: Engine, registry: CriteriaRegistry, people: dict[str, User]) -> dict[str, int]:
    alice = people["alice"]
    ids = {name: new_alert(engine, registry, alice, name, c)
           for name, c in (("late", LATE), ("big", BIG), ("item", ITEM))}  # fmt: skip
    load_ledger(engine, CUSTOMERS, ITEMS, REMINDERS)
    return ids


def test_check_passes_on_exact_membership(cli: Any, ledger: dict[str, int]) -> None:
    result = cli("check")
    assert result.exit_code == 0, result.output
    assert f"Membership is exact: 3 alert(s), 5 match(es), for {TODAY}." in result.output


@pytest.mark.parametrize("corruption", ["missing", "extra"])
def test_check_fails_on_a_corrupted_row_and_repairs_nothing(
    cli: Any, engine: Engine, ledger: dict[str, int], corruption: str
) -> None:
    big = ledger["big"]
    with engine.begin() as conn:
        account_id = dict(conn.execute(select(customers.c.account_number, customers.c.id)).all())
        if corruption == "missing":
            conn.execute(
                delete(alert_matches).where(
                    alert_matches.c.alert_id == big, alert_matches.c.customer_id == account_id["C"]
                )
            )
            expected = f"alert {big} 'big': C matches, but is not stored"
        else:
            conn.execute(
                insert(alert_matches).values(
                    alert_id=big, customer_id=account_id["D"], since=stored_changes(engine)[0].at
                )
            )
            expected = f"alert {big} 'big': D is stored, but does not match"
    before = dump_database(engine)
    result = cli("check")
    assert result.exit_code == 1, result.output
    assert expected in result.stdout
    assert f"alert {big} 'big': its count says 2, " in result.stdout
    assert "Membership differs" in result.stderr
    assert dump_database(engine) == before


@pytest.mark.parametrize("orphan", ["alert", "customer", "user"])
def test_check_fails_on_a_row_of_an_alert_customer_or_user_that_does_not_exist(
    cli: Any, engine: Engine, ledger: dict[str, int], orphan: str
) -> None:
    """The membership tables have no foreign keys (storage.py): a deletion by hand, or a
    row written by hand, can leave a row whose parent is gone."""
    big = ledger["big"]
    with engine.begin() as conn:
        if orphan == "alert":  # deleted in SQL rather than by deleteAlert
            conn.execute(delete(alerts).where(alerts.c.id == big))
            expected = f"alert_matches: 2 row(s) of alert {big}, which does not exist"
        elif orphan == "customer":
            conn.execute(
                insert(alert_changes).values(
                    alert_id=big, customer_id=999_999, kind="ENTERED",
                    at=stored_changes(engine)[0].at, day=TODAY, cause="IMPORT",
                )
            )  # fmt: skip
            expected = "alert_changes: 1 row(s) of customer 999999, which does not exist"
        else:
            conn.execute(
                insert(bell_keys).values(
                    user_id=999_999, tab="RISK", customer_id=1, bell_key=1_000_001,
                    account_number="A",
                )
            )  # fmt: skip
            expected = "bell_keys: 1 row(s) of user 999999, which does not exist"
    before = dump_database(engine)
    result = cli("check")
    assert result.exit_code == 1, result.output
    assert expected in result.stdout
    assert "Membership differs" in result.stderr
    assert dump_database(engine) == before


def test_refresh_applies_a_pending_day_once(
    cli: Any, engine: Engine, ledger: dict[str, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert cli("refresh").output.strip() == f"Nothing pending: {TODAY} is applied."
    later = TODAY + timedelta(days=2)
    monkeypatch.setenv("DSO_ALERTS_TODAY", later.isoformat())
    result = cli("refresh")
    assert result.exit_code == 0, result.output
    assert f"Applied day for {later}: 2 entered, 0 left" in result.output
    assert {(c.account, c.cause, c.day) for c in stored_changes(engine) if c.day == later} == {
        ("C", "NEW_DAY", later)
    }
    assert cli("refresh").output.strip() == f"Nothing pending: {later} is applied."
    assert cli("check").exit_code == 0


def test_check_applies_a_pending_day_first(
    cli: Any, engine: Engine, ledger: dict[str, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    later = TODAY + timedelta(days=2)
    monkeypatch.setenv("DSO_ALERTS_TODAY", later.isoformat())
    result = cli("check")
    assert result.exit_code == 0, result.output
    assert f"Membership is exact: 3 alert(s), 7 match(es), for {later}." in result.output


def test_a_new_day_met_by_two_processes_together_is_applied_once(
    engine: Engine, registry: CriteriaRegistry, ledger: dict[str, int]
) -> None:
    url = engine.url.render_as_string(hide_password=False)
    engines = [create_db_engine(url) for _ in range(2)]  # two processes' pools
    later = TODAY + timedelta(days=2)
    mark = last_change_id(engine)
    start = threading.Barrier(len(engines))
    done: list[Any] = []
    failures: list[BaseException] = []

    def meet(own: Engine) -> None:
        try:
            start.wait()
            done.append(membership_day.ensure_current(own, registry, later))
        except BaseException as error:  # reported by the test, not lost in the thread
            failures.append(error)

    threads = [threading.Thread(target=meet, args=(own,)) for own in engines]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    for own in engines:
        own.dispose()
    assert not failures, failures
    applied = [d for d in done if d.new_day is not None]
    assert len(applied) == 1, done
    new_day = stored_changes(engine, mark)
    assert {(c.alert_id, c.account, c.cause) for c in new_day} == {
        (ledger["late"], "C", "NEW_DAY"), (ledger["item"], "C", "NEW_DAY"),
    }  # fmt: skip
    assert len({c.at for c in new_day}) == 1
    assert len(stored_matches(engine)) == 7
