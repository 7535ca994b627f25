"""While the database cannot be reached, requests get HTTP 503 with Retry-After and the usual
error shape (code SERVICE_UNAVAILABLE), and the server recovers by itself once it is back
(SPEC §8). PostgreSQL is cut off and brought back through a TCP relay between the server
and the suite's throwaway PostgreSQL (every connection dropped, then accepted again); SQLite
is a database file whose directory is missing, then created."""

from __future__ import annotations

import contextlib
import logging
import socket
import threading
import warnings
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError

from graphql_api import customer_queries
from graphql_api.app import create_app
from graphql_api.database import create_db_engine, migrate, write_transaction
from graphql_api.plugins import CriteriaRegistry
from graphql_api.users import Role, add_user
from tests.test_error_hygiene import LEAKS

with warnings.catch_warnings():
    warnings.filterwarnings("ignore", "Using `httpx` with `starlette.testclient`")
    from starlette.testclient import TestClient

pytest_plugins = ("tests.api_client",)

UNAVAILABLE = {"errors": [{
    "message": "the database cannot be reached; try again in a few seconds",
    "extensions": {"code": "SERVICE_UNAVAILABLE"},
}]}  # fmt: skip
PAGE = "{ me { name } customers(first: 3) { totalCount } }"


class Relay:
    """A TCP relay to `target` on a loopback port; `cut()` drops every connection and refuses
    new ones (accepts and closes them) until `restore()`."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.open: list[socket.socket] = []
        self.is_cut = False
        self.lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            with self.lock:
                if self.is_cut:
                    client.close()
                    continue
                upstream = socket.create_connection(self.target)
                self.open += [client, upstream]
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(source, sink), daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket) -> None:
        with contextlib.suppress(OSError):
            while data := source.recv(1 << 16):
                sink.sendall(data)
        for end in (source, sink):
            with contextlib.suppress(OSError):
                end.shutdown(socket.SHUT_RDWR)

    def cut(self) -> None:
        with self.lock:
            self.is_cut = True
            for connection in self.open:
                with contextlib.suppress(OSError):
                    connection.shutdown(socket.SHUT_RDWR)
                connection.close()
            self.open.clear()

    def restore(self) -> None:
        with self.lock:
            self.is_cut = False

    def close(self) -> None:
        self.cut()
        self.listener.close()


def ask(client: TestClient, token: str, query: str = PAGE) -> httpx.Response:
    return client.post("/graphql", json={"query": query},
                       headers={"Authorization": f"Bearer {token}"})  # fmt: skip


def assert_unavailable(response: httpx.Response) -> None:
    assert response.status_code == 503, (response.status_code, response.text[:300])
    assert response.headers["retry-after"] == "5"
    assert response.json() == UNAVAILABLE
    assert response.headers["x-request-id"]
    assert not LEAKS.search(response.text), response.text


@pytest.mark.database("postgresql")
def test_postgresql_cut_off_then_back(
    postgresql_engine: Engine, registry: CriteriaRegistry, caplog: pytest.LogCaptureFixture
) -> None:
    url = postgresql_engine.url
    relay = Relay((url.host or "127.0.0.1", url.port or 5432))
    engine = create_db_engine(url.set(port=relay.port).render_as_string(hide_password=False))
    try:
        with write_transaction(engine) as conn:
            token = add_user(conn, "relayed", Role.USER)
        with TestClient(create_app(engine, registry), raise_server_exceptions=False) as client:
            assert ask(client, token).json()["data"]["me"] == {"name": "relayed"}
            relay.cut()
            with caplog.at_level(logging.WARNING):
                for _ in range(3):
                    assert_unavailable(ask(client, token))
            assert "the database cannot be reached" in caplog.text
            relay.restore()
            assert ask(client, token).json()["data"]["me"] == {"name": "relayed"}
    finally:
        relay.close()
        engine.dispose()
        with postgresql_engine.begin() as conn:
            conn.exec_driver_sql("DELETE FROM users WHERE name = 'relayed'")


@pytest.mark.database("sqlite")
def test_sqlite_file_out_of_reach_then_there(tmp_path: Path, registry: CriteriaRegistry) -> None:
    folder = tmp_path / "not-yet"
    engine = create_db_engine(f"sqlite:///{folder / 'alerts.db'}")
    with TestClient(create_app(engine, registry), raise_server_exceptions=False) as client:
        assert_unavailable(ask(client, "dso_some-token"))
        folder.mkdir()
        migrate(engine)
        with write_transaction(engine) as conn:
            token = add_user(conn, "carol", Role.USER)
        assert ask(client, token).json()["data"]["me"] == {"name": "carol"}
    engine.dispose()


def test_a_connection_lost_in_the_middle_of_a_request_is_a_503(
    api: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    def lost(*args: Any, **kwargs: Any) -> Any:
        raise OperationalError("SELECT …", {}, ConnectionError("server closed the connection"),
                               connection_invalidated=True)  # fmt: skip

    monkeypatch.setattr(customer_queries, "customer_count", lost)
    assert_unavailable(ask(api.client, api.tokens["alice"]))
    monkeypatch.undo()
    assert ask(api.client, api.tokens["alice"]).json()["data"]["customers"] == {"totalCount": 8}


def test_other_database_errors_stay_masked_500s_and_not_503s(
    api: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: Any, **kwargs: Any) -> Any:
        raise OperationalError("SELECT …", {}, ValueError("no such column: x"))

    monkeypatch.setattr(customer_queries, "customer_count", broken)
    response = ask(api.client, api.tokens["alice"])
    assert response.status_code == 200
    (error,) = response.json()["errors"]
    assert error["extensions"]["code"] == "INTERNAL_SERVER_ERROR"
