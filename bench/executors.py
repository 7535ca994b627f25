"""What fast_execution.py is worth: bell pages through both executors, in-process.

    .venv/bin/python -m bench.executors [--size small] [--db sqlite,postgresql]

The bench ledger and its 100 alerts (bench/ledger.py, bench/alert_set.py) are loaded into a
fresh database; then one application per executor (DSO_ALERTS_EXECUTOR) answers the same
bell pages (50 customers each) through starlette's TestClient, the two taking turns so that
both see the same machine. Both answers must be identical; the table gives each executor's
median per page: the whole request (wall time, and this process's CPU time, steadier on a
busy machine) and GraphQL execution alone (`Schema.execute_sync`, its thread's CPU time).
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import strawberry
from sqlalchemy import Engine

from bench.alert_set import create_bench_alerts
from bench.config import SEED, SIZES, TODAY
from bench.http_client import BELL_PAGE
from bench.ledger import ensure_ledger
from graphql_api.app import create_app
from graphql_api.database import create_db_engine, migrate
from graphql_api.ledger_import import import_ledger
from graphql_api.plugins import CriteriaRegistry, load_registry

with warnings.catch_warnings():
    warnings.filterwarnings("ignore", "Using `httpx` with `starlette.testclient`")
    from starlette.testclient import TestClient

EXECUTORS = ("fast", "graphql-core")


@contextmanager
def timed_execution(seconds: list[float]) -> Iterator[None]:
    """Record the CPU time of each `Schema.execute_sync` (GraphQL execution, resolvers and
    SQLite included; HTTP, JSON, the token check and PostgreSQL's own work not)."""
    original = strawberry.Schema.execute_sync

    def timed(self: strawberry.Schema, *args: Any, **kwargs: Any) -> Any:
        started = time.thread_time()
        try:
            return original(self, *args, **kwargs)
        finally:
            seconds.append(time.thread_time() - started)

    strawberry.Schema.execute_sync = timed  # type: ignore[method-assign]
    try:
        yield
    finally:
        strawberry.Schema.execute_sync = original  # type: ignore[method-assign]


def loaded(url: str, size: str) -> tuple[Engine, CriteriaRegistry, str]:
    paths, _ = ensure_ledger(size, SIZES[size], SEED)
    engine = create_db_engine(url)
    migrate(engine)
    import_ledger(
        engine, today=TODAY, customers_file=paths["customers"], items_file=paths["items"],
        reminders_file=paths["reminders"],
    )  # fmt: skip
    registry = load_registry()
    token, _ = create_bench_alerts(engine, registry)
    return engine, registry, token


def measure(url: str, size: str, pages: int, rounds: int) -> dict[str, dict[str, float]]:
    os.environ["DSO_ALERTS_TODAY"] = TODAY.isoformat()
    engine, registry, token = loaded(url, size)
    headers = {"Authorization": f"Bearer {token}"}
    clients = {}
    for executor in EXECUTORS:
        os.environ["DSO_ALERTS_EXECUTOR"] = executor
        clients[executor] = TestClient(create_app(engine, registry))
    del os.environ["DSO_ALERTS_EXECUTOR"]

    def page(executor: str, after: str | None) -> dict[str, Any]:
        body = {"query": BELL_PAGE, "variables": {"after": after}}
        answer: dict[str, Any] = (
            clients[executor].post("/graphql", json=body, headers=headers).json()
        )
        return answer

    cursors: list[str | None] = [None]
    entries = 0
    for _ in range(pages):
        answers = [page(executor, cursors[-1]) for executor in EXECUTORS]
        assert answers[0] == answers[1] and "errors" not in answers[0], answers[0].get("errors")
        connection = answers[0]["data"]["customers"]
        entries += sum(len(e["node"]["bell"]["alerts"]) for e in connection["edges"])
        cursors.append(connection["pageInfo"]["endCursor"])
    request: dict[str, list[float]] = {executor: [] for executor in EXECUTORS}
    cpu: dict[str, list[float]] = {executor: [] for executor in EXECUTORS}
    execution: dict[str, list[float]] = {executor: [] for executor in EXECUTORS}
    for _ in range(rounds):
        for executor in EXECUTORS:
            for after in cursors[:pages]:
                seconds: list[float] = []
                with timed_execution(seconds):
                    started, started_cpu = time.perf_counter(), time.process_time()
                    page(executor, after)
                    request[executor].append(time.perf_counter() - started)
                    cpu[executor].append(time.process_time() - started_cpu)
                execution[executor].extend(seconds)
    for client in clients.values():
        client.close()
    engine.dispose()
    print(f"  {pages} pages of 50 customers, {entries / pages:.0f} bell entries a page on average")
    return {
        executor: {
            "request_ms": 1000 * statistics.median(request[executor]),
            "request_cpu_ms": 1000 * statistics.median(cpu[executor]),
            "execution_ms": 1000 * statistics.median(execution[executor]),
        }
        for executor in EXECUTORS
    }


def report(db: str, figures: dict[str, dict[str, float]]) -> None:
    fast, core = figures["fast"], figures["graphql-core"]
    for key, label in (("request_ms", "whole request"), ("request_cpu_ms", "request CPU"),
                       ("execution_ms", "execution CPU")):  # fmt: skip
        saved = core[key] - fast[key]
        print(f"  {db:10} {label:14} fast {fast[key]:6.2f} ms   graphql-core {core[key]:6.2f} ms"
              f"   saved {saved:5.2f} ms ({saved / core[key]:.0%})")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="small", choices=sorted(SIZES))
    parser.add_argument("--db", default="sqlite", help="comma-separated: sqlite,postgresql")
    parser.add_argument("--pages", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=10)
    args = parser.parse_args()
    for db in args.db.split(","):
        print(f"{db}, size {args.size}:")
        if db == "sqlite":
            with tempfile.TemporaryDirectory() as folder:
                url = f"sqlite:///{Path(folder) / 'executors.db'}"
                report(db, measure(url, args.size, args.pages, args.rounds))
        else:
            from bench.run import postgres

            with postgres() as url:
                report(db, measure(url, args.size, args.pages, args.rounds))


if __name__ == "__main__":
    main()
