"""A counter of changes to the alerts, kept by the database itself.

Servers keep each user's list of visible alerts between requests under this
counter (request_context.py). Triggers bump it on every insert, update and
delete of an alert, so whoever writes the table (the API, a script, a hand
edit) invalidates those lists in the same transaction; no writer can forget.

Revision ID: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

BUMP = "UPDATE ledger_state SET alerts_version = alerts_version + 1 WHERE id = 1"


def upgrade() -> None:
    with op.batch_alter_table("ledger_state") as batch:
        batch.add_column(
            sa.Column("alerts_version", sa.Integer, nullable=False, server_default="0")
        )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE FUNCTION alerts_changed() RETURNS trigger LANGUAGE plpgsql AS "
            f"$$ BEGIN {BUMP}; RETURN NULL; END $$"
        )
        op.execute(
            "CREATE TRIGGER alerts_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE "
            "ON alerts FOR EACH STATEMENT EXECUTE FUNCTION alerts_changed()"
        )
    else:
        for event in ("INSERT", "UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER alerts_changed_{event.lower()} AFTER {event} ON alerts "
                f"BEGIN {BUMP}; END"
            )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER alerts_changed ON alerts")
        op.execute("DROP FUNCTION alerts_changed()")
    else:
        for event in ("insert", "update", "delete"):
            op.execute(f"DROP TRIGGER alerts_changed_{event}")
    with op.batch_alter_table("ledger_state") as batch:
        batch.drop_column("alerts_version")
