"""Reminders: logging a collection action, undoing a mistaken one, and reading a customer's
history (SPEC §1, §9).

A logged or deleted reminder updates the customer's `lastReminderDate` and its alerts'
membership (one REMINDER event) in the same transaction, so "not reminded for 10 days" is
answered right at once.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import delete, insert, select
from sqlalchemy.engine import Connection

from graphql_api import ids, membership, membership_day
from graphql_api.customer_queries import customer_by
from graphql_api.errors import NUL_MESSAGE, ErrorCode, Problem, UserInputError, has_nul
from graphql_api.figures import note_reminder, refresh_figures
from graphql_api.plugins import CriteriaRegistry, load_registry
from graphql_api.storage import reminders
from graphql_api.users import Role, User

MAX_NOTE = 2000


class ReminderChannel(enum.Enum):
    EMAIL = "EMAIL"
    LETTER = "LETTER"
    PHONE = "PHONE"
    OTHER = "OTHER"


@dataclass(frozen=True)
class Reminder:
    id: int
    customer_id: int
    date: date
    channel: ReminderChannel
    note: str | None
    logged_by: str | None


def log_reminder(
    conn: Connection,
    user: User,
    customer_id: str,
    when: date,
    today: date,
    channel: ReminderChannel = ReminderChannel.EMAIL,
    note: str | None = None,
    *,
    registry: CriteriaRegistry | None = None,
) -> Reminder:
    """Record a reminder on the customer an API id names, and keep its figures and membership
    current; viewers change nothing. `registry` evaluates the alerts (default: the installed
    plugins')."""
    if user.role is Role.VIEWER:
        raise _error(ErrorCode.FORBIDDEN, None, "viewers cannot log reminders")
    too_late = future_date_problem(when, today)
    if too_late:
        raise _error(ErrorCode.VALIDATION, "date", too_late)
    number = ids.customer_row(customer_id)
    if number is None or customer_by(conn, customer_id=number) is None:
        raise _error(
            ErrorCode.NOT_FOUND, "customerId", f"no customer with id {str(customer_id)[:40]!r}"
        )
    text = note.strip() if note else None
    if has_nul(text):
        raise _error(ErrorCode.VALIDATION, "note", f"the note {NUL_MESSAGE}")
    if text and len(text) > MAX_NOTE:
        raise _error(ErrorCode.VALIDATION, "note", f"the note is longer than {MAX_NOTE} characters")
    registry = registry if registry is not None else load_registry()
    membership_day.catch_up(conn, registry, today)
    new_id = conn.execute(
        insert(reminders)
        .values(
            customer_id=number,
            date=when,
            channel=channel.value,
            note=text or None,
            logged_by=user.name,
        )
        .returning(reminders.c.id)
    ).scalar_one()
    note_reminder(conn, number, when)
    membership.record(conn, registry, today, membership.Cause.REMINDER, customer_ids=[number])
    return Reminder(new_id, number, when, channel, text or None, user.name)


def delete_reminder(
    conn: Connection,
    user: User,
    reminder_id: str | int,
    today: date,
    *,
    registry: CriteriaRegistry | None = None,
) -> Reminder:
    """Undo a mistaken reminder: the user who logged it or an ADMIN; an imported one (logged
    by no user), an ADMIN only; never a VIEWER. The customer's figures and membership follow."""
    if user.role is Role.VIEWER:
        raise _error(ErrorCode.FORBIDDEN, None, "viewers cannot delete reminders")
    number = ids.reminder_row(reminder_id)
    row = (
        None
        if number is None
        else conn.execute(select(reminders).where(reminders.c.id == number)).first()
    )
    if row is None:
        raise _error(ErrorCode.NOT_FOUND, "id", f"no reminder with id {str(reminder_id)[:40]!r}")
    if user.role is not Role.ADMIN and (row.logged_by is None or row.logged_by != user.name):
        reason = (
            "only an admin can delete an imported reminder"
            if row.logged_by is None
            else "only the user who logged the reminder, or an admin, can delete it"
        )
        raise _error(ErrorCode.FORBIDDEN, "id", reason)
    registry = registry if registry is not None else load_registry()
    membership_day.catch_up(conn, registry, today)
    conn.execute(delete(reminders).where(reminders.c.id == row.id))
    refresh_figures(conn, today, [row.customer_id])
    membership.record(
        conn, registry, today, membership.Cause.REMINDER, customer_ids=[row.customer_id]
    )
    return _reminder(row)


def future_date_problem(when: date, today: date) -> str | None:
    """Why a reminder dated `when` cannot be recorded on `today`: a reminder dated in the
    future would silence "not reminded for N days" alerts until then."""
    if when > today:
        return f"a reminder cannot be dated after today ({today}), not {when}"
    return None


def reminders_of(conn: Connection, customer_ids: Sequence[int]) -> dict[int, list[Reminder]]:
    """Every reminder of these customers, newest first: one statement."""
    found: dict[int, list[Reminder]] = {cid: [] for cid in customer_ids}
    if not customer_ids:
        return found
    query = (
        select(reminders)
        .where(reminders.c.customer_id.in_(list(customer_ids)))
        .order_by(reminders.c.customer_id, reminders.c.date.desc(), reminders.c.id.desc())
    )
    for row in conn.execute(query):
        found[row.customer_id].append(_reminder(row))
    return found


def reminders_by_ids(conn: Connection, reminder_ids: Sequence[int]) -> dict[int, Reminder]:
    """The reminders of these row ids that exist: one statement."""
    if not reminder_ids:
        return {}
    query = select(reminders).where(reminders.c.id.in_(list(reminder_ids)))
    return {row.id: _reminder(row) for row in conn.execute(query)}


def _reminder(row: Any) -> Reminder:
    return Reminder(
        row.id, row.customer_id, row.date, _channel(row.channel), row.note, row.logged_by
    )


def _channel(value: str) -> ReminderChannel:
    try:
        return ReminderChannel(value)
    except ValueError:
        return ReminderChannel.OTHER


def _error(code: ErrorCode, field_name: str | None, message: str) -> UserInputError:
    return UserInputError([Problem(code, field_name, message)])
