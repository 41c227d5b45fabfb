"""Hostile data folders: each gets a clear problem (file, column, rule, rows) or is read right.

Memory stays bounded: a 200 MB single-line file is refused after its first MiB.
"""

from __future__ import annotations

import io
import os
import tracemalloc

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from conftest import write_tiny_data

from trackreport.cli import main
from trackreport.data.load import MAX_LINE_BYTES, fingerprint, load_data, validate_folder


def messages(folder, tables=None) -> list[str]:
    return [str(p) for p in validate_folder(folder, tables=tables)]


def one_message(folder, table: str) -> str:
    found = [
        m for m in messages(folder, list(dict.fromkeys(["market_index", "employees", table]))) if m.startswith(table)
    ]
    assert len(found) == 1, found
    return found[0]


def test_a_200_mb_single_line_is_refused_with_bounded_memory(tiny_data):
    path = tiny_data / "market_index.csv"
    block = b"region,month,index," * (1 << 16)  # 1.2 MiB, no line break
    with path.open("wb") as f:
        for _ in range(200 * (1 << 20) // len(block)):
            f.write(block)
    assert path.stat().st_size > 190 * (1 << 20)
    tracemalloc.start()
    try:
        problems = validate_folder(tiny_data, tables=["market_index"])
        fp = fingerprint(tiny_data, tables=["market_index"])
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert [str(p) for p in problems] == [
        "market_index.csv: line 1 is longer than 1 MiB: not a CSV table of the contract "
        "(a file without line breaks, or binary data?)"
    ]
    assert len(fp) == 64
    assert peak < 16 * MAX_LINE_BYTES  # the file is 200 MiB; what is read stays a few MiB


def test_a_long_line_after_good_lines_names_its_line(tiny_data):
    path = tiny_data / "market_index.csv"
    path.write_bytes(b"region,month,index\neast,2025-07-01,1\n" + b"x" * (MAX_LINE_BYTES + 10) + b"\n")
    assert "market_index.csv: line 3 is longer than 1 MiB" in one_message(tiny_data, "market_index")


@pytest.mark.parametrize(
    "content, words",
    [
        (os.urandom(4096).replace(b"\n", b"") + b"\0\0", "binary data (NUL bytes)"),
        (b"PK\x03\x04" + os.urandom(200), "Excel workbook (.xlsx)"),
        (b"\xd0\xcf\x11\xe0" + os.urandom(200), "old Excel workbook (.xls)"),
        (b"PAR1" + os.urandom(200), "a Parquet file; name it .parquet"),
        (b"\x89PNG\r\n" + os.urandom(200), "a PNG image"),
        (b"\x1f\x8b" + os.urandom(200), "gzip"),
    ],
)
def test_binary_file_named_csv(tiny_data, content, words):
    (tiny_data / "market_index.csv").write_bytes(content)
    message = one_message(tiny_data, "market_index")
    assert message.startswith("market_index.csv: not a CSV text file") and words in message


def test_a_csv_with_100000_columns_is_refused(tiny_data):
    header = ",".join(f"c{i}" for i in range(100_000))
    (tiny_data / "market_index.csv").write_text(header + "\n" + ",".join("1" * 100_000) + "\n", encoding="utf-8")
    assert one_message(tiny_data, "market_index") == (
        "market_index.csv: the header has 100,000 columns; the table has 3 (files of more than 1,000 columns are not read)"
    )


def test_a_parquet_with_100000_columns_is_refused(tiny_data):
    (tiny_data / "market_index.csv").unlink()
    pq.write_table(pa.table({f"c{i}": [1] for i in range(2000)}), tiny_data / "market_index.parquet")
    assert "the file has 2,000 columns" in one_message(tiny_data, "market_index")


def test_parquet_with_a_wrong_schema(tiny_data):
    (tiny_data / "market_index.csv").unlink()
    pq.write_table(
        pa.table({"region": ["east"], "when": ["2025-07-01"], "index": ["high"]}), tiny_data / "market_index.parquet"
    )
    found = messages(tiny_data, ["market_index"])
    assert "market_index.parquet, column month: missing column" in found
    assert "market_index.parquet, column when: unexpected column (not in the contract)" in found
    assert any(
        m.startswith("market_index.parquet, column index: not a number — 1 row fails, e.g. row 1: 'high'")
        for m in found
    )


@pytest.mark.parametrize("cut", ["footer", "truncated", "flipped"])
def test_parquet_with_a_corrupted_footer(tiny_data, cut):
    (tiny_data / "market_index.csv").unlink()
    buf = io.BytesIO()
    pq.write_table(pa.table({"region": ["east"], "month": ["2025-07-01"], "index": [1.0]}), buf)
    data = bytearray(buf.getvalue())
    if cut == "footer":
        data[-8:-4] = b"\xff\xff\xff\x7f"  # footer length far beyond the file
    elif cut == "truncated":
        data = data[: len(data) // 2]
    else:
        data[-20:-8] = bytes(b ^ 0xFF for b in data[-20:-8])
    (tiny_data / "market_index.parquet").write_bytes(bytes(data))
    message = one_message(tiny_data, "market_index")
    assert message.startswith("market_index.parquet: unreadable Parquet file (") and "\n" not in message


def test_symlink_pointing_outside_the_data_folder(tiny_data, tmp_path):
    outside = tmp_path / "elsewhere.csv"
    outside.write_bytes((tiny_data / "market_index.csv").read_bytes())
    (tiny_data / "market_index.csv").unlink()
    (tiny_data / "market_index.csv").symlink_to(outside)
    message = one_message(tiny_data, "market_index")
    assert message == (
        f"market_index.csv: symbolic link to {outside.resolve()}, outside the data folder; copy the file into the folder"
    )


def test_symlink_inside_the_folder_is_read_and_broken_link_reported(tiny_data):
    (tiny_data / "originals").mkdir()
    os.replace(tiny_data / "market_index.csv", tiny_data / "originals" / "m.csv")
    (tiny_data / "market_index.csv").symlink_to(tiny_data / "originals" / "m.csv")
    assert len(load_data(tiny_data, tables=["market_index"])["market_index"]) > 0
    (tiny_data / "originals" / "m.csv").unlink()
    assert one_message(tiny_data, "market_index") == "market_index.csv: broken symbolic link (it points to nothing)"


@pytest.mark.parametrize("kind", ["folder", "fifo", "device"])
def test_a_table_that_is_not_a_regular_file(tiny_data, kind):
    path = tiny_data / "market_index.csv"
    path.unlink()
    if kind == "folder":
        path.mkdir()
    elif kind == "fifo":
        os.mkfifo(path)  # reading it would block forever
    else:
        path.symlink_to("/dev/zero")  # reading it would never end
    expected = "outside the data folder" if kind == "device" else "not a regular file (a folder, device or pipe)"
    assert expected in one_message(tiny_data, "market_index")


def test_data_path_is_a_file_and_empty_folder(tmp_path, capsys):
    afile = tmp_path / "data.csv"
    afile.write_text("a\n", encoding="utf-8")
    assert messages(afile) == [f"{afile}: not a folder (it is a file); give the folder holding the tables"]
    empty = tmp_path / "empty"
    empty.mkdir()
    [only] = messages(empty)
    assert "no table files in the data folder (expected one <table>.csv or <table>.parquet" in only
    assert main(["validate", str(empty)]) == 1
    assert "is this the right folder?" in capsys.readouterr().out


def test_non_utf8_file_and_folder_names(tmp_path, capsys):
    folder = write_tiny_data(tmp_path / "donn\udce9es")  # a Latin-1 folder name, not valid UTF-8
    (folder / "employ\udce9s.csv").write_bytes(b"stray file\n")
    assert len(load_data(folder)) > 20
    assert main(["validate", os.fsdecode(os.fsencode(folder))]) == 0
    assert "OK:" in capsys.readouterr().out


def test_table_file_name_in_the_wrong_case(tiny_data):
    os.replace(tiny_data / "market_index.csv", tiny_data / "Market_Index.CSV")
    assert one_message(tiny_data, "market_index") == (
        "market_index.csv: missing file (expected market_index.csv or market_index.parquet); "
        "found Market_Index.CSV: file names are lower case"
    )


def _set_month(folder, value: str) -> None:
    (folder / "market_index.csv").write_text(f"region,month,index\neast,{value},101.5\n", encoding="utf-8")


def test_excel_serial_numbers_in_a_date_column(tiny_data):
    (tiny_data / "market_index.csv").write_text(
        "region,month,index\neast,45839,101.5\nwest,45870.0,99\n", encoding="utf-8"
    )
    assert one_message(tiny_data, "market_index") == (
        "market_index.csv, column month: unparsable date (expected YYYY-MM-DD); numbers like 45839 are Excel "
        "serial day numbers (2025-07-01): format the column as a date (YYYY-MM-DD) before saving — 2 rows fail, "
        "e.g. line 2: '45839', line 3: '45870.0'"
    )


def test_dates_in_1900_are_read_and_2999_is_refused(tiny_data):
    _set_month(tiny_data, "1900-01-01")
    ds = load_data(tiny_data, tables=["market_index"])
    assert str(ds["market_index"]["month"].iloc[0].date()) == "1900-01-01"
    _set_month(tiny_data, "2999-12-31")
    assert one_message(tiny_data, "market_index") == (
        "market_index.csv, column month: unparsable date (expected YYYY-MM-DD) or outside 1678-2261 — 1 row fails, "
        "e.g. line 2: '2999-12-31'"
    )


def test_duplicate_column_names_and_header_only(tiny_data):
    (tiny_data / "market_index.csv").write_text(
        "region,month,month,index\neast,2025-07-01,2025-08-01,1\n", encoding="utf-8"
    )
    assert one_message(tiny_data, "market_index") == "market_index.csv, column month: duplicate column name"
    (tiny_data / "market_index.csv").write_text("region,month,index\n", encoding="utf-8")
    assert one_message(tiny_data, "market_index") == "market_index.csv: empty table (header only, no data rows)"


def test_parquet_text_that_is_not_utf8(tiny_data):
    """Found by the property test: a flipped byte in an uncompressed text page."""
    (tiny_data / "market_index.csv").unlink()
    buf = io.BytesIO()
    pq.write_table(pa.table({"region": ["east"], "month": ["2025-07-01"], "index": [1.0]}), buf, compression="none")
    data = bytearray(buf.getvalue())
    data[data.find(b"east") + 1] ^= 0x80
    (tiny_data / "market_index.parquet").write_bytes(bytes(data))
    assert one_message(tiny_data, "market_index").startswith(
        "market_index.parquet: unreadable Parquet file: column region is damaged ("
    )
