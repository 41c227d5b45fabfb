"""Chapters 06 and 09 run end to end on the sample company (east, 2025Q3)."""

from __future__ import annotations

import papermill
import pytest

from trackreport.paths import NOTEBOOKS_DIR
from trackreport.report.notebook import METRIC_MIME

EXPECTED = {
    "06_sales": {
        "sales_effect_relative",
        "new_clients_effect",
        "order_value_effect",
        "lead_conversion_effect",
        "win_rate_effect",
        "repurchase_effect",
        "complaint_retention_effect",
        "newly_top10_trained",
        "team_rank_before",
        "team_rank_after",
    },
    "09_customers": {
        "nps_after",
        "csat_top2box_after",
        "nps_effect",
        "complaints_yoy",
        "resolution_days_after",
        "resolved_within_target_after",
        "high_value_repurchase_after",
        "categories_per_client_after",
        "early_renewals_after",
        "referral_rate_after",
    },
}


@pytest.mark.parametrize("stem", sorted(EXPECTED))
def test_chapter_runs_clean_with_headlines(stem, tmp_path, monkeypatch):
    monkeypatch.setenv("MPLBACKEND", "Agg")
    out = tmp_path / f"{stem}.ipynb"
    nb = papermill.execute_notebook(
        str(NOTEBOOKS_DIR / f"{stem}.ipynb"),
        str(out),
        parameters={"team": "east", "quarter": "2025Q3"},
        progress_bar=False,
        kernel_name="python3",
    )
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])]
    assert not [o for o in outputs if o.get("output_type") == "error"]
    stderr = [o.get("text", "") for o in outputs if o.get("output_type") == "stream" and o.get("name") == "stderr"]
    assert stderr == []
    assert not [o for o in outputs if o.get("output_type") == "stream"]  # no prints either
    metrics = [o["data"][METRIC_MIME] for o in outputs if METRIC_MIME in o.get("data", {})]
    names = [m["name"] for m in metrics]
    assert len(names) == len(set(names)), "each headline is recorded once"
    assert set(names) == EXPECTED[stem]
    assert all(m["chapter"] == stem[:2] for m in metrics)
