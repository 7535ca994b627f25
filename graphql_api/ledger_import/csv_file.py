"""Reading one CSV export row by row, streamed, with every problem placed by line and column.

The delimiter (comma or semicolon) is sniffed from the header; header names are matched
case-insensitively against the file kind's known columns; short rows are padded and long
ones reported. Problems the csv module cannot place (a byte that is not UTF-8, a huge
field) are located by reading the file again, only on the way to a rejection.
"""

from __future__ import annotations

import csv
import io
import itertools
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tqdm import tqdm

from graphql_api.ledger_import.problems import ImportProblem, ProblemLog
from graphql_api.ledger_import.values import BadValue

BlockTaker = Callable[[str], bool]
# Characters per block offered to a BlockTaker (some 3,500 items lines): long enough that
# the work per block is small beside its lines', short enough to keep little in memory.
BLOCK_CHARACTERS = 1 << 18


@dataclass
class CsvFile:
    """A CSV export read row by row; its problems go to `log` (shared by the import's files)."""

    path: Path
    required: tuple[str, ...]
    known: tuple[str, ...]
    log: ProblemLog
    show_progress: bool = False
    header: list[str] = field(default_factory=list)
    index: dict[str, int] = field(default_factory=dict)
    line_end: str = field(default="\n", init=False)  # the header's
    _line: int = field(default=0, init=False, repr=False)  # where the reader is, for errors
    _delimiter: str = field(default=",", init=False, repr=False)

    @property
    def delimiter(self) -> str:
        return self._delimiter

    def problem(self, line: int, column: str | None, value: str | None, message: str) -> None:
        self.log.add(ImportProblem(self.path.name, line, column, value, message))

    def read(self, line: int, cells: list[str], column: str, parse: Callable[[str], Any]) -> Any:
        """The parsed value of `column` (None when the file has no such column); a value that
        cannot be read is reported, and read as None."""
        position = self.index.get(column)
        if position is None:
            return None
        raw = cells[position]
        try:
            return parse(raw)
        except BadValue as error:
            self.problem(line, column, raw, str(error))
            return None

    def rows(self, take_block: BlockTaker | None = None) -> Iterator[tuple[int, list[str]]]:
        """(line number, cells) for every data row; cells are padded to the header.

        With `take_block`, the data lines are first offered in blocks of whole lines (their
        text, line ends included; `delimiter` and `line_end` are the header's by then): it
        returns whether it took the block. The first block it does not take, and every line
        after it, are read as rows."""
        try:
            handle = self.path.open(encoding="utf-8-sig", newline="")
        except OSError as error:
            self.problem(0, None, None, f"cannot open the file: {error.strerror}")
            return
        with handle, self._progress() as bar:
            try:
                yield from self._rows(handle, bar, take_block)
            except UnicodeDecodeError as error:
                line, column = self._locate(lambda cell: "\ufffd" in cell)
                self.problem(
                    line, column, None,
                    f"not UTF-8 (byte 0x{error.object[error.start]:02X}): save the file as UTF-8",
                )  # fmt: skip
            except csv.Error as error:
                if "field larger than field limit" not in str(error):
                    self.problem(self._line, None, None, f"unreadable CSV: {error}")
                    return
                limit = csv.field_size_limit()
                line, column = self._locate(lambda cell: len(cell) > limit)
                self.problem(line, column, None, f"a field longer than {limit:,} characters")

    def _rows(
        self, handle: io.TextIOBase, bar: tqdm, take_block: BlockTaker | None
    ) -> Iterator[tuple[int, list[str]]]:
        first = handle.readline()
        if not first.strip():
            self.problem(1, None, None, "the file is empty: expected a header row")
            return
        if not self._read_header(first):
            return
        self.line_end = first[len(first.rstrip("\r\n")) :]
        width = len(self.header)
        has_nul = _contains(self.path, b"\x00")  # rare: then every row is checked for it
        raw = getattr(handle, "buffer", None)  # bytes read so far, for the progress bar
        shown = 0
        line = 1  # the last line read
        pending = ""  # read, not taken
        while take_block is not None and not has_nul:
            read = handle.read(BLOCK_CHARACTERS)
            pending += read
            end = pending.rfind("\n") + 1  # the block's lines end in "\n" when taken
            if not read or not end or not take_block(pending[:end]):
                break
            line += pending.count("\n", 0, end)
            pending = pending[end:]
            self._line = line
            if raw is not None and not bar.disable:
                bar.update(raw.tell() - shown)
                shown = raw.tell()
        if pending.endswith("\r"):
            pending += handle.read(1)  # the "\n" of a "\r\n" cut here, or the next line's start
        if pending and not pending.endswith(("\n", "\r")):
            pending += handle.readline()  # the rest of its last line
        # The text not taken is read as the file is, line by line (its lines end alike).
        lines = io.StringIO(pending, newline="")
        next_update = 0
        reader = csv.reader(itertools.chain(lines, handle), delimiter=self._delimiter)
        before = line  # the lines read before the reader's first
        for cells in reader:
            line_start = line + 1
            line = before + reader.line_num
            self._line = line
            if line >= next_update and raw is not None:
                bar.update(raw.tell() - shown)
                shown, next_update = raw.tell(), line + 50_000
            if has_nul and self._nul_cells(line_start, cells):
                continue
            count = len(cells)
            if count == width and (count > 1 or cells[0].strip()):  # the common case first
                yield line_start, cells
                continue
            if not cells or (count == 1 and not cells[0].strip()):
                continue
            if count > width:
                self.problem(line_start, None, None, f"{count} cells, but the header has {width}")
                continue
            cells.extend([""] * (width - count))
            yield line_start, cells
        if raw is not None:
            bar.update(raw.tell() - shown)

    def _read_header(self, first: str) -> bool:
        """Read the header line; False when the file cannot be read further."""
        try:
            self._delimiter = csv.Sniffer().sniff(first, delimiters=",;").delimiter
        except csv.Error:
            self._delimiter = ","
        header = next(csv.reader([first], delimiter=self._delimiter))
        self.header = [name.strip() for name in header]
        self.index = {}
        for position, name in enumerate(self.header):
            key = name.lower() if name.lower() in self.known else name
            if key in self.index:
                self.problem(1, name, None, "this column appears twice in the header")
            self.index[key] = position
        missing = [name for name in self.required if name not in self.index]
        if missing:
            self.problem(1, None, None, f"missing required column(s): {', '.join(missing)}")
            return False
        return True

    def _nul_cells(self, line: int, cells: list[str]) -> bool:
        """Report cells holding U+0000 (PostgreSQL text cannot hold it); True when any did."""
        found = False
        for position, cell in enumerate(cells):
            if "\x00" in cell:
                name = self.header[position] if position < len(self.header) else None
                self.problem(line, name, cell.replace("\x00", "\\0"), "contains a NUL character")
                found = True
        return found

    def _locate(self, is_bad: Callable[[str], bool]) -> tuple[int, str | None]:
        """The line and column of the first bad cell, for problems the csv reader cannot place.

        Only on the way to a rejection: the file is read again, line by line, as bytes,
        each line parsed alone (quotes respected) with no limit on a field's size.
        """
        header = self.header
        limit = csv.field_size_limit()
        csv.field_size_limit(sys.maxsize)
        try:
            with self.path.open("rb") as raw:
                for number, data in enumerate(raw, start=1):
                    text = data.decode("utf-8-sig" if number == 1 else "utf-8", errors="replace")
                    if number == 1 and not header:  # the error came before the header was read
                        if text.count(";") > text.count(","):
                            self._delimiter = ";"
                        header = [name.strip() for name in self._cells(text)]
                    for position, cell in enumerate(self._cells(text)):
                        if is_bad(cell):
                            named = header[position] if position < len(header) else None
                            return number, named if number > 1 else None
        finally:
            csv.field_size_limit(limit)
        return self._line, None

    def _cells(self, text: str) -> list[str]:
        try:
            return next(csv.reader([text.rstrip("\r\n")], delimiter=self._delimiter), [])
        except csv.Error:  # a quoted field spanning lines: split it plainly
            return text.rstrip("\r\n").split(self._delimiter)

    def _progress(self) -> tqdm:
        size = self.path.stat().st_size if self.path.exists() else 0
        return tqdm(
            total=size, unit="B", unit_scale=True, desc=self.path.name, leave=False,
            disable=not (self.show_progress and sys.stderr.isatty()),
        )  # fmt: skip


def _contains(path: Path, needle: bytes) -> bool:
    with path.open("rb") as raw:
        while chunk := raw.read(1 << 20):
            if needle in chunk:
                return True
    return False
