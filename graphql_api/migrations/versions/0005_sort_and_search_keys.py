"""Sorting and accent-insensitive search (SPEC §8): folded keys, the account number beside
the figures, and the indexes of the orders.

- `customers.name_key`, `customers.account_key`: the name and account number folded by
  `text_folding.fold`; `items.document_key`: the same for the document numbers that are not
  ASCII (an ASCII one is folded in SQL). Filled here for the rows already stored.
- `customer_figures.account_number`: ties are broken by account number, so a figure and
  the account number share one index.
- On PostgreSQL, account and document numbers and folded names order by code point
  (collation "C"), as SQLite does, whatever the server's locale.

Revision ID: 0005
"""

import sqlalchemy as sa
from alembic import op

from graphql_api.text_folding import fold

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

FIGURES_LARGEST_FIRST = (
    "outstanding_amount", "overdue_amount", "not_due_amount", "disputed_amount",
    "uncovered_amount", "credit_limit_excess", "days_overdue",
)  # fmt: skip
EMPTY_SORT_KEYS = (
    ("customers", "name_key"), ("customers", "last_payment_date"),
    ("customer_figures", "last_reminder_date"),
)  # fmt: skip
BATCH = 5000


def _code(length: int, postgresql: bool) -> sa.String:
    return sa.String(length, collation="C") if postgresql else sa.String(length)


def upgrade() -> None:
    bind = op.get_bind()
    postgresql = bind.dialect.name == "postgresql"
    op.add_column("customers", sa.Column("name_key", _code(300, postgresql)))
    op.add_column("customers", sa.Column("account_key", sa.String(100)))
    op.add_column("items", sa.Column("document_key", sa.String(100)))
    op.add_column("customer_figures", sa.Column("account_number", _code(100, postgresql)))
    if postgresql:
        for table, column in (("customers", "account_number"), ("items", "document_number")):
            op.execute(f'ALTER TABLE {table} ALTER COLUMN {column} TYPE VARCHAR(100) COLLATE "C"')
    _fill_keys(bind)
    op.execute(
        "UPDATE customer_figures SET account_number = "
        "(SELECT account_number FROM customers WHERE customers.id = customer_figures.customer_id)"
    )
    with op.batch_alter_table("customer_figures") as batch:
        batch.alter_column("account_number", nullable=False, existing_type=_code(100, postgresql))
    for name in FIGURES_LARGEST_FIRST:
        op.create_index(
            f"ix_figures_{name}", "customer_figures", [sa.text(f"{name} DESC"), "account_number"]
        )
    op.create_index(
        "ix_figures_last_reminder", "customer_figures", ["last_reminder_date", "account_number"]
    )
    op.create_index("ix_customers_name", "customers", ["name_key", "account_number"])
    op.create_index(
        "ix_customers_last_payment", "customers", ["last_payment_date", "account_number"]
    )
    if postgresql:
        for table, column in EMPTY_SORT_KEYS:
            op.create_index(
                f"ix_{table}_no_{column}", table, ["account_number"],
                postgresql_where=sa.text(f"{column} IS NULL"),
            )  # fmt: skip


def _fill_keys(bind: sa.engine.Connection) -> None:
    customers = sa.table(
        "customers", sa.column("id"), sa.column("account_number"), sa.column("name"),
        sa.column("name_key"), sa.column("account_key"),
    )  # fmt: skip
    rows = bind.execute(sa.select(customers.c.id, customers.c.account_number, customers.c.name))
    keys = [
        {"key_id": id_, "name_key": None if name is None else fold(name),
         "account_key": fold(account)}
        for id_, account, name in rows
    ]  # fmt: skip
    if keys:
        bind.execute(
            customers.update()
            .where(customers.c.id == sa.bindparam("key_id"))
            .values(name_key=sa.bindparam("name_key"), account_key=sa.bindparam("account_key")),
            keys,
        )
    items = sa.table(
        "items", sa.column("id"), sa.column("document_number"), sa.column("document_key")
    )
    documents = bind.execute(
        sa.select(items.c.id, items.c.document_number).execution_options(yield_per=BATCH)
    )
    changed = [
        {"key_id": id_, "document_key": fold(number)}
        for id_, number in documents
        if not number.isascii()
    ]
    for start in range(0, len(changed), BATCH):
        bind.execute(
            items.update()
            .where(items.c.id == sa.bindparam("key_id"))
            .values(document_key=sa.bindparam("document_key")),
            changed[start : start + BATCH],
        )


def downgrade() -> None:
    postgresql = op.get_bind().dialect.name == "postgresql"
    if postgresql:
        for table, column in EMPTY_SORT_KEYS:
            op.drop_index(f"ix_{table}_no_{column}", table)
    op.drop_index("ix_customers_last_payment", "customers")
    op.drop_index("ix_customers_name", "customers")
    op.drop_index("ix_figures_last_reminder", "customer_figures")
    for name in FIGURES_LARGEST_FIRST:
        op.drop_index(f"ix_figures_{name}", "customer_figures")
    # ALTER TABLE … DROP COLUMN on both (SQLite ≥ 3.35): rebuilding `customers` on SQLite
    # would delete its items through their foreign key.
    for table, column in (
        ("customer_figures", "account_number"), ("items", "document_key"),
        ("customers", "account_key"), ("customers", "name_key"),
    ):  # fmt: skip
        op.execute(f"ALTER TABLE {table} DROP COLUMN {column}")
    if postgresql:
        for table, column in (("customers", "account_number"), ("items", "document_number")):
            op.execute(
                f'ALTER TABLE {table} ALTER COLUMN {column} TYPE VARCHAR(100) COLLATE "default"'
            )
