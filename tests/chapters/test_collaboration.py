"""Chapter 08: collaboration measures against hand-computed 2x2 answers and the sample's truth."""

from __future__ import annotations

import pandas as pd
import pytest

from trackreport.chapters import collaboration as co
from trackreport.data.cohort import cohort_members, comparison_members, report_windows


def test_team_did_on_a_balanced_two_window_panel_is_the_difference_of_means():
    w = report_windows("2025Q3")
    months = pd.to_datetime(["2025-04-01", "2025-05-01", "2025-10-01", "2025-11-01"])
    vals = {
        "a": [0.70, 0.72, 0.90, 0.88],
        "b": [0.71, 0.69, 0.72, 0.74],
        "c": [0.65, 0.70, 0.66, 0.69],
        "d": [0.8, 0.8, 0.8, 0.8],
    }
    p = pd.DataFrame(
        [(t, m, v) for t, vs in vals.items() for m, v in zip(months, vs, strict=True)],
        columns=["team", "month", "execution_rate"],
    )
    row = co.team_did(p, team="a", windows=w, measures=["execution_rate"]).iloc[0]
    others_change = (0.73 - 0.70 + 0.675 - 0.675 + 0.0) / 3
    assert row["effect"] == pytest.approx((0.89 - 0.71) - others_change)
    assert row["n"] == 4 and row["ci_low"] < row["effect"] < row["ci_high"]


def test_no_comparison_team_gives_means_without_a_did():
    w = report_windows("2025Q3")
    p = pd.DataFrame(
        {"team": ["a", "a"], "month": pd.to_datetime(["2025-05-01", "2025-11-01"]), "execution_rate": [0.7, 0.8]}
    )
    row = co.team_did(p, team="a", windows=w, measures=["execution_rate"]).iloc[0]
    assert row["team_after"] == pytest.approx(0.8) and pd.isna(row["effect"])


@pytest.fixture(scope="module")
def east_panel(sample_data):
    p = co.team_month_panel(
        sample_data["meetings"], sample_data["approvals"], sample_data["conflicts"], urgent_hours=24
    )
    return co.team_did(p, team="east", windows=report_windows("2025Q3")).set_index("measure")


def test_execution_rate_did_covers_the_injected_ten_points(east_panel):
    """TRUTH secondary_effects.east_meetings: east executes 82% instead of 72% from 2025-09; other teams 72%."""
    r = east_panel.loc["execution_rate"]
    assert r["ci_low"] <= 0.10 <= r["ci_high"]


def test_decision_hours_did_covers_the_injected_thirty_percent_cut(east_panel):
    """Hours are lognormal(log 30, 0.5): mean 30·e^0.125; east's after window has 0.7 of it."""
    import math

    r = east_panel.loc["decision_hours"]
    assert r["ci_low"] <= -0.3 * 30 * math.exp(0.125) <= r["ci_high"] < 0


def test_library_use_difference_covers_the_injected_rate(sample_data):
    """TRUTH secondary_effects.kb_usage: 2.5 events per rep-month, 1.5x in treated months: +1.25."""
    members = cohort_members(sample_data, "east", "2025Q3")
    comp = comparison_members(sample_data, "east", "2025Q3")
    lib = co.library_use(sample_data["kb_usage"], co.people_groups(members, comp), windows=report_windows("2025Q3"))
    d = lib.set_index("group").loc["difference"]
    assert d["ci_low"] <= 1.25 <= d["ci_high"] and d["ci_low"] > 0
