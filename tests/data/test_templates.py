"""`init`: templates written from the contract (CSV headers, the workbook's explanation sheet, drop-down
lists, formats), never overwriting unless forced; an init folder validates as "nothing provided yet"."""

from __future__ import annotations

import csv
import hashlib
import io

import openpyxl
import pytest

from trackreport.cli import main
from trackreport.data.contract import table_chapters
from trackreport.data.excel import ABOUT_SHEET
from trackreport.data.load import load_data
from trackreport.data.schema import TABLES
from trackreport.data.templates import EXCEL_FORMATS, WORKBOOK, write_templates
from trackreport.errors import TrackreportError


def state(folder):
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


@pytest.fixture(scope="module")
def templates(tmp_path_factory):
    folder = tmp_path_factory.mktemp("init") / "mydata"
    assert main(["init", str(folder)]) == 0
    return folder


@pytest.fixture(scope="module")
def book(templates):
    return openpyxl.load_workbook(templates / WORKBOOK)


def test_one_header_only_csv_per_table(templates):
    assert sorted(p.name for p in templates.glob("*.csv")) == sorted(f"{t}.csv" for t in TABLES)
    for name, table in TABLES.items():
        data = (templates / f"{name}.csv").read_bytes()
        assert data.startswith(b"\xef\xbb\xbf")  # the BOM: Excel opens it as UTF-8
        assert list(csv.reader(io.StringIO(data.decode("utf-8-sig")))) == [table.column_names]


def test_the_workbook_has_the_explanation_first_then_a_sheet_per_table(book):
    assert book.sheetnames == [ABOUT_SHEET, *TABLES]
    for name, table in TABLES.items():
        ws = book[name]
        assert [c.value for c in ws[1]] == table.column_names
        assert ws.max_row == 1
        assert ws.freeze_panes == "A2"
        for j, col in enumerate(table.columns, 1):
            assert col.description in ws.cell(row=1, column=j).comment.text


def test_the_explanation_sheet_is_the_contract(book):
    rows = [tuple(r) for r in book[ABOUT_SHEET].iter_rows(values_only=True)]
    header = rows.index(("Table", "Column", "Type", "Unit", "Required", "Allowed values and rules", "Description",
                         "Chapters"))  # fmt: skip
    body = rows[header + 1 :]
    expected = []
    for table in TABLES.values():
        needed, used = table_chapters(table)
        expected.append((table.name, None, "table", None, None, f"key: {', '.join(table.key)}", table.description,
                         f"needed by: {needed}; used when present by: {used}"))  # fmt: skip
        for col in table.columns:
            required = "optional" if col.nullable else "required"
            required += " (the column may be left out)" if col.optional else ""
            expected.append((table.name, col.name, col.kind, col.unit, required, col.rule().replace("`", "") or None,
                             col.description, None))  # fmt: skip
    assert body == expected


def test_drop_down_lists_and_formats_follow_the_columns(book):
    for name, table in TABLES.items():
        ws = book[name]
        lists = {str(dv.sqref): dv.formula1 for dv in ws.data_validations.dataValidation}
        for j, col in enumerate(table.columns, 1):
            letter = openpyxl.utils.get_column_letter(j)
            cells = f"{letter}2:{letter}1048576"
            if col.isin is not None:
                assert lists.pop(cells) == '"' + ",".join(col.isin) + '"', (name, col.name)
            elif col.kind == "bool":
                assert lists.pop(cells) == '"true,false"', (name, col.name)
            fmt = ws.column_dimensions[letter].number_format
            assert fmt == EXCEL_FORMATS.get(col.kind, "General"), (name, col.name, fmt)
        assert lists == {}, name


def test_an_init_folder_holds_nothing_yet(templates, capsys):
    ds = load_data(templates)
    assert ds.present == ()
    assert ds.notices == (f"tables left empty (header only), so taken as not provided: {', '.join(TABLES)}",)
    assert main(["validate", str(templates)]) == 1
    assert "Every report needs employees, courses, enrollments" in capsys.readouterr().out


def test_init_refuses_to_overwrite_and_writes_nothing(tmp_path, capsys):
    folder = tmp_path / "d"
    folder.mkdir()
    (folder / "orders.csv").write_text("mine\n", encoding="utf-8")
    before = state(folder)
    assert main(["init", str(folder)]) == 1
    err = capsys.readouterr().err
    assert "1 template file(s) already exist" in err and "orders.csv" in err and "--force" in err
    assert state(folder) == before
    with pytest.raises(TrackreportError, match="already exist"):
        write_templates(folder, what="csv")
    assert write_templates(folder, what="excel") == [folder / WORKBOOK]  # the workbook does not exist yet
    assert main(["init", "--format", "csv", "--force", str(folder)]) == 0
    assert (folder / "orders.csv").read_text(encoding="utf-8-sig").startswith("order_id,")


def test_init_formats(tmp_path):
    assert [p.name for p in write_templates(tmp_path / "x", what="excel")] == [WORKBOOK]
    assert {p.suffix for p in write_templates(tmp_path / "c", what="csv")} == {".csv"}
    assert main(["init", "--format", "pdf", str(tmp_path / "p")]) == 2
    assert main(["init", ""]) == 2
    (tmp_path / "file").write_text("x")
    assert main(["init", str(tmp_path / "file")]) == 1
