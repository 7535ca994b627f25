"""Sizes, the pinned reference date and where results go."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from graphql_api.ledger_generator import LedgerSize

SIZES = {
    "small": LedgerSize(customers=2_000, items=40_000, reminders=600),
    "10k": LedgerSize(customers=10_000, items=200_000, reminders=3_000),
    "default": LedgerSize(customers=100_000, items=2_000_000, reminders=30_000),
}
# "today" is pinned for the import, the server and the floors alike, so a cached
# ledger keeps the same figures and every run measures the same thing.
TODAY = date(2026, 11, 23)
SEED = 42
RESULTS = Path("bench-results")
PAGE = 50
