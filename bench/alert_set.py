"""The 100 bench alerts: deterministic, every criterion kind, about a third with ITEM criteria.

The first five are the seed examples of SPEC §2; the rest mix the built-in
criteria with thresholds spread so that some alerts match many customers and
some few.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine

from bench.config import TODAY
from graphql_api.alerts import AlertInput, AlertType, Level, Visibility, create_alert
from graphql_api.database import write_transaction
from graphql_api.plugins import CriteriaRegistry
from graphql_api.users import Role, User, add_user

COUNT = 100
SEED_EXAMPLES: list[dict[str, Any]] = [
    {"overdueAmount": {"min": "20000"}, "lastReminderDate": {"olderThanDays": 10}},
    {"itemOverdue": True, "itemDisputed": False, "lastReminderDate": {"olderThanDays": 10}},
    {"uncoveredAmount": {"min": "0.01"}},
    {"group": {"op": "IS_NOT", "values": ["Public"]}, "country": {"values": ["FR"]},
     "status": {"op": "IS_NOT", "values": ["Litige", "Litige résolu"]}},
    {"itemIgnoredInCollection": True},
]  # fmt: skip

CUSTOMER_CHOICES: dict[str, list[Any]] = {
    "outstandingAmount": [{"min": "5000"}, {"min": "20000"}, {"min": "100000"},
                          {"min": "1000", "max": "20000"}],
    "overdueAmount": [{"min": "1000"}, {"min": "5000"}, {"min": "50000"}],
    "notDueAmount": [{"min": "1000"}, {"min": "10000"}, {"max": "0"}],
    "disputedAmount": [{"min": "500"}, {"min": "2000.50"}, {"min": "10000"}],
    "uncoveredAmount": [{"min": "0.01"}, {"min": "10000"}, {"max": "-5000"}],
    "creditLimitExcess": [{"min": "0.01"}, {"min": "5000"}],
    "creditLimit": [{"max": "10000"}, {"min": "50000"}],
    "insurerGuarantee": [{"min": "30000"}, {"max": "0"}, {"min": "10000", "max": "60000"}],
    "daysOverdue": [{"min": 30}, {"min": 90}, {"min": 365}, {"min": 1, "max": 30}],
    "lastReminderDate": [{"olderThanDays": 10}, {"olderThanDays": 60}, {"newerThanDays": 7},
                         {"olderThanDays": 5, "newerThanDays": 30}],
    "lastPaymentDate": [{"olderThanDays": 60}, {"olderThanDays": 180}, {"newerThanDays": 30}],
    "group": [{"op": "IS_NOT", "values": ["Public"]}, {"values": ["Retail", "Wholesale"]}],
    "country": [
        {"values": ["FR"]}, {"op": "IS_NOT", "values": ["FR", "BE"]}, {"values": ["DE", "CH"]}
    ],
    "status": [{"op": "IS_NOT", "values": ["Litige", "Litige résolu"]},
               {"values": ["Litige", "Contentieux"]}],
    "collector": [{"values": ["Camille"]}, {"op": "IS_NOT", "values": ["Hugo", "Sofia"]}],
    "insured": [True, False],
    "blocked": [True, False],
}  # fmt: skip
ITEM_CHOICES: dict[str, list[Any]] = {
    "itemType": [{"values": ["INVOICE"]}, {"values": ["CREDIT_NOTE", "PAYMENT"]},
                 {"op": "IS_NOT", "values": ["INVOICE"]}],
    "itemOverdue": [True, False],
    "itemDueDate": [{"olderThanDays": 90}, {"olderThanDays": 365}, {"newerThanDays": 30}],
    "itemDocumentDate": [{"olderThanDays": 365}, {"newerThanDays": 60}],
    "itemOpenAmount": [{"min": "5000"}, {"min": "10000"}, {"max": "0"}],
    "itemDisputed": [True, False],
    "itemIgnoredInCollection": [True, False],
}  # fmt: skip


@dataclass(frozen=True)
class BenchAlert:
    name: str
    criteria: dict[str, Any]
    type: AlertType
    level: Level
    color: str | None
    visibility: Visibility

    @property
    def has_item_criteria(self) -> bool:
        return any(key in ITEM_CHOICES for key in self.criteria)


def bench_alerts(seed: int = 7) -> list[BenchAlert]:
    rng = random.Random(seed)
    customer_keys = list(CUSTOMER_CHOICES)
    item_keys = list(ITEM_CHOICES)
    specs: list[dict[str, Any]] = [dict(example) for example in SEED_EXAMPLES]
    for i in range(len(specs), COUNT):
        spec: dict[str, Any] = {}
        with_items = i % 3 == 0
        wanted = rng.choice((0, 1, 1, 2)) if with_items else rng.choice((1, 1, 2, 2, 3))
        keys = [customer_keys[i % len(customer_keys)]] if wanted else []
        keys += rng.sample(customer_keys, wanted)[: max(0, wanted - 1)]
        if with_items:
            keys.append(item_keys[(i // 3) % len(item_keys)])
            if rng.random() < 0.5:
                keys.append(rng.choice(item_keys))
        for key in keys:
            choices = CUSTOMER_CHOICES.get(key) or ITEM_CHOICES[key]
            spec[key] = rng.choice(choices)
        specs.append(spec)
    levels = list(Level)
    types = list(AlertType)
    out = []
    for i, spec in enumerate(specs):
        out.append(BenchAlert(
            name=f"Bench alert {i + 1:03d}",
            criteria=spec,
            type=types[i % len(types)],
            level=levels[rng.randrange(len(levels))],
            color="#1565C0" if i % 10 == 9 else None,
            visibility=Visibility.PUBLIC if i % 4 == 0 else Visibility.PRIVATE,
        ))  # fmt: skip
    return out


def create_bench_alerts(
    engine: Engine, registry: CriteriaRegistry
) -> tuple[str, list[tuple[int, BenchAlert]]]:
    """The bench user's token and the alerts, created through alerts.create_alert."""
    with write_transaction(engine) as conn:
        token = add_user(conn, "bench", Role.USER)
        user_id = conn.exec_driver_sql("SELECT id FROM users WHERE name = 'bench'").scalar_one()
        user = User(user_id, "bench", Role.USER)
        created = []
        for alert in bench_alerts():
            data = AlertInput(alert.name, alert.criteria, alert.type, alert.level, alert.color,
                              alert.visibility)  # fmt: skip
            # The bench's pinned day: an alert saved on another day would apply that day first.
            created.append((create_alert(conn, registry, user, data, TODAY).id, alert))
    return token, created
