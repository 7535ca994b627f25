"""The tables that take membership's bulk writes lose their foreign keys: `alert_matches`
and `alert_changes` (alert_id, customer_id) and `bell_keys` (user_id, customer_id).

On PostgreSQL every inserted row fired one trigger per foreign key, a `SELECT … FOR KEY
SHARE` of its parent: a change of day or a save writes up to hundreds of thousands of rows,
whose parents the writer has just read under the ledger lock. What the cascades did is done
by the code that deletes (membership.forget_alert for an alert; customers and users are
never deleted), and `dso-alerts check` reports a row whose alert, customer or user does not
exist. The primary keys and indexes stay exactly as they were; SQLite rebuilds each table
(it cannot drop a constraint), PostgreSQL drops the constraints.

The downgrade first deletes the rows the constraints would refuse (what the cascades would
have deleted), then puts the constraints back.

Revision ID: 0012
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

CODE = sa.String(100).with_variant(sa.String(100, collation="C"), "postgresql")
AT = sa.DateTime(timezone=True)
# Each table's columns that referred to a parent, and the parent.
PARENTS = {
    "alert_matches": {"alert_id": "alerts", "customer_id": "customers"},
    "alert_changes": {"alert_id": "alerts", "customer_id": "customers"},
    "bell_keys": {"user_id": "users", "customer_id": "customers"},
}
# SQLite's rebuild keeps these options of the tables (batch_alter_table cannot read them).
TABLE_OPTIONS = {
    "alert_matches": {"sqlite_with_rowid": False},
    "alert_changes": {},
    "bell_keys": {"sqlite_with_rowid": False},
}


def _reference(name: str, parent: str, keyed: bool, **column: object) -> sa.Column:
    """A referring column, with its constraint as migrations 0006 and 0010 wrote it
    (`keyed`) or without."""
    if keyed:
        return sa.Column(name, sa.Integer, sa.ForeignKey(f"{parent}.id", ondelete="CASCADE"),
                         nullable=False, **column)  # fmt: skip
    return sa.Column(name, sa.Integer, nullable=False, **column)


def _tables(keyed: bool) -> dict[str, sa.Table]:
    """The three tables as this revision (not `keyed`) or the one before defines them."""
    meta = sa.MetaData()
    matches = sa.Table(
        "alert_matches", meta,
        _reference("alert_id", "alerts", keyed, primary_key=True),
        _reference("customer_id", "customers", keyed, primary_key=True),
        sa.Column("since", AT, nullable=False),
        sa.Index("ix_alert_matches_customer", "customer_id", "alert_id", "since"),
        sqlite_with_rowid=False,
    )  # fmt: skip
    changes = sa.Table(
        "alert_changes", meta,
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True),
        _reference("alert_id", "alerts", keyed),
        _reference("customer_id", "customers", keyed),
        sa.Column("kind", sa.String(7), nullable=False),
        sa.Column("at", AT, nullable=False),
        sa.Column("day", sa.Date, nullable=False),
        sa.Column("cause", sa.String(11), nullable=False),
        sa.Index("ix_alert_changes_alert_at", "alert_id", "at"),
        sa.Index("ix_alert_changes_customer_at", "customer_id", "at"),
        sa.Index("ix_alert_changes_at", "at"),
        sa.Index("ix_alert_changes_day", "day"),
    )  # fmt: skip
    keys = sa.Table(
        "bell_keys", meta,
        _reference("user_id", "users", keyed, primary_key=True),
        sa.Column("tab", sa.String(10), primary_key=True, nullable=False),
        _reference("customer_id", "customers", keyed, primary_key=True),
        sa.Column("bell_key", sa.Integer, nullable=False),
        sa.Column("account_number", CODE, nullable=False),
        sa.Index("ix_bell_keys_order", "user_id", "tab", sa.text("bell_key DESC"),
                 "account_number"),
        sqlite_with_rowid=False,
    )  # fmt: skip
    # Parents, for the constraints' sake only (a Table's ForeignKey must find its column).
    for parent in ("alerts", "customers", "users"):
        sa.Table(parent, meta, sa.Column("id", sa.Integer, primary_key=True))
    return {table.name: table for table in (matches, changes, keys)}


def _rebuild(keyed: bool) -> None:
    """SQLite: each table created again as `keyed` says, its rows copied, its indexes
    created again."""
    for name, table in _tables(keyed).items():
        with op.batch_alter_table(
            name, copy_from=table, recreate="always", table_kwargs=TABLE_OPTIONS[name]
        ):
            pass


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        _rebuild(keyed=False)
        return
    found = sa.inspect(op.get_bind())
    for name, parents in PARENTS.items():
        for key in found.get_foreign_keys(name):
            if key["constrained_columns"][0] in parents:
                op.drop_constraint(key["name"], name, type_="foreignkey")


def downgrade() -> None:
    # The rows the constraints would refuse: those the cascades would have deleted.
    for name, parents in PARENTS.items():
        for column, parent in parents.items():
            op.execute(
                f"DELETE FROM {name} WHERE NOT EXISTS "
                f"(SELECT 1 FROM {parent} WHERE {parent}.id = {name}.{column})"
            )
    if op.get_bind().dialect.name == "sqlite":
        _rebuild(keyed=True)
        return
    for name, parents in PARENTS.items():
        for column, parent in parents.items():
            op.create_foreign_key(
                f"{name}_{column}_fkey", name, parent, [column], ["id"], ondelete="CASCADE"
            )
