"""The SQL function dso_fold(text): a text folded as `text_folding.fold` folds it, for
plugins comparing text ignoring case and accents (`graphql_api.plugin.text_equals`).

SQLite runs the Python function itself (registered on every connection). PostgreSQL gets a
table of the characters that fold changes and a SQL function replacing each character of a
text from it: the same result, whatever the server's locale.

Revision ID: 0009
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import ARRAY

from graphql_api.text_folding import folded_characters

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"

# ASCII letters are lowered (the map holds the other characters); a text with anything
# else (more bytes than characters) is then folded character by character, in order.
LOWERED = f"translate(t, '{UPPER}', '{UPPER.lower()}')"
FUNCTION = f"""
CREATE FUNCTION dso_fold(t text) RETURNS text
LANGUAGE sql STABLE STRICT PARALLEL SAFE AS $$
  SELECT CASE WHEN octet_length(t) = char_length(t) THEN {LOWERED}
  ELSE (
    SELECT string_agg(coalesce(m.folded, c.ch), '' ORDER BY c.n)
    FROM unnest(regexp_split_to_array({LOWERED}, '')) WITH ORDINALITY AS c(ch, n)
    LEFT JOIN dso_fold_map m ON m.ch = c.ch
  ) END
$$
"""


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    table = op.create_table(
        "dso_fold_map",
        sa.Column("ch", sa.Text, primary_key=True),
        sa.Column("folded", sa.Text, nullable=False),
    )
    # One statement from two arrays: the 18,833 rows as one INSERT each took 0.3-0.6 s of
    # the first start on a new database.
    characters, folded = zip(*folded_characters(), strict=True)
    op.get_bind().execute(
        sa.insert(table).from_select(
            ["ch", "folded"],
            sa.select(
                sa.func.unnest(sa.cast(sa.bindparam("characters"), ARRAY(sa.Text))),
                sa.func.unnest(sa.cast(sa.bindparam("folded"), ARRAY(sa.Text))),
            ),
        ),
        {"characters": list(characters), "folded": list(folded)},
    )
    op.execute(FUNCTION)


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP FUNCTION dso_fold(text)")
    op.drop_table("dso_fold_map")
