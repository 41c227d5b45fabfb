"""Bring your own data: any subset of the tables; chapters declare what they need."""

from __future__ import annotations

import json
import shutil

import pandas as pd
import pytest

from trackreport.chapters import costs
from trackreport.chapters.summary import missing_evidence
from trackreport.cli import main
from trackreport.data.load import Dataset, UndeclaredTableError, load_data, validate_folder
from trackreport.data.schema import BASE_TABLES, TABLES, chapter_tables, missing_tables
from trackreport.errors import TrackreportError
from trackreport.paths import SAMPLE_DIR
from trackreport.report.catalog import discover_chapters
from trackreport.report.params import resolve
from trackreport.report.runner import plan_chapters

CHAPTERS = discover_chapters()
FIVE = ("employees", "courses", "enrollments", "reaction_surveys", "assessments")


def test_every_declared_chapter_exists_and_every_chapter_needs_the_base_tables():
    numbers = {ch.number for ch in CHAPTERS}
    for t in TABLES.values():
        assert t.chapters, t.name
        assert {n.rstrip("?") for n in t.chapters} <= numbers, t.name
    for ch in CHAPTERS:
        needs, optional = chapter_tables(ch.number)
        assert needs[: len(BASE_TABLES)] == BASE_TABLES
        assert not set(needs) & set(optional)


def test_a_chapters_view_refuses_undeclared_tables(sample_data):
    view = sample_data.only(sum(chapter_tables("12"), ()), reader="chapter 12")
    assert len(view["kb_usage"]) > 0
    assert "meetings" in sample_data
    with pytest.raises(UndeclaredTableError, match="chapter 12 reads table 'meetings'"):
        "meetings" in view  # noqa: B015  (asking is reading)
    with pytest.raises(UndeclaredTableError):
        view["meetings"]
    assert set(view.present) == set(sample_data)


@pytest.mark.parametrize("table", list(TABLES))
def test_every_table_missing_in_turn_is_planned_not_a_traceback(table, tiny_data, capsys):
    present = [t for t in TABLES if t != table]
    if table in BASE_TABLES:
        with pytest.raises(TrackreportError, match=f"the data lack {table}"):
            plan_chapters(CHAPTERS, present, requested=False)
    else:
        unavailable = plan_chapters(CHAPTERS, present, requested=False)
        assert unavailable == {ch.stem: [table] for ch in CHAPTERS if table in chapter_tables(ch.number)[0]}
        sentence = missing_evidence(present)
        assert (f"`{table}`" in sentence) if unavailable else sentence is None
        if unavailable:  # asking for such a chapter by name is an error, not a skipped chapter
            with pytest.raises(TrackreportError, match=f"needs {table}, which the data lack"):
                plan_chapters(CHAPTERS, present, requested=True)
    # the same folder on disk: validation checks what is there, nothing is raised
    (tiny_data / f"{table}.csv").unlink()
    code = main(["validate", str(tiny_data)])
    out = capsys.readouterr().out
    assert code == (1 if table in BASE_TABLES else 0)
    assert "Traceback" not in out
    if table not in BASE_TABLES and any(table in chapter_tables(ch.number)[0] for ch in CHAPTERS):
        assert "Chapters not available for lack of data" in out and f"needs {table}" in out.replace(", ", " ")


def test_tables_asked_for_by_name_are_still_required(tiny_data):
    (tiny_data / "meetings.csv").unlink()
    assert [p.rule for p in validate_folder(tiny_data, tables=["meetings"])] == [
        "missing file (expected meetings.csv or meetings.parquet)"
    ]
    assert "meetings" not in load_data(tiny_data).present


def test_foreign_keys_are_checked_between_the_tables_present(tiny_data):
    for t in TABLES:
        if t not in ("employees", "enrollments", "courses"):
            (tiny_data / f"{t}.csv").unlink()
    text = (tiny_data / "enrollments.csv").read_text(encoding="utf-8").splitlines()
    first = text[1].split(",")
    first[0] = "nobody"
    (tiny_data / "enrollments.csv").write_text("\n".join([text[0], ",".join(first), *text[2:]]) + "\n")
    rules = [p.rule for p in validate_folder(tiny_data)]
    assert any(r.startswith("unknown employee_id") for r in rules), rules


def test_without_hourly_cost_participants_time_is_left_out_with_a_note(tiny_data, sample_data):
    emp = (tiny_data / "employees.csv").read_text(encoding="utf-8")
    df = pd.read_csv(tiny_data / "employees.csv", dtype=str, keep_default_na=False)
    assert "hourly_cost" in emp
    df.drop(columns="hourly_cost").to_csv(tiny_data / "employees.csv", index=False)
    assert "hourly_cost" not in load_data(tiny_data)["employees"]

    class _Ch:
        def __init__(self, data):
            self.data, self.params, self.members, self._memo = data, resolve("east", "2025Q2"), None, {}

        def shared(self, name, compute):
            return self._memo.setdefault(name, compute())

    full = _Ch(sample_data)
    tables = dict(sample_data.tables)
    tables["employees"] = tables["employees"].drop(columns="hourly_cost")
    lean = _Ch(Dataset(tables, folder=SAMPLE_DIR, fingerprint="x"))
    assert costs.participant_time_note(full) is None
    assert "hourly_cost" in costs.participant_time_note(lean)
    a, b = costs.cost_table(full).set_index("category"), costs.cost_table(lean).set_index("category")
    # everything but participants' time is unchanged; the sample books no participant time for this cohort
    # beyond what hours x cost give, so the lean table's participant time is what was booked
    same = [c for c in a.index if c not in ("Participants' time", "Fully loaded cost")]
    pd.testing.assert_series_equal(a.loc[same, "total"], b.loc[same, "total"])


def test_five_tables_give_a_report_with_the_chapters_they_support(tmp_path, capsys):
    data = tmp_path / "five"
    data.mkdir()
    for t in FIVE:
        shutil.copy2(SAMPLE_DIR / f"{t}.csv", data / f"{t}.csv")
    out = tmp_path / "reports"
    code = main(["report", "--team", "east", "--quarter", "2025Q3", "--data", str(data), "--out", str(out)])
    printed = capsys.readouterr()
    assert code == 0, printed
    report = out / "east" / "2025Q3"
    build = json.loads((report / "build.json").read_text(encoding="utf-8"))
    status = {c["number"]: c["status"] for c in build["chapters"]}
    expected_ok = {ch.number for ch in CHAPTERS if not missing_tables(ch.number, FIVE)}
    assert {n for n, s in status.items() if s == "ok"} == expected_ok
    assert {"00", "01", "02"} <= expected_ok
    assert {n for n, s in status.items() if s != "ok"} == {n for n in status if n not in expected_ok}
    assert set(status.values()) == {"ok", "not available"}
    contents = (report / "contents.html").read_text(encoding="utf-8")
    assert "not available</span>: needs <code>meetings</code>" in contents
    assert (report / "index.html").read_text(encoding="utf-8").count("00_summary.html") >= 1  # opens the summary
    summary = (report / "00_summary.html").read_text(encoding="utf-8")
    assert "Evidence missing from this report" in summary
    chapter1 = (report / "01_goals.html").read_text(encoding="utf-8")
    assert "Trainees by segment" in chapter1 and "needs <code>ratings_360</code>" in chapter1
    top = (out / "index.html").read_text(encoding="utf-8")
    assert "failed:" not in top and "chapter(s) not available" in top
