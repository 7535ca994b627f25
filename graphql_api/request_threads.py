"""Which requests are answered on the server's event loop, and which in a worker thread.

The database driver is synchronous, so a request that may wait runs in a worker thread
while the event loop goes on answering the others. The trip there and back is not free:
on this project's 2-core machine it cost ~0.6 ms of the server's CPU per request (two
thread wake-ups and the GIL changing hands), ~9 % of a 100k bell page (A/B over HTTP,
alternately on one database: server CPU 0.91x, p50 0.89x).

A request that can only wait for the CPU and the disk gains nothing from the thread: on
SQLite (in the server's process, in WAL mode, where a reader never waits for a writer) a
query document. It runs on the loop. (The first query of a new day applies the day first,
a write: the process's other requests wait for it on the loop, as they would wait for the
day in their threads, since every request reads the ledger as of today.) The others keep
the thread:
- a mutation waits for the writers' lock, which an import in another process holds for
  seconds (and up to the driver's 60 s timeout): meanwhile the loop must answer reads;
- on PostgreSQL every statement is a round trip over the network, and a connection
  that cannot be made waits for its timeout;
- a query sent by its hash alone (persisted_queries.py) is not known before sign-in.
"""

from __future__ import annotations

import functools
from typing import Any

from graphql import GraphQLError, OperationDefinitionNode, OperationType, parse

# Distinct documents remembered; the requests of a front end are a few dozen.
DOCUMENTS_KEPT = 256


def runs_on_loop(database: str, method: str, params: Any, max_tokens: int) -> bool:
    """Whether a request with these (decoded) parameters is answered on the event loop."""
    if database != "sqlite":
        return False
    if method == "GET":  # runs queries only: a mutation is refused before it runs
        return True
    if not isinstance(params, dict):  # not a JSON object: refused before it runs
        return True
    query = params.get("query")
    return isinstance(query, str) and only_queries(query, max_tokens)


@functools.lru_cache(maxsize=DOCUMENTS_KEPT)
def only_queries(query: str, max_tokens: int) -> bool:
    """Whether every operation of the document is a query. One that does not parse (or
    has over `max_tokens` tokens) is refused before it runs, reading nothing: True."""
    try:
        document = parse(query, no_location=True, max_tokens=max_tokens)
    except GraphQLError:
        return True
    return all(
        definition.operation is OperationType.QUERY
        for definition in document.definitions
        if isinstance(definition, OperationDefinitionNode)
    )
