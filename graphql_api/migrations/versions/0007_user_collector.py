"""A user's collector code (SPEC §8): the `collector` of the accounts they follow, so a front
end can offer "my portfolio". Empty for existing users.

Revision ID: 0007
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("users", sa.Column("collector", sa.String(200)))


def downgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.drop_column("collector")
