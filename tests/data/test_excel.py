"""Excel workbooks as a data folder's tables: the same frames as CSV, problems named by sheet and cell,
Excel habits (dates as dates or text, numbers as text, trailing empty rows, merged cells) handled."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest
from conftest import TINY_TABLES, write_tiny_data

from trackreport.cli import main
from trackreport.data import load as load_module
from trackreport.data.excel import cell_text
from trackreport.data.load import fingerprint, load_data, validate_folder
from trackreport.data.schema import TABLES
from trackreport.data.templates import WORKBOOK, write_templates
from trackreport.report.runner import run_reports

# --------------------------------------------------------------------------- helpers


def excel_value(value):
    """A frame's value as a program writing Excel stores it: dates as dates, numbers as numbers."""
    if value is None or value is pd.NA or value is pd.NaT or (isinstance(value, float) and np.isnan(value)):
        return None
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    if isinstance(value, np.generic):
        return value.item()
    return value


def fill(book_path: Path, frames: dict[str, pd.DataFrame]) -> None:
    """Write frames into the sheets of a workbook from ``init``, below its header row."""
    book = openpyxl.load_workbook(book_path)
    for name, df in frames.items():
        ws = book[name]
        header = [c.value for c in ws[1]]
        for row in df.reindex(columns=header).itertuples(index=False, name=None):
            ws.append([excel_value(v) for v in row])
    book.save(book_path)


def text_frames(tables: dict[str, str]) -> dict[str, pd.DataFrame]:
    """CSV text as frames of text cells (a user who typed everything as text); empty cells are None."""
    out = {}
    for name, text in tables.items():
        rows = list(csv.reader(io.StringIO(text)))
        out[name] = pd.DataFrame([[v if v != "" else None for v in r] for r in rows[1:]], columns=rows[0], dtype=object)
    return out


@pytest.fixture
def tiny_book(tmp_path) -> Path:
    """A data folder holding only the init workbook, filled with the tiny data set as text cells."""
    folder = tmp_path / "book"
    write_templates(folder, what="excel")
    fill(folder / WORKBOOK, text_frames(TINY_TABLES))
    return folder


@pytest.fixture(scope="module")
def tiny_csv(tmp_path_factory):
    return load_data(write_tiny_data(tmp_path_factory.mktemp("tiny")))


def edit(folder: Path, change, book: str = WORKBOOK) -> None:
    wb = openpyxl.load_workbook(folder / book)
    change(wb)
    wb.save(folder / book)


def messages(folder: Path, tables=None) -> list[str]:
    return [str(p) for p in validate_folder(folder, tables=tables)]


# --------------------------------------------------------------------------- the sample, as a workbook


@pytest.fixture(scope="module")
def sample_book(tmp_path_factory, sample_data) -> Path:
    """The sample company written into the workbook ``init`` writes, typed as Excel stores values."""
    folder = tmp_path_factory.mktemp("sample-book")
    write_templates(folder, what="excel")
    fill(folder / WORKBOOK, {name: sample_data[name] for name in sample_data})
    return folder


def test_a_filled_init_workbook_loads_to_the_csv_samples_frames(sample_book, sample_data):
    ds = load_data(sample_book)
    assert list(ds) == list(sample_data) == list(TABLES)
    for name in sample_data:
        # openpyxl writes numbers with 16 significant digits ("%.16g", openpyxl/compat/strings.py; Excel shows 15),
        # so the sample's few 17-digit floats (3535.2000000000003) come back as 3535.2: floats agree to 1e-15
        pd.testing.assert_frame_equal(ds[name], sample_data[name], check_exact=False, rtol=1e-15, atol=0, obj=name)
        for col in sample_data[name].columns:
            if sample_data[name][col].dtype != "float64":
                assert ds[name][col].equals(sample_data[name][col]), (name, col)  # everything else exactly
    assert ds.notices == ()
    assert ds.fingerprint == fingerprint(sample_book)


def test_a_report_from_the_workbook_equals_the_report_from_the_csv_sample(sample_book, sample_reports, tmp_path):
    out = tmp_path / "reports"
    result = run_reports(team="east", quarter="2025Q3", data_dir=sample_book, out=out, log=lambda s: None)
    assert result.ok
    from_book = json.loads((out / "east" / "2025Q3" / "metrics.json").read_text(encoding="utf-8"))
    csv_out, _ = sample_reports
    from_csv = json.loads((csv_out / "east" / "2025Q3" / "metrics.json").read_text(encoding="utf-8"))
    assert len(from_book["metrics"]) > 40
    assert from_book["metrics"] == from_csv["metrics"]


# --------------------------------------------------------------------------- tiny workbooks


def test_text_cells_load_like_the_csv_files(tiny_book, tiny_csv):
    ds = load_data(tiny_book)
    assert list(ds) == list(tiny_csv)
    for name in tiny_csv:
        pd.testing.assert_frame_equal(ds[name], tiny_csv[name], check_exact=True, obj=name)


def test_a_bad_cell_is_named_by_workbook_sheet_and_cell(tiny_book):
    def change(wb):
        wb["orders"]["E3"] = "12,000"  # amount of the second order (row 3), with a thousands separator
        wb["employees"]["F2"] = "2018/3/1"  # hire_date as Chinese Excel shows it, stored as text

    edit(tiny_book, change)
    found = messages(tiny_book)
    assert found == [
        "trackreport-data.xlsx, sheet employees, column hire_date: unparsable date (expected YYYY-MM-DD) — 1 row "
        "fails, e.g. employees!F2: '2018/3/1'",
        "trackreport-data.xlsx, sheet orders, column amount: not a number — 1 row fails, e.g. orders!E3: '12,000'",
    ]


def test_the_cli_names_the_cell_without_a_traceback(tiny_book, capsys):
    edit(tiny_book, lambda wb: wb["meetings"].__setitem__("D2", "four"))
    assert main(["validate", str(tiny_book)]) == 1
    out = capsys.readouterr()
    assert "trackreport-data.xlsx, sheet meetings" in out.out and "meetings!D2: 'four'" in out.out
    assert "Traceback" not in out.out + out.err
    assert "Every report needs" not in out.out  # the tables in the workbook are there, one of them with a bad cell
    assert "Chapters not available" not in out.out


def test_a_key_problem_points_at_the_first_key_column(tiny_book):
    edit(tiny_book, lambda wb: wb["trainers"].__setitem__("A3", "T01"))
    [found] = messages(tiny_book, ["trainers", "employees"])
    assert found.startswith("trackreport-data.xlsx, sheet trainers, column trainer_id: duplicate key")
    assert "trainers!A2: 'T01', trainers!A3: 'T01'" in found


def test_dates_as_excel_dates_or_iso_text_both_load_and_serial_numbers_are_explained(tiny_book, tiny_csv):
    def change(wb):
        ws = wb["employees"]
        ws["F2"] = dt.datetime(2018, 3, 1)  # an Excel date
        ws["F2"].number_format = "yyyy/m/d"  # shown the Chinese way: still a date
        ws["F3"] = "2021-07-15"  # text
        wb["complaints"]["E2"] = dt.datetime(2025, 8, 3, 9, 15)  # an Excel date and time
        wb["complaints"]["F2"] = dt.datetime(2025, 8, 4, 17, 40)

    edit(tiny_book, change)
    ds = load_data(tiny_book)
    pd.testing.assert_frame_equal(ds["employees"], tiny_csv["employees"])
    pd.testing.assert_frame_equal(ds["complaints"], tiny_csv["complaints"])
    edit(tiny_book, lambda wb: wb["employees"].__setitem__("F4", 43773))  # a date column left as General
    [found] = messages(tiny_book, ["employees"])
    assert "employees!F4: '43773'" in found and "Excel serial day numbers (2019-11-04)" in found


def test_numbers_stored_as_text_are_numbers_and_numbers_in_text_columns_are_text(tiny_book, tiny_csv):
    def change(wb):
        wb["enrollments"]["D2"] = " 8 "  # attended_hours typed as text, with spaces
        wb["enrollments"]["C2"] = 8.0  # planned_hours as an Excel number
        wb["meetings"]["D2"] = "4"

    edit(tiny_book, change)
    ds = load_data(tiny_book)
    pd.testing.assert_frame_equal(ds["enrollments"], tiny_csv["enrollments"])
    pd.testing.assert_frame_equal(ds["meetings"], tiny_csv["meetings"])


def test_trailing_empty_rows_and_columns_are_not_rows(tiny_book, tiny_csv):
    def change(wb):
        ws = wb["customer_feedback"]
        for row in range(5, 40):
            ws.cell(row=row, column=1).number_format = "@"  # formatting only, no value
        ws.cell(row=9, column=2, value="   ")  # a blank typed into a cell
        ws.cell(row=12, column=1, value=None)
        ws.cell(row=2, column=12).number_format = "0.00"

    edit(tiny_book, change)
    pd.testing.assert_frame_equal(load_data(tiny_book)["customer_feedback"], tiny_csv["customer_feedback"])


def test_a_value_below_the_table_after_empty_rows_is_still_a_row(tiny_book):
    edit(tiny_book, lambda wb: wb["incidents"].__setitem__("A9", "N009"))
    found = messages(tiny_book, ["incidents", "courses", "trainers", "employees"])
    assert found[0] == (
        "trackreport-data.xlsx, sheet incidents, column course_id: required value missing — 1 row fails, "
        "e.g. incidents!B9: empty"
    )
    assert [m.rsplit("e.g. ", 1)[1] for m in found] == [f"incidents!{c}9: empty" for c in "BCDEF"]


def test_merged_header_cells_are_refused_clearly(tiny_book):
    def change(wb):
        ws = wb["orders"]
        ws.insert_rows(1)
        ws["A1"] = "订单信息"
        ws.merge_cells("A1:D1")

    edit(tiny_book, change)
    [found] = messages(tiny_book, ["orders", "customers", "employees"])
    assert found.startswith("trackreport-data.xlsx, sheet orders: merged cells A1:D1 in the header row 1: unmerge")


def test_merged_data_cells_are_refused_clearly(tiny_book):
    edit(tiny_book, lambda wb: wb["orders"].merge_cells("C2:C3"))
    [found] = messages(tiny_book, ["orders", "customers", "employees"])
    assert "merged cells C2:C3: a merged range holds its value only in its first cell" in found


def test_a_named_column_missing_and_an_unnamed_column_with_values(tiny_book):
    edit(tiny_book, lambda wb: wb["market_index"].__setitem__("E2", "note"))
    [found] = messages(tiny_book, ["market_index"])
    assert (
        found == "trackreport-data.xlsx, sheet market_index: column E holds values but has no name in the header row 1"
    )


def test_a_table_both_as_csv_and_as_a_sheet_is_ambiguous(tiny_book):
    (tiny_book / "orders.csv").write_text(TINY_TABLES["orders"], encoding="utf-8")
    found = messages(tiny_book)
    assert found == [
        "orders.csv: table orders is in both orders.csv and trackreport-data.xlsx, sheet orders: keep only one"
    ]


def test_empty_sheets_and_header_only_csvs_are_templates_not_tables(tmp_path, tiny_csv):
    folder = tmp_path / "d"
    write_templates(folder)  # both: a CSV and a sheet per table
    frames = text_frames({n: TINY_TABLES[n] for n in ("employees", "courses", "trainers")})
    fill(folder / WORKBOOK, {"employees": frames["employees"], "trainers": frames["trainers"]})
    (folder / "courses.csv").write_text(TINY_TABLES["courses"], encoding="utf-8")
    (folder / "enrollments.csv").write_text(TINY_TABLES["enrollments"], encoding="utf-8")
    ds = load_data(folder)
    assert set(ds.present) == {"employees", "trainers", "courses", "enrollments"}
    for name in ds.present:
        pd.testing.assert_frame_equal(ds[name], tiny_csv[name])
    [notice] = [n for n in ds.notices if "left empty" in n]
    assert "meetings" in notice and "employees" not in notice
    # asked for by name, an empty table is still refused
    assert "empty table (header only, no data rows)" in messages(folder, ["meetings"])[0]
    # a file whose every row is refused is not an empty template
    (folder / "meetings.csv").write_text(TINY_TABLES["meetings"].splitlines()[0] + "\nM001,east\n", encoding="utf-8")
    assert messages(folder) == [
        "meetings.csv: wrong number of fields (the header has 6; these rows are skipped) — 1 row fails, e.g. line 2: 2"
    ]


def test_a_workbook_per_table(tmp_path, tiny_csv):
    folder = write_tiny_data(tmp_path / "d")
    (folder / "orders.csv").unlink()
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Sheet1"
    df = text_frames({"orders": TINY_TABLES["orders"]})["orders"]
    ws.append(list(df.columns))
    for row in df.itertuples(index=False, name=None):
        ws.append(list(row))
    wb.save(folder / "orders.xlsx")
    pd.testing.assert_frame_equal(load_data(folder)["orders"], tiny_csv["orders"])
    wb.create_sheet("Sheet2")
    wb.save(folder / "orders.xlsx")
    assert messages(folder) == [
        "orders.xlsx: workbook of table orders with 2 sheets (Sheet1, Sheet2): name the sheet holding the table "
        "'orders', or keep only that sheet"
    ]


def test_not_a_workbook_and_foreign_sheets(tmp_path):
    folder = write_tiny_data(tmp_path / "d")
    (folder / "notes.xlsx").write_bytes(b"PK\x03\x04 not really a zip")
    (folder / "~$notes.xlsx").write_bytes(b"Excel's lock file")
    assert messages(folder)[0].startswith("notes.xlsx: unreadable Excel workbook (")
    wb = openpyxl.Workbook()
    wb.active.title = "Pivot"
    wb.save(folder / "notes.xlsx")
    ds = load_data(folder)
    assert ds.notices == (
        "notes.xlsx: sheets not named like a table of the contract (nor in mapping.yaml), not read: Pivot",
    )


def test_a_workbook_linked_from_outside_the_folder_is_refused(tmp_path, tiny_book):
    folder = write_tiny_data(tmp_path / "d")
    (folder / "outside.xlsx").symlink_to(tiny_book / WORKBOOK)
    assert messages(folder)[0].startswith("outside.xlsx: symbolic link to ")


def test_csv_folders_never_open_excel(tmp_path, monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("a workbook was opened")

    monkeypatch.setattr(load_module, "Workbook", refuse)
    assert len(load_data(write_tiny_data(tmp_path / "d"))) == len(TABLES)


def test_the_fingerprint_follows_the_workbook(tiny_book):
    before = fingerprint(tiny_book)
    assert before == load_data(tiny_book).fingerprint
    edit(tiny_book, lambda wb: wb["market_index"].__setitem__("C2", 101))
    assert fingerprint(tiny_book) != before


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (None, None),
        ("", None),
        (" 12 ", " 12 "),
        (12, "12"),
        (12.0, "12"),
        (0.1 + 0.2, "0.30000000000000004"),
        (1e-7, "1e-07"),
        (False, "false"),
        (dt.datetime(2025, 7, 1), "2025-07-01"),
        (dt.datetime(2025, 7, 1, 14, 30), "2025-07-01 14:30:00"),
        (dt.datetime(2025, 7, 1, 14, 30, 0, 250000), "2025-07-01 14:30:00.250"),
        (dt.date(2025, 7, 1), "2025-07-01"),
        (dt.time(14, 30), "14:30:00"),
    ],
)
def test_cell_text(value, text):
    assert cell_text(value) == text
