"""What the web app's browser tests share: a live server over the demo ledger, headless
Chromium driven by Playwright, and a page that records what a person would not want to see
(a console error, a request leaving the loopback address).

Playwright cannot download its own browser here: it drives Debian's `chromium`
(`scripts/ensure-chromium`, run by `make test`). A missing browser or an unbuilt app fails
the tests and says why; they are never skipped.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, sync_playwright

from graphql_api.web_app import dist_folder
from tests.live_server import HOST, LiveServer, command

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 800}


def require_browser_and_app() -> None:
    """Fail, never skip, when what the browser tests need is missing."""
    if not Path(CHROMIUM).exists():
        pytest.fail("chromium is not installed: run scripts/ensure-chromium (make test does)")
    if not (dist_folder() / "index.html").is_file():
        pytest.fail(f"the web app is not built in {dist_folder()}: run `make web`")


@contextmanager
def chromium() -> Iterator[Browser]:
    require_browser_and_app()
    with sync_playwright() as playwright:
        browser = launch(playwright)
        try:
            yield browser
        finally:
            browser.close()


def launch(playwright: Playwright) -> Browser:
    # As root, Chromium refuses to start without --no-sandbox.
    args = ["--no-sandbox"] if os.geteuid() == 0 else []
    return playwright.chromium.launch(executable_path=CHROMIUM, args=args)


@dataclass
class Watched:
    """A browser tab and what it did that a person would not want."""

    page: Page
    context: BrowserContext
    problems: list[str] = field(default_factory=list)
    graphql_requests: list[dict[str, Any]] = field(default_factory=list)  # their JSON bodies

    def assert_clean(self) -> None:
        assert self.problems == [], "\n".join(self.problems)


def open_tab(browser: Browser, viewport: dict[str, int] = DESKTOP) -> Watched:
    """A new browser context (no storage shared with other tabs) whose requests are held to
    the loopback address: any other host is refused and recorded."""
    context = browser.new_context(viewport=viewport)  # type: ignore[arg-type]
    page = context.new_page()
    watched = Watched(page, context)

    def route(route: Any) -> None:
        host = urlsplit(route.request.url).hostname
        if route.request.url.startswith(("data:", "blob:")) or host == HOST:
            route.continue_()
        else:
            watched.problems.append(f"request outside {HOST}: {route.request.url}")
            route.abort()

    context.route("**/*", route)
    page.on(
        "console",
        lambda m: m.type == "error" and watched.problems.append(f"console error: {m.text}"),
    )
    page.on("pageerror", lambda error: watched.problems.append(f"page error: {error}"))
    page.on(
        "request",
        lambda r: urlsplit(r.url).path == "/graphql"
        and watched.graphql_requests.append(json.loads(r.post_data or "{}")),
    )
    return watched


def base_url(server: LiveServer) -> str:
    return server.url.removesuffix("/graphql")


def sign_in_link(server: LiveServer, user: str, path: str = "/") -> str:
    return f"{base_url(server)}{path}#token={server.tokens[user]}"


def api(server: LiveServer, user: str, query: str, **variables: Any) -> dict[str, Any]:
    """The API's own answer, to compare the screens with."""
    response = httpx.post(
        server.url, json={"query": query, "variables": variables},
        headers={"Authorization": f"Bearer {server.tokens[user]}"}, timeout=30,
    )  # fmt: skip
    body = response.json()
    assert response.status_code == 200 and "errors" not in body, body
    return body["data"]


def set_collector(server: LiveServer, database_url: str, user: str, collector: str) -> None:
    env = {**os.environ, "DSO_ALERTS_DATABASE_URL": database_url}
    subprocess.run(
        [*command(), "users", "set", user, "--collector", collector],
        env=env, check=True, capture_output=True, timeout=60,
    )  # fmt: skip


def rgb(hex_color: str) -> str:
    """A #RRGGBB colour as the browser's computed style writes it."""
    value = hex_color.lstrip("#")
    r, g, b = (int(value[i : i + 2], 16) for i in (0, 2, 4))
    return f"rgb({r}, {g}, {b})"
