"""Templates a company fills with its data: one header-only CSV per table and one Excel workbook.

``python -m trackreport init DIR`` calls :func:`write_templates`. Everything in the
templates comes from the contract (:data:`trackreport.data.schema.TABLES`), so they cannot
drift from what the loaders check:

- ``<table>.csv``: the header line of each table (UTF-8 with the byte-order mark, so
  Excel opens it as UTF-8).
- ``trackreport-data.xlsx``: a first sheet, ``README``, explaining every table and column
  (description, type, unit, required or not, allowed values and rules, the chapters that
  need the table), then a sheet per table with its header row (a comment on each name),
  drop-down lists of the allowed values of category and boolean columns, date and time
  formats on date columns and the text format on identifier and text columns (so
  ``007`` stays ``007``).

A table left empty (header only) counts as not provided, so the templates of tables a
company does not have can stay in the folder; a table filled both as CSV and as a sheet
is refused as ambiguous. Existing files are never replaced unless asked (``force``).
"""

from __future__ import annotations

import csv
import io
import os
import tempfile
from pathlib import Path

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from trackreport.data.contract import KIND_WORDS, table_chapters
from trackreport.data.excel import ABOUT_SHEET
from trackreport.data.schema import BASE_TABLES, TABLES, Column, Table
from trackreport.errors import TrackreportError

__all__ = ["WORKBOOK", "FORMATS", "template_paths", "write_templates", "write_workbook", "csv_header"]

WORKBOOK = "trackreport-data.xlsx"
"""File name of the Excel template."""

FORMATS = ("both", "csv", "excel")
"""What :func:`write_templates` can write: CSV files and the workbook, or one of them."""

EXCEL_FORMATS = {"date": "yyyy-mm-dd", "timestamp": "yyyy-mm-dd hh:mm", "id": "@", "text": "@", "category": "@"}
"""Number format of each column kind in the workbook (``@`` is Excel's text format)."""

MAX_ROW = 1_048_576
"""Excel's last row: drop-down lists and formats reach it."""

_BOOL_CHOICES = ("true", "false")
_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
_ABOUT_HEADER = ("Table", "Column", "Type", "Unit", "Required", "Allowed values and rules", "Description", "Chapters")


def csv_header(table: Table) -> str:
    """The header line of a table's CSV template.

    >>> csv_header(TABLES["market_index"])
    'region,month,index\\r\\n'
    """
    buf = io.StringIO(newline="")
    csv.writer(buf, lineterminator="\r\n").writerow(table.column_names)
    return buf.getvalue()


def template_paths(folder: str | Path, *, what: str = "both") -> list[Path]:
    """The files :func:`write_templates` writes into ``folder``.

    >>> [p.name for p in template_paths("d", what="excel")]
    ['trackreport-data.xlsx']
    >>> len(template_paths("d")) == len(TABLES) + 1
    True
    """
    if what not in FORMATS:
        raise TrackreportError(f"unknown template format {what!r}; choose one of {', '.join(FORMATS)}")
    folder = Path(folder)
    paths = [folder / f"{name}.csv" for name in TABLES] if what in ("both", "csv") else []
    return paths + ([folder / WORKBOOK] if what in ("both", "excel") else [])


def write_templates(folder: str | Path, *, what: str = "both", force: bool = False) -> list[Path]:
    """Write the templates of every contract table into ``folder`` (created if missing).

    Parameters
    ----------
    folder : str or Path
        Folder to write into; it becomes the data folder once filled.
    what : {"both", "csv", "excel"}
        The CSV templates and the workbook, or only one of them.
    force : bool
        Replace files that exist; without it, nothing is written when any exists.

    Returns
    -------
    list of Path
        The files written.

    Raises
    ------
    TrackreportError
        When a file to write exists (and not ``force``) or the folder cannot be written.

    Examples
    --------
    >>> d = Path(tempfile.mkdtemp())
    >>> len(write_templates(d)) == len(TABLES) + 1
    True
    >>> (d / "market_index.csv").read_text(encoding="utf-8-sig")
    'region,month,index\\n'
    >>> write_templates(d, what="csv")
    Traceback (most recent call last):
    ...
    trackreport.errors.TrackreportError: 39 template file(s) already exist in ...: ...; nothing was written (--force replaces them)
    """
    folder = Path(folder)
    paths = template_paths(folder, what=what)
    if folder.exists() and not folder.is_dir():
        raise TrackreportError(f"{folder} is a file, not a folder")
    existing = [p for p in paths if p.exists() or p.is_symlink()]
    if existing and not force:
        shown = ", ".join(p.name for p in existing[:5]) + (", ..." if len(existing) > 5 else "")
        raise TrackreportError(
            f"{len(existing)} template file(s) already exist in {folder}: {shown}; nothing was written "
            "(--force replaces them)"
        )
    try:
        folder.mkdir(parents=True, exist_ok=True)
        for path in paths:
            if path.suffix == ".csv":
                _write_atomic(path, csv_header(TABLES[path.stem]).encode("utf-8-sig"))
            else:
                write_workbook(path)
    except OSError as exc:
        raise TrackreportError(f"cannot write the templates into {folder} ({exc.strerror or exc})") from None
    return paths


def _write_atomic(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def write_workbook(path: str | Path) -> Path:
    """Write the Excel template: the ``README`` sheet, then one sheet per table.

    Examples
    --------
    >>> import openpyxl
    >>> p = write_workbook(Path(tempfile.mkdtemp()) / "t.xlsx")
    >>> book = openpyxl.load_workbook(p)
    >>> book.sheetnames[:3]
    ['README', 'employees', 'trainers']
    >>> [c.value for c in book["market_index"][1]]
    ['region', 'month', 'index']
    """
    path = Path(path)
    book = Workbook()
    about = book.active
    about.title = ABOUT_SHEET
    _about_sheet(about)
    for table in TABLES.values():
        _table_sheet(book.create_sheet(table.name), table)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    try:
        book.save(tmp)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return path


def _about_sheet(ws) -> None:
    intro = [
        "trackreport data template: fill the sheets of the tables you have, leave the others empty.",
        "Row 1 of each sheet is the header: keep its names (or map your own in mapping.yaml), one row per record "
        "from row 2, no merged cells.",
        f"Every report needs {', '.join(BASE_TABLES)}; the column Chapters says which chapters need each table.",
        "Dates as Excel dates (yyyy-mm-dd), numbers as numbers, booleans true/false; drop-down lists show the "
        "allowed values.",
        "Save this workbook in the data folder, then: python -m trackreport validate FOLDER, "
        "and python -m trackreport report --team TEAM --data FOLDER",
        "",
        "Column types:",
    ]
    for line in intro:
        ws.append([line])
    for kind, words in KIND_WORDS.items():
        ws.append(["", kind, words.replace("`", "")])
    ws.append([])
    ws.append(list(_ABOUT_HEADER))
    header_row = ws.max_row
    for cell in ws[header_row]:
        cell.font = Font(bold=True)
        cell.fill = _HEADER_FILL
    for table in TABLES.values():
        needed, used = table_chapters(table)
        chapters = f"needed by: {needed}; used when present by: {used}"
        ws.append([table.name, "", "table", "", "", f"key: {', '.join(table.key)}", table.description, chapters])
        for cell in ws[ws.max_row]:
            cell.font = Font(bold=True)
        for col in table.columns:
            rule = col.rule().replace("`", "")
            required = "optional" if col.nullable else "required"
            if col.optional:
                required += " (the column may be left out)"
            ws.append([table.name, col.name, col.kind, col.unit or "", required, rule, col.description, ""])
    for letter, width in zip("ABCDEFGH", (22, 26, 10, 14, 12, 40, 70, 40)):
        ws.column_dimensions[letter].width = width
    for row in ws.iter_rows(min_row=header_row + 1):
        for cell in row:
            cell.alignment = Alignment(vertical="top", wrap_text=cell.column in (6, 7, 8))
    ws.freeze_panes = ws.cell(row=header_row + 1, column=1)


def _table_sheet(ws, table: Table) -> None:
    ws.append(table.column_names)
    for j, col in enumerate(table.columns, 1):
        letter = get_column_letter(j)
        cell = ws.cell(row=1, column=j)
        cell.font = Font(bold=True)
        cell.fill = _HEADER_FILL
        cell.comment = Comment(_column_note(col), "trackreport", width=320, height=140)
        ws.column_dimensions[letter].width = max(12, len(col.name) + 4)
        fmt = EXCEL_FORMATS.get(col.kind)
        if fmt is not None:
            ws.column_dimensions[letter].number_format = fmt
        choices = col.isin if col.isin is not None else (_BOOL_CHOICES if col.kind == "bool" else None)
        if choices is not None:
            ws.add_data_validation(_drop_down(choices, col, f"{letter}2:{letter}{MAX_ROW}"))
    ws.freeze_panes = "A2"


def _drop_down(choices: tuple[str, ...], col: Column, cells: str) -> DataValidation:
    """A drop-down list of the allowed values; Excel refuses other entries with the rule in words."""
    listed = ",".join(choices)
    if len(listed) > 255:  # Excel's limit for a list written in the rule itself
        raise TrackreportError(f"the allowed values of {col.name} are too long for an Excel drop-down list")
    rule = DataValidation(
        type="list",
        formula1=f'"{listed}"',
        allow_blank=True,
        showErrorMessage=True,
        errorTitle=f"{col.name}: not an allowed value",
        error=f"Allowed: {', '.join(choices)}"[:255],
    )
    rule.add(cells)
    return rule


def _column_note(col: Column) -> str:
    parts = [col.description, f"Type: {col.kind}" + (f" ({col.unit})" if col.unit else "")]
    parts.append("Required" if not col.nullable else "May be empty")
    if col.rule():
        parts.append(col.rule().replace("`", ""))
    return "\n".join(parts)
