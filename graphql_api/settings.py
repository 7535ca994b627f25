"""Settings from the environment (SPEC §7), read when needed so a test or a demo can pin them."""

from __future__ import annotations

from datetime import date

from pydantic_settings import BaseSettings, SettingsConfigDict

from graphql_api.storage import default_database_url


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="DSO_ALERTS_")

    database_url: str = ""
    today: date | None = None

    def resolved_database_url(self) -> str:
        return self.database_url or default_database_url()


def today() -> date:
    """The reference date: DSO_ALERTS_TODAY when set, else the server's local date."""
    return Settings().today or date.today()
