"""Text compared ignoring case and accents (SPEC §8), folded one way everywhere: search,
`NAME` order, and the keys the import stores for them.

PostgreSQL's `lower()` depends on the server's locale and SQLite's folds only ASCII, so
neither is used. The searches read folded keys the import stores (`customers.name_key`,
`customers.account_key`, `items.document_key`) and fold their text here; plugins fold any
SQL text with `sql_functions.folded`, the SQL function `dso_fold`: this `fold` on SQLite,
and on PostgreSQL the table of `folded_characters` that migration 0009 stores.
"""

from __future__ import annotations

import functools
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


@functools.cache
def folded_characters() -> tuple[tuple[str, str], ...]:
    """Every character that `fold` changes, with what it becomes ("" for a combining mark).

    `fold` works character by character (NFKD decomposes each character alone, and the
    canonical reordering it adds only moves combining marks, which are dropped), so a text
    is folded by replacing each of its characters: how PostgreSQL folds (migration 0009)."""
    changed = []
    for start in range(0x80, 0x110000, _BLOCK):
        codes = range(start, min(start + _BLOCK, 0x110000))
        block = "".join([chr(code) for code in codes if not 0xD800 <= code <= 0xDFFF])
        if _folds_to_itself(block):
            continue  # most blocks: unassigned, ideographs, private use
        for character in block:
            result = fold(character)
            if result != character:
                changed.append((character, result))
    return tuple(changed)


# Blocks of code points whose characters all fold to themselves are told apart by three C
# calls instead of a `fold` of each character (a second for the 1.1M code points, which the
# first migration of a new database paid; now some 0.1 s).
_BLOCK = 256


def _folds_to_itself(block: str) -> bool:
    """Whether `fold` leaves every character of `block` as it is.

    Exact, for casefold and NFKD never map a character to nothing: the block keeps its
    length only if each character gives one character; casefold then changes none, and for
    NFKD (single characters that map to a character that maps to itself, then reordered),
    a changed character would leave the result with one occurrence too few of it. With
    neither changing any, `fold` drops only the combining marks."""
    return (
        block.casefold() == block
        and unicodedata.is_normalized("NFKD", block)
        and not any(map(unicodedata.combining, block))
    )
