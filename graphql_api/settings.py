"""Settings from the environment (SPEC §7), read when needed so a test or a demo can pin them."""

from __future__ import annotations

import os
from datetime import date

from pydantic import Field, PositiveInt
from pydantic_settings import BaseSettings, SettingsConfigDict

from graphql_api.storage import default_database_url

PREFIX = "DSO_ALERTS_"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix=PREFIX)

    database_url: str = ""
    today: date | None = None
    # The company currency (ISO 4217), the unit of every amount: DSO_ALERTS_CURRENCY=CHF.
    currency: str = Field(default="EUR", pattern=r"^[A-Z]{3}$")
    # Query limits (graphql_api/query_limits.py), e.g. DSO_ALERTS_MAX_DEPTH=8.
    max_depth: PositiveInt = 10
    max_aliases: PositiveInt = 15
    max_tokens: PositiveInt = 2000
    max_body_bytes: PositiveInt = 1_000_000

    def resolved_database_url(self) -> str:
        return self.database_url or default_database_url()


_pinned: dict[tuple[tuple[str, str], ...], date | None] = {}


def today() -> date:
    """The reference date: DSO_ALERTS_TODAY when set, else the server's local date.

    Every request asks; reading the settings is a pydantic validation of the whole
    environment (~1 ms), so its answer is kept for as long as DSO_ALERTS_* stay the same.
    """
    key = tuple(sorted((k, v) for k, v in os.environ.items() if k.upper().startswith(PREFIX)))
    if key not in _pinned:
        if len(_pinned) > 100:
            _pinned.clear()
        _pinned[key] = Settings().today
    return _pinned[key] or date.today()


def currency() -> str:
    """The company currency: DSO_ALERTS_CURRENCY, EUR unless set."""
    return Settings().currency
