"""Chapter 13: the mentoring rule, module status and error analysis on constructed data."""

import numpy as np
import pandas as pd
import pytest
from statsmodels.stats.proportion import proportion_confint

from trackreport.chapters.improvement import item_errors, module_scores, pair_mentors, topic_errors


def _people():
    # 10 people: north has mentors a (strong on x) and b (strong on y); south has none.
    return pd.DataFrame(
        {
            "employee_id": list("abcdefghij"),
            "region": ["n"] * 6 + ["s"] * 4,
            "performance": [100, 90, 50, 50, 10, 20, 50, 50, 50, 5],
            "skill_x": [4.8, 3.0, 3, 3, 2.0, 4.0, 3, 3, 3, 4.0],
            "skill_y": [3.0, 4.9, 3, 3, 4.0, 1.0, 3, 3, 3, 2.0],
        }
    )


def test_mentoring_rule_pairs_weakest_first_by_region_and_gap():
    pairs = pair_mentors(_people(), share=0.2)
    # top 2 mentors (a, b), bottom 2 mentees (j weakest, then e).
    # j (south, gap y) finds no mentor in the south -> any region, best on y: b.
    # e (north, gap x) gets the remaining north mentor a (best free on x).
    assert pairs[["mentee", "mentor", "skill", "same_region"]].values.tolist() == [
        ["j", "b", "y", False],
        ["e", "a", "x", True],
    ]


def test_mentoring_rule_prefers_same_region_over_better_skill():
    p = _people()
    p.loc[p["employee_id"] == "j", "region"] = "n"
    p.loc[p["employee_id"] == "b", "region"] = "s"
    pairs = pair_mentors(p, share=0.2)
    # j (now north, gap y) takes north's a although b is stronger on y.
    assert pairs.iloc[0][["mentee", "mentor", "same_region"]].tolist() == ["j", "a", True]


def test_mentoring_is_one_to_one_and_sized_by_share():
    rng = pd.Series(range(50))
    p = pd.DataFrame(
        {
            "employee_id": [f"e{i:02d}" for i in rng],
            "region": ["n", "s"] * 25,
            "performance": (rng * 7 % 50).astype(float),
            "skill_x": (rng % 5).astype(float),
        }
    )
    pairs = pair_mentors(p, share=0.2)
    assert len(pairs) == 10
    assert pairs["mentor"].is_unique and pairs["mentee"].is_unique
    assert set(pairs["mentor"]).isdisjoint(pairs["mentee"])
    assert pairs["mentor_performance"].min() > pairs["mentee_performance"].max()


def test_module_status_from_interval():
    a = pd.DataFrame(
        {
            "course_id": ["low"] * 4 + ["mid"] * 4 + ["hi"] * 4,
            "phase": ["post"] * 12,
            "score": [50.0, 52, 55, 53, 60, 80, 65, 75, 90, 92, 95, 91],
            "max_score": [100.0] * 12,
        }
    )
    c = pd.DataFrame({"course_id": ["low", "mid", "hi"], "title": ["L", "M", "H"]})
    m = module_scores(a, c, threshold=70)
    assert dict(zip(m["module"], m["status"])) == {"L": "remedial", "M": "borderline", "H": "ok"}


def test_error_shares_match_statsmodels_wilson():
    items = pd.DataFrame(
        {
            "test_id": ["t"] * 30,
            "item_id": ["q1"] * 20 + ["q2"] * 10,
            "topic": ["pricing"] * 20 + ["scenarios"] * 10,
            "correct": [False] * 14 + [True] * 6 + [False] * 1 + [True] * 9,
        }
    )
    e = item_errors(items)
    assert e["item_id"].tolist() == ["q1", "q2"]
    lo, hi = proportion_confint(14, 20, method="wilson")
    assert (e["ci_low"].iloc[0], e["ci_high"].iloc[0]) == pytest.approx((lo, hi))
    t = topic_errors(items, threshold=0.3)
    assert dict(zip(t["topic"], t["micro_lesson"])) == {"pricing": True, "scenarios": False}


def test_best_team_rule_uses_the_lower_bound_not_a_noisy_mean():
    from trackreport.chapters.improvement import pick_best_team

    rng = np.random.default_rng(5)
    steady = 100 + rng.normal(0, 2, 30)  # mean ~100, tight
    noisy = np.r_[rng.normal(60, 2, 4), [400.0]]  # mean ~128 from one big seller
    p = pd.DataFrame({"team": ["steady"] * 30 + ["noisy"] * 5, "sales": np.r_[steady, noisy]})
    t = pick_best_team(p).set_index("team")
    assert t.at["noisy", "mean"] > t.at["steady", "mean"]
    assert bool(t.at["steady", "best"]) and not bool(t.at["noisy", "best"])


def test_team_lead_matches_scipy_welch_interval():
    from scipy import stats

    from trackreport.chapters.improvement import team_lead

    rng = np.random.default_rng(9)
    a, b = rng.normal(0.8, 0.05, 12), rng.normal(0.7, 0.08, 40)
    p = pd.DataFrame({"team": ["best"] * 12 + ["x"] * 20 + ["y"] * 20, "crm_completeness": np.r_[a, b]})
    r = team_lead(p, "best", measures=["crm_completeness"]).iloc[0]
    ref = stats.ttest_ind(a, b, equal_var=False).confidence_interval(0.95)
    assert r["difference"] == pytest.approx(a.mean() - b.mean())
    assert (r["ci_low"], r["ci_high"]) == pytest.approx((ref.low, ref.high))
    assert (r["n_best"], r["n_others"], r["leads"]) == (12, 40, True)
