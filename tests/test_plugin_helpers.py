"""The SQL helpers of the public plugin API (`graphql_api.plugin`), at their boundaries, on
SQLite and PostgreSQL, through the shipped pytest fixtures (`dso_ledger`, `dso_criteria`):
exact percentages (21 %, 7 %, 38 %), negative amounts, empty and non-positive denominators,
money times a number, text ignoring case and accents (accented and non-Latin), days and
their buckets."""

from __future__ import annotations

from decimal import Decimal
from types import ModuleType
from typing import Any

import pytest
from sqlalchemy import Engine, Float, cast, literal, not_, or_, select

from graphql_api.plugin import (
    AMOUNT,
    NUMBER,
    VALUE_LIST,
    Buckets,
    Criterion,
    Ledger,
    ListOp,
    Scope,
    ValueChoice,
    days_ago,
    folded,
    hookimpl,
    percentage,
    ratio,
    text_contains,
    text_equals,
)
from graphql_api.storage import customer_figures, customers
from graphql_api.testing.ledger import LedgerBuilder
from graphql_api.testing.probe import CriteriaProbe
from graphql_api.text_folding import fold, folded_characters

AGEING = Buckets([(0, "current"), (30, "1-30"), (60, "31-60"), (90, "61-90")], over="91+")


def _names_matching(test: Any) -> Any:
    def predicate(parsed: ValueChoice, t: Ledger) -> Any:
        # The helpers are never NULL, so NOT is "none of them", an empty name included.
        any_of = or_(*(test(t.customers.c.name, value) for value in parsed.values))
        return any_of if parsed.op is ListOp.IS else not_(any_of)

    return predicate


def _criteria() -> list[Criterion]:
    figures = lambda t: t.figures.c  # noqa: E731
    return [
        Criterion("utilisation", "Utilisation", "100 × outstanding ÷ limit.", Scope.CUSTOMER,
                  NUMBER, value=lambda t: percentage(figures(t).outstanding_amount,
                                                     t.customers.c.credit_limit), unit="%"),
        Criterion("disputedShare", "Disputed share", "100 × disputed ÷ outstanding.",
                  Scope.CUSTOMER, NUMBER, value=lambda t: percentage(
                      figures(t).disputed_amount, figures(t).outstanding_amount)),
        Criterion("utilisationRatio", "Utilisation ratio", "outstanding ÷ limit.",
                  Scope.CUSTOMER, AMOUNT, value=lambda t: ratio(
                      figures(t).outstanding_amount, t.customers.c.credit_limit)),
        Criterion("nameIs", "Name", "The name, ignoring case and accents.", Scope.CUSTOMER,
                  VALUE_LIST, predicate_fn=_names_matching(text_equals)),
        Criterion("nameHas", "Name has", "Part of the name.", Scope.CUSTOMER, VALUE_LIST,
                  predicate_fn=_names_matching(text_contains)),
        Criterion("paymentAge", "Last payment", "Days since the last payment, in buckets.",
                  Scope.CUSTOMER, VALUE_LIST, values=AGEING.labels,
                  value=lambda t: AGEING.of(days_ago(t.customers.c.last_payment_date, t))),
    ]  # fmt: skip


@hookimpl
def register_criteria() -> list[Criterion]:
    return _criteria()


@pytest.fixture
def dso_plugins() -> list[Any]:
    plugin = ModuleType("helpers_plugin")
    plugin.register_criteria = register_criteria  # type: ignore[attr-defined]
    return [plugin]


# -- ratios --------------------------------------------------------------------------------


@pytest.fixture
def ratios(dso_ledger: LedgerBuilder) -> LedgerBuilder:
    """Exact percentages that floats miss, and every way a denominator can be unusable."""
    (dso_ledger
        .customer("P21", credit_limit="12345.00").item("P21", "2592.45")   # 21 % exactly
        .customer("P38", credit_limit="12345.00").item("P38", "4691.10")   # 38 % exactly
        .customer("JUST", credit_limit="12345.00").item("JUST", "2592.46")  # 21.00008 %
        .customer("UNDER333", credit_limit="515642669783.97")  # 333 % less a hair
        .item("UNDER333", "999999999999.99").item("UNDER333", "717090090380.63")
        .customer("P7", credit_limit="1.00").item("P7", "0.93").item("P7", "0.07", disputed=True)
        .customer("NEG", credit_limit="1000").item("NEG", "-210.00", type="CREDIT_NOTE")
        .customer("ZERO", credit_limit="0").item("ZERO", "100")
        .customer("NOLIMIT").item("NOLIMIT", "100")
        .customer("BELOW", credit_limit="-100").item("BELOW", "100")
        .customer("EVEN").item("EVEN", "100", disputed=True).item("EVEN", "-100", disputed=True,
                                                                  type="CREDIT_NOTE")
        .load())  # fmt: skip
    return dso_ledger


USABLE_LIMIT = ["JUST", "NEG", "P21", "P38", "P7", "UNDER333"]


@pytest.mark.parametrize(
    ("bounds", "expected"),
    [
        ({"min": 21, "max": 21}, ["P21"]),
        ({"min": 38, "max": 38}, ["P38"]),
        ({"min": 21}, ["JUST", "P21", "P38", "P7", "UNDER333"]),
        ({"max": 21}, ["NEG", "P21"]),  # JUST is 21.00008 %: above
        ({"min": 22, "max": 37}, []),
        ({"min": -21, "max": -21}, ["NEG"]),  # a credit balance: a negative percentage
        ({"max": -22}, []),
        ({"min": 100, "max": 100}, ["P7"]),
        ({"min": 333}, []),  # UNDER333 is 332.99999999999998 %
        ({"min": 332, "max": 333}, ["UNDER333"]),
        # An empty, zero or negative limit gives no percentage: in no range whatever it is.
        ({"min": -(2**31 - 1), "max": 2**31 - 1}, USABLE_LIMIT),
    ],
)
def test_percentage_is_exact_at_the_bounds(
    ratios: LedgerBuilder, dso_criteria: CriteriaProbe, bounds: dict[str, int], expected: list[str]
) -> None:
    assert dso_criteria.matching({"utilisation": bounds}) == expected


def test_a_seven_percent_share_is_seven(ratios: LedgerBuilder, dso_criteria: CriteriaProbe) -> None:
    assert dso_criteria.matching({"disputedShare": {"min": 7, "max": 7}}) == ["P7"]
    assert dso_criteria.matching({"disputedShare": {"max": 7}}) == [
        "BELOW", "JUST", "NOLIMIT", "P21", "P38", "P7", "UNDER333", "ZERO"
    ]  # fmt: skip
    # EVEN owes nothing (100 disputed, -100 credited), NEG is in credit: no share at all.
    anything = {"disputedShare": {"min": -1000, "max": 1000}}
    assert not {"EVEN", "NEG"} & set(dso_criteria.matching(anything))


def test_the_float_recipe_misses_seven_percent(ratios: LedgerBuilder) -> None:
    """Why the helpers exist: the old recipe of the docs (divide as floats) reads 0.07 of
    1.00 as 7.000000000000001 % on both databases, out of `{max: 7}`."""
    f = customer_figures.c
    float_share = cast(f.disputed_amount, Float) / cast(f.outstanding_amount, Float) * 100
    query = select(float_share, percentage(f.disputed_amount, f.outstanding_amount)).join(
        customers, customers.c.id == f.customer_id
    ).where(customers.c.account_number == "P7")
    with ratios.engine.connect() as conn:
        as_float, shown = conn.execute(query).one()
        assert as_float > 7 and as_float == pytest.approx(7)
        exact = percentage(f.disputed_amount, f.outstanding_amount)
        row = select(exact <= 7, exact >= 7).where(customers.c.id == f.customer_id)
        assert conn.execute(row.where(customers.c.account_number == "P7")).one() == (True, True)
    assert shown == pytest.approx(7)  # shown (read back) as a float; compared exactly


def test_the_float_recipe_rounds_onto_a_bound(ratios: LedgerBuilder) -> None:
    """Multiplying first does not save floats: outstanding × 100 ÷ limit reads 333.0 for an
    account just under 333 %, which `{min: 333}` would then match."""
    f, limit = customer_figures.c, customers.c.credit_limit
    as_float = cast(f.outstanding_amount, Float) * 100 / cast(limit, Float)
    exact = percentage(f.outstanding_amount, limit)
    query = select(as_float, exact >= 333, exact < 333).join(
        customers, customers.c.id == f.customer_id
    ).where(customers.c.account_number == "UNDER333")
    with ratios.engine.connect() as conn:
        assert tuple(conn.execute(query).one()) == (333.0, False, True)


def test_a_ratio_takes_decimal_bounds(ratios: LedgerBuilder, dso_criteria: CriteriaProbe) -> None:
    assert dso_criteria.matching({"utilisationRatio": {"min": "0.21", "max": "0.21"}}) == ["P21"]
    assert dso_criteria.matching({"utilisationRatio": {"min": "0.2100008"}}) == [
        "JUST", "P38", "P7", "UNDER333"
    ]  # fmt: skip
    assert dso_criteria.matching({"utilisationRatio": {"max": "-0.21"}}) == ["NEG"]


def test_a_ratio_of_money_to_a_number_is_refused() -> None:
    with pytest.raises(TypeError, match="money to a plain number"):
        percentage(customer_figures.c.outstanding_amount, customer_figures.c.days_overdue)


# -- money × a number ------------------------------------------------------------------------


def test_money_times_a_number_means_the_same_on_both_databases(dso_ledger: LedgerBuilder) -> None:
    dso_ledger.customer("A1", credit_limit="1429.00").item("A1", "1429.00", disputed=True).load()
    f, limit = customer_figures.c, customers.c.credit_limit
    query = select(
        f.disputed_amount * 100,
        f.disputed_amount * Decimal("1.5"),
        f.disputed_amount / 3,
        limit * 2 - f.outstanding_amount,
        f.disputed_amount * 100 > 142899,
        f.disputed_amount * 100 > 142900,
    ).join(customers, customers.c.id == f.customer_id)
    with dso_ledger.engine.connect() as conn:
        assert tuple(conn.execute(query).one()) == (
            Decimal("142900.00"), Decimal("2143.50"), Decimal("476.33"), Decimal("1429.00"),
            True, False,
        )  # fmt: skip


# -- text ignoring case and accents ----------------------------------------------------------

NAMES = {
    "S1": "SOCIÉTÉ GÉNÉRALE",
    "S2": "Société Générale",
    "S3": "societe generale du nord",
    "G1": "Gülf Oil",
    "G2": "GÜLF TRADING",
    "G3": "Gulf",
    "D1": "Straße 12",
    "D2": "STRASSE 12",
    "E1": "Ωμέγα ΑΕ",
    "E2": "ΩΜΕΓΑ αε",
    "R1": "Москва Торг",
    "R2": "МОСКВА ТОРГ",
    "P1": "100% Bio",
    "P2": "1000 Bio",
}


@pytest.fixture
def names(dso_ledger: LedgerBuilder) -> LedgerBuilder:
    for account, name in NAMES.items():
        dso_ledger.customer(account, name)
    dso_ledger.customer("NONE", " ")  # a blank name is empty: it equals nothing
    dso_ledger.load()
    return dso_ledger


@pytest.mark.parametrize(
    ("criteria", "expected"),
    [
        ({"nameIs": {"values": ["société générale"]}}, ["S1", "S2"]),
        ({"nameIs": {"values": ["SOCIETE GENERALE"]}}, ["S1", "S2"]),
        ({"nameHas": {"values": ["SOCIÉTÉ"]}}, ["S1", "S2", "S3"]),
        ({"nameHas": {"values": ["gülf"]}}, ["G1", "G2", "G3"]),
        ({"nameIs": {"values": ["strasse 12"]}}, ["D1", "D2"]),
        ({"nameHas": {"values": ["straße"]}}, ["D1", "D2"]),
        ({"nameIs": {"values": ["ωμεγα αε"]}}, ["E1", "E2"]),
        ({"nameHas": {"values": ["ΜΈΓΑ"]}}, ["E1", "E2"]),
        ({"nameIs": {"values": ["москва торг"]}}, ["R1", "R2"]),
        ({"nameHas": {"values": ["ТОРГ"]}}, ["R1", "R2"]),
        ({"nameHas": {"values": ["0%"]}}, ["P1"]),  # % and _ are literal
        ({"nameHas": {"values": ["1_0"]}}, []),
        ({"nameIs": {"op": "IS_NOT", "values": ["gulf"]}}, sorted({*NAMES, "NONE"} - {"G3"})),
    ],
)
def test_text_ignores_case_and_accents(
    names: LedgerBuilder, dso_criteria: CriteriaProbe, criteria: dict[str, Any], expected: list[str]
) -> None:
    assert dso_criteria.matching(criteria) == expected


def test_the_database_folds_every_character_as_fold_does(dso_database: Engine) -> None:
    """dso_fold in SQL (PostgreSQL: the table of migration 0009; SQLite: fold itself) gives
    what `fold` gives, for every character fold changes, and for mixed texts."""
    changed = "".join(character for character, _ in folded_characters())
    texts = [changed[i : i + 2000] for i in range(0, len(changed), 2000)]
    texts += [*NAMES.values(), "", "plain ASCII, UPPER and lower", "Ǆemal ŉ ﬁ ½ ㎏ 가각"]
    with dso_database.connect() as conn:
        for text in texts:
            assert conn.execute(select(folded(literal(text)))).scalar_one() == fold(text)
        assert conn.execute(select(folded(literal(None)))).scalar_one() is None


# -- days and buckets ------------------------------------------------------------------------

PAID_DAYS_AGO = {"T0": 0, "T1": 1, "T30": 30, "T31": 31, "T60": 60, "T61": 61, "T90": 90,
                 "T91": 91, "T400": 400, "FUT": -5}  # fmt: skip


@pytest.fixture
def payments(dso_ledger: LedgerBuilder) -> LedgerBuilder:
    from datetime import timedelta

    for account, days in PAID_DAYS_AGO.items():
        dso_ledger.customer(account, last_payment_date=dso_ledger.today - timedelta(days=days))
    dso_ledger.customer("NEVER")
    dso_ledger.load()
    return dso_ledger


def test_days_ago_counts_whole_days_to_today(payments: LedgerBuilder, dso_registry: Any) -> None:
    ledger = Ledger(customers, customer_figures, *_item_tables(), payments.today)
    query = select(customers.c.account_number, days_ago(customers.c.last_payment_date, ledger))
    with payments.engine.connect() as conn:
        assert dict(conn.execute(query).all()) == {**PAID_DAYS_AGO, "NEVER": None}


def _item_tables() -> tuple[Any, Any]:
    from graphql_api.storage import items, reminders

    return items, reminders


@pytest.mark.parametrize("label", AGEING.labels)
def test_each_bucket_holds_its_days(
    payments: LedgerBuilder, dso_criteria: CriteriaProbe, label: str
) -> None:
    expected = sorted(a for a, days in PAID_DAYS_AGO.items() if AGEING.label_of(days) == label)
    assert dso_criteria.matching({"paymentAge": {"values": [label]}}) == expected
    # An empty date is in no bucket: none of the values.
    assert "NEVER" in dso_criteria.matching({"paymentAge": {"op": "IS_NOT", "values": [label]}})


def test_buckets_offer_their_labels_in_order(dso_registry: Any) -> None:
    criterion = dso_registry.criteria["paymentAge"]
    assert criterion.listed_values({}) == ["current", "1-30", "31-60", "61-90", "91+"]
    assert AGEING.label_of(-5) == "current" and AGEING.label_of(91) == "91+"
    with pytest.raises(ValueError, match="increasing"):
        Buckets([(30, "a"), (0, "b")], over="c")


def test_known_values_takes_a_fixed_list_too() -> None:
    criterion = Criterion(
        "ageing", "Ageing", "Buckets of days.", Scope.CUSTOMER, VALUE_LIST,
        value=lambda t: AGEING.of(t.figures.c.days_overdue), known_values=AGEING.labels,
    )  # fmt: skip
    assert criterion.values == AGEING.labels and criterion.known_values is None
    assert criterion.listed_values({"ageing": ["91+"]}) == list(AGEING.labels)  # not the ledger's
    with pytest.raises(TypeError, match="once"):
        Criterion("x", "X", "X.", Scope.CUSTOMER, VALUE_LIST, value=lambda t: t.customers.c.status,
                  known_values=("a",), values=("a",))  # fmt: skip
