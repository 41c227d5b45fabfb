"""Tests of trackreport.chapters.behaviour: hand-computed frames and backtests against TRUTH.json."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from trackreport.chapters import behaviour as bh
from trackreport.chapters import evaluation as ev
from trackreport.data.cohort import cohort_members, comparison_members, report_windows
from trackreport.paths import SAMPLE_DIR


@pytest.fixture(scope="module")
def east_q3(sample_data):
    data = sample_data
    m, c = cohort_members(data, "east", "2025Q3"), comparison_members(data, "east", "2025Q3")
    return ev.cohort_slice(data, m, c, quarter="2025Q3")


@pytest.fixture(scope="module")
def truth():
    return json.loads((SAMPLE_DIR / "TRUTH.json").read_text(encoding="utf-8"))


def test_crm_completeness_is_a_ratio_of_sums():
    crm = pd.DataFrame(
        {
            "employee_id": ["a"] * 3,
            "group": "trained",
            "month": pd.to_datetime(["2025-01-01", "2025-02-01", "2025-04-01"]),
            "records_created": [10, 30, 5],
            "records_complete": [10, 15, 5],
        }
    )
    w = (pd.Timestamp("2025-01-01"), pd.Timestamp("2025-03-31"))
    out = bh.crm_completeness(crm, before=w, after=(pd.Timestamp("2025-04-01"), pd.Timestamp("2025-06-30")))
    assert out.set_index("window").loc["before", "completeness"] == pytest.approx(25 / 40)
    assert out.set_index("window").loc["after", "completeness"] == 1.0


def test_fabe_rule_needs_enough_calls_and_share():
    crm = pd.DataFrame(
        {
            "employee_id": ["a", "b", "c", "c"],
            "month": pd.to_datetime(["2025-10-01", "2025-10-01", "2025-10-01", "2026-01-01"]),
            "observed_calls": [4, 4, 2, 9],
            "fabe_calls": [2, 1, 2, 9],
        }
    )
    people = pd.DataFrame(
        {"employee_id": ["a", "b", "c"], "group": "trained", "training_end": pd.to_datetime(["2025-09-20"] * 3)}
    )
    out = bh.fabe_adoption(crm, people, months=3).set_index("employee_id")
    assert out.loc["a", "applies"] == True  # noqa: E712 - 2/4 = 50% counts
    assert out.loc["b", "applies"] == False  # noqa: E712
    assert pd.isna(out.loc["c", "applies"])  # January is outside Oct-Dec: only 2 calls
    assert bh.adoption_share(out.reset_index()).value == 0.5


def test_fabe_comparison_uses_cohort_window():
    crm = pd.DataFrame(
        {
            "employee_id": ["t", "u"],
            "month": pd.to_datetime(["2025-10-01", "2025-10-01"]),
            "observed_calls": [4, 4],
            "fabe_calls": [4, 0],
        }
    )
    people = pd.DataFrame(
        {
            "employee_id": ["t", "u"],
            "group": ["trained", "comparison"],
            "training_end": pd.to_datetime(["2025-09-05", None]),
        }
    )
    out = bh.fabe_adoption(crm, people).set_index("employee_id")
    assert out.loc["u", "window_start"] == pd.Timestamp("2025-10-01")
    assert out.loc["u", "applies"] == False  # noqa: E712


def test_capability_profile_counts_ratees():
    r = pd.DataFrame(
        {
            "ratee_id": ["a", "a", "a", "b"],
            "group": "trained",
            "segment": "manager",
            "competency": "negotiation",
            "wave": "pre",
            "rating": [2, 4, 3, 5],
        }
    )
    out = bh.capability_profile(r)
    assert out["n"].iloc[0] == 2 and out["rating"].iloc[0] == pytest.approx(4.0)  # a: 3, b: 5


def test_rating_360_change_within_truth(east_q3, truth):
    out = bh.rating_change(east_q3.ratings)
    eff = truth["effects"]["rating_360"]["value"]
    for group in ("trained", "difference"):  # untrained change is 0 by construction
        e = ev.estimate_of(out, group=group)
        assert e.ci_low <= eff <= e.ci_high, group


def test_crm_completeness_change_within_truth(east_q3, truth):
    w = report_windows("2025Q3")
    crm = bh.crm_completeness(east_q3.crm, before=w.before, after=w.after)
    e = ev.estimate_of(bh.crm_change(crm), group="difference")
    assert e.ci_low <= truth["effects"]["crm_completeness"]["value"] <= e.ci_high
    comp = ev.estimate_of(bh.crm_change(crm), group="comparison")
    assert comp.ci_low <= 0 <= comp.ci_high  # untrained flat


def test_fabe_share_change_within_truth(east_q3, truth):
    """FABE call share, trained change net of untrained, against the fabe_share effect."""
    w = report_windows("2025Q3")
    crm = east_q3.crm[east_q3.crm["observed_calls"] > 0]
    rows = []
    for name, (a, b) in (("before", w.before), ("after", w.after)):
        sel = crm[(crm["month"] >= a) & (crm["month"] <= b)]
        g = sel.groupby(["employee_id", "group"], as_index=False)[["fabe_calls", "observed_calls"]].sum()
        rows.append(g.assign(window=name, share=g["fabe_calls"] / g["observed_calls"]))
    out = ev.compare_change(pd.concat(rows), value="share", phase_col="window", pre="before", post="after")
    e = ev.estimate_of(out, group="difference")
    assert e.ci_low <= truth["effects"]["fabe_share"]["value"] <= e.ci_high
