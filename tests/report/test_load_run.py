"""Load, small and fast: a 6-team company through `trackreport report --all`, one chapter failing in one report.

The 40-team run itself is `make load` (minutes to an hour; not part of `make test`).
"""

from __future__ import annotations

import json
import shutil

from trackreport.cli import main
from trackreport.data.sample import company, simulate, write
from trackreport.paths import NOTEBOOKS_DIR
from trackreport.report.load import FAIL_MESSAGE, failing_notebooks, tree_rss_kb


def test_company_layout_names_regions_and_course_ids():
    layout, plan = company(40)
    assert len(layout) == 40 and len(set(layout)) == 40
    assert all(t.replace("-", "").isalnum() and t == t.lower() for t in layout)
    assert {r for r, _ in layout.values()} == {"east_china", "west_china", "north_china", "south_china"}
    assert plan["south-10"] == plan["south"] and layout["south-10"] == layout["south"]
    assert company() == company(4)
    s = simulate(seed=3, scale=0.1, teams=9)
    courses, emp = s.tables["courses"], s.tables["employees"]
    assert courses["course_id"].is_unique  # east, east-2 and east-3 share the initial E
    assert sorted(emp["team"].unique()) == sorted(company(9)[0])
    assert set(s.truth["company"]["teams"]) == set(company(9)[0])
    mi = s.tables["market_index"]
    assert not mi.duplicated(["region", "month"]).any() and mi["region"].nunique() == 4


def test_six_teams_one_failing_chapter_does_not_stop_the_other_reports(tmp_path, capsys):
    s = simulate(seed=5, scale=0.25, teams=6)
    write(s.tables, s.truth, tmp_path / "data")
    src = tmp_path / "src"
    src.mkdir()
    shutil.copy(NOTEBOOKS_DIR / "01_goals.ipynb", src)
    nbdir = failing_notebooks(tmp_path / "nb", team="west-2", chapter="01", source=src)
    out = tmp_path / "reports"
    rc = main(["report", "--all", "--data", str(tmp_path / "data"), "--out", str(out), "--notebooks", str(nbdir)])
    captured = capsys.readouterr()
    text = captured.out + captured.err
    assert rc == 1
    expected = {(c["team"], c["quarter"]) for c in s.truth["cohorts"]}
    assert len(expected) == 9  # east, north and their -2 copies have two cohorts
    summary = {line.split(":")[0].strip(): line for line in text.splitlines() if " -> " in line}
    assert set(summary) == {f"{t} {q}" for t, q in expected}, text
    assert summary["west-2 2025Q3"].endswith("(0 executed, 1 FAILED)"), text
    assert all(
        line.endswith("(1 executed)") and "published" in line for k, line in summary.items() if k != "west-2 2025Q3"
    )
    assert f"failed: 01_goals: RuntimeError: {FAIL_MESSAGE} for west-2" in text
    assert "8 of 9 chapter(s) executed without error" in text
    for c in s.truth["cohorts"]:
        metrics = out / c["team"] / c["quarter"] / "metrics.json"
        if c["team"] == "west-2":
            continue
        m = {x["name"]: x for x in json.loads(metrics.read_text(encoding="utf-8"))["metrics"]}
        assert m["trainees"]["value"] == c["n"], c["team"]  # the generator's truth
        assert m["comparison_reps"]["value"] > 0


def test_tree_rss_counts_this_process():
    total, single, n = tree_rss_kb(__import__("os").getpid())
    assert n >= 1 and total >= single > 10_000
