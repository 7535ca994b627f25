"""More alerts than one statement's bit mask holds (membership_eval.ALERTS_PER_MASK): every
event's difference is still exact, alert by alert, against the plain-Python oracle."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import Engine, select

from graphql_api import alert_bits, membership_day
from graphql_api.alerts import AlertInput, Visibility, create_alert, delete_alert
from graphql_api.database import write_transaction
from graphql_api.membership_check import check_membership
from graphql_api.membership_eval import ALERTS_PER_MASK
from graphql_api.plugins import CriteriaRegistry
from graphql_api.storage import users
from graphql_api.users import Role, User, add_user
from tests.conftest import TODAY
from tests.ledger_builder import Customer, Item, Reminder, ago, load_ledger
from tests.membership_reads import (
    api_alert_id,
    expected_membership,
    last_change_id,
    stored_changes,
    stored_matches,
)

CUSTOMERS = [Customer(f"K{n:02}", f"Customer {n}") for n in range(12)]


def items(shift: int) -> list[Item]:
    """Customer n owes 1000·n, due n + shift days ago (not yet due when negative)."""
    return [
        Item(f"K{n:02}", f"I{n:02}", Decimal(1000 * n), due_date=ago(n + shift))
        for n in range(1, 12)
    ]


def ledger_and_alerts(
    engine: Engine, registry: CriteriaRegistry, count: int, criteria: Callable[[int], dict]
) -> tuple[User, list[int]]:
    """alice, the ledger of `items(-3)`, and `count` public alerts of hers (the n-th with
    `criteria(n)`): alice and the alerts' row ids, in order of creation."""
    with write_transaction(engine) as conn:
        add_user(conn, "alice", Role.USER)
    with engine.connect() as conn:
        alice = User(conn.execute(select(users.c.id)).scalar_one(), "alice", Role.USER)
    load_ledger(engine, CUSTOMERS, items(-3), [Reminder("K01", ago(2))])
    with write_transaction(engine) as conn:
        return alice, [
            create_alert(
                conn, registry, alice,
                AlertInput(f"a{n}", criteria(n), visibility=Visibility.PUBLIC), TODAY,
            ).id
            for n in range(count)
        ]  # fmt: skip


def test_a_hundred_alerts_across_masks_are_exact_after_each_event(
    engine: Engine, registry: CriteriaRegistry
) -> None:
    # Thresholds spread so that each alert matches a different set, and the last alerts
    # (past the first mask) change as often as the first.
    _, created = ledger_and_alerts(
        engine, registry, ALERTS_PER_MASK + 38,
        lambda n: {"overdueAmount": {"min": str(1000 * (n % 11))}} if n % 3
        else {"daysOverdue": {"min": n % 9}, "itemOverdue": True},
    )  # fmt: skip
    assert set(stored_matches(engine)) == expected_membership(engine, TODAY)

    load_ledger(engine, CUSTOMERS, items(-1), [Reminder("K01", ago(2))])  # an import
    assert set(stored_matches(engine)) == expected_membership(engine, TODAY)
    mark = last_change_id(engine)

    later = TODAY + timedelta(days=4)  # a new day: items fall due, days overdue grow
    before = set(stored_matches(engine))
    with write_transaction(engine) as conn:
        membership_day.catch_up(conn, registry, later)
    after = set(stored_matches(engine))
    assert after == expected_membership(engine, later)
    changes = {(c.alert_id, c.account, c.kind) for c in stored_changes(engine, mark)}
    assert {(a, k) for a, k, kind in changes if kind == "ENTERED"} == after - before
    assert {(a, k) for a, k, kind in changes if kind == "LEFT"} == before - after
    second_mask = set(sorted(created)[ALERTS_PER_MASK:])
    assert {a for a, _, _ in changes} & second_mask  # the second mask changed too
    with write_transaction(engine) as conn:
        report = check_membership(conn, registry, later)
    assert report.ok, report.differences


def test_alerts_with_ids_far_apart_are_exact_after_each_event(
    engine: Engine, registry: CriteriaRegistry
) -> None:
    """A mask's bits are the alerts' ids less the smallest when they fit in it (alert_bits):
    alerts whose ids are far apart (many deleted between) are evaluated by the other form,
    their rank, and stay exact, alerts sharing their ITEM criteria included."""
    alice, created = ledger_and_alerts(
        engine, registry, 4 * ALERTS_PER_MASK,
        lambda n: {"overdueAmount": {"min": str(1000 * (n % 11))}} if n % 2
        else {"daysOverdue": {"min": n % 5}, "itemOverdue": True},
    )  # fmt: skip
    kept = set(created[:: ALERTS_PER_MASK // 2]) | set(created[-2:])
    with write_transaction(engine) as conn:
        for alert_id in created:
            if alert_id not in kept:
                delete_alert(conn, alice, api_alert_id(engine, alert_id))
    assert max(kept) - min(kept) > 3 * ALERTS_PER_MASK

    load_ledger(engine, CUSTOMERS, items(-1), [Reminder("K01", ago(2))])  # an import
    assert set(stored_matches(engine)) == expected_membership(engine, TODAY)
    later = TODAY + timedelta(days=4)
    with write_transaction(engine) as conn:
        membership_day.catch_up(conn, registry, later)
    assert set(stored_matches(engine)) == expected_membership(engine, later)
    assert {a for a, _ in stored_matches(engine)} <= kept
    with write_transaction(engine) as conn:
        report = check_membership(conn, registry, later)
    assert report.ok, report.differences


def test_alerts_with_ids_too_far_apart_for_an_array_are_exact(
    engine: Engine, registry: CriteriaRegistry, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On PostgreSQL a stored match's bit is read from an array indexed by alert id unless the
    ids span more than alert_bits.BITS_BY_ID_UP_TO: beyond, the tree of CASEs gives it, and
    every event stays exact (with a span of one, every chunk takes that form)."""
    monkeypatch.setattr(alert_bits, "BITS_BY_ID_UP_TO", 1)
    test_alerts_with_ids_far_apart_are_exact_after_each_event(engine, registry)
