"""Keyset paging (SPEC §8): the statement that reads a page of a connection's order
(sort_order.py: its terms and cursors) from a cursor in either direction.

A page is read by walking the order from its cursor. "After (v, a)" in an order of two
terms is `t0 > v OR (t0 = v AND t1 > a)`: as one condition a database walks its index from
the start of the `t0 = v` group and filters, so a large tie group (every customer with
nothing overdue) would be read on every page. The statement instead asks each alternative
apart — `t0 = v AND t1 > a`, then `t0 > v` — each one an index range read in order and
cut at the page size, and merges the few rows they give. An empty value is split the same
way (`t0 IS NULL` is its own range), so an index on plain columns serves an order that
puts empty values first or last.

The same statement carries two probes of one row each, so that both `hasPreviousPage`
and `hasNextPage` are exact in either direction: whether any row stands at or behind the
cursor the walk starts from, and at or beyond the cursor that bounds it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    ColumnElement,
    CompoundSelect,
    FromClause,
    Row,
    Select,
    and_,
    bindparam,
    false,
    literal_column,
    or_,
    select,
    union_all,
)
from sqlalchemy.engine import Connection

from graphql_api.sort_order import Key, Order, Term, Value


@dataclass(frozen=True)
class Window:
    """The page asked for: `size` rows from the start (`forward`) or the end of the rows
    strictly between the cursors `after` and `before`."""

    size: int
    forward: bool = True
    after: Key | None = None
    before: Key | None = None


@dataclass
class Page:
    rows: list[Row[Any]]
    has_previous: bool
    has_next: bool


@dataclass(frozen=True)
class _Range:
    """One alternative of a walk: conditions that one index range meets, and the terms it
    is ordered by (the first `start` are equal to the cursor's; term `start` holds no empty
    value, or only empty ones when `empty`)."""

    conditions: tuple[ColumnElement[bool], ...]
    start: int
    empty: bool = False

    def order_by(self, terms: Sequence[Term]) -> list[Any]:
        clauses = []
        for i, term in enumerate(terms):
            if i < self.start or (i == self.start and self.empty):
                continue  # constant in this range
            clauses.append(term.ordered(nulls=i != self.start))
        return clauses


def _equal(term: Term, value: Value) -> ColumnElement[bool]:
    return term.expression.is_(None) if value is None else term.expression == value


def _beyond(
    term: Term, value: Value, inclusive: bool = False
) -> list[tuple[ColumnElement[bool], bool]]:
    """Conditions, each with whether it selects empty values, for "after `value`" (or equal
    to it, when `inclusive`) in the term's order."""
    x = term.expression
    if value is None:
        found = [(x.is_not(None), False)] if term.nulls_first else []
        return [*found, (x.is_(None), True)] if inclusive else found
    if term.descending:
        found = [(x <= value if inclusive else x < value, False)]
    else:
        found = [(x >= value if inclusive else x > value, False)]
    if term.nullable and not term.nulls_first:
        found.append((x.is_(None), True))
    return found


def ranges(terms: Sequence[Term], key: Key | None, *, inclusive: bool = False) -> list[_Range]:
    """The rows after `key` in the order of `terms` (all rows when None; with `inclusive`,
    the row equal to `key` too), as disjoint ranges."""
    if key is None:
        first = terms[0]
        if not first.nullable:
            return [_Range((), 0)]
        filled = _Range((first.expression.is_not(None),), 0)
        empty = _Range((first.expression.is_(None),), 0, empty=True)
        return [empty, filled] if first.nulls_first else [filled, empty]
    found: list[_Range] = []
    prefix: list[ColumnElement[bool]] = []
    last = len(terms) - 1
    for i, (term, value) in enumerate(zip(terms, key, strict=True)):
        # The row equal to `key` is in the last term's range (`>=` rather than `>`).
        for condition, empty in _beyond(term, value, inclusive and i == last):
            found.append(_Range((*prefix, condition), i, empty))
        prefix.append(_equal(term, value))
    return found


def after(terms: Sequence[Term], key: Key, *, inclusive: bool = False) -> ColumnElement[bool]:
    """The rows after `key` as one condition (to filter by, not to walk an index with)."""
    found = ranges(terms, key, inclusive=inclusive)
    return or_(*(and_(*r.conditions) for r in found)) if found else false()


def read_page(
    conn: Connection,
    columns: Sequence[Any],
    source: FromClause,
    identity: ColumnElement[Any],
    filters: Sequence[ColumnElement[bool]],
    order: Order,
    window: Window,
    rows_from: FromClause | None = None,
    *,
    reuse: bool = False,
) -> Page:
    """One page of the rows of `source` meeting `filters`, in `order`, with both flags: one
    statement. Each row has `columns` and the order's key (`Order.key_of`); `identity` is
    the unique column the ranges' rows are joined back by (they read only it and the key:
    a small statement is quick to build and to plan), from `rows_from` (`source` unless
    the columns need less than what the order reads). On PostgreSQL the ranges read the
    columns themselves instead (`_page_statement`).

    The cursors' values are bound parameters. With `reuse` (the caller's source, columns
    and order expressions are built once, not per request), a page without filters reuses
    the statement of its shape, built on first use: a list's pages have few shapes."""
    start, bound = window.after, window.before
    if not window.forward:
        start, bound = bound, start
    shape = _Shape(
        tuple(columns), source, identity, order, window.size, window.forward,
        _filled(start), _filled(bound), rows_from, conn.dialect.name == "postgresql",
    )  # fmt: skip
    if filters or not reuse:
        statement = _page_statement(shape, filters)
    else:
        statement = _STATEMENTS.get(shape)
        if statement is None:
            if len(_STATEMENTS) >= _MAX_STATEMENTS:
                _STATEMENTS.clear()  # shapes of other orders and sources: built again
            statement = _STATEMENTS[shape] = _page_statement(shape, ())
    values = _values(start, "s") | _values(bound, "b")
    rows = conn.execute(statement, values).all()
    page = [row for row in rows if row.part == 0]
    ahead = len(page) > window.size or any(row.part == 2 for row in rows)
    behind = any(row.part == 1 for row in rows)
    page = page[: window.size]
    if not window.forward:
        page.reverse()
        ahead, behind = behind, ahead
    return Page(page, has_previous=behind, has_next=ahead)


@dataclass(frozen=True)
class _Shape:
    """What a page's statement depends on but its filters and the cursors' values: which
    values of the cursor the walk starts from (`start`) and of the one that bounds it
    (`bound`) are filled (a bound parameter; an empty one is spelled `IS NULL`)."""

    columns: tuple[Any, ...]
    source: FromClause
    identity: ColumnElement[Any]
    order: Order
    size: int
    forward: bool
    start: tuple[bool, ...] | None
    bound: tuple[bool, ...] | None
    rows_from: FromClause | None
    direct: bool  # the ranges read the columns (PostgreSQL), not a join back by identity


# Statements of pages without filters, by shape (`reuse`): a list's orders, directions and
# page sizes are few; should they not be, the cache starts again.
_STATEMENTS: dict[_Shape, Select[Any] | CompoundSelect] = {}
_MAX_STATEMENTS = 256


def _filled(key: Key | None) -> tuple[bool, ...] | None:
    return None if key is None else tuple(value is not None for value in key)


def _placeholders(order: Order, filled: tuple[bool, ...] | None, prefix: str) -> Key | None:
    """A cursor's key as bound parameters (`_values` gives them), None where it is empty."""
    if filled is None:
        return None
    return tuple(
        bindparam(f"{prefix}{i}", type_=term.expression.type) if present else None
        for i, (term, present) in enumerate(zip(order.terms, filled, strict=True))
    )


def _values(key: Key | None, prefix: str) -> dict[str, Value]:
    if key is None:
        return {}
    return {f"{prefix}{i}": value for i, value in enumerate(key) if value is not None}


def _page_statement(
    shape: _Shape, filters: Sequence[ColumnElement[bool]]
) -> Select[Any] | CompoundSelect:
    """The statement of `read_page`: the ranges of the walk, each cut at the page size, and
    the probes of the flags, merged."""
    order = shape.order
    start, bound = _placeholders(order, shape.start, "s"), _placeholders(order, shape.bound, "b")
    walk = order if shape.forward else order.reversed()
    keys = order.key_columns()
    inside = [] if bound is None else [after(walk.reversed().terms, bound)]

    # What each range reads. PostgreSQL: its rows' columns. Joined back by id to the few rows
    # the ranges found, its planner (at the default random_page_cost) hashed them against a
    # scan of a whole cached table: at 10k, 1.1 of a bell page's 1.5 ms, where the ranges'
    # own nested loops read the same rows in 0.2 ms. SQLite: only the identity and the key,
    # joined back after: a range it sorts (an order no index serves) then sorts narrow
    # records, not whole rows (at 10k, a worklist page took 1.16x the CPU reading them).
    read = shape.columns if shape.direct else (shape.identity.label("row_id"),)
    # Each tag's columns selected once (a select of every column is slow to build), each
    # range adding its conditions to a copy.
    heads = {
        tag: select(literal_column(str(tag)).label("part"), *read, *keys)
        .select_from(shape.source)
        .where(*filters)
        for tag in (0, 1, 2)
    }

    def part(
        tag: int, found: _Range, limit: int, extra: Sequence[ColumnElement[bool]]
    ) -> Select[Any]:
        return (
            heads[tag]
            .where(*extra, *found.conditions)
            .order_by(*found.order_by(walk.terms))
            # Written out, not bound: PostgreSQL's generic plan of a prepared statement would
            # guess a third of the table behind a bound LIMIT and hash-join the whole table.
            .limit(literal_column(str(int(limit))))
        )

    parts = [part(0, r, shape.size + 1, inside) for r in ranges(walk.terms, start)]
    if start is not None:  # is any row at or behind where the walk starts?
        parts += [part(1, r, 1, ()) for r in ranges(walk.reversed().terms, start, inclusive=True)]
    if bound is not None:  # is any row at or beyond the bound?
        parts += [part(2, r, 1, ()) for r in ranges(walk.terms, bound, inclusive=True)]
    if shape.direct:  # PostgreSQL takes each range in parentheses, SQLite as a subquery
        return parts[0] if len(parts) == 1 else union_all(*parts).order_by(
            literal_column("part"),
            *(t.ordered(literal_column(f"k{i}")) for i, t in enumerate(walk.terms)),
        )
    back = shape.source if shape.rows_from is None else shape.rows_from
    if len(parts) == 1:
        return parts[0].with_only_columns(literal_column("0").label("part"), *shape.columns, *keys)
    merged = union_all(*(select(p.subquery()) for p in parts)).subquery()
    merged_keys = [merged.c[f"k{i}"] for i in range(len(keys))]
    return (
        select(merged.c.part, *shape.columns, *merged_keys)
        .select_from(merged.join(back, shape.identity == merged.c.row_id))
        .order_by(
            merged.c.part, *(t.ordered(k) for t, k in zip(walk.terms, merged_keys, strict=True))
        )
    )
