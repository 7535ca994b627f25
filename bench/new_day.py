"""A change of day alone, for A/B comparisons on a shared machine: catch_up on the next day
of an existing bench database (`python -m bench` leaves bench-results/bench-10k.sqlite),
rolled back, after one warm-up. Prints, per run, the wall time and the CPU time of this
process plus, on PostgreSQL, of its server backend (parallel workers not counted): others'
load moves the wall time far more than the CPU time.

    .venv/bin/python -m bench.new_day sqlite:///bench-results/bench-10k.sqlite --runs 5
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from datetime import timedelta
from typing import Any

from sqlalchemy.engine import Connection

from bench.config import TODAY
from bench.writes import rolled_back
from graphql_api.database import create_db_engine
from graphql_api.membership_day import catch_up
from graphql_api.plugins import load_registry


def _backend_cpu_s(pid: int) -> float:
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.new_day", description=__doc__)
    parser.add_argument("url", help="the bench database's SQLAlchemy URL")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)
    engine = create_db_engine(args.url)
    registry = load_registry()
    postgresql = engine.dialect.name == "postgresql"
    backend: dict[str, float] = {}

    def next_day(conn: Connection) -> Any:
        if postgresql:
            pid = conn.exec_driver_sql("SELECT pg_backend_pid()").scalar_one()
            backend["before"] = _backend_cpu_s(pid)
        done = catch_up(conn, registry, TODAY + timedelta(days=1))
        if postgresql:
            backend["cpu"] = _backend_cpu_s(pid) - backend["before"]
        return done

    run = rolled_back(engine, next_day)
    run()
    walls, cpus = [], []
    for _ in range(args.runs):
        wall, cpu = time.perf_counter(), time.process_time()
        done = run()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu + backend.get("cpu", 0.0))
        day = done.new_day
        print(f"wall {walls[-1] * 1000:.0f} ms, CPU {cpus[-1] * 1000:.0f} ms: "
              f"{len(day.evaluated)} alerts evaluated, {day.entered} entered, {day.left} left",
              flush=True)  # fmt: skip
    print(f"median: wall {statistics.median(walls) * 1000:.0f} ms, "
          f"CPU {statistics.median(cpus) * 1000:.0f} ms")  # fmt: skip
    engine.dispose()


if __name__ == "__main__":
    main()
