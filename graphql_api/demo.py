"""`dso-alerts demo`: a demo ledger, demo users and the seed alerts of SPEC §2.

Everything goes through the same paths as real use (the CSV import, user
creation, alert creation), and running it again adds nothing twice.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, func, select

from graphql_api.alerts import AlertInput, AlertType, Level, Visibility, create_alert
from graphql_api.database import write_transaction
from graphql_api.ledger_generator import DEMO_SIZE, generate_ledger
from graphql_api.ledger_import import import_ledger
from graphql_api.plugins import CriteriaRegistry
from graphql_api.storage import alerts, customers, users
from graphql_api.users import Role, User, add_user

# Name, role and the collector code of the accounts they follow ("my portfolio"): alice and
# bob follow two of the demo ledger's collectors (ledger_generator.COLLECTORS).
DEMO_USERS = (
    ("admin", Role.ADMIN, None),
    ("alice", Role.USER, "Camille"),
    ("bob", Role.USER, "Julien"),
    ("viewer", Role.VIEWER, None),
)

SEED_ALERTS: tuple[tuple[str, AlertType, Level, Visibility, dict[str, Any]], ...] = (
    ("Late by more than 20k, not reminded for 10 days", AlertType.COLLECTION, Level.HIGH,
     Visibility.PUBLIC,
     {"overdueAmount": {"min": "20000"}, "lastReminderDate": {"olderThanDays": 10}}),
    ("In arrears (undisputed), not reminded for 10 days", AlertType.COLLECTION, Level.MEDIUM,
     Visibility.PUBLIC,
     {"itemOverdue": True, "itemDisputed": False, "lastReminderDate": {"olderThanDays": 10}}),
    ("Outstanding above the insurer's guarantee", AlertType.RISK, Level.CRITICAL,
     Visibility.PUBLIC, {"uncoveredAmount": {"min": "0.01"}}),
    ("French private-sector accounts not in dispute", AlertType.NONE, Level.LOW, Visibility.PUBLIC,
     {"group": {"op": "IS_NOT", "values": ["Public"]}, "country": {"op": "IS", "values": ["FR"]},
      "status": {"op": "IS_NOT", "values": ["Litige", "Litige résolu"]}}),
    ("Items ignored during collection", AlertType.COLLECTION, Level.MEDIUM, Visibility.PUBLIC,
     {"itemIgnoredInCollection": True}),
)  # fmt: skip


@dataclass
class DemoResult:
    ledger_loaded: bool = False
    tokens: dict[str, str] = field(default_factory=dict)
    existing_users: list[str] = field(default_factory=list)
    alerts_created: int = 0


def run_demo(engine: Engine, registry: CriteriaRegistry, today: date) -> DemoResult:
    result = DemoResult()
    with engine.connect() as conn:
        empty = conn.execute(select(func.count()).select_from(customers)).scalar_one() == 0
    if empty:
        with tempfile.TemporaryDirectory() as folder:
            paths = generate_ledger(Path(folder), DEMO_SIZE, today)
            import_ledger(
                engine,
                today=today,
                customers_file=paths["customers"],
                items_file=paths["items"],
                reminders_file=paths["reminders"],
                logged_by="demo",
            )
        result.ledger_loaded = True
    with write_transaction(engine) as conn:
        existing = set(conn.execute(select(users.c.name)).scalars())
        for name, role, collector in DEMO_USERS:
            if name in existing:
                result.existing_users.append(name)
            else:
                result.tokens[name] = add_user(conn, name, role, collector)
        rows = conn.execute(select(users.c.id, users.c.name, users.c.role)).all()
        by_name = {row.name: User(row.id, row.name, Role(row.role)) for row in rows}
        taken = set(conn.execute(select(alerts.c.name)).scalars())
        for name, alert_type, level, visibility, criteria in SEED_ALERTS:
            if name not in taken:
                data = AlertInput(name, criteria, alert_type, level, None, visibility)
                create_alert(conn, registry, by_name["admin"], data)
                result.alerts_created += 1
        private = "Alice's watch list: big accounts over their credit limit"
        if private not in taken:
            data = AlertInput(
                private,
                {"creditLimitExcess": {"min": "0.01"}, "outstandingAmount": {"min": "50000"}},
                AlertType.RISK, Level.HIGH, None, Visibility.PRIVATE,
            )  # fmt: skip
            create_alert(conn, registry, by_name["alice"], data)
            result.alerts_created += 1
    return result
