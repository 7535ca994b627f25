"""The bench ledger: SPEC §6 CSV files by graphql_api.ledger_generator, cached by size and seed."""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path

from bench.config import RESULTS, TODAY
from graphql_api.ledger_generator import LedgerSize, generate_ledger


def ensure_ledger(name: str, size: LedgerSize, seed: int) -> tuple[dict[str, Path], float | None]:
    """The CSV paths, and how long generating them took (None when they came from the cache)."""
    folder = RESULTS / f"ledger-{name}"
    stamp = folder / "ledger.json"
    key = {"customers": size.customers, "items": size.items, "reminders": size.reminders,
           "seed": seed, "today": TODAY.isoformat()}  # fmt: skip
    paths = {part: folder / f"{part}.csv" for part in ("customers", "items", "reminders")}
    if (
        stamp.exists()
        and json.loads(stamp.read_text()) == key
        and all(p.exists() for p in paths.values())
    ):
        return paths, None
    if folder.exists():
        shutil.rmtree(folder)
    started = time.perf_counter()
    partial = RESULTS / f"ledger-{name}.partial"
    shutil.rmtree(partial, ignore_errors=True)
    generate_ledger(partial, size, TODAY, seed)
    (partial / "ledger.json").write_text(json.dumps(key))
    partial.rename(folder)
    return paths, time.perf_counter() - started
