"""GraphiQL served by the application itself, with no CDN: see vendor/README.md."""

import html
import json
from pathlib import Path
from string import Template

from starlette.staticfiles import StaticFiles

_HERE = Path(__file__).resolve().parent

DEFAULT_QUERY = """\
# Paste your token after "Bearer " in the
# Headers tab below. Get a token from
# `dso-alerts demo` or `dso-alerts users add`.

{
  __typename
}
"""


def _js(value: str) -> str:
    """A JS string literal that is also safe inside a <script> element."""
    return json.dumps(value).replace("<", "\\u003c").replace(">", "\\u003e")


def graphiql_page(endpoint: str = "/graphql", assets_prefix: str = "/graphiql") -> str:
    """The GraphiQL HTML page, loading its assets from `assets_prefix` and querying `endpoint`."""
    template = Template((_HERE / "page.html").read_text(encoding="utf-8"))
    return template.substitute(
        assets=html.escape(assets_prefix.rstrip("/")),
        endpoint=_js(endpoint),
        default_query=_js(DEFAULT_QUERY),
    )


def graphiql_assets() -> StaticFiles:
    """A Starlette app serving the vendored GraphiQL/React files; mount it at `assets_prefix`."""
    return StaticFiles(directory=_HERE / "vendor")
