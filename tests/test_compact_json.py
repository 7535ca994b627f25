"""Response bodies and cursors are the standard library's compact JSON, byte for byte,
whichever encoder writes them (compact_json.py): a cursor a client kept from an earlier
release, or an answer compared as bytes, stays the same."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import column

from graphql_api import compact_json
from graphql_api.sort_order import INTEGER, TEXT, Order, Term


def standard(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(st.characters(exclude_categories=["Cs"])),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=12,
)


@given(JSON_VALUES)
def test_any_json_value_is_written_as_the_standard_library_writes_it(value: Any) -> None:
    assert compact_json.dumps(value) == standard(value)


@pytest.mark.parametrize(
    "value",
    [
        {"name": "Société Générale — Zoë \u2028 \x7f \x00 \t\n\"\\/"},
        {"big": 2**70, "negative": -(2**64)},  # beyond orjson's 64 bits: the fallback
    ],
)
def test_what_orjson_refuses_or_might_escape_differently(value: Any) -> None:
    assert compact_json.dumps(value) == standard(value)


def test_a_cursor_is_the_same_as_earlier_releases_wrote_it() -> None:
    order = Order("name:ASC", (Term("name", column("name"), TEXT, nullable=True),
                               Term("id", column("id"), INTEGER)))  # fmt: skip
    key = ("Société Zoë", 123456)
    cursor = order.encode(key)
    assert base64.urlsafe_b64decode(cursor) == standard(["name:ASC", ["Société Zoë", 123456]])
    assert order.decode(cursor, "after") == key
    assert order.decode(order.encode((None, 7)), "after") == (None, 7)
