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


def test_rate_change_counts_zero_and_matches_scipy_welch():
    scipy_stats = pytest.importorskip("scipy.stats")
    w = report_windows("2025Q3")  # before Apr-Jun 2025, after Oct-Dec 2025
    ppl = pd.DataFrame({"employee_id": list("abcdef"), "group": ["trained"] * 3 + ["comparison"] * 3})
    opened = ["2025-10-01", "2025-11-01", "2025-12-01", "2025-04-10", "2025-10-10", "2025-05-01", "2025-06-01"]
    opened += ["2025-11-30", "2025-07-15"]  # the last is between the windows: not counted
    r = pd.DataFrame({"employee_id": list("aaabbddef"), "opened": pd.to_datetime(opened)})
    per_person = {"a": (0, 3), "b": (1, 1), "c": (0, 0), "d": (2, 0), "e": (0, 1), "f": (0, 0)}
    change = {k: (after - before) / 3 for k, (before, after) in per_person.items()}
    t, c = [change[k] for k in "abc"], [change[k] for k in "def"]
    ref = scipy_stats.ttest_ind(t, c, equal_var=False).confidence_interval(0.95)
    d = co.rate_change(r, ppl, windows=w, date="opened").set_index("group").loc["difference"]
    assert d["value"] == pytest.approx(sum(t) / 3 - sum(c) / 3)
    assert (d["ci_low"], d["ci_high"]) == pytest.approx((ref.low, ref.high))


def test_solved_share_is_wilson_per_group_and_window():
    from statsmodels.stats.proportion import proportion_confint

    w = report_windows("2025Q3")
    ppl = pd.DataFrame({"employee_id": ["a", "b"], "group": ["trained", "comparison"]})
    p = pd.DataFrame(
        {
            "employee_id": ["a"] * 5,
            "opened": pd.to_datetime(["2025-10-02"] * 5),
            "solved": [True, True, True, False, False],
        }
    )
    row = co.solved_share(p, ppl, windows=w).set_index(["group", "window"]).loc[("trained", "after")]
    lo, hi = proportion_confint(3, 5, method="wilson")
    assert row["n"] == 5 and row["value"] == pytest.approx(0.6)
    assert (row["ci_low"], row["ci_high"]) == pytest.approx((lo, hi))


def _cross_domain_did(data, team, quarter):
    from trackreport.chapters.evaluation import estimate_of

    w = report_windows(quarter)
    ppl = co.people_groups(cohort_members(data, team, quarter), comparison_members(data, team, quarter))
    return {
        "rotations": estimate_of(
            co.rate_change(data["rotations"], ppl, windows=w, date="start_date"), group="difference"
        ),
        "cross_domain_problems": estimate_of(
            co.rate_change(data["cross_domain_problems"], ppl, windows=w, date="opened"), group="difference"
        ),
    }


def test_rotations_and_cross_domain_problems_recover_the_truth(sample_data):
    """TRUTH cross_domain_records: +0.04 rotations and +0.15 problems per person-month in treated months."""
    import json

    from trackreport.data.cohort import cohort_quarters, teams
    from trackreport.paths import SAMPLE_DIR

    t = json.loads((SAMPLE_DIR / "TRUTH.json").read_text(encoding="utf-8"))["cross_domain_records"]
    expected = {
        "rotations": t["rotations"]["effect_per_person_month"],
        "cross_domain_problems": t["cross_domain_problems"]["base_per_person_month"]
        * t["cross_domain_problems"]["effect"],
    }
    east = _cross_domain_did(sample_data, "east", "2025Q3")
    for name, e in east.items():
        assert e.ci_low <= expected[name] <= e.ci_high, (name, e)
    hits = [
        e.ci_low <= expected[name] <= e.ci_high
        for team in teams(sample_data)
        for q in cohort_quarters(sample_data, team)
        for name, e in _cross_domain_did(sample_data, team, q).items()
    ]
    assert len(hits) == 12 and sum(hits) >= 10  # P(>= 3 misses of 12 at 95%) < 0.02 if unbiased
