"""Chapter 14: the case-selection rule resists regression to the mean (constructed data)."""

import numpy as np
import pandas as pd

from trackreport.chapters.cases import person_effects, select_cases


def test_person_effects_difference_in_differences():
    months = pd.to_datetime(["2025-01-01", "2025-02-01", "2025-07-01", "2025-08-01"])
    rows = []
    for pid, vals in {"t1": [10, 14, 30, 34], "c1": [10, 10, 15, 15], "c2": [20, 20, 21, 21]}.items():
        rows += [{"employee_id": pid, "month": m, "sales": float(v)} for m, v in zip(months, vals)]

    class W:
        before = (pd.Timestamp("2025-01-01"), pd.Timestamp("2025-03-31"))
        after = (pd.Timestamp("2025-07-01"), pd.Timestamp("2025-09-30"))

    e = person_effects(pd.DataFrame(rows), {"t1"}, W)
    # t1: 32 - 12 = 20; comparison mean change (5 + 1) / 2 = 3; effect 17
    assert e[["raw_change", "comparison_change", "effect"]].iloc[0].tolist() == [20.0, 3.0, 17.0]
    # variance: 8/2 + 8/2 + var([5, 1]) / 2 = 8 + 4
    assert e["variance"].iloc[0] == 12.0
    # what the estimate rests on: t1's months before and after, and the comparison people
    assert e[["months_before", "months_after", "comparison_n"]].iloc[0].tolist() == [2, 2, 2]


def test_selection_on_shrunk_estimates_beats_raw_jumps_next_quarter():
    """People chosen by the rule do better next quarter than those with the largest raw jumps."""
    rng = np.random.default_rng(2024)
    next_raw, next_rule = [], []
    for _ in range(200):
        n = 40
        true = rng.normal(1000, 400, n)
        sd = rng.choice([200.0, 1500.0], n)  # steady and noisy people
        now = true + rng.normal(0, sd)
        later = true + rng.normal(0, sd)
        e = pd.DataFrame({"employee_id": [f"p{i}" for i in range(n)], "effect": now, "variance": sd**2})
        s = select_cases(e, k=3, min_low=-np.inf)
        chosen = s.loc[s["selected"], "employee_id"].str[1:].astype(int).to_numpy()
        raw = np.argsort(-now)[:3]
        next_rule.append(later[chosen].mean())
        next_raw.append(later[raw].mean())
        assert s["selected"].sum() == 3
    assert np.mean(next_rule) > np.mean(next_raw) + 100


def test_selection_needs_an_interval_above_the_floor():
    e = pd.DataFrame({"employee_id": list("abcdef"), "effect": [5.0, 4, 3, 2, 1, 0], "variance": [100.0] * 6})
    assert not select_cases(e, k=3, min_low=0.0)["selected"].any()
    e["variance"] = 0.01
    s = select_cases(e, k=2, min_low=0.0)
    assert s.loc[s["selected"], "employee_id"].tolist() == ["a", "b"]
