"""Settings from the environment (SPEC §7), read when needed so a test or a demo can pin them."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path
from typing import Literal

from pydantic import Field, PositiveInt, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from graphql_api.database import default_database_url

PREFIX = "DSO_ALERTS_"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix=PREFIX)

    database_url: str = ""
    today: date | None = None
    # A test and demo facility: a file holding the reference date (YYYY-MM-DD), read again
    # whenever it changes, so "today" moves under running servers without a restart.
    today_file: Path | None = None
    # The company currency (ISO 4217), the unit of every amount: DSO_ALERTS_CURRENCY=CHF.
    currency: str = Field(default="EUR", pattern=r"^[A-Z]{3}$")
    # Query limits (graphql_api/query_limits.py), e.g. DSO_ALERTS_MAX_DEPTH=8.
    max_depth: PositiveInt = 10
    max_aliases: PositiveInt = 15
    max_tokens: PositiveInt = 2000
    max_body_bytes: PositiveInt = 1_000_000
    # How GraphQL is executed (graphql_api/fast_execution.py): `fast` reads plain fields
    # directly, `graphql-core` is strawberry's own execution; the answers are the same.
    executor: Literal["fast", "graphql-core"] = "fast"
    # Membership changes older than this many days (from today) are pruned on a new day,
    # except the one that began a current match (graphql_api/membership_day.py).
    history_days: PositiveInt = 400

    # Origins whose pages may call the API (CORS), comma-separated: "https://app.example.com".
    cors_origins: str = ""

    @field_validator("cors_origins")
    @classmethod
    def _origins(cls, value: str) -> str:
        for origin in _split(value):
            scheme, _, rest = origin.partition("://")
            if scheme not in ("http", "https") or not rest or any(c in rest for c in "/* "):
                raise ValueError(
                    f"{origin!r} is not an origin: write scheme://host[:port], such as "
                    "http://localhost:5173 (no path, no trailing slash, no wildcard)"
                )
        return value

    def allowed_origins(self) -> list[str]:
        return _split(self.cors_origins)

    def resolved_database_url(self) -> str:
        return self.database_url or default_database_url()


def _split(origins: str) -> list[str]:
    return [origin.strip() for origin in origins.split(",") if origin.strip()]


_pinned: dict[tuple[tuple[str, str], ...], tuple[date | None, Path | None]] = {}
# The date last read from each today file, by what its stat said then.
_read: dict[Path, tuple[tuple[int, int, int], date | None]] = {}


def today() -> date:
    """The reference date: the date in DSO_ALERTS_TODAY_FILE when it names a file that
    exists, else DSO_ALERTS_TODAY when set, else the server's local date.

    Every request asks; reading the settings is a pydantic validation of the whole
    environment (~1 ms), so its answer is kept for as long as DSO_ALERTS_* stay the same;
    the file is read again only when its stat changes (one stat() per request).
    """
    key = tuple(sorted((k, v) for k, v in os.environ.items() if k.upper().startswith(PREFIX)))
    if key not in _pinned:
        if len(_pinned) > 100:
            _pinned.clear()
        settings = Settings()
        _pinned[key] = (settings.today, settings.today_file)
    pinned, today_file = _pinned[key]
    from_file = _date_in(today_file) if today_file is not None else None
    return from_file or pinned or date.today()


def _date_in(path: Path) -> date | None:
    """The date written in `path`, or None when there is no such file. A file that does not
    hold one date is an error naming it: a test that moved the day must not run on another."""
    try:
        stat = path.stat()
    except FileNotFoundError:
        return None
    stamp = (stat.st_mtime_ns, stat.st_size, stat.st_ino)
    known = _read.get(path)
    if known is not None and known[0] == stamp:
        return known[1]
    text = path.read_text(encoding="utf-8").strip()
    try:
        found = date.fromisoformat(text)
    except ValueError:
        raise ValueError(
            f"{PREFIX}TODAY_FILE {str(path)!r} must hold one date as YYYY-MM-DD, not {text[:40]!r}"
        ) from None
    _read[path] = (stamp, found)
    return found


def currency() -> str:
    """The company currency: DSO_ALERTS_CURRENCY, EUR unless set."""
    return Settings().currency
