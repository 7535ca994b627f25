"""The five criterion kinds of SPEC §2 at their boundaries, each on a tiny hand-written ledger,
the validation errors a user gets for bad input (naming the field path), and the one typed
value each kind parses its input into: the same from GraphQL and from stored JSON, which it
stores back exactly."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import Engine

from graphql_api.criteria import Kind, KindId, criteria_json, load_criteria, parse_criteria
from graphql_api.criterion_kinds import (
    AMOUNT,
    BUILTIN_KINDS,
    NUMBER,
    RELATIVE_DATE,
    VALUE_LIST,
    YES_NO,
    AmountBounds,
    AmountRange,
    DayBounds,
    IntRange,
    ListOp,
    NumberBounds,
    RelativeDate,
    ValueChoice,
    ValueList,
)
from graphql_api.errors import ErrorCode, UserInputError
from graphql_api.evaluation import compile_criteria, ledger_for
from graphql_api.plugins import CriteriaRegistry
from graphql_api.storage import MAX_AMOUNT
from tests.conftest import TODAY
from tests.ledger_builder import (
    Customer,
    Item,
    Reminder,
    ago,
    load_ledger,
    matches,
    matches_of_many,
)

D = Decimal

# -- amount ------------------------------------------------------------------


def test_amount_bounds_are_inclusive(engine: Engine, registry: CriteriaRegistry) -> None:
    load_ledger(
        engine,
        [
            Customer("below", credit_limit=D("99.99")),
            Customer("at-min", credit_limit=D("100")),
            Customer("inside", credit_limit=D("150")),
            Customer("at-max", credit_limit=D("200")),
            Customer("above", credit_limit=D("200.01")),
            Customer("empty"),  # an empty credit limit counts as 0
        ],
    )
    both, only_min, only_max, exact = matches_of_many(
        engine,
        registry,
        [
            {"creditLimit": {"min": "100", "max": "200"}},
            {"creditLimit": {"min": "100"}},
            {"creditLimit": {"max": "200"}},
            {"creditLimit": {"min": "0", "max": "0"}},
        ],
    )
    assert both == {"at-min", "inside", "at-max"}
    assert only_min == {"at-min", "inside", "at-max", "above"}
    assert only_max == {"below", "at-min", "inside", "at-max", "empty"}
    assert exact == {"empty"}


def test_amount_bounds_with_more_than_two_decimals(
    engine: Engine, registry: CriteriaRegistry
) -> None:
    load_ledger(
        engine,
        [
            Customer("zero", insurer_guarantee=D("0")),
            Customer("one-cent", insurer_guarantee=D("0.01")),
            Customer("hundred", insurer_guarantee=D("100")),
            Customer("hundred-and-a-cent", insurer_guarantee=D("100.01")),
        ],
        [
            Item("zero", "CN", D("-0.01"), type="CREDIT_NOTE"),
            Item("one-cent", "INV", D("0.01")),
        ],
    )
    (above_a_tenth_of_a_cent, up_to_100_009, from_100_001, item_below, item_above) = (
        matches_of_many(
            engine,
            registry,
            [
                {"insurerGuarantee": {"min": "0.001"}},  # ⇔ ≥ 0.01
                {"insurerGuarantee": {"max": "100.009"}},  # ⇔ ≤ 100.00
                {"insurerGuarantee": {"min": "100.001"}},  # ⇔ ≥ 100.01
                {"itemOpenAmount": {"max": "-0.001"}},  # ⇔ ≤ -0.01
                {"itemOpenAmount": {"min": "-0.001"}},  # ⇔ ≥ 0.00
            ],
        )
    )
    assert above_a_tenth_of_a_cent == {"one-cent", "hundred", "hundred-and-a-cent"}
    assert up_to_100_009 == {"zero", "one-cent", "hundred"}
    assert from_100_001 == {"hundred-and-a-cent"}
    assert item_below == {"zero"}
    assert item_above == {"one-cent"}


def test_the_largest_accepted_amount_evaluates(engine: Engine, registry: CriteriaRegistry) -> None:
    load_ledger(engine, [Customer("A", credit_limit=D("5"))])
    assert matches(engine, registry, {"creditLimit": {"max": str(MAX_AMOUNT)}}) == {"A"}
    assert matches(engine, registry, {"creditLimit": {"min": str(-MAX_AMOUNT)}}) == {"A"}
    assert matches(engine, registry, {"creditLimit": {"min": str(MAX_AMOUNT)}}) == set()


# -- number ------------------------------------------------------------------


def test_number_bounds_are_inclusive(engine: Engine, registry: CriteriaRegistry) -> None:
    load_ledger(
        engine,
        [Customer("d9"), Customer("d10"), Customer("d11"), Customer("none")],
        [
            Item("d9", "F", D("10"), due_date=ago(9)),
            Item("d10", "F", D("10"), due_date=ago(10)),
            Item("d11", "F", D("10"), due_date=ago(11)),
        ],
    )
    exact, only_min, only_max = matches_of_many(
        engine,
        registry,
        [
            {"daysOverdue": {"min": 10, "max": 10}},
            {"daysOverdue": {"min": 10}},
            {"daysOverdue": {"max": 10}},
        ],
    )
    assert exact == {"d10"}
    assert only_min == {"d10", "d11"}
    assert only_max == {"d9", "d10", "none"}  # no overdue item: daysOverdue is 0


# -- relative date -----------------------------------------------------------

# last payment: 9, 10, 11 days ago, today, in 3 days, never
PAYMENTS = [
    Customer("9-ago", last_payment_date=ago(9)),
    Customer("10-ago", last_payment_date=ago(10)),
    Customer("11-ago", last_payment_date=ago(11)),
    Customer("today", last_payment_date=TODAY),
    Customer("in-3", last_payment_date=ago(-3)),
    Customer("never"),
]


@pytest.mark.parametrize(
    ("relative", "expected"),
    [
        # date ≤ today − 10, and the empty date (infinitely old)
        ({"olderThanDays": 10}, {"10-ago", "11-ago", "never"}),
        # date ≥ today − 10; never the empty date
        ({"newerThanDays": 10}, {"9-ago", "10-ago", "today", "in-3"}),
        # both at N: exactly N days ago
        ({"olderThanDays": 10, "newerThanDays": 10}, {"10-ago"}),
        ({"olderThanDays": 0}, {"9-ago", "10-ago", "11-ago", "today", "never"}),
        ({"newerThanDays": 0}, {"today", "in-3"}),
        # negative N: future dates
        ({"newerThanDays": -3}, {"in-3"}),
        ({"newerThanDays": -4}, set()),
        ({"olderThanDays": -3}, {p.account for p in PAYMENTS}),
        ({"olderThanDays": -2}, {p.account for p in PAYMENTS} - {"in-3"}),
        ({"olderThanDays": 11, "newerThanDays": 9}, set()),  # contradictory: nothing
        ({"olderThanDays": 9, "newerThanDays": 11}, {"9-ago", "10-ago", "11-ago"}),
    ],
)  # fmt: skip
def test_relative_date(
    engine: Engine, registry: CriteriaRegistry, relative: dict[str, int], expected: set[str]
) -> None:
    load_ledger(engine, PAYMENTS)
    assert matches(engine, registry, {"lastPaymentDate": relative}) == expected


def test_never_reminded_is_not_reminded_for_10_days(
    engine: Engine, registry: CriteriaRegistry
) -> None:
    load_ledger(
        engine,
        [Customer("never"), Customer("recent"), Customer("old")],
        reminders_=[
            Reminder("recent", ago(3)),
            Reminder("old", ago(10)),
            Reminder("old", ago(2000)),
        ],
    )
    assert matches(engine, registry, {"lastReminderDate": {"olderThanDays": 10}}) == {
        "never",
        "old",
    }
    assert matches(engine, registry, {"lastReminderDate": {"newerThanDays": 10}}) == {
        "recent",
        "old",
    }


def test_empty_item_dates_are_infinitely_old(engine: Engine, registry: CriteriaRegistry) -> None:
    load_ledger(
        engine,
        [Customer("undated"), Customer("dated")],
        [
            Item("undated", "F", D("5")),
            Item("dated", "F", D("5"), document_date=ago(30), due_date=ago(0)),
        ],
    )
    older, newer, doc_older, doc_newer = matches_of_many(
        engine,
        registry,
        [
            {"itemDueDate": {"olderThanDays": 1000}},
            {"itemDueDate": {"newerThanDays": 1000}},
            {"itemDocumentDate": {"olderThanDays": 30}},
            {"itemDocumentDate": {"newerThanDays": 30}},
        ],
    )
    assert older == {"undated"}
    assert newer == {"dated"}
    assert doc_older == {"undated", "dated"}
    assert doc_newer == {"dated"}


# -- list of values ----------------------------------------------------------


@pytest.mark.parametrize(
    ("value_list", "expected"),
    [
        ({"values": ["Litige"]}, {"litige"}),
        ({"op": "IS", "values": ["Litige", "Litige résolu"]}, {"litige", "resolu"}),
        ({"op": "IS_NOT", "values": ["Litige"]}, {"resolu", "normal", "empty", "blank"}),
        ({"op": "IS_NOT", "values": ["Litige", "Litige résolu", "Normal"]}, {"empty", "blank"}),
        ({"values": ["litige"]}, set()),  # compared exactly
        ({"values": ["Litig"]}, set()),
        ({"values": ["  Litige  "]}, {"litige"}),  # the criterion's values are trimmed too
        ({"op": "IS_NOT", "values": ["Unknown"]}, {"litige", "resolu", "normal", "empty", "blank"}),
    ],
)
def test_value_list(
    engine: Engine, registry: CriteriaRegistry, value_list: dict[str, Any], expected: set[str]
) -> None:
    load_ledger(
        engine,
        [
            Customer("litige", status="Litige"),
            Customer("resolu", status="Litige résolu"),
            Customer("normal", status=" Normal "),  # stored trimmed
            Customer("empty"),
            Customer("blank", status="   "),  # blank is empty, not ""
        ],
    )
    assert matches(engine, registry, {"status": value_list}) == expected


# -- yes/no ------------------------------------------------------------------


def test_yes_no_both_answers(engine: Engine, registry: CriteriaRegistry) -> None:
    load_ledger(
        engine,
        [Customer("blocked", blocked=True), Customer("free", blocked=False)],
        [
            Item("blocked", "F1", D("1"), disputed=True),
            Item("free", "F1", D("1"), disputed=False),
            Item("free", "F2", D("0"), disputed=True),  # closed: never looked at
        ],
    )
    yes, no, disputed, undisputed = matches_of_many(
        engine,
        registry,
        [{"blocked": True}, {"blocked": False}, {"itemDisputed": True}, {"itemDisputed": False}],
    )
    assert (yes, no) == ({"blocked"}, {"free"})
    assert (disputed, undisputed) == ({"blocked"}, {"free"})


def test_insured_means_a_guarantee_above_zero(engine: Engine, registry: CriteriaRegistry) -> None:
    load_ledger(
        engine,
        [
            Customer("none"),
            Customer("zero", insurer_guarantee=D("0")),
            Customer("cent", insurer_guarantee=D("0.01")),
        ],
    )
    assert matches(engine, registry, {"insured": True}) == {"cent"}
    assert matches(engine, registry, {"insured": False}) == {"none", "zero"}


# -- validation --------------------------------------------------------------


@pytest.mark.parametrize(
    ("criteria", "field"),
    [
        ({"creditLimit": {"min": "200", "max": "100"}}, "criteria.creditLimit.min"),
        ({"creditLimit": {"min": "100.01", "max": "100"}}, "criteria.creditLimit.min"),
        ({"creditLimit": {}}, "criteria.creditLimit"),
        ({"creditLimit": {"min": None, "max": None}}, "criteria.creditLimit"),
        ({"creditLimit": {"min": "abc"}}, "criteria.creditLimit.min"),
        ({"creditLimit": {"max": "NaN"}}, "criteria.creditLimit.max"),
        ({"creditLimit": {"max": "Infinity"}}, "criteria.creditLimit.max"),
        ({"creditLimit": {"min": True}}, "criteria.creditLimit.min"),
        ({"creditLimit": {"min": [1]}}, "criteria.creditLimit.min"),
        ({"creditLimit": {"max": "1e30"}}, "criteria.creditLimit.max"),
        ({"creditLimit": {"min": str(-MAX_AMOUNT - D("0.01"))}}, "criteria.creditLimit.min"),
        ({"creditLimit": 5}, "criteria.creditLimit"),
        ({"creditLimit": {"minimum": 5}}, "criteria.creditLimit.minimum"),
        ({"itemOpenAmount": {"min": 10, "max": 1}}, "criteria.itemOpenAmount.min"),
        ({"daysOverdue": {"min": 5, "max": 1}}, "criteria.daysOverdue.min"),
        ({"daysOverdue": {}}, "criteria.daysOverdue"),
        ({"daysOverdue": {"min": 1.5}}, "criteria.daysOverdue.min"),
        ({"daysOverdue": {"min": "3"}}, "criteria.daysOverdue.min"),
        ({"daysOverdue": {"max": False}}, "criteria.daysOverdue.max"),
        ({"daysOverdue": {"max": 2**40}}, "criteria.daysOverdue.max"),
        ({"lastReminderDate": {}}, "criteria.lastReminderDate"),
        ({"lastReminderDate": {"olderThanDays": None}}, "criteria.lastReminderDate"),
        ({"lastReminderDate": {"olderThanDays": "10"}}, "criteria.lastReminderDate.olderThanDays"),
        ({"lastReminderDate": {"newerThanDays": 10**9}}, "criteria.lastReminderDate.newerThanDays"),
        ({"lastReminderDate": {"olderThanDays": True}}, "criteria.lastReminderDate.olderThanDays"),
        ({"lastReminderDate": {"days": 3}}, "criteria.lastReminderDate.days"),
        ({"lastReminderDate": 10}, "criteria.lastReminderDate"),
        ({"status": {"values": []}}, "criteria.status.values"),
        ({"status": {"op": "IS_NOT"}}, "criteria.status.values"),
        ({"status": {"values": ["  "]}}, "criteria.status.values"),
        ({"status": {"values": ["Normal", ""]}}, "criteria.status.values"),
        ({"status": {"values": [3]}}, "criteria.status.values"),
        ({"status": {"values": "Normal"}}, "criteria.status.values"),
        ({"status": {"op": "MAYBE", "values": ["x"]}}, "criteria.status.op"),
        ({"status": "Litige"}, "criteria.status"),
        ({"itemType": {"values": []}}, "criteria.itemType.values"),
        ({"blocked": "yes"}, "criteria.blocked"),
        ({"itemDisputed": 1}, "criteria.itemDisputed"),
        ({"insured": None, "noSuchCriterion": True}, "criteria.noSuchCriterion"),
        ({}, "criteria"),
        ({"blocked": None}, "criteria"),  # an empty criterion is no criterion
    ],
)  # fmt: skip
def test_invalid_input_names_the_field(
    registry: CriteriaRegistry, criteria: dict[str, Any], field: str
) -> None:
    with pytest.raises(UserInputError) as raised:
        parse_criteria(registry, criteria)
    assert [p.field for p in raised.value.problems] == [field]
    assert all(p.code.value == "VALIDATION" and p.message for p in raised.value.problems)


def test_every_problem_is_reported_at_once(registry: CriteriaRegistry) -> None:
    with pytest.raises(UserInputError) as raised:
        parse_criteria(
            registry,
            {
                "creditLimit": {},
                "blocked": "x",
                "status": {"values": []},
                "outstandingAmount": {"min": "1"},
            },
        )
    assert sorted(p.field or "" for p in raised.value.problems) == [
        "criteria.blocked",
        "criteria.creditLimit",
        "criteria.status.values",
    ]


def test_valid_input_is_stored_normalised(registry: CriteriaRegistry) -> None:
    parsed = parse_criteria(
        registry,
        {
            "outstandingAmount": {"min": 20000, "max": "50000.50"},
            "daysOverdue": {"min": 0},
            "lastReminderDate": {"olderThanDays": -5, "newerThanDays": None},
            "status": {"values": [" Litige ", "Litige", "Litige résolu"]},
            "country": {"op": "IS_NOT", "values": ["FR"]},
            "blocked": False,
            "itemOpenAmount": {"max": D("-0.5")},
        },
    )
    assert criteria_json(parsed) == {
        "outstandingAmount": {"min": "20000", "max": "50000.50"},
        "daysOverdue": {"min": 0},
        "lastReminderDate": {"olderThanDays": -5},
        "status": {"op": "IS", "values": ["Litige", "Litige résolu"]},
        "country": {"op": "IS_NOT", "values": ["FR"]},
        "blocked": False,
        "itemOpenAmount": {"max": "-0.5"},
    }
    # what is stored compiles as it is
    compiled = compile_criteria(load_criteria(registry, criteria_json(parsed)), ledger_for(TODAY))
    assert compiled.problems == ()


@pytest.mark.parametrize(
    ("values", "says"),
    [
        ([f"V{n}" for n in range(1001)], "more than 1000 values"),
        (["x" * 201], "longer than 200 characters"),
    ],
)
def test_a_value_list_stays_a_list(
    registry: CriteriaRegistry, values: list[str], says: str
) -> None:
    # Every bell of every user who sees an alert evaluates its lists: they are bounded.
    with pytest.raises(UserInputError) as raised:
        parse_criteria(registry, {"country": {"values": values}})
    problem = raised.value.problems[0]
    assert (problem.field, problem.code) == ("criteria.country.values", ErrorCode.VALIDATION)
    assert says in problem.message


# -- one typed value per kind, stored exactly ----------------------------------------------

# Stored JSON as the API has always written it, per kind: loading and storing it again
# changes nothing, not even the order of its keys.
STORED: dict[KindId, list[Any]] = {
    KindId.AMOUNT: [
        {"min": "20000"},
        {"max": "-0.5"},
        {"min": "0.001", "max": "50000.50"},
        {"min": str(-MAX_AMOUNT), "max": str(MAX_AMOUNT)},
    ],
    KindId.NUMBER: [{"min": 0}, {"max": 90}, {"min": -5, "max": 5}],
    KindId.RELATIVE_DATE: [
        {"olderThanDays": 10},
        {"newerThanDays": -3},
        {"olderThanDays": 9, "newerThanDays": 11},
    ],
    KindId.VALUE_LIST: [
        {"op": "IS", "values": ["FR"]},
        {"op": "IS_NOT", "values": ["Litige", "Litige résolu"]},
    ],
    KindId.YES_NO: [True, False],
}


@pytest.mark.parametrize(
    ("kind", "stored"),
    [
        pytest.param(BUILTIN_KINDS[kind_id], json, id=f"{kind_id}-{json!r}")
        for kind_id, examples in STORED.items()
        for json in examples
    ],
)
def test_stored_json_round_trips_exactly(kind: Kind[Any], stored: Any) -> None:
    again = kind.to_json(kind.parse(stored, "criteria.x"))
    assert json.dumps(again) == json.dumps(stored)


def test_every_builtin_criterion_stores_what_it_loads(registry: CriteriaRegistry) -> None:
    for key, criterion in registry.criteria.items():
        for example in STORED[criterion.kind.id]:
            stored = {key: example}
            loaded = load_criteria(registry, stored)
            assert loaded.problems == (), (key, loaded.problems)
            assert json.dumps(criteria_json(loaded)) == json.dumps(stored)


@pytest.mark.parametrize(
    ("kind", "graphql", "stored", "typed"),
    [
        (
            AMOUNT,
            AmountRange(min=D("20000"), max=D("50000.50")),
            {"min": "20000", "max": "50000.50"},
            AmountBounds(D("20000"), D("50000.50")),
        ),
        (NUMBER, IntRange(min=30), {"min": 30}, NumberBounds(min=30)),
        (RELATIVE_DATE, RelativeDate(olderThanDays=10), {"olderThanDays": 10}, DayBounds(10)),
        (
            VALUE_LIST,
            ValueList(values=[" Litige ", "Litige"], op=ListOp.IS_NOT),
            {"op": "IS_NOT", "values": ["Litige"]},
            ValueChoice(ListOp.IS_NOT, ("Litige",)),
        ),
        (YES_NO, False, False, False),
    ],
    ids=lambda v: type(v).__name__,
)
def test_graphql_input_and_stored_json_parse_to_one_typed_value(
    kind: Kind[Any], graphql: Any, stored: Any, typed: Any
) -> None:
    assert kind.parse(graphql, "criteria.x") == typed  # the object strawberry built
    assert kind.parse(stored, "criteria.x") == typed  # the alert's stored JSON
    assert kind.to_json(typed) == stored


# -- what a form is given: an example per kind -------------------------------------------


@pytest.mark.parametrize("kind", BUILTIN_KINDS.values(), ids=lambda kind: kind.id.name)
def test_every_kind_gives_an_example_it_accepts_as_json(kind: Kind[Any]) -> None:
    for values in ((), ("Litige résolu", "Normal")):
        example = kind.example(values)
        assert json.loads(json.dumps(example)) == example  # plain JSON
        assert kind.to_json(kind.parse(example, "criteria.x")) == example  # valid, as it is


def test_a_list_example_is_drawn_from_the_values() -> None:
    assert VALUE_LIST.example(("Litige", "Normal")) == {"op": "IS", "values": ["Litige"]}
    assert VALUE_LIST.example(()) == {"op": "IS", "values": ["value"]}  # any text will do
    assert AMOUNT.example(("ignored",)) == {"min": "20000", "max": "50000"}  # as answered
