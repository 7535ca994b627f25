"""Which requests the server answers on its event loop (request_threads.py): on SQLite a
query does not leave the loop, and a mutation that waits for the writers' lock waits in a
worker thread, while the loop goes on answering reads."""

from __future__ import annotations

import sqlite3
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest

from graphql_api.request_threads import only_queries, runs_on_loop
from tests.live_server import LiveServer, live_server

TOKENS = 2000


@pytest.mark.parametrize(
    ("document", "expected"),
    [
        ("{ me { name } }", True),
        ("query Bells { me { name } }", True),
        ("query A { me { name } } query B { alerts { totalCount } }", True),
        ("fragment F on User { name } query { me { ...F } }", True),
        ("mutation { markAllAlertsSeen }", False),
        ("query A { me { name } } mutation B { markAllAlertsSeen }", False),
        ("subscription { me { name } }", False),
        ("{ me { name }", True),  # does not parse: refused before it reads anything
        ("{ " + "me { name } " * TOKENS + "}", True),  # over the token limit: refused too
    ],
)
def test_only_a_document_of_queries_is_answered_on_the_loop(document: str, expected: bool) -> None:
    assert only_queries(document, TOKENS) is expected
    assert runs_on_loop("sqlite", "POST", {"query": document}, TOKENS) is expected


def test_what_runs_on_the_loop_besides_query_documents() -> None:
    mutation = {"query": "mutation { markAllAlertsSeen }"}
    # a GET runs queries only; a body that is not a JSON object is refused before it runs
    assert runs_on_loop("sqlite", "GET", None, TOKENS)
    assert runs_on_loop("sqlite", "POST", [mutation], TOKENS)
    # sent by its hash alone, a document is known only after sign-in
    assert not runs_on_loop("sqlite", "POST", {"extensions": {"persistedQuery": {}}}, TOKENS)
    # on PostgreSQL every statement crosses the network: never on the loop
    assert not runs_on_loop("postgresql", "GET", None, TOKENS)
    assert not runs_on_loop("postgresql", "POST", {"query": "{ me { name } }"}, TOKENS)


def post(server: LiveServer, query: str, timeout: float) -> dict[str, Any]:
    token = server.tokens["alice"]
    response = httpx.post(
        server.url, json={"query": query}, timeout=timeout,
        headers={"Authorization": f"Bearer {token}"},
    )  # fmt: skip
    assert response.status_code == 200, response.text
    answer: dict[str, Any] = response.json()
    return answer


def test_reads_are_answered_while_a_mutation_waits_for_the_writers_lock(tmp_path: Path) -> None:
    with live_server(tmp_path, today="2026-11-23") as server:
        # another process (an import, say) holds the writers' lock
        holder = sqlite3.connect(tmp_path / "demo.db", isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")
        with ThreadPoolExecutor(1) as pool:
            try:
                waiting = pool.submit(post, server, "mutation { markAllAlertsSeen }", 90)
                time.sleep(1)  # the mutation reaches the server and waits for the lock
                # were the mutation waiting on the event loop, this would wait with it
                # (up to the driver's 60 s timeout): it is answered meanwhile
                read = post(server, "{ me { name } }", 30)
                assert read == {"data": {"me": {"name": "alice"}}}
                assert not waiting.done(), "the mutation did not wait for the lock"
            finally:
                holder.execute("ROLLBACK")
                holder.close()
            marked = waiting.result(timeout=90)
    assert "errors" not in marked, marked
    assert marked["data"]["markAllAlertsSeen"] > 0
