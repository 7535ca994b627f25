"""Timing `dso-alerts import` as a subprocess: wall time, items/s and peak RSS."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from bench.config import TODAY


def cli() -> str:
    return str(Path(sys.executable).with_name("dso-alerts"))


def bench_env(url: str) -> dict[str, str]:
    env = dict(os.environ)
    env["DSO_ALERTS_DATABASE_URL"] = url
    env["DSO_ALERTS_TODAY"] = TODAY.isoformat()
    return env


def time_import(url: str, paths: dict[str, Path], items: int) -> dict[str, Any]:
    """Run the import of all three files in one `dso-alerts import`; measure this child alone."""
    command = [cli(), "import", "--customers", str(paths["customers"]),
               "--items", str(paths["items"]), "--reminders", str(paths["reminders"])]  # fmt: skip
    started = time.perf_counter()
    process = subprocess.Popen(command, env=bench_env(url), stdout=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    output = process.stdout.read().decode() if process.stdout else ""
    if process.returncode != 0:
        raise RuntimeError(f"dso-alerts import failed ({process.returncode}): {output}")
    return {
        "wall_s": wall,
        "items_per_s": items / wall,
        "peak_rss_mb": usage.ru_maxrss / 1024,  # Linux: kilobytes
        "cpu_s": usage.ru_utime + usage.ru_stime,
        "summary": output.strip(),
    }
