"""The example plugin's own tests: `pytest` in this folder, with dso-alerts installed.

They use the fixtures dso-alerts ships for plugins (its pytest plugin, active wherever
dso-alerts is installed): every test that takes `dso_criteria` or `dso_ledger` runs on
SQLite and on a throwaway PostgreSQL (skipped, saying why, when no server can be started).
"""

from __future__ import annotations

from typing import Any

import dso_alerts_credit
import pytest

from graphql_api.plugin import Criterion

CUSTOMERS = {  # account: (credit limit, open items: (amount, disputed))
    "FULL": ("1000", [("1000", False)]),
    "HALF": ("1000", [("500", False)]),
    "P21": ("12345.00", [("2592.45", False)]),  # 21 % exactly
    "P38": ("12345.00", [("4691.10", False)]),  # 38 % exactly
    "OVER21": ("12345.00", [("2592.46", False)]),  # 21.00008 %
    # 1,000 % and a cent: a float reads it as 1000.0, exactly at the bound; it is above.
    "HUGE": ("999999999999.99", [("999999999999.99", False)] * 10 + [("0.01", False)]),
    # Just under 333 %; a float (the old recipe, outstanding × 100 ÷ limit) reads 333.0.
    "UNDER333": ("515642669783.97", [("999999999999.99", False), ("717090090380.63", False)]),
    "SHARE7": ("1000", [("0.93", False), ("0.07", True)]),  # 7 % of 1.00 disputed
    "INCREDIT": ("1000", [("-210.00", False)]),  # -21 %
    "NOLIMIT": (None, [("700", True)]),
    "ZERO": ("0", [("100", False)]),
}
SMES = ("FULL", "HUGE", "NOLIMIT", "P21", "P38", "ZERO")  # the others have no segment


@pytest.fixture
def dso_plugins() -> list[Any]:
    # Registered by hand, so these tests run without installing the package too.
    return [dso_alerts_credit]


@pytest.fixture
def ledger(dso_ledger: Any) -> Any:
    for account, (limit, items) in CUSTOMERS.items():
        dso_ledger.customer(account, credit_limit=limit, segment="SME" if account in SMES else None)
        for amount, disputed in items:
            dso_ledger.item(account, amount, type="INVOICE" if amount[0] != "-" else "CREDIT_NOTE",
                            disputed=disputed)  # fmt: skip
    dso_ledger.load()
    return dso_ledger


@pytest.mark.parametrize(
    ("bounds", "expected"),
    [
        ({"min": 21, "max": 21}, ["P21"]),
        ({"min": 38, "max": 38}, ["P38"]),
        ({"min": 22, "max": 37}, []),
        ({"max": 21}, ["INCREDIT", "P21", "SHARE7"]),  # OVER21 is above
        ({"min": 100, "max": 100}, ["FULL"]),
        ({"min": 1000, "max": 1000}, []),  # HUGE is 1,000 % and a cent
        ({"min": 1001}, []),
        ({"min": 1000}, ["HUGE"]),
        ({"min": 101}, ["HUGE", "UNDER333"]),
        ({"min": -21, "max": -21}, ["INCREDIT"]),
        ({"min": 333, "max": 999}, []),  # the float recipe matched UNDER333 here
        ({"min": 332, "max": 333}, ["UNDER333"]),
    ],
)
def test_utilisation_is_exact_at_its_bounds(
    ledger: Any, dso_criteria: Any, bounds: dict[str, int], expected: list[str]
) -> None:
    assert dso_criteria.matching({"creditLimitUtilisation": bounds}) == expected


def test_accounts_without_a_limit_never_match(ledger: Any, dso_criteria: Any) -> None:
    anything = {"creditLimitUtilisation": {"min": -(2**31 - 1), "max": 2**31 - 1}}
    assert "NOLIMIT" not in dso_criteria.matching(anything)
    assert "ZERO" not in dso_criteria.matching(anything)


def test_a_seven_percent_share_is_seven(ledger: Any, dso_criteria: Any) -> None:
    assert dso_criteria.matching({"disputedShare": {"min": 7, "max": 7}}) == ["SHARE7"]
    assert dso_criteria.matching({"disputedShare": {"min": 8}}) == ["NOLIMIT"]  # all disputed
    # INCREDIT owes nothing: it has no share, whatever the range.
    assert "INCREDIT" not in dso_criteria.matching({"disputedShare": {"max": 100}})


def test_attribute(ledger: Any, dso_criteria: Any) -> None:
    sme = {"attribute": {"name": "segment", "values": ["SME"]}}
    assert dso_criteria.matching(sme) == list(SMES)
    none_of = {"attribute": {"name": "segment", "op": "IS_NOT", "values": ["SME"]}}
    assert dso_criteria.matching(none_of) == ["HALF", "INCREDIT", "OVER21", "SHARE7", "UNDER333"]


def test_described_for_a_form(ledger: Any, dso_criteria: Any, dso_registry: Any) -> None:
    """What the `criteria` query tells a form: the unit, and an example it may send back."""
    utilisation: Criterion = dso_registry.criteria["creditLimitUtilisation"]
    assert utilisation.unit_in("EUR") == "%"
    assert utilisation.example_input() == {"min": 80}
    assert dso_criteria.matching({"creditLimitUtilisation": utilisation.example_input()}) == [
        "FULL", "HUGE", "UNDER333"
    ]  # fmt: skip
    attribute: Criterion = dso_registry.criteria["attribute"]
    assert attribute.unit_in("EUR") is None
    assert dso_criteria.matching({"attribute": attribute.example_input()}) == list(SMES)


def test_bad_input_names_the_field(dso_criteria: Any) -> None:
    assert dso_criteria.refused({"attribute": {"name": " ", "values": ["SME"]}}) == {
        "criteria.attribute.name": "criteria.attribute.name must be a non-blank attribute name"
    }
    refused = dso_criteria.refused({"creditLimitUtilisation": {"min": 9, "max": 8}})
    assert list(refused) == ["criteria.creditLimitUtilisation.min"]


def test_input_is_stored_normalised(dso_criteria: Any) -> None:
    given = {"attribute": {"name": " segment ", "values": [" SME", "SME", "Large "]}}
    assert dso_criteria.stored(given) == {
        "attribute": {"name": "segment", "op": "IS", "values": ["SME", "Large"]}
    }


def test_found_through_the_entry_point_once_installed() -> None:
    from importlib.metadata import entry_points

    if "credit" not in {ep.name for ep in entry_points(group="dso_alerts")}:
        pytest.skip("not installed: pip install -e . first")
    assert dso_alerts_credit.register_criteria()[0].key == "creditLimitUtilisation"
