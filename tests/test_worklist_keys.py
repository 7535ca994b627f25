"""The worklist's BELL keys kept as data (graphql_api/bell_keys.py), on both databases: after
each kind of change the stored keys are what a plain-Python reading of the stored matches,
the alerts and the users gives; a private alert moves its owner's keys only, and another
user's worklist never shows it; the stored keys and the grouping they replace answer the
same pages; an alert that cannot be evaluated sends the read back to the grouping;
`dso-alerts check` finds a tampered key; an upgraded database gets its keys.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import Engine, delete, insert, select, update

from graphql_api import bell_keys as keeping
from graphql_api import ids as api_ids
from graphql_api import membership_day
from graphql_api.alerts import (
    AlertInput,
    AlertTab,
    AlertType,
    Level,
    Visibility,
    create_alert,
    delete_alert,
    update_alert,
)
from graphql_api.database import migrate, write_transaction
from graphql_api.graphql import bells
from graphql_api.membership_check import check_membership
from graphql_api.plugins import CriteriaRegistry, load_registry
from graphql_api.reminders import delete_reminder, log_reminder
from graphql_api.storage import alert_matches, alerts, bell_keys, customers, users
from graphql_api.users import Role, User, add_user
from tests.api_client import Api
from tests.conftest import TODAY
from tests.ledger_builder import Customer, Item, Reminder, ago, load_ledger
from tests.membership_reads import api_alert_id
from tests.paging_ledger import Shop, walk
from tests.test_api_bells import PLUGGED, server
from tests.test_api_worklist import WORKLIST, World
from tests.test_figures_migration import downgrade
from tests.test_membership import big_outstanding

pytest_plugins = ("tests.paging_ledger", "tests.api_client")

RANK = {"LOW": 1, "MEDIUM": 2, "HIGH": 3, "CRITICAL": 4}
TAB_TYPES = {"COLLECTION": ("COLLECTION", "NONE"), "RISK": ("RISK", "NONE")}
Keys = dict[tuple[str, str, str], int]  # (user name, tab, account number) -> key


def expected_keys(engine: Engine) -> Keys:
    """What SPEC §9's BELL order sorts by, read in Python: per user, tab and customer with an
    entry, the highest level of the alerts the user can see in the tab that the customer
    matches (as stored), then how many."""
    with engine.connect() as conn:
        people = conn.execute(select(users.c.id, users.c.name)).all()
        shown = {row.id: row for row in conn.execute(select(alerts))}
        accounts = dict(conn.execute(select(customers.c.id, customers.c.account_number)).all())
        matches = conn.execute(select(alert_matches.c.alert_id, alert_matches.c.customer_id)).all()
    found: Keys = {}
    for user_id, name in people:
        for tab, types in TAB_TYPES.items():
            ranks: dict[int, list[int]] = {}
            for alert_id, customer_id in matches:
                alert = shown[alert_id]
                sees = alert.visibility == "PUBLIC" or alert.owner_id == user_id
                if sees and alert.type in types:
                    ranks.setdefault(customer_id, []).append(RANK[alert.level])
            for customer_id, levels in ranks.items():
                found[(name, tab, accounts[customer_id])] = max(levels) * 1_000_000 + len(levels)
    return found


def stored_keys(engine: Engine) -> Keys:
    query = (
        select(users.c.name, bell_keys.c.tab, customers.c.account_number, bell_keys.c.bell_key,
               bell_keys.c.account_number.label("copied"))
        .join(users, users.c.id == bell_keys.c.user_id)
        .join(customers, customers.c.id == bell_keys.c.customer_id)
    )  # fmt: skip
    with engine.connect() as conn:
        rows = conn.execute(query).all()
    assert all(row.copied == row.account_number for row in rows), rows
    return {(row.name, row.tab, row.account_number): row.bell_key for row in rows}


def assert_keys_exact(engine: Engine, registry: CriteriaRegistry, today: Any = TODAY) -> Keys:
    keys = stored_keys(engine)
    assert keys == expected_keys(engine)
    with write_transaction(engine) as conn:
        report = check_membership(conn, registry, today)
    assert report.ok, report.differences
    return keys


# -- every kind of change -------------------------------------------------------------------

CUSTOMERS = [Customer(a, f"Customer {a}", country="FR" if a in "AC" else "DE") for a in "ABCDE"]
ITEMS = [
    Item("A", "A1", Decimal("30000"), due_date=ago(40)),
    Item("B", "B1", Decimal("5000"), due_date=ago(5)),
    Item("C", "C1", Decimal("25000"), due_date=ago(-1)),
    Item("D", "D1", Decimal("21000"), due_date=ago(60)),
]
REMINDERS = [Reminder("A", ago(20))]
LATE = {"overdueAmount": {"min": "20000"}, "lastReminderDate": {"olderThanDays": 10}}
BIG = {"outstandingAmount": {"min": "20000"}}
ITEM = {"itemOverdue": True}
FRENCH = {"country": {"values": ["FR"]}}


@pytest.fixture
def people(engine: Engine) -> dict[str, User]:
    roles = {"admin": Role.ADMIN, "alice": Role.USER, "bob": Role.USER}
    with write_transaction(engine) as conn:
        for name, role in roles.items():
            add_user(conn, name, role)
    with engine.connect() as conn:
        ids = dict(conn.execute(select(users.c.name, users.c.id)).all())
    return {name: User(ids[name], name, role) for name, role in roles.items()}


def _customer(engine: Engine, account: str) -> str:
    with engine.connect() as conn:
        query = select(customers.c.id).where(customers.c.account_number == account)
        return api_ids.customer_id(int(conn.execute(query).scalar_one()))


def test_the_keys_follow_every_kind_of_change(
    engine: Engine, registry: CriteriaRegistry, people: dict[str, User]
) -> None:
    alice, bob = people["alice"], people["bob"]
    made: dict[str, int] = {}

    def create(owner: User, name: str, criteria: dict[str, Any], *shape: Any, day: Any = TODAY
               ) -> None:  # fmt: skip
        with write_transaction(engine) as conn:
            made[name] = create_alert(
                conn, registry, owner, AlertInput(name, criteria, *shape), day
            ).id

    def edit(owner: User, name: str, criteria: dict[str, Any], *shape: Any, day: Any = TODAY
             ) -> None:  # fmt: skip
        with write_transaction(engine) as conn:
            update_alert(conn, registry, owner, api_alert_id(engine, made[name]),
                         AlertInput(name, criteria, *shape), today=day)  # fmt: skip

    # Alerts saved on an empty ledger: no entry, no key.
    create(alice, "big", BIG, AlertType.COLLECTION, Level.HIGH, None, Visibility.PUBLIC)
    create(alice, "item", ITEM, AlertType.NONE, Level.LOW, None, Visibility.PRIVATE)
    create(bob, "late", LATE, AlertType.RISK, Level.CRITICAL, None, Visibility.PRIVATE)
    assert assert_keys_exact(engine, registry) == {}

    load_ledger(engine, CUSTOMERS, ITEMS, REMINDERS)  # an import: most customers at once
    keys = assert_keys_exact(engine, registry)
    assert keys[("bob", "COLLECTION", "A")] == 3_000_001  # big alone: alice's item is hers
    assert keys[("alice", "COLLECTION", "A")] == 3_000_002  # big and item
    assert keys[("bob", "RISK", "A")] == 4_000_001  # late, bob's own
    assert keys[("alice", "RISK", "A")] == 1_000_001  # item, of type NONE: in both tabs

    with write_transaction(engine) as conn:  # A reminded today leaves "late"
        logged = log_reminder(conn, alice, _customer(engine, "A"), TODAY, TODAY, registry=registry)
    assert ("bob", "RISK", "A") not in assert_keys_exact(engine, registry)
    with write_transaction(engine) as conn:
        delete_reminder(conn, alice, api_ids.reminder_id(logged.id), TODAY, registry=registry)
    assert assert_keys_exact(engine, registry)[("bob", "RISK", "A")] == 4_000_001

    later = TODAY + timedelta(days=2)  # C's invoice falls overdue
    membership_day.ensure_current(engine, registry, later)
    assert assert_keys_exact(engine, registry, later)[("alice", "RISK", "C")] == 1_000_001

    public = (Visibility.PUBLIC,)
    edit(alice, "big", {"outstandingAmount": {"min": "26000"}}, AlertType.COLLECTION,
         Level.HIGH, None, *public, day=later)  # criteria: C leaves  # fmt: skip
    assert ("bob", "COLLECTION", "C") not in assert_keys_exact(engine, registry, later)
    edit(alice, "item", ITEM, AlertType.NONE, Level.CRITICAL, None, Visibility.PRIVATE)  # level
    assert assert_keys_exact(engine, registry, later)[("alice", "RISK", "D")] == 4_000_001
    edit(alice, "big", {"outstandingAmount": {"min": "26000"}}, AlertType.RISK,
         Level.HIGH, None, *public, day=later)  # type: from one tab to the other  # fmt: skip
    keys = assert_keys_exact(engine, registry, later)
    assert ("bob", "COLLECTION", "A") not in keys and keys[("bob", "RISK", "A")] == 4_000_002
    edit(alice, "item", ITEM, AlertType.NONE, Level.CRITICAL, None, *public)  # made public
    assert assert_keys_exact(engine, registry, later)[("bob", "COLLECTION", "D")] == 4_000_001
    # Private again with new criteria, at once: those who left are nobody's any more.
    edit(alice, "item", FRENCH, AlertType.NONE, Level.LOW, None, Visibility.PRIVATE, day=later)
    keys = assert_keys_exact(engine, registry, later)
    assert ("bob", "COLLECTION", "D") not in keys
    assert keys[("alice", "COLLECTION", "C")] == 1_000_001

    create(bob, "french", FRENCH, AlertType.COLLECTION, Level.MEDIUM, None, *public, day=later)
    assert assert_keys_exact(engine, registry, later)[("alice", "COLLECTION", "C")] == 2_000_002
    with write_transaction(engine) as conn:  # deleted: its customers' keys go without it
        delete_alert(conn, alice, api_alert_id(engine, made["big"]))
    assert ("bob", "RISK", "A") in assert_keys_exact(engine, registry, later)  # late still

    with write_transaction(engine) as conn:  # a new user sees the public alerts
        add_user(conn, "carol", Role.VIEWER)
    keys = assert_keys_exact(engine, registry, later)
    assert {k for k in keys if k[0] == "carol"} == {
        ("carol", "COLLECTION", "A"), ("carol", "COLLECTION", "C")
    }  # fmt: skip

    # Users are never deleted; one deleted by hand leaves keys (the table has no foreign
    # keys), which `check` names, and which a new user never inherits, even with their id.
    with engine.begin() as conn:
        gone = conn.execute(select(users.c.id).where(users.c.name == "carol")).scalar_one()
        conn.execute(delete(users).where(users.c.id == gone))
    with write_transaction(engine) as conn:
        add_user(conn, "dave", Role.VIEWER)  # SQLite gives dave carol's id
    assert {k: v for k, v in stored_keys(engine).items() if k[0] == "dave"} == {
        k: v for k, v in expected_keys(engine).items() if k[0] == "dave"
    }
    with engine.connect() as conn:
        dave = conn.execute(select(users.c.id).where(users.c.name == "dave")).scalar_one()
    with write_transaction(engine) as conn:
        report = check_membership(conn, registry, later)
    orphans = f"bell_keys: 2 row(s) of user {gone}, which does not exist"
    assert (orphans in report.differences) == (dave != gone), report.differences


# -- privacy --------------------------------------------------------------------------------

BOB_VIEW = {"bell": {"tab": "COLLECTION"}, "orderBy": [{"field": "BELL", "direction": "DESC"}]}
CREATE = """mutation($input: AlertInput!) { createAlert(input: $input) { errors { message } } }"""


def _everything(shop: Shop) -> list[Any]:
    """A user's whole worklist, both ways, with counts and cursors."""
    pages = []
    for direction in ("DESC", "ASC"):
        variables = BOB_VIEW | {"orderBy": [{"field": "BELL", "direction": direction}]}
        for forward in (True, False):
            pages.append(walk(shop, ["customers"], WORKLIST_CURSORS, variables, 6, forward))
    return pages


WORKLIST_CURSORS = WORKLIST.replace(
    "edges { cursor node { accountNumber",
    "edges { cursor node { accountNumber tabBell: bell(tab: COLLECTION) { count level }",
)


def test_a_private_alert_never_moves_another_user_s_worklist(
    shop: Shop, engine: Engine, registry: CriteriaRegistry
) -> None:
    with write_transaction(engine) as conn:
        bob = Shop(shop.client, add_user(conn, "bob", Role.USER), shop.oracle)
    for who, criteria, level in ((bob, {"overdueAmount": {"min": "1"}}, "MEDIUM"),
                                 (shop, {"disputedAmount": {"min": "1"}}, "HIGH")):  # fmt: skip
        input_ = {"name": level, "criteria": criteria, "level": level, "visibility": "PUBLIC"}
        assert who.data(CREATE, {"input": input_})["createAlert"]["errors"] == []
    before, keys = _everything(bob), stored_keys(engine)
    assert before[0][1] > 0

    hidden = {"name": "mine", "criteria": {"outstandingAmount": {"min": "1"}},
              "level": "CRITICAL", "visibility": "PRIVATE"}  # fmt: skip
    assert shop.data(CREATE, {"input": hidden})["createAlert"]["errors"] == []
    assert _everything(bob) == before  # the same pages, counts, bells and cursors
    now = stored_keys(engine)
    assert {k: v for k, v in now.items() if k[0] == "bob"} == {
        k: v for k, v in keys.items() if k[0] == "bob"
    }
    assert now != keys  # alice's keys did move
    top = shop.data(WORKLIST_CURSORS, BOB_VIEW | {"first": 1})["customers"]["edges"][0]
    assert top["node"]["tabBell"]["level"] == "CRITICAL"
    assert_keys_exact(engine, registry)


# -- the stored keys and the grouping answer alike -------------------------------------------


@pytest.fixture
def world(shop: Shop, engine: Engine) -> World:
    return World(shop, engine)


STORED_TAB: Callable[..., str | None] = bells._stored_tab


def _stored_tab_used(monkeypatch: pytest.MonkeyPatch, stored: bool) -> list[str | None]:
    """Forces the read to the grouping (`stored` False); records what the read chose."""
    chosen: list[str | None] = []

    def choose(info: Any, bell: Any) -> str | None:
        found = STORED_TAB(info, bell) if stored else None
        chosen.append(found)
        return found

    monkeypatch.setattr(bells, "_stored_tab", choose)
    return chosen


ORDERS: list[list[dict[str, str]] | None] = [
    [{"field": "BELL", "direction": "DESC"}],
    [{"field": "BELL", "direction": "ASC"}],
    [{"field": "BELL", "direction": "DESC"}, {"field": "OUTSTANDING_AMOUNT", "direction": "ASC"}],
    None,
]


@pytest.mark.parametrize("tab", ["COLLECTION", "RISK"])
def test_the_stored_keys_and_the_grouping_give_the_same_pages(
    world: World, monkeypatch: pytest.MonkeyPatch, tab: str
) -> None:
    for order in ORDERS:
        variables = {"bell": {"tab": tab}, "orderBy": order}
        found = {}
        for stored in (True, False):
            chosen = _stored_tab_used(monkeypatch, stored)
            found[stored] = [
                walk(world.shop, ["customers"], WORKLIST, variables, size, forward)
                for size in (3, 7) for forward in (True, False)
            ]  # fmt: skip
            assert set(chosen) == {tab if stored else None}, chosen
        assert found[True] == found[False], order
        assert found[True][0][1] > 0


def test_a_bell_filter_beyond_a_tab_is_grouped_as_asked(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    chosen = _stored_tab_used(monkeypatch, stored=True)
    for bell in ({"tab": "COLLECTION", "newOnly": True}, {"tab": "RISK", "minLevel": "HIGH"},
                 {"tab": "RISK", "alertIds": []}, {}):  # fmt: skip
        world.shop.data(WORKLIST, {"bell": bell, "orderBy": ORDERS[0], "first": 3})
    assert chosen == [None] * 4


def test_an_alert_that_cannot_be_evaluated_sends_the_read_back_to_the_grouping(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    chosen = _stored_tab_used(monkeypatch, stored=True)
    query = """{ customers(first: 10, bell: {tab: COLLECTION},
                 orderBy: [{field: BELL, direction: DESC}]) { totalCount
                 edges { node { accountNumber } } } }"""
    working = load_registry([big_outstanding(lambda ledger: ledger.figures.c.outstanding_amount)])

    def worklist(on: Api) -> list[str]:
        found = on.data("alice", query)["customers"]
        assert found["totalCount"] == len(found["edges"])
        return [e["node"]["accountNumber"] for e in found["edges"]]

    with server(api, working) as plugged_in:
        plugged_in.create("alice", name="Plugged", level="CRITICAL", criteria=PLUGGED)
        plugged_in.create("alice", name="Uncovered", level="LOW",
                          criteria={"uncoveredAmount": {"min": "0.01"}})  # fmt: skip
        assert worklist(plugged_in) == ["C002", "C005", "C001", "C006", "C004"]
    assert chosen == ["COLLECTION"]
    # The suite's registry has no bigOutstanding: Plugged matches nothing, its stored
    # matches (in the keys) are not read.
    assert worklist(api) == ["C002", "C004", "C005"]
    assert chosen[-1] is None


# -- check, and an upgraded database ---------------------------------------------------------


@pytest.mark.parametrize(
    "tamper, said",
    [
        ("wrong", "is stored, 3000002 expected"),
        ("missing", "3000002 is missing"),
        ("extra", "is stored, but it has no entry"),
    ],
)
def test_check_finds_a_tampered_key(
    engine: Engine, registry: CriteriaRegistry, people: dict[str, User], tamper: str, said: str
) -> None:
    load_ledger(engine, CUSTOMERS, ITEMS, REMINDERS)
    for name, criteria in (("big", BIG), ("item", ITEM)):
        with write_transaction(engine) as conn:
            data = AlertInput(name, criteria, level=Level.HIGH, visibility=Visibility.PUBLIC)
            create_alert(conn, registry, people["alice"], data, TODAY)
    assert_keys_exact(engine, registry)
    bob_a = (bell_keys.c.user_id == people["bob"].id) & (bell_keys.c.tab == "COLLECTION")
    with engine.begin() as conn:
        a = conn.execute(select(customers.c.id).where(customers.c.account_number == "A"))
        a_id = a.scalar_one()
        mine = bob_a & (bell_keys.c.customer_id == a_id)
        if tamper == "wrong":
            conn.execute(update(bell_keys).where(mine).values(bell_key=1_000_001))
        elif tamper == "missing":
            conn.execute(delete(bell_keys).where(mine))
        else:
            conn.execute(delete(alert_matches))
            conn.execute(delete(bell_keys).where(bell_keys.c.customer_id != a_id))
    with write_transaction(engine) as conn:
        report = check_membership(conn, registry, TODAY)
    wrong = [line for line in report.differences if "bell key of user 'bob'" in line]
    assert any("tab COLLECTION for A: " in line and said in line for line in wrong), wrong
    assert not report.ok


def test_an_upgraded_database_gets_its_keys_from_the_migration(
    engine: Engine, registry: CriteriaRegistry, people: dict[str, User]
) -> None:
    load_ledger(engine, CUSTOMERS, ITEMS, REMINDERS)
    shapes = ((BIG, AlertType.COLLECTION, Visibility.PUBLIC), (ITEM, AlertType.NONE,
              Visibility.PRIVATE), (LATE, AlertType.RISK, Visibility.PUBLIC))  # fmt: skip
    for n, (criteria, type_, visibility) in enumerate(shapes):
        with write_transaction(engine) as conn:
            data = AlertInput(f"a{n}", criteria, type_, list(Level)[n], None, visibility)
            create_alert(conn, registry, people["alice"], data, TODAY)
    keys = stored_keys(engine)
    assert keys and keys == expected_keys(engine)
    downgrade(engine, "0009")  # the database as revision 0009 left it
    migrate(engine)
    assert stored_keys(engine) == keys
    assert_keys_exact(engine, registry)
    with engine.begin() as conn:  # checked like a new one: a key where E has no entry
        admin = conn.execute(select(users.c.id).where(users.c.name == "admin")).scalar_one()
        e = conn.execute(select(customers.c.id).where(customers.c.account_number == "E"))
        row = {"user_id": admin, "tab": "RISK", "customer_id": e.scalar_one(), "bell_key": 1,
               "account_number": "E"}  # fmt: skip
        conn.execute(insert(bell_keys).values(row))
    with write_transaction(engine) as conn:
        assert not check_membership(conn, registry, TODAY).ok


def test_the_module_s_tabs_are_the_spec_s() -> None:
    assert {tab.value: tuple(t.value for t in tab.types) for tab in AlertTab} == keeping.TABS
    assert Visibility.PUBLIC.value == keeping.PUBLIC
