"""A small ledger for a plugin's tests, loaded the way a user loads theirs: written as the
CSV files of the import and imported (`import_ledger`), so the figures are computed as in
production.

    ledger = LedgerBuilder(engine, today)
    ledger.customer("A1", credit_limit="12345.00", segment="SME")  # any other column: an attribute
    ledger.item("A1", open_amount="2592.45", due_date=date(2026, 10, 1), disputed=True)
    ledger.reminder("A1", date(2026, 11, 20))
    ledger.load()
"""

from __future__ import annotations

import csv
import tempfile
from collections.abc import Mapping, Sequence
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

CUSTOMER_FIELDS = (
    "name", "group", "country", "status", "collector", "blocked", "credit_limit",
    "insurer_guarantee", "last_payment_date",
)  # fmt: skip
ITEM_FIELDS = ("type", "document_date", "due_date", "amount", "disputed", "ignored_in_collection")


def _cell(value: Any) -> str:
    """A value as the import reads it: ISO dates, plain amounts, yes/no, empty for None."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (date, Decimal, int, str)):
        return value.isoformat() if isinstance(value, date) else str(value)
    raise TypeError(f"a ledger cell is a text, a number, a date or a bool, not {value!r}")


def _write(path: Path, rows: Sequence[Mapping[str, Any]], first: Sequence[str]) -> Path:
    header = list(first)
    for row in rows:
        header += [name for name in row if name not in header]
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(header)
        writer.writerows([_cell(row.get(name)) for name in header] for row in rows)
    return path


class LedgerBuilder:
    """Customers, items and reminders, imported by `load()` into an emptied database."""

    def __init__(self, engine: Engine, today: date) -> None:
        self.engine = engine
        self.today = today
        self.customers: list[dict[str, Any]] = []
        self.items: list[dict[str, Any]] = []
        self.reminders: list[dict[str, Any]] = []

    def customer(self, account: str, name: str | None = None, **fields: Any) -> LedgerBuilder:
        """An account: `group`, `country`, `status`, `collector`, `blocked`, `credit_limit`,
        `insurer_guarantee`, `last_payment_date`; any other field is an extra attribute."""
        self.customers.append({"account_number": account, "name": name or account, **fields})
        return self

    def item(
        self,
        account: str,
        open_amount: Decimal | int | str,
        document: str | None = None,
        **fields: Any,
    ) -> LedgerBuilder:
        """An open item of `account` (an INVOICE unless `type=` says otherwise): `document_date`,
        `due_date`, `amount`, `disputed`, `ignored_in_collection`."""
        unknown = sorted(set(fields) - set(ITEM_FIELDS))
        if unknown:
            raise TypeError(f"an item has no field {unknown[0]!r}; it has {', '.join(ITEM_FIELDS)}")
        document = document or f"D{len(self.items) + 1}"
        row = {"account_number": account, "document_number": document, "type": "INVOICE"}
        self.items.append({**row, **fields, "open_amount": open_amount})
        return self

    def reminder(
        self, account: str, day: date, channel: str = "EMAIL", note: str | None = None
    ) -> LedgerBuilder:
        self.reminders.append(
            {"account_number": account, "date": day, "channel": channel, "note": note}
        )
        return self

    def load(self) -> None:
        """Import everything added so far (the figures are computed for `today`)."""
        from graphql_api.ledger_import import import_ledger

        with tempfile.TemporaryDirectory() as folder:
            files: dict[str, Path] = {}
            if self.customers:
                files["customers_file"] = _write(
                    Path(folder, "customers.csv"), self.customers, ("account_number", "name")
                )
            if self.items:
                files["items_file"] = _write(
                    Path(folder, "items.csv"), self.items, ("account_number", "document_number")
                )
            if self.reminders:
                files["reminders_file"] = _write(
                    Path(folder, "reminders.csv"), self.reminders, ("account_number", "date")
                )
            import_ledger(self.engine, today=self.today, **files)
