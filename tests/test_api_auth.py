"""Authentication through HTTP (SPEC §4): every GraphQL request needs a valid bearer
token; without one the answer is HTTP 401 with a JSON body and nothing else — no
data, no partial result, no trace of the schema. The GraphiQL page itself loads
without a token."""

from __future__ import annotations

import hashlib
from typing import Any

import httpx
import pytest

from graphql_api.database import write_transaction
from graphql_api.users import revoke_user
from tests.api_client import FRANCE, Api

pytest_plugins = ("tests.api_client",)

ME = "{ me { name } }"
EVERYTHING = """
{
  me { name }
  alerts { id name criteria }
  customers(first: 10) { totalCount edges { node { accountNumber name } } }
}
"""
INTROSPECTION = "{ __schema { queryType { name } types { name fields { name } } } }"
SECRET_ALERT = "Zanzibar secret watchlist"
# Names that only a served schema or data would put in a body.
SCHEMA_WORDS = (
    "__schema",
    "__type",
    "AlertPayload",
    "CriteriaInput",
    "CustomerConnection",
    "overdueAmount",
    "createAlert",
    "accountNumber",
    "Acme Industries",
    "C001",
    SECRET_ALERT,
)


@pytest.fixture
def secret(api: Api) -> dict[str, Any]:
    """A public alert with a recognisable name, so a leak of data would show."""
    return api.create("admin", name=SECRET_ALERT, visibility="PUBLIC", criteria=FRANCE)


def assert_refused(response: httpx.Response) -> None:
    """What a client without valid credentials sees: 401, a JSON body, nothing more."""
    assert response.status_code == 401, (response.status_code, response.text[:500])
    assert response.headers["content-type"].startswith("application/json"), response.headers
    body = response.json()
    assert isinstance(body, dict), body
    assert "data" not in body, body
    for word in SCHEMA_WORDS:
        assert word not in response.text, f"{word!r} leaked in a 401 body: {response.text[:500]}"


def test_a_valid_token_is_answered(api: Api, secret: dict[str, Any]) -> None:
    # The control for every refusal below: the same request with alice's token works.
    response = api.post(EVERYTHING, headers={"Authorization": f"Bearer {api.tokens['alice']}"})
    assert response.status_code == 200, response.text
    body = response.json()
    assert "errors" not in body, body
    assert body["data"]["me"] == {"name": "alice"}
    assert [a["name"] for a in body["data"]["alerts"]] == [SECRET_ALERT]
    assert body["data"]["customers"]["totalCount"] == 8


@pytest.mark.parametrize("query", [ME, EVERYTHING], ids=["me", "everything"])
def test_no_token_is_401(api: Api, secret: dict[str, Any], query: str) -> None:
    assert_refused(api.post(query))


BAD_HEADERS = {
    "empty bearer": "Bearer ",
    "bearer alone": "Bearer",
    "wrong token": "Bearer dso_this-is-not-a-token-anyone-was-given",
    "two words": "Bearer a b",
    "basic scheme": "Basic YWxpY2U6cGFzc3dvcmQ=",
    "empty header": "",
    "blanks": "   ",
    "huge": "Bearer " + "x" * 100_000,
    "sql injection": "Bearer ' OR '1'='1",
}


@pytest.mark.parametrize("header", BAD_HEADERS.values(), ids=BAD_HEADERS.keys())
def test_bad_authorization_header_is_401(api: Api, secret: dict[str, Any], header: str) -> None:
    assert_refused(api.post(EVERYTHING, headers={"Authorization": header}))


def test_a_real_token_with_junk_around_it_is_401(api: Api, secret: dict[str, Any]) -> None:
    token = api.tokens["alice"]
    for header in (
        f"Bearer {token}x",
        f"Bearer {token[:-1]}",
        f"Bearer {token} {token}",
        f"Basic {token}",
        token,  # the token without its scheme
    ):
        assert_refused(api.post(EVERYTHING, headers={"Authorization": header}))


def test_the_stored_hash_of_a_token_is_not_a_token(api: Api, secret: dict[str, Any]) -> None:
    # Someone who reads the users table sees SHA-256 hashes: they must not log in with them.
    digest = hashlib.sha256(api.tokens["admin"].encode()).hexdigest()
    assert_refused(api.post(EVERYTHING, headers={"Authorization": f"Bearer {digest}"}))


def test_a_revoked_user_is_401(api: Api, secret: dict[str, Any]) -> None:
    headers = {"Authorization": f"Bearer {api.tokens['alice']}"}
    assert api.post(ME, headers=headers).json()["data"] == {"me": {"name": "alice"}}
    with write_transaction(api.engine) as conn:
        revoke_user(conn, "alice")
    assert_refused(api.post(EVERYTHING, headers=headers))
    # Others are not affected.
    assert api.data("bob", ME) == {"me": {"name": "bob"}}


def test_introspection_needs_a_token(api: Api) -> None:
    assert_refused(api.post(INTROSPECTION))
    assert_refused(api.post(INTROSPECTION, headers={"Authorization": "Bearer nope"}))
    schema = api.data("viewer", INTROSPECTION)["__schema"]
    assert schema["queryType"] == {"name": "Query"}
    assert "CriteriaInput" in {t["name"] for t in schema["types"]}


def test_mutations_without_a_token_change_nothing(api: Api) -> None:
    response = api.post(
        "mutation($i: AlertInput!) { createAlert(input: $i) { alert { id } } }",
        {"i": {"name": "sneaky", "criteria": FRANCE}},
    )
    assert_refused(response)
    assert api.stored_alert_count() == 0


def test_a_batch_without_a_token_is_401(api: Api, secret: dict[str, Any]) -> None:
    response = api.client.post("/graphql", json=[{"query": ME}, {"query": EVERYTHING}])
    assert_refused(response)


def test_graphiql_page_loads_without_a_token(api: Api, secret: dict[str, Any]) -> None:
    response = api.client.get("/graphql", headers={"Accept": "text/html"})
    assert response.status_code == 200, response.text[:500]
    assert response.headers["content-type"].startswith("text/html")
    assert "graphiql" in response.text.lower()
    # The page is a client: it carries no data and no schema.
    assert SECRET_ALERT not in response.text
    assert "Acme Industries" not in response.text


def test_graphiql_page_does_not_run_a_query_in_its_url(api: Api, secret: dict[str, Any]) -> None:
    # A browser opening /graphql?query=... gets the page, never the query's answer.
    response = api.client.get(
        "/graphql",
        params={"query": "{ alerts { name } customers { edges { node { name } } } }"},
        headers={"Accept": "text/html"},
    )
    assert response.status_code in (200, 401), response.text[:500]
    assert SECRET_ALERT not in response.text
    assert "Acme Industries" not in response.text


@pytest.mark.parametrize("accept", ["application/json", "application/graphql-response+json", "*/*"])
def test_get_asking_for_json_without_a_token_is_401(
    api: Api, secret: dict[str, Any], accept: str
) -> None:
    assert_refused(
        api.client.get("/graphql", params={"query": EVERYTHING}, headers={"Accept": accept})
    )
    assert_refused(api.client.get("/graphql", headers={"Accept": accept}))


def test_get_with_a_wrong_token_is_401(api: Api, secret: dict[str, Any]) -> None:
    assert_refused(
        api.client.get(
            "/graphql",
            params={"query": EVERYTHING},
            headers={"Accept": "application/json", "Authorization": "Bearer wrong"},
        )
    )


WRONG = {"Authorization": "Bearer dso_not-a-token-anyone-has"}


@pytest.mark.parametrize(
    "request_kwargs",
    [
        {"json": [{"query": ME}]},  # a batch
        {"content": b"{not json", "headers": {"Content-Type": "application/json"}},
        {"content": b"query=x", "headers": {"Content-Type": "text/plain"}},
        {"json": {"variables": {}}},  # no query
        {"json": {"query": "mutation { deleteAlert(id: 1) { deletedId } }"}},
    ],
    ids=["batch", "bad-json", "not-json", "no-query", "mutation"],
)
def test_a_wrong_token_is_401_before_the_request_is_even_read(
    api: Api, secret: dict[str, Any], request_kwargs: dict[str, Any]
) -> None:
    """The token is checked first: a well-formed token nobody has learns nothing, not even
    what is wrong with its request (the endpoint checks it, see auth.py)."""
    headers = {**WRONG, **request_kwargs.pop("headers", {})}
    assert_refused(api.client.post("/graphql", headers=headers, **request_kwargs))
    assert api.alert("admin", secret["id"]) is not None


def test_a_token_revoked_between_two_requests_is_refused_at_once(api: Api) -> None:
    assert api.data("bob", ME) == {"me": {"name": "bob"}}
    with write_transaction(api.engine) as conn:
        revoke_user(conn, "bob")
    assert_refused(api.post(ME, headers={"Authorization": f"Bearer {api.tokens['bob']}"}))
