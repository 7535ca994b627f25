"""One import: the given files loaded in one write transaction, customers first (items and
reminders name their accounts), then the figures recomputed and the alerts' membership
diffed as one IMPORT event (membership.py). All or nothing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sqlalchemy import Engine, select

from graphql_api import membership, membership_day
from graphql_api.database import write_transaction
from graphql_api.figures import refresh_figures
from graphql_api.ledger_import import customers as _customers
from graphql_api.ledger_import import items as _items
from graphql_api.ledger_import import reminders as _reminders
from graphql_api.ledger_import.bulk import indexes_built_after, use_bulk_settings
from graphql_api.ledger_import.csv_file import CsvFile
from graphql_api.ledger_import.item_lines import ITEM_COLUMNS
from graphql_api.ledger_import.problems import ImportFailed, ProblemLog
from graphql_api.ledger_import.writers import checked_references
from graphql_api.plugins import CriteriaRegistry, load_registry
from graphql_api.storage import customer_figures, customers, items, reminders


@dataclass
class ImportSummary:
    customers_created: int = 0
    customers_updated: int = 0
    items_loaded: int = 0
    reminders_added: int = 0
    reminders_skipped: int = 0


def import_ledger(
    engine: Engine,
    *,
    today: date,
    customers_file: Path | None = None,
    items_file: Path | None = None,
    reminders_file: Path | None = None,
    upsert_items: bool = False,
    logged_by: str | None = None,
    show_progress: bool = False,
    registry: CriteriaRegistry | None = None,
) -> ImportSummary:
    """Load the given files in one transaction.

    On any problem, raise ImportFailed listing them; the database is left as it was.
    `registry` evaluates the alerts (default: the installed plugins').
    """
    log = ProblemLog()
    summary = ImportSummary()
    registry = registry if registry is not None else load_registry()
    with write_transaction(engine) as conn:
        use_bulk_settings(conn)
        membership_day.catch_up(conn, registry, today)  # a new day is applied before the import
        accounts = dict(conn.execute(select(customers.c.account_number, customers.c.id)).all())
        if customers_file is not None:
            source = CsvFile(
                customers_file, _customers.REQUIRED, _customers.CUSTOMER_COLUMNS, log, show_progress
            )
            with indexes_built_after(conn, customers):
                created, updated = _customers.load_customers(conn, source, accounts)
            summary.customers_created, summary.customers_updated = created, updated
        if items_file is not None:
            source = CsvFile(items_file, _items.REQUIRED, ITEM_COLUMNS, log, show_progress)
            replacing = not upsert_items  # an upsert needs the unique key for its ON CONFLICT
            with (
                _items.keyed_after_load(conn, source),
                indexes_built_after(conn, items, rewritten=replacing, keys=replacing),
            ):
                loaded = _items.load_items(conn, source, accounts, upsert=upsert_items)
            summary.items_loaded = loaded
        if reminders_file is not None:
            source = CsvFile(
                reminders_file, _reminders.REQUIRED, _reminders.REMINDER_COLUMNS, log, show_progress
            )
            with indexes_built_after(conn, reminders):
                added, skipped = _reminders.load_reminders(conn, source, accounts, logged_by, today)
            summary.reminders_added, summary.reminders_skipped = added, skipped
        if log.total:
            conn.rollback()
            raise ImportFailed(log.kept, log.total)
        # Fresh planner statistics for the reloaded tables (autovacuum would only get to
        # them later), so that the figures' aggregate and the first requests after the
        # import are planned on real sizes.
        analyze = conn.dialect.name == "postgresql" and bool(items_file or customers_file)
        if analyze:
            conn.exec_driver_sql("ANALYZE customers, items, reminders")
        with checked_references(conn), indexes_built_after(conn, customer_figures, rewritten=True):
            refresh_figures(conn, today)
        if analyze:
            conn.exec_driver_sql("ANALYZE customer_figures")
        membership.record(conn, registry, today, membership.Cause.IMPORT)
    return summary
