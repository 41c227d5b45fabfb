"""The explorer: widgets show what the package functions return, and the report's figures at its defaults."""

from __future__ import annotations

import json
import math

import nbformat
import pytest

from trackreport.chapters import sales
from trackreport.paths import NOTEBOOKS_DIR
from trackreport.report import explore
from trackreport.report.catalog import discover_chapters
from trackreport.stats.estimate import Estimate

EXPLORE_NB = NOTEBOOKS_DIR / "explore.ipynb"


@pytest.fixture(scope="module")
def explorer(sample_data):
    return explore.Explorer(sample_data, team="east", quarter="2025Q3")


def _metrics(sample_reports, team="east", quarter="2025Q3") -> dict[str, dict]:
    out, _ = sample_reports
    recs = json.loads((out / team / quarter / "metrics.json").read_text(encoding="utf-8"))["metrics"]
    return {m["name"]: m for m in recs}


def _same(est: Estimate, rec: dict) -> None:
    assert est.value == pytest.approx(rec["value"], rel=1e-9)
    assert est.ci_low == pytest.approx(rec["ci_low"], rel=1e-9)
    assert est.ci_high == pytest.approx(rec["ci_high"], rel=1e-9)
    assert est.n == rec["n"]


def test_the_explorer_is_no_chapter_and_is_committed_clean():
    assert EXPLORE_NB.is_file()
    assert EXPLORE_NB not in {c.path for c in discover_chapters()}
    nb = nbformat.read(EXPLORE_NB, as_version=4)
    assert nb.metadata["kernelspec"]["name"] == "python3"
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code and all(c.outputs == [] and c.execution_count is None for c in code)
    assert "Explorer(" in "".join(c.source for c in code)


def test_reports_never_include_the_explorer(sample_reports):
    out, _ = sample_reports
    assert not list(out.rglob("explore*"))


def test_defaults_show_the_report_figures(explorer, sample_reports):
    """At the report's settings the widgets show chapter 06's and chapter 10's numbers (metrics.json)."""
    m = _metrics(sample_reports)
    view = explorer.last["view"]
    _same(view.estimate, m["sales_effect_relative"])
    assert explore.estimate_html("x", view.estimate, "relative").split(": ", 1)[1] in explorer.headline.value
    figures = explorer.last["roi"]
    _same(figures["roi"], m["roi"])
    _same(figures["bcr"], m["bcr"])
    grid = explorer.last["sensitivity"]
    mine = grid[grid["report_choice"]]
    assert len(mine) == 1
    assert mine["effect"].iloc[0] == pytest.approx(m["sales_effect_relative"]["value"], rel=1e-9)
    assert "(report)" in mine["comparison"].iloc[0]
    assert explorer.comparison.label.endswith("(report)")


def test_widget_values_show_the_functions_results(explorer, sample_data):
    explorer.set(measure="win_rate", before=2, after=4, comparison="never", min_group=3)
    ch = explore.explorer_chapter(sample_data, "east", "2025Q3", before_months=2, after_months=4)
    assert (ch.params.windows.before_months, ch.params.windows.after_months) == (2, 4)
    want = explore.attribution_view(ch, measure="win_rate", comparison="never", min_group_size=3)
    got = explorer.last["view"]
    assert got.estimate == want.estimate
    assert explorer.headline.value == explore.estimate_html(
        "Training effect on " + sales.MEASURES["win_rate"].label, want.estimate, "pp"
    )
    assert explorer.table.value == explore.table_html(want.shown, caption="What changed and what the training changed")
    assert explorer.chart.value[:4] == b"\x89PNG" and explorer.event_chart.value[:4] == b"\x89PNG"
    grid = explorer.last["sensitivity"]
    row = grid[(grid["before_months"] == 2) & (grid["after_months"] == 4) & grid["comparison"].eq("never trained only")]
    assert row["effect"].iloc[0] == pytest.approx(want.estimate.value, nan_ok=True)


def test_minimum_group_size_hides_the_effect(explorer):
    explorer.set(measure="sales", before=3, after=3, comparison="not_yet", min_group=50)  # 45 trained, 20 comparison
    assert explorer.last["view"].suppressed
    assert "not shown" in explorer.headline.value
    assert explorer.last["view"].shown.empty
    assert not explorer.last["sensitivity"]["shown"].any()
    explorer.set(min_group=5)
    assert not explorer.last["view"].suppressed


def test_a_small_comparison_group_hides_the_table_too(explorer):
    # 45 trained but 20 comparison reps: the rows rest on both groups, so none is shown
    explorer.set(measure="sales", before=3, after=3, comparison="not_yet", min_group=30)
    assert explorer.last["view"].suppressed
    assert explorer.last["view"].shown.empty


def test_roi_what_if_widgets_follow_the_function(explorer, sample_data):
    items = dict(explorer._roi_inputs["cost_items"])
    first = next(iter(items))
    items[first] = items[first] + 50_000.0
    explorer.set(margin=0.4, months=6, isolation=0.6, confidence=0.8, cost_items={first: items[first]})
    inputs = explore.report_roi_inputs(explore.explorer_chapter(sample_data, "east", "2025Q3"))
    want = explore.roi_what_if(
        inputs["effect"],
        trained=inputs["trained"],
        months=6,
        margin=0.4,
        isolation=0.6,
        confidence=0.8,
        cost_items=items,
    )
    got = explorer.last["roi"]
    assert got["roi"] == want["roi"] and got["bcr"] == want["bcr"] and got["cost"] == want["cost"]
    assert explore.estimate_html("ROI", want["roi"], "share") in explorer.roi_html.value


def test_roi_what_if_matches_phillips_arithmetic():
    """Hand arithmetic (Phillips 2003, ch. 5-8): B = effect x months x people x margin x isolation x confidence."""
    effect = Estimate(2_000.0, 800.0, 3_200.0, n=50)
    r = explore.roi_what_if(
        effect, trained=20, months=12, margin=0.25, isolation=0.5, confidence=0.8, cost_items={"a": 30_000, "b": 18_000}
    )
    k = 12 * 20 * 0.25 * 0.5 * 0.8
    cost = 48_000.0
    assert r["cost"] == cost
    assert r["benefit"].value == pytest.approx(2_000 * k)
    assert (r["benefit"].ci_low, r["benefit"].ci_high) == pytest.approx((800 * k, 3_200 * k))
    assert r["roi"].value == pytest.approx((2_000 * k - cost) / cost)
    assert r["bcr"].ci_high == pytest.approx(3_200 * k / cost)
    none = explore.roi_what_if(Estimate(math.nan, n=0), trained=20, months=12, margin=0.3, cost_items={"a": 1.0})
    assert none["benefit"].value == 0.0 and none["roi"].value == -1.0


def test_the_stricter_rule_drops_comparison_reps_ever_enrolled(sample_data):
    """A comparison rep with an enrollment outside any cohort run: kept by the report's rule, dropped by "never"."""
    import pandas as pd

    data = dict(sample_data)
    ch = explore.explorer_chapter(data, "east", "2025Q3")
    rep = ch.comparison["employee_id"].iloc[0]
    extra = data["enrollments"].iloc[[0]].copy()
    extra["employee_id"] = rep
    extra["course_id"] = "NOT-A-RUN"
    data["enrollments"] = pd.concat([data["enrollments"], extra], ignore_index=True)
    ch = explore.explorer_chapter(data, "east", "2025Q3")
    assert rep in set(ch.comparison["employee_id"])
    strict = explore.attribution_view(ch, measure="sales", comparison="never").table.set_index("measure")
    report = explore.attribution_view(ch, measure="sales", comparison="not_yet").table.set_index("measure")
    assert strict.loc["sales", "n_treated"] == report.loc["sales", "n_treated"]
    assert strict.loc["sales", "n_comparison"] == report.loc["sales", "n_comparison"] - 1
    with pytest.raises(ValueError, match="comparison must be one of"):
        explore.attribution_view(ch, comparison="everyone")
