"""Issue 9, finding 12: every headline is a primary (decision) or an exploratory figure.

The primary endpoints are declared in ``params/`` (``primary_endpoints``); every headline
records its ``role`` in ``metrics.json``, the page marks exploratory numbers, and the
report's contents page shows the role in its headline table.
"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import pytest

from trackreport.errors import ParameterError
from trackreport.report.params import PRIMARY_ENDPOINTS, resolve

CHAPTER_06_EFFECTS = {
    "sales_effect_relative",
    "new_clients_effect",
    "order_value_effect",
    "lead_conversion_effect",
    "win_rate_effect",
    "repurchase_effect",
    "complaint_retention_effect",
}

_HEADLINE = re.compile(r"<p class=[\"']tr-headline[\"'][^>]*>(.*?)</p>", re.S)


def test_default_primary_endpoints_are_chapter_06_effects_and_the_targets():
    p = resolve("east", "2025Q3")
    assert set(p.primary_endpoints) == set(PRIMARY_ENDPOINTS)
    assert CHAPTER_06_EFFECTS <= set(p.primary_endpoints)
    assert {f"target_{i:02d}" for i in range(8)} <= set(p.primary_endpoints)


def test_an_unknown_primary_endpoint_is_a_parameter_error_naming_it(tmp_path):
    with pytest.raises(ParameterError) as exc:
        resolve("east", "2025Q3", overrides={"primary_endpoints": ["win_rate_effect", "win_rate_efect"]})
    assert "primary_endpoints" in str(exc.value) and "'win_rate_efect'" in str(exc.value)
    assert "'win_rate_effect'," not in str(exc.value).split("(got")[0]  # the known one is not blamed
    (tmp_path / "defaults.yaml").write_text("primary_endpoints: [nps_effekt]\n", encoding="utf-8")
    with pytest.raises(ParameterError, match=r"defaults\.yaml(.|\n)*nps_effekt"):
        resolve("east", "2025Q3", params_dir=tmp_path)
    # names recorded under an f-string pattern are known (chapter 01's target_NN, chapter 05's <kpi>_did)
    assert resolve("east", "2025Q3", overrides={"primary_endpoints": ["target_03", "nps_effect"]}).primary_endpoints


def check_roles(report: Path, primary: set[str]) -> None:
    """metrics.json carries a role per headline; pages mark exploratory ones; contents shows the role."""
    metrics = json.loads((report / "metrics.json").read_text(encoding="utf-8"))["metrics"]
    assert metrics
    for m in metrics:
        assert m.get("role") in ("primary", "exploratory"), m
        assert (m["role"] == "primary") == (m["name"] in primary), m
        assert {"name", "chapter", "label", "value", "unit", "n"} <= set(m)  # every earlier field is kept
    roles = {(m["chapter"], m["name"]): m["role"] for m in metrics}
    assert all(roles.get(("06", n)) == "primary" for n in CHAPTER_06_EFFECTS if ("06", n) in roles)
    assert roles.get(("06", "sales_effect_relative")) == "primary"
    assert "exploratory" in roles.values()
    for page in sorted(report.glob("[0-9][0-9]_*.html")):
        chapter = page.name[:2]
        if chapter == "00":
            continue
        recorded = [m for m in metrics if m["chapter"] == chapter]
        shown = _HEADLINE.findall(page.read_text(encoding="utf-8"))
        assert len(shown) == len(recorded), page
        for m, text in zip(recorded, shown, strict=True):
            assert html.escape(m["label"], quote=False) in text, (page, m["name"])
            marked = re.search(r"class=[\"']tr-role[\"'][^>]*>exploratory<", text) is not None
            assert marked == (m["role"] == "exploratory"), (page, m["name"], text)
    contents = (report / "contents.html").read_text(encoding="utf-8")
    table = contents.split("id='headlines'", 1)[1].split("id='parameters'", 1)[0]
    assert "<th>Role</th>" in table
    assert table.count("<td>primary</td>") == sum(r == "primary" for r in roles.values())
    assert table.count("<td>exploratory</td>") == sum(r == "exploratory" for r in roles.values())


def test_every_headline_of_a_report_has_its_role_in_metrics_page_and_contents(sample_reports):
    _, result = sample_reports
    report = next(r for r in result.reports if (r.team, r.quarter) == ("east", "2025Q3"))
    check_roles(report.path, set(PRIMARY_ENDPOINTS))
