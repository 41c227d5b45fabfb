"""The typed CSV fast path (``_read_typed_csv``) against the careful reader it stands in for.

Reference: the careful path (the file's cells as text, :func:`_read_simple_csv` or the
csv module, then :func:`_convert`). Wherever the fast path answers, its frame must be
the careful path's cell for cell; wherever the careful path finds a bad cell, or would
skip or renumber a line, the fast path must decline (None) so the careful path explains.
"""

from __future__ import annotations

import pandas as pd
import pytest
from conftest import write_tiny_data

from trackreport.data import load
from trackreport.data.schema import TABLES, Column, Table
from trackreport.paths import SAMPLE_DIR

KIND_TABLE = Table(
    "kinds",
    "one column of each kind",
    tuple(
        Column(k, k, k, nullable=True) for k in ("id", "text", "category", "int", "float", "bool", "date", "timestamp")
    ),
    ("id",),
    (),
)
GOOD = {
    "id": "E1",
    "text": "x y",
    "category": "a",
    "int": "12",
    "float": "1.5",
    "bool": "true",
    "date": "2025-01-31",
    "timestamp": "2025-01-31 10:15",
}


def _both(text: str, table: Table = KIND_TABLE):
    data = text.encode("utf-8")
    fast = load._read_csv(data, table, "t.csv", typed=True)
    careful = load._read_csv(data, table, "t.csv")
    load._convert(careful)
    return fast, careful


def _csv(**cells: str) -> str:
    row = {**GOOD, **cells}
    return ",".join(row) + "\n" + ",".join(row.values()) + "\n" + ",".join(GOOD.values()).replace("E1", "E2") + "\n"


# fmt: off
CELLS = (
    [("int", v) for v in ("0", "-7", "007", "+5", "5.0", "5.", " 5", "1e3", "9007199254740992", "9007199254740991",
                          "x", "")]
    + [("float", v) for v in ("1.25", "-0.5", ".5", "5.", "1e-3", "1E5", "+2", "inf", "nan", "NaN", "1,5", " 1",
                              "0x10", "0.1000000000000000055511151231257827", "1.7976931348623157e308", "1e400", "")]
    + [("bool", v) for v in ("true", "False", "YES", "no", "1", "0", "tRue", "y", " true", "2", "")]
    + [("date", v) for v in ("2025-02-28", "2024-02-29", "2025-02-29", "2025-2-01", "2025-02-30", "0001-01-01",
                             "3000-01-01", "2025-01-31 00:00", "31/01/2025", "45000", "\u0662\u0660\u0662\u0665-01-01",
                             "")]
    + [("timestamp", v) for v in ("2025-01-31T10:15:30", "2025-01-31 10:15:30.123456789", "2025-01-31",
                                  "2025-01-31Z", "2025-01-31 25:00", "")]
    + [("text", v) for v in ("  ", " padded ", "\u4e2d\u6587", "\u3000", "")]
    + [("id", "")]
)
# fmt: on


@pytest.mark.parametrize(("column", "cell"), CELLS)
def test_a_cell_is_read_as_the_careful_path_reads_it_or_left_to_it(column, cell):
    fast, careful = _both(_csv(**{column: cell}))
    if column in careful.bad_cells:
        assert fast.typed is None  # declined: the careful path reads the file as text and explains
        return
    if fast.typed is not None:
        pd.testing.assert_frame_equal(fast.typed, careful.typed, check_exact=True)
        assert fast.numbers.tolist() == careful.numbers.tolist() == [2, 3]


@pytest.mark.parametrize(
    "text",
    [
        "id,int\nE1,1\n\nE2,2\n",  # a blank line: skipped, the next keeps its line number
        "id,int\nE1,1\n,\nE2,2\n",  # a line of bare commas
        "id,int\nE1,1\nE2\n",  # a ragged row
        'id,int\n"E1",1\n',  # quotes
        "id,int\r\nE1,1\rE2,2\n",  # a lone carriage return
        "\nid,int\nE1,1\n",  # the header after a blank line
        "id,int,extra\nE1,1,x\n",  # a column not in the contract
        "id,id\nE1,E2\n",  # a duplicated column
        "id,int\n",  # a header without rows
    ],
)
def test_files_the_careful_path_reads_otherwise_are_left_to_it(text):
    table = Table("t", "", (Column("id", "id", ""), Column("int", "int", "", nullable=True)), ("id",), ())
    assert load._read_typed_csv(text, table, "t.csv", text.encode()) is None


def test_crlf_and_a_final_line_without_newline_read_alike():
    fast, careful = _both(_csv().replace("\n", "\r\n").rstrip("\r\n"))
    assert fast.typed is not None
    pd.testing.assert_frame_equal(fast.typed, careful.typed, check_exact=True)


@pytest.mark.parametrize("name", [n for n in TABLES if (SAMPLE_DIR / f"{n}.csv").exists()])
def test_every_sample_table_reads_typed_exactly_as_the_careful_path(name):
    data = (SAMPLE_DIR / f"{name}.csv").read_bytes()
    fast = load._read_csv(data, TABLES[name], f"{name}.csv", typed=True)
    careful = load._read_csv(data, TABLES[name], f"{name}.csv")
    load._convert(careful)
    assert fast.typed is not None, "the sample's files are plain: the fast path reads them"
    pd.testing.assert_frame_equal(fast.typed, careful.typed, check_exact=True)
    assert fast.numbers.tolist() == careful.numbers.tolist()
    assert fast.text().equals(careful.raw)  # the cells examples are shown from


def test_a_problem_found_after_a_typed_read_shows_the_cells_as_written(tmp_path):
    """Range checks run on the typed frame; the example shows the file's text, line numbered."""
    folder = write_tiny_data(tmp_path)
    path = folder / "reaction_surveys.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    col = next(c.name for c in TABLES["reaction_surveys"].columns if c.kind == "int" and c.le is not None)
    cells = lines[2].split(",")
    cells[header.index(col)] = "0099"
    lines[2] = ",".join(cells)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    problems = [p for p in load.validate_folder(folder, tables=["employees", "reaction_surveys"]) if p.column == col]
    assert len(problems) == 1 and problems[0].examples == ((3, "0099"),), problems


def test_plain_cells_are_read_typed():
    fast, careful = _both(_csv())
    assert fast.typed is not None and fast.text is not None
    pd.testing.assert_frame_equal(fast.typed, careful.typed, check_exact=True)
