"""The SQL evaluation against the oracle (a plain-Python reading of SPEC §1–§2), on random
ledgers and random criteria, on both databases.

Ledgers go in through the real CSV import; matches come out of the compiled criteria, as
a search asks them, and agree with their counts from scratch, several alerts per statement.
Values are drawn from small pools near the boundaries (amounts in steps of 50 so that sums
land on bounds, dates around today, blank and padded texts, zero and negative open amounts)
so that the edges get hit often.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from hypothesis import HealthCheck, Phase, given, note, settings
from hypothesis import strategies as st
from sqlalchemy import Engine

from graphql_api.plugins import CriteriaRegistry
from tests.conftest import TODAY, reset_database
from tests.ledger_builder import (
    Customer,
    Item,
    Reminder,
    ago,
    load_ledger,
    matches_of_many,
    stored_figures,
)
from tests.oracle import CUSTOMER_CRITERIA, ITEM_CRITERIA, KIND_OF, Oracle

D = Decimal

EXAMPLES = settings(
    max_examples=40,
    deadline=None,
    database=None,  # several people share this working tree: keep no example database in it
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    # Every example is a real import: keep shrinking, skip the (slow) explain phase.
    phases=[Phase.explicit, Phase.generate, Phase.target, Phase.shrink],
)

CENTS = (D("0.01"), D("-0.01"), D("12.34"), D("99.99"), D("-0.50"))
amounts = st.one_of(st.integers(-4, 12).map(lambda k: D(k * 50)), st.sampled_from(CENTS))
optional_amounts = st.one_of(st.none(), amounts, st.just(D(0)))
bounds = st.one_of(
    st.integers(-6, 30).map(lambda k: D(k * 50)),
    st.sampled_from(("0.01", "0.001", "-0.001", "49.999", "100.005", "-0.01")).map(D),
)
# Often exactly today, a day either side, or 10 days ago (the N criteria use too).
day_offsets = st.one_of(st.sampled_from((-1, 0, 1, 10)), st.integers(-10, 60))
dates = st.one_of(st.none(), day_offsets.map(ago))

POOLS = {
    "group": ("Public", "Retail", "Industry"),
    "country": ("FR", "BE", "DE"),
    "status": ("Normal", "Litige", "Litige résolu"),
    "collector": ("Camille", "Julien"),
    "itemType": ("INVOICE", "CREDIT_NOTE", "PAYMENT", "OTHER"),
}


def texts(pool: tuple[str, ...]) -> st.SearchStrategy[str | None]:
    """A pool value, or empty, blank, or padded with spaces (stored trimmed)."""
    return st.one_of(
        st.none(),
        st.just("  "),
        st.sampled_from(pool),
        st.sampled_from(pool).map(lambda v: f" {v} "),
    )


@st.composite
def ledgers(draw: st.DrawFn) -> tuple[list[Customer], list[Item], list[Reminder]]:
    customers = [
        Customer(
            account=f"C{n:02d}",
            name=f"Customer {n}",
            group=draw(texts(POOLS["group"])),
            country=draw(st.one_of(st.none(), st.sampled_from(POOLS["country"]))),
            status=draw(texts(POOLS["status"])),
            collector=draw(texts(POOLS["collector"])),
            blocked=draw(st.booleans()),
            credit_limit=draw(optional_amounts),
            insurer_guarantee=draw(optional_amounts),
            last_payment_date=draw(dates),
        )
        for n in range(draw(st.integers(1, 30)))
    ]
    items = [
        Item(
            account=c.account,
            document=f"{c.account}-{j}",
            open_amount=draw(st.one_of(amounts, st.just(D(0)))),
            type=draw(st.sampled_from(POOLS["itemType"])),
            document_date=draw(dates),
            due_date=draw(dates),
            amount=draw(optional_amounts),
            disputed=draw(st.booleans()),
            ignored=draw(st.booleans()),
        )
        for c in customers
        for j in range(draw(st.integers(0, 5)))
    ]
    reminders = [
        # A reminder is never dated after today (SPEC §8): offsets of 0 days or more.
        Reminder(c.account, ago(abs(draw(day_offsets))), draw(st.sampled_from(("EMAIL", "PHONE"))))
        for c in customers
        for _ in range(draw(st.integers(0, 3)))
    ]
    return customers, items, reminders


@st.composite
def ranges(
    draw: st.DrawFn, values: st.SearchStrategy[Any], shown: Any = lambda v: v
) -> dict[str, Any]:
    shape = draw(st.sampled_from(("min", "max", "both")))
    low, high = (shown(v) for v in sorted((draw(values), draw(values))))
    if shape == "min":
        return {"min": low}
    if shape == "max":
        return {"max": high}
    return {"min": low, "max": high}


@st.composite
def relative_dates(draw: st.DrawFn) -> dict[str, int]:
    keys = draw(
        st.sampled_from(
            (("olderThanDays",), ("newerThanDays",), ("olderThanDays", "newerThanDays"))
        )
    )
    return {key: draw(day_offsets) for key in keys}


def spec_for(key: str) -> st.SearchStrategy[Any]:
    kind = KIND_OF[key]
    if kind == "amount":
        return ranges(bounds, str)
    if kind == "number":
        return ranges(st.integers(0, 65))
    if kind == "relative date":
        return relative_dates()
    if kind == "list of values":
        values = st.lists(
            st.sampled_from((*POOLS[key], "Nope")), min_size=1, max_size=3, unique=True
        )
        return st.fixed_dictionaries({"op": st.sampled_from(("IS", "IS_NOT")), "values": values})
    return st.booleans()


ALL_KEYS = sorted(CUSTOMER_CRITERIA) + sorted(ITEM_CRITERIA)


@st.composite
def criteria(draw: st.DrawFn) -> dict[str, Any]:
    # Half the time mostly item criteria, so that "one open item together" is exercised.
    pool = draw(
        st.sampled_from((ALL_KEYS, [*sorted(ITEM_CRITERIA), "blocked", "lastReminderDate"]))
    )
    keys = draw(st.lists(st.sampled_from(pool), min_size=1, max_size=4, unique=True))
    return {key: draw(spec_for(key)) for key in keys}


def _show(value: Any) -> Any:
    return str(value) if isinstance(value, (Decimal, date)) else value


@EXAMPLES
@given(ledger=ledgers(), questions=st.lists(criteria(), min_size=1, max_size=6), erp=st.booleans())
def test_matches_agree_with_the_oracle(
    engine: Engine,
    registry: CriteriaRegistry,
    ledger: tuple[list[Customer], list[Item], list[Reminder]],
    questions: list[dict[str, Any]],
    erp: bool,
) -> None:
    reset_database(engine)
    load_ledger(engine, *ledger, erp=erp)
    oracle = Oracle(*ledger, today=TODAY)
    found = matches_of_many(engine, registry, questions)
    for question, got in zip(questions, found, strict=True):
        expected = oracle.matches(question)
        if got != expected:
            note(f"criteria {question}")
            for account in sorted(got ^ expected):
                note(f"{account}: {oracle.customers[account]}")
                note(f"  figures {oracle.figures[account]}")
                note(f"  items {oracle.items[account]}")
        assert got == expected, (question, sorted(got - expected), sorted(expected - got))


@EXAMPLES
@given(ledger=ledgers(), erp=st.booleans())
def test_figures_agree_with_the_oracle(
    engine: Engine,
    ledger: tuple[list[Customer], list[Item], list[Reminder]],
    erp: bool,
) -> None:
    reset_database(engine)
    load_ledger(engine, *ledger, erp=erp)
    oracle = Oracle(*ledger, today=TODAY)
    stored = stored_figures(engine)
    assert set(stored) == set(oracle.customers)
    for account, figures in oracle.figures.items():
        assert stored[account] == figures.as_dict(), account
        # exact money: two decimal places, never a float
        assert all(
            isinstance(v, Decimal) and v == v.quantize(D("0.01"))
            for k, v in stored[account].items()
            if k not in ("daysOverdue", "lastReminderDate")
        )


def test_oracle_reads_the_spec_like_the_hand_written_examples() -> None:
    """The oracle itself on a few cases worked out by hand (so a wrong oracle can't agree
    with a wrong engine by accident)."""
    customers = [Customer("A", insurer_guarantee=D("100")), Customer("B", group="  ")]
    items = [
        Item("A", "1", D("150"), due_date=ago(5), disputed=True),
        Item("A", "2", D("-20"), type="CREDIT_NOTE", due_date=ago(50)),
        Item("A", "3", D("40"), due_date=ago(-1)),
        Item("B", "1", D("0"), due_date=ago(100), ignored=True),
    ]
    oracle = Oracle(customers, items, [Reminder("A", ago(12)), Reminder("A", ago(3))], TODAY)
    a = oracle.figures["A"]
    assert (a.outstandingAmount, a.overdueAmount, a.notDueAmount, a.disputedAmount) == (
        D(170),
        D(130),
        D(40),
        D(150),
    )
    assert (a.uncoveredAmount, a.creditLimitExcess, a.daysOverdue) == (D(70), D(170), 5)
    assert a.lastReminderDate == ago(3)
    assert oracle.matches({"group": {"op": "IS_NOT", "values": ["Public"]}}) == {"A", "B"}
    assert oracle.matches({"group": {"op": "IS", "values": ["Public"]}}) == set()
    assert oracle.matches({"itemIgnoredInCollection": True}) == set()
    assert oracle.matches({"itemOverdue": True, "itemDisputed": True}) == {"A"}
    assert oracle.matches({"itemOverdue": True, "itemOpenAmount": {"min": 0}}) == {"A"}
    assert oracle.matches({"itemDisputed": True, "itemOpenAmount": {"max": 0}}) == set()
    assert oracle.matches({"lastReminderDate": {"olderThanDays": 10}}) == {"B"}
    assert oracle.matches({"uncoveredAmount": {"min": "0.001"}}) == {"A"}
    assert _show(date(2026, 1, 1)) == "2026-01-01"
