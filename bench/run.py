"""The bench run: per size and database, import, alerts, HTTP timings and floors; table and JSON.

The floors read tables of their own (bench/floor_tables.py: the CSV files loaded raw, then one
row per customer and a narrow table of open items with a covering index), never the
product's. Every target of issue 13's speed table is printed; nothing is asserted."""

from __future__ import annotations

import argparse
import contextlib
import json
import platform
import statistics
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, select

from bench import floor_tables
from bench import floors as hand
from bench.alert_set import BenchAlert, create_bench_alerts
from bench.config import PAGE, RESULTS, SEED, SIZES, TODAY
from bench.floor_tables import FLOOR
from bench.importing import time_import
from bench.ledger import ensure_ledger
from graphql_api.ledger_generator import LedgerSize

PAGES = 10  # bell pages walked from the start
ROUNDS = 5  # times each page is asked for, one client
CONCURRENT_CLIENTS = 4
CONCURRENT_MAX_REQUESTS = 400
CONCURRENT_MAX_SECONDS = 30.0


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    k = (len(ordered) - 1) * p / 100
    low, high = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (k - low)


def summary(times: list[float]) -> dict[str, Any]:
    return {"n": len(times), "median_s": statistics.median(times), "p95_s": percentile(times, 95),
            "min_s": min(times), "times_s": [round(t, 6) for t in times]}  # fmt: skip


# -- one database ------------------------------------------------------------


def run_one(db: str, url: str, size_name: str, size: LedgerSize, paths: dict[str, Path], http: bool,
            import_only: bool = False) -> dict[str, Any]:  # fmt: skip
    from graphql_api.database import create_db_engine
    from graphql_api.plugins import load_registry

    result: dict[str, Any] = {"db": db, "size": size_name, "customers": size.customers,
                              "items": size.items, "reminders": size.reminders}  # fmt: skip
    log(f"[{db} {size_name}] importing {size.items:,} items ...")
    result["import"] = time_import(url, paths, size.items)
    log(f"[{db} {size_name}] import: {result['import']['wall_s']:.1f} s, "
        f"{result['import']['items_per_s']:,.0f} items/s, "
        f"{result['import']['peak_rss_mb']:.0f} MB")  # fmt: skip

    floor = hand.Floors(url, TODAY)
    log(f"[{db} {size_name}] floor: raw load of the files, then its own tables ...")
    result["floor_raw_load_s"] = floor_tables.raw_load(floor, paths)
    result["floor_build_s"] = floor_tables.build(floor, TODAY)
    log(f"[{db} {size_name}] floor: raw load {result['floor_raw_load_s']:.1f} s")
    if import_only:
        floor_tables.drop(floor)
        floor.close()
        return result

    engine = create_db_engine(url)
    registry = load_registry()
    started = time.perf_counter()
    token, created = create_bench_alerts(engine, registry)
    result["create_alerts_s"] = time.perf_counter() - started
    result["item_scope_alerts"] = sum(a.has_item_criteria for _, a in created)

    try:
        measure_counts(result, floor, engine, registry, created)
        measure_writes(result, floor, engine, registry, created)
        # The same files again, now with the 100 alerts: the import with membership (every
        # alert evaluated, one diff), as a ledger is imported every night.
        log(f"[{db} {size_name}] importing again, with the 100 alerts ...")
        result["import_with_alerts"] = time_import(url, paths, size.items)
        if http:
            from bench.http_client import served

            with served(url, RESULTS / f"serve-{db}-{size_name}.log") as endpoint:
                measure_http(result, floor, endpoint, token, created, api_rows(engine))
    finally:
        floor_tables.drop(floor)
        floor.close()
        engine.dispose()
    return result


def measure_counts(result: dict[str, Any], floor: hand.Floors, engine: Engine, registry: Any,
                   created: list[tuple[int, BenchAlert]]) -> None:  # fmt: skip
    from graphql_api.criteria import load_criteria
    from graphql_api.database import read_transaction
    from graphql_api.evaluation import compile_criteria, ledger_for, match_counts

    ids = [alert_id for alert_id, _ in created]
    conditions = [hand.alert_condition(a.criteria, floor.dialect, FLOOR) for _, a in created]
    parts = [hand.alert_parts(a.criteria, floor.dialect, FLOOR) for _, a in created]
    result["_conditions"], result["_parts"] = conditions, parts
    log(f"[{result['db']} {result['size']}] floor: 100 counts in one statement ...")
    # Two hand-written forms of the one statement; the floor is the faster one on this database.
    forms = {
        "grouped": hand.grouped_counts_sql(parts, floor.dialect, FLOOR),
        "exists": hand.counts_sql(conditions, FLOOR),
    }
    measured: dict[str, Any] = {}
    for form, sql in forms.items():
        warm, rows = floor.timed(sql, repeat=1)  # warms the caches
        fastest = min((m["median_s"] for m in measured.values()), default=None)
        if fastest is not None and warm[0] > 5 * fastest:
            times = warm  # far slower than the other form: once is enough
        else:
            times, rows = floor.timed(sql, repeat=5, budget_s=30)
        measured[form] = summary(times)
        counts = dict(zip(ids, (int(n) for n in rows[0]), strict=True))
        if "_floor_counts" in result and counts != result["_floor_counts"]:
            result["counts_floor_forms_agree"] = False
        result["_floor_counts"] = counts
    best = min(measured, key=lambda form: measured[form]["median_s"])
    result["counts_floor"] = measured[best] | {"form": best}
    result["_counts_floor_sql"] = forms[best]
    result["counts_floor_forms"] = measured

    log(f"[{result['db']} {result['size']}] naive: one count query per alert ...")
    times, naive = hand.timed_call(
        lambda: [floor.run(hand.naive_count_sql(c, FLOOR))[0][0] for c in conditions],
        repeat=2,
        budget_s=60,
    )
    result["counts_naive"] = summary(times)
    result["counts_naive_agree"] = [int(n) for n in naive] == list(result["_floor_counts"].values())

    # In-process, for attribution: compiling the 100 alerts, then counting them from scratch
    # in one statement (the API reads the counts membership keeps).
    def library() -> dict[int, int]:
        ledger = ledger_for(TODAY)
        compiled = {}
        with read_transaction(engine) as conn:
            for alert_id, alert in created:
                criteria = load_criteria(registry, alert.criteria)
                compiled[alert_id] = compile_criteria(criteria, ledger).condition
            return match_counts(conn, compiled)

    times, counts = hand.timed_call(library, repeat=3, budget_s=30)
    result["counts_library"] = summary(times)
    result["counts_library_agree"] = counts == result["_floor_counts"]
    started = time.perf_counter()
    ledger = ledger_for(TODAY)
    for _, alert in created:
        compile_criteria(load_criteria(registry, alert.criteria), ledger)
    result["compile_100_alerts_s"] = time.perf_counter() - started


def measure_writes(result: dict[str, Any], floor: hand.Floors, engine: Engine, registry: Any,
                   created: list[tuple[int, BenchAlert]]) -> None:  # fmt: skip
    """Evaluations from scratch: an alert with item criteria saved, and a change of day."""
    from bench.writes import time_alert_save, time_new_day

    tag = f"[{result['db']} {result['size']}]"
    position = next(i for i, (_, alert) in enumerate(created) if alert.has_item_criteria)
    alert = created[position][1]
    log(f"{tag} saving an alert with item criteria ({alert.name}) ...")
    times, floor_times = [], []
    sql = hand.naive_count_sql(result["_conditions"][position], FLOOR)
    floor.run(sql)
    for _ in range(5):  # alternately, so that both see the same machine
        times.extend(time_alert_save(engine, registry, alert, repeat=1))
        floor_times.extend(floor.timed(sql, repeat=1)[0])
    result["save_item_alert"] = summary(times) | {"alert": alert.name, "criteria": alert.criteria}
    result["save_item_alert_floor"] = summary(floor_times)
    log(f"{tag} a change of day (figures, 100 alerts, diff) ...")
    times, floor_times = [], []
    for _ in range(3):
        times.extend(time_new_day(engine, registry, repeat=1))
        floor_times.extend(floor.timed(result["_counts_floor_sql"], repeat=1)[0])
    result["new_day"] = summary(times)
    result["new_day_floor"] = summary(floor_times)


def api_rows(engine: Engine) -> dict[str, int]:
    """Each alert's row id by its API id (the floors' SQL knows rows; the API, its ids)."""
    from graphql_api.ids import alert_id
    from graphql_api.storage import alerts

    with engine.connect() as conn:
        found = conn.execute(select(alerts.c.public_id, alerts.c.id)).all()
    return {alert_id(key): row for key, row in found}


def measure_http(result: dict[str, Any], floor: hand.Floors, endpoint: str, token: str,
                 created: list[tuple[int, BenchAlert]], rows_by_id: dict[str, int],
                 ) -> None:  # fmt: skip
    from bench.http_client import ALERT_PAGE, BELL_PAGE, COUNTS, GraphQL, concurrent_pages
    from bench.sorting import measure_sorted_pages

    tag = f"[{result['db']} {result['size']}]"
    gql = GraphQL(endpoint, token)
    conditions = result["_conditions"]
    ids = [alert_id for alert_id, _ in created]
    try:
        log(f"{tag} HTTP: alerts {{ id matchCount }} ...")
        first, data = gql(COUNTS)  # the first request also warms the server
        result["counts_http_first_s"] = first
        got = {rows_by_id[a["id"]]: a["matchCount"] for a in data["alerts"]}
        result["counts_http_agree"] = got == result["_floor_counts"]
        if not result["counts_http_agree"]:  # say which, so a disagreement can be chased
            floor_counts = result["_floor_counts"]
            keys = sorted(set(got) | set(floor_counts))
            for row in [k for k in keys if got.get(k) != floor_counts.get(k)][:5]:
                log(f"{tag} alert row {row}: API {got.get(row)} ≠ floor {floor_counts.get(row)}")
        # Ours and the floor alternate, so that both see the same machine (others' load
        # comes and goes on a shared 2-core box).
        times, floor_times = [], []
        for _ in range(5):
            times.append(gql(COUNTS)[0])
            floor_times.extend(floor.timed(result["_counts_floor_sql"], repeat=1)[0])
            if sum(times) + sum(floor_times) > 90:
                break
        result["counts_http"] = summary(times)
        result["counts_floor"] = summary(floor_times) | {"form": result["counts_floor"]["form"]}

        # The fixed cost of a request (HTTP, token check, GraphQL), for attribution.
        times = [gql("{ me { name } }")[0] for _ in range(20)]
        result["trivial_http"] = summary(times)

        log(f"{tag} HTTP: bell pages ...")
        afters: list[str | None] = [None]
        floor_afters: list[str | None] = [None]
        pages: list[dict[str, Any]] = []
        for _ in range(PAGES):
            _, data = gql(BELL_PAGE, {"after": afters[-1]})
            connection = data["customers"]
            pages.append(connection)
            afters.append(connection["pageInfo"]["endCursor"])
            floor_afters.append(connection["edges"][-1]["node"]["accountNumber"])
        afters, floor_afters = afters[:PAGES], floor_afters[:PAGES]

        # Both hand-written forms on every page, to choose the floor's form and check bells.
        forms_sql: dict[str, list[tuple[str, tuple[Any, ...]]]] = {"exists": [], "grouped": []}
        floor_times: dict[str, list[float]] = {"exists": [], "grouped": []}
        agree = True
        for after, page in zip(floor_afters, pages, strict=True):
            first_page = after is None
            for form, sql, params in (
                ("exists", hand.bell_page_sql(conditions, floor.dialect, first_page, PAGE, FLOOR),
                 () if first_page else (after,)),
                ("grouped",
                 hand.grouped_bell_page_sql(result["_parts"], floor.dialect, first_page, PAGE,
                                            FLOOR),
                 () if first_page else (after, after)),
            ):  # fmt: skip
                other = floor_times["grouped" if form == "exists" else "exists"]
                if floor_times[form] and other and min(floor_times[form]) > 5 * max(other):
                    continue  # this form is far slower here: one page told enough
                forms_sql[form].append((sql, params))
                floor.run(sql, params)
                times, rows = floor.timed(sql, params, repeat=2, budget_s=30)
                floor_times[form].extend(times)
                agree &= _bells_agree(rows, page, ids, rows_by_id)
        forms = {form: summary(times) for form, times in floor_times.items() if times}
        best = min(forms, key=lambda form: forms[form]["median_s"])
        result["bell_floor_forms"] = forms
        result["bell_agree"] = agree

        times, floor_page_times = [], []
        for _ in range(ROUNDS):
            for after, (sql, params) in zip(afters, forms_sql[best], strict=True):
                times.append(gql(BELL_PAGE, {"after": after})[0])
                floor_page_times.extend(floor.timed(sql, params, repeat=1)[0])
        result["bell_http"] = summary(times)
        result["bell_floor"] = summary(floor_page_times) | {"form": best}

        log(f"{tag} HTTP: worklist pages (COLLECTION tab, orderBy BELL DESC) ...")
        result["worklist_http"] = summary(worklist_times(gql))

        log(f"{tag} HTTP: bell pages, {CONCURRENT_CLIENTS} concurrent clients ...")
        concurrent = concurrent_pages(endpoint, token, afters, CONCURRENT_CLIENTS,
                                      CONCURRENT_MAX_REQUESTS, CONCURRENT_MAX_SECONDS)  # fmt: skip
        latencies = concurrent.pop("latencies")
        concurrent["p50_s"] = percentile(latencies, 50)
        concurrent["p95_s"] = percentile(latencies, 95)
        result["bell_concurrent"] = concurrent

        position = next(i for i, (_, alert) in enumerate(created) if alert.has_item_criteria)
        alert_id, alert = created[position]
        log(f"{tag} HTTP: customers(alertId: {alert_id}) ...")
        api_id = next(i for i, row in rows_by_id.items() if row == alert_id)
        gql(ALERT_PAGE, {"id": api_id})
        sql = hand.alert_page_sql(conditions[position], PAGE, FLOOR)
        floor.run(sql)
        times, floor_times_page, rows = [], [], []
        page = None
        for _ in range(10):
            elapsed, page = gql(ALERT_PAGE, {"id": api_id})
            times.append(elapsed)
            spent, rows = floor.timed(sql, repeat=1)
            floor_times_page.extend(spent)
        result["alert_page_http"] = summary(times)
        result["alert_page_floor"] = summary(floor_times_page)
        result["alert_page_alert"] = {
            "id": alert_id,
            "name": alert.name,
            "criteria": alert.criteria,
        }
        assert page is not None
        result["alert_page_agree"] = [r[0] for r in rows] == [
            e["node"]["accountNumber"] for e in page["customers"]["edges"]
        ]

        log(f"{tag} HTTP: sorted pages (OVERDUE_AMOUNT DESC) against unsorted ones ...")
        result["sorted_pages"] = measure_sorted_pages(gql, result["customers"])
    finally:
        gql.close()


def worklist_times(gql: Any) -> list[float]:
    """The first PAGES worklist pages, ROUNDS times each."""
    from bench.http_client import WORKLIST_PAGE

    afters: list[str | None] = [None]
    for _ in range(PAGES - 1):
        page = gql(WORKLIST_PAGE, {"after": afters[-1]})[1]["customers"]
        if not page["pageInfo"]["hasNextPage"]:
            break
        afters.append(page["pageInfo"]["endCursor"])
    return [gql(WORKLIST_PAGE, {"after": after})[0] for _ in range(ROUNDS) for after in afters]


def _bells_agree(
    rows: list[tuple[Any, ...]], page: dict[str, Any], ids: list[int], rows_by_id: dict[str, int]
) -> bool:
    if [r[0] for r in rows] != [e["node"]["accountNumber"] for e in page["edges"]]:
        return False
    for row, edge in zip(rows, page["edges"], strict=True):
        expected = {alert_id for alert_id, hit in zip(ids, row[4:], strict=True) if hit}
        bell = edge["node"]["bell"]
        found = {rows_by_id[a["id"]] for a in bell["alerts"]}
        if found != expected or bell["count"] != len(expected):
            return False
    return True


# -- ratios, table, JSON -----------------------------------------------------


def ratios(r: dict[str, Any]) -> dict[str, float]:
    out: dict[str, float] = {}

    def ratio(name: str, ours: str, floor: str, stat: str = "median_s") -> None:
        if ours in r and floor in r:
            out[name] = r[ours][stat] / r[floor][stat]

    out["import_vs_raw_load"] = r["import"]["wall_s"] / r["floor_raw_load_s"]
    ratio("library_counts_vs_floor", "counts_library", "counts_floor")
    ratio("naive_vs_floor", "counts_naive", "counts_floor")
    if "counts_http" in r:
        ratio("counts_vs_floor", "counts_http", "counts_floor")
        out["naive_vs_ours"] = r["counts_naive"]["median_s"] / r["counts_http"]["median_s"]
    ratio("save_vs_floor", "save_item_alert", "save_item_alert_floor")
    ratio("new_day_vs_floor", "new_day", "new_day_floor")
    ratio("bell_vs_floor", "bell_http", "bell_floor")
    ratio("bell_p95_vs_floor", "bell_http", "bell_floor", "p95_s")
    ratio("worklist_vs_bell", "worklist_http", "bell_http")
    ratio("alert_page_vs_floor", "alert_page_http", "alert_page_floor")
    return out


def ms(seconds: float) -> str:
    return f"{seconds * 1000:,.1f} ms"


def table(r: dict[str, Any]) -> str:
    """Every target of issue 13's speed table, then what helps to read them."""
    ratio = r["ratios"]
    imp = r["import"]
    lines = [
        f"== {r['db']} · {r['size']}: {r['customers']:,} customers, {r['items']:,} items, "
        f"{r['reminders']:,} reminders; 100 alerts ({r['item_scope_alerts']} with ITEM criteria)",
        "floors read tables of their own (bench/floor_tables.py), never the product's",
        f"{'measure':<46}{'ours':>13}{'floor':>13}{'ratio':>9}  target",
    ]

    def row(name: str, ours: str, fl: str, key: str | None, target: str = "") -> None:
        value = f"{ratio[key]:.2f}×" if key and key in ratio else ""
        lines.append(f"{name:<46}{ours:>13}{fl:>13}{value:>9}  {target}")

    raw_target = "≤ 2.5× (SQLite)" if r["db"] == "sqlite" else ""
    row("import, whole dso-alerts import vs raw load", f"{imp['wall_s']:.1f} s",
        f"{r['floor_raw_load_s']:.1f} s", "import_vs_raw_load", raw_target)  # fmt: skip
    if "import_with_alerts" in r:
        again = r["import_with_alerts"]
        out = again["wall_s"] / r["floor_raw_load_s"]
        lines.append(f"{'import again, with the 100 alerts (membership)':<46}"
                     f"{again['wall_s']:>11.1f} s{r['floor_raw_load_s']:>11.1f} s{out:>8.2f}×  "
                     f"{raw_target}; {again['items_per_s']:,.0f} items/s, "
                     f"{again['peak_rss_mb']:.0f} MB")  # fmt: skip
    row("import items/s", f"{imp['items_per_s']:,.0f}", "", None,
        "≥ 200,000 (PostgreSQL)" if r["db"] == "postgresql" else "")  # fmt: skip
    row("import peak RSS (children included)", f"{imp['peak_rss_mb']:.0f} MB", "", None,
        "≤ 400 MB")  # fmt: skip
    if "counts_http" in r:
        row("100 matchCounts, GraphQL/HTTP vs one statement", ms(r["counts_http"]["median_s"]),
            ms(r["counts_floor"]["median_s"]), "counts_vs_floor", "≤ 0.1×")  # fmt: skip
        row("100 counts, one query per alert (naive) ÷ ours", ms(r["counts_naive"]["median_s"]),
            "", "naive_vs_ours", "≥ 30×")  # fmt: skip
        row("bell page p50 (50 customers, 1 client)", ms(r["bell_http"]["median_s"]),
            ms(r["bell_floor"]["median_s"]), "bell_vs_floor", "≤ 2×")  # fmt: skip
        row("worklist page (COLLECTION, BELL DESC) ÷ bell", ms(r["worklist_http"]["median_s"]),
            ms(r["bell_http"]["median_s"]), "worklist_vs_bell",
            "≤ 3× (floor: our bell page)")  # fmt: skip
    if "save_item_alert" in r:
        row("saving an alert with ITEM criteria", ms(r["save_item_alert"]["median_s"]),
            ms(r["save_item_alert_floor"]["median_s"]), "save_vs_floor",
            "≤ 1.5× (floor: its count)")  # fmt: skip
        row("change of day (figures, 100 alerts, diff)", ms(r["new_day"]["median_s"]),
            ms(r["new_day_floor"]["median_s"]), "new_day_vs_floor",
            "≤ 2× (floor: 100 counts)")  # fmt: skip
    lines.append("-- for attribution")
    row("floor: building its tables from the raw ones", f"{r['floor_build_s']:.1f} s", "", None)
    row("100 counts, in-process (compile+statement)", ms(r["counts_library"]["median_s"]),
        ms(r["counts_floor"]["median_s"]), "library_counts_vs_floor")  # fmt: skip
    if "bell_http" in r:
        row("bell page p95", ms(r["bell_http"]["p95_s"]), ms(r["bell_floor"]["p95_s"]),
            "bell_p95_vs_floor")  # fmt: skip
        c = r["bell_concurrent"]
        row(f"bell pages, {c['clients']} clients: req/s ({c['requests']} req)",
            f"{c['requests_per_s']:.1f}/s", "", None)  # fmt: skip
        row(f"bell pages, {c['clients']} clients: p50 / p95", ms(c["p50_s"]), ms(c["p95_s"]), None)
        row("customers(alertId:, first: 50), ITEM alert", ms(r["alert_page_http"]["median_s"]),
            ms(r["alert_page_floor"]["median_s"]), "alert_page_vs_floor")  # fmt: skip
        row("a trivial request, { me { name } }", ms(r["trivial_http"]["median_s"]), "", None)
        if "sorted_pages" in r:
            from bench.sorting import sorted_rows

            lines.extend(sorted_rows(r["sorted_pages"], ms))
    checks = {k: r[k] for k in r if k.endswith("_agree")}
    lines.append(
        "results agree with the hand-written SQL: "
        + ", ".join(f"{k.removesuffix('_agree')}={'yes' if v else 'NO'}" for k, v in checks.items())
    )
    return "\n".join(lines)


def growth(results: list[dict[str, Any]]) -> str:
    lines = ["== growth 10k → 100k customers (×10 data): time ratio (≤ 10 is linear or better)"]
    by = {(r["db"], r["size"]): r for r in results}
    keys = [("import wall", lambda r: r["import"]["wall_s"]),
            ("import peak RSS", lambda r: r["import"]["peak_rss_mb"]),
            ("import with alerts", lambda r: r["import_with_alerts"]["wall_s"]),
            ("raw load (floor)", lambda r: r["floor_raw_load_s"]),
            ("alert save", lambda r: r["save_item_alert"]["median_s"]),
            ("change of day", lambda r: r["new_day"]["median_s"]),
            ("worklist page (HTTP)", lambda r: r["worklist_http"]["median_s"]),
            ("100 counts (HTTP)", lambda r: r["counts_http"]["median_s"]),
            ("100 counts (floor)", lambda r: r["counts_floor"]["median_s"]),
            ("bell page p50 (HTTP)", lambda r: r["bell_http"]["median_s"]),
            ("bell page (floor)", lambda r: r["bell_floor"]["median_s"]),
            ("alertId page (HTTP)", lambda r: r["alert_page_http"]["median_s"])]  # fmt: skip
    for db in ("sqlite", "postgresql"):
        small, big = by.get((db, "10k")), by.get((db, "default"))
        if not small or not big:
            continue
        parts = []
        for name, get in keys:
            try:
                parts.append(f"{name} ×{get(big) / get(small):.1f}")
            except KeyError:
                continue
        lines.append(f"{db}: " + ", ".join(parts))
    return "\n".join(lines)


def write_json(r: dict[str, Any]) -> Path:
    path = RESULTS / f"{r['db']}-{r['size']}.json"
    public = {k: v for k, v in r.items() if not k.startswith("_")}
    public["machine"] = {"python": platform.python_version(), "platform": platform.platform()}
    public["today"] = TODAY.isoformat()
    public["measured_at"] = time.strftime("%Y-%m-%dT%H:%M:%S%z")
    path.write_text(json.dumps(public, indent=2, default=str))
    return path


@contextlib.contextmanager
def postgres() -> Iterator[str]:
    """tests.postgres_server.throwaway_postgres, tried again when the server was not ready yet."""
    import psycopg

    from tests.postgres_server import throwaway_postgres

    for attempt in range(3):
        server = throwaway_postgres()
        try:
            url = server.__enter__()
        except psycopg.OperationalError as error:
            log(f"PostgreSQL did not start ({str(error).strip()[:120]}); trying again")
            if attempt == 2:
                raise
            continue
        try:
            yield url
        except BaseException as error:
            if not server.__exit__(type(error), error, error.__traceback__):
                raise
        else:
            server.__exit__(None, None, None)
        return


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--size", choices=list(SIZES), default="default")
    parser.add_argument(
        "--db", default="sqlite,postgresql", help="comma-separated: sqlite,postgresql"
    )
    parser.add_argument(
        "--growth",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="also run 10k to show growth (default: on with --size default)",
    )
    parser.add_argument(
        "--http",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="time through HTTP (default: when graphql_api.app exists)",
    )
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--import-only", action="store_true", help="time the import alone")
    args = parser.parse_args(argv)

    http = args.http
    if http is None:
        import importlib.util

        http = importlib.util.find_spec("graphql_api.app") is not None
        if not http:
            log("graphql_api.app is not there yet: HTTP timings skipped")
    sizes = [args.size]
    if args.growth or (args.growth is None and args.size == "default"):
        sizes = ["10k", args.size] if args.size != "10k" else ["10k"]
    RESULTS.mkdir(exist_ok=True)
    results = []
    for size_name in sizes:
        size = SIZES[size_name]
        paths, generated = ensure_ledger(size_name, size, args.seed)
        if generated is not None:
            log(f"generated the {size_name} ledger in {generated:.1f} s")
        for db in args.db.split(","):
            if db == "sqlite":
                file = (RESULTS / f"bench-{size_name}.sqlite").resolve()
                for suffix in ("", "-wal", "-shm"):
                    Path(f"{file}{suffix}").unlink(missing_ok=True)
                r = run_one(db, f"sqlite:///{file}", size_name, size, paths, http, args.import_only)
            elif db == "postgresql":
                with postgres() as url:
                    r = run_one(db, url, size_name, size, paths, http, args.import_only)
            else:
                parser.error(f"unknown database {db!r}")
            if args.import_only:
                imp = r["import"]
                print(f"{db} {size_name}: import {imp['wall_s']:.1f} s, "
                      f"{imp['items_per_s']:,.0f} items/s, peak RSS {imp['peak_rss_mb']:.0f} MB, "
                      f"CPU {imp['cpu_s']:.1f} s; raw load {r['floor_raw_load_s']:.1f} s "
                      f"({imp['wall_s'] / r['floor_raw_load_s']:.2f}×)", flush=True)  # fmt: skip
                continue
            r["ratios"] = ratios(r)
            write_json(r)
            results.append(r)
            print(table(r), flush=True)
            print(flush=True)
    if len(sizes) > 1:
        print(growth(results), flush=True)
