"""Alerts get a random public key, and SQLite never reuses an alert's internal id.

The API names an alert by `public_id` (graphql_api/ids.py): random, so that an id tells
nothing of the alerts a user cannot see (not how many exist), and never given to another
alert. Existing alerts get theirs here. SQLite gave a deleted alert's rowid to the next
alert; the table is rebuilt with AUTOINCREMENT so that internal ids are never reused
either (PostgreSQL's sequence never did). Rebuilding drops the table's triggers, which
0002 created: they are created again.

Revision ID: 0004
"""

import secrets

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

BUMP = "UPDATE ledger_state SET alerts_version = alerts_version + 1 WHERE id = 1"
SQLITE_TRIGGERS = ("insert", "update", "delete")


def upgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    with op.batch_alter_table("alerts") as batch:
        batch.add_column(sa.Column("public_id", sa.String(16)))
    alerts = sa.table("alerts", sa.column("id", sa.Integer), sa.column("public_id", sa.String))
    bind = op.get_bind()
    for (row_id,) in bind.execute(sa.select(alerts.c.id)).all():
        key = secrets.token_urlsafe(12)  # as ids.new_alert_key, which may change after this
        bind.execute(sa.update(alerts).where(alerts.c.id == row_id).values(public_id=key))
    if sqlite:
        _drop_sqlite_triggers()
    with op.batch_alter_table(
        "alerts",
        recreate="always" if sqlite else "auto",
        table_kwargs={"sqlite_autoincrement": True},
    ) as batch:
        batch.alter_column("public_id", existing_type=sa.String(16), nullable=False)
        batch.create_unique_constraint("uq_alerts_public_id", ["public_id"])
    if sqlite:
        _create_sqlite_triggers()


def downgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    if sqlite:
        _drop_sqlite_triggers()
    with op.batch_alter_table("alerts", recreate="always" if sqlite else "auto") as batch:
        batch.drop_constraint("uq_alerts_public_id", type_="unique")
        batch.drop_column("public_id")
    if sqlite:
        _create_sqlite_triggers()


def _drop_sqlite_triggers() -> None:
    for event in SQLITE_TRIGGERS:
        op.execute(f"DROP TRIGGER IF EXISTS alerts_changed_{event}")


def _create_sqlite_triggers() -> None:
    for event in SQLITE_TRIGGERS:
        op.execute(
            f"CREATE TRIGGER alerts_changed_{event} AFTER {event.upper()} ON alerts "
            f"BEGIN {BUMP}; END"
        )
