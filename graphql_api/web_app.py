"""The reference web app (SPEC §10): its built files, served at `/`, and its deep links.

`make web` builds the app from `web/` into `web/dist/` (never committed). The API works
without it: until it is built, `/` answers a page that says how to build it. Every path
below is public (SPEC §8: the app's page, its assets and deep links need no token); the app
itself asks for a token before its first GraphQL request.
"""

from __future__ import annotations

import os
from pathlib import Path

from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

ASSETS_PREFIX = "/assets/"
# The app's own routes (web/src/router.ts): a browser opening one of them gets the app.
DEEP_LINKS = ("/alerts", "/customers", "/changes", "/search", "/risk")
DEFAULT_ADDRESS = "http://127.0.0.1:8000"

NOT_BUILT = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>dso-alerts</title></head><body style="font-family:system-ui;margin:3rem;max-width:40rem">
<h1>dso-alerts</h1><p>The web app is not built yet. Build it with <code>make web</code>
(Node 20 and npm), then reload this page.</p>
<p>The API and GraphiQL are at <a href="/graphql">/graphql</a>.</p></body></html>"""


def dist_folder() -> Path:
    """Where `make web` puts the built app; DSO_ALERTS_WEB_DIST points elsewhere."""
    configured = os.environ.get("DSO_ALERTS_WEB_DIST")
    if configured:
        return Path(configured)
    return Path(__file__).resolve().parent.parent / "web" / "dist"


def sign_in_link(token: str, address: str = DEFAULT_ADDRESS) -> str:
    """A link that signs a user in: the token rides in the fragment, which browsers never
    send to the server, so it stays out of access logs."""
    return f"{address}/#token={token}"


def is_app_path(scope: Scope) -> bool:
    """A GET for the app's page, one of its deep links or one of its assets."""
    if scope.get("method") not in ("GET", "HEAD"):
        return False
    path: str = scope.get("path", "")
    if path == "/" or path.startswith(ASSETS_PREFIX):
        return True
    return any(path == link or path.startswith(link + "/") for link in DEEP_LINKS)


def web_routes() -> list[BaseRoute]:
    """`/` and the deep links answer the app's index.html; `/assets/` its bundles."""
    dist = dist_folder()

    async def index(request: Request) -> Response:
        page = dist / "index.html"
        if not page.is_file():
            return HTMLResponse(NOT_BUILT)
        # The page names hashed bundles: it must be fetched again after each build.
        return FileResponse(page, headers={"Cache-Control": "no-cache"})

    routes: list[BaseRoute] = [Route("/", index, methods=["GET"])]
    routes += [Route(link + "{rest:path}", index, methods=["GET"]) for link in DEEP_LINKS]
    assets = StaticFiles(directory=dist / "assets", check_dir=False)
    routes.append(Mount(ASSETS_PREFIX.rstrip("/"), app=assets))
    return routes
