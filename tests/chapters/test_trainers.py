"""Tests of trackreport.chapters.trainers: hand-computed frames and backtests against TRUTH.json."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from scipy import stats

from trackreport.chapters import trainers as tr
from trackreport.paths import SAMPLE_DIR
from trackreport.report.params import TrainerStars


@pytest.fixture(scope="module")
def data(sample_data):
    return sample_data


def test_stars_follow_params_and_unscored_trainers():
    t = pd.DataFrame({"trainer_id": ["a", "b"], "name": ["王芳", "李伟"], "kind": ["internal", "external"]})
    co = pd.DataFrame({"course_id": ["c1", "c2", "c3"], "trainer_id": ["a", "a", "b"], "hours": [8.0, 4.0, 2.0]})
    sv = pd.DataFrame(
        {
            "response_id": ["r1", "r2", "r3", "r4", "r5", "r6"],
            "course_id": ["c1"] * 5 + ["c3"],
            "trainer_id": ["a"] * 5 + ["b"],
            "dimension": "trainer",
            "answer": [5, 5, 5, 4, 4, 5],
        }
    )
    out = tr.trainer_record(t, co, sv, stars=TrainerStars().stars).set_index("trainer_id")
    assert out.loc["a", "hours"] == 12.0 and out.loc["a", "courses"] == 2
    assert out.loc["a", "score"] == pytest.approx(92.0) and out.loc["a", "stars"] == 5
    assert not out.loc["b", "scored"] and out.loc["b", "stars"] == 0
    assert out.loc["a", "name"] == "a"  # names hidden unless show_names
    shown = tr.trainer_record(t, co, sv, stars=TrainerStars(five=95).stars, show_names=True).set_index("trainer_id")
    assert shown.loc["a", "stars"] == 4 and shown.loc["a", "name"] == "王芳"


def test_trainer_scores_against_truth(data):
    truth = json.loads((SAMPLE_DIR / "TRUTH.json").read_text(encoding="utf-8"))["trainers"]
    out = tr.trainer_record(data["trainers"], data["courses"], data["reaction_surveys"], stars=TrainerStars().stars)
    true = out["trainer_id"].map(lambda k: truth[k]["true_satisfaction_100"])
    inside = (out["ci_low"] <= true) & (true <= out["ci_high"])
    # Answers are rounded and bounded at 5, which pulls the best trainers' scores down a little.
    assert inside.sum() >= 6
    assert (out["score"] - true).abs().max() < 5
    assert stats.spearmanr(out["score"], true).statistic > 0.9


def test_business_before_after_on_sample(data):
    from trackreport.stats.results import rep_month_panel

    emp = data["employees"]
    reps = emp[emp["role"].isin(["rep", "senior_rep"])]
    panel = rep_month_panel(data["orders"], reps, start="2024-07-01", end="2025-12-31")
    courses = data["courses"][data["courses"]["cohort"] == "2025Q3"]
    enr = data["enrollments"][data["enrollments"]["course_id"].isin(courses["course_id"])]
    out = tr.business_before_after(panel, courses, enr, months=6)
    assert set(out["metric"]) == {"sales", "orders", "new_clients"}
    assert out["months_after"].between(1, 5).all()  # data end 2025-12 truncates the 6 months
    sales = out[out["metric"] == "sales"]
    assert (sales["change"] > 0).mean() > 0.5  # sales rose after most trainers' courses (effect +15%)
