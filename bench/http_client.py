"""`dso-alerts serve` on a free loopback port (one uvicorn worker), and timed GraphQL requests.

The requests go through the standard library's `http.client` on a keep-alive connection:
httpx spent about 1.2 ms of its own on each request here (a trivial request measured 2.9 ms
with it, 1.6 ms without), as much as the hand-written floors take; the time measured is
the server's and the loopback's, as a browser's fetch would see it (gzip accepted).
"""

from __future__ import annotations

import gzip
import http.client
import json
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from bench.config import PAGE
from bench.importing import bench_env, cli

COUNTS = "{ alerts { id matchCount } }"
BELL_PAGE = """query BellPage($after: String) {
  customers(first: PAGE, after: $after) {
    edges { cursor node { accountNumber name outstandingAmount overdueAmount
      bell { count level color alerts { id name level color } } } }
    pageInfo { hasNextPage endCursor }
  }
}""".replace("PAGE", str(PAGE))
# The worklist (SPEC §9): customers with an entry in the COLLECTION tab of the bell, most
# critical and most numerous first.
WORKLIST_PAGE = """query Worklist($after: String) {
  customers(first: PAGE, after: $after, bell: {tab: COLLECTION},
            orderBy: [{field: BELL, direction: DESC}]) {
    edges { cursor node { accountNumber name outstandingAmount overdueAmount
      bell(tab: COLLECTION) { count level color alerts { id name level color } } } }
    pageInfo { hasNextPage endCursor }
  }
}""".replace("PAGE", str(PAGE))
ALERT_PAGE = """query AlertPage($id: ID!) {
  customers(alertId: $id, first: PAGE) {
    edges { cursor node { accountNumber name outstandingAmount overdueAmount } }
    pageInfo { hasNextPage endCursor }
  }
}""".replace("PAGE", str(PAGE))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def served(url: str, log: Path) -> Iterator[str]:
    """Run `dso-alerts serve` until the block ends; yield its /graphql address."""
    port = free_port()
    with log.open("w") as out:
        process = subprocess.Popen(
            [cli(), "serve", "--host", "127.0.0.1", "--port", str(port)],
            env=bench_env(url), stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
        try:
            deadline = time.monotonic() + 120
            while True:
                if process.poll() is not None:
                    raise RuntimeError(f"dso-alerts serve exited ({process.returncode}); see {log}")
                try:
                    with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                        break
                except OSError:
                    if time.monotonic() > deadline:
                        raise RuntimeError(f"dso-alerts serve did not listen; see {log}") from None
                    time.sleep(0.1)
            yield f"http://127.0.0.1:{port}/graphql"
        finally:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


class GraphQL:
    def __init__(self, endpoint: str, token: str) -> None:
        address = urlsplit(endpoint)
        self.path = address.path
        self.connection = http.client.HTTPConnection(
            address.hostname or "127.0.0.1", address.port, timeout=600
        )
        self.headers = {
            "Authorization": f"Bearer {token}",
            "Content-Type": "application/json",
            "Accept-Encoding": "gzip",
        }

    def close(self) -> None:
        self.connection.close()

    def __call__(
        self, query: str, variables: dict[str, Any] | None = None
    ) -> tuple[float, dict[str, Any]]:
        """(seconds, data) for one request (until its body is read); raises on GraphQL errors."""
        payload = json.dumps({"query": query, "variables": variables or {}}).encode()
        for attempt in range(2):
            try:
                started = time.perf_counter()
                self.connection.request("POST", self.path, payload, self.headers)
                response = self.connection.getresponse()
                raw = response.read()
                elapsed = time.perf_counter() - started
                break
            except ConnectionError:
                # The server closed the idle keep-alive connection (uvicorn's timeout is 5 s)
                # before reading the request: sent again on a new one (the bench's requests
                # are all queries).
                self.connection.close()
                if attempt:
                    raise
        if response.getheader("Content-Encoding") == "gzip":
            raw = gzip.decompress(raw)
        if response.status != 200:
            raise RuntimeError(f"HTTP {response.status}: {raw[:500].decode(errors='replace')}")
        body = json.loads(raw)
        if body.get("errors"):
            raise RuntimeError(f"GraphQL errors: {body['errors'][:3]}")
        return elapsed, body["data"]


def concurrent_pages(endpoint: str, token: str, afters: list[str | None], clients: int,
                     max_requests: int, max_seconds: float) -> dict[str, Any]:  # fmt: skip
    """`clients` threads, each with its own keep-alive connection, cycling over the pages."""
    lock = threading.Lock()
    done: list[float] = []
    stop_at = time.monotonic() + max_seconds
    errors: list[str] = []

    def worker(offset: int) -> None:
        client = GraphQL(endpoint, token)
        n = offset
        try:
            while time.monotonic() < stop_at:
                if len(done) >= max_requests:
                    return
                try:
                    elapsed, _ = client(BELL_PAGE, {"after": afters[n % len(afters)]})
                except Exception as error:  # reported, not fatal to the run
                    errors.append(str(error)[:200])
                    return
                with lock:
                    done.append(elapsed)
                n += 1
        finally:
            client.close()

    started = time.perf_counter()
    threads = [threading.Thread(target=worker, args=(i * 3,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    return {"clients": clients, "requests": len(done), "wall_s": wall,
            "requests_per_s": len(done) / wall if wall else 0.0, "latencies": done,
            "errors": errors}  # fmt: skip
