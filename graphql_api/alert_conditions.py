"""Each alert's condition over the customers, for an event's evaluation (membership_eval.py):
its CUSTOMER criteria, and its ITEM criteria either as its own EXISTS or as a flag from one
pass over the open items shared by many alerts."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Integer, and_, func, literal, select, union_all
from sqlalchemy.engine import Dialect

from graphql_api import alert_bits
from graphql_api.evaluation import CUSTOMER_BASE, OPEN, Compiled
from graphql_api.sql_functions import among
from graphql_api.storage import customers, items

# Up to this many alerts with ITEM criteria, each is evaluated by its own EXISTS, which reads
# a customer's open items in their covering index (storage.ix_items_open) and stops at the
# first that meets it; beyond, by one pass over every open item computing each alert's flag
# per customer, which costs as much for one alert as for 34. Measured on the bench (2,000
# customers, 34 item alerts, CPU): SQLite 64 ms by EXISTS against 135 ms by the pass;
# PostgreSQL, whose EXISTS are hashed or looped per alert, 132 against 104 ms. Measured again
# at 10,000 customers on SQLite with the 21 distinct ITEM criteria of a new day, alone: the
# pass (GROUP BY, a max() per criteria) 297 ms, a correlated subquery computing all 21 flags
# per customer 300 ms, against about 110 ms for the EXISTS where their customer part holds
# (and 226 ms for all 21 EXISTS for every customer): each item evaluating every criteria
# costs more than the EXISTS' seeks, which stop at the first item that meets them.
EXISTS_UP_TO = {"sqlite": 10_000, "postgresql": 3}


def item_flags(
    conditions: Mapping[int, Compiled],
    customer_ids: Sequence[int] | None,
    dialect: Dialect,
    *,
    outer: bool,
) -> tuple[Any, dict[int, Any]]:
    """ITEM criteria of many alerts are read in one pass over the open items, which computes
    every alert's item flag per customer, instead of one correlated EXISTS per alert and
    customer; those of a few alerts (an alert saved) by their EXISTS, which reads only each
    customer's items through the index and stops at the first that meets them. Answers the
    customers (joined with the flags) and each alert's flag (none: its own EXISTS)."""
    with_items = {i: c.item_part for i, c in conditions.items() if c.item_part is not None}
    if len(with_items) <= EXISTS_UP_TO.get(dialect.name, 3):
        return CUSTOMER_BASE, {}
    either = func.bool_or if dialect.name == "postgresql" else func.max
    # Alerts with the same ITEM criteria share one flag (bench, a new day: 25 alerts, 21
    # criteria).
    sharing = alert_bits.same_sql(with_items, dialect)
    per_customer = select(
        items.c.customer_id, *(either(with_items[s[0]]).label(f"i{s[0]}") for s in sharing)
    ).where(OPEN)
    if customer_ids is not None:
        per_customer = per_customer.where(among(items.c.customer_id, list(customer_ids)))
    item_flags = per_customer.group_by(items.c.customer_id).cte("item_flags")
    on = item_flags.c.customer_id == customers.c.id
    join = CUSTOMER_BASE.outerjoin if outer else CUSTOMER_BASE.join
    joined = join(item_flags, on)
    return joined, {i: item_flags.c[f"i{s[0]}"] for s in sharing for i in s}


def matches_of(
    conditions: Mapping[int, Compiled], customer_ids: Sequence[int] | None, dialect: Dialect
) -> Any:
    """(alert id, customer id) of every match of these alerts: one UNION ALL."""
    scope = [] if customer_ids is None else [among(customers.c.id, list(customer_ids))]
    source, flags = item_flags(conditions, customer_ids, dialect, outer=False)
    selects = [
        select(literal(alert_id, Integer), customers.c.id)
        .select_from(source if alert_id in flags else CUSTOMER_BASE)
        .where(condition(alert_id, compiled, flags), *scope)
        for alert_id, compiled in conditions.items()
    ]
    return selects[0] if len(selects) == 1 else union_all(*selects)


def condition(alert_id: int, compiled: Compiled, flags: Mapping[int, Any]) -> Any:
    if alert_id in flags:
        return and_(compiled.customer_part, flags[alert_id])
    return compiled.condition
