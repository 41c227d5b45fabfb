"""Chapter 00: tiles and findings come from the recorded headlines, never recomputed."""

from __future__ import annotations

import json

from trackreport.chapters import summary

RECORDED = [
    {
        "chapter": "06",
        "name": "sales_effect_relative",
        "label": "Sales",
        "value": 0.12,
        "ci_low": -0.02,
        "ci_high": 0.26,
        "unit": "relative",
        "n": 65,
    },
    {
        "chapter": "10",
        "name": "roi",
        "label": "ROI",
        "value": 0.2,
        "ci_low": -1.2,
        "ci_high": 1.6,
        "unit": "share",
        "n": 65,
        "target": 1.5,
        "status": "not distinguishable from target",
    },
    {
        "chapter": "09",
        "name": "nps_after",
        "label": "NPS",
        "value": 42.3,
        "ci_low": 36.9,
        "ci_high": 47.6,
        "unit": "points",
        "n": 681,
        "target": 50.0,
        "status": "not met",
    },
    {
        "chapter": "05",
        "name": "stage_test_average",
        "label": "Stage tests",
        "value": 88.3,
        "unit": "points",
        "n": 45,
        "target": 80.0,
        "status": "met",
    },
    {
        "chapter": "10",
        "name": "vendor_roi_00",
        "label": "Vendor A, ROI in 2025",
        "value": 1.05,
        "unit": "share",
        "n": 2,
        "target": 1.2,
        "status": "not met",
    },
    {
        "chapter": "03",
        "name": "trainer_score_T01",
        "label": "Trainer T01",
        "value": 80.0,
        "ci_low": 76.0,
        "ci_high": 84.0,
        "unit": "points",
        "n": 30,
        "target": 85.0,
        "status": "not met",
    },
    {
        "chapter": "03",
        "name": "trainer_score_T02",
        "label": "Trainer T02",
        "value": 90.0,
        "ci_low": 86.0,
        "ci_high": 94.0,
        "unit": "points",
        "n": 30,
        "target": 85.0,
        "status": "met",
    },
    {
        "chapter": "06",
        "name": "new_clients_effect",
        "label": "New clients",
        "value": 0.08,
        "ci_low": -0.15,
        "ci_high": 0.31,
        "unit": "relative",
        "n": 65,
        "target": 0.2,
        "status": "not distinguishable from target",
    },
    {
        "chapter": "06",
        "name": "win_rate_effect",
        "label": "Win rate",
        "value": 0.02,
        "ci_low": -0.01,
        "ci_high": 0.05,
        "unit": "pp",
        "n": 65,
    },
    {
        "chapter": "13",
        "name": "module_score_m1",
        "label": "Module M1",
        "value": 64.5,
        "ci_low": 60.1,
        "ci_high": 68.9,
        "unit": "points",
        "n": 22,
    },
]


def test_tiles_keep_the_recorded_numbers_and_statuses():
    t = {x["name"]: x for x in summary.tiles(RECORDED)}
    assert set(t) == {"sales_effect_relative", "roi", "nps_after", "stage_test_average"}
    assert t["sales_effect_relative"]["status"] == "not distinguishable from zero"
    assert t["roi"]["status"] == "not distinguishable from target" and t["roi"]["value"] == 0.2
    html = summary.tiles_html(list(t.values()))
    assert "flex-wrap:wrap" in html and "+12%" in html and "95% CI -120% to 160%" in html


def test_findings_name_their_number_with_n_and_interval_in_order():
    f = summary.findings(RECORDED, limit=10)
    stop = "**Stop**: Vendor A, ROI in 2025: ROI 105% (no interval recorded; n = 2); below the 120% floor (ch. 10)."
    assert f[0] == stop
    assert f[1] == "**Fix**: 1 module scores below 70: Module M1: 64.5 (95% CI 60.1 to 68.9; n = 22) (ch. 13)."
    assert f[2] == "**Fix**: 1 trainer scores below 85: Trainer T01: 80.0 (95% CI 76.0 to 84.0; n = 30) (ch. 03)."
    assert f[3].startswith("**Fix**: NPS misses its target: 42.3 (95% CI 36.9 to 47.6; n = 681)")
    assert f[4].startswith("**More data**: New clients: +8% (95% CI -15% to +31%; n = 65)") and "+20%" in f[4]
    assert f[5].startswith("**Keep**: Stage tests meets its target")
    # trainers meeting the floor and effects without a target give no finding of their own
    assert not any("T02" in x or "Win rate" in x for x in f)
    assert len(summary.findings(RECORDED)) == 5


def test_findings_follow_the_thresholds_and_the_interval():
    f = summary.findings(RECORDED, trainer_floor=82, module_floor=60, vendor_floor=1.0, limit=10)
    assert any("Trainer T01: 80.0 (95% CI 76.0 to 84.0; n = 30), its interval reaching 82" in x for x in f)
    two = summary.findings(RECORDED, trainer_floor=95, limit=10)
    assert any(x.startswith("**Fix**: 2 trainers score below 95: Trainer T01: 80.0") and "T02: 90.0" in x for x in two)
    assert not any("Module M1" in x or "Vendor A" in x for x in f)


def test_underpowered_means_an_interval_wider_than_twice_the_target():
    assert [m["name"] for m in summary.underpowered(RECORDED)] == ["new_clients_effect"]
    (nc,) = (m for m in RECORDED if m["name"] == "new_clients_effect")
    assert summary.underpowered([{**nc, "ci_low": 0.0, "ci_high": 0.39}]) == []  # width 0.39 < 2 x 0.2
    assert summary.underpowered([{**nc, "ci_low": 0.0, "ci_high": 0.41}]) != []


def test_attributed_effects_are_the_recorded_06_effects_for_the_forest():
    t = summary.attributed_effects(RECORDED).set_index("label")
    assert list(t.index) == ["Sales", "New clients", "Win rate"]
    renamed = summary.attributed_effects([{**RECORDED[0], "label": "Training effect on win rate"}])
    assert renamed["label"][0] == "Win rate"
    assert t.loc["Sales", "kind"] == "relative" and t.loc["Sales", "relative_ci_high"] == 0.26
    assert t.loc["Win rate", "kind"] == "share" and t.loc["Win rate", "effect_ci_low"] == -0.01
    from trackreport.plots.results import effects_forest

    fig = effects_forest(t.reset_index(), title="t")
    from matplotlib.collections import LineCollection

    drawn = {  # the whiskers: (low, high) of each horizontal interval segment
        tuple(round(float(x), 6) for x in seg[:, 0])
        for ax in fig.axes
        for coll in ax.collections
        if isinstance(coll, LineCollection)
        for seg in coll.get_segments()
    }
    assert {(-0.02, 0.26), (-0.15, 0.31), (-1.0, 5.0)} <= drawn  # the recorded intervals (pp part in points)


def test_read_recorded_beside_the_run_parameters(tmp_path):
    assert summary.read_recorded("") is None
    assert summary.read_recorded(tmp_path / "params.yaml") is None
    (tmp_path / summary.RECORDED_FILE).write_text(json.dumps(RECORDED), encoding="utf-8")
    assert summary.read_recorded(tmp_path / "params.yaml") == RECORDED
