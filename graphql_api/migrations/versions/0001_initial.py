"""The ledger, its figures, users and alerts.

Revision ID: 0001
"""

import sqlalchemy as sa
from alembic import op

# Money as this revision created it (0003 turns PostgreSQL's into cents): migrations keep
# the types they were written with, whatever storage.Money becomes.
Money = sa.Numeric(18, 2).with_variant(sa.BigInteger(), "sqlite")

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "customers",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("account_number", sa.String(100), nullable=False, unique=True),
        sa.Column("name", sa.String(300)),
        sa.Column("customer_group", sa.String(200)),
        sa.Column("country", sa.String(2)),
        sa.Column("status", sa.String(200)),
        sa.Column("collector", sa.String(200)),
        sa.Column("blocked", sa.Boolean, nullable=False),
        sa.Column("credit_limit", Money),
        sa.Column("insurer_guarantee", Money),
        sa.Column("last_payment_date", sa.Date),
        sa.Column("attributes", sa.JSON, nullable=False),
    )
    op.create_table(
        "items",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "customer_id",
            sa.Integer,
            sa.ForeignKey("customers.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("document_number", sa.String(100), nullable=False),
        sa.Column("type", sa.String(20), nullable=False),
        sa.Column("document_date", sa.Date),
        sa.Column("due_date", sa.Date),
        sa.Column("amount", Money),
        sa.Column("open_amount", Money, nullable=False),
        sa.Column("disputed", sa.Boolean, nullable=False),
        sa.Column("ignored_in_collection", sa.Boolean, nullable=False),
        sa.UniqueConstraint("customer_id", "document_number", name="uq_items_document"),
    )
    op.create_table(
        "reminders",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "customer_id",
            sa.Integer,
            sa.ForeignKey("customers.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("date", sa.Date, nullable=False),
        sa.Column("channel", sa.String(20), nullable=False),
        sa.Column("note", sa.Text),
        sa.Column("logged_by", sa.String(100)),
    )
    op.create_index("ix_reminders_customer_date", "reminders", ["customer_id", "date"])
    op.create_table(
        "customer_figures",
        sa.Column(
            "customer_id",
            sa.Integer,
            sa.ForeignKey("customers.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("outstanding_amount", Money, nullable=False),
        sa.Column("overdue_amount", Money, nullable=False),
        sa.Column("not_due_amount", Money, nullable=False),
        sa.Column("disputed_amount", Money, nullable=False),
        sa.Column("uncovered_amount", Money, nullable=False),
        sa.Column("credit_limit_excess", Money, nullable=False),
        sa.Column("days_overdue", sa.Integer, nullable=False),
        sa.Column("last_reminder_date", sa.Date),
    )
    ledger_state = op.create_table(
        "ledger_state",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("figures_date", sa.Date),
    )
    op.bulk_insert(ledger_state, [{"id": 1, "figures_date": None}])
    op.create_table(
        "users",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(100), nullable=False, unique=True),
        sa.Column("role", sa.String(10), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True)),
    )
    op.create_table(
        "alerts",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("type", sa.String(20), nullable=False),
        sa.Column("level", sa.String(10), nullable=False),
        sa.Column("color", sa.String(7)),
        sa.Column("visibility", sa.String(10), nullable=False),
        sa.Column("owner_id", sa.Integer, sa.ForeignKey("users.id"), nullable=False),
        sa.Column("criteria", sa.JSON, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    for table in (
        "alerts", "users", "ledger_state", "customer_figures", "reminders", "items", "customers"
    ):
        op.drop_table(table)
