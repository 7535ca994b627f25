"""The reminders file: reminders added to the log; one already logged (same customer, date,
channel and note) is skipped, so a file can be imported again."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Connection

from graphql_api.ledger_import.csv_file import CsvFile
from graphql_api.ledger_import.customers import known_account
from graphql_api.ledger_import.values import (
    CHANNELS,
    choice,
    parse_date,
    parse_required,
    parse_text,
)
from graphql_api.ledger_import.writers import insert_rows, wire_encoder
from graphql_api.reminders import future_date_problem
from graphql_api.storage import reminders

REMINDER_COLUMNS = ("account_number", "date", "channel", "note")
REQUIRED = ("account_number", "date")

_wire_reminder = wire_encoder(reminders)


def load_reminders(
    conn: Connection,
    source: CsvFile,
    accounts: dict[str, int | None],
    logged_by: str | None,
    today: date,
) -> tuple[int, int]:
    """Load the reminders file; (added, skipped as already logged)."""
    existing = set(
        conn.execute(
            select(reminders.c.customer_id, reminders.c.date, reminders.c.channel, reminders.c.note)
        )
    )
    rows: list[tuple[Any, ...]] = []
    skipped = 0
    channel = choice(CHANNELS, default="EMAIL")
    for line, cells in source.rows():
        account = source.read(line, cells, "account_number", parse_required)
        when = source.read(line, cells, "date", parse_date)
        how = source.read(line, cells, "channel", channel) or "EMAIL"
        note = source.read(line, cells, "note", parse_text)
        if when is None and "date" in source.index and not cells[source.index["date"]].strip():
            source.problem(line, "date", "", "must not be empty")
        too_late = None if when is None else future_date_problem(when, today)
        if too_late:
            source.problem(line, "date", cells[source.index["date"]], too_late)
        known_account(source, line, account, accounts)
        if source.log.total:  # the import fails: the rest is only checked
            continue
        key = (accounts[account], when, how, note)
        if key in existing:
            skipped += 1
            continue
        existing.add(key)
        row = {"customer_id": key[0], "date": when, "channel": how, "note": note,
               "logged_by": logged_by}  # fmt: skip
        rows.append(_wire_reminder(row))
    if rows and not source.log.total:
        insert_rows(conn, reminders, rows)
        return len(rows), skipped
    return 0, skipped
