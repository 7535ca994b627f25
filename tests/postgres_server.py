"""A throwaway PostgreSQL server for the test suite and benchmarks.

The tests start their own server so that they need nothing running beforehand:
a freshly initialised cluster in a new temporary directory, on a free port,
stopped and deleted on exit. pytest-postgresql's executor does the pg_ctl work.

PostgreSQL refuses to run as root, and CI runs as root; there pg_ctl is run as
the ``postgres`` user through a two-line ``runuser`` wrapper handed to the
executor as its pg_ctl. ``scripts/ensure-postgres`` installs the binaries and
that user.

A run killed before it could stop its server (SIGKILL, SIGTERM) leaves it
running; the next run by the same user stops it and deletes its directory.

Set ``DSO_ALERTS_TEST_POSTGRES_URL`` to use an existing server instead.
"""

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

import psycopg
from pytest_postgresql.executors import PostgreSQLExecutor

DBNAME = "dso_alerts_test"
PREFIX = "dso-alerts-pg-"  # then the owning process's pid, "-" and a random part
FAST_SETTINGS = "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"


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
    raise RuntimeError("no PostgreSQL server binaries found: run scripts/ensure-postgres")


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


def _connect_when_ready(port: int, seconds: float = 30) -> psycopg.Connection:
    """A connection once the server accepts them ("pg_ctl -w" can return while it starts up)."""
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
    """Yield a SQLAlchemy URL to a new, empty database on a server of its own."""
    url = os.environ.get("DSO_ALERTS_TEST_POSTGRES_URL")
    if url:
        yield url
        return

    pg_ctl = find_pg_ctl()
    _stop_leftovers(pg_ctl)
    tmp = Path(tempfile.mkdtemp(prefix=f"{PREFIX}{os.getpid()}-"))
    workdir = tmp  # data dir, socket and log: must belong to the server's user
    try:
        if os.geteuid() == 0:
            try:
                pwd.getpwnam("postgres")
            except KeyError:
                raise RuntimeError("no 'postgres' user: run scripts/ensure-postgres") from None
            # The wrapper stays root's; only the postgres-owned subdirectory is
            # the server's, so the server cannot rewrite what root runs.
            tmp.chmod(0o755)
            workdir = tmp / "pg"
            workdir.mkdir()
            shutil.chown(workdir, "postgres", "postgres")
            wrapper = tmp / "pg_ctl"
            wrapper.write_text(f'#!/bin/sh\ncd / && exec runuser -u postgres -- "{pg_ctl}" "$@"\n')
            wrapper.chmod(0o755)
            pg_ctl = str(wrapper)

        port = _free_port()
        executor = PostgreSQLExecutor(
            executable=pg_ctl,
            host="127.0.0.1",
            port=port,
            datadir=str(workdir / "data"),
            unixsocketdir=str(workdir),
            logfile=str(workdir / "postgres.log"),
            startparams="-w",
            dbname=DBNAME,
            user="postgres",
            postgres_options=f"-c listen_addresses=127.0.0.1 {FAST_SETTINGS}",
        )
        try:
            executor.start()
            with _connect_when_ready(port) as conn:
                conn.execute(f"CREATE DATABASE {DBNAME}")
            yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/{DBNAME}"
        finally:
            if executor.running():
                executor.stop()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
