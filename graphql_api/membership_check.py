"""`dso-alerts check`: every alert evaluated from scratch and compared with the stored
membership (SPEC §9). It reports and repairs nothing.

What is compared, for every settled alert (a frozen one keeps its membership on purpose
and is only listed): the customers it matches now against its stored matches, and its
stored count against its matches. The tables without foreign keys (storage.py) are also
searched for rows whose alert, customer or user does not exist.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import Table, exists, func, select
from sqlalchemy.engine import Connection

from graphql_api import bell_keys
from graphql_api.membership_eval import (
    compile_alerts,
    empty_fresh,
    evaluate,
    fresh,
    settled_alerts,
)
from graphql_api.plugins import CriteriaRegistry
from graphql_api.sql_functions import among
from graphql_api.storage import (
    alert_changes,
    alert_matches,
    alert_states,
    alerts,
    customers,
    users,
)
from graphql_api.storage import bell_keys as bell_keys_table

# What each table without foreign keys refers to: (table, column, parent, the parent's noun).
REFERENCES: tuple[tuple[Table, str, Table, str], ...] = (
    (alert_matches, "alert_id", alerts, "alert"),
    (alert_matches, "customer_id", customers, "customer"),
    (alert_changes, "alert_id", alerts, "alert"),
    (alert_changes, "customer_id", customers, "customer"),
    (bell_keys_table, "user_id", users, "user"),
    (bell_keys_table, "customer_id", customers, "customer"),
)


@dataclass
class CheckReport:
    alerts_checked: int = 0
    matches_checked: int = 0
    differences: list[str] = field(default_factory=list)
    not_evaluated: list[str] = field(default_factory=list)  # frozen alerts, and why

    @property
    def ok(self) -> bool:
        return not self.differences


def check_membership(conn: Connection, registry: CriteriaRegistry, today: date) -> CheckReport:
    """Compare the stored membership with a fresh evaluation (call it once caught up)."""
    report = CheckReport()
    names = dict(conn.execute(select(alerts.c.id, alerts.c.name)).all())
    settled = settled_alerts(conn)
    for alert_id in sorted(set(names) - set(settled)):
        report.not_evaluated.append(f"alert {alert_id} {names[alert_id]!r}: frozen")
    compiled = compile_alerts(conn, registry, today, settled)
    failed = evaluate(conn, compiled, today)
    for alert_id, problem in failed.items():
        report.differences.append(
            f"alert {alert_id} {names[alert_id]!r} is settled but cannot be evaluated: {problem}"
        )
    checked = [i for i in compiled if i not in failed]
    report.alerts_checked = len(checked)
    stored = exists().where(
        alert_matches.c.alert_id == fresh.c.alert_id,
        alert_matches.c.customer_id == fresh.c.customer_id,
    )
    still = exists().where(
        fresh.c.alert_id == alert_matches.c.alert_id,
        fresh.c.customer_id == alert_matches.c.customer_id,
    )
    missing = (
        select(fresh.c.alert_id, customers.c.account_number)
        .join(customers, customers.c.id == fresh.c.customer_id)
        .where(~stored)
    )
    extra = (
        select(alert_matches.c.alert_id, customers.c.account_number)
        .join(customers, customers.c.id == alert_matches.c.customer_id)
        .where(among(alert_matches.c.alert_id, checked), ~still)
    )
    for alert_id, account in conn.execute(missing.order_by(fresh.c.alert_id, "account_number")):
        report.differences.append(
            f"alert {alert_id} {names[alert_id]!r}: {account} matches, but is not stored"
        )
    for alert_id, account in conn.execute(
        extra.order_by(alert_matches.c.alert_id, "account_number")
    ):
        report.differences.append(
            f"alert {alert_id} {names[alert_id]!r}: {account} is stored, but does not match"
        )
    report.matches_checked = int(conn.execute(select(func.count()).select_from(fresh)).scalar_one())
    empty_fresh(conn)
    counts = (
        select(
            alert_states.c.alert_id,
            alert_states.c.match_count,
            func.count(alert_matches.c.customer_id),
        )
        .select_from(
            alert_states.outerjoin(
                alert_matches, alert_matches.c.alert_id == alert_states.c.alert_id
            )
        )
        .group_by(alert_states.c.alert_id, alert_states.c.match_count)
        .order_by(alert_states.c.alert_id)
    )
    for alert_id, kept, actual in conn.execute(counts):
        if kept != actual:
            report.differences.append(
                f"alert {alert_id} {names[alert_id]!r}: its count says {kept}, {actual} stored"
            )
    report.differences += bell_keys.differences(conn)  # the worklist's keys, from scratch
    report.differences += orphans(conn)
    return report


def orphans(conn: Connection) -> list[str]:
    """The rows of the tables without foreign keys whose alert, customer or user does not
    exist, counted per missing parent: what a deletion left behind."""
    found = []
    for table, column, parent, noun in REFERENCES:
        refers = table.c[column]
        missing = ~exists().where(parent.c.id == refers)
        rows = conn.execute(
            select(refers, func.count()).where(missing).group_by(refers).order_by(refers)
        )
        for parent_id, count in rows:
            found.append(
                f"{table.name}: {count} row(s) of {noun} {parent_id}, which does not exist"
            )
    return found
