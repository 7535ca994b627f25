"""CORS (SPEC §8), on both databases: the origins of DSO_ALERTS_CORS_ORIGINS may call the API
from a page. Their preflight is answered before authentication; every answer they get —
200, 401, 413, a masked 500 — carries `Access-Control-Allow-Origin` with their origin and
exposes X-Request-ID. Any other origin never gets `Access-Control-Allow-Origin`."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from pydantic import ValidationError

from graphql_api.app import GraphQLEndpoint, create_app
from graphql_api.plugins import CriteriaRegistry
from tests.api_client import Api

with warnings.catch_warnings():
    warnings.filterwarnings("ignore", "Using `httpx` with `starlette.testclient`")
    from starlette.testclient import TestClient

pytest_plugins = ("tests.api_client",)

SPA = "http://localhost:5173"
OTHER_SPA = "https://alerts.example.com"
STRANGER = "https://evil.example.net"
ALLOW_ORIGIN = "access-control-allow-origin"


@pytest.fixture
def browser(
    api: Api, registry: CriteriaRegistry, monkeypatch: pytest.MonkeyPatch
) -> Iterator[TestClient]:
    """The application served with two allowed origins, on `api`'s database and users."""
    monkeypatch.setenv("DSO_ALERTS_CORS_ORIGINS", f" {SPA} , {OTHER_SPA}")
    with TestClient(create_app(api.engine, registry), raise_server_exceptions=False) as client:
        yield client


def preflight(client: TestClient, origin: str, method: str = "POST") -> httpx.Response:
    return client.options("/graphql", headers={
        "Origin": origin, "Access-Control-Request-Method": method,
        "Access-Control-Request-Headers": "authorization, content-type",
    })  # fmt: skip


def post(
    client: TestClient, origin: str, token: str | None = None, **options: Any
) -> httpx.Response:
    headers = {"Origin": origin}
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    options.setdefault("json", {"query": "{ me { name } }"})
    return client.post("/graphql", headers=headers, **options)


def exposed(response: httpx.Response) -> set[str]:
    value = response.headers.get("access-control-expose-headers", "")
    return {name.strip().lower() for name in value.split(",")}


@pytest.mark.parametrize("origin", [SPA, OTHER_SPA])
def test_an_allowed_origin_s_preflight_needs_no_token(browser: TestClient, origin: str) -> None:
    response = preflight(browser, origin)
    assert response.status_code == 200, response.text
    assert response.headers[ALLOW_ORIGIN] == origin
    methods = {m.strip() for m in response.headers["access-control-allow-methods"].split(",")}
    assert methods == {"GET", "POST"}
    allowed = response.headers["access-control-allow-headers"].lower()
    assert "authorization" in allowed and "content-type" in allowed
    assert preflight(browser, origin, "GET").status_code == 200


def test_a_refused_origin_s_preflight_gets_no_allow_origin(browser: TestClient) -> None:
    for origin in (STRANGER, SPA + "/", "http://localhost:5174", "null"):
        response = preflight(browser, origin)
        assert ALLOW_ORIGIN not in response.headers, (origin, response.headers)
        assert response.status_code != 401  # answered before authentication all the same
    assert preflight(browser, SPA, "DELETE").status_code == 400  # GET and POST only


def test_every_answer_to_an_allowed_origin_carries_it(
    browser: TestClient, api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    token = api.tokens["alice"]
    answers = {
        "200": post(browser, SPA, token),
        "401 without a token": post(browser, SPA),
        "401 with a bad token": post(browser, SPA, "nope"),
        "413": browser.post("/graphql", content=b"x" * 1_000_001,
                            headers={"Origin": SPA, "Content-Type": "application/json",
                                     "Authorization": f"Bearer {token}"}),
        "400": post(browser, SPA, token, json={"query": "{ me {"}),
        "GET": browser.get("/graphql", params={"query": "{ me { name } }"},
                           headers={"Origin": SPA, "Authorization": f"Bearer {token}"}),
    }  # fmt: skip
    monkeypatch.setattr(GraphQLEndpoint, "execute", lambda *args, **kwargs: 1 / 0)
    answers["500"] = post(browser, SPA, token)
    statuses = {name: response.status_code for name, response in answers.items()}
    assert statuses == {"200": 200, "401 without a token": 401, "401 with a bad token": 401,
                        "413": 413, "400": 200, "GET": 200, "500": 500}  # fmt: skip
    for name, response in answers.items():
        assert response.headers.get(ALLOW_ORIGIN) == SPA, (name, response.headers)
        assert "x-request-id" in exposed(response), (name, response.headers)
        assert response.headers["x-request-id"], name
    assert answers["200"].json() == {"data": {"me": {"name": "alice"}}}
    assert answers["401 without a token"].json()["errors"][0]["extensions"] == {
        "code": "UNAUTHENTICATED"
    }


def test_another_origin_never_gets_allow_origin(browser: TestClient, api: Api) -> None:
    answers = [post(browser, STRANGER, api.tokens["alice"]), post(browser, STRANGER)]
    assert [r.status_code for r in answers] == [200, 401]  # the API answers; browsers hide it
    for response in answers:
        assert ALLOW_ORIGIN not in response.headers, response.headers


def test_no_origin_is_allowed_by_default(api: Api, registry: CriteriaRegistry) -> None:
    with TestClient(create_app(api.engine, registry)) as client:
        assert ALLOW_ORIGIN not in preflight(client, SPA).headers
        assert ALLOW_ORIGIN not in post(client, SPA, api.tokens["alice"]).headers


@pytest.mark.parametrize(
    "setting", ["*", "localhost:5173", "http://localhost:5173/", "http://a.example/app", "ftp://x"]
)
def test_a_setting_that_is_not_a_list_of_origins_is_refused(
    setting: str, registry: CriteriaRegistry, api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DSO_ALERTS_CORS_ORIGINS", f"{SPA},{setting}")
    with pytest.raises(ValidationError, match="is not an origin"):
        create_app(api.engine, registry)
