"""Automatic persisted queries (SPEC §8), Apollo's protocol: a request may send, in
`extensions.persistedQuery`, `{version: 1, sha256Hash}` instead of its query; a hash this
server does not know gets the error PERSISTED_QUERY_NOT_FOUND, and the client sends the
query with its hash, which is then known.

Known queries are kept in a bounded in-process LRU, as Apollo Server does: each server
process learns them on its own (another worker's miss costs one round trip), and they are
lost on restart. A hash stands for nothing but its query's text, and is kept per user: a
hash-only request runs exactly what the same user sent before, signed in, validated and
limited like any request, and a user never learns whether anyone else sent a query.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

NOT_FOUND_MESSAGE = "PersistedQueryNotFound"  # what Apollo Client and urql look for
MISMATCH_MESSAGE = "provided sha does not match query"


@dataclass(frozen=True)
class Refusal:
    """Why a persisted-query request cannot run: `not_found` (send the query), or a bad one."""

    message: str
    not_found: bool = False


class PersistedQueries:
    """Queries by (user, sha256), the least recently used dropped first beyond `max_chars`."""

    def __init__(self, max_chars: int = 16_000_000) -> None:
        self.max_chars = max_chars
        self._queries: OrderedDict[tuple[int, str], str] = OrderedDict()
        self._chars = 0
        self._lock = threading.Lock()  # requests run in a thread pool

    def resolve(self, user_id: int, query: Any, extensions: Any) -> str | Refusal | None:
        """The query to run; a `Refusal`; or None when the request has no query at all.

        `query` and `extensions` are the request's own (any JSON value)."""
        persisted = extensions.get("persistedQuery") if isinstance(extensions, dict) else None
        if persisted is None:
            return query if isinstance(query, str) else None
        if not isinstance(persisted, dict) or persisted.get("version") != 1:
            return Refusal("extensions.persistedQuery: only version 1 is supported")
        digest = persisted.get("sha256Hash")
        if not isinstance(digest, str) or len(digest) != 64:
            return Refusal("extensions.persistedQuery.sha256Hash must be 64 hexadecimal digits")
        digest = digest.lower()
        if isinstance(query, str):
            if hashlib.sha256(query.encode()).hexdigest() != digest:
                return Refusal(MISMATCH_MESSAGE)
            self._remember((user_id, digest), query)
            return query
        if query is not None:
            return None
        known = self._recall((user_id, digest))
        return Refusal(NOT_FOUND_MESSAGE, not_found=True) if known is None else known

    def _recall(self, key: tuple[int, str]) -> str | None:
        with self._lock:
            query = self._queries.get(key)
            if query is not None:
                self._queries.move_to_end(key)
            return query

    def _remember(self, key: tuple[int, str], query: str) -> None:
        if len(query) > self.max_chars:
            return
        with self._lock:
            if key in self._queries:
                self._queries.move_to_end(key)
                return
            self._queries[key] = query
            self._chars += len(query)
            while self._chars > self.max_chars:
                _, dropped = self._queries.popitem(last=False)
                self._chars -= len(dropped)
