"""Reading one CSV cell: each parser returns the value or raises BadValue saying what was
expected, in the words the import's problem list shows."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from graphql_api.money import CENT, MAX_AMOUNT

ITEM_TYPES = ("INVOICE", "CREDIT_NOTE", "PAYMENT", "OTHER")
CHANNELS = ("EMAIL", "LETTER", "PHONE", "OTHER")
YES = {"yes", "true", "1", "oui", "y", "o"}
NO = {"no", "false", "0", "non", "n", ""}


class BadValue(ValueError):
    """A value that cannot be read; the message says what was expected."""


def parse_text(raw: str) -> str | None:
    return raw.strip() or None


def text_of_at_most(limit: int) -> Callable[[str], str | None]:
    """Trimmed text that fits its column (PostgreSQL would refuse it mid-import)."""

    def parse(raw: str) -> str | None:
        text = parse_text(raw)
        if text is not None and len(text) > limit:
            raise BadValue(f"longer than {limit} characters")
        return text

    return parse


def parse_required(raw: str) -> str:
    text = raw.strip()
    if not text:
        raise BadValue("must not be empty")
    if len(text) > 100:
        raise BadValue("longer than 100 characters")
    return text


def parse_amount(raw: str) -> Decimal | None:
    text = raw.strip().replace(" ", "").replace("\u00a0", "").replace("\u202f", "")
    if not text:
        return None
    if "," in text:
        if "." in text and text.rfind(".") > text.rfind(","):
            text = text.replace(",", "")  # 1,234.56
        else:
            text = text.replace(".", "").replace(",", ".")  # 1.234,56 or 1234,56
    try:
        amount = Decimal(text)
    except InvalidOperation:
        raise BadValue("expected an amount such as 1234.56 or 1234,56") from None
    if not amount.is_finite() or abs(amount) > MAX_AMOUNT:
        raise BadValue(f"expected an amount of at most {MAX_AMOUNT}")
    if amount != amount.quantize(CENT):
        raise BadValue("expected at most two decimal places")
    return amount.quantize(CENT)


def parse_date(raw: str) -> date | None:
    text = raw.strip()
    if not text:
        return None
    try:
        if len(text) == 10 and text[4] == "-" and text[7] == "-":
            return date.fromisoformat(text)
        if len(text) == 10 and text[2] == "/" and text[5] == "/":
            return date(int(text[6:]), int(text[3:5]), int(text[:2]))
    except ValueError:
        raise BadValue("not a real date (expected YYYY-MM-DD or DD/MM/YYYY)") from None
    raise BadValue("expected a date as YYYY-MM-DD or DD/MM/YYYY")


def parse_flag(raw: str) -> bool:
    text = raw.strip().lower()
    if text in YES:
        return True
    if text in NO:
        return False
    raise BadValue("expected yes/no, true/false, 1/0 or oui/non")


def parse_country(raw: str) -> str | None:
    text = raw.strip().upper()
    if not text:
        return None
    if len(text) != 2 or not text.isascii() or not text.isalpha():
        raise BadValue("expected an ISO 3166-1 alpha-2 country code such as FR")
    return text


def choice(options: tuple[str, ...], default: str | None = None) -> Callable[[str], str | None]:
    """One of `options`, case-insensitive; an empty cell is `default` (refused without one)."""

    def parse(raw: str) -> str | None:
        text = raw.strip().upper()
        if not text:
            if default is None:
                raise BadValue(f"expected one of {', '.join(options)}")
            return default
        if text not in options:
            raise BadValue(f"expected one of {', '.join(options)}")
        return text

    return parse


_UNSEEN = object()


def memoized(parse: Callable[[str], Any], limit: int = 10_000) -> Callable[[str], Any]:
    """`parse` remembering its answers: columns with few distinct values (a group, a country,
    a limit, a date) are parsed once per value instead of once per line."""
    answers: dict[str, Any] = {}

    def remembered(raw: str) -> Any:
        found = answers.get(raw, _UNSEEN)
        if found is _UNSEEN:
            try:
                found = parse(raw)
            except BadValue as error:
                found = error
            if len(answers) < limit:
                answers[raw] = found
        if isinstance(found, BadValue):
            raise BadValue(str(found))
        return found

    return remembered
