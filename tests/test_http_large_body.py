"""An over-large body gets a 413 the client can read (SPEC §8), from a real `dso-alerts serve`
(uvicorn) over a raw socket: also when the client writes its whole 20 MB body before it reads
anything and asks to close the connection, which used to end in "connection reset by peer"."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.live_server import LiveServer, live_server

BODY_MB = 20
SPA = "http://localhost:5173"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    folder: Path = tmp_path_factory.mktemp("large-body")
    with live_server(folder, today="2026-11-23",
                     extra_env={"DSO_ALERTS_CORS_ORIGINS": SPA}) as running:  # fmt: skip
        yield running


def exchange(server: LiveServer, head: dict[str, str], body: bytes, chunked: bool = False) -> bytes:
    """Write the request — headers, then the whole body — and only then read the answer."""
    address = httpx.URL(server.url)
    lines = [f"POST {address.path} HTTP/1.1", f"Host: {address.host}:{address.port}",
             "Content-Type: application/json"]  # fmt: skip
    lines += [f"{name}: {value}" for name, value in head.items()]
    if chunked:
        lines.append("Transfer-Encoding: chunked")
        step = 1 << 16
        body = (
            b"".join(
                b"%x\r\n%s\r\n" % (len(body[i : i + step]), body[i : i + step])
                for i in range(0, len(body), step)
            )
            + b"0\r\n\r\n"
        )
    else:
        lines.append(f"Content-Length: {len(body)}")
    with socket.create_connection((address.host, address.port), timeout=60) as sock:
        sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode() + body)
        answer = b""
        while not _complete(answer) and (chunk := sock.recv(1 << 16)):
            answer += chunk
    return answer


def _complete(answer: bytes) -> bool:
    """Whether `answer` holds a whole response (its headers, then Content-Length bytes)."""
    head, found, body = answer.partition(b"\r\n\r\n")
    if not found:
        return False
    _, headers = _split(head)
    return len(body) >= int(headers.get("content-length", "0"))


def _split(head: bytes) -> tuple[int, dict[str, str]]:
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    headers = {}
    for line in header_lines:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return int(status_line.split()[1]), headers


def parsed(answer: bytes) -> tuple[int, dict[str, str], dict[str, object]]:
    head, _, body = answer.partition(b"\r\n\r\n")
    status, headers = _split(head)
    assert "content-length" in headers, answer[:600]
    return status, headers, json.loads(body[: int(headers["content-length"])])


def big_body() -> bytes:
    return b'{"query": "{ me { name } }", "pad": "' + b"x" * (BODY_MB * 1_000_000) + b'"}'


@pytest.mark.parametrize("connection", ["close", "keep-alive"])
@pytest.mark.parametrize("chunked", [False, True])
def test_a_20_mb_body_sent_whole_gets_a_readable_413(
    server: LiveServer, connection: str, chunked: bool
) -> None:
    head = {"Authorization": f"Bearer {server.tokens['alice']}", "Connection": connection,
            "Origin": SPA}  # fmt: skip
    status, headers, body = parsed(exchange(server, head, big_body(), chunked))
    assert status == 413
    assert body == {"errors": [{"message": "the request body is larger than 1000000 bytes",
                                "extensions": {"code": "BAD_REQUEST"}}]}  # fmt: skip
    assert headers["access-control-allow-origin"] == SPA
    assert headers["x-request-id"]


def test_a_20_mb_body_without_a_token_gets_a_readable_401(server: LiveServer) -> None:
    status, _, body = parsed(exchange(server, {"Connection": "close"}, big_body()))
    assert status == 401
    assert body["errors"][0]["extensions"] == {"code": "UNAUTHENTICATED"}  # type: ignore[index]


def test_the_server_answers_normally_afterwards(server: LiveServer) -> None:
    head = {"Authorization": f"Bearer {server.tokens['alice']}", "Connection": "close"}
    status, _, body = parsed(exchange(server, head, b'{"query": "{ me { name } }"}'))
    assert (status, body) == (200, {"data": {"me": {"name": "alice"}}})
