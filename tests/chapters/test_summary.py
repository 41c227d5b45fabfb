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
        "name": "vendors_to_drop",
        "label": "Vendors below 120% ROI 2 years running",
        "value": 1.0,
        "unit": "count",
        "n": 2,
    },
]


def test_tiles_keep_the_recorded_numbers_and_statuses():
    t = {x["name"]: x for x in summary.tiles(RECORDED)}
    assert set(t) == {"sales_effect_relative", "roi", "nps_after", "stage_test_average"}
    assert t["sales_effect_relative"]["status"] == "not distinguishable from zero"
    assert t["roi"]["status"] == "not distinguishable from target" and t["roi"]["value"] == 0.2
    html = summary.tiles_html(list(t.values()))
    assert "flex-wrap:wrap" in html and "+12%" in html and "95% CI -120% to 160%" in html


def test_findings_order_stop_fix_keep():
    f = summary.findings(RECORDED)
    assert f[0].startswith("**Stop**") and "Vendors below 120% ROI 2 years running" in f[0]
    assert f[1].startswith("**Fix**: NPS") and f[2].startswith("**Keep**: Stage tests")
    assert len(summary.findings(RECORDED, limit=2)) == 2


def test_read_recorded_beside_the_run_parameters(tmp_path):
    assert summary.read_recorded("") is None
    assert summary.read_recorded(tmp_path / "params.yaml") is None
    (tmp_path / summary.RECORDED_FILE).write_text(json.dumps(RECORDED), encoding="utf-8")
    assert summary.read_recorded(tmp_path / "params.yaml") == RECORDED
