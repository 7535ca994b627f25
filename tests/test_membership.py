"""Membership as data (SPEC §9) through the domain functions, on SQLite and PostgreSQL: a
hand-written ledger whose matches, `since` and recorded changes are written out below, then
each event in turn — an import, a reminder logged and deleted, a new day, criteria edited,
a cosmetic edit, a deletion — and what a plugin going missing or failing does.

The ledger, on "today" = 2026-11-23 (D):

| account | open items                      | last reminder | late | big | item |
|---------|---------------------------------|---------------|------|-----|------|
| A       | 30000 due D-40                  | D-20          | yes  | yes | yes  |
| B       | 5000 due D-5                    | never         |      |     | yes  |
| C       | 25000 due D+1 (overdue from D+2) | never         |      | yes |      |
| D       | none                            | never         |      |     |      |
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from sqlalchemy import Engine, func, select

from graphql_api import ids as api_ids
from graphql_api import membership, membership_day
from graphql_api.alerts import (
    AlertInput,
    AlertType,
    Level,
    Visibility,
    create_alert,
    delete_alert,
    update_alert,
)
from graphql_api.criteria import Criterion, Scope
from graphql_api.criterion_kinds import AMOUNT
from graphql_api.database import write_transaction
from graphql_api.errors import ErrorCode, UserInputError
from graphql_api.hookspecs import hookimpl
from graphql_api.ledger_import import ImportFailed, import_ledger
from graphql_api.membership_check import check_membership
from graphql_api.plugins import CriteriaRegistry, load_registry
from graphql_api.reminders import delete_reminder, log_reminder
from graphql_api.request_context import RequestContext
from graphql_api.storage import (
    alert_changes,
    alert_matches,
    alert_states,
    customers,
    reminders,
    users,
)
from graphql_api.users import Role, User, add_user
from tests.conftest import TODAY
from tests.ledger_builder import (
    Customer,
    Item,
    Reminder,
    ago,
    customers_csv,
    dump_database,
    items_csv,
    load_ledger,
    reminders_csv,
)
from tests.membership_reads import (
    api_alert_id,
    daily_counts,
    expected_membership,
    last_change_id,
    match_counts,
    stored_changes,
    stored_matches,
)

LATE = {"overdueAmount": {"min": "20000"}, "lastReminderDate": {"olderThanDays": 10}}
BIG = {"outstandingAmount": {"min": "20000"}}
ITEM = {"itemOverdue": True}
CUSTOMERS = [Customer(a, f"Customer {a}", country="FR") for a in "ABCD"]
ITEMS = [
    Item("A", "A1", Decimal("30000"), due_date=ago(40)),
    Item("B", "B1", Decimal("5000"), due_date=ago(5)),
    Item("C", "C1", Decimal("25000"), due_date=ago(-1)),
]
REMINDERS = [Reminder("A", ago(20))]


@pytest.fixture
def people(engine: Engine) -> dict[str, User]:
    roles = {"admin": Role.ADMIN, "alice": Role.USER, "bob": Role.USER, "viewer": Role.VIEWER}
    with write_transaction(engine) as conn:
        for name, role in roles.items():
            add_user(conn, name, role)
    with engine.connect() as conn:
        ids = dict(conn.execute(select(users.c.name, users.c.id)).all())
    return {name: User(ids[name], name, role) for name, role in roles.items()}


def new_alert(
    engine: Engine,
    registry: CriteriaRegistry,
    owner: User,
    name: str,
    criteria: dict[str, Any],
    today: date = TODAY,
) -> int:
    with write_transaction(engine) as conn:
        data = AlertInput(name, criteria, visibility=Visibility.PUBLIC)
        return create_alert(conn, registry, owner, data, today).id


def assert_exact(engine: Engine, registry: CriteriaRegistry, today: date) -> None:
    """Stored membership is the oracle's, and `dso-alerts check`'s comparison agrees."""
    assert set(stored_matches(engine)) == expected_membership(engine, today)
    with write_transaction(engine) as conn:
        report = check_membership(conn, registry, today)
    assert report.ok, report.differences


def one_event(changes: list[Any], cause: str, day: date) -> set[tuple[int, str, str]]:
    """The changes of one event: one `at`, its cause and day; as (alert, account, kind)."""
    assert len({c.at for c in changes}) == 1, changes
    assert {(c.cause, c.day) for c in changes} == {(cause, day)}, changes
    return {(c.alert_id, c.account, c.kind) for c in changes}


def test_each_event_records_what_changed_with_its_cause_and_day(
    engine: Engine, registry: CriteriaRegistry, people: dict[str, User]
) -> None:
    alice = people["alice"]
    late, big, item = (
        new_alert(engine, registry, alice, name, criteria)
        for name, criteria in (("late", LATE), ("big", BIG), ("item", ITEM))
    )
    # Created on an empty ledger: nothing matches, nothing entered, each history begins today.
    assert stored_matches(engine) == {} and stored_changes(engine) == []
    assert daily_counts(engine, big) == {TODAY: 0}

    load_ledger(engine, CUSTOMERS, ITEMS, REMINDERS)
    imported = stored_changes(engine)
    assert one_event(imported, "IMPORT", TODAY) == {
        (late, "A", "ENTERED"), (big, "A", "ENTERED"), (big, "C", "ENTERED"),
        (item, "A", "ENTERED"), (item, "B", "ENTERED"),
    }  # fmt: skip
    since = stored_matches(engine)
    assert set(since.values()) == {imported[0].at}  # a match began when it entered
    assert match_counts(engine) == {late: 1, big: 2, item: 2}
    assert_exact(engine, registry, TODAY)

    # A reminder today: A was reminded less than 10 days ago, it leaves "late".
    mark = last_change_id(engine)
    with write_transaction(engine) as conn:
        customer_a = api_ids.customer_id(_customer_id(engine, "A"))
        logged = log_reminder(conn, alice, customer_a, TODAY, TODAY, registry=registry)
    assert one_event(stored_changes(engine, mark), "REMINDER", TODAY) == {(late, "A", "LEFT")}
    after_reminder = stored_matches(engine)
    assert after_reminder == {k: v for k, v in since.items() if k != (late, "A")}  # kept
    assert_exact(engine, registry, TODAY)

    # Deleted by the user who logged it: A is back in "late", with a new since.
    mark = last_change_id(engine)
    with write_transaction(engine) as conn:
        delete_reminder(conn, alice, api_ids.reminder_id(logged.id), TODAY, registry=registry)
    (back,) = stored_changes(engine, mark)
    assert one_event([back], "REMINDER", TODAY) == {(late, "A", "ENTERED")}
    assert stored_matches(engine)[(late, "A")] == back.at > since[(late, "A")]
    assert_exact(engine, registry, TODAY)

    # A new day, D+2, met by a request's first read: C's invoice is now overdue.
    later = TODAY + timedelta(days=2)
    mark = last_change_id(engine)
    with RequestContext(engine, registry, alice, today=later) as context:
        context.conn  # noqa: B018 - the first read catches up
    assert one_event(stored_changes(engine, mark), "NEW_DAY", later) == {
        (late, "C", "ENTERED"), (item, "C", "ENTERED"),
    }  # fmt: skip
    with RequestContext(engine, registry, alice, today=later) as context:
        context.conn  # noqa: B018 - applied once: the next request finds it done
    assert len(stored_changes(engine, mark)) == 2
    assert_exact(engine, registry, later)

    # New criteria: C's 25000 is below the new minimum; A keeps the since it entered with.
    mark = last_change_id(engine)
    with write_transaction(engine) as conn:
        update_alert(conn, registry, alice, api_alert_id(engine, big),
                     AlertInput("big", {"outstandingAmount": {"min": "26000"}},
                                visibility=Visibility.PUBLIC), today=later)  # fmt: skip
    assert one_event(stored_changes(engine, mark), "ALERT_SAVED", later) == {(big, "C", "LEFT")}
    assert stored_matches(engine)[(big, "A")] == since[(big, "A")]
    assert daily_counts(engine, big) == {TODAY: 2, later: 1}
    assert_exact(engine, registry, later)

    # A new name, level, colour, visibility and type change no membership: nothing recorded.
    mark, before = last_change_id(engine), stored_matches(engine)
    with write_transaction(engine) as conn:
        cosmetic = AlertInput(
            "big accounts", {"outstandingAmount": {"min": "26000"}}, AlertType.RISK,
            Level.CRITICAL, "#123456", Visibility.PRIVATE,
        )  # fmt: skip
        update_alert(conn, registry, alice, api_alert_id(engine, big), cosmetic, today=later)
    assert stored_changes(engine, mark) == [] and stored_matches(engine) == before

    # Deleting an alert removes its matches and its whole history, recording nothing.
    with write_transaction(engine) as conn:
        delete_alert(conn, alice, api_alert_id(engine, item))
    assert stored_changes(engine, mark) == []
    assert all(c.alert_id != item for c in stored_changes(engine))
    assert all(alert_id != item for alert_id, _ in stored_matches(engine))
    assert daily_counts(engine, item) == {} and item not in match_counts(engine)
    with engine.connect() as conn:  # no foreign key deletes them (storage.py): the code does
        for table in (alert_matches, alert_changes):
            left = select(func.count()).select_from(table).where(table.c.alert_id == item)
            assert conn.execute(left).scalar_one() == 0, table.name
    assert_exact(engine, registry, later)


def _customer_id(engine: Engine, account: str) -> int:
    with engine.connect() as conn:
        query = select(customers.c.id).where(customers.c.account_number == account)
        return int(conn.execute(query).scalar_one())


def test_an_upsert_import_is_one_event_and_keeps_what_still_matches(
    engine: Engine, registry: CriteriaRegistry, people: dict[str, User], tmp_path: Path
) -> None:
    big = new_alert(engine, registry, people["alice"], "big", BIG)
    load_ledger(engine, CUSTOMERS, ITEMS, REMINDERS)
    since = stored_matches(engine)
    mark = last_change_id(engine)
    upsert = tmp_path / "items.csv"
    upsert.write_text(
        "account_number,document_number,type,document_date,due_date,amount,open_amount\n"
        f"C,C1,INVOICE,,{ago(-1)},25000,0\nD,D1,INVOICE,,{ago(3)},40000,40000\n"
        f"A,A2,INVOICE,,{ago(3)},10,10\n",
        encoding="utf-8",
    )
    import_ledger(engine, today=TODAY, items_file=upsert, upsert_items=True, registry=registry)
    assert one_event(stored_changes(engine, mark), "IMPORT", TODAY) == {
        (big, "C", "LEFT"), (big, "D", "ENTERED"),
    }  # fmt: skip
    assert stored_matches(engine)[(big, "A")] == since[(big, "A")]
    assert_exact(engine, registry, TODAY)


def test_an_import_rolled_back_leaves_membership_and_history_unchanged(
    engine: Engine,
    registry: CriteriaRegistry,
    people: dict[str, User],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    new_alert(engine, registry, people["alice"], "big", BIG)
    load_ledger(engine, CUSTOMERS, ITEMS, REMINDERS)
    before = dump_database(engine)
    changed = [*CUSTOMERS, Customer("E")]
    changed_items = [Item("E", "E1", Decimal("90000"), due_date=ago(100))]

    # Killed after its diff was written, before the commit: everything is rolled back.
    real_record = membership.record

    def killed(*args: Any, **kwargs: Any) -> membership.Recorded:
        done = real_record(*args, **kwargs)
        assert done.entered, done  # the diff was written in the import's transaction...
        raise KeyboardInterrupt

    monkeypatch.setattr(membership, "record", killed)
    with pytest.raises(KeyboardInterrupt):
        load_ledger(engine, changed, changed_items)
    assert dump_database(engine) == before  # ...and is gone with it

    # Rejected for a bad value: nothing either.
    monkeypatch.setattr(membership, "record", real_record)
    with pytest.raises(ImportFailed):
        load_ledger(engine, changed, [Item("nobody", "X1", Decimal("1"))])
    assert dump_database(engine) == before
    assert_exact(engine, registry, TODAY)


def test_deleting_a_reminder_is_for_its_author_or_an_admin(
    engine: Engine, registry: CriteriaRegistry, people: dict[str, User]
) -> None:
    load_ledger(engine, CUSTOMERS, ITEMS, REMINDERS)  # A's reminder is imported
    customer = api_ids.customer_id(_customer_id(engine, "B"))
    with write_transaction(engine) as conn:
        logged = log_reminder(conn, people["alice"], customer, TODAY, TODAY, registry=registry)
        (imported_row,) = conn.execute(
            select(reminders.c.id).where(reminders.c.logged_by.is_(None))
        ).scalars()
    by_alice, imported = api_ids.reminder_id(logged.id), api_ids.reminder_id(imported_row)

    def refused(user: str, reminder_id: int | str) -> tuple[ErrorCode, str | None]:
        with pytest.raises(UserInputError) as caught, write_transaction(engine) as conn:
            delete_reminder(conn, people[user], reminder_id, TODAY, registry=registry)
        (problem,) = caught.value.problems
        return problem.code, problem.field

    assert refused("viewer", by_alice) == (ErrorCode.FORBIDDEN, None)
    assert refused("bob", by_alice) == (ErrorCode.FORBIDDEN, "id")
    assert refused("alice", imported) == (ErrorCode.FORBIDDEN, "id")
    assert refused("alice", api_ids.reminder_id(999_999)) == (ErrorCode.NOT_FOUND, "id")
    assert refused("alice", str(imported_row)) == (ErrorCode.NOT_FOUND, "id")  # a row number
    assert refused("alice", "not an id") == (ErrorCode.NOT_FOUND, "id")
    with write_transaction(engine) as conn:
        delete_reminder(conn, people["alice"], by_alice, TODAY, registry=registry)
        delete_reminder(conn, people["admin"], imported, TODAY, registry=registry)
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(reminders)).scalar_one() == 0
    assert_exact(engine, registry, TODAY)


# -- an alert that cannot be evaluated --------------------------------------------------------


def big_outstanding(value: Callable[[Any], Any]) -> ModuleType:
    """A plugin contributing `bigOutstanding`, its SQL value being `value(ledger)`."""
    module = ModuleType("big_outstanding")

    def register() -> list[Criterion]:
        return [
            Criterion(
                "bigOutstanding", "Big outstanding", "The outstanding amount.",
                Scope.CUSTOMER, AMOUNT, value=value,
            )
        ]  # fmt: skip

    module.register_criteria = hookimpl(register)  # type: ignore[attr-defined]
    return module


def failing_sql(ledger: Any) -> Any:
    return func.dso_no_such_function(ledger.figures.c.outstanding_amount)


@pytest.mark.parametrize("fault", ["missing", "failing SQL"])
def test_an_alert_that_cannot_be_evaluated_keeps_its_membership_until_it_can(
    engine: Engine, people: dict[str, User], fault: str
) -> None:
    working = load_registry([big_outstanding(lambda ledger: ledger.figures.c.outstanding_amount)])
    broken = (
        load_registry() if fault == "missing" else load_registry([big_outstanding(failing_sql)])
    )
    plugged = new_alert(engine, working, people["alice"], "plugged",
                        {"bigOutstanding": {"min": "20000"}})  # fmt: skip
    big = new_alert(engine, working, people["alice"], "big", BIG)
    import_ledger_with(engine, working, ITEMS, REMINDERS)
    kept = {k: v for k, v in stored_matches(engine).items() if k[0] == plugged}
    assert set(kept) == {(plugged, "A"), (plugged, "C")}

    # The plugin is gone (or fails): C is paid, D owes 50000. The other alert follows; the
    # plugged one keeps its matches and records nothing, through an import and a new day.
    mark = last_change_id(engine)
    paid = [ITEMS[0], ITEMS[1], Item("D", "D1", Decimal("50000"), due_date=ago(3))]
    import_ledger_with(engine, broken, paid)
    later = TODAY + timedelta(days=1)
    membership_day.ensure_current(engine, broken, later)
    assert {(c.alert_id, c.account, c.kind, c.cause) for c in stored_changes(engine, mark)} == {
        (big, "C", "LEFT", "IMPORT"), (big, "D", "ENTERED", "IMPORT"),
    }  # fmt: skip
    assert {k: v for k, v in stored_matches(engine).items() if k[0] == plugged} == kept
    with engine.connect() as conn:
        frozen = conn.execute(
            select(alert_states.c.frozen).where(alert_states.c.alert_id == plugged)
        )
        assert frozen.scalar_one() is True
    with write_transaction(engine) as conn:  # check lists it, and does not count it as wrong
        report = check_membership(conn, broken, later)
    assert report.ok and any("plugged" in line for line in report.not_evaluated), report

    # Back: the difference is one ALERT_SAVED event; A, which matched throughout, keeps since.
    mark = last_change_id(engine)
    membership_day.ensure_current(engine, working, later)
    assert one_event(stored_changes(engine, mark), "ALERT_SAVED", later) == {
        (plugged, "C", "LEFT"), (plugged, "D", "ENTERED"),
    }  # fmt: skip
    assert stored_matches(engine)[(plugged, "A")] == kept[(plugged, "A")]
    assert {pair for pair in stored_matches(engine) if pair[0] == plugged} == {
        (plugged, "A"), (plugged, "D"),
    }  # fmt: skip
    with write_transaction(engine) as conn:
        assert check_membership(conn, working, later).ok
    membership_day.ensure_current(engine, working, later)  # once
    assert len(stored_changes(engine, mark)) == 2


def import_ledger_with(
    engine: Engine,
    registry: CriteriaRegistry,
    items: list[Item],
    reminders_: list[Reminder] | None = None,
) -> None:
    """load_ledger, with the alerts evaluated by `registry`."""
    with tempfile.TemporaryDirectory() as folder:
        paths = {"customers_file": Path(folder, "c.csv"), "items_file": Path(folder, "i.csv")}
        paths["customers_file"].write_text(customers_csv(CUSTOMERS), encoding="utf-8")
        paths["items_file"].write_text(items_csv(items), encoding="utf-8")
        if reminders_ is not None:
            paths["reminders_file"] = Path(folder, "r.csv")
            paths["reminders_file"].write_text(reminders_csv(reminders_), encoding="utf-8")
        import_ledger(engine, today=TODAY, registry=registry, **paths)


# -- history ---------------------------------------------------------------------------------


def test_pruning_keeps_the_change_that_began_a_current_match(
    engine: Engine,
    registry: CriteriaRegistry,
    people: dict[str, User],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    monkeypatch.setenv("DSO_ALERTS_HISTORY_DAYS", "10")
    big = new_alert(engine, registry, people["alice"], "big", BIG)
    item = new_alert(engine, registry, people["alice"], "item", ITEM)
    load_ledger(engine, CUSTOMERS, ITEMS, REMINDERS)
    # B pays the same day: B entered and left "item" on D, a match that is over.
    paid = tmp_path / "paid.csv"
    paid.write_text(
        "account_number,document_number,type,document_date,due_date,amount,open_amount\n"
        f"B,B1,INVOICE,,{ago(5)},5000,0\n",
        encoding="utf-8",
    )
    import_ledger(engine, today=TODAY, items_file=paid, upsert_items=True, registry=registry)
    since = stored_matches(engine)
    first_day = {(c.alert_id, c.account, c.kind) for c in stored_changes(engine)}
    assert {(item, "B", "ENTERED"), (item, "B", "LEFT")} <= first_day

    day_5, day_11 = TODAY + timedelta(days=5), TODAY + timedelta(days=11)
    membership_day.ensure_current(engine, registry, day_5)  # 5 days old: all kept
    assert {(c.alert_id, c.account, c.kind) for c in stored_changes(engine) if c.day == TODAY} == (
        first_day
    )
    membership_day.ensure_current(engine, registry, day_11)  # 11 days old: pruned, but...
    kept = {(c.alert_id, c.account, c.kind) for c in stored_changes(engine) if c.day == TODAY}
    assert kept == {(a, account, "ENTERED") for a, account in since}  # ...what began a match
    stored = stored_matches(engine)
    assert {pair: stored[pair] for pair in since} == since  # since never changes
    assert min(daily_counts(engine, big)) <= day_11 - timedelta(days=10)  # still read
    assert_exact(engine, registry, day_11)
