"""Several `dso-alerts serve` processes on one database (SPEC §9), as a deployment runs them:

- servers started together on a new database migrate it once, and all answer;
- two servers (two `serve`, or one `serve --workers 2`) meet a new day, moved under them by
  DSO_ALERTS_TODAY_FILE, and it is applied once: one NEW_DAY event, daily counts right;
- `dso-alerts import` runs while the bells are read over HTTP: every answer shows the old
  ledger or the new one, membership included, never a mix;

and `dso-alerts check` passes after each.
"""

from __future__ import annotations

import os
import subprocess
import threading
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine, func, select, text

from graphql_api.database import create_db_engine
from graphql_api.storage import alert_changes, alert_daily_counts, alert_matches, alert_states
from tests.conftest import DATABASES, TODAY, own_postgresql_database
from tests.live_server import (
    command,
    load_demo,
    serving,
    start_server,
    stop_server,
    wait_until_up,
)
from tests.test_concurrency import CUSTOMERS, write_ledger

pytestmark = pytest.mark.slow


@pytest.fixture(params=DATABASES)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A new, empty database: an SQLite file, or a database of the test cluster."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'served.db'}"
        return
    with own_postgresql_database(request, "served") as url:
        yield url


def environment(database_url: str, today_file: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "DSO_ALERTS_TODAY"}
    return {**env, "DSO_ALERTS_DATABASE_URL": database_url,
            "DSO_ALERTS_TODAY_FILE": str(today_file)}  # fmt: skip


def move_day(today_file: Path, day: date) -> None:
    """Write the day the way a test should: whole, by a rename (a server never reads half)."""
    written = today_file.with_suffix(".new")
    written.write_text(day.isoformat() + "\n")
    written.replace(today_file)


def dso_alerts(env: dict[str, str], *args: str, timeout: float = 300) -> str:
    done = subprocess.run(
        [*command(), *args], env=env, capture_output=True, text=True, timeout=timeout, check=False
    )
    assert done.returncode == 0, f"dso-alerts {' '.join(args)}:\n{done.stdout}\n{done.stderr}"
    return done.stdout


def assert_check_passes(env: dict[str, str]) -> None:
    assert "Membership is exact" in dso_alerts(env, "check")


# -- servers started together ------------------------------------------------------------


def test_servers_started_together_on_a_new_database_migrate_it_once(
    database_url: str, tmp_path: Path
) -> None:
    env = environment(database_url, tmp_path / "today")
    move_day(tmp_path / "today", TODAY)
    started = [start_server(tmp_path, env, {}, name=f"serve{n}") for n in range(3)]
    try:
        for process, server in started:
            assert wait_until_up(process, server, 90), server.log_text()[-4000:]
    finally:
        for process, _ in started:
            stop_server(process)
    engine = create_db_engine(database_url)
    try:
        with engine.connect() as conn:
            versions = conn.execute(text("SELECT version_num FROM alembic_version")).all()
            state = conn.execute(text("SELECT membership_date FROM ledger_state")).all()
    finally:
        engine.dispose()
    assert len(versions) == 1
    assert len(state) == 1 and str(state[0][0]) == TODAY.isoformat()
    assert_check_passes(env)


# -- a new day met by two servers --------------------------------------------------------

READ = "{ customers(first: 5) { totalCount edges { node { accountNumber bell { count } } } } }"


def ask(url: str, token: str, query: str) -> dict[str, Any]:
    response = httpx.post(
        url, json={"query": query}, headers={"Authorization": f"Bearer {token}"}, timeout=120
    )
    body = response.json()
    assert response.status_code == 200 and "errors" not in body, body
    return dict(body["data"])


def new_day_events(engine: Engine, day: date) -> int:
    """How many NEW_DAY events were recorded for `day` (one `at` each); and their changes."""
    with engine.connect() as conn:
        found = conn.execute(
            select(func.count(alert_changes.c.at.distinct()), func.count()).where(
                alert_changes.c.cause == "NEW_DAY", alert_changes.c.day == day
            )
        ).one()
    assert found[1] > 0, f"moving to {day} changed no membership: the test proves nothing"
    return int(found[0])


def assert_daily_counts_right(engine: Engine, day: date) -> None:
    """Each alert's count of `day` (its newest row on or before it) is its stored count,
    which is the number of its matches."""
    with engine.connect() as conn:
        stored = dict(
            conn.execute(select(alert_states.c.alert_id, alert_states.c.match_count)).all()
        )
        matches = dict(
            conn.execute(
                select(alert_matches.c.alert_id, func.count()).group_by(alert_matches.c.alert_id)
            ).all()
        )
        newest = (
            select(alert_daily_counts.c.alert_id, func.max(alert_daily_counts.c.day).label("day"))
            .where(alert_daily_counts.c.day <= day)
            .group_by(alert_daily_counts.c.alert_id)
        )
        last = newest.subquery()
        daily = dict(
            conn.execute(
                select(alert_daily_counts.c.alert_id, alert_daily_counts.c.match_count).join(
                    last,
                    (last.c.alert_id == alert_daily_counts.c.alert_id)
                    & (last.c.day == alert_daily_counts.c.day),
                )
            ).all()
        )
    assert stored, "no alert was evaluated"
    assert stored == {i: matches.get(i, 0) for i in stored} == daily


@pytest.mark.parametrize("servers", ["two serve", "serve --workers 2"])
def test_two_servers_meet_a_new_day_and_apply_it_once(
    database_url: str, tmp_path: Path, servers: str
) -> None:
    today_file = tmp_path / "today"
    env = environment(database_url, today_file)
    move_day(today_file, TODAY)
    tokens = load_demo(env, tmp_path)
    token = tokens["alice"]
    engine = create_db_engine(database_url)
    # The servers start on a pending day (the demo ran on TODAY): they start together.
    first_day, second_day = date(2026, 12, 20), date(2027, 1, 20)
    move_day(today_file, first_day)
    workers = 2 if servers == "serve --workers 2" else 1
    names = ["serve"] if workers == 2 else ["serve-a", "serve-b"]
    started = [start_server(tmp_path, env, tokens, workers=workers, name=n) for n in names]
    try:
        for process, server in started:
            assert wait_until_up(process, server, 90), server.log_text()[-4000:]
        urls = [server.url for _, server in started]
        assert new_day_events(engine, first_day) == 1
        assert_daily_counts_right(engine, first_day)
        # The day moves under the running servers: requests to both meet it at once.
        move_day(today_file, second_day)
        barrier = threading.Barrier(8)
        answers: list[Any] = []

        def reader(n: int) -> None:
            barrier.wait(timeout=30)
            try:
                answers.append(ask(urls[n % len(urls)], token, READ))
            except Exception as error:  # reported below, with the others
                answers.append(error)

        threads = [threading.Thread(target=reader, args=(n,)) for n in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=180)
        assert len(answers) == 8 and all(isinstance(a, dict) for a in answers), answers
        assert new_day_events(engine, second_day) == 1
        assert_daily_counts_right(engine, second_day)
    finally:
        for process, _ in started:
            stop_server(process)
        engine.dispose()
    assert_check_passes(env)


# -- an import while the bells are read ----------------------------------------------------

BELLS = """{ alerts { name matchCount }
  customers(first: 500) { totalCount edges { node {
    accountNumber outstandingAmount bell { count alerts { name } } } } } }"""
CREATE = """mutation($input: AlertInput!) { createAlert(input: $input) { errors { message } } }"""
# Under the old ledger (3 items of 100.00 each) no customer matches; under the new one (of
# 200.00) every customer matches both: a customer alert, and an item alert.
ALERTS = {
    "big": {"outstandingAmount": {"min": "450"}},
    "big item": {"itemOpenAmount": {"min": "150"}},
}


def one_ledger(data: dict[str, Any]) -> str:
    """Which ledger an answer shows, "old" or "new"; failing on any mix of the two, the
    membership (bells, counts) included."""
    edges = data["customers"]["edges"]
    assert data["customers"]["totalCount"] == len(edges) == CUSTOMERS
    amounts = {edge["node"]["outstandingAmount"] for edge in edges}
    assert len(amounts) == 1, f"a mix of ledgers: {sorted(amounts)}"
    new = float(amounts.pop()) == 600.0
    bells = {(e["node"]["bell"]["count"], len(e["node"]["bell"]["alerts"])) for e in edges}
    counts = {alert["name"]: alert["matchCount"] for alert in data["alerts"]}
    assert bells == ({(2, 2)} if new else {(0, 0)}), (new, bells)
    assert counts == dict.fromkeys(ALERTS, CUSTOMERS if new else 0), (new, counts)
    return "new" if new else "old"


def test_an_import_while_bells_are_read_shows_the_old_ledger_or_the_new_one(
    database_url: str, tmp_path: Path
) -> None:
    today_file = tmp_path / "today"
    env = environment(database_url, today_file)
    move_day(today_file, TODAY)
    ledgers = [write_ledger(tmp_path / "new", "200.00", "B"),
               write_ledger(tmp_path / "old", "100.00", "A")]  # fmt: skip

    def import_args(files: dict[str, Path]) -> list[str]:
        return ["import", "--customers", str(files["customers_file"]),
                "--items", str(files["items_file"])]  # fmt: skip

    dso_alerts(env, *import_args(ledgers[1]))
    token = dso_alerts(env, "users", "add", "reader", "--role", "USER").strip().splitlines()[-1]
    stop = threading.Event()
    imports = [0]
    seen: list[str] = []
    failures: list[BaseException] = []

    with serving(tmp_path, env, {"reader": token}) as server:
        for name, criteria in ALERTS.items():
            created = httpx.post(
                server.url, headers={"Authorization": f"Bearer {token}"}, timeout=60,
                json={"query": CREATE, "variables": {"input": {"name": name,
                                                               "criteria": criteria}}},
            ).json()  # fmt: skip
            assert created["data"]["createAlert"]["errors"] == [], created

        def importer() -> None:
            while not stop.is_set():
                dso_alerts(env, *import_args(ledgers[imports[0] % 2]))
                imports[0] += 1

        def reader() -> None:
            while not stop.is_set():
                seen.append(one_ledger(ask(server.url, token, BELLS)))

        def guarded(job: Any) -> None:
            try:
                job()
            except BaseException as error:
                failures.append(error)
                stop.set()

        threads = [threading.Thread(target=guarded, args=(job,))
                   for job in (importer, reader, reader)]  # fmt: skip
        for thread in threads:
            thread.start()
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and not stop.is_set():
            if imports[0] >= 3 and {"old", "new"} <= set(seen):
                break
            time.sleep(0.1)
        stop.set()
        for thread in threads:
            thread.join(timeout=300)
    if failures:
        raise failures[0]
    assert imports[0] >= 3 and {"old", "new"} <= set(seen), (imports, len(seen))
    assert_check_passes(env)
