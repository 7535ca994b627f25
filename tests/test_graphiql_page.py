"""GraphiQL works offline (issue 4): the page is served without a token, names no other host,
its assets come from the application, and a real headless browser with no network renders
it with the Authorization header ready to fill in."""

from __future__ import annotations

import re
import shutil
import socket
import subprocess
import threading
import time
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from sqlalchemy import Engine

from graphql_api.app import create_app
from graphql_api.plugins import CriteriaRegistry

with warnings.catch_warnings():
    warnings.filterwarnings("ignore", "Using `httpx` with `starlette.testclient`")
    from starlette.testclient import TestClient

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
ASSETS = {
    "graphiql.min.js": "javascript",
    "graphiql.min.css": "text/css",
    "react.production.min.js": "javascript",
    "react-dom.production.min.js": "javascript",
}
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


@pytest.fixture
def client(sqlite_engine: Engine, registry: CriteriaRegistry) -> Iterator[TestClient]:
    with TestClient(create_app(sqlite_engine, registry)) as client:
        yield client


def test_the_page_is_served_without_a_token_and_names_no_other_host(client: TestClient) -> None:
    response = client.get("/graphql", headers={"Accept": BROWSER})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    page = response.text
    assert "<title>dso-alerts GraphiQL</title>" in page
    assert re.findall(r"(?:https?:)?//[a-z0-9.-]+", page, re.IGNORECASE) == []
    sources = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert sources and all(s.startswith("/graphiql/") or s.startswith("data:") for s in sources)
    assert '"Bearer "' in page  # the header editor comes pre-filled


def test_the_assets_are_served_by_the_application(client: TestClient) -> None:
    for name, kind in ASSETS.items():
        response = client.get(f"/graphiql/{name}")
        assert response.status_code == 200, name
        assert kind in response.headers["content-type"], name
        assert len(response.content) > 1000, name


def test_graphql_itself_still_needs_a_token(client: TestClient) -> None:
    for response in (
        client.get("/graphql", params={"query": "{ me { name } }"}, headers={"Accept": BROWSER}),
        client.get("/graphql", headers={"Accept": "application/json"}),
        client.post("/graphql", json={"query": "{ __schema { types { name } } }"}),
        client.post("/graphql", json={"query": "{ me { name } }"},
                    headers={"Authorization": "Bearer "}),  # what GraphiQL sends before a paste
    ):  # fmt: skip
        assert response.status_code == 401
        assert response.headers["www-authenticate"] == "Bearer"
        assert list(response.json()) == ["errors"]


@pytest.fixture
def served(sqlite_engine: Engine, registry: CriteriaRegistry) -> Iterator[str]:
    """The application on a free loopback port, in a thread."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    config = uvicorn.Config(
        create_app(sqlite_engine, registry), host="127.0.0.1", port=port,
        log_level="warning", lifespan="off", ws="none",
    )  # fmt: skip
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline and thread.is_alive(), "uvicorn did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="chromium is not installed")
def test_graphiql_renders_in_a_headless_browser_with_no_network(
    served: str, tmp_path: Path
) -> None:
    command = [
        CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
        "--no-first-run", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--window-size=1280,800", "--virtual-time-budget=5000",
        "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
        f"--user-data-dir={tmp_path}", "--dump-dom", f"{served}/graphql",
    ]  # fmt: skip
    dom = subprocess.run(command, capture_output=True, text=True, timeout=120).stdout
    assert 'class="graphiql-container"' in dom, dom[:500]
    assert "Loading GraphiQL..." not in dom
    headers = re.search(r'aria-label="Headers">(.*?)</section>', dom, re.DOTALL)
    assert headers, "the Headers editor is not open"
    text = re.sub(r"<[^>]+>", "", headers.group(1))
    assert "Authorization" in text and "Bearer " in text, text[:300]
