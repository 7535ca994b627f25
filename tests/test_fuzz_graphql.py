"""Fuzzing: schemathesis, in GraphQL mode, against a live `dso-alerts serve`.

The server runs as a user runs it (`dso-alerts demo`, then `dso-alerts serve` on a
free loopback port, SQLite file in a temporary folder); schemathesis reads its schema
by introspection with a valid token and sends generated queries and mutations of every
root field, as a USER (who may create, change and delete alerts) and as a VIEWER.

Every answer must be: not a 5xx; JSON; free of stack traces, file paths, driver or SQL
text; and free of masked "internal error"s (an unexpected exception is a bug even when
it is masked). The run is bounded: FUZZ_EXAMPLES generated cases per root field per
user (DSO_ALERTS_FUZZ_EXAMPLES overrides it), about 20 s in all.
Any failing case found is kept as a regression test in tests/test_fuzz_regressions.py.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import graphql
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, assume, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.graphql import nodes

from tests.conftest import DATABASES, TODAY, own_postgresql_database
from tests.live_server import LiveServer, live_server

FUZZ_EXAMPLES = int(os.environ.get("DSO_ALERTS_FUZZ_EXAMPLES", "30"))
SCHEMA_FILE = Path(__file__).parent.parent / "schema" / "schema.graphql"
USERS = ("alice", "viewer")  # a USER's mutations take effect; a VIEWER's are all FORBIDDEN

# What no answer may contain, whatever was sent (user input is only echoed in short,
# clipped messages, and generated strings do not spell these).
LEAKS = [
    re.compile(pattern, re.IGNORECASE)
    for pattern in (
        r"Traceback \(most recent call last\)",
        r'File "[^"]+", line \d+',
        r"\.py\b[\"', ]",
        r"/(?:usr|home|work|tmp|opt|site-packages)/",
        r"sqlalchemy|psycopg|sqlite3|OperationalError|IntegrityError|ProgrammingError",
        r"\b(?:SELECT\s.+\sFROM|INSERT\s+INTO|UPDATE\s+\w+\s+SET|DELETE\s+FROM)\b",
        r"\(Background on this error",
        r"\bat 0x[0-9a-f]+>",
    )
]


def problems_in(status: int, text: str) -> list[str]:
    """Why an answer is not acceptable (empty when it is)."""
    found: list[str] = []
    if status >= 500:
        found.append(f"HTTP {status}")
    unescaped = text.replace('\\"', '"').replace("\\\\", "\\")  # JSON-escaped quotes too
    for pattern in LEAKS:
        if pattern.search(text) or pattern.search(unescaped):
            found.append(f"leaks {pattern.pattern!r}")
    try:
        body: Any = json.loads(text)
    except ValueError:
        return [*found, "the body is not JSON"]
    if not isinstance(body, dict):
        return [*found, "the body is not a JSON object"]
    for error in body.get("errors") or []:
        message = str(error.get("message", "")) if isinstance(error, dict) else str(error)
        if "internal error" in message.lower():
            found.append(f"an unexpected exception (masked): {message}")
        if "Cannot return null for non-nullable field" in message:
            found.append(f"breaks its own schema: {message}")
    return found


# The schema's own scalars: schemathesis knows Date but not Decimal (amounts), and would
# otherwise never send an amount. Valid values, edge values and garbage, in every AST form.
WEIRD_NUMBERS = [
    "1e999", "-1e999", "1e-999", "NaN", "-NaN", "sNaN", "Infinity", "-Infinity", "inf", "-0",
    "0.001", "0.005", "1,5", "1 000", "1_000", "0x10", "", " ", "١٢٣", "9" * 400, "1." + "0" * 400,
    "99999999999999999999.99", "-99999999999999999999.99", "1e6", "12.3.4",
]  # fmt: skip
WEIRD_DATES = [
    "2026-02-30", "2026-13-01", "0000-01-01", "0001-01-01", "9999-12-31", "30/02/2026",
    "2026-11-23T10:00:00", "", "today", "2026-1-1", "+2026-01-01", "99999-01-01",
]  # fmt: skip
schemathesis.graphql.scalar(
    "Decimal",
    st.one_of(
        st.decimals(places=2, min_value=-(10**15), max_value=10**15).map(nodes.String),
        st.decimals(allow_nan=True, allow_infinity=True).map(nodes.String),
        st.sampled_from(WEIRD_NUMBERS).map(nodes.String),
        st.integers().map(nodes.Int),
        st.floats(allow_nan=False, allow_infinity=False).map(nodes.Float),
    ),
)
schemathesis.graphql.scalar(
    "Date",
    st.one_of(
        st.dates().map(nodes.String),
        st.sampled_from(WEIRD_DATES).map(nodes.String),
        st.integers().map(nodes.Int),
    ),
)
schemathesis.graphql.scalar("JSON", st.text(max_size=20).map(nodes.String))

# Found by this fuzzer, reported, not fixed yet: on PostgreSQL, U+0000 in any text input
# (an alert's name, a search, a criterion's value, a reminder's note...) ends in an
# unexpected exception. Kept in tests/test_fuzz_regressions.py (strict xfails); until the
# fix lands, the fuzzer does not send it there, so that the suite is not red at random.
NUL_BUG_OPEN = False  # fixed: text inputs refuse U+0000 with VALIDATION

SENT: list[int] = []  # status of every request sent, for the summary


@contextmanager
def database_url(database: str, request: pytest.FixtureRequest) -> Iterator[str | None]:
    """None for a new SQLite file; on PostgreSQL, a database of its own on the suite's server."""
    if database == "sqlite":
        yield None
        return
    with own_postgresql_database(request, "dso_alerts_fuzz") as url:
        yield url


@pytest.fixture(scope="module", params=DATABASES)
def server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveServer]:
    folder = tmp_path_factory.mktemp(f"fuzz-{request.param}")
    SENT.clear()
    with (
        database_url(request.param, request) as url,
        live_server(folder, database_url=url, today=TODAY.isoformat()) as running,
    ):
        yield running
        log = running.log_text()
    statuses = {status: SENT.count(status) for status in sorted(set(SENT))}
    print(f"\nfuzz on {request.param}: {len(SENT)} requests, by HTTP status: {statuses}")
    # An unexpected exception is a bug even when the answer masks it: the server logs it.
    assert "Traceback" not in log, log[-6000:]


@pytest.fixture(scope="module")
def schemas(server: LiveServer) -> dict[str, Any]:
    """The schema as schemathesis reads it from the live server, by introspection, per user."""
    return {
        user: schemathesis.graphql.from_url(
            server.url, headers={"Authorization": f"Bearer {server.tokens[user]}"}, timeout=30
        )
        for user in USERS
    }


def root_fields() -> list[tuple[str, str]]:
    """(root type, field) of every entry point in the SDL kept in schema/schema.graphql."""
    sdl = graphql.build_schema(SCHEMA_FILE.read_text(encoding="utf-8"))
    roots = [("Query", sdl.query_type), ("Mutation", sdl.mutation_type)]
    return [(name, field) for name, root in roots if root for field in root.fields]


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
@pytest.mark.parametrize("user", USERS)
@pytest.mark.parametrize(("root", "field"), root_fields(), ids=lambda v: str(v))
def test_no_server_error_and_no_leak(
    schemas: dict[str, Any], server: LiveServer, root: str, field: str, user: str,
    mode: GenerationMode,
) -> None:  # fmt: skip
    operation = schemas[user][root][field]
    headers = {"Authorization": f"Bearer {server.tokens[user]}"}
    sent: list[int] = []

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=FUZZ_EXAMPLES, deadline=None, database=None,
        suppress_health_check=list(HealthCheck), phases=[Phase.generate, Phase.shrink],
    )  # fmt: skip
    def fuzz(case: Any) -> None:
        if NUL_BUG_OPEN and server.database == "postgresql":
            assume("\\u0000" not in case.body and "\x00" not in case.body)
        response = case.call(headers=headers, timeout=30)
        sent.append(response.status_code)
        found = problems_in(response.status_code, response.text)
        assert not found, (
            f"{found}\nrequest: {json.dumps(case.body)[:4000]}\n"
            f"answer ({response.status_code}): {response.text[:4000]}"
        )

    fuzz()
    assert sent, "schemathesis sent nothing"
    SENT.extend(sent)


def test_the_checks_catch_what_they_are_for() -> None:
    # Control: each kind of failure is recognised, and ordinary answers pass.
    assert problems_in(200, '{"data":{"me":{"name":"alice"}}}') == []
    assert problems_in(200, '{"data":null,"errors":[{"message":"NOT_FOUND: no such alert"}]}') == []
    assert problems_in(500, '{"errors":[{"message":"boom"}]}') == ["HTTP 500"]
    traceback = 'Traceback (most recent call last):\n  File "/x/app.py", line 3, in f'
    assert len(problems_in(200, json.dumps({"errors": [{"message": traceback}]}))) >= 2
    sql = "(sqlite3.OperationalError) no such column [SQL: SELECT a FROM alerts]"
    assert len(problems_in(200, json.dumps({"errors": [{"message": sql}]}))) >= 2
    masked = {"errors": [{"message": "internal error: the server could not answer this field"}]}
    assert problems_in(200, json.dumps(masked))
    assert problems_in(200, "<html>oops</html>") == ["the body is not JSON"]
