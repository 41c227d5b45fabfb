"""Chapter 02: curriculum computations against statsmodels and the sample's truth."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from statsmodels.stats.proportion import proportion_confint

from trackreport.chapters import curriculum as cu
from trackreport.paths import SAMPLE_DIR
from trackreport.stats.estimate import mean_ci


@pytest.fixture(scope="module")
def truth():
    return json.loads((SAMPLE_DIR / "TRUTH.json").read_text(encoding="utf-8"))["programme_design"]


def test_completion_interval_is_wilson_as_statsmodels():
    e = pd.DataFrame(
        {"employee_id": [f"p{i}" for i in range(13)], "course_id": "a", "completed": [True] * 10 + [False] * 3}
    )
    c = pd.DataFrame({"course_id": ["a"], "title": ["T"], "module_type": ["theory"]})
    row = cu.completion_by_module(e, c).iloc[0]
    lo, hi = proportion_confint(10, 13, method="wilson")
    assert (row["n"], row["completed"]) == (13, 10)
    assert row["ci_low"] == pytest.approx(lo, abs=1e-12) and row["ci_high"] == pytest.approx(hi, abs=1e-12)


def test_delivered_hours_follow_the_generators_definition(sample_data):
    courses, design, inc = sample_data["courses"], sample_data["course_design"], sample_data["incidents"]
    lost = inc.groupby("course_id")["minutes_to_resolve"].sum() / 60
    expected = (
        courses.set_index("course_id")["hours"] - lost.reindex(courses["course_id"]).fillna(0).to_numpy()
    ).round(1)
    got = design.set_index("course_id")["delivered_hours"].reindex(expected.index)
    np.testing.assert_allclose(got.to_numpy(), expected.clip(lower=0).to_numpy(), atol=0.051)
    h = cu.hours_by(courses, design)
    assert h["planned_hours"].sum() == pytest.approx(courses["hours"].sum())
    assert h["delivered_hours"].sum() == pytest.approx(design["delivered_hours"].sum())


def test_content_renewal_recovers_the_true_mean(sample_data, truth):
    design = sample_data["course_design"]
    e = mean_ci(design["renewed_share"])  # runs are independent Beta draws: the t interval must cover the truth
    assert e.ci_low <= truth["renewed_share"]["mean"] <= e.ci_high
    equal_hours = sample_data["courses"].assign(hours=1.0)
    assert cu.content_renewal(equal_hours, design).value == pytest.approx(design["renewed_share"].mean())


def test_every_segment_module_reaches_its_segment_in_the_sample(sample_data):
    from trackreport.data.cohort import cohort_members

    members = cohort_members(sample_data, "east", "2025Q3")
    courses = cu.cohort_courses(sample_data["courses"], sample_data["enrollments"], members)
    cov = cu.segment_coverage(sample_data["enrollments"], members, courses, sample_data["course_design"])
    reach = cu.targeted_reach(cov)
    assert set(reach["segment"]) == {"under 1 year", "3-5 years", "manager"}
    assert (reach["reached"] == 1.0).all() and (reach["modules"] == 1).all()
    untargeted = cov[
        ~cov["targeted"]
        & cov["course_id"].isin(sample_data["course_design"].query("target_segment.notna()")["course_id"])
    ]
    assert (untargeted["enrolled"] == 0).all()


def test_simulation_ranking_follows_the_true_group_strength(sample_data, truth):
    ranking = cu.simulation_ranking(sample_data["simulation_results"])
    rhos = []
    for cid, strengths in truth["simulation"]["group_strength"].items():
        r = ranking[ranking["course_id"] == cid].set_index("group_id")
        true = pd.Series(strengths).reindex(r.index)
        rhos.append(stats.spearmanr(-true, r["overall"]).statistic)
    assert np.mean(rhos) > 0.8
    assert (ranking.groupby("course_id")["overall"].apply(lambda s: sorted(s) == list(range(1, len(s) + 1)))).all()
