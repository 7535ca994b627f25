"""The floors: the same results by one hand-written SQL statement, run on a bare DBAPI connection.

The SQL text is written here by hand, criterion by criterion, from SPEC §1–2;
it does not go through the criteria plugins or SQLAlchemy, so it measures what
the database alone needs for each answer. Money is integer cents on both
databases (graphql_api/money.py); `Dialect` holds the few spellings that differ
(SQLite keeps dates as ISO text and booleans as 0/1).
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import psycopg

from graphql_api.money import to_cents

FROM = "customers c JOIN customer_figures f ON f.customer_id = c.id"

CUSTOMER_VALUES = {
    "outstandingAmount": "f.outstanding_amount",
    "overdueAmount": "f.overdue_amount",
    "notDueAmount": "f.not_due_amount",
    "disputedAmount": "f.disputed_amount",
    "uncoveredAmount": "f.uncovered_amount",
    "creditLimitExcess": "f.credit_limit_excess",
    "creditLimit": "COALESCE(c.credit_limit, 0)",
    "insurerGuarantee": "COALESCE(c.insurer_guarantee, 0)",
    "daysOverdue": "f.days_overdue",
    "lastReminderDate": "f.last_reminder_date",
    "lastPaymentDate": "c.last_payment_date",
    "group": "c.customer_group",
    "country": "c.country",
    "status": "c.status",
    "collector": "c.collector",
    "blocked": "c.blocked",
}
ITEM_VALUES = {
    "itemType": "i.type",
    "itemDueDate": "i.due_date",
    "itemDocumentDate": "i.document_date",
    "itemOpenAmount": "i.open_amount",
    "itemDisputed": "i.disputed",
    "itemIgnoredInCollection": "i.ignored_in_collection",
}
MONEY = {"outstandingAmount", "overdueAmount", "notDueAmount", "disputedAmount", "uncoveredAmount",
         "creditLimitExcess", "creditLimit", "insurerGuarantee", "itemOpenAmount"}  # fmt: skip
DATES = {"lastReminderDate", "lastPaymentDate", "itemDueDate", "itemDocumentDate"}
LISTS = {"group", "country", "status", "collector", "itemType"}
FLAGS = {"blocked", "itemDisputed", "itemIgnoredInCollection"}


@dataclass(frozen=True)
class Layout:
    """Where the statements read: the tables, and how a value of each criterion is spelled."""

    table: str  # the customers' table (alias c)
    source: str  # FROM, with every customer value
    customer_id: str
    account: str
    page_columns: str  # what a page shows of each customer
    values: dict[str, str]
    items: str  # the items' table, alias i
    open_only: str  # the condition that keeps open items ("" when the table holds only those)
    day_numbers: bool  # dates as integer day numbers (date.toordinal), flags as 0/1


PRODUCT = Layout(
    table="customers",
    source=FROM,
    customer_id="c.id",
    account="c.account_number",
    page_columns="c.account_number, c.name, f.outstanding_amount, f.overdue_amount",
    values=CUSTOMER_VALUES | ITEM_VALUES,
    items="items i",
    open_only="i.open_amount <> 0",
    day_numbers=False,
)


@dataclass(frozen=True)
class Dialect:
    name: str
    today: date

    def money(self, raw: str) -> str:
        """A bound of an amount criterion (the bench's have two decimals at most), in cents."""
        return str(to_cents(Decimal(raw)))

    def day(self, value: date) -> str:
        return f"'{value.isoformat()}'" if self.name == "sqlite" else f"DATE '{value.isoformat()}'"

    def flag(self, value: bool) -> str:
        return ("1" if value else "0") if self.name == "sqlite" else ("TRUE" if value else "FALSE")

    @property
    def param(self) -> str:
        return "?" if self.name == "sqlite" else "%s"


def _text(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _predicate(key: str, spec: Any, d: Dialect, layout: Layout = PRODUCT) -> str:
    def day(value: date) -> str:
        return str(value.toordinal()) if layout.day_numbers else d.day(value)

    if key == "insured":
        guarantee = layout.values["insurerGuarantee"]
        return f"{guarantee} > 0" if spec else f"{guarantee} <= 0"
    if key == "itemOverdue":
        today, due = day(d.today), layout.values["itemDueDate"]
        return f"{due} < {today}" if spec else f"({due} IS NULL OR {due} >= {today})"
    value = layout.values[key]
    if key in FLAGS:
        flag = ("1" if spec else "0") if layout.day_numbers else d.flag(spec)
        return f"{value} = {flag}"
    if key in LISTS:
        listed = ", ".join(_text(v) for v in spec["values"])
        if spec.get("op", "IS") == "IS":
            return f"{value} IN ({listed})"
        return f"({value} IS NULL OR {value} NOT IN ({listed}))"
    if key in DATES:
        parts = []
        if "olderThanDays" in spec:
            cutoff = day(d.today - timedelta(days=spec["olderThanDays"]))
            parts.append(f"({value} IS NULL OR {value} <= {cutoff})")
        if "newerThanDays" in spec:
            parts.append(f"{value} >= {day(d.today - timedelta(days=spec['newerThanDays']))}")
        return " AND ".join(parts)
    bound = d.money if key in MONEY else str
    parts = []
    if "min" in spec:
        parts.append(f"{value} >= {bound(str(spec['min']))}")
    if "max" in spec:
        parts.append(f"{value} <= {bound(str(spec['max']))}")
    return " AND ".join(parts)


def _split(criteria: dict[str, Any], d: Dialect, layout: Layout) -> tuple[list[str], list[str]]:
    def is_item(key: str) -> bool:
        return key in ITEM_VALUES or key == "itemOverdue"

    customer = [_predicate(k, v, d, layout) for k, v in criteria.items() if not is_item(k)]
    item = [_predicate(k, v, d, layout) for k, v in criteria.items() if is_item(k)]
    return customer, item


def alert_condition(criteria: dict[str, Any], d: Dialect, layout: Layout = PRODUCT) -> str:
    """One alert as SQL over the layout's customers (c) and items (i)."""
    customer, item = _split(criteria, d, layout)
    if item:
        open_only = [layout.open_only] if layout.open_only else []
        customer.append(
            f"EXISTS (SELECT 1 FROM {layout.items} WHERE i.customer_id = {layout.customer_id} "
            + "".join(f"AND {part} " for part in open_only + item)
            + ")"
        )
    return "(" + " AND ".join(customer) + ")"


def counts_sql(conditions: Sequence[str], layout: Layout = PRODUCT) -> str:
    columns = ",\n  ".join(f"COUNT(*) FILTER (WHERE {cond})" for cond in conditions)
    return f"SELECT\n  {columns}\nFROM {layout.source}"


def naive_count_sql(condition: str, layout: Layout = PRODUCT) -> str:
    return f"SELECT COUNT(*) FROM {layout.source} WHERE {condition}"


def bell_page_sql(
    conditions: Sequence[str], d: Dialect, first_page: bool, size: int, layout: Layout = PRODUCT
) -> str:
    columns = ",\n  ".join(f"{cond} AS a{n}" for n, cond in enumerate(conditions))
    where = "" if first_page else f"WHERE {layout.account} > {d.param}\n"
    return (
        f"SELECT {layout.page_columns},\n  {columns}\nFROM {layout.source}\n"
        f"{where}ORDER BY {layout.account} LIMIT {size}"
    )


def alert_page_sql(condition: str, size: int, layout: Layout = PRODUCT) -> str:
    return (
        f"SELECT {layout.page_columns}\nFROM {layout.source}\nWHERE {condition}\n"
        f"ORDER BY {layout.account} LIMIT {size}"
    )


class Floors:
    """A bare DBAPI connection to the bench database, and the hand-written statements' timings."""

    def __init__(self, url: str, today: date) -> None:
        if url.startswith("sqlite"):
            self.dialect = Dialect("sqlite", today)
            self.conn: Any = sqlite3.connect(url.removeprefix("sqlite:///"))
        else:
            self.dialect = Dialect("postgresql", today)
            self.conn = psycopg.connect(
                url.replace("postgresql+psycopg://", "postgresql://"), autocommit=True
            )

    def close(self) -> None:
        self.conn.close()

    def run(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        cursor = self.conn.cursor()
        try:
            cursor.execute(sql, tuple(params))
            return list(cursor.fetchall())
        finally:
            cursor.close()

    def timed(
        self, sql: str, params: Sequence[Any] = (), *, repeat: int = 5, budget_s: float = 20.0
    ) -> tuple[list[float], list[tuple[Any, ...]]]:
        """Run `sql` `repeat` times (fewer when over budget); the times and the last result."""
        times: list[float] = []
        rows: list[tuple[Any, ...]] = []
        spent = 0.0
        for _ in range(repeat):
            started = time.perf_counter()
            rows = self.run(sql, params)
            elapsed = time.perf_counter() - started
            times.append(elapsed)
            spent += elapsed
            if spent > budget_s:
                break
        return times, rows


def timed_call(fn: Callable[[], Any], repeat: int, budget_s: float) -> tuple[list[float], Any]:
    times: list[float] = []
    result: Any = None
    spent = 0.0
    for _ in range(repeat):
        started = time.perf_counter()
        result = fn()
        elapsed = time.perf_counter() - started
        times.append(elapsed)
        spent += elapsed
        if spent > budget_s:
            break
    return times, result


# -- the grouped formulation: one pass over the open items for every ITEM alert --


def alert_parts(
    criteria: dict[str, Any], d: Dialect, layout: Layout = PRODUCT
) -> tuple[str, str | None]:
    """(customer condition, item condition or None) for one alert."""
    customer, item = _split(criteria, d, layout)
    return ("(" + " AND ".join(customer) + ")" if customer else ""), (
        "(" + " AND ".join(item) + ")" if item else None
    )


def _item_flags(
    parts: Sequence[tuple[str, str | None]], d: Dialect, layout: Layout, where: str = ""
) -> str:
    flags = []
    for n, (_, item) in enumerate(parts):
        if item is None:
            continue
        if d.name == "postgresql":
            flags.append(f"bool_or({item}) AS i{n}")
        else:
            flags.append(f"MAX({item}) AS i{n}")
    conditions = [c for c in (layout.open_only, where) if c]
    return (
        "SELECT i.customer_id, "
        + ", ".join(flags)
        + f" FROM {layout.items}"
        + (" WHERE " + " AND ".join(conditions) if conditions else "")
        + " GROUP BY i.customer_id"
    )


def _grouped_condition(n: int, customer: str, item: str | None, d: Dialect) -> str:
    parts = [customer] if customer else []
    if item is not None:
        parts.append(f"it.i{n}" if d.name == "postgresql" else f"it.i{n} = 1")
    return "(" + " AND ".join(parts) + ")"


def grouped_counts_sql(
    parts: Sequence[tuple[str, str | None]], d: Dialect, layout: Layout = PRODUCT
) -> str:
    columns = ",\n  ".join(
        f"COUNT(*) FILTER (WHERE {_grouped_condition(n, c, i, d)})"
        for n, (c, i) in enumerate(parts)
    )
    return (
        f"SELECT\n  {columns}\nFROM {layout.source}\n"
        f"LEFT JOIN ({_item_flags(parts, d, layout)}) it ON it.customer_id = {layout.customer_id}"
    )


def grouped_bell_page_sql(
    parts: Sequence[tuple[str, str | None]],
    d: Dialect,
    first_page: bool,
    size: int,
    layout: Layout = PRODUCT,
) -> str:
    """The bell page with one pass over the page's open items for every ITEM alert (two parameters
    after the first page: the same `after` twice)."""
    after = "" if first_page else f"WHERE c2.account_number > {d.param} "
    page_ids = f"SELECT c2.id FROM {layout.table} c2 {after}ORDER BY c2.account_number LIMIT {size}"
    flags = _item_flags(parts, d, layout, where=f"i.customer_id IN ({page_ids})")
    columns = ",\n  ".join(
        f"{_grouped_condition(n, c, i, d)} AS a{n}" for n, (c, i) in enumerate(parts)
    )
    where = "" if first_page else f"WHERE {layout.account} > {d.param}\n"
    return (
        f"SELECT {layout.page_columns},\n  {columns}\nFROM {layout.source}\n"
        f"LEFT JOIN ({flags}) it ON it.customer_id = {layout.customer_id}\n"
        f"{where}ORDER BY {layout.account} LIMIT {size}"
    )
