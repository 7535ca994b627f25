"""Reading back what membership.py stored, for the tests: the matches with their `since`,
the recorded changes, and the ledger as the oracle (tests/oracle.py) reads it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Engine, select

from graphql_api import ids as api_ids
from graphql_api.storage import (
    alert_changes,
    alert_daily_counts,
    alert_matches,
    alert_states,
    alerts,
    customers,
    items,
    reminders,
)
from tests.ledger_builder import Customer, Item, Reminder
from tests.oracle import Match, Oracle, membership


def utc(moment: datetime) -> datetime:
    """SQLite gives timestamps back without their offset; they are stored in UTC."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


@dataclass(frozen=True)
class Change:
    id: int
    alert_id: int
    account: str
    kind: str
    at: datetime
    day: date
    cause: str


def stored_matches(engine: Engine) -> dict[Match, datetime]:
    """(alert id, account) -> since."""
    query = select(
        alert_matches.c.alert_id, customers.c.account_number, alert_matches.c.since
    ).join(customers, customers.c.id == alert_matches.c.customer_id)
    with engine.connect() as conn:
        return {(a, account): utc(since) for a, account, since in conn.execute(query)}


def stored_changes(engine: Engine, after_id: int = 0) -> list[Change]:
    """The changes recorded after `after_id`, in the order they were written."""
    query = (
        select(
            alert_changes.c.id,
            alert_changes.c.alert_id,
            customers.c.account_number,
            alert_changes.c.kind,
            alert_changes.c.at,
            alert_changes.c.day,
            alert_changes.c.cause,
        )
        .join(customers, customers.c.id == alert_changes.c.customer_id)
        .where(alert_changes.c.id > after_id)
        .order_by(alert_changes.c.id)
    )
    with engine.connect() as conn:
        return [Change(*row[:4], utc(row[4]), *row[5:]) for row in conn.execute(query)]


def last_change_id(engine: Engine) -> int:
    with engine.connect() as conn:
        found = conn.execute(select(alert_changes.c.id).order_by(alert_changes.c.id.desc())).first()
    return 0 if found is None else found[0]


def match_counts(engine: Engine) -> dict[int, int]:
    """Each alert's count as its state keeps it."""
    with engine.connect() as conn:
        return dict(conn.execute(select(alert_states.c.alert_id, alert_states.c.match_count)).all())


def daily_counts(engine: Engine, alert_id: int) -> dict[date, int]:
    query = select(alert_daily_counts.c.day, alert_daily_counts.c.match_count).where(
        alert_daily_counts.c.alert_id == alert_id
    )
    with engine.connect() as conn:
        return dict(conn.execute(query).all())


def alert_criteria(engine: Engine) -> dict[int, Mapping[str, Any]]:
    with engine.connect() as conn:
        return dict(conn.execute(select(alerts.c.id, alerts.c.criteria)).all())


def ledger_oracle(engine: Engine, today: date) -> Oracle:
    """The oracle over the ledger as stored (whatever imports and reminders made of it)."""
    with engine.connect() as conn:
        accounts = dict(conn.execute(select(customers.c.id, customers.c.account_number)).all())
        found_customers = [
            Customer(
                row.account_number,
                row.name,
                row.customer_group,
                row.country,
                row.status,
                row.collector,
                row.blocked,
                row.credit_limit,
                row.insurer_guarantee,
                row.last_payment_date,
            )
            for row in conn.execute(select(customers))
        ]
        found_items = [
            Item(
                accounts[row.customer_id],
                row.document_number,
                row.open_amount,
                row.type,
                row.document_date,
                row.due_date,
                row.amount,
                row.disputed,
                row.ignored_in_collection,
            )
            for row in conn.execute(select(items))
        ]
        found_reminders = [
            Reminder(accounts[row.customer_id], row.date, row.channel, row.note)
            for row in conn.execute(select(reminders))
        ]
    return Oracle(found_customers, found_items, found_reminders, today)


def expected_membership(engine: Engine, today: date) -> set[Match]:
    """Every alert's matches, by the oracle (every alert being one it can evaluate)."""
    return membership(ledger_oracle(engine, today), alert_criteria(engine))


def api_alert_id(engine: Engine, row_id: int) -> str:
    """The API's id of an alert (update/delete take it), from its row id."""
    with engine.connect() as conn:
        key = conn.execute(select(alerts.c.public_id).where(alerts.c.id == row_id)).scalar_one()
    return api_ids.alert_id(key)
