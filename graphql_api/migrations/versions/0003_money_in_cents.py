"""Money in integer cents on PostgreSQL too, as on SQLite (see graphql_api/money.py).

With one representation, the same SQL expression on money means the same thing on both
databases. SQLite already stores cents: nothing changes there. On PostgreSQL each table is
rewritten once (all its money columns in one ALTER TABLE).

Revision ID: 0003
"""

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

MONEY_COLUMNS = {
    "customers": ("credit_limit", "insurer_guarantee"),
    "items": ("amount", "open_amount"),
    "customer_figures": (
        "outstanding_amount", "overdue_amount", "not_due_amount", "disputed_amount",
        "uncovered_amount", "credit_limit_excess",
    ),
}  # fmt: skip


def _alter(table: str, new_type: str, using: str) -> None:
    changes = ", ".join(
        f"ALTER COLUMN {column} TYPE {new_type} USING {using.format(column=column)}"
        for column in MONEY_COLUMNS[table]
    )
    op.execute(f"ALTER TABLE {table} {changes}")


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table in MONEY_COLUMNS:
        # NUMERIC(18, 2) holds whole cents already: round() only makes the cast exact.
        _alter(table, "BIGINT", "round({column} * 100)::bigint")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table in MONEY_COLUMNS:
        _alter(table, "NUMERIC(18, 2)", "({column} / 100.0)::numeric(18, 2)")
