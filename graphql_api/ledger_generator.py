"""A deterministic, realistic ledger written as SPEC §6 CSV files (for the demo and the bench).

A few large accounts carry many items and most carry few; about 10 % of items
are disputed; dates spread over two years before "today".
"""

from __future__ import annotations

import csv
import random
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from graphql_api.ledger_import import CUSTOMER_COLUMNS, ITEM_COLUMNS, REMINDER_COLUMNS

PREFIXES = (
    "Atelier",
    "Groupe",
    "Société",
    "Maison",
    "Compagnie",
    "Laboratoires",
    "Transports",
    "Boulangerie",
    "Garage",
    "Clinique",
    "Imprimerie",
    "Hôtel",
    "Cabinet",
    "Ets",
)
NAMES = (
    "Martin",
    "Bernard",
    "Dubois",
    "Thomas",
    "Robert",
    "Richard",
    "Petit",
    "Durand",
    "Leroy",
    "Moreau",
    "Simon",
    "Laurent",
    "Lefèvre",
    "Michel",
    "García",
    "Müller",
    "Rossi",
    "Novak",
    "Fontaine",
    "Chevalier",
    "Rousseau",
    "Blanc",
    "Guérin",
    "Faure",
    "Mercier",
    "Bonnet",
)
SUFFIXES = ("SA", "SAS", "SARL", "GmbH", "SpA", "Ltd", "& Fils", "Industries", "Distribution", "")
GROUPS = (("Retail", 30), ("Industry", 25), ("Public", 12), ("Wholesale", 15), ("Services", 13),
          ("", 5))  # fmt: skip
COUNTRIES = (("FR", 60), ("BE", 10), ("DE", 8), ("ES", 7), ("IT", 7), ("CH", 4), ("GB", 4))
STATUSES = (("Normal", 82), ("Litige", 7), ("Litige résolu", 5), ("Contentieux", 3), ("", 3))
COLLECTORS = (("Camille", 30), ("Julien", 25), ("Sofia", 25), ("Hugo", 15), ("", 5))
ITEM_TYPES = (("INVOICE", 80), ("CREDIT_NOTE", 8), ("PAYMENT", 7), ("OTHER", 5))
CHANNELS = (("EMAIL", 60), ("PHONE", 25), ("LETTER", 12), ("OTHER", 3))


@dataclass(frozen=True)
class LedgerSize:
    customers: int
    items: int
    reminders: int


DEMO_SIZE = LedgerSize(customers=3000, items=45000, reminders=2500)


def _pick(rng: random.Random, table: tuple[tuple[str, int], ...]) -> str:
    return rng.choices([v for v, _ in table], weights=[w for _, w in table])[0]


def _money(rng: random.Random, median: float) -> str:
    return f"{rng.lognormvariate(0, 1.1) * median:.2f}"


def generate_ledger(folder: Path, size: LedgerSize, today: date, seed: int = 42) -> dict[str, Path]:
    """Write customers.csv, items.csv and reminders.csv into `folder`.

    The same size, day and seed give the same files.
    """
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    paths = {name: folder / f"{name}.csv" for name in ("customers", "items", "reminders")}
    accounts = [f"C{n:07d}" for n in range(1, size.customers + 1)]

    with paths["customers"].open("w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow([*CUSTOMER_COLUMNS, "segment"])
        for account in accounts:
            insured = rng.random() < 0.55
            limit = "" if rng.random() < 0.15 else str(rng.choice((5, 10, 20, 50, 100, 250)) * 1000)
            paid = today - timedelta(days=int(rng.expovariate(1 / 60)))
            out.writerow([
                account,
                f"{rng.choice(PREFIXES)} {rng.choice(NAMES)} {rng.choice(SUFFIXES)}".strip(),
                _pick(rng, GROUPS), _pick(rng, COUNTRIES), _pick(rng, STATUSES),
                _pick(rng, COLLECTORS), "yes" if rng.random() < 0.05 else "no", limit,
                str(rng.choice((5, 10, 15, 30, 60, 100)) * 1000) if insured else "",
                "" if rng.random() < 0.1 else paid.isoformat(),
                rng.choice(("SME", "Key account", "Micro", "")),
            ])  # fmt: skip

    # Heavy-tailed weights: a few accounts with thousands of items, most with a handful.
    weights = [rng.paretovariate(1.1) for _ in accounts]
    scale = size.items / sum(weights)
    counts = [int(w * scale) for w in weights]
    for i in range(size.items - sum(counts)):
        counts[i % len(counts)] += 1

    with paths["items"].open("w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(ITEM_COLUMNS)
        for account, count in zip(accounts, counts, strict=True):
            for n in range(count):
                kind = _pick(rng, ITEM_TYPES)
                issued = today - timedelta(days=rng.randrange(730))
                due = issued + timedelta(days=rng.choice((0, 30, 45, 60)))
                amount = _money(rng, 1500)
                if kind == "INVOICE":
                    open_amount = (
                        amount if rng.random() < 0.8 else f"{float(amount) * rng.random():.2f}"
                    )
                else:
                    amount = "-" + amount
                    open_amount = amount
                out.writerow([
                    account, f"{kind[:2]}{n:06d}", kind, issued.isoformat(), due.isoformat(),
                    amount, open_amount, "yes" if rng.random() < 0.1 else "no",
                    "yes" if rng.random() < 0.03 else "no",
                ])  # fmt: skip

    with paths["reminders"].open("w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(REMINDER_COLUMNS)
        for _ in range(size.reminders):
            when = today - timedelta(days=int(rng.expovariate(1 / 25)) % 400)
            out.writerow([rng.choice(accounts), when.isoformat(), _pick(rng, CHANNELS), ""])
    return paths
