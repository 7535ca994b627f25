"""Concurrent writers and readers, on SQLite (WAL, BEGIN IMMEDIATE) and PostgreSQL (one
transaction, the ledger row lock), with real threads and processes on one database:

- two updateAlert from the same expectedVersion at once: exactly one wins, the others get
  CONFLICT, and the version goes up once;
- imports while the API answers: every response shows the old ledger or the new one,
  never a mix (figures and items of one request from one snapshot);
- two imports at once: one waits for the other; the end state is one complete import;
- `dso-alerts import` killed mid-way (SIGKILL): every row is as it was before;
- a token revoked by `dso-alerts users revoke` while the server runs: its next request is 401.

Each test is bounded to a few seconds.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
import warnings
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, func, select, text
from sqlalchemy.exc import OperationalError

from graphql_api.alerts import AlertInput, create_alert
from graphql_api.app import create_app
from graphql_api.database import write_transaction
from graphql_api.ledger_import import import_ledger
from graphql_api.plugins import CriteriaRegistry
from graphql_api.storage import (
    alert_changes,
    alert_matches,
    alerts,
    customer_figures,
    customers,
    items,
    ledger_state,
    metadata,
    users,
)
from graphql_api.users import Role, add_user, users_by_id
from tests.api_client import LATE, Api
from tests.conftest import TODAY

with warnings.catch_warnings():
    warnings.filterwarnings("ignore", "Using `httpx` with `starlette.testclient`")
    from starlette.testclient import TestClient

pytest_plugins = ("tests.api_client",)

CUSTOMERS = 200
ITEMS_PER_CUSTOMER = 3
PAGE = """{ customers(first: 500) { totalCount edges { node {
  accountNumber outstandingAmount items(first: 10) { totalCount nodes { openAmount } } } } } }"""


def database_url(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=False)


def dso_alerts(
    *args: str, engine: Engine, today: date | None = None, **options: Any
) -> subprocess.Popen[str]:
    """`dso-alerts ARGS` in its own process, on the test's database (on `today` when given)."""
    script = Path(sys.executable).parent / "dso-alerts"
    env = {**os.environ, "DSO_ALERTS_DATABASE_URL": database_url(engine)}
    if today is not None:
        env["DSO_ALERTS_TODAY"] = today.isoformat()
    return subprocess.Popen(
        [str(script), *args], env=env, text=True,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, **options,
    )  # fmt: skip


def write_ledger(folder: Path, amount: str, documents: str) -> dict[str, Path]:
    """CUSTOMERS customers with ITEMS_PER_CUSTOMER items of `amount` each, numbered
    `documents`1, 2...: every customer's outstandingAmount is 3 × amount."""
    folder.mkdir(parents=True, exist_ok=True)
    customers_csv = folder / "customers.csv"
    customers_csv.write_text(
        "account_number,name\n" + "".join(f"K{n:04d},Customer {n}\n" for n in range(CUSTOMERS))
    )
    items_csv = folder / "items.csv"
    items_csv.write_text(
        "account_number,document_number,type,due_date,open_amount\n"
        + "".join(
            f"K{n:04d},{documents}{n}-{k},INVOICE,2026-10-01,{amount}\n"
            for n in range(CUSTOMERS)
            for k in range(ITEMS_PER_CUSTOMER)
        )
    )
    return {"customers_file": customers_csv, "items_file": items_csv}


def all_rows(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, in primary-key order."""
    with engine.connect() as conn:
        return {
            table.name: [
                tuple(row) for row in conn.execute(select(table).order_by(*table.primary_key))
            ]
            for table in metadata.sorted_tables
        }


def run_together(*jobs: Callable[[], Any]) -> list[Any]:
    """Run the jobs in threads released at the same instant; their results (or exceptions)."""
    start = threading.Barrier(len(jobs))

    def released(job: Callable[[], Any]) -> Any:
        start.wait(timeout=10)
        try:
            return job()
        except Exception as error:
            return error

    with ThreadPoolExecutor(len(jobs)) as pool:
        return list(pool.map(released, jobs))


# -- updateAlert -------------------------------------------------------------------------


@pytest.mark.parametrize("contenders", [2, 4])
def test_concurrent_updates_from_one_version_exactly_one_wins(api: Api, contenders: int) -> None:
    alert = api.create("alice", name="late", criteria=LATE)
    version = alert["version"]
    for round_ in range(5):

        def update(n: int, round_: int = round_, version: int = version) -> dict[str, Any]:
            changed = {"name": f"round {round_} by {n}", "criteria": LATE}
            return api.update_payload("alice", alert["id"], changed, expected_version=version)

        payloads = run_together(*(lambda n=n: update(n) for n in range(contenders)))
        won = [p for p in payloads if isinstance(p, dict) and not p["errors"]]
        lost = [p for p in payloads if isinstance(p, dict) and p["errors"]]
        assert len(won) == 1 and len(lost) == contenders - 1, payloads
        for payload in lost:
            assert [e["code"] for e in payload["errors"]] == ["CONFLICT"], payload
            # The loser is shown the alert as the winner left it (SPEC §8).
            assert payload["alert"]["name"] == won[0]["alert"]["name"], payload
            assert payload["alert"]["version"] == version + 1, payload
        assert won[0]["alert"]["version"] == version + 1
        stored = api.alert("alice", alert["id"])
        assert stored is not None
        assert (stored["version"], stored["name"]) == (version + 1, won[0]["alert"]["name"])
        version += 1
    with api.engine.connect() as conn:
        assert conn.execute(select(alerts.c.version)).scalar_one() == 1 + 5


# -- imports while readers read ----------------------------------------------------------


def check_page(data: dict[str, Any]) -> Decimal:
    """A page's customers all carry the same outstanding amount, equal to the sum of their
    items (read by another statement of the request): the amount."""
    edges = data["customers"]["edges"]
    assert data["customers"]["totalCount"] == len(edges) == CUSTOMERS
    amounts = set()
    for edge in edges:
        node = edge["node"]
        outstanding = Decimal(str(node["outstandingAmount"]))
        from_items = sum(Decimal(str(i["openAmount"])) for i in node["items"]["nodes"])
        assert node["items"]["totalCount"] == ITEMS_PER_CUSTOMER, node
        assert outstanding == from_items, node  # figures and items from one snapshot
        amounts.add(outstanding)
    assert len(amounts) == 1, f"a mix of ledgers: {sorted(amounts)}"
    return amounts.pop()


def test_readers_see_the_old_ledger_or_the_new_one_never_a_mix(
    engine: Engine, registry: CriteriaRegistry, tmp_path: Path
) -> None:
    old = write_ledger(tmp_path / "old", "100.00", "A")
    new = write_ledger(tmp_path / "new", "200.00", "B")
    import_ledger(engine, today=TODAY, **old)
    with write_transaction(engine) as conn:
        token = add_user(conn, "reader", Role.VIEWER)
    headers = {"Authorization": f"Bearer {token}"}
    stop = threading.Event()
    imports = [0]

    def importer() -> None:
        files = [new, old]
        while not stop.is_set():
            import_ledger(engine, today=TODAY, **files[imports[0] % 2])
            imports[0] += 1

    seen: list[Decimal] = []

    with TestClient(create_app(engine, registry)) as client:

        def reader() -> None:
            while not stop.is_set():
                response = client.post("/graphql", json={"query": PAGE}, headers=headers)
                body = response.json()
                assert response.status_code == 200 and "errors" not in body, body
                seen.append(check_page(body["data"]))

        with ThreadPoolExecutor(4) as pool:
            running = [pool.submit(importer), *(pool.submit(reader) for _ in range(3))]
            # Until enough was imported and read, not for a fixed time: the importer shares the
            # GIL with three readers, and on a busy machine two imports took more than the
            # 2.5 s this test used to allow.
            enough = lambda: imports[0] >= 2 and len(seen) >= 6  # noqa: E731
            wait_until(lambda: enough() or any(f.done() for f in running), 120)
            stop.set()
            for future in running:
                future.result(timeout=120)  # a reader's failed assertion is raised here
    assert imports[0] >= 2 and len(seen) >= 6, (imports, len(seen))
    assert set(seen) <= {Decimal("300.00"), Decimal("600.00")}, set(seen)


# -- two imports at once -----------------------------------------------------------------


def ledger_state_of(engine: Engine) -> tuple[set[str], set[Decimal], int]:
    """The items' document prefixes, the customers' outstanding amounts, and the number of
    items; every customer's figures agree with its items."""
    with engine.connect() as conn:
        rows = conn.execute(
            select(items.c.customer_id, items.c.document_number, items.c.open_amount)
        ).all()
        figures = dict(
            conn.execute(
                select(customer_figures.c.customer_id, customer_figures.c.outstanding_amount)
            ).all()
        )
    totals: dict[int, Decimal] = {}
    for customer_id, _, amount in rows:
        totals[customer_id] = totals.get(customer_id, Decimal(0)) + amount
    assert totals == figures
    return {row.document_number[0] for row in rows}, set(figures.values()), len(rows)


def test_two_imports_at_once_one_waits_and_one_complete_ledger_remains(
    engine: Engine, tmp_path: Path
) -> None:
    first = write_ledger(tmp_path / "first", "100.00", "A")
    second = write_ledger(tmp_path / "second", "7.00", "B")

    def timed(files: dict[str, Path]) -> tuple[float, float]:
        started = time.monotonic()
        import_ledger(engine, today=TODAY, **files)
        return started, time.monotonic()

    overlapped = 0
    for _ in range(3):
        results = run_together(lambda: timed(first), lambda: timed(second))
        # Both succeed (the second waits for the first), or one fails cleanly.
        failed = [r for r in results if isinstance(r, Exception)]
        assert len(failed) <= 1, failed
        for error in failed:
            assert isinstance(error, OperationalError), error
        if not failed:
            (start_a, end_a), (start_b, end_b) = results
            overlapped += max(start_a, start_b) < min(end_a, end_b)
        documents, outstanding, count = ledger_state_of(engine)
        assert count == CUSTOMERS * ITEMS_PER_CUSTOMER
        assert (documents, outstanding) in (
            ({"A"}, {Decimal("300.00")}),
            ({"B"}, {Decimal("21.00")}),
        ), (documents, outstanding)
        with engine.connect() as conn:
            assert len(conn.execute(select(customers.c.id)).all()) == CUSTOMERS
    assert overlapped, "the imports never ran at the same time"


# -- an import killed mid-way ------------------------------------------------------------


def write_big_items(folder: Path, count: int) -> Path:
    """An items file of `count` rows over the CUSTOMERS accounts of `write_ledger`."""
    path = folder / "big-items.csv"
    with path.open("w") as out:
        out.write("account_number,document_number,type,due_date,open_amount\n")
        out.writelines(
            f"K{n % CUSTOMERS:04d},Z{n:08d},INVOICE,2026-0{1 + n % 9}-15,{100 + n % 50}.25\n"
            for n in range(count)
        )
    return path


def writer_is_busy(engine: Engine) -> bool:
    """Whether another process holds the writers' lock (BEGIN IMMEDIATE / the ledger row)."""
    if engine.dialect.name == "sqlite":
        import sqlite3

        conn = sqlite3.connect(engine.url.database or "", timeout=0, isolation_level=None)
        try:
            conn.execute("BEGIN IMMEDIATE")
            conn.execute("ROLLBACK")
            return False
        except sqlite3.OperationalError:
            return True
        finally:
            conn.close()
    with engine.connect() as conn, conn.begin():
        try:
            conn.execute(text("SELECT id FROM ledger_state WHERE id = 1 FOR UPDATE NOWAIT"))
            return False
        except OperationalError:
            return True


def wait_until(condition: Callable[[], bool], timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return False


@pytest.fixture
def killed_import_scene(
    engine: Engine, registry: CriteriaRegistry, tmp_path: Path
) -> Iterator[Path]:
    import_ledger(engine, today=TODAY, **write_ledger(tmp_path / "before", "100.00", "A"))
    with write_transaction(engine) as conn:
        add_user(conn, "owner", Role.USER)
        owner_id = conn.execute(select(users.c.id).where(users.c.name == "owner")).scalar_one()
        owner = users_by_id(conn, [owner_id])[owner_id]
        # Every customer is overdue; the big file's items of 120.25 or more would enter the
        # second alert: the killed import had membership to change.
        for name, criteria in (("late", {"overdueAmount": {"min": "1"}}),
                               ("big item", {"itemOpenAmount": {"min": "120"}})):  # fmt: skip
            create_alert(conn, registry, owner, AlertInput(name, criteria), today=TODAY)
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(alert_matches)).scalar() == CUSTOMERS
        assert conn.execute(select(func.count()).select_from(alert_changes)).scalar() == CUSTOMERS
    yield write_big_items(tmp_path, 400_000)
    # The killed client's locks are gone: the next writer is not kept waiting.
    assert wait_until(lambda: not writer_is_busy(engine), 20)


@pytest.mark.parametrize("day", ["same day", "a new day"])
def test_an_import_killed_midway_leaves_the_database_exactly_as_it_was(
    engine: Engine, killed_import_scene: Path, day: str
) -> None:
    """Membership and its history included; on a new day, the day it applied first too."""
    before = all_rows(engine)
    assert len(before["items"]) == CUSTOMERS * ITEMS_PER_CUSTOMER
    today = TODAY + timedelta(days=40) if day == "a new day" else TODAY
    process = dso_alerts("import", "--items", str(killed_import_scene), engine=engine, today=today)
    try:
        started = wait_until(lambda: writer_is_busy(engine) or process.poll() is not None, 30)
        assert started and process.poll() is None, process.communicate()
        time.sleep(0.8)  # mid-way through the items
        assert writer_is_busy(engine) and process.poll() is None, "the import ended too soon"
        process.send_signal(signal.SIGKILL)
    finally:
        process.kill()
        process.communicate(timeout=30)
    assert process.returncode == -signal.SIGKILL
    assert wait_until(lambda: not writer_is_busy(engine), 20)
    assert all_rows(engine) == before
    checked = dso_alerts("check", engine=engine, today=TODAY)
    out, err = checked.communicate(timeout=120)
    assert checked.returncode == 0 and "Membership is exact" in out, (out, err)


# -- tokens --------------------------------------------------------------------------------


def test_a_token_revoked_from_the_cli_is_refused_on_its_next_request(api: Api) -> None:
    headers = {"Authorization": f"Bearer {api.tokens['bob']}"}
    assert api.post("{ me { name } }", headers=headers).json() == {"data": {"me": {"name": "bob"}}}
    done = dso_alerts("users", "revoke", "bob", engine=api.engine)
    out, err = done.communicate(timeout=60)
    assert done.returncode == 0, err
    response = api.post("{ me { name } }", headers=headers)  # the same running application
    assert response.status_code == 401, response.text
    assert api.data("alice", "{ me { name } }") == {"me": {"name": "alice"}}
    listed = dso_alerts("users", "list", engine=api.engine)
    out, _ = listed.communicate(timeout=60)
    assert "bob\tUSER\trevoked" in out and "alice\tUSER\tactive" in out
    with api.engine.connect() as conn:
        assert conn.execute(select(ledger_state.c.id)).scalar_one() == 1
