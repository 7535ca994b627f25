"""The open items, as item criteria read them: one covering index of the open items only
(SPEC §9's evaluation from scratch). An item criterion's EXISTS looks up a customer's open
items in it and reads their criterion columns there, never the table: what an alert saved,
an import and a new day spend most of their evaluation on.

Revision ID: 0008
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

COLUMNS = ["customer_id", "due_date", "type", "open_amount", "disputed",
           "ignored_in_collection", "document_date"]  # fmt: skip


def upgrade() -> None:
    only_open = sa.text("open_amount <> 0")
    op.create_index(
        "ix_items_open", "items", COLUMNS, sqlite_where=only_open, postgresql_where=only_open
    )


def downgrade() -> None:
    op.drop_index("ix_items_open", table_name="items")
