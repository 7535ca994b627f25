"""DSO_ALERTS_TODAY_FILE: "today" moved under a running process, for tests and demos."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

import pytest

from graphql_api.settings import today


@pytest.fixture
def today_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "today"
    monkeypatch.setenv("DSO_ALERTS_TODAY_FILE", str(path))
    return path


def test_the_day_follows_the_file_without_a_restart(today_file: Path) -> None:
    today_file.write_text("2027-01-02\n")
    assert today() == date(2027, 1, 2)
    today_file.write_text("2027-03-04")
    assert today() == date(2027, 3, 4)
    # Rewritten within the same clock tick with as many bytes: a rename is seen all the same.
    moved = today_file.with_suffix(".new")
    moved.write_text("2027-03-05")
    moved.replace(today_file)
    assert today() == date(2027, 3, 5)


def test_without_the_file_the_pinned_day_or_the_clock_is_today(today_file: Path) -> None:
    assert today() == date.fromisoformat(os.environ["DSO_ALERTS_TODAY"])
    today_file.write_text("2027-01-02")
    assert today() == date(2027, 1, 2)
    today_file.unlink()
    assert today() == date.fromisoformat(os.environ["DSO_ALERTS_TODAY"])


def test_a_file_that_holds_no_date_is_an_error_naming_it(today_file: Path) -> None:
    today_file.write_text("next tuesday")
    with pytest.raises(
        ValueError, match=r"DSO_ALERTS_TODAY_FILE .*today.* YYYY-MM-DD.*next tuesday"
    ):
        today()
