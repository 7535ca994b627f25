"""The oldest overdue date beside the days overdue (graphql_api/figures.py): the order by
days overdue reads it, so that a new day, which moves nearly every customer's days, changes
no index entry of theirs.

- `customer_figures.oldest_overdue_date`: the due date of the customer's oldest overdue
  open item with a positive amount, NULL when none. Filled from the stored figures, which
  were computed for `ledger_state.figures_date`: that day minus the days overdue (a
  database whose figures were never computed has no row, and its first day computes
  them).
- The index of the order by days overdue, `(days_overdue DESC, account_number)`, becomes
  `(oldest_overdue_date, account_number)`, and on PostgreSQL a partial index of the
  customers with nothing overdue, in account order (as for the other empty sort keys).
- On PostgreSQL the table leaves half of each page free (fillfactor), for the new version
  of each row a new day writes there (a HOT update). The fillfactor applies to the pages
  written after it: the table is written again here, inside the migration's transaction
  (VACUUM FULL cannot run in one), with the new column filled on the way.

Revision ID: 0011
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

FILLFACTOR = 50
FIGURES_DATE = "(SELECT figures_date FROM ledger_state WHERE id = 1)"
COLUMNS = ("customer_id, outstanding_amount, overdue_amount, not_due_amount, disputed_amount,"
           " uncovered_amount, credit_limit_excess, days_overdue, last_reminder_date,"
           " account_number")  # fmt: skip


def upgrade() -> None:
    postgresql = op.get_bind().dialect.name == "postgresql"
    op.drop_index("ix_figures_days_overdue", table_name="customer_figures")
    op.add_column("customer_figures", sa.Column("oldest_overdue_date", sa.Date))
    if postgresql:
        op.execute(f"ALTER TABLE customer_figures SET (fillfactor = {FILLFACTOR})")
        op.execute(
            "CREATE TEMPORARY TABLE figures_0011 AS SELECT * FROM customer_figures"
        )
        op.execute("TRUNCATE customer_figures")
        op.execute(
            f"INSERT INTO customer_figures ({COLUMNS}, oldest_overdue_date)"
            f" SELECT {COLUMNS}, CASE WHEN days_overdue > 0"
            f" THEN {FIGURES_DATE} - days_overdue END FROM figures_0011"
        )
        op.execute("DROP TABLE figures_0011")
    else:
        op.execute(
            "UPDATE customer_figures SET oldest_overdue_date ="
            f" date({FIGURES_DATE}, '-' || days_overdue || ' days') WHERE days_overdue > 0"
        )
    op.create_index(
        "ix_figures_oldest_overdue", "customer_figures", ["oldest_overdue_date", "account_number"]
    )
    if postgresql:
        op.create_index(
            "ix_customer_figures_no_oldest_overdue_date", "customer_figures", ["account_number"],
            postgresql_where=sa.text("oldest_overdue_date IS NULL"),
        )  # fmt: skip
        op.execute("ANALYZE customer_figures")


def downgrade() -> None:
    postgresql = op.get_bind().dialect.name == "postgresql"
    if postgresql:
        op.drop_index("ix_customer_figures_no_oldest_overdue_date", table_name="customer_figures")
    op.drop_index("ix_figures_oldest_overdue", table_name="customer_figures")
    op.drop_column("customer_figures", "oldest_overdue_date")
    if postgresql:
        op.execute("ALTER TABLE customer_figures RESET (fillfactor)")
    op.create_index(
        "ix_figures_days_overdue", "customer_figures",
        [sa.text("days_overdue DESC"), "account_number"],
    )  # fmt: skip
