"""The oldest overdue date beside the days overdue (graphql_api/figures.py): the order by
days overdue reads it, so that a new day, which moves nearly every customer's days, changes
no index entry of theirs.

- `customer_figures.oldest_overdue_date`: the due date of the customer's oldest overdue
  open item with a positive amount, NULL when none. Filled from the stored figures, which
  were computed for `ledger_state.figures_date`: that day minus the days overdue (a
  database whose figures were never computed has no row, and its first day computes
  them).
- `customer_figures.oldest_overdue_key`: that date, 9999-12-31 when none (generated), and
  the order by days overdue's index on it, in place of `(days_overdue DESC,
  account_number)`.
- On PostgreSQL the table leaves half of each page free (fillfactor), for the new version
  of each row a new day writes there (a HOT update). A fillfactor applies to the pages
  written after it: adding the stored generated column writes the whole table again,
  inside the migration's transaction (where VACUUM FULL cannot run).

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
KEY = "GENERATED ALWAYS AS (coalesce(oldest_overdue_date, '9999-12-31'))"


def upgrade() -> None:
    postgresql = op.get_bind().dialect.name == "postgresql"
    op.drop_index("ix_figures_days_overdue", table_name="customer_figures")
    op.add_column("customer_figures", sa.Column("oldest_overdue_date", sa.Date))
    if postgresql:
        op.execute(f"ALTER TABLE customer_figures SET (fillfactor = {FILLFACTOR})")
        oldest = f"{FIGURES_DATE} - days_overdue"
    else:
        oldest = f"date({FIGURES_DATE}, '-' || days_overdue || ' days')"
    op.execute(
        f"UPDATE customer_figures SET oldest_overdue_date = {oldest} WHERE days_overdue > 0"
    )
    # SQLite adds a generated column computed on read only (VIRTUAL).
    kind = "STORED" if postgresql else "VIRTUAL"
    op.execute(f"ALTER TABLE customer_figures ADD COLUMN oldest_overdue_key DATE {KEY} {kind}")
    op.create_index(
        "ix_figures_oldest_overdue", "customer_figures", ["oldest_overdue_key", "account_number"]
    )
    if postgresql:
        op.execute("ANALYZE customer_figures")


def downgrade() -> None:
    postgresql = op.get_bind().dialect.name == "postgresql"
    op.drop_index("ix_figures_oldest_overdue", table_name="customer_figures")
    op.drop_column("customer_figures", "oldest_overdue_key")
    op.drop_column("customer_figures", "oldest_overdue_date")
    if postgresql:
        op.execute("ALTER TABLE customer_figures RESET (fillfactor)")
    op.create_index(
        "ix_figures_days_overdue", "customer_figures",
        [sa.text("days_overdue DESC"), "account_number"],
    )  # fmt: skip
