"""Every chapter, for every team and quarter of the sample company, through the runner."""

from __future__ import annotations

import json

import nbformat
import pytest

from trackreport.report.runner import discover_chapters

# headline numbers each chapter must publish (a subset: the ones the issues name)
REQUIRED = {
    "01": {"trainees", "comparison_reps"},
    "03": {"trainers", "trainers_scored", "trainers_left_out"},
    "05": {
        "reaction_top2box",
        "reaction_score",
        "knowledge_gain",
        "rating_360_change_did",
        "crm_completeness_change_did",
        "fabe_adoption",
    },
    "06": {
        "sales_effect_relative",
        "new_clients_effect",
        "order_value_effect",
        "lead_conversion_effect",
        "win_rate_effect",
        "repurchase_effect",
    },
    "07": {"product_mastery_post", "roleplay_change", "objection_fast_change"},
    "09": {"nps_after", "csat_top2box_after", "nps_effect", "complaints_yoy"},
}


@pytest.fixture(scope="module")
def everything(sample_reports):
    return sample_reports


def test_every_team_and_quarter_is_built(everything):
    out, result = everything
    built = {(r.team, r.quarter) for r in result.reports}
    assert built == {
        ("east", "2025Q2"),
        ("east", "2025Q3"),
        ("west", "2025Q3"),
        ("north", "2025Q2"),
        ("north", "2025Q3"),
        ("south", "2025Q2"),
    }
    assert result.ok, {(r.team, r.quarter): r.failed for r in result.reports if r.failed}
    index = (out / "index.html").read_text(encoding="utf-8")
    for team, quarter in built:
        assert f"{team}/{quarter}/index.html" in index


def test_every_report_has_every_chapters_headlines(everything):
    out, result = everything
    chapters = {c.number for c in discover_chapters()}
    for r in result.reports:
        metrics = json.loads((r.path / "metrics.json").read_text(encoding="utf-8"))["metrics"]
        names = {(m["chapter"], m["name"]) for m in metrics}
        for chapter in chapters & set(REQUIRED):
            missing = {n for n in REQUIRED[chapter] if (chapter, n) not in names}
            assert not missing, (r.team, r.quarter, chapter, missing)
        for m in metrics:
            assert {"name", "chapter", "value", "unit", "n"} <= set(m)
            if "ci_low" in m:
                assert m["ci_low"] <= m["value"] <= m["ci_high"] or m["value"] is None, m


def test_every_page_is_offline_clean_without_code_or_stderr(everything):
    out, result = everything
    for r in result.reports:
        for page in r.path.glob("*.html"):
            text = page.read_text(encoding="utf-8")
            assert "http://" not in text and "https://" not in text, page
            assert "<script src" not in text and "Traceback" not in text, page
            assert "open_chapter(" not in text and "dataset_cache" not in text, page
        for nb_path in (r.path / "notebooks").glob("*.ipynb"):
            nb = nbformat.read(nb_path, as_version=4)
            for cell in nb.cells:
                for o in cell.get("outputs", []):
                    assert o.get("name") != "stderr", (nb_path, o.get("text", "")[:200])
                    assert o.get("output_type") != "error", nb_path
