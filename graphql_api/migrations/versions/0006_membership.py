"""Membership as data (SPEC §9): the matches, their changes, each alert's state and daily
counts, the users' "seen" marks, and the last day membership was applied for.

How an existing database's history starts: this migration only creates the tables and
leaves `ledger_state.membership_date` empty. The first catch-up after it (the first
request, `import`, `check` or `refresh`: see graphql_api/membership_day.py) sees that no
day was ever applied and computes every alert's membership once, with the plugins that
process runs with and its "today", *recording no change*: every match then present gets
`since` = that moment, every alert a first daily count for that day, and its history
begins there. A migration cannot do it itself: it knows neither the installed plugins nor
the pinned "today", and it runs against the schema of its own revision, not the one the
evaluation code is written for.

Revision ID: 0006
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

AT = sa.DateTime(timezone=True)


def _alert_id(primary_key: bool = False) -> sa.Column:
    return sa.Column(
        "alert_id",
        sa.Integer,
        sa.ForeignKey("alerts.id", ondelete="CASCADE"),
        primary_key=primary_key,
        nullable=False,
    )


def _customer_id(primary_key: bool = False) -> sa.Column:
    return sa.Column(
        "customer_id",
        sa.Integer,
        sa.ForeignKey("customers.id", ondelete="CASCADE"),
        primary_key=primary_key,
        nullable=False,
    )


def upgrade() -> None:
    with op.batch_alter_table("ledger_state") as batch:
        batch.add_column(sa.Column("membership_date", sa.Date))
    op.create_table(
        "alert_matches",
        _alert_id(primary_key=True),
        _customer_id(primary_key=True),
        sa.Column("since", AT, nullable=False),
        sqlite_with_rowid=False,
    )
    op.create_index(
        "ix_alert_matches_customer", "alert_matches", ["customer_id", "alert_id", "since"]
    )
    op.create_table(
        "alert_changes",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True),
        _alert_id(),
        _customer_id(),
        sa.Column("kind", sa.String(7), nullable=False),
        sa.Column("at", AT, nullable=False),
        sa.Column("day", sa.Date, nullable=False),
        sa.Column("cause", sa.String(11), nullable=False),
    )
    op.create_index("ix_alert_changes_alert_at", "alert_changes", ["alert_id", "at"])
    op.create_index("ix_alert_changes_customer_at", "alert_changes", ["customer_id", "at"])
    op.create_index("ix_alert_changes_at", "alert_changes", ["at"])
    op.create_index("ix_alert_changes_day", "alert_changes", ["day"])
    op.create_table(
        "alert_states",
        _alert_id(primary_key=True),
        sa.Column("match_count", sa.Integer, nullable=False),
        sa.Column("frozen", sa.Boolean, nullable=False),
    )
    op.create_table(
        "alert_daily_counts",
        _alert_id(primary_key=True),
        sa.Column("day", sa.Date, primary_key=True),
        sa.Column("match_count", sa.Integer, nullable=False),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "alert_seen",
        sa.Column(
            "user_id",
            sa.Integer,
            sa.ForeignKey("users.id", ondelete="CASCADE"),
            primary_key=True,
            nullable=False,
        ),
        _alert_id(primary_key=True),
        sa.Column("seen_at", AT, nullable=False),
    )
    op.create_index("ix_alert_seen_alert", "alert_seen", ["alert_id"])


def downgrade() -> None:
    for table in ("alert_seen", "alert_daily_counts", "alert_states", "alert_changes"):
        op.drop_table(table)
    op.drop_table("alert_matches")
    with op.batch_alter_table("ledger_state") as batch:
        batch.drop_column("membership_date")
