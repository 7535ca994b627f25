"""A plain-Python reading of SPEC §1–§2 and §8, independent of the engine: the figures of
each customer, then what each criterion means, which items a search finds and how orders
sort. The differential test holds the SQL evaluation
to it. Written from the SPEC's words, not from the code; every rule cites its source.
"""

from __future__ import annotations

import functools
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any, TypeVar

from tests.ledger_builder import Customer, Item, Reminder

ZERO = Decimal(0)
T = TypeVar("T")


def text(value: str | None) -> str | None:
    """§1: text values are stored trimmed; an empty or blank one is empty (null)."""
    if value is None:
        return None
    return value.strip() or None


def is_open(item: Item) -> bool:
    """§1: an item is open when openAmount is not zero."""
    return item.open_amount != 0


@dataclass(frozen=True)
class Figures:
    outstandingAmount: Decimal
    overdueAmount: Decimal
    notDueAmount: Decimal
    disputedAmount: Decimal
    uncoveredAmount: Decimal
    creditLimitExcess: Decimal
    daysOverdue: int
    lastReminderDate: date | None

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def figures(
    customer: Customer, items: list[Item], reminders: list[Reminder], today: date
) -> Figures:
    """§1, the table of figures, one line each."""

    def overdue(i: Item) -> bool:
        return i.due_date is not None and i.due_date < today

    outstanding = sum((i.open_amount for i in items), ZERO)
    overdue_amount = sum((i.open_amount for i in items if overdue(i)), ZERO)
    late_positive = [i.due_date for i in items if i.open_amount > 0 and overdue(i)]
    return Figures(
        outstandingAmount=outstanding,
        overdueAmount=overdue_amount,
        notDueAmount=outstanding - overdue_amount,
        disputedAmount=sum((i.open_amount for i in items if i.disputed), ZERO),
        # §1: an empty creditLimit or insurerGuarantee counts as 0
        uncoveredAmount=outstanding - (customer.insurer_guarantee or ZERO),
        creditLimitExcess=outstanding - (customer.credit_limit or ZERO),
        daysOverdue=(today - min(late_positive)).days if late_positive else 0,  # type: ignore[type-var]
        lastReminderDate=max((r.date for r in reminders), default=None),
    )


# -- §2, the kinds -----------------------------------------------------------


def amount_holds(value: Decimal, spec: Mapping[str, Any]) -> bool:
    """min ≤ value ≤ max, both inclusive, either may be left empty (exact decimals)."""
    low, high = spec.get("min"), spec.get("max")
    return (low is None or Decimal(str(low)) <= value) and (
        high is None or value <= Decimal(str(high))
    )


def number_holds(value: int, spec: Mapping[str, Any]) -> bool:
    low, high = spec.get("min"), spec.get("max")
    return (low is None or low <= value) and (high is None or value <= high)


def relative_date_holds(value: date | None, spec: Mapping[str, Any], today: date) -> bool:
    """olderThanDays: N ⇔ date ≤ today − N; newerThanDays: N ⇔ date ≥ today − N.
    An empty date is infinitely old: it matches olderThanDays, never newerThanDays."""
    holds = True
    if spec.get("olderThanDays") is not None:
        cutoff = today - timedelta(days=spec["olderThanDays"])
        holds = holds and (value is None or value <= cutoff)
    if spec.get("newerThanDays") is not None:
        cutoff = today - timedelta(days=spec["newerThanDays"])
        holds = holds and (value is not None and value >= cutoff)
    return holds


def value_list_holds(value: str | None, spec: Mapping[str, Any]) -> bool:
    """IS: the value is one of `values`; IS_NOT: none of them — an empty value is none of them."""
    if spec.get("op", "IS") == "IS":
        return value is not None and value in spec["values"]
    return value is None or value not in spec["values"]


def yes_no_holds(value: bool, spec: bool) -> bool:
    return value == spec


KINDS: dict[str, Callable[..., bool]] = {
    "amount": lambda v, s, today: amount_holds(v, s),
    "number": lambda v, s, today: number_holds(v, s),
    "relative date": relative_date_holds,
    "list of values": lambda v, s, today: value_list_holds(v, s),
    "yes/no": lambda v, s, today: yes_no_holds(v, s),
}

# -- §2, the built-in criteria: key → (kind, the value it looks at) -----------

CustomerValue = Callable[[Customer, Figures], Any]
ItemValue = Callable[[Item, date], Any]

CUSTOMER_CRITERIA: dict[str, tuple[str, CustomerValue]] = {
    "outstandingAmount": ("amount", lambda c, f: f.outstandingAmount),
    "overdueAmount": ("amount", lambda c, f: f.overdueAmount),
    "notDueAmount": ("amount", lambda c, f: f.notDueAmount),
    "disputedAmount": ("amount", lambda c, f: f.disputedAmount),
    "uncoveredAmount": ("amount", lambda c, f: f.uncoveredAmount),
    "creditLimitExcess": ("amount", lambda c, f: f.creditLimitExcess),
    "creditLimit": ("amount", lambda c, f: c.credit_limit or ZERO),
    "insurerGuarantee": ("amount", lambda c, f: c.insurer_guarantee or ZERO),
    "daysOverdue": ("number", lambda c, f: f.daysOverdue),
    "lastReminderDate": ("relative date", lambda c, f: f.lastReminderDate),
    "lastPaymentDate": ("relative date", lambda c, f: c.last_payment_date),
    "group": ("list of values", lambda c, f: text(c.group)),
    "country": ("list of values", lambda c, f: text(c.country)),
    "status": ("list of values", lambda c, f: text(c.status)),
    "collector": ("list of values", lambda c, f: text(c.collector)),
    "insured": ("yes/no", lambda c, f: (c.insurer_guarantee or ZERO) > 0),
    "blocked": ("yes/no", lambda c, f: c.blocked),
}

ITEM_CRITERIA: dict[str, tuple[str, ItemValue]] = {
    "itemType": ("list of values", lambda i, today: text(i.type)),
    "itemOverdue": ("yes/no", lambda i, today: i.due_date is not None and i.due_date < today),
    "itemDueDate": ("relative date", lambda i, today: i.due_date),
    "itemDocumentDate": ("relative date", lambda i, today: i.document_date),
    "itemOpenAmount": ("amount", lambda i, today: i.open_amount),
    "itemDisputed": ("yes/no", lambda i, today: i.disputed),
    "itemIgnoredInCollection": ("yes/no", lambda i, today: i.ignored),
}

KIND_OF = {key: kind for key, (kind, _) in (CUSTOMER_CRITERIA | ITEM_CRITERIA).items()}


class Oracle:
    """The ledger as SPEC §1 sees it, answering SPEC §2's questions."""

    def __init__(
        self,
        customers: Iterable[Customer],
        items: Iterable[Item],
        reminders: Iterable[Reminder],
        today: date,
    ) -> None:
        self.today = today
        self.customers = {c.account: c for c in customers}
        self.items: dict[str, list[Item]] = {a: [] for a in self.customers}
        self.reminders: dict[str, list[Reminder]] = {a: [] for a in self.customers}
        for item in items:
            self.items[item.account].append(item)
        for reminder in reminders:
            self.reminders[reminder.account].append(reminder)
        self.figures = {
            a: figures(c, self.items[a], self.reminders[a], today)
            for a, c in self.customers.items()
        }

    def customer_matches(self, account: str, criteria: Mapping[str, Any]) -> bool:
        """§2: every CUSTOMER criterion holds, and — if there is any ITEM criterion — at
        least one OPEN item satisfies all the ITEM criteria together."""
        customer, figs = self.customers[account], self.figures[account]
        item_criteria = {k: v for k, v in criteria.items() if k in ITEM_CRITERIA}
        for key, spec in criteria.items():
            if key in CUSTOMER_CRITERIA:
                kind, value_of = CUSTOMER_CRITERIA[key]
                if not KINDS[kind](value_of(customer, figs), spec, self.today):
                    return False
        if not item_criteria:
            return True
        return any(
            all(
                KINDS[ITEM_CRITERIA[key][0]](
                    ITEM_CRITERIA[key][1](item, self.today), spec, self.today
                )
                for key, spec in item_criteria.items()
            )
            for item in self.items[account]
            if is_open(item)
        )

    def matches(self, criteria: Mapping[str, Any]) -> set[str]:
        assert criteria, "§2: an alert must have at least one criterion"
        return {a for a in self.customers if self.customer_matches(a, criteria)}

    # -- §8: searching items ------------------------------------------------------

    def item_meets(self, item: Item, criteria: Mapping[str, Any]) -> bool:
        """§2 read item by item: the item's customer meets every CUSTOMER criterion, and the
        item itself (open) every ITEM criterion."""
        customer_criteria = {k: v for k, v in criteria.items() if k in CUSTOMER_CRITERIA}
        if customer_criteria and not self.customer_matches(item.account, customer_criteria):
            return False
        return is_open(item) and all(
            KINDS[ITEM_CRITERIA[key][0]](ITEM_CRITERIA[key][1](item, self.today), spec, self.today)
            for key, spec in criteria.items()
            if key in ITEM_CRITERIA
        )

    def searched_items(
        self, criteria: Mapping[str, Any] | None = None, search: str | None = None
    ) -> set[tuple[str, str]]:
        """§8 `Query.items`: the open items meeting `criteria`, whose document number, account
        number or customer name contains `search` (ignoring case and accents)."""
        needle = fold(search.strip()) if search and search.strip() else None
        found = set()
        for account, items in self.items.items():
            name = self.customers[account].name
            for item in items:
                if not self.item_meets(item, criteria or {}):
                    continue
                texts = (item.document, account, name or "")
                if needle is not None and not any(needle in fold(t) for t in texts):
                    continue
                found.add((account, item.document))
        return found

    def searched_customers(self, search: str) -> set[str]:
        """§8 search text: the account number or the name contains it, ignoring case and
        accents."""
        needle = fold(search.strip())
        return {
            a for a, c in self.customers.items()
            if needle in fold(a) or needle in fold(c.name or "")
        }  # fmt: skip


# -- §8: folding, sorting ---------------------------------------------------------


def fold(text: str) -> str:
    """§8: Unicode NFKD without combining marks, then casefold()."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def _compare(a: Any, b: Any) -> int:
    return (a > b) - (a < b)


SortKey = tuple[Callable[[T], Any], bool, str]


def sort_by(rows: Iterable[T], keys: Sequence[SortKey[T]], ties: Callable[[T], Any]) -> list[T]:
    """`rows` sorted by each (value, descending, empty) in turn, then ascending `ties`.
    `empty` says where an empty (None) value goes: "oldest" (§8 dates: an empty date is
    infinitely old, first in ASC, last in DESC) or "last" (both directions)."""

    def compare(x: T, y: T) -> int:
        for value, descending, empty in keys:
            a, b = value(x), value(y)
            if a is None or b is None:
                if a is None and b is None:
                    continue
                if empty == "last":
                    return 1 if a is None else -1
                oldest_first = -1 if a is None else 1  # ASC: the empty one first
                return -oldest_first if descending else oldest_first
            order = _compare(a, b)
            if order:
                return -order if descending else order
        return _compare(ties(x), ties(y))

    return sorted(rows, key=functools.cmp_to_key(compare))

# -- §9, membership ------------------------------------------------------------------------

Match = tuple[int, str]  # (alert id, account number)


def membership(oracle: Oracle, alerts: Mapping[int, Mapping[str, Any]]) -> set[Match]:
    """§9: a match is a pair (alert, customer) where the customer meets the alert's criteria
    against the ledger as it stands and today's date."""
    return {
        (alert_id, account)
        for alert_id, criteria in alerts.items()
        for account in oracle.matches(criteria)
    }


def recorded_changes(before: set[Match], after: set[Match]) -> set[tuple[int, str, str]]:
    """§9: what one event records — the customers that enter or leave an alert; matches that
    hold before and after record nothing (and keep their `since`)."""
    return {(a, c, "ENTERED") for a, c in after - before} | {
        (a, c, "LEFT") for a, c in before - after
    }
