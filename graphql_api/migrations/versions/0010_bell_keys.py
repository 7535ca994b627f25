"""The worklist's BELL keys as data (SPEC §9 `orderBy: BELL`, graphql_api/bell_keys.py): per
user, tab and customer, the key of the customer's entries in the user's bell in that tab.

An existing database gets its keys here, once: they depend only on the stored matches, the
alerts and the users (no plugin, no "today"), so this migration computes them with the
statement below, written against this revision's tables. A database whose membership was
never computed (upgraded from before 0006) has no match yet: its first catch-up computes
membership, and the keys follow that diff like any other.

Revision ID: 0010
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

CODE = sa.String(100).with_variant(sa.String(100, collation="C"), "postgresql")

# The keys of every user, tab and customer: as bell_queries.py's grouping (a level's rank
# + 1, times 1,000,000, plus the number of entries), over the alerts each user can see.
KEYS = """
INSERT INTO bell_keys (user_id, tab, customer_id, bell_key, account_number)
SELECT u.id, t.tab, m.customer_id,
       MAX(CASE a.level WHEN 'LOW' THEN 1 WHEN 'MEDIUM' THEN 2 WHEN 'HIGH' THEN 3
                        WHEN 'CRITICAL' THEN 4 ELSE 0 END) * 1000000 + COUNT(*),
       c.account_number
FROM alert_matches m
JOIN alerts a ON a.id = m.alert_id
JOIN (SELECT 'COLLECTION' AS tab, 'COLLECTION' AS type UNION ALL
      SELECT 'COLLECTION', 'NONE' UNION ALL
      SELECT 'RISK', 'RISK' UNION ALL
      SELECT 'RISK', 'NONE') t ON t.type = a.type
JOIN users u ON a.visibility = 'PUBLIC' OR a.owner_id = u.id
JOIN customers c ON c.id = m.customer_id
GROUP BY u.id, t.tab, m.customer_id, c.account_number
"""


def upgrade() -> None:
    op.create_table(
        "bell_keys",
        sa.Column(
            "user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"),
            primary_key=True, nullable=False,
        ),
        sa.Column("tab", sa.String(10), primary_key=True, nullable=False),
        sa.Column(
            "customer_id", sa.Integer, sa.ForeignKey("customers.id", ondelete="CASCADE"),
            primary_key=True, nullable=False,
        ),
        sa.Column("bell_key", sa.Integer, nullable=False),
        sa.Column("account_number", CODE, nullable=False),
        sqlite_with_rowid=False,
    )  # fmt: skip
    op.create_index(
        "ix_bell_keys_order",
        "bell_keys",
        ["user_id", "tab", sa.text("bell_key DESC"), "account_number"],
    )
    op.execute(KEYS)


def downgrade() -> None:
    op.drop_index("ix_bell_keys_order", table_name="bell_keys")
    op.drop_table("bell_keys")
