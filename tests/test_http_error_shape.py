"""One error shape (SPEC §8), through HTTP on both databases: every error a client causes
carries `extensions.code` and, when it concerns an argument or an input field,
`extensions.field` with its dotted path from the argument's name — whether the value was
written in the document or came in a variable, scalar coercion errors included."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.api_client import MADE_UP_ALERT_ID, Api
from tests.test_query_limits import aliased, nested, tokens

pytest_plugins = ("tests.api_client",)

CUSTOMERS_WHERE = "query($w: CriteriaInput) { customers(where: $w) { totalCount } }"
CREATE = "mutation($i: AlertInput!) { createAlert(input: $i) { alert { id } } }"


def post(api: Api, query: str, variables: dict[str, Any] | None = None) -> httpx.Response:
    return api.post(query, variables, headers={"Authorization": f"Bearer {api.tokens['alice']}"})


def only_error(response: httpx.Response) -> dict[str, Any]:
    """The one error of a GraphQL answer (HTTP 200, as an application/json client gets)."""
    assert response.status_code == 200, (response.status_code, response.text[:300])
    errors = response.json()["errors"]
    assert len(errors) == 1, errors
    error: dict[str, Any] = errors[0]
    assert error["message"], error
    return error


def shape(error: dict[str, Any]) -> tuple[str, str | None]:
    extensions = error.get("extensions") or {}
    return extensions.get("code"), extensions.get("field")


# -- values the document cannot take (coercion) ------------------------------------------


@pytest.mark.parametrize(
    ("query", "variables", "field"),
    [
        ('{ customers(where: {overdueAmount: {min: "abc"}}) { totalCount } }', None,
         "where.overdueAmount.min"),
        (CUSTOMERS_WHERE, {"w": {"overdueAmount": {"min": "abc"}}}, "where.overdueAmount.min"),
        ("query($a: AmountRange) { customers(where: {overdueAmount: $a}) { totalCount } }",
         {"a": {"min": "abc"}}, "where.overdueAmount.min"),
        (CUSTOMERS_WHERE, {"w": {"country": {"values": ["FR", 7]}}}, "where.country.values"),
        ('{ customers(where: {country: {values: ["FR", 7]}}) { totalCount } }', None,
         "where.country.values"),
        (CUSTOMERS_WHERE, {"w": {"country": {"op": "MAYBE", "values": ["FR"]}}},
         "where.country.op"),
        ('{ customers(where: {country: {op: MAYBE, values: ["FR"]}}) { totalCount } }', None,
         "where.country.op"),
        (CUSTOMERS_WHERE, {"w": {"noSuchCriterion": True}}, "where.noSuchCriterion"),
        ("{ customers(where: {noSuchCriterion: true}) { totalCount } }", None,
         "where.noSuchCriterion"),
        ('{ customers(first: "ten") { totalCount } }', None, "first"),
        ("query($n: Int) { customers(first: $n) { totalCount } }", {"n": "ten"}, "first"),
        (CREATE, {"i": {"name": "x", "criteria": {"overdueAmount": {"min": "1e"}}}},
         "input.criteria.overdueAmount.min"),
        (CREATE, {"i": {"name": "x"}}, "input.criteria"),
        (CREATE, {"i": {"name": "x", "criteria": {}, "level": "URGENT"}}, "input.level"),
        ('mutation { createAlert(input: {name: "x", criteria: {country: {values: 1.5}}})'
         " { alert { id } } }", None, "input.criteria.country.values"),
        ('mutation { createAlert(input: {name: "x"}) { alert { id } } }', None, "input.criteria"),
        ("query($id: ID!) { alert(id: $id) { id } }", {}, "id"),
        ("{ alert { id } }", None, "id"),
        ("{ customers(pleaseSort: true) { totalCount } }", None, "pleaseSort"),
    ],
)  # fmt: skip
def test_a_value_the_schema_refuses_names_its_field(
    api: Api, query: str, variables: dict[str, Any] | None, field: str
) -> None:
    response = post(api, query, variables)
    error = only_error(response)
    assert shape(error) == ("VALIDATION", field), error
    assert response.json()["data"] is None  # the request could not run


def test_the_issue_s_example_min_abc(api: Api) -> None:
    query = '{ customers(where: {overdueAmount: {min: "abc"}}) { totalCount } }'
    error = only_error(post(api, query))
    assert error == {
        "message": "'abc' is not an amount",
        "extensions": {"code": "VALIDATION", "field": "where.overdueAmount.min"},
    }


# -- the resolvers' own checks -------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "variables", "code", "field"),
    [
        ("{ customers(where: {overdueAmount: {min: 5, max: 1}}) { totalCount } }", None,
         "VALIDATION", "where.overdueAmount.min"),
        (CUSTOMERS_WHERE, {"w": {"overdueAmount": {"min": 5, "max": 1}}}, "VALIDATION",
         "where.overdueAmount.min"),
        (CUSTOMERS_WHERE, {"w": {"country": {"values": []}}}, "VALIDATION",
         "where.country.values"),
        ("{ customers(first: 501) { totalCount } }", None, "VALIDATION", "first"),
        (f'{{ customers(alertId: "{MADE_UP_ALERT_ID}") {{ totalCount }} }}', None, "NOT_FOUND",
         "alertId"),
    ],
)  # fmt: skip
def test_a_resolver_s_error_names_the_argument(
    api: Api, query: str, variables: dict[str, Any] | None, code: str, field: str
) -> None:
    error = only_error(post(api, query, variables))
    assert shape(error) == (code, field), error
    assert error["path"] == ["customers"], error


# -- documents that cannot run at all --------------------------------------------------------


@pytest.mark.parametrize(
    "query",
    [
        "{ me { name }",  # does not parse
        "{ me { nope } }",  # does not validate
        "query { ...Missing }",
        aliased(16),
        nested(11),
        tokens(2001),
    ],
)  # fmt: skip
def test_a_document_that_does_not_parse_validate_or_fit_the_limits_is_a_bad_request(
    api: Api, query: str
) -> None:
    body = post(api, query).json()
    assert body["errors"], body
    for error in body["errors"]:
        assert shape(error) == ("BAD_REQUEST", None), error


@pytest.mark.parametrize(
    ("content", "content_type", "status"),
    [
        (b"{not json", "application/json", 400),
        (b"[]", "application/json", 400),
        (b'{"query": ""}', "application/json", 400),
        (b'{"query": "{ me { name } }", "variables": [1]}', "application/json", 400),
        (b"query { me { name } }", "application/graphql", 415),
        (b'{"query": "' + b" " * 1_000_001 + b'{ me { name } }"}', "application/json", 413),
    ],
)
def test_an_http_error_has_the_same_shape(
    api: Api, content: bytes, content_type: str, status: int
) -> None:
    headers = {"Authorization": f"Bearer {api.tokens['alice']}", "Content-Type": content_type}
    response = api.client.post("/graphql", content=content, headers=headers)
    assert response.status_code == status, response.text[:300]
    (error,) = response.json()["errors"]
    assert set(error) == {"message", "extensions"}, error
    assert error["extensions"] == {"code": "BAD_REQUEST"}, error


@pytest.mark.parametrize("authorization", [None, "Bearer not-a-token", "Basic YWxpY2U6eA=="])
def test_the_401_body(api: Api, authorization: str | None) -> None:
    headers = {} if authorization is None else {"Authorization": authorization}
    response = api.post("{ me { name } }", headers=headers)
    assert response.status_code == 401
    (error,) = response.json()["errors"]
    assert list(response.json()) == ["errors"]
    assert error["extensions"] == {"code": "UNAUTHENTICATED"}, error
    assert set(error) == {"message", "extensions"}, error


def test_every_client_error_of_a_request_has_a_code(api: Api) -> None:
    """A request whose fields fail each in its own way: each error that comes says how."""
    query = """{
      alerts { name customers(first: 9999) { totalCount } }
      customer(accountNumber: "C001") { items(first: -1) { totalCount } }
      late: customers(where: {overdueAmount: {min: 5, max: 1}}) { totalCount }
      unknown: customers(alertId: "MADE_UP_ALERT_ID") { totalCount }
    }""".replace("MADE_UP_ALERT_ID", MADE_UP_ALERT_ID)
    api.create("alice", name="late")
    errors = post(api, query).json()["errors"]
    expected = {("NOT_FOUND", "alertId"), ("VALIDATION", "first"),
                ("VALIDATION", "where.overdueAmount.min")}  # fmt: skip
    assert errors and {shape(e) for e in errors} <= expected, errors
