"""Chapter 01 metrics: hand-computed cases, an independent route for the ratio interval,
and the sample company's known make-up."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from trackreport.chapters import goals
from trackreport.data.cohort import cohort_members, report_windows
from trackreport.paths import SAMPLE_DIR
from trackreport.report.params import resolve


def test_ratio_change_matches_the_linearised_interval():
    rng = np.random.default_rng(3)
    before = pd.Series(rng.gamma(4, 250, 40))
    after = before * rng.normal(1.12, 0.1, 40)
    e = goals._ratio_change(before, after)
    r = after.mean() / before.mean()
    # independent route: linearise r = mean(a)/mean(b) -> residuals a - r b
    resid = after - r * before
    se = resid.std(ddof=1) / (math.sqrt(len(before)) * before.mean())
    h = stats.t.ppf(0.975, len(before) - 1) * se
    assert e.value == pytest.approx(r - 1)
    assert e.ci_low == pytest.approx(r - 1 - h) and e.ci_high == pytest.approx(r - 1 + h)
    assert e.n == 40


def test_ratio_change_tiny_and_degenerate():
    assert math.isnan(goals._ratio_change(pd.Series([1.0]), pd.Series([2.0])).value)
    assert math.isnan(goals._ratio_change(pd.Series([0.0, 0.0]), pd.Series([1.0, 2.0])).value)


def test_capability_baseline_hand_case():
    r = pd.DataFrame(
        {
            "ratee_id": ["a", "a", "b", "b", "c", "a"],
            "competency": ["negotiation"] * 5 + ["negotiation"],
            "wave": ["pre", "pre", "pre", "pre", "pre", "post"],
            "rating": [2, 4, 3, 3, 5, 5],
        }
    )
    m = pd.DataFrame({"employee_id": ["a", "b", "c"], "segment": ["manager"] * 3})
    out = goals.capability_baseline(r, m)
    # people's means 3, 3, 5 -> mean 11/3, t interval over 3 people
    x = np.array([3.0, 3.0, 5.0])
    lo, hi = stats.t.interval(0.95, 2, loc=x.mean(), scale=stats.sem(x))
    row = out.iloc[0]
    assert row["n"] == 3 and row["mean"] == pytest.approx(11 / 3)
    assert row["ci_low"] == pytest.approx(lo) and row["ci_high"] == pytest.approx(hi)
    assert row["gap"] == pytest.approx(4 - 11 / 3)


def test_learning_preferences_wilson():
    from statsmodels.stats.proportion import proportion_confint

    m = pd.DataFrame(
        {
            "prefers_case_teaching": pd.array([True] * 7 + [False] * 3 + [None], dtype="boolean"),
            "wants_personal_path": pd.array([True, False] * 5 + [None], dtype="boolean"),
            "mobile_learning_share": [0.5] * 11,
        }
    )
    out = goals.learning_preferences(m)
    lo, hi = proportion_confint(7, 10, method="wilson")
    assert (
        out.loc[0, "n"] == 10
        and out.loc[0, "ci_low"] == pytest.approx(lo)
        and out.loc[0, "ci_high"] == pytest.approx(hi)
    )


def test_east_cohort_profile_is_the_decks(sample_data):
    members = cohort_members(sample_data, "east", "2025Q3")
    profile = goals.trainee_profile(members).set_index("segment")["n"].to_dict()
    assert len(members) == 45
    assert profile == {"under 1 year": 14, "3-5 years": 18, "manager": 13}
    truth = json.loads((SAMPLE_DIR / "TRUTH.json").read_text(encoding="utf-8"))
    east_q3 = [c for c in truth["cohorts"] if c["team"] == "east" and c["quarter"] == "2025Q3"][0]
    assert set(members["employee_id"]) == set(east_q3["employee_ids"])


def test_target_table_statuses_and_known_truth(sample_data):
    params = resolve("east", "2025Q3")
    members = cohort_members(sample_data, "east", "2025Q3")
    w = report_windows("2025Q3")
    t = goals.target_table(sample_data, members, w, params).set_index("goal")
    crm = t.loc["CRM record completeness"]
    # the generator's truth: completeness 0.70 -> 0.92 for trained reps
    assert crm["baseline"] == pytest.approx(0.70, abs=0.03)
    assert crm["ci_low"] <= 0.92 + 0.01 and crm["current"] == pytest.approx(0.92, abs=0.02)
    assert crm["status"] == "missed"  # target 0.95 above the whole interval
    stage = t.loc["Average of the stage tests (knowledge, product)"]
    assert stage["status"] == "met" and stage["ci_low"] > 80
    for goal, row in t.iterrows():
        if row["status"] == "met":
            assert row["ci_low"] >= row["target"] or math.isnan(row["ci_low"]), goal
        if row["status"] == "missed":
            assert row["ci_high"] < row["target"] or math.isnan(row["ci_high"]), goal


def test_complaints_within_target_is_chapter_09s_figure(sample_data):
    """Issue 9, finding 9: chapter 01 showed resolved complaints of the cohort only (open ones
    dropped), chapter 09 all the team's complaints: two definitions, two values. Both now read
    :func:`trackreport.chapters.customers.complaint_resolution`."""
    from trackreport.chapters import customers

    params = resolve("east", "2025Q3")
    members = cohort_members(sample_data, "east", "2025Q3")
    res = customers.complaint_resolution(sample_data, "east", "2025Q3", params)
    t = goals.target_table(sample_data, members, report_windows("2025Q3"), params, resolution=res).set_index("goal")
    row = t.loc["Complaints resolved within 24 hours"]
    e = customers.resolution_estimate(res, "within")
    assert (row["current"], row["ci_low"], row["ci_high"], row["n"]) == (e.value, e.ci_low, e.ci_high, e.n)
    assert row["baseline"] == customers.resolution_estimate(res, "within", period="year earlier").value
    alone = goals.target_table(sample_data, members, report_windows("2025Q3"), params).set_index("goal")
    assert alone.loc["Complaints resolved within 24 hours", "n"] == e.n
