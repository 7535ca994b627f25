"""A real `dso-alerts serve` on a loopback port, over a database loaded by `dso-alerts demo`.

Used by the fuzz test (tests/test_fuzz_graphql.py) and the load script (bench/load.py):
both talk to the server exactly as a front end would, over HTTP, through the command a
user runs. Everything is bounded: the server gets a fixed time to answer, and is
stopped (SIGTERM, then SIGKILL) when the `with` block ends, or when the process that
started it dies.
"""

from __future__ import annotations

import ctypes
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

HOST = "127.0.0.1"
PR_SET_PDEATHSIG = 1
TOKEN_LINE = re.compile(r"^user (\w+): Authorization: Bearer (\S+)$", re.MULTILINE)


@dataclass
class LiveServer:
    url: str  # http://127.0.0.1:PORT/graphql
    tokens: dict[str, str]  # demo user name -> bearer token
    log: Path  # the server's stdout and stderr
    database: str  # "sqlite" or "postgresql"

    def log_text(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")


def command() -> list[str]:
    """`dso-alerts` of this interpreter's environment (the venv's console script)."""
    script = Path(sys.executable).parent / "dso-alerts"
    if script.exists():
        return [str(script)]
    found = shutil.which("dso-alerts")
    if found:
        return [found]
    return [sys.executable, "-c", "from graphql_api.cli import main; main()"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def load_demo(env: dict[str, str], folder: Path) -> dict[str, str]:
    """Run `dso-alerts demo` and return the demo users' tokens from its output."""
    done = subprocess.run(
        [*command(), "demo"], env=env, cwd=folder, capture_output=True, text=True, timeout=300,
        check=False,
    )  # fmt: skip
    if done.returncode != 0:
        raise RuntimeError(f"dso-alerts demo failed ({done.returncode}):\n{done.stderr[-4000:]}")
    tokens = dict(TOKEN_LINE.findall(done.stdout))
    if not tokens:
        raise RuntimeError(f"dso-alerts demo printed no token:\n{done.stdout}")
    return tokens


@contextmanager
def live_server(
    folder: Path,
    *,
    database_url: str | None = None,
    today: str | None = None,
    extra_env: dict[str, str] | None = None,
    start_timeout: float = 60.0,
    workers: int = 1,
) -> Iterator[LiveServer]:
    """`dso-alerts demo`, then `dso-alerts serve` on a free loopback port, until the block ends.

    The database is an SQLite file in `folder` unless `database_url` is given.
    """
    folder.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ)
    env["DSO_ALERTS_DATABASE_URL"] = database_url or f"sqlite:///{folder / 'demo.db'}"
    if today:
        env["DSO_ALERTS_TODAY"] = today
    env.update(extra_env or {})
    tokens = load_demo(env, folder)
    with serving(folder, env, tokens, start_timeout=start_timeout, workers=workers) as server:
        yield server


@contextmanager
def serving(
    folder: Path,
    env: dict[str, str],
    tokens: dict[str, str],
    *,
    start_timeout: float = 60.0,
    workers: int = 1,
    name: str = "serve",
) -> Iterator[LiveServer]:
    """`dso-alerts serve --workers N` with `env` on a free loopback port, until the block
    ends (a second server on the same database is a second `serving`, another `name`)."""
    for _attempt in range(3):  # another process may take the free port before the server does
        process, server = start_server(folder, env, tokens, workers=workers, name=name)
        try:
            if wait_until_up(process, server, start_timeout):
                yield server
                return
        finally:
            stop_server(process)
    raise RuntimeError(f"dso-alerts serve did not start:\n{server.log_text()[-4000:]}")


def start_server(
    folder: Path,
    env: dict[str, str],
    tokens: dict[str, str],
    *,
    workers: int = 1,
    name: str = "serve",
) -> tuple[subprocess.Popen[bytes], LiveServer]:
    """Start `dso-alerts serve` (not waiting for it): see `wait_until_up`, `stop_server`."""
    log = folder / f"{name}.log"
    port = free_port()
    with log.open("w", encoding="utf-8") as out:
        process = subprocess.Popen(
            [*command(), "serve", "--host", HOST, "--port", str(port), "--workers", str(workers)],
            env=env, cwd=folder, stdout=out, stderr=subprocess.STDOUT,
            preexec_fn=_die_with_parent,
        )  # fmt: skip
    database = env["DSO_ALERTS_DATABASE_URL"].split(":", 1)[0].split("+", 1)[0]
    return process, LiveServer(f"http://{HOST}:{port}/graphql", tokens, log, database)


def _die_with_parent() -> None:
    """In the child, before exec: SIGTERM when the process that started it dies (Linux), so
    a test run killed before its teardown leaves no server behind."""
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def wait_until_up(process: subprocess.Popen[bytes], server: LiveServer, timeout: float) -> bool:
    """Whether the server answers within `timeout` (with no token known: answers 401)."""
    token = next(iter(server.tokens.values()), None)
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    up = 200 if token else 401
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            return False
        try:
            response = httpx.post(
                server.url, json={"query": "{ me { name } }"}, headers=headers, timeout=5
            )
            if response.status_code == up:
                return True
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    return False


def stop_server(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=15)
