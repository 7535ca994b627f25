"""Hand-written ledgers for the tests, loaded the way a user loads theirs: written as
SPEC §6 CSV files and imported with `import_ledger`.

Also the few read-backs the tests compare with: which accounts a set of criteria
matches (through the same compiled SQL the API uses), the figures as stored,
and a dump of every row of every table.
"""

from __future__ import annotations

import csv
import io
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, select

from graphql_api.criteria import parse_criteria
from graphql_api.customer_queries import customer_page
from graphql_api.evaluation import compile_criteria, ledger_for, match_counts
from graphql_api.ledger_import import (
    CUSTOMER_COLUMNS,
    ITEM_COLUMNS,
    REMINDER_COLUMNS,
    ImportSummary,
    import_ledger,
)
from graphql_api.plugins import CriteriaRegistry
from graphql_api.storage import customer_figures, customers, metadata
from tests.conftest import TODAY


def ago(days: int, today: date = TODAY) -> date:
    """The date `days` days before today (negative: in the future)."""
    return today - timedelta(days=days)


@dataclass(frozen=True)
class Customer:
    account: str
    name: str | None = None
    group: str | None = None
    country: str | None = None
    status: str | None = None
    collector: str | None = None
    blocked: bool = False
    credit_limit: Decimal | None = None
    insurer_guarantee: Decimal | None = None
    last_payment_date: date | None = None


@dataclass(frozen=True)
class Item:
    account: str
    document: str
    open_amount: Decimal
    type: str = "INVOICE"
    document_date: date | None = None
    due_date: date | None = None
    amount: Decimal | None = None
    disputed: bool = False
    ignored: bool = False


@dataclass(frozen=True)
class Reminder:
    account: str
    date: date
    channel: str = "EMAIL"
    note: str | None = None


def _cell(value: Any, erp: bool) -> str:
    """A value as written in a CSV file: plainly (ISO dates, 1234.50, yes/no), or the way
    a French ERP export spells it (23/11/2026, 1234,50, Oui/NON)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return ("Oui" if value else "NON") if erp else ("yes" if value else "no")
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y") if erp else value.isoformat()
    if isinstance(value, Decimal):
        return f"{value:.2f}".replace(".", ",") if erp else f"{value:.2f}"
    return str(value)


def _csv(header: Sequence[str], rows: Iterable[Sequence[Any]], erp: bool = False) -> str:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";" if erp else ",", lineterminator="\r\n" if erp else "\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([_cell(v, erp) for v in row])
    return out.getvalue()


def customers_csv(rows: Iterable[Customer], erp: bool = False) -> str:
    return _csv(
        CUSTOMER_COLUMNS,
        (
            (c.account, c.name, c.group, c.country, c.status, c.collector, c.blocked,
             c.credit_limit, c.insurer_guarantee, c.last_payment_date)
            for c in rows
        ),
        erp,
    )  # fmt: skip


def items_csv(rows: Iterable[Item], erp: bool = False) -> str:
    return _csv(
        ITEM_COLUMNS,
        (
            (i.account, i.document, i.type, i.document_date, i.due_date, i.amount,
             i.open_amount, i.disputed, i.ignored)
            for i in rows
        ),
        erp,
    )  # fmt: skip


def reminders_csv(rows: Iterable[Reminder], erp: bool = False) -> str:
    return _csv(REMINDER_COLUMNS, ((r.account, r.date, r.channel, r.note) for r in rows), erp)


def load_ledger(
    engine: Engine,
    customers_: Iterable[Customer],
    items_: Iterable[Item] = (),
    reminders_: Iterable[Reminder] = (),
    *,
    today: date = TODAY,
    erp: bool = False,
) -> ImportSummary:
    """Write the ledger as the three CSV files and import them (the real path).

    `erp` spells the files the way a French ERP exports them (`;`, decimal comma, DD/MM/YYYY,
    Oui/NON, CRLF) instead of plainly: both must load the same ledger."""
    with tempfile.TemporaryDirectory() as folder:
        paths = {
            "customers_file": Path(folder, "customers.csv"),
            "items_file": Path(folder, "items.csv"),
            "reminders_file": Path(folder, "reminders.csv"),
        }
        paths["customers_file"].write_text(
            customers_csv(customers_, erp), encoding="utf-8", newline=""
        )
        paths["items_file"].write_text(items_csv(items_, erp), encoding="utf-8", newline="")
        paths["reminders_file"].write_text(
            reminders_csv(reminders_, erp), encoding="utf-8", newline=""
        )
        return import_ledger(engine, today=today, **paths)


def accounts_by_id(engine: Engine) -> dict[int, str]:
    with engine.connect() as conn:
        return dict(conn.execute(select(customers.c.id, customers.c.account_number)).all())


def matches_of_many(
    engine: Engine,
    registry: CriteriaRegistry,
    criteria_list: Sequence[Mapping[str, Any]],
    *,
    today: date = TODAY,
) -> list[set[str]]:
    """The accounts each set of criteria matches.

    Asks as a search does (`customer_page`, the customers of `customers(where:)`), and
    counts from scratch (`match_counts`, all the sets in one statement); checks they agree.
    """
    ledger = ledger_for(today)
    conditions = {}
    for index, raw in enumerate(criteria_list):
        compiled = compile_criteria(parse_criteria(registry, raw), ledger)
        assert not compiled.problems, compiled.problems
        conditions[index] = compiled.condition
    everyone = len(accounts_by_id(engine))
    with engine.connect() as conn:
        pages = [customer_page(conn, [c], None, everyone)[0] for c in conditions.values()]
        counts = match_counts(conn, conditions)
    matched = [{row.account_number for row in rows} for rows in pages]
    for index, accounts in enumerate(matched):
        assert counts[index] == len(accounts), (criteria_list[index], counts[index], accounts)
    return matched


def matches(
    engine: Engine, registry: CriteriaRegistry, criteria: Mapping[str, Any], *, today: date = TODAY
) -> set[str]:
    return matches_of_many(engine, registry, [criteria], today=today)[0]


FIGURE_COLUMNS = {
    "outstandingAmount": "outstanding_amount",
    "overdueAmount": "overdue_amount",
    "notDueAmount": "not_due_amount",
    "disputedAmount": "disputed_amount",
    "uncoveredAmount": "uncovered_amount",
    "creditLimitExcess": "credit_limit_excess",
    "daysOverdue": "days_overdue",
    "lastReminderDate": "last_reminder_date",
}


def stored_figures(engine: Engine) -> dict[str, dict[str, Any]]:
    """account → {figure name (SPEC §1): value}, as kept in customer_figures."""
    query = select(
        customers.c.account_number,
        *(customer_figures.c[column].label(name) for name, column in FIGURE_COLUMNS.items()),
    ).select_from(customers.join(customer_figures))
    with engine.connect() as conn:
        return {
            row[0]: {name: row._mapping[name] for name in FIGURE_COLUMNS}
            for row in conn.execute(query)
        }


def dump_database(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, in a stable order: equal dumps mean nothing changed."""
    dump = {}
    with engine.connect() as conn:
        for table in metadata.sorted_tables:
            rows = conn.execute(select(table)).all()
            dump[table.name] = sorted((tuple(row) for row in rows), key=repr)
    return dump
