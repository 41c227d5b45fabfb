"""The report's index (opens on the summary) and the cross-team matrix, from build.json and metrics.json only."""

from __future__ import annotations

import json
import re
from pathlib import Path

from trackreport.report.render import CONTENTS_FILE, write_report_index, write_top_index

META = {
    "team": "east",
    "quarter": "2025Q3",
    "data_dir": "/data",
    "fingerprint": "f" * 64,
    "version": "9.9",
    "generated": "2025-10-01 09:00",
    "params_yaml": "team: east\n",
}
METRICS = [
    {"chapter": "06", "name": "sales_effect_relative", "label": "Sales", "value": 0.081, "ci_low": 0.012,
     "ci_high": 0.15, "unit": "relative", "n": 45},
    {"chapter": "10", "name": "roi", "label": "ROI", "value": 0.57, "ci_low": -0.4, "ci_high": 1.6, "unit": "share",
     "n": 45, "target": 1.5, "status": "not distinguishable from target"},
]  # fmt: skip


def _chapters(*statuses: tuple[str, str]) -> list[dict]:
    return [
        {
            "number": num,
            "title": f"{num} T",
            "file": f"{num}_x.html",
            "status": st,
            "error": "" if st == "ok" else "boom",
        }
        for num, st in statuses
    ]


def test_index_opens_on_the_summary_and_contents_keep_metadata_and_headlines(tmp_path):
    write_report_index(tmp_path, META, _chapters(("00", "ok"), ("06", "ok")), METRICS)
    index = (tmp_path / "index.html").read_text(encoding="utf-8")
    assert "http-equiv='refresh' content='0; url=00_x.html'" in index
    assert f"href='{CONTENTS_FILE}'" in index and "href='00_x.html'" in index
    contents = (tmp_path / CONTENTS_FILE).read_text(encoding="utf-8")
    for item in ("id='about'", "id='headlines'", "fingerprint", "trackreport version", "9.9", "Generated",
                 "team: east", "metrics.json", "params.yaml", "+8.1%", "href='00_x.html'>Summary"):  # fmt: skip
        assert item in contents, item


def test_index_is_the_contents_when_a_chapter_failed_or_there_is_no_summary(tmp_path):
    write_report_index(tmp_path, META, _chapters(("00", "ok"), ("06", "failed")), METRICS)
    index = (tmp_path / "index.html").read_text(encoding="utf-8")
    assert "refresh" not in index and "failed" in index and "boom" in index
    write_report_index(tmp_path, META, _chapters(("06", "ok")), METRICS)
    assert "refresh" not in (tmp_path / "index.html").read_text(encoding="utf-8")


def _report(out: Path, team: str, quarter: str, *, fp: str = "cur", failed: bool = False, metrics=METRICS) -> None:
    folder = out / team / quarter
    folder.mkdir(parents=True)
    chapters = [{"stem": "06_sales", "status": "failed" if failed else "ok"}, {"stem": "10_cost", "status": "ok"}]
    build = {"team": team, "quarter": quarter, "data_fingerprint": fp, "chapters": chapters, "generated": "x"}
    (folder / "build.json").write_text(json.dumps(build), encoding="utf-8")
    (folder / "metrics.json").write_text(json.dumps({"metrics": metrics}), encoding="utf-8")


def _cells(page: str) -> dict[tuple[str, str], str]:
    quarters = re.findall(r"<th scope='col'>(\d{4}Q\d)</th>", page)
    out = {}
    for team, row in re.findall(r"<tr><th scope='row'>(\w+)</th>(.*?)</tr>", page):
        for q, cell in zip(quarters, re.findall(r"<td[^>]*>(.*?)</td>", row)):
            out[(team, q)] = cell
    return out


def test_top_index_is_a_team_by_quarter_matrix_with_status_and_figures(tmp_path):
    _report(tmp_path, "east", "2025Q3")
    _report(tmp_path, "east", "2025Q2", fp="old")
    _report(tmp_path, "west", "2025Q3", failed=True, metrics=[])
    _report(tmp_path, "north", "2025Q3")
    _report(tmp_path, "north", "2025Q3.failed", failed=True)  # a newer run that failed; the good one was kept
    page = write_top_index(tmp_path, fingerprint="cur").read_text(encoding="utf-8")
    cells = _cells(page)
    assert set(cells) == {(t, q) for t in ("east", "north", "west") for q in ("2025Q2", "2025Q3")}
    east = cells[("east", "2025Q3")]
    assert "href='east/2025Q3/index.html'" in east and "class='ok'>ok<" in east
    assert "Sales effect: +8.1%" in east and "(+1.2% to +15.0%)" in east and "n = 45" in east
    assert "ROI: 57.0%" in east and "(-40.0% to 160.0%)" in east and "NPS: n/a" in east
    assert "class='stale'>stale" in cells[("east", "2025Q2")]
    assert "class='failed'>failed: 1 chapter(s)" in cells[("west", "2025Q3")]
    north = cells[("north", "2025Q3")]
    assert "class='ok'>ok<" in north and "href='north/2025Q3.failed/index.html'" in north
    assert "no report" in cells[("west", "2025Q2")]
    # phone and print: the table scrolls inside its box with a visible cue, and prints whole
    assert "class='scroll'" in page and "class='cue'" in page and "@media (max-width: 700px)" in page
    assert "@media print" in page and "width=device-width" in page
    # without the current fingerprint nothing is called stale
    assert "stale:" not in write_top_index(tmp_path).read_text(encoding="utf-8")


def test_top_index_without_reports(tmp_path):
    assert "No report has been built yet" in write_top_index(tmp_path).read_text(encoding="utf-8")
