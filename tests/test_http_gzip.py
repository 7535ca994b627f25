"""Responses over 1 KB are gzip-compressed when the client accepts it (SPEC §8), on both
databases; smaller ones, and any for a client that does not accept gzip, are sent as they are."""

from __future__ import annotations

import gzip
import json
from importlib.resources import files

import httpx

from tests.api_client import Api

pytest_plugins = ("tests.api_client",)

BIG = "{ __schema { types { name description fields { name description } } } }"
SMALL = "{ me { name } }"


def ask(api: Api, query: str, encoding: str) -> tuple[httpx.Headers, bytes]:
    """The answer's headers and its bytes as sent (httpx would decompress them unseen)."""
    headers = {"Authorization": f"Bearer {api.tokens['alice']}", "Accept-Encoding": encoding}
    with api.client.stream("POST", "/graphql", json={"query": query}, headers=headers) as answer:
        assert answer.status_code == 200
        return answer.headers, b"".join(answer.iter_raw())


def test_a_big_answer_is_compressed(api: Api) -> None:
    headers, raw = ask(api, BIG, "gzip, deflate, br")
    assert headers["content-encoding"] == "gzip"
    assert "accept-encoding" in headers["vary"].lower()
    plain = gzip.decompress(raw)
    assert len(plain) > 1024 and len(raw) < len(plain) / 3, (len(raw), len(plain))
    assert json.loads(plain)["data"]["__schema"]["types"]
    assert headers["x-request-id"]


def test_a_small_answer_or_a_client_without_gzip_gets_plain_json(api: Api) -> None:
    headers, raw = ask(api, SMALL, "gzip")
    assert "content-encoding" not in headers
    assert json.loads(raw) == {"data": {"me": {"name": "alice"}}}

    headers, raw = ask(api, BIG, "identity")
    assert "content-encoding" not in headers
    assert len(raw) > 1024 and json.loads(raw)["data"]["__schema"]


def test_a_file_sent_in_parts_arrives_compressed_and_whole(api: Api) -> None:
    """GraphiQL's script (about 1 MB) goes out as a file, in parts, each compressed as it
    goes: the client gets exactly the file."""
    headers = {"Accept-Encoding": "gzip"}
    with api.client.stream("GET", "/graphiql/graphiql.min.js", headers=headers) as answer:
        assert answer.status_code == 200
        raw = b"".join(answer.iter_raw())
    assert answer.headers["content-encoding"] == "gzip"
    script = files("graphql_api.graphiql").joinpath("vendor/graphiql.min.js").read_bytes()
    assert len(script) > 512 * 1024 and len(raw) < len(script) / 2
    assert gzip.decompress(raw) == script
