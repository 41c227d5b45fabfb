"""Read contract tables from Excel workbooks (``.xlsx``), cell by cell, the way the CSV reader sees them.

A data folder may hold workbooks beside its CSV and Parquet files: one workbook with a
sheet per table (sheets named like the tables, e.g. the one ``trackreport init``
writes), or one workbook per table (``orders.xlsx``). Each sheet's first non-empty row is
its header; every other non-empty row is a data row, known by its Excel row number so
that problems name the cell (``orders!C12``).

Cells are turned into the text a CSV export would hold, and then go through the same
conversion and rules as CSV (:mod:`trackreport.data.load`): a cell Excel stores as a
date becomes ``YYYY-MM-DD`` (with the time, ``YYYY-MM-DD HH:MM:SS``, for timestamps), a
number becomes its shortest decimal (``3.0`` is ``3``), a boolean ``true``/``false``,
and a number stored as text stays the text it is (``"12"`` reads as 12 where the
contract wants a number). Rows whose cells are all empty (Excel's trailing rows that
only ever held formatting) are skipped. Merged cells are refused: a merged range holds
its value only in its first cell.

Workbooks are read with openpyxl in read-only mode (streamed, values only: formulas give
the value Excel last computed).
"""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import openpyxl
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException

__all__ = ["EXCEL_SUFFIX", "ABOUT_SHEET", "SheetData", "SheetError", "Workbook", "workbook_paths", "cell_text"]

EXCEL_SUFFIX = ".xlsx"

ABOUT_SHEET = "README"
"""The explanation sheet ``trackreport init`` puts first in its workbook; never read as a table."""

_MERGE_RE = re.compile(rb'<(?:\w+:)?mergeCell\s[^>]*?ref="([^"]+)"')


class SheetError(Exception):
    """A workbook or sheet that cannot be read as a table; its message says why, in words."""


@dataclass
class SheetData:
    """One sheet read as text: header names, column letters, Excel row numbers and cells by column."""

    header: list[str]
    letters: list[str]
    rows: np.ndarray
    columns: list[np.ndarray]


def workbook_paths(folder: Path) -> list[Path]:
    """The workbooks of a data folder, by name; Excel's lock files (``~$book.xlsx``) are not workbooks.

    >>> workbook_paths(Path("/nonexistent"))
    []
    """
    try:
        found = [p for p in folder.iterdir() if p.suffix.lower() == EXCEL_SUFFIX]
    except OSError:
        return []
    return sorted(p for p in found if not p.name.startswith(("~$", ".")))


def cell_text(value: Any) -> str | None:
    """A cell's value as the text a CSV export holds; None for an empty cell.

    Examples
    --------
    >>> [cell_text(v) for v in (None, "  ", " x", 3, 3.0, 0.1, True, dt.datetime(2025, 7, 1))]
    [None, None, ' x', '3', '3', '0.1', 'true', '2025-07-01']
    >>> cell_text(dt.datetime(2025, 7, 1, 14, 29, 59, 999600))  # Excel's float days, rounded to the millisecond
    '2025-07-01 14:30:00'
    """
    if value is None:
        return None
    if isinstance(value, str):
        return value if value.strip() else None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 2**53:
            return str(int(value))
        return repr(value)
    if isinstance(value, dt.datetime):
        stamp = _to_millisecond(value)
        if stamp.time() == dt.time(0):
            return stamp.date().isoformat()
        return stamp.isoformat(sep=" ", timespec="milliseconds" if stamp.microsecond else "seconds")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _to_millisecond(value: dt.datetime) -> dt.datetime:
    """Excel keeps times as fractions of a day: 14:30 may read back as 14:29:59.9996."""
    micro = value.microsecond
    rounded = round(micro / 1000) * 1000
    return value.replace(microsecond=0) + dt.timedelta(microseconds=rounded)


class Workbook:
    """One ``.xlsx`` file opened for reading its sheets (read-only, values only)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            self._book = openpyxl.load_workbook(path, read_only=True, data_only=True)
        except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError) as exc:
            what = " ".join(str(exc).split())[:200] or type(exc).__name__
            raise SheetError(f"unreadable Excel workbook ({what})") from None
        self.sheetnames: list[str] = list(self._book.sheetnames)

    def close(self) -> None:
        self._book.close()

    def read(self, title: str) -> SheetData:
        """Read sheet ``title`` as text columns; raises :class:`SheetError` for merged cells or a bad header."""
        ws = self._book[title]
        merged = self._merged_ranges(ws)
        ws.reset_dimensions()  # some writers store a wrong size: read every row and cell there is
        try:
            lines = list(_nonempty_rows(ws.iter_rows(values_only=True)))
        except (ValueError, TypeError, KeyError, zipfile.BadZipFile) as exc:
            raise SheetError(f"unreadable sheet ({' '.join(str(exc).split())[:200]})") from None
        if not lines:
            raise SheetError("empty sheet (no header, no data rows)")
        header_row, header_cells = lines[0]
        if merged:
            in_header = [r for r in merged if _rows_of(r)[0] <= header_row <= _rows_of(r)[1]]
            if in_header:
                raise SheetError(
                    f"merged cells {', '.join(in_header[:3])} in the header row {header_row}: unmerge them and give "
                    "every column its own name (one header row, one column per contract column)"
                )
            raise SheetError(
                f"merged cells {', '.join(merged[:3])}: a merged range holds its value only in its first cell; "
                "unmerge them and fill every cell"
            )
        width = max(len(cells) for _, cells in lines)
        header = header_cells + [None] * (width - len(header_cells))
        body = lines[1:]
        columns = [np.full(len(body), None, dtype=object) for _ in range(width)]
        for i, (_, cells) in enumerate(body):
            for j, v in enumerate(cells):
                if v is not None:
                    columns[j][i] = v
        keep = [j for j in range(width) if header[j] is not None or any(c is not None for c in columns[j])]
        unnamed = [get_column_letter(j + 1) for j in keep if header[j] is None]
        if unnamed:
            raise SheetError(
                f"column {', '.join(unnamed[:3])} holds values but has no name in the header row {header_row}"
            )
        return SheetData(
            header=[str(header[j]).strip() for j in keep],
            letters=[get_column_letter(j + 1) for j in keep],
            rows=np.array([n for n, _ in body], dtype=np.int64),
            columns=[columns[j] for j in keep],
        )

    def _merged_ranges(self, ws: Any) -> list[str]:
        """The merged ranges of a sheet, from its XML (read-only sheets do not parse them)."""
        part = getattr(ws, "_worksheet_path", None)
        if part is None:
            return []
        try:
            with zipfile.ZipFile(self.path) as z, z.open(part.lstrip("/")) as f:
                found, tail = [], b""
                while block := f.read(1 << 20):
                    chunk = tail + block  # a tag cut between two blocks is whole in the next chunk
                    found += [m.group(1).decode() for m in _MERGE_RE.finditer(chunk)]
                    tail = chunk[-512:]
                return list(dict.fromkeys(found))
        except (KeyError, OSError, zipfile.BadZipFile):
            return []


def _nonempty_rows(rows: Any) -> Iterator[tuple[int, list[str | None]]]:
    """(Excel row number, cells as text) of every row with a value; blank cells at the end of a row dropped."""
    for n, cells in enumerate(rows, 1):
        texts = [cell_text(v) for v in cells]
        while texts and texts[-1] is None:
            texts.pop()
        if texts:
            yield n, texts


def _rows_of(ref: str) -> tuple[int, int]:
    """First and last row of a range like ``A1:C2``."""
    numbers = [int(m) for m in re.findall(r"\d+", ref)] or [0]
    return min(numbers), max(numbers)
