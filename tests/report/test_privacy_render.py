"""Names and titles carrying markup or formulas are inert in every output of a real run."""

from __future__ import annotations

import json
import re
import shutil

import pandas as pd
import pytest

from trackreport.paths import SAMPLE_DIR
from trackreport.report.runner import run_reports

SCRIPT = "<script>alert('x')</script>"
FORMULA = '=HYPERLINK("http://evil.example","click")'


@pytest.fixture(scope="module")
def hostile_report(tmp_path_factory):
    data = tmp_path_factory.mktemp("data")
    for f in SAMPLE_DIR.glob("*.csv"):
        shutil.copy(f, data)
    emp = pd.read_csv(data / "employees.csv", dtype=str, keep_default_na=False)
    emp["display_name"] = [SCRIPT if i % 2 else FORMULA for i in range(len(emp))]
    emp.to_csv(data / "employees.csv", index=False)
    docs = pd.read_csv(data / "kb_documents.csv", dtype=str, keep_default_na=False)
    docs["title"] = [FORMULA if i % 2 else SCRIPT + "[link](javascript:alert(1))" for i in range(len(docs))]
    docs.to_csv(data / "kb_documents.csv", index=False)
    out = tmp_path_factory.mktemp("reports")
    result = run_reports(
        team="east",
        quarter="2025Q3",
        data_dir=data,
        out=out,
        overrides={"show_names": True},
        chapters=["11", "12", "13", "14"],
        log=lambda _m: None,
        progress=False,
    )
    assert result.ok
    return out / "east" / "2025Q3"


def test_markup_in_names_and_titles_is_escaped_in_html(hostile_report):
    pages = sorted(hostile_report.glob("1[1-4]_*.html"))
    assert len(pages) == 4
    shown = 0
    for page in pages:
        html = page.read_text(encoding="utf-8")
        assert "<script>alert" not in html, page.name
        assert "javascript:alert" not in html.replace("javascript:alert(1)\\)", "") or 'href="javascript' not in html
        assert 'href="javascript' not in html
        assert "http://evil.example" not in re.findall(r'href="([^"]*)"', html)
        # a table cell never starts with a live formula
        assert not re.search(r">\s*=HYPERLINK", html), page.name
        shown += html.count("&lt;script&gt;alert")
    assert shown > 0  # the names and titles were shown (show_names), escaped


def test_metrics_json_holds_no_markup(hostile_report):
    text = (hostile_report / "metrics.json").read_text(encoding="utf-8")
    metrics = json.loads(text)
    assert metrics
    assert SCRIPT not in text and "HYPERLINK" not in text
