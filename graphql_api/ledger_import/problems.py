"""What went wrong in an import: each problem with its file, line and column, and the
exception that reports them (the import then changed nothing)."""

from __future__ import annotations

from dataclasses import dataclass, field

KEPT_PROBLEMS = 1000


@dataclass(frozen=True)
class ImportProblem:
    file: str
    line: int
    column: str | None
    value: str | None
    message: str

    def __str__(self) -> str:
        where = f"{self.file}, line {self.line}" + (
            f", column {self.column}" if self.column else ""
        )
        shown = "" if self.value is None else f" (got {_clip(self.value)!r})"
        return f"{where}: {self.message}{shown}"


def _clip(value: str) -> str:
    return value if len(value) <= 60 else value[:57] + "..."


@dataclass
class ProblemLog:
    """Every problem of one import is counted; the first KEPT_PROBLEMS are kept to be shown."""

    kept: list[ImportProblem] = field(default_factory=list)
    total: int = 0

    def add(self, problem: ImportProblem) -> None:
        self.total += 1
        if len(self.kept) < KEPT_PROBLEMS:
            self.kept.append(problem)


class ImportFailed(Exception):
    """The import changed nothing; `problems` are the first KEPT_PROBLEMS of `total`."""

    def __init__(self, problems: list[ImportProblem], total: int) -> None:
        super().__init__(f"{total} problem(s); nothing was imported")
        self.problems = problems
        self.total = total
