"""Query limits (graphql_api/query_limits.py): depth 10, 15 aliases, 2000 tokens, pages of at
most 500, bodies of at most 1 MB, no batching — each just over its limit a clear error naming
it (HTTP 200 for GraphQL errors, 4xx for HTTP ones, never 5xx), just under it an answer; every
limit settable from the environment; introspection (GraphiQL's own query) always passes."""

from __future__ import annotations

import json
import warnings
from collections.abc import Iterator
from typing import Any

import graphql
import httpx
import pytest
from pydantic import ValidationError

from graphql_api.app import create_app
from graphql_api.plugins import CriteriaRegistry
from graphql_api.query_limits import QueryLimits
from tests.api_client import LATE, Api

with warnings.catch_warnings():
    warnings.filterwarnings("ignore", "Using `httpx` with `starlette.testclient`")
    from starlette.testclient import TestClient

pytest_plugins = ("tests.api_client",)

DEFAULTS = QueryLimits(max_depth=10, max_aliases=15, max_tokens=2000, max_body_bytes=1_000_000)
# A path through the schema that can go as deep as wanted (alert -> customers -> bell -> ...),
# and the leaf field that ends it under each of its fields.
CYCLE = ("customers", "edges", "node", "bell", "alerts")
LEAF = {"alerts": "id", "customers": "totalCount", "edges": "cursor", "node": "accountNumber",
        "bell": "count"}  # fmt: skip
GRAPHIQL_INTROSPECTION = graphql.get_introspection_query(
    descriptions=True, specified_by_url=True, directive_is_repeatable=True,
    schema_description=True, input_value_deprecation=True, one_of=True,
)  # fmt: skip


def nested(depth: int) -> str:
    """A query whose deepest field is at `depth` (the root's fields are at 0)."""
    fields = ["alerts", *(CYCLE[i % len(CYCLE)] for i in range(depth - 1))]
    return "{ " + " { ".join(fields) + f" {{ {LEAF[fields[-1]]}" + " }" * len(fields) + " }"


def aliased(count: int) -> str:
    return "{ " + " ".join(f"a{n}: me {{ name }}" for n in range(count)) + " }"


def tokens(count: int) -> str:
    """A search for customers in two long lists (countries, statuses): exactly `count` tokens.
    (Not a field repeated: past ~1000 copies graphql-core's validation gives up on it anyway;
    two lists because one holds at most 1000 values.)"""
    names = [f'"v{n}"' for n in range(count - 28)]  # 28 tokens around the values
    half = len(names) // 2
    countries, statuses = " ".join(names[:half]), " ".join(names[half:])
    return (
        f"{{ customers(where: {{country: {{values: [{countries}]}}, "
        f"status: {{values: [{statuses}]}}}}) {{ totalCount }} }}"
    )


@pytest.fixture
def ask(api: Api) -> Iterator[Any]:
    def post(query: str, variables: dict[str, Any] | None = None) -> httpx.Response:
        response = api.post(
            query, variables, headers={"Authorization": f"Bearer {api.tokens['alice']}"}
        )
        assert response.status_code < 500, (response.status_code, response.text[:500])
        return response

    api.create("alice", name="late", criteria=LATE)
    yield post


def only_error(response: httpx.Response) -> str:
    assert response.status_code == 200, response.text[:300]
    body = response.json()
    assert body.get("data") is None, body
    (error,) = body["errors"]
    message: str = error["message"]
    return message


def answered(response: httpx.Response) -> dict[str, Any]:
    assert response.status_code == 200, response.text[:300]
    body = response.json()
    assert not body.get("errors"), body
    data: dict[str, Any] = body["data"]
    return data


# -- each limit, just over and just under --------------------------------------------------


def test_the_defaults() -> None:
    assert QueryLimits.from_environment() == DEFAULTS


def test_depth(ask: Any) -> None:
    assert "alerts" in answered(ask(nested(DEFAULTS.max_depth)))
    message = only_error(ask(nested(DEFAULTS.max_depth + 1)))
    assert message == "'anonymous' exceeds maximum operation depth of 10", message
    # Fragments do not hide depth.
    spread = "query Deep { ...F } fragment F on Query " + nested(DEFAULTS.max_depth + 1)
    assert "exceeds maximum operation depth of 10" in only_error(ask(spread))


def test_aliases(ask: Any) -> None:
    assert len(answered(ask(aliased(DEFAULTS.max_aliases)))) == 15
    assert only_error(ask(aliased(DEFAULTS.max_aliases + 1))) == "16 aliases found. Allowed: 15"


def test_tokens(ask: Any) -> None:
    assert answered(ask(tokens(DEFAULTS.max_tokens))) == {"customers": {"totalCount": 0}}
    message = only_error(ask(tokens(DEFAULTS.max_tokens + 1)))
    assert message == "Syntax Error: Document contains more than 2000 tokens. Parsing aborted."


@pytest.mark.parametrize(
    ("query", "argument"),
    [
        ("{ customers(first: %d) { totalCount } }", "first"),
        ("{ alerts { customers(first: %d) { totalCount } } }", "first"),
        ('{ customer(accountNumber: "C001") { items(first: %d) { totalCount } } }', "first"),
        ('{ customer(accountNumber: "C001") { reminders(first: %d) { date } } }', "first"),
    ],
    ids=["customers", "alert customers", "items", "reminders"],
)
def test_page_size(ask: Any, query: str, argument: str) -> None:
    assert answered(ask(query % 500))
    body = ask(query % 501).json()
    (error,) = body["errors"]
    assert error["message"] == f"{argument} must be between 0 and 500, not 501", error
    assert error["extensions"]["code"] == "VALIDATION"


def test_body_size(api: Api) -> None:
    headers = {"Authorization": f"Bearer {api.tokens['alice']}", "Content-Type": "application/json"}

    def body_of(size: int) -> bytes:
        start = b'{"query": "{ me { name } }", "extensions": {"pad": "'
        end = b'"}}'
        return start + b"x" * (size - len(start) - len(end)) + end

    limit = DEFAULTS.max_body_bytes
    just = api.client.post("/graphql", content=body_of(limit), headers=headers)
    assert answered(just) == {"me": {"name": "alice"}}
    over = api.client.post("/graphql", content=body_of(limit + 1), headers=headers)
    assert over.status_code == 413, over.text[:300]
    assert over.json() == {
        "errors": [
            {
                "message": "the request body is larger than 1000000 bytes",
                "extensions": {"code": "BAD_REQUEST"},
            }
        ]
    }

    def chunks() -> Iterator[bytes]:  # no Content-Length: counted as it arrives
        yield b'{"query": "{ me { name } }", "pad": "'
        for _ in range(200):
            yield b"x" * 10_000

    streamed = api.client.post("/graphql", content=chunks(), headers=headers)
    assert streamed.status_code == 413, streamed.text[:300]


def test_limits_apply_to_get_requests_too(api: Api) -> None:
    headers = {"Authorization": f"Bearer {api.tokens['alice']}", "Accept": "application/json"}
    deep = api.client.get("/graphql", params={"query": nested(11)}, headers=headers)
    assert "exceeds maximum operation depth" in only_error(deep)
    many = api.client.get("/graphql", params={"query": aliased(16)}, headers=headers)
    assert only_error(many) == "16 aliases found. Allowed: 15"


def test_batching_is_off(api: Api) -> None:
    response = api.client.post(
        "/graphql",
        json=[{"query": "{ me { name } }"}, {"query": "{ me { name } }"}],
        headers={"Authorization": f"Bearer {api.tokens['alice']}"},
    )
    assert response.status_code == 400
    assert "batching is not supported" in response.json()["errors"][0]["message"]


# -- introspection -------------------------------------------------------------------------


def test_graphiqls_introspection_query_passes(ask: Any) -> None:
    schema = answered(ask(GRAPHIQL_INTROSPECTION))["__schema"]
    names = {t["name"] for t in schema["types"]}
    assert {"Query", "Mutation", "CriteriaInput", "AmountRange"} <= names
    # And the queries GraphiQL's explorer sends for one type.
    found = answered(ask('{ __type(name: "CriteriaInput") { inputFields { name } } }'))
    assert "overdueAmount" in {f["name"] for f in found["__type"]["inputFields"]}


def test_introspection_passes_the_strictest_depth_and_alias_limits(
    api: Api, registry: CriteriaRegistry, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DSO_ALERTS_MAX_DEPTH", "1")
    monkeypatch.setenv("DSO_ALERTS_MAX_ALIASES", "1")
    with TestClient(create_app(api.engine, registry)) as client:
        response = client.post(
            "/graphql", json={"query": GRAPHIQL_INTROSPECTION},
            headers={"Authorization": f"Bearer {api.tokens['viewer']}"},
        )  # fmt: skip
    assert "__schema" in answered(response)


def test_introspection_still_needs_a_token(api: Api) -> None:
    assert api.post(GRAPHIQL_INTROSPECTION).status_code == 401


# -- from the environment ------------------------------------------------------------------


def test_every_limit_is_settable_from_the_environment(
    api: Api, registry: CriteriaRegistry, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in {"DEPTH": "3", "ALIASES": "2", "TOKENS": "40", "BODY_BYTES": "300"}.items():
        monkeypatch.setenv(f"DSO_ALERTS_MAX_{name}", value)
    assert QueryLimits.from_environment() == QueryLimits(3, 2, 40, 300)
    headers = {"Authorization": f"Bearer {api.tokens['alice']}"}
    with TestClient(create_app(api.engine, registry)) as client:

        def post(query: str) -> httpx.Response:
            response = client.post("/graphql", json={"query": query}, headers=headers)
            assert response.status_code < 500, response.text
            return response

        assert answered(post(nested(3)))
        assert "maximum operation depth of 3" in only_error(post(nested(4)))
        assert answered(post(aliased(2)))
        assert only_error(post(aliased(3))) == "3 aliases found. Allowed: 2"
        assert answered(post(tokens(40)))
        assert "more than 40 tokens" in only_error(post(tokens(41)))
        padded = json.dumps({"query": "{ me { name } }", "pad": "x" * 300})
        response = client.post(
            "/graphql", content=padded, headers={**headers, "Content-Type": "application/json"}
        )
        assert response.status_code == 413
        response = client.get(  # the query string of a GET: at most as long as a body
            "/graphql", params={"query": "{ me { name } }", "pad": "x" * 300},
            headers={**headers, "Accept": "application/json"},
        )  # fmt: skip
        assert response.status_code == 414
        assert "larger than 300 bytes" in response.json()["errors"][0]["message"]


@pytest.mark.parametrize("value", ["0", "-1", "many"])
def test_a_bad_limit_in_the_environment_stops_the_start(
    api: Api, registry: CriteriaRegistry, monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    monkeypatch.setenv("DSO_ALERTS_MAX_DEPTH", value)
    with pytest.raises(ValidationError, match="max_depth"):
        create_app(api.engine, registry)
