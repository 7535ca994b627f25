"""Load: concurrent clients against one `dso-alerts serve` on loopback (`make load`).

    python -m bench.load [--seconds 30] [--clients 20] [--postgres] [--json FILE]

Starts `dso-alerts demo` then `dso-alerts serve` on a free 127.0.0.1 port (an SQLite
file in a temporary folder, or with --postgres a throwaway PostgreSQL server of
tests/postgres_server.py), then runs --clients threads for --seconds, each with its own
keep-alive HTTP connection and demo user, in a fixed mix:

    bell page    40%  a page of 50 customers with their bells, walking the pages
    search       20%  text search, or an advanced search (where:) with totalCount
    alert list   20%  the alert list with matchCount (all, or one tab)
    alert edit   20%  createAlert / updateAlert with expectedVersion / deleteAlert on the
                      client's own alert, and updates of one shared PUBLIC alert that all
                      the clients of a user race for with expectedVersion

An error is any non-200 answer, a transport failure or timeout, or a GraphQL error,
except CONFLICT on a raced update (the expected answer to a stale expectedVersion).
Prints requests served, requests/s, errors and latency percentiles per operation.
Zero errors is the bar: the exit status is 1 when there is any.

Bounded: only 127.0.0.1, --seconds of traffic (the clients stop by themselves), at most
--max-requests requests in all, 30 s per request.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import threading
import time
from collections import defaultdict
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from tests.live_server import live_server

BELL_PAGE = """query BellPage($after: String) {
  customers(first: 50, after: $after) {
    pageInfo { hasNextPage endCursor }
    edges { node { id accountNumber name outstandingAmount overdueAmount daysOverdue
      bell { count level color alerts { id name level color } } } }
  }
}"""
SEARCH = """query Search($search: String) {
  customers(search: $search, first: 20) {
    totalCount edges { node { accountNumber name bell { count level } } }
  }
}"""
ADVANCED = """query Advanced($where: CriteriaInput) {
  customers(where: $where, first: 20) {
    totalCount edges { node { accountNumber name overdueAmount bell(tab: COLLECTION) { count } } }
  }
}"""
ALERT_LIST = """query Alerts($tab: AlertTab) {
  alerts(tab: $tab) { id name type level color visibility locked version matchCount canEdit }
}"""
ALERT = "alert { id version } errors { code field message }"
CREATE = f"mutation($input: AlertInput!) {{ createAlert(input: $input) {{ {ALERT} }} }}"
UPDATE = f"""mutation($id: ID!, $input: AlertInput!, $v: Int) {{
  updateAlert(id: $id, input: $input, expectedVersion: $v) {{ {ALERT} }} }}"""
DELETE = "mutation($id: ID!) { deleteAlert(id: $id) { deletedId errors { code message } } }"

SEARCHES = ["a", "Sa", "GmbH", "10", "C0", "zzz-none", "é", "Ltd"]
WHERES = [
    {"overdueAmount": {"min": "10000"}},
    {"country": {"values": ["FR"]}, "lastReminderDate": {"olderThanDays": 10}},
    {"itemOverdue": True, "itemDisputed": False},
    {"uncoveredAmount": {"min": "0.01"}, "blocked": False},
    {"daysOverdue": {"min": 30}},
]
CRITERIA = [
    {"overdueAmount": {"min": "20000"}},
    {"outstandingAmount": {"min": "5000"}, "country": {"values": ["FR", "DE"]}},
    {"itemOverdue": True, "itemOpenAmount": {"min": "1000"}},
    {"daysOverdue": {"min": 60}},
]
EDITORS = ("alice", "bob", "admin")  # users who may change alerts
MIX = [("bell page", 40), ("search", 20), ("alert list", 20), ("alert edit", 20)]


@dataclass
class Stats:
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    samples: list[str] = field(default_factory=list)  # the first few errors, for the report
    conflicts: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, operation: str, seconds: float) -> None:
        with self.lock:
            self.latencies[operation].append(seconds)

    def error(self, operation: str, why: str) -> None:
        with self.lock:
            self.errors[operation] += 1
            if len(self.samples) < 10:
                self.samples.append(f"{operation}: {why[:500]}")

    def total(self) -> int:
        return sum(len(v) for v in self.latencies.values())


class Budget:
    """The run's bounds: a deadline and a request count, shared by the clients."""

    def __init__(self, seconds: float, max_requests: int) -> None:
        self.deadline = time.monotonic() + seconds
        self.left = max_requests
        self.lock = threading.Lock()

    def take(self) -> bool:
        if time.monotonic() >= self.deadline:
            return False
        with self.lock:
            if self.left <= 0:
                return False
            self.left -= 1
            return True


class Client:
    def __init__(
        self, n: int, url: str, user: str, token: str, shared: dict[str, str], stats: Stats,
        budget: Budget,
    ) -> None:  # fmt: skip
        self.n, self.url, self.user, self.stats, self.budget = n, url, user, stats, budget
        self.shared = shared  # user -> id of the PUBLIC alert its clients race for
        self.random = random.Random(n)
        self.http = httpx.Client(headers={"Authorization": f"Bearer {token}"}, timeout=30)
        self.after: str | None = None
        self.mine: tuple[str, int] | None = None  # (id, version) of this client's own alert

    def run(self) -> None:
        operations = [name for name, _ in MIX]
        weights = [weight for _, weight in MIX]
        try:
            while self.budget.take():
                operation = self.random.choices(operations, weights)[0]
                if operation == "alert edit" and self.user not in EDITORS:
                    operation = "alert list"
                getattr(self, operation.replace(" ", "_"))()
        finally:
            self.http.close()

    # -- one request ---------------------------------------------------------

    def ask(self, operation: str, query: str, variables: dict[str, Any]) -> dict[str, Any] | None:
        """The `data` of the answer, or None after counting an error."""
        started = time.perf_counter()
        try:
            response = self.http.post(self.url, json={"query": query, "variables": variables})
        except httpx.HTTPError as failure:
            self.stats.record(operation, time.perf_counter() - started)
            self.stats.error(operation, f"{type(failure).__name__}: {failure}")
            return None
        self.stats.record(operation, time.perf_counter() - started)
        if response.status_code != 200:
            self.stats.error(operation, f"HTTP {response.status_code}: {response.text}")
            return None
        body = response.json()
        if body.get("errors") or not isinstance(body.get("data"), dict):
            self.stats.error(operation, json.dumps(body))
            return None
        return body["data"]

    def payload_ok(self, operation: str, payload: dict[str, Any], conflict_ok: bool) -> bool:
        codes = [error["code"] for error in payload["errors"]]
        if not codes:
            return True
        if conflict_ok and codes == ["CONFLICT"]:
            with self.stats.lock:
                self.stats.conflicts += 1
            return False
        self.stats.error(operation, json.dumps(payload))
        return False

    # -- the operations -----------------------------------------------------------

    def bell_page(self) -> None:
        data = self.ask("bell page", BELL_PAGE, {"after": self.after})
        if data is not None:
            info = data["customers"]["pageInfo"]
            self.after = info["endCursor"] if info["hasNextPage"] else None

    def search(self) -> None:
        if self.random.random() < 0.5:
            self.ask("search", SEARCH, {"search": self.random.choice(SEARCHES)})
        else:
            self.ask("search", ADVANCED, {"where": self.random.choice(WHERES)})

    def alert_list(self) -> None:
        self.ask(
            "alert list", ALERT_LIST, {"tab": self.random.choice([None, "COLLECTION", "RISK"])}
        )

    def alert_input(self, visibility: str) -> dict[str, Any]:
        return {
            "name": f"load {self.user} {self.n} {self.random.randrange(1000)}",
            "type": self.random.choice(["COLLECTION", "RISK", "NONE"]),
            "level": self.random.choice(["LOW", "MEDIUM", "HIGH", "CRITICAL"]),
            "visibility": visibility,
            "criteria": self.random.choice(CRITERIA),
        }

    def alert_edit(self) -> None:
        roll = self.random.random()
        if roll < 0.3:
            self.race_shared()
        elif self.mine is None:
            data = self.ask("createAlert", CREATE, {"input": self.alert_input("PRIVATE")})
            if data and self.payload_ok("createAlert", data["createAlert"], conflict_ok=False):
                alert = data["createAlert"]["alert"]
                self.mine = (alert["id"], alert["version"])
        elif roll < 0.85:
            alert_id, version = self.mine
            variables = {"id": alert_id, "input": self.alert_input("PRIVATE"), "v": version}
            data = self.ask("updateAlert", UPDATE, variables)
            if data and self.payload_ok("updateAlert", data["updateAlert"], conflict_ok=False):
                self.mine = (alert_id, data["updateAlert"]["alert"]["version"])
        else:
            data = self.ask("deleteAlert", DELETE, {"id": self.mine[0]})
            if data and self.payload_ok("deleteAlert", data["deleteAlert"], conflict_ok=False):
                self.mine = None

    def race_shared(self) -> None:
        """Read the shared alert's version, then update it from that version: the clients of
        the same user race, and the losers get CONFLICT (expected)."""
        alert_id = self.shared[self.user]
        data = self.ask("alert list", f'{{ alert(id: "{alert_id}") {{ version }} }}', {})
        if data is None or data["alert"] is None:
            if data is not None:
                self.stats.error("alert list", f"the shared alert {alert_id} is gone")
            return
        variables = {
            "id": alert_id, "input": self.alert_input("PUBLIC"), "v": data["alert"]["version"]
        }  # fmt: skip
        done = self.ask("updateAlert (raced)", UPDATE, variables)
        if done is not None:
            self.payload_ok("updateAlert (raced)", done["updateAlert"], conflict_ok=True)


# -- the run ------------------------------------------------------------------------


def percentile(ordered: list[float], p: float) -> float:
    if not ordered:
        return 0.0
    rank = max(0, min(len(ordered) - 1, round(p / 100 * len(ordered) + 0.5) - 1))
    return ordered[rank]


def shared_alerts(url: str, tokens: dict[str, str]) -> dict[str, str]:
    """One PUBLIC alert per editing user, for its clients to race on."""
    shared = {}
    for user in EDITORS:
        body = httpx.post(
            url, timeout=30, headers={"Authorization": f"Bearer {tokens[user]}"},
            json={"query": CREATE, "variables": {"input": {
                "name": f"load shared {user}", "visibility": "PUBLIC", "criteria": CRITERIA[0],
            }}},
        ).json()  # fmt: skip
        payload = body["data"]["createAlert"]
        if payload["errors"]:
            raise RuntimeError(f"cannot create the shared alert: {payload}")
        shared[user] = payload["alert"]["id"]
    return shared


def run_load(url: str, tokens: dict[str, str], clients: int, seconds: float, max_requests: int):
    stats = Stats()
    shared = shared_alerts(url, tokens)
    users = [*EDITORS, "viewer"]
    budget = Budget(seconds, max_requests)
    workers = [
        Client(n, url, users[n % len(users)], tokens[users[n % len(users)]], shared, stats, budget)
        for n in range(clients)
    ]
    threads = [threading.Thread(target=w.run, name=f"client-{w.n}", daemon=True) for w in workers]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=seconds + 60)  # a request times out after 30 s
    elapsed = time.perf_counter() - started
    stuck = [t.name for t in threads if t.is_alive()]
    if stuck:
        stats.error("run", f"clients still running after the deadline: {stuck}")
    return stats, elapsed


def report(stats: Stats, elapsed: float, database: str, clients: int) -> dict[str, Any]:
    total = stats.total()
    errors = sum(stats.errors.values())
    result: dict[str, Any] = {
        "database": database, "clients": clients, "seconds": round(elapsed, 1),
        "requests": total, "requests_per_second": round(total / elapsed, 1) if elapsed else 0,
        "errors": errors, "expected_conflicts": stats.conflicts, "operations": {},
    }  # fmt: skip
    print(f"\nload on {database}: {clients} clients, {elapsed:.1f} s")
    print(f"requests served: {total}   requests/s: {result['requests_per_second']}")
    print(f"errors: {errors}   expected CONFLICTs (raced updates): {stats.conflicts}")
    print(f"\n{'operation':<22}{'count':>8}{'errors':>8}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}")
    for operation in sorted(stats.latencies):
        ordered = sorted(stats.latencies[operation])
        p50, p95, p99 = (percentile(ordered, p) * 1000 for p in (50, 95, 99))
        count, failed = len(ordered), stats.errors.get(operation, 0)
        print(f"{operation:<22}{count:>8}{failed:>8}{p50:>9.1f}{p95:>9.1f}{p99:>9.1f}")
        result["operations"][operation] = {
            "count": count, "errors": failed, "p50_ms": round(p50, 1), "p95_ms": round(p95, 1),
            "p99_ms": round(p99, 1), "mean_ms": round(statistics.fmean(ordered) * 1000, 1),
        }  # fmt: skip
    for sample in stats.samples:
        print(f"  error: {sample}")
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.load", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--seconds", type=float, default=30.0, help="traffic time (default 30)")
    parser.add_argument("--clients", type=int, default=20, help="concurrent clients (default 20)")
    parser.add_argument("--max-requests", type=int, default=200_000, help="at most this many")
    parser.add_argument("--postgres", action="store_true", help="a throwaway PostgreSQL server")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args(argv)
    if not (0 < args.seconds <= 600 and 0 < args.clients <= 200 and args.max_requests > 0):
        parser.error("keep it bounded: 0 < --seconds <= 600, 0 < --clients <= 200")
    with ExitStack() as stack:
        folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="dso-load-")))
        url = None
        if args.postgres:
            from tests.postgres_server import throwaway_postgres

            url = stack.enter_context(throwaway_postgres())
        server = stack.enter_context(live_server(folder, database_url=url))
        print(f"server: {server.url} ({'PostgreSQL' if url else 'SQLite'}, demo ledger)")
        stats, elapsed = run_load(
            server.url, server.tokens, args.clients, args.seconds, args.max_requests
        )
        result = report(stats, elapsed, "postgresql" if url else "sqlite", args.clients)
        log = server.log_text()
    if "Traceback" in log:
        print("the server logged a stack trace:\n" + log[-4000:])
        result["errors"] += 1
    if args.json:
        args.json.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print("PASS: zero errors" if result["errors"] == 0 else f"FAIL: {result['errors']} error(s)")
    return 0 if result["errors"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
