"""Tests of trackreport.chapters.evaluation: hand-computed frames and backtests against TRUTH.json."""

from __future__ import annotations

import json
import math

import pandas as pd
import pytest

from trackreport.chapters import evaluation as ev
from trackreport.data.cohort import cohort_members, comparison_members
from trackreport.paths import SAMPLE_DIR


@pytest.fixture(scope="session")
def sample(sample_data):
    return sample_data


@pytest.fixture(scope="session")
def truth():
    return json.loads((SAMPLE_DIR / "TRUTH.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def east_q3(sample):
    m = cohort_members(sample, "east", "2025Q3")
    c = comparison_members(sample, "east", "2025Q3")
    return ev.cohort_slice(sample, m, c, quarter="2025Q3")


def test_compare_change_hand_computed():
    df = pd.DataFrame(
        {
            "employee_id": list("aabbccdddd"),
            "group": ["trained"] * 4 + ["comparison"] * 6,
            "phase": ["pre", "post"] * 3 + ["pre", "pre", "post", "post"],
            "score": [50.0, 70.0, 60.0, 70.0, 50.0, 54.0, 60.0, 62.0, 60.0, 62.0],
        }
    )
    out = ev.compare_change(df, value="score").set_index("group")
    assert out.loc["trained", "value"] == 15.0
    assert out.loc["comparison", "value"] == pytest.approx(2.0)  # c: +4, d: (61 -> 61) 0
    assert out.loc["difference", "value"] == pytest.approx(13.0)
    assert out.loc["difference", ["n", "n_trained", "n_comparison"]].tolist() == [4, 2, 2]  # both groups
    # Welch by hand: changes (20, 10) vs (4, 0): se = sqrt(50/2 + 8/2) = sqrt(29)
    assert out.loc["difference", "ci_high"] - out.loc["difference", "value"] > math.sqrt(29)


def test_welch_difference_matches_scipy():
    from scipy import stats

    a, b = [3.0, 4.0, 5.0, 9.0], [1.0, 2.0, 3.0]
    e = ev.welch_difference(a, b)
    assert e.p_value == pytest.approx(stats.ttest_ind(a, b, equal_var=False).pvalue)


def test_welch_difference_tiny_groups_give_nan_bounds():
    e = ev.welch_difference([1.0], [0.0, 1.0])
    assert e.value == 0.5 and math.isnan(e.ci_low)
    assert math.isnan(ev.welch_difference([], [1.0]).value)


def test_reaction_summary_hand_computed():
    s = pd.DataFrame(
        {
            "response_id": ["r1", "r1", "r2", "r2", "r3", "r3"],
            "dimension": ["trainer", "logistics"] * 3,
            "answer": pd.array([5, 2, 4, None, 4, 3], dtype="Int64"),
        }
    )
    out = ev.reaction_summary(s, baseline=85).set_index("dimension")
    assert out.loc["trainer", "score"] == pytest.approx(13 / 3 * 20)
    assert out.loc["trainer", "top2box"] == 1.0
    assert out.loc["logistics", "respondents"] == 2 and out.loc["logistics", "n"] == 2
    assert out.loc["logistics", "vs_baseline"] == "uncertain"  # 50 below 85, but n = 2: a wide interval reaching it
    assert out.loc["trainer", "vs_baseline"] == "on track"  # 86.7 above 85, its interval reaching below


def test_scale_reliability_matches_cronbach():
    rows = [
        (r, i, a)
        for r, ans in enumerate([[1, 2, 2], [2, 2, 3], [3, 4, 3], [4, 4, 5], [5, 5, 4]])
        for i, a in zip(["q1", "q2", "q3"], ans)
    ]
    s = pd.DataFrame(rows, columns=["response_id", "item_id", "answer"]).assign(dimension="x")
    out = ev.scale_reliability(s)
    assert out["alpha"].iloc[0] == pytest.approx(0.929, abs=1e-3)
    assert out["band"].iloc[0] == "excellent"


def test_stage_target_and_visible():
    avg = ev.stage_test_average(
        pd.DataFrame(
            {
                "employee_id": ["a", "a", "b", "b"],
                "kind": ["knowledge", "product"] * 2,
                "phase": "post",
                "score": [70.0, 90.0, 4.0, 5.0],
                "max_score": [100.0, 100.0, 5.0, 5.0],
            }
        )
    )
    assert avg["average"].tolist() == [80.0, 90.0]
    mean, share = ev.stage_target(avg, target=80)
    assert mean.value == 85.0 and share.value == 1.0
    assert len(ev.visible(pd.DataFrame({"n": [4, 5, None]}), min_n=5)) == 1


def test_estimate_of_errors_on_ambiguous_rows():
    df = pd.DataFrame({"g": ["a", "a"], "value": [1.0, 2.0], "ci_low": 0.0, "ci_high": 3.0, "n": 2})
    with pytest.raises(ValueError):
        ev.estimate_of(df, g="a")
    assert math.isnan(ev.estimate_of(df, g="b").value)


# ---------------------------------------------------------------- backtests on the sample
def test_knowledge_gain_within_truth(east_q3, truth):
    """Trainees' raw change estimates the effect plus the retest gain (compare like with like)."""
    eff = truth["effects"]["knowledge_score"]["value"]
    retest = truth["baseline"]["tests"]["knowledge"]["retest_gain"]
    out = ev.compare_change(east_q3.assessments[east_q3.assessments["kind"] == "knowledge"], value="score")
    e = ev.estimate_of(out, group="trained")
    assert e.n == 45
    assert e.ci_low <= eff + retest <= e.ci_high


@pytest.mark.parametrize("kind", ["product", "skill", "objection", "roleplay"])
def test_other_test_gains_within_truth(east_q3, truth, kind):
    eff = truth["effects"][f"{kind}_score"]["value"]
    retest = truth["baseline"]["tests"][kind]["retest_gain"]
    out = ev.learning_summary(east_q3.assessments, by="kind").set_index("kind")
    assert out.loc[kind, "ci_low"] <= eff + retest <= out.loc[kind, "ci_high"]


def test_knowledge_net_gain_pooled_over_cohorts(sample, truth):
    """Net of the untrained retest change, pooled over every team's cohorts, is the effect."""
    frames = []
    for team, q in [
        ("east", "2025Q2"),
        ("east", "2025Q3"),
        ("west", "2025Q3"),
        ("north", "2025Q2"),
        ("north", "2025Q3"),
        ("south", "2025Q2"),
    ]:
        s = ev.cohort_slice(sample, cohort_members(sample, team, q), comparison_members(sample, team, q), quarter=q)
        a = s.assessments[s.assessments["kind"] == "knowledge"]
        frames.append(a.assign(employee_id=a["employee_id"] + "/" + q))
    out = ev.compare_change(pd.concat(frames, ignore_index=True), value="score")
    e = ev.estimate_of(out, group="difference")
    assert e.ci_low <= truth["effects"]["knowledge_score"]["value"] <= e.ci_high


def test_reaction_on_sample_has_every_dimension(east_q3):
    out = ev.reaction_summary(east_q3.surveys)
    assert set(out["dimension"]) == {"practicality", "trainer", "logistics", "relevance"}
    assert (out["respondents"] > 100).all()
    rel = ev.scale_reliability(east_q3.surveys)
    assert (rel["items"] == 3).all() and rel["alpha"].between(0, 1).all()


def test_item_table_one_row_per_item(east_q3):
    items = ev.item_table(east_q3.items)
    assert not items.duplicated(["test_id", "item_id"]).any()
    assert items["difficulty"].between(0, 1).all()
    assert len(ev.weakest_topics_of(east_q3.items, k=3)) == 3


def test_grids_of_differences_carry_benjamini_hochberg_q_values():
    """Issue 9, finding 5: a grid (compare_change with ``by``) is a family of exploratory
    tests; each difference gets its BH q-value over the grid (statsmodels as the reference)."""
    import numpy as np
    from statsmodels.stats.multitest import multipletests

    rng = np.random.default_rng(11)
    rows = []
    for seg in "abcdef":
        lift = 8.0 if seg in "ab" else 0.0
        for i in range(12):
            for group in ("trained", "comparison"):
                pre = rng.normal(60, 10)
                gain = 5 + (lift if group == "trained" else 0) + rng.normal(0, 4)
                rows += [
                    (f"{seg}{group}{i}", seg, group, "pre", pre),
                    (f"{seg}{group}{i}", seg, group, "post", pre + gain),
                ]
    df = pd.DataFrame(rows, columns=["employee_id", "segment", "group", "phase", "score"])
    out = ev.compare_change(df, value="score", by="segment")
    diff = out[out["group"] == "difference"]
    assert diff["q_value"].to_numpy() == pytest.approx(multipletests(diff["p_value"], method="fdr_bh")[1])
    assert out.loc[out["group"] != "difference", "q_value"].isna().all()
    assert list(out.columns).index("q_value") == list(out.columns).index("p_value") + 1
    assert "q_value" not in ev.compare_change(df, value="score").columns  # one test, no family


def test_extremes_note_names_no_winner_the_intervals_cannot_separate():
    t = pd.DataFrame({"dimension": ["trainer", "logistics", "relevance"], "score": [88.0, 84.0, 80.0]}).assign(
        score_low=lambda d: d["score"] - 3, score_high=lambda d: d["score"] + 3
    )
    text = ev.extremes_note(
        t, name="dimension", noun="dimension", fmt="{:.0f}".format, value="score", low="score_low", high="score_high"
    )
    assert "The largest, **trainer** (88), is not separated from **logistics** (84)" in text
    assert "no dimension is clearly the largest" in text
    assert "The smallest, **relevance** (80), is not separated" in text
    wide = t.assign(score=[95.0, 84.0, 70.0])
    wide = wide.assign(score_low=wide["score"] - 3, score_high=wide["score"] + 3)
    text = ev.extremes_note(
        wide, name="dimension", noun="dimension", fmt="{:.0f}".format, value="score", low="score_low", high="score_high"
    )
    assert "The largest is **trainer** (95), clearly above the runner-up **logistics** (84)." in text
    assert "The smallest is **relevance** (70), clearly below the runner-up **logistics** (84)." in text
