"""Automatic persisted queries (SPEC §8), Apollo's protocol, on both databases: a hash-only
request for a known query runs it; an unknown hash gets PERSISTED_QUERY_NOT_FOUND; a hash
that does not match its query is refused (BAD_REQUEST). Knowing a hash never lets anyone
run what they could not run by sending the query themselves."""

from __future__ import annotations

import hashlib
import json
from typing import Any

import httpx
import pytest

from graphql_api.persisted_queries import PersistedQueries, Refusal
from tests.api_client import FRANCE, Api
from tests.test_query_limits import nested

pytest_plugins = ("tests.api_client",)

QUERY = "query Page($first: Int) { customers(first: $first) { totalCount edges { node { accountNumber } } } }"  # noqa: E501
NOT_FOUND = {"errors": [{"message": "PersistedQueryNotFound",
                         "extensions": {"code": "PERSISTED_QUERY_NOT_FOUND"}}]}  # fmt: skip


def sha(query: str) -> str:
    return hashlib.sha256(query.encode()).hexdigest()


def extensions(query: str) -> dict[str, Any]:
    return {"persistedQuery": {"version": 1, "sha256Hash": sha(query)}}


def send(
    api: Api,
    user: str | None,
    body: dict[str, Any],
    *,
    get: bool = False,
    accept: str = "application/json",
) -> httpx.Response:
    headers = {"Accept": accept}
    if user is not None:
        headers["Authorization"] = f"Bearer {api.tokens[user]}"
    if get:
        params = {k: v if isinstance(v, str) else json.dumps(v) for k, v in body.items()}
        return api.client.get("/graphql", params=params, headers=headers)
    return api.client.post("/graphql", json=body, headers=headers)


def page(first: int) -> dict[str, Any]:
    accounts = [f"C00{n}" for n in range(1, first + 1)]
    edges = [{"node": {"accountNumber": account}} for account in accounts]
    return {"data": {"customers": {"totalCount": 8, "edges": edges}}}


@pytest.mark.parametrize("get", [False, True])
def test_miss_then_register_then_hit(api: Api, get: bool) -> None:
    hash_only = {"extensions": extensions(QUERY), "variables": {"first": 2}}
    miss = send(api, "alice", hash_only, get=get)
    assert (miss.status_code, miss.json()) == (200, NOT_FOUND)

    registered = send(api, "alice", {"query": QUERY, **hash_only})
    assert registered.json() == page(2)

    for first in (2, 3):  # the hash stands for the query; variables and operation as sent
        hit = send(api, "alice", {**hash_only, "variables": {"first": first},
                                  "operationName": "Page"}, get=get)  # fmt: skip
        assert (hit.status_code, hit.json()) == (200, page(first))


def test_a_hash_that_does_not_match_its_query_is_refused(api: Api) -> None:
    lying = {"query": "{ me { name } }", "extensions": extensions(QUERY)}
    response = send(api, "alice", lying)
    assert response.status_code == 400
    assert response.json() == {"errors": [{"message": "provided sha does not match query",
                                           "extensions": {"code": "BAD_REQUEST"}}]}  # fmt: skip
    # ... and it taught the server nothing.
    assert send(api, "alice", {"extensions": extensions(QUERY)}).json() == NOT_FOUND
    assert send(api, "alice", {"extensions": extensions("{ me { name } }")}).json() == NOT_FOUND


@pytest.mark.parametrize(
    ("persisted", "message"),
    [
        ({"version": 2, "sha256Hash": sha(QUERY)}, "only version 1"),
        ({"sha256Hash": sha(QUERY)}, "only version 1"),
        ({"version": 1}, "sha256Hash"),
        ({"version": 1, "sha256Hash": "abc"}, "sha256Hash"),
        ("yes", "only version 1"),
    ],
)
def test_a_malformed_persisted_query_is_a_bad_request(
    api: Api, persisted: Any, message: str
) -> None:
    response = send(api, "alice", {"query": QUERY, "extensions": {"persistedQuery": persisted}})
    assert response.status_code == 400
    (error,) = response.json()["errors"]
    assert message in error["message"] and error["extensions"] == {"code": "BAD_REQUEST"}, error


def test_a_hash_needs_a_token_like_any_request(api: Api) -> None:
    send(api, "alice", {"query": QUERY, "extensions": extensions(QUERY)})
    response = send(api, None, {"extensions": extensions(QUERY)})
    assert response.status_code == 401
    assert "customers" not in response.text


def test_a_user_never_runs_or_learns_of_another_user_s_query(api: Api) -> None:
    secret = api.create("alice", name="alice's own", criteria=FRANCE)
    query = (
        f'{{ alert(id: "{secret["id"]}") {{ name }} customers(search: "Acme") {{ totalCount }} }}'
    )
    own = send(api, "alice", {"query": query, "extensions": extensions(query)}).json()
    assert own["data"]["alert"] == {"name": "alice's own"}
    assert send(api, "bob", {"extensions": extensions(query)}).json() == NOT_FOUND
    # Sending it themselves, bob sees what bob may see: the private alert is not there.
    assert send(api, "bob", {"query": query, "extensions": extensions(query)}).json()["data"] == {
        "alert": None, "customers": {"totalCount": 1},
    }  # fmt: skip


def test_a_persisted_query_is_limited_and_a_mutation_still_needs_post(api: Api) -> None:
    deep = nested(11)
    first = send(api, "alice", {"query": deep, "extensions": extensions(deep)}).json()
    again = send(api, "alice", {"extensions": extensions(deep)}).json()
    assert first == again and first["data"] is None, again
    assert again["errors"][0]["extensions"]["code"] == "BAD_REQUEST"
    assert "exceeds maximum operation depth" in again["errors"][0]["message"]

    mutation = (
        'mutation { createAlert(input: {name: "x", criteria: {blocked: true}}) { alert { id } } }'
    )
    created = send(api, "alice", {"query": mutation, "extensions": extensions(mutation)}).json()
    assert created["data"]["createAlert"]["alert"], created
    by_get = send(api, "alice", {"extensions": extensions(mutation)}, get=True)
    assert by_get.status_code == 405
    assert api.stored_alert_count() == 1


def test_with_graphql_response_json_a_miss_is_a_400(api: Api) -> None:
    accept = "application/graphql-response+json"
    miss = send(api, "alice", {"extensions": extensions(QUERY)}, accept=accept)
    assert (miss.status_code, miss.json()) == (400, NOT_FOUND)
    assert miss.headers["content-type"].startswith(accept)


def test_the_store_is_bounded_least_recently_used_first() -> None:
    store = PersistedQueries(max_chars=30)
    queries = ["{ a }" * 2, "{ b }" * 2, "{ c }" * 2, "{ d }" * 2]  # 10 characters each
    for query in queries[:3]:
        assert store.resolve(1, query, extensions(query)) == query
    assert store.resolve(1, None, extensions(queries[0])) == queries[0]  # used: kept
    store.resolve(1, queries[3], extensions(queries[3]))
    found = [store.resolve(1, None, extensions(q)) for q in queries]
    assert found[0] == queries[0] and found[2:] == queries[2:]
    assert isinstance(found[1], Refusal) and found[1].not_found
