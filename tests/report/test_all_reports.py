"""Every chapter, for every team and quarter of the sample company, through the runner."""

from __future__ import annotations

import json
import re

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


def test_report_index_opens_on_the_summary_with_the_contents_one_click_away(everything):
    _, result = everything
    for r in result.reports:
        index = (r.path / "index.html").read_text(encoding="utf-8")
        assert "http-equiv='refresh' content='0; url=00_summary.html'" in index, r.path
        assert "href='contents.html'" in index
        summary = (r.path / "00_summary.html").read_text(encoding="utf-8")
        assert 'href="contents.html#headlines"' in summary and 'href="contents.html#about"' in summary
        assert "data:image/svg+xml;base64" in summary  # the one-glance chart of chapter 06's effects
        contents = (r.path / "contents.html").read_text(encoding="utf-8")
        for item in ("id='headlines'", "id='about'", "fingerprint", "trackreport version", "Generated", "params.yaml"):
            assert item in contents, (r.path, item)


def test_summary_findings_come_from_the_recorded_headlines(everything):
    _, result = everything
    from trackreport.chapters import summary as sm

    for r in result.reports:
        metrics = json.loads((r.path / "metrics.json").read_text(encoding="utf-8"))["metrics"]
        assert any(m["chapter"] == "03" and m["name"].startswith("trainer_score_") for m in metrics), r.path
        recorded = [m for m in metrics if m["chapter"] != "00"]
        page = (r.path / "00_summary.html").read_text(encoding="utf-8")
        for finding in sm.findings(recorded, shown=sm.tiles(recorded))[:3]:
            link = re.search(r"\]\(#(m-[^)]+)\)", finding)  # a figure on a tile: linked to it, not repeated
            if link:
                assert re.search(f"id=[\"']{link.group(1)}[\"']", page), (r.path, finding)
                continue
            number = re.search(r"\(95% CI [^)]*\)|\(no interval recorded; n = \d+\)", finding)
            assert number and number.group(0) in page, (r.path, finding)


def test_top_index_is_the_team_by_quarter_matrix(everything):
    out, result = everything
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "<table class='matrix'>" in index and "class='cue'" in index
    assert index.count("<th scope='row'>") == len({r.team for r in result.reports})
    table = index.split("<table class='matrix'>", 1)[1]
    assert table.count("<span class='ok'>ok</span>") == len(result.reports)
    assert "stale" not in table and "failed" not in table
    cells = len({r.team for r in result.reports}) * len({r.quarter for r in result.reports})
    assert table.count("no report") == cells - len(result.reports)
    for r in result.reports:
        metrics = json.loads((r.path / "metrics.json").read_text(encoding="utf-8"))["metrics"]
        roi = next(m for m in metrics if m["chapter"] == "10" and m["name"] == "roi")
        assert f"{roi['ci_low'] * 100:.1f}% to {roi['ci_high'] * 100:.1f}%" in index


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


def test_every_chapter_page_has_a_real_title(everything):
    """Browser tabs and bookmarks read "06 Sales ... · Team east, 2025Q3", never "Notebook"."""
    import re

    out, result = everything
    for r in result.reports:
        for page in r.path.glob("[0-9][0-9]_*.html"):
            title = re.search(r"<title>(.*?)</title>", page.read_text(encoding="utf-8"), re.S).group(1)
            assert title.startswith(page.stem[:2] + " ") and title.endswith(f"Team {r.team}, {r.quarter}"), (
                page,
                title,
            )
            assert "Notebook" not in title


def test_chapters_01_and_09_show_one_complaints_within_target_figure(everything):
    """Issue 9, finding 9: one definition of "resolved within the target hours", shared by the
    two chapters through the run's result store: the same value, interval and n on both pages."""
    out, result = everything
    for r in result.reports:
        metrics = json.loads((r.path / "metrics.json").read_text(encoding="utf-8"))["metrics"]
        ch09 = [m for m in metrics if m["chapter"] == "09" and m["name"] == "resolved_within_target_after"]
        ch01 = [m for m in metrics if m["chapter"] == "01" and m["label"].startswith("Complaints resolved within")]
        assert len(ch09) == len(ch01) == 1, (r.team, r.quarter)
        for key in ("value", "ci_low", "ci_high", "n"):
            assert ch01[0].get(key) == ch09[0].get(key), (r.team, r.quarter, key)


def _png_dpi(data: bytes) -> float:
    """Horizontal resolution of a PNG from its pHYs chunk (dots per inch); 0 when absent."""
    import struct

    at = data.find(b"pHYs")
    if at < 0:
        return 0.0
    per_unit, _, unit = struct.unpack(">IIB", data[at + 4 : at + 13])
    return per_unit * 0.0254 if unit == 1 else 0.0


def test_every_chart_is_sharp_and_no_warning_reaches_a_page(everything):
    """Charts are SVG (or PNG of at least 150 dpi) with alt text, phone drawings SVG; no warning or stderr on a page."""
    import base64

    _, result = everything
    for r in result.reports:
        charts = 0
        for page in r.path.glob("[0-9][0-9]_*.html"):
            text = page.read_text(encoding="utf-8")
            for alt, kind, data in re.findall(
                r'<img alt="([^"]*)"(?: data-text="[^"]*")? src="data:image/([a-z+]+);base64,([^"]+)"', text
            ):
                charts += 1
                assert alt and alt != "Chart", (page, alt)
                if kind == "png":
                    assert _png_dpi(base64.b64decode(data)) >= 150, (page, alt)
                else:
                    assert kind == "svg+xml", (page, kind)
                    assert "<svg" in base64.b64decode(data)[:200].decode("utf-8"), (page, alt)
            assert text.count("<img") == text.count('<img alt="'), page  # no chart without a text alternative
            for kind, data in re.findall(r'srcset="data:image/([a-z+]+);base64,([^"]+)"', text):
                assert kind == "svg+xml", page  # phone drawings
                svg = base64.b64decode(data).decode("utf-8")
                width_px = float(re.search(r'width="([\d.]+)pt"', svg).group(1)) * 96 / 72
                # on a 390 px phone (360 px of content) 11 pt text stays >= 11 px
                assert 11 * 96 / 72 * min(1.0, 360 / width_px) >= 11, (page, width_px)
            assert 'data-mime-type="application/vnd.jupyter.stderr"' not in text, page
            assert not re.search(r"\b\w*Warning\b", text.split("</style>")[-1]), page
        assert charts >= 10, (r.path, charts)  # east 2025Q3 has 22
