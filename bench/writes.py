"""The write path's evaluations from scratch, in-process, each in a write transaction rolled
back so that every repetition starts from the same database:

- saving an alert with item criteria (alerts.create_alert: the alert evaluated over the whole
  ledger, its matches and changes written), against the floor's count of that one alert;
- a change of day (membership_day.catch_up on the next day: the figures, every alert
  evaluated, the diff recorded, the history pruned), against the floor's 100 counts.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.engine import Connection

from bench.alert_set import BenchAlert
from bench.config import TODAY
from bench.floors import timed_call
from graphql_api.alerts import AlertInput, create_alert
from graphql_api.database import write_transaction
from graphql_api.membership_day import catch_up
from graphql_api.plugins import CriteriaRegistry
from graphql_api.users import Role, User


def rolled_back(engine: Engine, work: Callable[[Connection], Any]) -> Callable[[], Any]:
    def run() -> Any:
        with write_transaction(engine) as conn:
            try:
                return work(conn)
            finally:
                conn.rollback()

    return run


def time_alert_save(
    engine: Engine, registry: CriteriaRegistry, alert: BenchAlert, repeat: int = 5
) -> list[float]:
    """Creating `alert` again (a new alert with its criteria), as the bench user."""
    with engine.connect() as conn:
        user_id = conn.exec_driver_sql("SELECT id FROM users WHERE name = 'bench'").scalar_one()
    user = User(user_id, "bench", Role.USER)
    data = AlertInput(f"{alert.name} (saved again)", alert.criteria, alert.type, alert.level)

    def save(conn: Connection) -> None:
        create_alert(conn, registry, user, data, TODAY)

    times, _ = timed_call(rolled_back(engine, save), repeat=repeat, budget_s=60)
    return times


def time_new_day(engine: Engine, registry: CriteriaRegistry, repeat: int = 3) -> list[float]:
    """Applying the next day: figures, every alert, the diff and the pruning."""

    def next_day(conn: Connection) -> None:
        catch_up(conn, registry, TODAY + timedelta(days=1))

    times, _ = timed_call(rolled_back(engine, next_day), repeat=repeat, budget_s=120)
    return times
