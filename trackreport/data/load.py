"""Read a data folder and refuse data that breaks the contract, saying clearly why.

Every table of :data:`trackreport.data.schema.TABLES` is one file, ``<table>.csv`` or
``<table>.parquet``, or one sheet of an Excel workbook (:mod:`trackreport.data.excel`), in
the data folder; a ``mapping.yaml`` there may give the company's own names of files,
columns and category values (:mod:`trackreport.data.mapping`). :func:`load_data` reads each file, converts
its columns to the contract's types, validates them with the table's pandera schema,
checks every foreign key across tables, and returns a read-only :class:`Dataset`. When
anything is wrong it raises one :class:`~trackreport.errors.DataValidationError` that
lists *every* problem of the folder (every file, every rule), each as a
:class:`Problem` naming the file, column, rule, number of failing rows and a few of
them. :func:`validate_folder` does the same checks and returns the problems instead.

CSV files are read as text and converted here, strictly: booleans must be
``true``/``false``, ``1``/``0`` or ``yes``/``no`` (any case), dates ``YYYY-MM-DD``,
timestamps ``YYYY-MM-DD HH:MM[:SS]``, numbers plain decimals; an empty cell is a
missing value. Anything else is reported, never silently turned into a missing value.
Encodings tried, in order: UTF-8 (with or without the BOM Excel writes), GB18030 (a
superset of GBK, what Chinese Excel writes).

Failing rows are shown by their place in the file: for CSV, ``line N`` is the line
number a text editor or Excel shows (the header is line 1, the first data row line 2);
for Parquet, ``row N`` counts data rows from 1; for a workbook, the cell (``orders!C12``).

A table whose file or sheet has a header and no data rows (a template left unfilled)
counts as absent when the whole folder is read, and is said in a notice
(:attr:`Dataset.notices`); a table asked for by name must have rows.

The loader only reads: it never writes into the data folder.
"""

from __future__ import annotations

import csv
import difflib
import functools
import hashlib
import io
import logging
import os
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

import numpy as np
import pandas as pd
import pandera.pandas as pa
import pyarrow
import pyarrow.compute
import pyarrow.csv
import pyarrow.parquet as pq

from trackreport.data.excel import ABOUT_SHEET, SheetData, SheetError, Workbook, workbook_paths
from trackreport.data.mapping import MAPPING_FILE, DataMapping, TableMapping, read_mapping
from trackreport.data.schema import KINDS, TABLES, Column, Table
from trackreport.errors import DataValidationError, TrackreportError
from trackreport.paths import SAMPLE_DIR

__all__ = [
    "Dataset",
    "RemoteTables",
    "Problem",
    "UndeclaredTableError",
    "load_data",
    "validate_folder",
    "load_arrow_tables",
    "typed_arrow_table",
    "column_name_problems",
    "duplicate_key_rule",
    "foreign_key_rule",
    "out_of_range_date_rule",
    "ENCODINGS",
    "BOOL_WORDS",
]

ENCODINGS: tuple[str, ...] = ("utf-8-sig", "gb18030")
"""Encodings tried for CSV files, in order (utf-8-sig also reads UTF-8 without BOM)."""

BOOL_WORDS: dict[str, bool] = {
    "true": True,
    "false": False,
    "1": True,
    "0": False,
    "yes": True,
    "no": False,
}
"""Accepted spellings of booleans in CSV files (compared case-insensitively)."""

MAX_EXAMPLES = 3

log = logging.getLogger(__name__)

MAX_LINE_BYTES = 1 << 20
"""A CSV line longer than this (1 MiB) is refused before the file is read whole."""

MAX_COLUMNS = 1000
"""A file with more columns than this is refused (the contract's tables have a few dozen)."""

_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"PAR1", "a Parquet file; name it .parquet"),
    (b"PK\x03\x04", "a ZIP archive, e.g. an Excel workbook (.xlsx); save the sheet as 'CSV UTF-8'"),
    (b"\xd0\xcf\x11\xe0", "an old Excel workbook (.xls); save the sheet as 'CSV UTF-8'"),
    (b"%PDF", "a PDF document"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"\x1f\x8b", "a gzip archive; unpack it first"),
)

_INT_RE = re.compile(r"[+-]?\d+(?:\.0*)?")
_FLOAT_RE = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")
_DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}")
_TIMESTAMP_RE = re.compile(r"\d{4}-\d{2}-\d{2}(?:[ T]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?)?")

_TYPE_RULES: dict[str, str] = {
    "int": "not a whole number",
    "float": "not a number",
    "bool": "not a boolean (use true/false, 1/0 or yes/no)",
    "date": "unparsable date (expected YYYY-MM-DD)",
    "timestamp": "unparsable timestamp (expected YYYY-MM-DD HH:MM[:SS])",
}


# --------------------------------------------------------------------------- results


class UndeclaredTableError(TrackreportError):
    """Code limited to some tables (a chapter, see :meth:`Dataset.only`) read another one."""


@dataclass(frozen=True)
class Problem:
    """One broken rule of the data contract, in words a data owner can act on.

    Parameters
    ----------
    file : str
        File name within the data folder, e.g. ``"employees.csv"``.
    column : str or None
        Column concerned (``"a, b"`` for a composite key); None for whole-file problems.
    rule : str
        The rule broken, in plain words, e.g. ``"unparsable date (expected YYYY-MM-DD)"``.
    n_rows : int
        Number of data rows that break it; 0 when the problem is not about rows.
    examples : tuple of (int or str, object)
        A few failing rows as ``(place, value as in the file)``; ``value`` None is empty.
    place : str
        What the places in ``examples`` are: ``"line"`` (CSV: line of the file, the
        header is line 1), ``"row"`` (Parquet: data row, the first is 1), ``"cell"``
        (a workbook: the cell as Excel names it, ``orders!C12``) or ``"key"`` (a
        database table checked in place, which has no row numbers: the row's key,
        ``order_id=O123``).

    Examples
    --------
    >>> p = Problem("employees.csv", "hire_date", "unparsable date (expected YYYY-MM-DD)",
    ...             2, ((5, "2024-13-45"), (9, "yesterday")))
    >>> print(p)
    employees.csv, column hire_date: unparsable date (expected YYYY-MM-DD) — 2 rows fail, e.g. line 5: '2024-13-45', line 9: 'yesterday'
    >>> print(Problem("orders.csv", None, "missing file (expected orders.csv or orders.parquet)"))
    orders.csv: missing file (expected orders.csv or orders.parquet)
    >>> print(Problem("orders", "amount", "out of range (must be >= 0)", 1, (("order_id=O7", -3.0),), "key"))
    orders, column amount: out of range (must be >= 0) — 1 row fails, e.g. order_id=O7: -3.0
    """

    file: str
    column: str | None
    rule: str
    n_rows: int = 0
    examples: tuple[tuple[int | str, Any], ...] = ()
    place: str = "line"

    def detail(self) -> str:
        """The message without the file name (for output already grouped by file)."""
        text = self.rule
        if self.column is not None:
            label = "columns" if ", " in self.column else "column"
            text = f"{label} {self.column}: {self.rule}"
        if self.n_rows:
            text += " — 1 row fails" if self.n_rows == 1 else f" — {self.n_rows} rows fail"
            if self.examples:
                where = "" if self.place in ("cell", "key") else f"{self.place} "
                shown = ", ".join(f"{where}{n}: {_show(v)}" for n, v in self.examples)
                text += f", e.g. {shown}"
        return text

    def __str__(self) -> str:
        sep = ", " if self.column is not None else ": "
        return f"{self.file}{sep}{self.detail()}"


def _show(value: Any) -> str:
    """A value as the data owner would recognise it: quoted text, ``empty`` for missing."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return "empty"
    if not isinstance(value, (str, tuple)) and pd.isna(value):
        return "empty"
    if isinstance(value, tuple):
        return "(" + ", ".join(_show(v) for v in value) + ")"
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, pd.Timestamp):
        return repr(value.isoformat(sep=" "))
    return repr(value)


@dataclass(frozen=True, eq=False)
class Dataset(Mapping[str, pd.DataFrame]):
    """The validated tables of one data folder: a read-only mapping name → DataFrame.

    Each access returns a copy-on-write copy, so callers can change what they get
    without changing the dataset. ``fingerprint`` is a sha256 over the names and bytes
    of the files read: equal fingerprints mean equal inputs (the report runner's cache
    key).

    Examples
    --------
    >>> ds = Dataset({"t": pd.DataFrame({"a": [1]})}, folder=Path("x"), fingerprint="0")
    >>> list(ds), len(ds["t"])
    (['t'], 1)
    >>> mine = ds["t"]
    >>> mine["a"] = 2
    >>> int(ds["t"].loc[0, "a"])
    1
    """

    tables: Mapping[str, pd.DataFrame]
    folder: Path
    fingerprint: str
    declared: frozenset[str] | None = None
    reader: str = ""
    notices: tuple[str, ...] = ()
    """What the loader left out without refusing the data (unfilled templates, unmapped columns)."""

    def __post_init__(self) -> None:
        if not isinstance(self.tables, RemoteTables):  # a remote table is read when asked for, not here
            object.__setattr__(self, "tables", MappingProxyType(dict(self.tables)))

    def __getitem__(self, name: str) -> pd.DataFrame:
        if self.declared is not None and name not in self.declared:
            raise UndeclaredTableError(
                f"{self.reader or 'this code'} reads table {name!r}, which it does not declare: add it to the "
                f"table's chapters in trackreport/data/schema.py"
            )
        return self.tables[name].copy(deep=False)

    def __contains__(self, name: object) -> bool:
        if self.declared is not None and name not in self.declared:
            self[name]  # type: ignore[index]  # raises: asking is reading
        return name in self.tables

    def __iter__(self) -> Iterator[str]:
        return iter(n for n in self.tables if self.declared is None or n in self.declared)

    def __len__(self) -> int:
        return sum(1 for _ in self)

    @property
    def present(self) -> tuple[str, ...]:
        """Every table the data hold (whatever this view may read)."""
        return tuple(self.tables)

    def only(self, names: Iterable[str], *, reader: str = "") -> Dataset:
        """A view that may read only the tables ``names``; reading another raises :class:`UndeclaredTableError`.

        >>> ds = Dataset({"a": pd.DataFrame(), "b": pd.DataFrame()}, folder=Path("x"), fingerprint="0")
        >>> view = ds.only(["a", "c"], reader="chapter 99")
        >>> list(view), "c" in view, view.present
        (['a'], False, ('a', 'b'))
        >>> view["b"]
        Traceback (most recent call last):
        ...
        trackreport.data.load.UndeclaredTableError: chapter 99 reads table 'b', which it does not declare: ...
        """
        return Dataset(self.tables, self.folder, self.fingerprint, frozenset(names), reader, self.notices)

    @property
    def n_rows(self) -> int:
        """Total number of data rows over all tables (remote tables counted where they are)."""
        if isinstance(self.tables, RemoteTables):
            return self.tables.n_rows
        return sum(len(df) for df in self.tables.values())

    @property
    def remote(self) -> tuple[str, ...]:
        """The tables left in their database (:class:`RemoteTables`, or a cache's): read whole only when asked for."""
        return tuple(getattr(self.tables, "remote", ()))

    def __repr__(self) -> str:
        return (
            f"Dataset({len(self)} tables, {self.n_rows} rows, folder={str(self.folder)!r}, "
            f"fingerprint={self.fingerprint[:12]!r})"
        )


class RemoteTables(Mapping[str, pd.DataFrame]):
    """Tables in memory plus tables left in a database, each read whole on first access, then kept.

    A database source validates its heavy tables in place (:mod:`trackreport.data.sqlcheck`)
    and does not pull them: ``read(name)`` pulls one when code asks for it. Names,
    membership and row counts are answered without reading.

    Examples
    --------
    >>> calls = []
    >>> t = RemoteTables({"a": pd.DataFrame({"x": [1]})}, {"b": 2}, lambda n: calls.append(n) or pd.DataFrame({"y": [1, 2]}),
    ...                  url="db")
    >>> list(t), "b" in t, t.n_rows, t.remote, calls
    (['a', 'b'], True, 3, ('b',), [])
    >>> len(t["b"]), len(t["b"]), calls
    (2, 2, ['b'])
    """

    def __init__(
        self,
        frames: Mapping[str, pd.DataFrame],
        remote_rows: Mapping[str, int],
        read: Callable[[str], pd.DataFrame],
        *,
        url: str,
    ) -> None:
        self._frames = dict(frames)
        self._rows = dict(remote_rows)
        self._read = read
        self.url = url
        self._order = [n for n in TABLES if n in self._frames or n in self._rows]
        self._order += [n for n in [*self._frames, *self._rows] if n not in self._order]

    def __getitem__(self, name: str) -> pd.DataFrame:
        if name not in self._frames:
            if name not in self._rows:
                raise KeyError(name)
            self._frames[name] = self._read(name)
        return self._frames[name]

    def __contains__(self, name: object) -> bool:
        return name in self._frames or name in self._rows

    def __iter__(self) -> Iterator[str]:
        return iter(self._order)

    def __len__(self) -> int:
        return len(self._order)

    @property
    def remote(self) -> tuple[str, ...]:
        """The tables that live in the database (whether read already or not)."""
        return tuple(n for n in self._order if n in self._rows)

    @property
    def remote_rows(self) -> dict[str, int]:
        return dict(self._rows)

    def local(self) -> dict[str, pd.DataFrame]:
        """The tables that were read whole when the dataset was validated (not the remote ones)."""
        return {n: self._frames[n] for n in self._order if n not in self._rows}

    @property
    def n_rows(self) -> int:
        return sum(len(df) for df in self.local().values()) + sum(self._rows.values())


# --------------------------------------------------------------------------- public API


def load_data(folder: str | Path = SAMPLE_DIR, *, tables: Iterable[str] | None = None) -> Dataset:
    """Read, type and validate every table of a data folder.

    Parameters
    ----------
    folder : str or Path
        Folder holding one ``<table>.csv`` or ``<table>.parquet`` or workbook sheet per
        table of :data:`trackreport.data.schema.TABLES`, and optionally ``mapping.yaml``.
        Defaults to the sample company.
    tables : iterable of str, optional
        Load only these tables (foreign keys to tables not loaded are not checked).

    Returns
    -------
    Dataset
        Read-only mapping table name → DataFrame, dtypes as in the contract.

    Raises
    ------
    DataValidationError
        With every problem of the folder, when any table breaks the contract.
    TrackreportError
        When ``tables`` names a table the contract does not know.

    Examples
    --------
    >>> import tempfile
    >>> tmp = Path(tempfile.mkdtemp())
    >>> _ = (tmp / "market_index.csv").write_text("region,month,index\\neast,2025-07-01,101.5\\n")
    >>> ds = load_data(tmp, tables=["market_index"])
    >>> ds["market_index"].dtypes.astype(str).tolist()
    ['string', 'datetime64[ns]', 'float64']
    >>> _ = (tmp / "market_index.csv").write_text("region,month,index\\neast,July,-1\\n")
    >>> load_data(tmp, tables=["market_index"])
    Traceback (most recent call last):
    ...
    trackreport.errors.DataValidationError: 2 problem(s) in data folder ...
    - market_index.csv, column month: unparsable date (expected YYYY-MM-DD) — 1 row fails, e.g. line 2: 'July'
    - market_index.csv, column index: out of range (must be >= 0) — 1 row fails, e.g. line 2: '-1'
    """
    frames, problems, fingerprint, folder, notices = _read_folder(folder, tables)
    for notice in notices:
        log.warning("notice: %s", notice)
    if problems:
        raise DataValidationError(problems, str(folder))
    return Dataset(frames, folder=folder, fingerprint=fingerprint, notices=tuple(notices))


def validate_folder(folder: str | Path, *, tables: Iterable[str] | None = None) -> list[Problem]:
    """Check a data folder against the contract and return its problems (empty if none).

    Same checks as :func:`load_data`, without raising.

    Examples
    --------
    >>> import tempfile
    >>> tmp = Path(tempfile.mkdtemp())
    >>> _ = (tmp / "market_index.csv").write_text("region,month\\neast,2025-07-01\\n")
    >>> for p in validate_folder(tmp, tables=["market_index", "meetings"]):
    ...     print(p)
    market_index.csv, column index: missing column
    meetings.csv: missing file (expected meetings.csv or meetings.parquet)
    """
    return _read_folder(folder, tables)[1]


def present_tables(folder: str | Path) -> list[str]:
    """The tables a data folder has a file or a workbook sheet for (whether valid or not), in contract order."""
    folder = Path(folder)
    mapping = read_mapping(folder)[0] or DataMapping()
    found = {n for n in TABLES if _table_paths(folder, mapping.stem(n))}
    notices: list[str] = []
    sheets, opened, _ = _find_sheets(folder, workbook_paths(folder), mapping, list(TABLES), notices)
    for book in opened:
        book.close()
    return [n for n in TABLES if n in found or n in sheets]


# --------------------------------------------------------------------------- folder


@dataclass
class _Read:
    """One table as read from its file, before validation."""

    table: Table
    file: str
    place: str
    raw: pd.DataFrame  # values as in the file (text for CSV), RangeIndex
    numbers: np.ndarray  # line (CSV) or row (Parquet) number of each data row
    problems: list[Problem] = field(default_factory=list)
    typed: pd.DataFrame | None = None
    bad_cells: dict[str, np.ndarray] = field(default_factory=dict)
    arrow_types: dict[str, Any] = field(default_factory=dict)  # Parquet only
    sheet: str = ""  # workbook only: the sheet's name
    letters: dict[str, str] = field(default_factory=dict)  # workbook only: column name → Excel column letter
    text: Callable[[], pd.DataFrame] | None = None  # typed CSV read: the cells as text, parsed when examples need them

    def problem(self, column: str | None, rule: str, index: Iterable[int] = ()) -> None:
        """Record a broken rule for the rows at positions ``index``, with a few examples."""
        if self.text is not None:  # examples show the cells as written in the file
            self.raw, self.text = self.text(), None
        idx = list(dict.fromkeys(int(i) for i in index))
        examples = []
        for i in idx[:MAX_EXAMPLES]:
            examples.append((self.where(column, int(self.numbers[i])), _row_values(self.raw, column, i)))
        self.problems.append(Problem(self.file, column, rule, len(idx), tuple(examples), self.place))

    def where(self, column: str | None, number: int) -> int | str:
        """A row's place as a problem shows it: its number, or in a workbook its cell (``orders!C12``)."""
        if self.place != "cell":
            return number
        sheet = self.sheet if re.fullmatch(r"\w+", self.sheet) else "'" + self.sheet.replace("'", "''") + "'"
        letter = self.letters.get((column or "").split(", ")[0], "A")
        return f"{sheet}!{letter}{number}"


def _row_values(raw: pd.DataFrame, column: str | None, i: int) -> Any:
    if column is None:
        return None
    names = column.split(", ")
    if len(names) == 1:
        return raw[names[0]].iloc[i] if names[0] in raw else None
    return tuple(raw[n].iloc[i] if n in raw else None for n in names)


def _read_folder(folder: str | Path, tables: Iterable[str] | None):
    folder = Path(folder)
    names = list(TABLES) if tables is None else list(tables)
    unknown = [n for n in names if n not in TABLES]
    if unknown:
        raise TrackreportError(f"unknown table(s) {', '.join(unknown)}; the contract has: {', '.join(TABLES)}")
    if not folder.is_dir():
        rule = "not a folder (it is a file); give the folder holding the tables" if folder.exists() else None
        return {}, [Problem(str(folder), None, rule or "data folder not found")], "", folder, []
    mapping, mistakes, _ = read_mapping(folder)
    if mistakes:
        return {}, [Problem(MAPPING_FILE, None, f"key {k}: {m}" if k else m) for k, m in mistakes], "", folder, []
    mapping = mapping or DataMapping()
    books = workbook_paths(folder)
    if tables is None and not books and not any(_table_paths(folder, mapping.stem(n)) for n in names):
        rule = (
            "no table files in the data folder (expected one <table>.csv or <table>.parquet per table, "
            f"or a workbook with a sheet per table, e.g. {names[0]}.csv); is this the right folder?"
        )
        return {}, [Problem(str(folder), None, rule)], "", folder, []

    digest = hashlib.sha256()
    reads: dict[str, _Read] = {}
    problems: dict[str, list[Problem]] = {}
    notices: list[str] = []
    unfilled: list[str] = []
    sheets, opened, book_problems = _find_sheets(folder, books, mapping, names, notices)
    try:
        for name in names:
            table = TABLES[name]
            read, file_problems, data = _read_table(
                folder,
                table,
                asked=tables is not None and name not in sheets,
                stem=mapping.stem(name),
                typed=mapping.of(name) is None,
            )
            if data is not None:
                digest.update(f"{name}\0{len(data)}\0".encode())
                digest.update(data)
            problems[name] = file_problems
            found = [read] if read is not None else []
            for book, title in sheets.get(name, []):
                label = f"{book.path.name}, sheet {title}"
                try:
                    found.append(_read_sheet(book.read(title), table, label, title))
                except SheetError as exc:
                    file_problems.append(Problem(label, None, str(exc)))
            read = _choose(found, name, file_problems, asked=tables is not None, unfilled=unfilled)
            if read is not None:
                _apply_mapping(read, mapping.of(name), notices)
                _check_columns(read)
                if read.typed is None:  # else read typed from a plain CSV (_read_typed_csv)
                    _convert(read)
                _validate(read)
                reads[name] = read
    finally:
        for book in opened:
            book.close()
    if unfilled:
        notices.append(f"tables left empty (header only), so taken as not provided: {', '.join(unfilled)}")
    _digest_extras(folder, books, digest)
    frames, flat = _finish(reads, problems)
    return frames, book_problems + flat, digest.hexdigest(), folder, notices


def _find_sheets(
    folder: Path, books: list[Path], mapping: DataMapping, names: list[str], notices: list[str]
) -> tuple[dict[str, list[tuple[Workbook, str]]], list[Workbook], list[Problem]]:
    """Which sheet of which workbook holds each table: a workbook named like a table is that table,
    any other workbook holds a table in each sheet named like one (sheet names after ``mapping.yaml``)."""
    by_stem = {mapping.stem(n): n for n in TABLES}
    found: dict[str, list[tuple[Workbook, str]]] = {}
    opened: list[Workbook] = []
    problems: list[Problem] = []
    for path in books:
        why = _not_readable(folder, path)
        if why:
            problems.append(Problem(path.name, None, why))
            continue
        try:
            book = Workbook(path)
        except SheetError as exc:
            problems.append(Problem(path.name, None, str(exc)))
            continue
        opened.append(book)
        table = by_stem.get(path.stem)
        if table is not None:  # a workbook per table
            titles = [t for t in book.sheetnames if t == path.stem] or [t for t in book.sheetnames if t != ABOUT_SHEET]
            if len(titles) == 1:
                found.setdefault(table, []).append((book, titles[0]))
            else:
                rule = (
                    f"workbook of table {table} with {len(titles)} sheets ({', '.join(titles)}): name the sheet "
                    f"holding the table {path.stem!r}, or keep only that sheet"
                )
                problems.append(Problem(path.name, None, rule))
            continue
        ignored = []
        for title in book.sheetnames:
            if title in by_stem:
                found.setdefault(by_stem[title], []).append((book, title))
            elif title != ABOUT_SHEET:
                ignored.append(title)
        if ignored:
            notices.append(
                f"{path.name}: sheets not named like a table of the contract (nor in {MAPPING_FILE}), "
                f"not read: {', '.join(ignored)}"
            )
    return {n: found[n] for n in names if n in found}, opened, problems


def _read_sheet(sheet: SheetData, table: Table, label: str, title: str) -> _Read:
    """A sheet's text columns as a :class:`_Read` to validate, its rows known by their Excel cell."""
    raw = pd.DataFrame(
        {i: pd.Series(col, dtype=object) for i, col in enumerate(sheet.columns)}, index=pd.RangeIndex(len(sheet.rows))
    )
    raw.columns = sheet.header
    letters = dict(zip(reversed(sheet.header), reversed(sheet.letters)))  # the first of duplicated names
    return _Read(table, label, "cell", raw, sheet.rows, sheet=title, letters=letters)


def _choose(
    found: list[_Read], name: str, problems: list[Problem], *, asked: bool, unfilled: list[str]
) -> _Read | None:
    """The one source of a table among its file and sheets; sources with no data rows are templates left empty."""
    filled = [r for r in found if len(r.raw) or r.problems]  # rows all refused (ragged) are not a template
    if len(filled) > 1:
        where = " and ".join(r.file for r in filled)
        problems.append(Problem(filled[0].file, None, f"table {name} is in both {where}: keep only one"))
        return None
    if filled:
        return filled[0]
    if not found:
        return None
    if asked:
        read = found[0]
        read.problems.append(Problem(read.file, None, "empty table (header only, no data rows)"))
        return read
    unfilled.append(name)
    return None


def _apply_mapping(read: _Read, mapping: TableMapping | None, notices: list[str]) -> None:
    """Company names → the contract's: columns renamed, category values translated, unknown columns left out."""
    if mapping is None:
        return
    names = mapping.rename(list(read.raw.columns))
    read.letters = {mapping.columns.get(n, n): letter for n, letter in read.letters.items()}
    read.arrow_types = {mapping.columns.get(n, n): t for n, t in read.arrow_types.items()}
    read.raw.columns = names
    contract = set(read.table.column_names)
    extra = [n for n in dict.fromkeys(names) if n not in contract]
    if extra:
        notices.append(
            f"{read.file}: columns not in the contract (nor mapped in {MAPPING_FILE}), left out: {', '.join(extra)}"
        )
        read.raw = read.raw.loc[:, [n in contract for n in names]]
    for column in mapping.values:
        if column in read.raw and not read.raw.columns.duplicated().any():
            read.raw[column] = mapping.translate(column, read.raw[column])
            if column in read.arrow_types:
                read.arrow_types[column] = pyarrow.string()


def _digest_extras(folder: Path, books: list[Path], digest: Any) -> None:
    """Add the workbooks and ``mapping.yaml`` to a folder's fingerprint (after its CSV and Parquet files)."""
    for path in [*books, folder / MAPPING_FILE]:
        if path.is_file():
            with path.open("rb") as f:
                digest.update(f"{path.name}\0{os.fstat(f.fileno()).st_size}\0".encode())
                while block := f.read(1 << 20):
                    digest.update(block)


def _finish(reads: dict[str, _Read], problems: dict[str, list[Problem]]) -> tuple[dict, list[Problem]]:
    """Foreign keys between the tables read, every problem in table order, and the frames in key order."""
    for read in reads.values():
        _check_foreign_keys(read, reads)
    for name, read in reads.items():
        problems[name].extend(read.problems)
    flat = [p for ps in problems.values() for p in ps]
    return {name: _in_key_order(read) for name, read in reads.items()}, flat


def _table_paths(folder: Path, stem: str) -> list[Path]:
    """The table's files present in the folder (whatever they are: file, link, folder)."""
    paths = (folder / f"{stem}.csv", folder / f"{stem}.parquet")
    return [p for p in paths if p.exists() or p.is_symlink()]


def _not_readable(folder: Path, path: Path) -> str | None:
    """Why a table's path is not a plain file of the data folder, or None when it is."""
    if path.is_symlink():
        try:
            target = path.resolve(strict=True)
        except (OSError, RuntimeError):
            return "broken symbolic link (it points to nothing)"
        if not target.is_relative_to(folder.resolve()):
            return f"symbolic link to {target}, outside the data folder; copy the file into the folder"
    if not path.is_file():
        return "not a regular file (a folder, device or pipe); the table must be a file"
    return None


def _read_table(
    folder: Path, table: Table, *, asked: bool = True, stem: str | None = None, typed: bool = False
) -> tuple[_Read | None, list[Problem], bytes | None]:
    """Find and read one table's file, ``<stem>.csv`` or ``<stem>.parquet`` (the stem is the table's
    name unless ``mapping.yaml`` names its file); whole-file problems are returned, not raised.

    A table not ``asked`` for by name may be absent: the chapters that need it are then
    not available (:func:`trackreport.data.schema.missing_tables`), which is not a data problem.
    With ``typed`` a plain CSV file is read with its column types (:func:`_read_typed_csv`).
    """
    stem = stem or table.name
    csv_path = folder / f"{stem}.csv"
    pq_path = folder / f"{stem}.parquet"
    present = _table_paths(folder, stem)
    if len(present) == 2:
        rule = f"both {csv_path.name} and {pq_path.name} exist; keep only one"
        return None, [Problem(csv_path.name, None, rule)], None
    if not present:
        near = _near_names(folder, stem)
        if not (asked and table.required) and not near:  # optional evidence may be absent even when asked
            return None, [], None
        rule = f"missing file (expected {csv_path.name} or {pq_path.name})"
        if near:
            rule += f"; found {', '.join(near)}: file names are lower case"
        return None, [Problem(csv_path.name, None, rule)], None
    path = present[0]
    why = _not_readable(folder, path)
    if why:
        return None, [Problem(path.name, None, why)], None
    try:
        if path.suffix == ".csv":
            _scan_csv(path)
        data = path.read_bytes()
    except _FileProblem as exc:
        return None, [Problem(path.name, None, str(exc))], None
    except OSError as exc:
        return None, [Problem(path.name, None, f"cannot be read ({exc.strerror or exc})")], None
    if not data.strip():
        return None, [Problem(path.name, None, "empty file (no header, no data rows)")], data
    try:
        if path.suffix == ".csv":
            read = _read_csv(data, table, path.name, typed=typed)
        else:
            read = _read_parquet(data, table, path.name)
    except _FileProblem as exc:
        return None, [Problem(path.name, None, str(exc))], data
    return read, [], data


def _near_names(folder: Path, stem: str) -> list[str]:
    """Files whose name differs from the table's only by case (``Employees.CSV``)."""
    wanted = {f"{stem}.csv", f"{stem}.parquet"}
    try:
        return sorted(p.name for p in folder.iterdir() if p.name.lower() in wanted and p.name not in wanted)
    except OSError:
        return []


def _scan_csv(path: Path, chunk: int = 1 << 20) -> None:
    """Refuse a file that is binary or has an absurdly long line, streaming it in 1 MiB blocks.

    Memory stays bounded whatever the file: a 200 MB single line is refused after its
    first MiB, before the file is read whole.
    """
    with path.open("rb") as f:
        head = f.read(chunk)
        for magic, what in _MAGIC:
            if head.startswith(magic):
                raise _FileProblem(f"not a CSV text file: it is {what}")
        if b"\0" in head and not head.startswith((b"\xff\xfe", b"\xfe\xff")):  # UTF-16 is reported later
            raise _FileProblem("not a CSV text file: it holds binary data (NUL bytes)")
        line, length, block = 1, 0, head
        while block:
            first, *rest = block.split(b"\n")
            length += len(first)
            for part in rest:
                if length > MAX_LINE_BYTES:
                    break
                line, length = line + 1, len(part)
            if length > MAX_LINE_BYTES:
                break
            block = f.read(chunk)
        else:
            return
    raise _FileProblem(
        f"line {line} is longer than {MAX_LINE_BYTES >> 20} MiB: not a CSV table "
        "of the contract (a file without line breaks, or binary data?)"
    )


class _FileProblem(Exception):
    """A file that cannot be read at all; its message becomes a Problem's rule."""


def _decode(data: bytes) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise _FileProblem("undecodable file: it is UTF-16 (Excel 'Unicode Text'); save it as 'CSV UTF-8'")
    for encoding in ENCODINGS:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError as exc:
            last = exc
    raise _FileProblem(
        f"undecodable file: tried encodings {', '.join(ENCODINGS)} (byte "
        f"0x{data[last.start]:02x} at position {last.start} fits none); save it as 'CSV UTF-8'"
    )


def _records(text: str) -> tuple[list[list[str]], Sequence[int]]:
    """Every CSV record with the file line it starts on (quoted fields may span lines)."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        records = list(reader)
        if len(records) == text.count("\n") + (not text.endswith("\n")):
            return records, range(1, len(records) + 1)  # one record per line
        reader = csv.reader(io.StringIO(text, newline=""), strict=True)
        records, starts, start = [], [], 1
        for row in reader:
            records.append(row)
            starts.append(start)
            start = reader.line_num + 1
        return records, starts
    except csv.Error as exc:
        raise _FileProblem(f"malformed CSV near line {reader.line_num}: {exc}") from None


def _read_csv(data: bytes, table: Table, file: str, *, typed: bool = False) -> _Read:
    """Parse CSV bytes into text columns, keeping each row's line number in the file.

    Blank lines and lines of bare commas are skipped; rows with another number of
    fields than the header are reported and skipped. With ``typed``, a plain file whose
    every cell is plainly valid is read straight into the contract's types
    (:func:`_read_typed_csv`); any other file is read as text, as here.
    """
    text = _decode(data)
    first = next((line for line in text.split("\n", MAX_COLUMNS)[:MAX_COLUMNS] if line.strip(", \r")), "")
    if first.count(",") >= MAX_COLUMNS:
        raise _FileProblem(
            f"the header has {first.count(',') + 1:,} columns; the table has {len(table.columns)} "
            f"(files of more than {MAX_COLUMNS:,} columns are not read)"
        )
    if typed and (fast := _read_typed_csv(text, table, file, data)) is not None:
        return fast
    fast = _read_simple_csv(text, table, file)
    if fast is not None:
        return fast
    records, starts = _records(text)
    lines = [(n, r) for n, r in zip(starts, records) if any(r)]
    if not lines:
        raise _FileProblem("empty file (no header, no data rows)")
    header = [h.strip() for h in lines[0][1]]
    width = len(header)
    rows = [r for _, r in lines[1:] if len(r) == width]
    numbers = np.array([n for n, r in lines[1:] if len(r) == width], dtype=np.int64)
    ragged = [(n, len(r)) for n, r in lines[1:] if len(r) != width]
    columns = list(zip(*rows)) if rows else [() for _ in header]
    raw = pd.DataFrame(
        {i: pd.Series(np.array(col, dtype=object), dtype=object) for i, col in enumerate(columns)},
        index=pd.RangeIndex(len(rows)),
    )
    raw.columns = header
    read = _Read(table, file, "line", raw, numbers)
    if ragged:
        rule = f"wrong number of fields (the header has {width}; these rows are skipped)"
        read.problems.append(Problem(file, None, rule, len(ragged), tuple(ragged[:MAX_EXAMPLES])))
    return read


#: The Arrow type a CSV column of each kind is read as by :func:`_read_typed_csv`; text
#: (timestamps) is converted afterwards as the careful path does.
_ARROW_KINDS: dict[str, Any] = {
    "id": pyarrow.string(),
    "text": pyarrow.string(),
    "category": pyarrow.string(),
    "int": pyarrow.int64(),
    "float": pyarrow.float64(),
    "bool": pyarrow.bool_(),
    "date": pyarrow.date32(),
    "timestamp": pyarrow.string(),
}


def _read_typed_csv(text: str, table: Table, file: str, data: bytes) -> _Read | None:
    """Fast path for a plain CSV: pyarrow's CSV reader parses each column into its type.

    Taken only when the result is the careful path's (:func:`_read_simple_csv` then
    :func:`_convert`) cell for cell, else None (the careful path then reads the file and
    explains its problems): no quotes, one record per line from line 2 on (no blank or
    bare-comma line), the header names contract columns only, each once, with every
    required one, and every cell converts under Arrow's strict rules: whole numbers
    below 2**53, finite numbers, dates YYYY-MM-DD, booleans true/false/yes/no/1/0 in
    lower, title or upper case, text as is (a blank cell is missing). Timestamps are read
    as text and converted as the careful path does. Rows are numbered by their file
    line; when a later check finds a problem, the file's cells are parsed as text to
    show as examples (:attr:`_Read.text`).
    """
    if '"' in text or ("\r" in text and text.count("\r") != text.count("\r\n")):
        return None
    end = text.find("\n")
    header = [h.strip() for h in (text if end < 0 else text[:end]).rstrip("\r").split(",")]
    names = set(table.column_names)
    required = {c.name for c in table.columns if not c.optional}
    if len(set(header)) != len(header) or not set(header) <= names or not required <= set(header):
        return None
    kinds = {c.name: c.kind for c in table.columns if c.name in header}
    words = {True: [], False: []}
    for word, value in BOOL_WORDS.items():
        words[value] += sorted({word, word.title(), word.upper()})
    options = pyarrow.csv.ConvertOptions(
        column_types={n: _ARROW_KINDS[k] for n, k in kinds.items()},
        null_values=[""],
        strings_can_be_null=True,
        true_values=words[True],
        false_values=words[False],
    )
    try:
        arrow = pyarrow.csv.read_csv(
            io.BytesIO(text.encode("utf-8")),
            read_options=pyarrow.csv.ReadOptions(column_names=header, skip_rows=1),
            parse_options=pyarrow.csv.ParseOptions(
                quote_char=False, double_quote=False, newlines_in_values=False, ignore_empty_lines=False
            ),
            convert_options=options,
        )
    except (pyarrow.ArrowException, ValueError):  # a cell the careful path must judge, or a ragged row
        return None
    if not arrow.num_rows:
        return None
    compute = pyarrow.compute
    every_null = functools.reduce(compute.and_, [c.is_null() for c in arrow.columns])
    if arrow.num_columns > 1 and compute.any(every_null).as_py():  # a line of bare commas: skipped as text
        return None
    typed = {}
    for col in table.columns:
        if col.name not in kinds:
            continue
        values = arrow.column(col.name)
        kind = col.kind
        if kind == "int":
            big = compute.greater_equal(compute.abs(values), 2**53)
            if compute.any(big).as_py():
                return None
            typed[col.name] = values.to_pandas(types_mapper={pyarrow.int64(): KINDS[kind]}.get)
        elif kind == "float":
            if compute.any(compute.invert(compute.is_finite(values))).as_py():
                return None
            typed[col.name] = values.to_pandas().astype(KINDS[kind])
        elif kind == "bool":
            typed[col.name] = values.to_pandas(types_mapper={pyarrow.bool_(): KINDS[kind]}.get)
        elif kind == "date":
            try:
                stamps = values.cast(pyarrow.timestamp("ns"))  # safe cast: a date outside 1677-2262 fails
            except pyarrow.ArrowException:
                return None
            typed[col.name] = stamps.to_pandas().astype(KINDS[kind])
        else:
            cells = pd.Series(values.to_pandas(types_mapper={pyarrow.string(): KINDS["text"]}.get))
            if kind == "timestamp":
                cells, bad, _ = _from_text(cells, col)
                if bad.any():
                    return None
            else:
                cells = cells.astype(KINDS[kind])
                blank = (cells.fillna("").str.strip() == "").to_numpy(dtype=bool)
                cells = cells.mask(blank) if blank.any() else cells
            typed[col.name] = cells
    frame = pd.DataFrame(typed, index=pd.RangeIndex(arrow.num_rows))
    numbers = np.arange(2, arrow.num_rows + 2, dtype=np.int64)
    read = _Read(table, file, "line", frame, numbers, typed=frame)
    read.text = lambda: _read_csv(data, table, file).raw
    return read


def _read_simple_csv(text: str, table: Table, file: str) -> _Read | None:
    """Fast path for the common CSV: no quotes, one record per line, every row as wide as
    the header. Parsed by pandas' C reader; anything else returns None and goes through
    the careful reader (which reports ragged rows and malformed quoting).

    Lines are found and their commas counted on the bytes with numpy (no Python object
    per line): a line that holds nothing but commas is blank and skipped.
    """
    if '"' in text or ("\r" in text and text.count("\r") != text.count("\r\n")):
        return None
    data = text.replace("\r\n", "\n").encode("utf-8")
    b = np.frombuffer(data, dtype=np.uint8)
    breaks = np.flatnonzero(b == ord("\n"))
    starts = np.concatenate(([0], breaks + 1))  # line i is data[starts[i]:ends[i]]
    ends = np.concatenate((breaks, [len(data)]))
    del breaks
    comma_at = np.flatnonzero(b == ord(","))
    commas = np.searchsorted(comma_at, ends) - np.searchsorted(comma_at, starts)
    del comma_at
    kept = np.flatnonzero(ends - starts != commas)  # lines with more than commas (line number - 1)
    if not kept.size:
        return None
    width = int(commas[kept[0]]) + 1
    if (commas[kept[1:]] != width - 1).any():
        return None
    header = [h.strip() for h in data[starts[kept[0]] : ends[kept[0]]].decode("utf-8").split(",")]
    body_lines = kept[1:]
    if body_lines.size:
        if body_lines[-1] - body_lines[0] + 1 == body_lines.size:  # no blank line in between: one slice
            body = data[starts[body_lines[0]] : ends[body_lines[-1]]]
        else:
            body = b"\n".join(data[starts[i] : ends[i]] for i in body_lines)
        raw = pd.read_csv(
            io.BytesIO(body),
            header=None,
            dtype=object,
            na_filter=False,
            keep_default_na=False,
            quoting=csv.QUOTE_NONE,
            engine="c",
            skip_blank_lines=False,
            encoding="utf-8",
        )
    else:
        raw = pd.DataFrame({i: pd.Series([], dtype=object) for i in range(width)})
    raw.index = pd.RangeIndex(len(raw))
    raw.columns = header
    numbers = (body_lines + 1).astype(np.int64)
    return _Read(table, file, "line", raw, numbers)


def _read_parquet(data: bytes, table: Table, file: str) -> _Read:
    try:
        n_columns = pq.ParquetFile(io.BytesIO(data)).metadata.num_columns
        if n_columns > MAX_COLUMNS:
            raise _FileProblem(
                f"the file has {n_columns:,} columns; the table has {len(table.columns)} "
                f"(files of more than {MAX_COLUMNS:,} columns are not read)"
            )
        arrow = pq.read_table(io.BytesIO(data))
    except (pyarrow.ArrowException, OSError, ValueError) as exc:
        raise _FileProblem(f"unreadable Parquet file ({' '.join(str(exc).split())[:300]})") from None
    return _read_arrow(arrow, table, file)


def _read_arrow(arrow: pyarrow.Table, table: Table, file: str) -> _Read:
    """A typed Arrow table (from Parquet or a database) as a :class:`_Read` to validate."""
    columns = {}
    for name, col in zip(arrow.column_names, arrow.columns):
        try:
            if pyarrow.types.is_dictionary(col.type):
                col = col.cast(col.type.value_type)
            col.validate(full=True)  # e.g. text that is not UTF-8: a damaged page, caught here
        except (pyarrow.ArrowException, ValueError) as exc:
            raise _FileProblem(
                f"unreadable Parquet file: column {name} is damaged ({' '.join(str(exc).split())[:200]!r})"
            ) from None
        columns[name] = col
    raw = pd.DataFrame({i: pd.Series(col.to_pandas(), copy=False) for i, col in enumerate(columns.values())})
    raw.columns = list(columns)
    raw.index = pd.RangeIndex(len(raw))
    types = {n: c.type for n, c in columns.items()}
    return _Read(table, file, "row", raw, np.arange(1, len(raw) + 1), arrow_types=types)


def _check_columns(read: _Read) -> None:
    """Duplicate, missing and unexpected column names."""
    names = list(read.raw.columns)
    read.problems.extend(column_name_problems(names, read.table, read.file))
    if len(set(names)) != len(names):  # keep the first of duplicated names
        read.raw = read.raw.loc[:, ~read.raw.columns.duplicated()]


def column_name_problems(names: Sequence[str], table: Table, file: str) -> list[Problem]:
    """Duplicate, missing and unexpected column names of a file or database table, as problems.

    >>> [str(p) for p in column_name_problems(["region", "mnth"], TABLES["market_index"], "market_index")]
    ['market_index, column month: missing column', 'market_index, column index: missing column', "market_index, column mnth: unexpected column (not in the contract; did you mean 'month'?)"]
    """
    problems = []
    expected = table.column_names
    seen: set[str] = set()
    for n in names:
        if n in seen:
            problems.append(Problem(file, n, "duplicate column name"))
        seen.add(n)
    missing = [n for n in expected if n not in seen and not table.column(n).optional]
    for n in missing:
        problems.append(Problem(file, n, "missing column"))
    for n in dict.fromkeys(names):
        if n not in expected:
            hint = difflib.get_close_matches(n, missing, n=1)
            rule = "unexpected column (not in the contract"
            rule += f"; did you mean {hint[0]!r}?)" if hint else ")"
            problems.append(Problem(file, n, rule))
    return problems


def duplicate_key_rule(table: Table) -> str:
    """The rule a repeated key breaks, in words.

    >>> duplicate_key_rule(TABLES["orders"])
    'duplicate key (order_id must be unique)'
    """
    key_cols = ", ".join(table.key)
    return f"duplicate key ({key_cols} must be unique)"


def foreign_key_rule(column: str, parent_file: str, parent_column: str) -> str:
    """The rule a value missing from the table it refers to breaks, in words.

    >>> foreign_key_rule("customer_id", "customers", "customer_id")
    'unknown customer_id (not in customers column customer_id)'
    """
    return f"unknown {column} (not in {parent_file} column {parent_column})"


def out_of_range_date_rule(kind: str) -> str:
    """The rule a date or timestamp outside what pandas holds (1678 to 2261) breaks."""
    lo, hi = pd.Timestamp.min, pd.Timestamp.max
    return f"{_TYPE_RULES[kind]} or outside {lo.year + 1}-{hi.year - 1}"


# --------------------------------------------------------------------------- conversion


def _convert(read: _Read) -> None:
    """Convert each contract column to its dtype; unconvertible cells become problems."""
    typed = {}
    for col in read.table.columns:
        if col.name not in read.raw:
            continue
        raw = read.raw[col.name]
        arrow_type = read.arrow_types.get(col.name)
        if arrow_type is None or _is_text(arrow_type):
            values, bad, rule = _from_text(raw, col)
        else:
            values, bad, rule = _from_native(raw, col, arrow_type)
        if bad.any():
            read.problem(col.name, rule, np.flatnonzero(bad))
            read.bad_cells[col.name] = bad
        typed[col.name] = values
    read.typed = pd.DataFrame(typed, index=read.raw.index)


def _is_text(arrow_type: Any) -> bool:
    t = pyarrow.types
    return t.is_string(arrow_type) or t.is_large_string(arrow_type) or t.is_string_view(arrow_type)


def _from_text(raw: pd.Series, col: Column) -> tuple[pd.Series, np.ndarray, str]:
    """Text cells → the column's dtype. Returns (values, bad cells, rule of the bad ones).

    Cells are stripped; an empty cell is missing. Numbers, booleans and dates must match
    their pattern in full (vectorised string methods on pandas' text dtype); a present
    cell that does not is bad.
    """
    cells = raw.to_numpy(dtype=object, na_value=None)
    kind, n = col.kind, len(cells)
    rule = _TYPE_RULES.get(kind, "")
    if kind in ("id", "text", "category"):  # one conversion to the text dtype, then blanks are missing
        values = pd.Series(cells, index=raw.index, dtype=KINDS[kind])
        blank = (values.fillna("").str.strip() == "").to_numpy(dtype=bool)
        return values.mask(blank) if blank.any() else values, np.zeros(n, bool), rule
    texts = pd.Series(cells, index=raw.index, dtype="str").fillna("").str.strip()
    missing = (texts == "").to_numpy(dtype=bool)
    if kind == "bool":
        parsed = texts.str.lower().map(BOOL_WORDS)
        bad = parsed.isna().to_numpy(dtype=bool) & ~missing
        return pd.Series(parsed.to_numpy(dtype=object), index=raw.index, dtype=KINDS[kind]), bad, rule
    if kind in ("int", "float"):
        pattern = _INT_RE if kind == "int" else _FLOAT_RE
        ok = texts.str.fullmatch(pattern.pattern).to_numpy(dtype=bool)
        numbers = pd.to_numeric(texts.where(ok), errors="coerce").to_numpy(dtype="float64", na_value=np.nan, copy=True)
        bad = np.isnan(numbers) & ~missing
        if kind == "int":
            too_big = np.abs(np.nan_to_num(numbers)) >= 2.0**53  # beyond exact whole numbers
            bad |= too_big
            numbers[too_big] = np.nan
        return pd.Series(numbers, index=raw.index).astype(KINDS[kind]), bad, rule
    # date, timestamp
    pattern, fmt = (_DATE_RE, "%Y-%m-%d") if kind == "date" else (_TIMESTAMP_RE, "ISO8601")
    ok = texts.str.fullmatch(pattern.pattern).to_numpy(dtype=bool)
    candidates = pd.Series(np.where(ok, texts.to_numpy(dtype=object), None), index=raw.index, dtype=object)
    stamps = pd.to_datetime(candidates, format=fmt, errors="coerce")
    serial = texts.str.fullmatch(r"[2-7]\d{4}(?:\.\d+)?").to_numpy(dtype=bool) & ~ok
    if serial.any():
        example = float(texts[serial].iloc[0])
        day = (pd.Timestamp("1899-12-30") + pd.Timedelta(days=example)).date()
        rule += (
            f"; numbers like {texts[serial].iloc[0]} are Excel serial day numbers ({day}): "
            "format the column as a date (YYYY-MM-DD) before saving"
        )
    return _to_ns(stamps, ~missing, rule)


def _to_ns(stamps: pd.Series, present: np.ndarray, rule: str) -> tuple[pd.Series, np.ndarray, str]:
    """Datetimes → datetime64[ns]; those unparsed or outside the ns range are bad."""
    lo, hi = pd.Timestamp.min, pd.Timestamp.max
    if getattr(stamps.dt, "tz", None) is not None:
        stamps = stamps.dt.tz_localize(None)
    inside = (stamps >= lo) & (stamps <= hi)
    bad = present & ~inside.fillna(False).to_numpy(dtype=bool)
    values = stamps.where(inside).astype("datetime64[ns]")
    if bad.any() and not stamps[bad].isna().all():
        rule += f" or outside {lo.year + 1}-{hi.year - 1}"
    return values, bad, rule


def _from_native(raw: pd.Series, col: Column, arrow_type: Any) -> tuple[pd.Series, np.ndarray, str]:
    """Typed Parquet values → the column's dtype, refusing values of the wrong kind."""
    t = pyarrow.types
    kind = col.kind
    present = raw.notna().to_numpy(dtype=bool)
    nothing = np.zeros(len(raw), bool)
    wrong = f"wrong type (stored as {arrow_type}, expected {kind})"
    if t.is_null(arrow_type):
        return pd.Series(pd.array([None] * len(raw), dtype=KINDS[kind]), index=raw.index), nothing, ""
    numeric = t.is_integer(arrow_type) or t.is_floating(arrow_type)
    if kind in ("id", "text", "category") and t.is_integer(arrow_type):
        values = raw.astype("Int64").astype(KINDS[kind])
        return values, nothing, ""
    if kind == "float" and numeric:
        return raw.astype("float64"), nothing, ""
    if kind in ("int", "bool") and numeric:
        numbers = raw.astype("float64")
        ok = (numbers == np.round(numbers)).to_numpy(dtype=bool)
        if kind == "bool":
            ok &= numbers.isin([0, 1]).to_numpy(dtype=bool)
        values = numbers.where(ok)
        values = values.astype(KINDS[kind]) if kind == "int" else (values == 1).where(ok).astype(KINDS[kind])
        return values, present & ~ok, _TYPE_RULES[kind]
    if kind == "bool" and t.is_boolean(arrow_type):
        return raw.astype(KINDS[kind]), nothing, ""
    if kind in ("date", "timestamp") and (t.is_timestamp(arrow_type) or t.is_date(arrow_type)):
        stamps = pd.to_datetime(raw, errors="coerce")
        return _to_ns(stamps, present, _TYPE_RULES[kind])
    return pd.Series(pd.array([None] * len(raw), dtype=KINDS[kind]), index=raw.index), present, wrong


# --------------------------------------------------------------------------- validation


def _validate(read: _Read) -> None:
    """Run the table's pandera schema and translate its failure cases into Problems."""
    table = read.table
    assert read.typed is not None
    schema = table.schema
    absent = [c for c in table.column_names if c not in read.typed]
    if absent:
        schema = schema.remove_columns(absent)
        if any(k in absent for k in table.key):
            schema.unique = None
    try:
        schema.validate(read.typed, lazy=True)  # checks only: read.typed already has KINDS dtypes
        return
    except pa.errors.SchemaErrors as exc:
        cases = exc.failure_cases
    except Exception as exc:  # a pandera/pandas failure must still read as a problem
        read.problems.append(Problem(read.file, None, f"could not be validated ({exc})"))
        return
    cases = cases.assign(name=cases["check"].astype(str).str.split("(").str[0])
    key_cols = ", ".join(table.key)
    is_key = cases["name"].isin(["multiple_fields_uniqueness", "field_uniqueness", "unique"])
    if is_key.any():
        dup = sorted(int(i) for i in cases.loc[is_key, "index"].dropna().unique())
        read.problem(key_cols, duplicate_key_rule(table), dup)
    cases = cases[~is_key]
    for col in table.columns:
        mine = cases[cases["column"] == col.name]
        bad_conv = read.bad_cells.get(col.name, np.zeros(len(read.typed), bool))
        for rule, names in _rules_of(col):
            hits = mine[mine["name"].isin(names)]
            mine = mine[~mine["name"].isin(names)]
            rows = hits["index"].dropna().astype(int).to_numpy()
            rows = np.unique(rows[~bad_conv[rows]])
            if len(rows) or hits["index"].isna().any():
                read.problem(col.name, rule, rows)
        for name, group in mine.groupby("name", sort=False):
            rows = np.unique(group["index"].dropna().astype(int).to_numpy())
            read.problem(col.name, f"fails check {name}", rows)


def _rules_of(col: Column) -> list[tuple[str, set[str]]]:
    """The column's rules in plain words, each with the names of the pandera checks behind it."""
    rules = [("required value missing", {"not_nullable"})]
    if col.isin is not None:
        rules.append((f"not one of the allowed values ({', '.join(col.isin)})", {"isin"}))
    if col.ge is not None and col.le is not None:
        allowed = f"allowed {col.ge:g} to {col.le:g}"
    elif col.ge is not None:
        allowed = f"must be >= {col.ge:g}"
    elif col.le is not None:
        allowed = f"must be <= {col.le:g}"
    if col.ge is not None or col.le is not None:
        rules.append((f"out of range ({allowed})", {"greater_than_or_equal_to", "less_than_or_equal_to"}))
    if col.pattern is not None:
        rules.append((f"does not match the pattern {col.pattern}", {"str_matches"}))
    return rules


def _check_foreign_keys(read: _Read, reads: dict[str, _Read]) -> None:
    """Every non-empty foreign key value must exist in the table and column it refers to."""
    if read.typed is None:
        return
    for column, target in read.table.foreign_keys.items():
        parent_name, parent_col = target.split(".")
        parent = reads.get(parent_name)
        if column not in read.typed or parent is None or parent.typed is None:
            continue
        if parent_col not in parent.typed:
            continue
        unknown = _unknown_values(read.typed[column], parent.typed[parent_col])
        if unknown.any():
            read.problem(column, foreign_key_rule(column, parent.file, parent_col), np.flatnonzero(unknown))


def _unknown_values(values: pd.Series, known: pd.Series) -> np.ndarray:
    """Where ``values`` holds a value that ``known`` does not (missing values are not unknown).

    Arrow's ``is_in`` when both columns are Arrow arrays of one type (the text columns
    of the contract), else a Python set.
    """
    try:
        a, b = pyarrow.array(values.array), pyarrow.array(known.array)
    except (TypeError, ValueError, pyarrow.ArrowException):
        a = b = None
    if a is not None and b is not None and a.type == b.type:
        hit = pyarrow.compute.is_in(a, value_set=pyarrow.compute.drop_null(b)).to_numpy(zero_copy_only=False)
        return values.notna().to_numpy(dtype=bool) & ~hit.astype(bool)
    known_set = set(known.dropna().to_numpy(dtype=object))
    cells = values.to_numpy(dtype=object, na_value=None)
    return np.array([v is not None and v not in known_set for v in cells], dtype=bool)


def _in_key_order(read: _Read) -> pd.DataFrame:
    """The validated table sorted by its key: the numbers of a report never depend on row order.

    A folder, a workbook and a database give the same rows in different orders; sorting
    on the (unique) key makes every later computation, down to the order of
    floating-point sums, the same whichever source the data came from.
    """
    df = read.typed
    key = [k for k in read.table.key if k in df]
    if not key or df is None or df.empty:
        return df
    return df.sort_values(key, kind="stable", na_position="last").reset_index(drop=True)


def load_arrow_tables(
    arrows: Mapping[str, pyarrow.Table | None],
    *,
    source: str,
    fingerprint: str,
    place: str = "row",
    asked: bool = True,
    checked: Mapping[str, Sequence[Problem]] | None = None,
    remote_rows: Mapping[str, int] | None = None,
    read_remote: Callable[[str], pd.DataFrame] | None = None,
) -> Dataset:
    """Validate typed tables that come from elsewhere than files (e.g. a database) against the contract.

    The same conversion, rules and foreign-key checks as :func:`load_data`, and the same
    :class:`~trackreport.errors.DataValidationError` naming table, column, rule and rows.
    ``arrows`` maps each contract table to its Arrow table, or None when the source has
    no such table (an error when the tables were ``asked`` for by name).

    A database validates some tables in place (:mod:`trackreport.data.sqlcheck`):
    ``checked`` gives the problems found there per table (raised with these, in the
    contract's table order), ``remote_rows`` the row count of each table left there, and
    ``read_remote(name)`` reads one whole when code asks for it (:class:`RemoteTables`).

    Examples
    --------
    >>> t = pyarrow.table({"region": ["east"], "month": [pd.Timestamp("2025-07-01")], "index": [101.5]})
    >>> ds = load_arrow_tables({"market_index": t}, source="db", fingerprint="f")
    >>> ds["market_index"]["index"].tolist()
    [101.5]
    """
    reads: dict[str, _Read] = {}
    problems: dict[str, list[Problem]] = {}
    for name, arrow in arrows.items():
        table = TABLES[name]
        problems[name] = []
        if arrow is None:
            if asked and table.required:
                problems[name].append(Problem(name, None, f"missing table {name} in {source}"))
            continue
        try:
            read = _read_arrow(arrow, table, name)
        except _FileProblem as exc:
            problems[name].append(Problem(name, None, str(exc).replace("unreadable Parquet file", "unreadable table")))
            continue
        read.place = place
        _check_columns(read)
        _convert(read)
        _validate(read)
        reads[name] = read
    frames, _ = _finish(reads, problems)
    for name, found in (checked or {}).items():
        problems.setdefault(name, []).extend(found)
    order = [n for n in TABLES if n in problems] + [n for n in problems if n not in TABLES]
    flat = [p for n in order for p in problems[n]]
    if flat:
        raise DataValidationError(flat, source)
    if remote_rows:
        if read_remote is None:
            raise TypeError("remote_rows needs read_remote")
        return Dataset(
            RemoteTables(frames, remote_rows, read_remote, url=source), folder=Path(source), fingerprint=fingerprint
        )
    return Dataset(frames, folder=Path(source), fingerprint=fingerprint)


def typed_arrow_table(arrow: pyarrow.Table, table: Table) -> pd.DataFrame:
    """A table already validated where it lives (a database) in the contract's dtypes and key order.

    The conversion of :func:`load_arrow_tables` without the rule checks: what a remote
    table (:class:`RemoteTables`) reads when asked for.

    >>> t = pyarrow.table({"month": [pd.Timestamp("2025-08-01"), pd.Timestamp("2025-07-01")],
    ...                    "region": ["east", "east"], "index": [1, 2]})
    >>> typed_arrow_table(t, TABLES["market_index"]).to_dict("list")["index"]
    [2.0, 1.0]
    """
    read = _read_arrow(arrow, table, table.name)
    _convert(read)
    if read.problems:
        raise DataValidationError(read.problems, table.name)
    return _in_key_order(read)


def fingerprint(folder: str | Path, *, tables: Iterable[str] | None = None) -> str:
    """The fingerprint :func:`load_data` would give the folder, from its bytes alone.

    Cheap (no parsing, no validation): the report runner uses it to find a dataset it
    has already validated. Equal to ``load_data(folder).fingerprint`` for a valid folder.

    Examples
    --------
    >>> import tempfile
    >>> tmp = Path(tempfile.mkdtemp())
    >>> _ = (tmp / "market_index.csv").write_text("region,month,index\\neast,2025-07-01,101.5\\n")
    >>> fingerprint(tmp, tables=["market_index"]) == load_data(tmp, tables=["market_index"]).fingerprint
    True
    """
    folder = Path(folder)
    digest = hashlib.sha256()
    mapping = read_mapping(folder)[0] or DataMapping()
    for name in list(TABLES) if tables is None else list(tables):
        stem = mapping.stem(name)
        for path in (folder / f"{stem}.csv", folder / f"{stem}.parquet"):
            if path.is_file():
                with path.open("rb") as f:  # streamed: memory stays bounded whatever the file
                    digest.update(f"{name}\0{os.fstat(f.fileno()).st_size}\0".encode())
                    while block := f.read(1 << 20):
                        digest.update(block)
                break
    _digest_extras(folder, workbook_paths(folder), digest)
    return digest.hexdigest()
