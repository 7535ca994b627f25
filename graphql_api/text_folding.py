"""Text compared ignoring case and accents (SPEC §8), folded one way everywhere: search,
`NAME` order, and the keys the import stores for them.

PostgreSQL cannot run this function and its `lower()` depends on the server's locale, so
the database never folds: the import stores folded keys (`customers.name_key`,
`customers.account_key`, `items.document_key`) and a search folds its text here.
"""

from __future__ import annotations

import unicodedata


def fold(text: str) -> str:
    """Unicode NFKD without combining marks, then `casefold()`: `Hôtel` → `hotel`,
    `SOCIÉTÉ` → `societe`, `Straße` → `strasse`."""
    if text.isascii():  # most ledger text: NFKD changes nothing, casefold is lower()
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def fold_or_none(text: str | None) -> str | None:
    return None if text is None else fold(text)
