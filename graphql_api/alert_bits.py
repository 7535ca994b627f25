"""The per-customer bit masks of an event's evaluation (membership_eval.evaluate_difference):
bit n set when the customer matches the n-th alert of the chunk now, and when it is stored in it.

Now, on SQLite: alerts with the same ITEM criteria (the same compiled SQL, values
included) share one EXISTS over the customer's open items, evaluated once per customer and
only when one of their CUSTOMER parts holds; SQLite evaluates every occurrence of an
identical subquery again. On the bench's 100 alerts, the 34 with ITEM criteria have 21
distinct ones; a new day evaluates 25 of them (21 distinct). A new day's masks statement,
alone (10k, CPU): 222 → 208 ms.

Stored: each of a customer's stored matches gives its bit. When a chunk's alert ids fit in
a mask, the bit is the id less the smallest (a shift), and only that range of ids is read
in the customer's index; else a tree of CASEs on the id (about 127 ns a match at 100k, a
third of the stored masks' time). On SQLite the chunks are therefore windows of ids
(mask_chunks): a new day's 54 alerts (ids 1 to 100) make two statements instead of one,
and still cost less: 10k 208 → 184 ms, 100k 2,322 → 2,076 ms. On PostgreSQL, which reads
every stored match in one pass (grouped by customer), the bit is an array's element
indexed by the id, when the ids are not too sparse (BITS_BY_ID_UP_TO).
"""

from __future__ import annotations

import operator
from collections.abc import Mapping, Sequence
from functools import reduce
from typing import Any

from sqlalchemy import BigInteger, and_, case, exists, func, literal, or_
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.engine import Dialect
from sqlalchemy.sql.elements import Grouping

from graphql_api.evaluation import OPEN, Compiled
from graphql_api.storage import alert_matches, customers, items

# Bits of a mask: a signed 64-bit integer, with room to spare.
BITS = 62
# On PostgreSQL, a stored match's bit is read from an array indexed by alert id when the
# chunk's ids span no more than this (the array holds one number per id in the span).
BITS_BY_ID_UP_TO = 10_000


def bit(position: int) -> Any:
    return literal(1 << position, BigInteger)


def chunks(alert_ids: Sequence[int], size: int) -> list[list[int]]:
    return [list(alert_ids[start : start + size]) for start in range(0, len(alert_ids), size)]


def mask_chunks(alert_ids: Sequence[int], dialect: Dialect) -> list[list[int]]:
    """The alerts in chunks of one mask each. On SQLite, by windows of ids that fit in a
    mask (bit_positions: a stored match's bit is a shift) unless the ids are so sparse that
    the windows would be more than one statement more than the chunks of BITS alerts."""
    by_count = chunks(alert_ids, BITS)
    if dialect.name != "sqlite":
        return by_count
    windows: list[list[int]] = []
    for alert_id in sorted(alert_ids):
        if windows and alert_id - windows[-1][0] < BITS:
            windows[-1].append(alert_id)
        else:
            windows.append([alert_id])
    return windows if len(windows) <= len(by_count) + 1 else by_count


def bit_positions(alert_ids: Sequence[int]) -> dict[int, int]:
    """Each alert's bit: its id less the smallest when the ids fit in a mask (a stored
    match's bit is then a shift, `stored_mask`), else its rank."""
    lowest = min(alert_ids)
    if max(alert_ids) - lowest < BITS:
        return {i: i - lowest for i in alert_ids}
    return {i: n for n, i in enumerate(sorted(alert_ids))}


def now_mask(
    conditions: Mapping[int, Compiled],
    positions: Mapping[int, int],
    item_flags: Mapping[int, Any],
    dialect: Dialect,
) -> Any:
    """The mask of the alerts a customer matches now (bits at `positions`): a sum of one CASE
    per alert, or per group of alerts sharing their ITEM criteria. `item_flags`: the alerts
    whose ITEM criteria are read from a pass over the items (alert_conditions.item_flags)."""
    terms = []
    for alert_id, compiled in conditions.items():
        if alert_id in item_flags:
            condition = and_(compiled.customer_part, item_flags[alert_id])
            terms.append(case((condition, bit(positions[alert_id])), else_=0))
        elif compiled.item_part is None:
            terms.append(case((compiled.condition, bit(positions[alert_id])), else_=0))
    with_items = {
        i: c.item_part
        for i, c in conditions.items()
        if c.item_part is not None and i not in item_flags
    }
    for sharing in same_sql(with_items, dialect):
        terms.append(_shared_item_criteria([(positions[i], conditions[i]) for i in sharing]))
    return reduce(operator.add, terms)


def same_sql(expressions: Mapping[int, Any], dialect: Dialect) -> list[list[int]]:
    """The keys of `expressions` grouped by their SQL and its values (equal: the same
    condition), in order of first appearance."""
    groups: dict[str, list[int]] = {}
    for key, expression in expressions.items():
        compiled = expression.compile(dialect=dialect)
        groups.setdefault(f"{compiled}\n{sorted(compiled.params.items())!r}", []).append(key)
    return list(groups.values())


def _shared_item_criteria(alerts: Sequence[tuple[int, Compiled]]) -> Any:
    """The bits of alerts whose ITEM criteria are the same: their EXISTS is evaluated once,
    when one of their CUSTOMER parts holds (AND evaluates left to right and stops at false)."""
    first = alerts[0][1]
    if len(alerts) == 1:
        return case((first.condition, bit(alerts[0][0])), else_=0)
    item_part = first.item_part
    assert item_part is not None
    has_item = exists().where(items.c.customer_id == customers.c.id, OPEN, item_part)
    any_customer_part = or_(*(compiled.customer_part for _, compiled in alerts))
    bits = reduce(operator.add, (case((c.customer_part, bit(n)), else_=0) for n, c in alerts))
    return case((and_(any_customer_part, has_item), bits), else_=0)


def stored_mask(positions: Mapping[int, int], dialect: Dialect) -> tuple[Any, list[Any]]:
    """The mask of a customer's stored matches, as an aggregate over its rows of
    alert_matches, and the conditions on those rows: when the bits are the ids less the
    smallest (`positions`), the ids' range (read alone in the index) and a shift; else every
    match, with a tree of CASEs giving other alerts' 0."""
    ids = sorted(positions)
    lowest = ids[0]
    alert_id = alert_matches.c.alert_id
    if dialect.name == "sqlite" and all(positions[i] == i - lowest for i in ids):
        shifted = literal(1, BigInteger).op("<<")(alert_id - lowest)
        wanted = sum(1 << positions[i] for i in ids)
        mask = func.sum(shifted).bitwise_and(literal(wanted, BigInteger))
        return mask, [alert_id >= lowest, alert_id <= ids[-1]]
    if dialect.name == "postgresql" and ids[-1] - lowest < BITS_BY_ID_UP_TO:
        # An array of each id's bit, 0 for the ids between (NULL beyond it, which sum()
        # skips): one subscript per match instead of a few CASEs. Bench, 100,000 customers,
        # a new day's masks (54 alerts), CPU of every process: 2,270 → 2,130 ms.
        by_id = [0] * (ids[-1] - lowest + 1)
        for i in ids:
            by_id[i - lowest] = 1 << positions[i]
        bits = Grouping(literal(by_id, ARRAY(BigInteger)))
        return func.sum(bits[alert_id - (lowest - 1)]), []
    return func.sum(_stored_bit([(i, positions[i]) for i in ids])), []


def _stored_bit(positions: Sequence[tuple[int, int]]) -> Any:
    """A stored match's bit, from (alert id, bit) sorted by alert id: a tree of CASEs, so
    that each of the many matches read is compared with a few ids, not with every one."""
    if len(positions) <= 4:
        pairs = ((alert_matches.c.alert_id == i, bit(n)) for i, n in positions)
        return case(*pairs, else_=0)
    middle = len(positions) // 2
    lower = alert_matches.c.alert_id < positions[middle][0]
    return case((lower, _stored_bit(positions[:middle])), else_=_stored_bit(positions[middle:]))
