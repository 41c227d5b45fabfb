"""Chapter 13: the mentoring rule, module status and error analysis on constructed data."""

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
