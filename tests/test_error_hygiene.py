"""Error hygiene: the server's own failures are answered with a generic message and a request
id (also in `extensions` and the X-Request-ID header), and logged under that id with the stack
trace; no SQL, file path, driver name or stack trace ever reaches a client."""

from __future__ import annotations

import logging
import re
from typing import Any

import httpx
import pytest
from sqlalchemy import text

from graphql_api import customer_queries
from graphql_api.app import GraphQLEndpoint
from graphql_api.viewer_alerts import ViewerAlerts
from tests.api_client import LATE, Api

pytest_plugins = ("tests.api_client",)

SECRET = "/srv/secret/config.py SELECT password FROM users"
LEAKS = re.compile(
    r"Traceback|File \"|\.py\b|/srv/|/work/|site-packages|SELECT|FROM users|no_such_table|"
    r"sqlalchemy|sqlite3|psycopg|OperationalError|ProgrammingError|RuntimeError|password",
    re.IGNORECASE,
)
PAGE = """query($id: ID!) {
  me { name }
  alerts { name }
  alert(id: $id) { name customers(first: 3) { totalCount edges { node { accountNumber } } } }
}"""


def request_id(response: httpx.Response) -> str:
    found = response.headers.get("x-request-id", "")
    assert re.fullmatch(r"[0-9a-f]{16}", found), response.headers
    return found


def masked(response: httpx.Response) -> tuple[str, dict[str, Any]]:
    """The request id of a response that reports an internal error, and its body."""
    assert not LEAKS.search(response.text), response.text
    body: dict[str, Any] = response.json()
    rid = request_id(response)
    internal = [
        e for e in body["errors"] if e.get("extensions", {}).get("code") == "INTERNAL_SERVER_ERROR"
    ]
    assert internal, body
    for error in internal:
        assert error["message"] == f"internal error (request id {rid})", error
        assert error["extensions"] == {"code": "INTERNAL_SERVER_ERROR", "requestId": rid}, error
    return rid, body


def logged(caplog: pytest.LogCaptureFixture, rid: str) -> logging.LogRecord:
    """The one error record for the request, with its stack trace."""
    records = [r for r in caplog.records if rid in r.getMessage() and r.levelno >= logging.ERROR]
    assert len(records) >= 1, [r.getMessage() for r in caplog.records]
    record = records[0]
    assert record.exc_info is not None, record.getMessage()
    trace = logging.Formatter().formatException(record.exc_info)
    assert "Traceback" in trace, trace
    return record


def ask(api: Api, query: str, user: str = "alice") -> httpx.Response:
    return api.post(query, headers={"Authorization": f"Bearer {api.tokens[user]}"})


def raw(api: Api, body: bytes) -> httpx.Response:
    headers = {"Content-Type": "application/json", "Authorization": f"Bearer {api.tokens['alice']}"}
    return api.client.post("/graphql", content=body, headers=headers)


def test_an_unexpected_exception_is_masked_and_logged(
    api: Api, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    late = api.create("alice", name="late", criteria=LATE)

    def explode(*args: Any) -> int:
        raise RuntimeError(SECRET)

    # An alert's totalCount is its stored count (viewer_alerts.py).
    monkeypatch.setattr(ViewerAlerts, "match_count", explode)
    with caplog.at_level(logging.ERROR):
        response = api.post(
            PAGE, {"id": late["id"]}, headers={"Authorization": f"Bearer {api.tokens['alice']}"}
        )
    assert response.status_code == 200
    rid, body = masked(response)
    (error,) = body["errors"]
    assert error["path"] == ["alert", "customers", "totalCount"], error
    # Only the failed field is lost (up to the nearest nullable one): the rest answered.
    assert body["data"] == {
        "me": {"name": "alice"}, "alerts": [{"name": "late"}], "alert": None,
    }  # fmt: skip
    record = logged(caplog, rid)
    assert SECRET in logging.Formatter().formatException(record.exc_info)  # type: ignore[arg-type]
    assert "alert.customers.totalCount" in record.getMessage()


def test_a_failing_sql_statement_is_masked_and_the_next_request_works(
    api: Api, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    page = customer_queries.sorted_customers

    def broken_page(conn: Any, *args: Any) -> Any:
        conn.execute(text("SELECT password FROM no_such_table"))
        return page(conn, *args)

    monkeypatch.setattr(customer_queries, "sorted_customers", broken_page)
    with caplog.at_level(logging.ERROR):
        response = ask(api, '{ me { name } customers(search: "acme") { totalCount } }')
    assert response.status_code == 200
    rid, _ = masked(response)
    record = logged(caplog, rid)
    assert "no_such_table" in logging.Formatter().formatException(record.exc_info)  # type: ignore[arg-type]

    monkeypatch.setattr(customer_queries, "sorted_customers", page)
    assert api.data("alice", '{ customers(search: "acme") { totalCount } }') == {
        "customers": {"totalCount": 1}
    }


def test_a_failure_outside_graphql_is_a_masked_500(
    api: Api, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def explode(self: Any, *args: Any) -> Any:
        raise RuntimeError(SECRET)

    monkeypatch.setattr(GraphQLEndpoint, "execute", explode)
    with caplog.at_level(logging.ERROR):
        response = ask(api, "{ me { name } }")
    assert response.status_code == 500
    rid, body = masked(response)
    assert body["data"] is None
    logged(caplog, rid)


def test_every_response_has_its_own_request_id(api: Api) -> None:
    responses = [
        ask(api, "{ me { name } }"),  # 200
        ask(api, "{ nope }"),  # a GraphQL error
        api.post("{ me { name } }"),  # 401
        raw(api, b"["),  # 400
        api.client.get("/graphql", headers={"Accept": "text/html"}),  # the GraphiQL page
    ]
    assert [r.status_code for r in responses] == [200, 200, 401, 400, 200]
    ids = [request_id(r) for r in responses]
    assert len(set(ids)) == len(ids)
    for response in responses:
        assert not LEAKS.search(response.text), response.text[:300]


def test_json_nested_too_deep_is_a_400_not_a_crash(api: Api) -> None:
    body = b'{"query": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    response = raw(api, body)
    assert response.status_code == 400, response.text[:300]
    assert response.json() == {
        "errors": [
            {"message": "the request body is not valid JSON", "extensions": {"code": "BAD_REQUEST"}}
        ]
    }


def test_client_errors_are_not_masked(api: Api) -> None:
    # A bad query is the client's: described, and nothing is logged as the server's fault.
    body = ask(api, "{ customers(first: -1) { totalCount } }").json()
    (error,) = body["errors"]
    assert "first must be between 0 and 500" in error["message"]
    assert error["extensions"]["code"] == "VALIDATION"
