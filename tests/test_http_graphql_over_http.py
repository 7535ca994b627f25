"""GraphQL over HTTP (SPEC §8), on both databases: a client that accepts
`application/graphql-response+json` gets that media type and its status codes (4xx, without
`data`, for a request that cannot run: a document that does not parse or validate, variables
that do not fit); an `application/json` client keeps HTTP 200 and `data: null`."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from graphql_api.graphql_over_http import response_media_type
from tests.api_client import Api

pytest_plugins = ("tests.api_client",)

GRAPHQL_RESPONSE = "application/graphql-response+json"


def ask(
    api: Api, query: str, accept: str, variables: dict[str, Any] | None = None, get: bool = False
) -> httpx.Response:
    headers = {"Authorization": f"Bearer {api.tokens['alice']}", "Accept": accept}
    if get:
        return api.client.get("/graphql", params={"query": query}, headers=headers)
    return api.post(query, variables, headers=headers)


def media_type(response: httpx.Response) -> str:
    return response.headers["content-type"].split(";")[0]


@pytest.mark.parametrize("get", [False, True])
def test_an_answer_in_the_new_media_type(api: Api, get: bool) -> None:
    response = ask(api, "{ me { name } }", GRAPHQL_RESPONSE, get=get)
    assert (response.status_code, media_type(response)) == (200, GRAPHQL_RESPONSE)
    assert response.json() == {"data": {"me": {"name": "alice"}}}


@pytest.mark.parametrize(
    ("query", "variables"),
    [
        ("{ me { name }", None),  # does not parse
        ("{ me { nope } }", None),  # does not validate
        ('{ customers(where: {overdueAmount: {min: "abc"}}) { totalCount } }', None),
        ("query($n: Int!) { customers(first: $n) { totalCount } }", {"n": "ten"}),
        ("query($n: Int!) { customers(first: $n) { totalCount } }", {}),
    ],
)
def test_a_request_that_cannot_run_is_a_400_without_data(
    api: Api, query: str, variables: dict[str, Any] | None
) -> None:
    response = ask(api, query, GRAPHQL_RESPONSE, variables)
    assert (response.status_code, media_type(response)) == (400, GRAPHQL_RESPONSE), response.text
    body = response.json()
    assert "data" not in body, body
    assert body["errors"] and all(e["extensions"]["code"] for e in body["errors"]), body

    legacy = ask(api, query, "application/json", variables)
    assert (legacy.status_code, media_type(legacy)) == (200, "application/json")
    assert legacy.json() == {"data": None, "errors": body["errors"]}


def test_a_field_error_keeps_data_and_200(api: Api) -> None:
    response = ask(api, "{ me { name } big: customers(first: 501) { totalCount } }",
                   GRAPHQL_RESPONSE)  # fmt: skip
    assert (response.status_code, media_type(response)) == (200, GRAPHQL_RESPONSE)
    body = response.json()
    assert "data" in body, body
    (error,) = body["errors"]
    assert error["path"] == ["big"], error


def test_errors_before_graphql_use_the_media_type_too(api: Api) -> None:
    headers = {"Authorization": f"Bearer {api.tokens['alice']}", "Accept": GRAPHQL_RESPONSE,
               "Content-Type": "application/json"}  # fmt: skip
    response = api.client.post("/graphql", content=b"{oops", headers=headers)
    assert (response.status_code, media_type(response)) == (400, GRAPHQL_RESPONSE)
    mutation_by_get = api.client.get(
        "/graphql", params={"query": "mutation { deleteAlert(id: 1) { deletedId } }"},
        headers=headers,
    )  # fmt: skip
    assert (mutation_by_get.status_code, media_type(mutation_by_get)) == (405, GRAPHQL_RESPONSE)


def test_a_request_sent_as_graphql_response_json_is_read(api: Api) -> None:
    headers = {"Authorization": f"Bearer {api.tokens['alice']}",
               "Content-Type": f"{GRAPHQL_RESPONSE}; charset=utf-8"}  # fmt: skip
    response = api.client.post("/graphql", json={"query": "{ me { name } }"}, headers=headers)
    assert response.json() == {"data": {"me": {"name": "alice"}}}


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        ("", "application/json"),
        ("*/*", "application/json"),
        ("application/json", "application/json"),
        (GRAPHQL_RESPONSE, GRAPHQL_RESPONSE),
        (f"{GRAPHQL_RESPONSE}, application/json;q=0.9", GRAPHQL_RESPONSE),
        (f"application/json, {GRAPHQL_RESPONSE}", GRAPHQL_RESPONSE),
        (f"application/json, {GRAPHQL_RESPONSE};q=0.5", "application/json"),
        (f"{GRAPHQL_RESPONSE};q=0", "application/json"),
        (f"{GRAPHQL_RESPONSE};q=oops", "application/json"),
    ],
)
def test_which_media_type_an_accept_header_gets(accept: str, expected: str) -> None:
    assert response_media_type(accept) == expected
