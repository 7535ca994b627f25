"""Search ignores case and accents on both databases (SPEC §8): text is folded once
(`text_folding.fold`), by the import into stored keys and by a search into its needle;
migration 0005 folds what was stored before it."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import Engine, select, text

from graphql_api.database import migrate, write_transaction
from graphql_api.storage import customer_figures, customers, items
from graphql_api.text_folding import fold, folded_characters
from tests.oracle import fold as spec_fold
from tests.paging_ledger import Shop

pytest_plugins = ("tests.paging_ledger",)

SEARCH = """query($s: String) { customers(search: $s, first: 100) {
  totalCount edges { node { name } } } }"""


@pytest.mark.parametrize(
    "word",
    ["Hôtel", "SOCIÉTÉ", "Straße", "ß", "ﬁlature", "Ølstad", "Œuvre", "Ångström", "ÉCLAIR",
     "K-7", "İstanbul", "ǅ", "Ａｂｃ", "", "plain ascii"],
)
def test_fold_is_the_spec_s_reading(word: str) -> None:
    assert fold(word) == spec_fold(word)


def test_the_folded_characters_are_every_character_fold_changes() -> None:
    # What PostgreSQL's dso_fold replaces (migration 0009), against `fold` of each code point.
    every = (chr(code) for code in range(0x80, 0x110000) if not 0xD800 <= code <= 0xDFFF)
    assert folded_characters() == tuple((c, fold(c)) for c in every if fold(c) != c)


@pytest.mark.parametrize(
    ("needle", "names"),
    [
        ("hotel", {"Hôtel du Lac", "HOTEL IBIS"}),
        ("Hôtel", {"Hôtel du Lac", "HOTEL IBIS"}),
        ("societe", {"SOCIÉTÉ Générale", "Société Lyonnaise"}),
        ("SOCIÉTÉ", {"SOCIÉTÉ Générale", "Société Lyonnaise"}),
        ("ß", {"Straße AG", "STRASSE GmbH"}),
        ("strasse", {"Straße AG", "STRASSE GmbH"}),
        ("angstrom", {"Ångström"}),
        ("fil", {"ﬁlature"}),
        ("ECLAIR", {"Éclair SA", "eclair sa"}),
    ],
)
def test_customers_are_found_ignoring_case_and_accents(
    shop: Shop, needle: str, names: set[str]
) -> None:
    found = shop.data(SEARCH, {"s": needle})["customers"]
    assert {e["node"]["name"] for e in found["edges"]} == names
    assert found["totalCount"] == len(shop.oracle.searched_customers(needle))


def test_an_account_number_is_found_ignoring_case_and_accents(shop: Shop) -> None:
    query = """query($s: String) { customers(search: $s) { edges { node { accountNumber } } } }"""
    for needle, accounts in (("e12", {"É12"}), ("K-7", {"k-7"}), ("A10", {"a100"})):
        found = shop.data(query, {"s": needle})["customers"]["edges"]
        assert {e["node"]["accountNumber"] for e in found} == accounts, needle


def test_a_document_number_is_found_ignoring_case_and_accents(shop: Shop) -> None:
    query = """query($s: String) { items(search: $s, first: 500) {
      edges { node { documentNumber } } } }"""
    found = {e["node"]["documentNumber"] for e in shop.data(query, {"s": "DE-1"})["items"]["edges"]}
    assert found and all(doc.startswith("Dé-1") for doc in found), found
    assert found == {doc for _, doc in shop.oracle.searched_items(None, "DE-1")}


def test_the_import_writes_the_folded_keys(shop: Shop, engine: Engine) -> None:
    with engine.connect() as conn:
        rows = conn.execute(select(customers.c.name, customers.c.name_key)).all()
        documents = conn.execute(select(items.c.document_number, items.c.document_key)).all()
    assert all(key == (None if name is None else fold(name)) for name, key in rows)
    assert {number: key for number, key in documents if key is not None} == {
        number: fold(number) for number, _ in documents if not number.isascii()
    }


def test_the_migration_folds_what_was_stored_before_it(
    engine: Engine, tmp_path: Any, request: pytest.FixtureRequest
) -> None:
    """A database at revision 0003 with ledger rows: 0005 adds the keys and fills them, and
    the figures' account numbers; search and sort then work on the old rows."""
    from graphql_api.database import create_db_engine
    from tests.postgres_server import throwaway_postgres

    def check(old: Engine) -> None:
        migrate(old, "0003")
        with write_transaction(old) as conn:
            conn.execute(text(
                "INSERT INTO customers (account_number, name, blocked, attributes) VALUES "
                "('X1', 'Hôtel Ærø', false, '{}'), ('X2', NULL, false, '{}')"
            ))  # fmt: skip
            conn.execute(text(
                "INSERT INTO items (customer_id, document_number, type, open_amount, disputed, "
                "ignored_in_collection) SELECT id, 'Fé-1', 'INVOICE', 100, false, false "
                "FROM customers WHERE account_number = 'X1'"
            ))  # fmt: skip
            conn.execute(text(
                "INSERT INTO customer_figures SELECT id, 0, 0, 0, 0, 0, 0, 0, NULL FROM customers"
            ))
        migrate(old)
        with old.connect() as conn:
            keyed = conn.execute(
                select(customers.c.account_number, customers.c.name_key, customers.c.account_key)
                .order_by(customers.c.account_number)
            ).all()
            documents = conn.execute(select(items.c.document_key)).scalars().all()
            figures = conn.execute(
                select(customer_figures.c.account_number).order_by(customer_figures.c.account_number)
            ).scalars().all()
        assert [tuple(r) for r in keyed] == [("X1", "hotel ærø", "x1"), ("X2", None, "x2")]
        assert documents == ["fe-1"]
        assert figures == ["X1", "X2"]

    if request.node.callspec.params["engine"] == "sqlite":
        old = create_db_engine(f"sqlite:///{tmp_path / 'old.db'}")
        check(old)
        old.dispose()
    else:
        with throwaway_postgres() as url:
            old = create_db_engine(url)
            check(old)
            old.dispose()
