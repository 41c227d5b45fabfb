"""The committed data contract is generated from the schemas and agrees with them."""

from __future__ import annotations

import re

import pytest
from pandera.engines import pandas_engine

from trackreport.data.contract import COLUMN_HEADER, KIND_WORDS, render_contract
from trackreport.data.schema import KINDS, TABLES
from trackreport.paths import DOCS_DIR

CONTRACT = DOCS_DIR / "data-contract.md"


def split_row(line: str) -> list[str]:
    """Cells of a Markdown table row, with escaped pipes restored."""
    cells = re.split(r"(?<!\\)\|", line.strip())[1:-1]
    return [c.strip().replace("\\|", "|") for c in cells]


def parse_contract(text: str) -> dict[str, dict]:
    """Each table section of the document: its key, chapters and column rows."""
    sections = {}
    for block in re.split(r"^### ", text, flags=re.M)[1:]:
        lines = block.splitlines()
        name = lines[0].strip("`")
        rows = [split_row(line) for line in lines if line.startswith("|")]
        assert tuple(rows[0]) == COLUMN_HEADER, name
        assert set("".join(rows[1])) == {"-"}, name  # the separator row
        meta = dict(line[2:].split(": ", 1) for line in lines if line.startswith("- ") and ": " in line)
        sections[name] = {
            "key": tuple(re.findall(r"`([^`]+)`", meta["Key"])),
            "needed": meta["Needed by chapters"],
            "used": meta["Used when present by chapters"],
            "columns": [dict(zip(COLUMN_HEADER, r)) for r in rows[2:]],
        }
    return sections


def test_committed_contract_is_generated_from_the_schemas():
    assert CONTRACT.read_text(encoding="utf-8") == render_contract(), (
        "docs/data-contract.md is stale: run `python -m trackreport contract --out docs/data-contract.md`"
    )


@pytest.fixture(scope="module")
def sections() -> dict[str, dict]:
    return parse_contract(CONTRACT.read_text(encoding="utf-8"))


def test_document_lists_every_table_once(sections):
    assert list(sections) == list(TABLES)


@pytest.mark.parametrize("name", list(TABLES))
def test_column_table_matches_the_schema(sections, name):
    table, section = TABLES[name], sections[name]
    schema = table.schema
    assert section["key"] == table.key
    from trackreport.data.schema import BASE_TABLES, chapter_tables

    numbers = sorted({n.rstrip("?") for t in TABLES.values() for n in t.chapters})
    needed = [n for n in numbers if name in chapter_tables(n)[0]]
    used = [n for n in numbers if name in chapter_tables(n)[1]]
    if name in BASE_TABLES:
        assert section["needed"].startswith("all") and section["used"] == "none"
    else:
        assert section["needed"] == (", ".join(needed) or "none"), name
        assert section["used"] == (", ".join(used) or "none"), name
    assert [row["Column"].strip("`") for row in section["columns"]] == list(schema.columns)
    for row in section["columns"]:
        col = table.column(row["Column"].strip("`"))
        pa_col = schema.columns[col.name]
        assert row["Type"] == col.kind
        assert pa_col.dtype == pandas_engine.Engine.dtype(KINDS[row["Type"]])
        assert row["Required"] == ("optional" if pa_col.nullable else "required")
        assert row["Unit"] == (col.unit or "")
        assert row["Rules"] == col.rule()
        assert row["Description"] == pa_col.description
        # every pandera check of the column is spelt out in the rules cell
        for check in pa_col.checks:
            for value in check.statistics.values():
                values = value if isinstance(value, (list, tuple, set)) else [value]
                for v in values:
                    shown = f"{v:g}" if isinstance(v, (int, float)) else getattr(v, "pattern", v)
                    assert str(shown) in row["Rules"], (col.name, check.name, v)


def test_every_column_type_is_explained():
    assert list(KIND_WORDS) == list(KINDS)
    text = render_contract()
    for kind in KINDS:
        assert f"| {kind} | " in text


def test_intro_covers_formats_encodings_booleans_dates_money():
    intro = render_contract().split("## Tables")[0]
    for words in (
        "<table>.csv",
        "<table>.parquet",
        "utf-8-sig",
        "gb18030",
        "GBK",
        "`true`/`false`",
        "`yes`/`no`",
        "YYYY-MM-DD",
        "Money",
        "CNY",
        "header is line 1",
    ):
        assert words in intro, words
