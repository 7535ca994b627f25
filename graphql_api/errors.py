"""The one exception for a request the user can correct, and its problems.

Every layer (GraphQL, CLI, import) raises `UserInputError`; the GraphQL layer
turns its problems into `UserError` objects, the CLI prints them.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass


class ErrorCode(enum.Enum):
    VALIDATION = "VALIDATION"
    NOT_FOUND = "NOT_FOUND"
    FORBIDDEN = "FORBIDDEN"
    CONFLICT = "CONFLICT"


@dataclass(frozen=True)
class Problem:
    code: ErrorCode
    field: str | None
    message: str


class UserInputError(Exception):
    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(p.message for p in problems))
        self.problems = problems


def invalid(field: str | None, message: str) -> UserInputError:
    return UserInputError([Problem(ErrorCode.VALIDATION, field, message)])


def has_nul(text: str | None) -> bool:
    """Whether text holds U+0000, which PostgreSQL text cannot store and SQLite's LIKE ends at."""
    return text is not None and "\x00" in text


NUL_MESSAGE = "must not contain the NUL character (U+0000)"
