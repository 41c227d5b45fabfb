"""Tests of trackreport.chapters.skills: hand-computed frames and backtests against TRUTH.json."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from trackreport.chapters import evaluation as ev
from trackreport.chapters import skills as sk
from trackreport.data.cohort import cohort_members, comparison_members
from trackreport.paths import SAMPLE_DIR

COHORTS = [
    ("east", "2025Q2"),
    ("east", "2025Q3"),
    ("west", "2025Q3"),
    ("north", "2025Q2"),
    ("north", "2025Q3"),
    ("south", "2025Q2"),
]


@pytest.fixture(scope="module")
def slices(sample_data):
    data = sample_data
    return {
        (t, q): ev.cohort_slice(data, cohort_members(data, t, q), comparison_members(data, t, q), quarter=q)
        for t, q in COHORTS
    }


@pytest.fixture(scope="module")
def truth():
    return json.loads((SAMPLE_DIR / "TRUTH.json").read_text(encoding="utf-8"))


def test_mastery_share_threshold_is_inclusive():
    df = pd.DataFrame(
        {
            "employee_id": list("aabb"),
            "kind": "product",
            "group": "trained",
            "phase": ["pre", "post"] * 2,
            "score": [89.0, 90.0, 95.0, 100.0],
            "max_score": 100.0,
        }
    )
    out = sk.mastery_share(df, threshold=0.9)
    assert out[["pre", "post", "change"]].iloc[0].tolist() == [0.5, 1.0, 0.5]


def test_topic_mastery_per_topic():
    df = pd.DataFrame(
        {
            "employee_id": ["a"] * 4,
            "test_id": "t",
            "group": "trained",
            "phase": ["pre", "pre", "post", "post"],
            "item_id": ["q1", "q2", "q1", "q2"],
            "topic": ["x", "y", "x", "y"],
            "correct": [True, False, True, True],
        }
    )
    out = sk.topic_mastery(df, tests=["t"]).set_index("topic")
    assert out.loc["x", "pre"] == 1.0 and out.loc["y", "pre"] == 0.0 and out.loc["y", "post"] == 1.0


def test_objection_fast_is_strictly_under_the_limit():
    d = pd.DataFrame({"response_seconds": [4.9, 5.0], "credible": [True, False]})
    assert sk.objection_flags(d)["fast"].tolist() == [1.0, 0.0]
    with pytest.raises(ValueError):
        sk.objection_change(d.assign(employee_id="a", group="trained", phase="pre"), measure="slow")


def test_hardest_objections_orders_by_handled_share():
    d = pd.DataFrame(
        {
            "employee_id": ["a", "b", "a", "b"],
            "group": "trained",
            "phase": "post",
            "objection_type": ["p", "p", "q", "q"],
            "response_seconds": [1.0, 1.0, 1.0, 9.0],
            "credible": [True, True, True, True],
        }
    )
    out = sk.hardest_objections(d, k=1)
    assert out["objection_type"].tolist() == ["q"] and out["handled"].iloc[0] == 0.5


def test_roleplay_change_within_truth(slices, truth):
    eff = truth["effects"]["roleplay_score"]["value"] + truth["baseline"]["tests"]["roleplay"]["retest_gain"]
    out = sk.role_play(slices[("east", "2025Q3")].assessments)
    assert out["ci_low"].iloc[0] <= eff <= out["ci_high"].iloc[0]


@pytest.mark.parametrize("measure", ["fast", "credible"])
def test_objection_change_pooled_within_truth(slices, truth, measure):
    """Pooled over every cohort (one cohort alone is noisy), trained change vs the truth."""
    frames = [s.drills.assign(employee_id=s.drills["employee_id"] + "/" + q) for (_, q), s in slices.items()]
    out = sk.objection_change(pd.concat(frames, ignore_index=True), measure=measure)
    e = ev.estimate_of(out, group="trained")
    eff = truth["effects"]["objection_fast" if measure == "fast" else "objection_credible"]["value"]
    assert e.ci_low <= eff <= e.ci_high


def test_small_cohort_tables_have_sizes(slices):
    s = slices[("north", "2025Q2")]
    out = sk.mastery_share(s.assessments, by="segment")
    assert out["n"].sum() <= 15 and (out["n"] < 5).any()  # some segments must be suppressed
