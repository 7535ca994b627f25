"""The database's tables and indexes (the engine and its transactions: database.py).

Money columns use `graphql_api.money.Money`: integer cents on both databases, so sums
never drift and an expression means the same thing on SQLite and PostgreSQL.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Computed,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    select,
    text,
)
from sqlalchemy.engine import Connection

from graphql_api.ids import new_alert_key

# Re-exported: the criteria and plugins import money's names from here.
from graphql_api.money import CENT as CENT
from graphql_api.money import MAX_AMOUNT as MAX_AMOUNT
from graphql_api.money import MAX_AMOUNT_DIGITS as MAX_AMOUNT_DIGITS
from graphql_api.money import Money

metadata = MetaData()

# Text that is ordered (account and document numbers, folded names) compares by code point
# on both databases: SQLite's BINARY, PostgreSQL's "C" rather than the server's locale.
CODE = String(100).with_variant(String(100, collation="C"), "postgresql")
FOLDED_NAME = String(300).with_variant(String(300, collation="C"), "postgresql")
# The percentage of each page of `customer_figures` PostgreSQL fills on insert (see there).
FIGURES_FILLFACTOR = 50

customers = Table(
    "customers",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("account_number", CODE, nullable=False, unique=True),
    Column("name", String(300)),
    Column("customer_group", String(200)),
    Column("country", String(2)),
    Column("status", String(200)),
    Column("collector", String(200)),
    Column("blocked", Boolean, nullable=False, default=False),
    Column("credit_limit", Money),
    Column("insurer_guarantee", Money),
    Column("last_payment_date", Date),
    Column("attributes", JSON, nullable=False, default=dict),
    # Folded by text_folding.fold (written by the import): what search and NAME order read.
    Column("name_key", FOLDED_NAME),
    Column("account_key", String(100)),
)

items = Table(
    "items",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("customer_id", ForeignKey("customers.id", ondelete="CASCADE"), nullable=False),
    Column("document_number", CODE, nullable=False),
    Column("type", String(20), nullable=False),
    Column("document_date", Date),
    Column("due_date", Date),
    Column("amount", Money),
    Column("open_amount", Money, nullable=False),
    Column("disputed", Boolean, nullable=False, default=False),
    Column("ignored_in_collection", Boolean, nullable=False, default=False),
    # The folded document number, only where it is not ASCII: an ASCII one folds to its
    # lower case, which SQL computes the same on both databases (sql_functions.ascii_lower),
    # so 2M items cost the import one isascii() each.
    Column("document_key", String(100)),
    UniqueConstraint("customer_id", "document_number", name="uq_items_document"),
)

# The open items as item criteria read them (migration 0008): an item criterion's EXISTS reads
# this index alone. Open is spelled `open_amount <> 0` with a literal 0, as the evaluation
# writes it (evaluation.OPEN), so that both databases prove a query may use it.
OPEN_ITEM_COLUMNS = ("customer_id", "due_date", "type", "open_amount", "disputed",
                     "ignored_in_collection", "document_date")  # fmt: skip
Index(
    "ix_items_open", *(items.c[name] for name in OPEN_ITEM_COLUMNS),
    sqlite_where=text("open_amount <> 0"), postgresql_where=text("open_amount <> 0"),
)  # fmt: skip

reminders = Table(
    "reminders",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("customer_id", ForeignKey("customers.id", ondelete="CASCADE"), nullable=False),
    Column("date", Date, nullable=False),
    Column("channel", String(20), nullable=False),
    Column("note", Text),
    Column("logged_by", String(100)),
    Index("ix_reminders_customer_date", "customer_id", "date"),
)

# The figures of SPEC §1, one row per customer, kept by the import and by
# logReminder, and brought to each new day (see figures.py).
customer_figures = Table(
    "customer_figures",
    metadata,
    Column("customer_id", ForeignKey("customers.id", ondelete="CASCADE"), primary_key=True),
    Column("outstanding_amount", Money, nullable=False),
    Column("overdue_amount", Money, nullable=False),
    Column("not_due_amount", Money, nullable=False),
    Column("disputed_amount", Money, nullable=False),
    Column("uncovered_amount", Money, nullable=False),
    Column("credit_limit_excess", Money, nullable=False),
    # Today minus `oldest_overdue_date` (0 when NULL): what criteria read (docs/plugins.md).
    # It moves for nearly every customer each day, so no index holds it (see below).
    Column("days_overdue", Integer, nullable=False),
    # The due date of the oldest overdue open item with a positive amount; NULL: none.
    Column("oldest_overdue_date", Date),
    # The order by days overdue, most first: the oldest overdue date, a customer with nothing
    # overdue (0 days) after every date. Never empty, so that a page of it is one index range
    # (keyset.py reads an empty value as a range apart). Stored on PostgreSQL, computed on
    # read on SQLite (migration 0011).
    Column("oldest_overdue_key", Date, Computed("coalesce(oldest_overdue_date, '9999-12-31')")),
    Column("last_reminder_date", Date),
    # The customer's account number again, so that a figure and the account number that
    # breaks its ties sit in one index (customer_queries.py): a sorted page is one range.
    Column("account_number", CODE, nullable=False),
    # Room in each page for a new version of its rows: a new day's UPDATE of `days_overdue`
    # then stays on the page and writes no index entry (a HOT update; migration 0011).
    postgresql_with={"fillfactor": FIGURES_FILLFACTOR},
)

# The indexes of the orders of customers (SPEC §8, see customer_queries.py): each sort
# field with the account number that breaks its ties, in the direction read first. Days
# overdue are sorted by the oldest overdue date, which a new day does not move.
FIGURES_LARGEST_FIRST = (
    "outstanding_amount", "overdue_amount", "not_due_amount", "disputed_amount",
    "uncovered_amount", "credit_limit_excess",
)  # fmt: skip
for _name in FIGURES_LARGEST_FIRST:
    Index(
        f"ix_figures_{_name}", customer_figures.c[_name].desc(), customer_figures.c.account_number
    )
Index(
    "ix_figures_last_reminder",
    customer_figures.c.last_reminder_date, customer_figures.c.account_number,
)  # fmt: skip
Index(
    "ix_figures_oldest_overdue",
    customer_figures.c.oldest_overdue_key, customer_figures.c.account_number,
)  # fmt: skip
Index("ix_customers_name", customers.c.name_key, customers.c.account_number)
Index("ix_customers_last_payment", customers.c.last_payment_date, customers.c.account_number)
# PostgreSQL does not read `column IS NULL ORDER BY account_number` in order from an index
# on (column, account_number) (SQLite does): a small partial index per nullable sort key.
EMPTY_SORT_KEYS = (
    (customers, "name_key"), (customers, "last_payment_date"),
    (customer_figures, "last_reminder_date"),
)  # fmt: skip
for _table, _name in EMPTY_SORT_KEYS:
    Index(
        f"ix_{_table.name}_no_{_name}", _table.c.account_number,
        postgresql_where=_table.c[_name].is_(None),
    ).ddl_if(dialect="postgresql")  # fmt: skip

# One row: the day the figures were computed for, the day membership was applied for, a
# counter of changes to the alerts (bumped by the database's own triggers, see migration
# 0002), and a lock writers share.
ledger_state = Table(
    "ledger_state",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("figures_date", Date),
    Column("alerts_version", Integer, nullable=False, server_default="0"),
    # The last day membership was applied for (membership.py); NULL: never computed yet.
    Column("membership_date", Date),
)

users = Table(
    "users",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(100), nullable=False, unique=True),
    Column("role", String(10), nullable=False),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("revoked_at", DateTime(timezone=True)),
    Column("collector", String(200)),  # the collector code of the accounts they follow
)

# An alert's internal id is never reused (AUTOINCREMENT on SQLite, a sequence on PostgreSQL);
# the API names it by `public_id`, random, so that ids say nothing of other alerts (ids.py).
alerts = Table(
    "alerts",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("public_id", String(16), nullable=False, default=new_alert_key),
    Column("name", String(200), nullable=False),
    Column("type", String(20), nullable=False),
    Column("level", String(10), nullable=False),
    Column("color", String(7)),
    Column("visibility", String(10), nullable=False),
    Column("owner_id", ForeignKey("users.id"), nullable=False),
    Column("criteria", JSON, nullable=False),
    Column("version", Integer, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("public_id", name="uq_alerts_public_id"),
    sqlite_autoincrement=True,
)


def ledger_marks(conn: Connection) -> tuple[date | None, int]:
    """The day the figures were computed for, and the alerts' change counter, as the caller's
    transaction sees them."""
    row = conn.execute(select(ledger_state.c.figures_date, ledger_state.c.alerts_version)).one()
    return row[0], row[1]


# -- membership (SPEC §9): which customers match each alert, since when, what changed ---------
# Kept by graphql_api/membership.py. The tables that take its bulk writes (alert_matches,
# alert_changes, bell_keys) have no foreign keys (migration 0012): on PostgreSQL each row
# would fire a lookup of its parents, which the writer has just read under the ledger lock.
# Deleting an alert deletes its rows there (membership.forget_alert); customers and users
# are never deleted; `dso-alerts check` reports a row whose parent does not exist
# (membership_check.py). The small per-alert tables keep theirs (ON DELETE CASCADE).

# One row per (alert, customer) match. The primary key reads an alert's matches and counts
# them; the customer index reads a page's bells (covering: `since` is in it).
alert_matches = Table(
    "alert_matches",
    metadata,
    Column("alert_id", Integer, primary_key=True),  # of alerts, of customers: no foreign keys
    Column("customer_id", Integer, primary_key=True),
    Column("since", DateTime(timezone=True), nullable=False),
    Index("ix_alert_matches_customer", "customer_id", "alert_id", "since"),
    sqlite_with_rowid=False,
)

# Every change of membership. One event's changes share `at`; `day` is the ledger's today
# they were applied for. Indexes: an alert's, a customer's and everyone's changes newest
# first (`at >= since` is a range of each), and the pruning by day.
alert_changes = Table(
    "alert_changes",
    metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True),
    Column("alert_id", Integer, nullable=False),  # of alerts, of customers: no foreign keys
    Column("customer_id", Integer, nullable=False),
    Column("kind", String(7), nullable=False),  # ENTERED, LEFT
    Column("at", DateTime(timezone=True), nullable=False),
    Column("day", Date, nullable=False),
    Column("cause", String(11), nullable=False),  # IMPORT, REMINDER, ALERT_SAVED, NEW_DAY
    Index("ix_alert_changes_alert_at", "alert_id", "at"),
    Index("ix_alert_changes_customer_at", "customer_id", "at"),
    Index("ix_alert_changes_at", "at"),
    Index("ix_alert_changes_day", "day"),
)

# Per alert: how many customers match (the count without counting), and whether its
# membership is frozen because it could not be evaluated (SPEC §9). An alert with no row
# here has never been evaluated (it was written to `alerts` by something else than
# alerts.py): it is evaluated, as saved, on the next catch-up.
alert_states = Table(
    "alert_states",
    metadata,
    Column("alert_id", ForeignKey("alerts.id", ondelete="CASCADE"), primary_key=True),
    Column("match_count", Integer, nullable=False),
    Column("frozen", Boolean, nullable=False),
)

# The match count at the end of each day on which it changed (matchCountHistory): a day
# without a row has the count of the newest row before it; the alert's first row is
# where its history begins.
alert_daily_counts = Table(
    "alert_daily_counts",
    metadata,
    Column("alert_id", ForeignKey("alerts.id", ondelete="CASCADE"), primary_key=True),
    Column("day", Date, primary_key=True),
    Column("match_count", Integer, nullable=False),
    sqlite_with_rowid=False,
)

# When each user last marked each alert seen (seenAt, isNew, newCount).
alert_seen = Table(
    "alert_seen",
    metadata,
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("alert_id", ForeignKey("alerts.id", ondelete="CASCADE"), primary_key=True),
    Column("seen_at", DateTime(timezone=True), nullable=False),
    Index("ix_alert_seen_alert", "alert_id"),
)

# The worklist's BELL key of each customer in each user's bell, per tab (SPEC §9 orderBy BELL,
# kept by graphql_api/bell_keys.py): the key bell_queries.py's grouping gives over the user's
# visible alerts of the tab, whatever their state (a read falls back to grouping while one
# of them cannot be evaluated). A customer with no entry has no row. The account number is
# copied so that one index range serves a page in `BELL DESC, account number` order.
bell_keys = Table(
    "bell_keys",
    metadata,
    Column("user_id", Integer, primary_key=True),  # of users, of customers: no foreign keys
    Column("tab", String(10), primary_key=True),  # COLLECTION, RISK
    Column("customer_id", Integer, primary_key=True),
    Column("bell_key", Integer, nullable=False),
    Column("account_number", CODE, nullable=False),
    sqlite_with_rowid=False,
)
Index(
    "ix_bell_keys_order",
    bell_keys.c.user_id, bell_keys.c.tab, bell_keys.c.bell_key.desc(), bell_keys.c.account_number,
)  # fmt: skip
