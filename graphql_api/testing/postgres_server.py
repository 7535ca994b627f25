"""A throwaway PostgreSQL server for tests and benchmarks: this project's and plugins'.

A freshly initialised cluster (UTF-8, C locale) in a new temporary directory, on a free
port, stopped and deleted on exit, driven by pg_ctl directly so that it needs nothing but
the server binaries.

PostgreSQL refuses to run as root, and CI runs as root; there pg_ctl is run as the
``postgres`` user through a two-line ``runuser`` wrapper. ``scripts/ensure-postgres``
installs the binaries and that user.

A run killed before it could stop its server (SIGKILL, SIGTERM) leaves it running; the next
run by the same user stops it and deletes its directory.

Set ``DSO_ALERTS_TEST_POSTGRES_URL`` to use an existing server (an empty database) instead.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

URL_VARIABLE = "DSO_ALERTS_TEST_POSTGRES_URL"
DBNAME = "dso_alerts_test"
PREFIX = "dso-alerts-pg-"  # then the owning process's pid, "-" and a random part
FAST_SETTINGS = "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
START_SECONDS = 60


class PostgresUnavailable(RuntimeError):
    """No server can be started here: no binaries, or no user to run them as."""


def find_pg_ctl() -> str:
    """Path of pg_ctl: on PATH, in ``pg_config --bindir``, or Debian's newest."""
    found = shutil.which("pg_ctl")
    if found:
        return found
    if shutil.which("pg_config"):
        bindir = subprocess.run(
            ["pg_config", "--bindir"], capture_output=True, text=True, check=False
        ).stdout.strip()
        if bindir and os.access(f"{bindir}/pg_ctl", os.X_OK):
            return f"{bindir}/pg_ctl"
    debian = glob.glob("/usr/lib/postgresql/*/bin/pg_ctl")
    if debian:
        return max(debian, key=lambda path: int(Path(path).parts[4]))
    raise PostgresUnavailable(
        "no PostgreSQL server binaries (pg_ctl) found: install them (e.g. apt-get install "
        f"postgresql) or set {URL_VARIABLE} to an empty database"
    )


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass
    return True


def _stop_leftovers(pg_ctl: str) -> None:
    """Stop and delete the servers of our earlier runs that were killed (SIGKILL/SIGTERM)."""
    for tmp in Path(tempfile.gettempdir()).glob(f"{PREFIX}*"):
        owner = tmp.name.removeprefix(PREFIX).partition("-")[0]
        if tmp.stat().st_uid != os.geteuid() or not owner.isdigit() or _alive(int(owner)):
            continue
        ctl = str(tmp / "pg_ctl") if (tmp / "pg_ctl").exists() else pg_ctl
        for datadir in (tmp / "data", tmp / "pg" / "data"):
            if (datadir / "postmaster.pid").exists():
                stop = [ctl, "stop", "-D", str(datadir), "-m", "immediate"]
                subprocess.run(stop, capture_output=True, check=False)
        shutil.rmtree(tmp, ignore_errors=True)


def _as_postgres_user(tmp: Path, pg_ctl: str) -> tuple[Path, str]:
    """As root: the server's own directory and a pg_ctl that runs as ``postgres``."""
    try:
        pwd.getpwnam("postgres")
    except KeyError:
        raise PostgresUnavailable(
            "running as root and there is no 'postgres' user to run the server as "
            "(scripts/ensure-postgres creates it)"
        ) from None
    # The wrapper stays root's; only the postgres-owned subdirectory is the server's, so
    # the server cannot rewrite what root runs.
    tmp.chmod(0o755)
    workdir = tmp / "pg"
    workdir.mkdir()
    shutil.chown(workdir, "postgres", "postgres")
    wrapper = tmp / "pg_ctl"
    wrapper.write_text(f'#!/bin/sh\ncd / && exec runuser -u postgres -- "{pg_ctl}" "$@"\n')
    wrapper.chmod(0o755)
    return workdir, str(wrapper)


def _run(command: list[str], what: str, log: Path | None = None) -> None:
    done = subprocess.run(command, capture_output=True, text=True, timeout=START_SECONDS)
    if done.returncode != 0:
        logged = log.read_text(errors="replace")[-2000:] if log and log.exists() else ""
        raise RuntimeError(f"{what} failed: {done.stdout}{done.stderr}{logged}")


def _connect_when_ready(port: int, seconds: float = 30) -> Any:
    """A connection once the server accepts them ("pg_ctl -w" can return while it starts up)."""
    import psycopg

    deadline = time.monotonic() + seconds
    while True:
        try:
            return psycopg.connect(
                host="127.0.0.1", port=port, user="postgres", dbname="postgres", autocommit=True
            )
        except psycopg.OperationalError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


@contextmanager
def throwaway_postgres() -> Iterator[str]:
    """Yield a SQLAlchemy URL to a new, empty database on a server of its own.

    Raises `PostgresUnavailable` when no server can be started here."""
    url = os.environ.get(URL_VARIABLE)
    if url:
        yield url
        return

    pg_ctl = find_pg_ctl()
    _stop_leftovers(pg_ctl)
    tmp = Path(tempfile.mkdtemp(prefix=f"{PREFIX}{os.getpid()}-"))
    try:
        workdir = tmp  # data dir, socket and log: must belong to the server's user
        if os.geteuid() == 0:
            workdir, pg_ctl = _as_postgres_user(tmp, pg_ctl)
        datadir, log, port = workdir / "data", workdir / "postgres.log", _free_port()
        initdb = "--username=postgres --auth=trust --encoding=UTF8 --no-locale"
        _run([pg_ctl, "initdb", "-s", "-D", str(datadir), "-o", initdb], "initdb")
        options = (
            f"-F -p {port} -c listen_addresses=127.0.0.1 "
            f"-c unix_socket_directories='{workdir}' {FAST_SETTINGS}"
        )
        start = [pg_ctl, "start", "-w", "-t", str(START_SECONDS), "-D", str(datadir)]
        _run([*start, "-l", str(log), "-o", options], "starting PostgreSQL", log)
        try:
            with _connect_when_ready(port) as conn:
                conn.execute(f"CREATE DATABASE {DBNAME}")
            yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/{DBNAME}"
        finally:
            stop = [pg_ctl, "stop", "-D", str(datadir), "-m", "fast", "-w"]
            subprocess.run(stop, capture_output=True, check=False, timeout=START_SECONDS)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
