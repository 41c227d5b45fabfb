"""Chapter 12: experience-sharing sessions (held vs planned, attendance, top-seller rule)."""

import json
import math

import pandas as pd
import pytest
from statsmodels.stats.proportion import proportion_confint

from trackreport.chapters.knowledge import session_summary, top_sellers
from trackreport.data.load import SAMPLE_DIR


def test_session_summary_counts_and_wilson_match_statsmodels():
    s = pd.DataFrame(
        {
            "held_date": pd.to_datetime(["2025-07-03", None, "2025-07-20", "2025-08-02"]),
            "invited": [10, 12, 8, 9],
            "attendees": pd.array([6, None, 8, 3], dtype="Int64"),
        }
    )
    r = session_summary(s)
    assert (r["held"].value, r["held"].n) == (0.75, 4)
    # attendance over the held sessions only: (6 + 8 + 3) / (10 + 8 + 9)
    assert r["attendance"].n == 27
    assert r["attendance"].value == pytest.approx(17 / 27)
    lo, hi = proportion_confint(17, 27, method="wilson")
    assert (r["attendance"].ci_low, r["attendance"].ci_high) == pytest.approx((lo, hi))


def test_top_seller_rule_ranks_mean_sales_and_breaks_ties_by_id():
    p = pd.DataFrame({"employee_id": list("aabbccddee"), "sales": [5, 7, 1, 1, 9, 9, 3, 3, 9, 9]})
    assert top_sellers(p, share=0.2) == {"c"}  # c and e tie on 9: c first by id
    assert top_sellers(p, share=0.4) == {"c", "e"}
    assert top_sellers(p, share=0.01) == {"c"}  # at least one
    assert top_sellers(p.iloc[:0], share=0.2) == set()


def test_sample_sessions_recover_the_generator_truth(sample_data):
    truth = json.loads((SAMPLE_DIR / "TRUTH.json").read_text(encoding="utf-8"))["sharing_sessions"]
    s = sample_data["sharing_sessions"]
    for team, start in truth["team_effect_start"].items():
        t = s.loc[(s["team"] == team).to_numpy()]
        month = t["planned_date"].dt.to_period("M").dt.to_timestamp()
        cut = pd.Timestamp(start).to_period("M").to_timestamp() if start else pd.Timestamp.max
        for part, key_held, key_att in [
            (month < cut, "held", "attend"),
            (month >= cut, "held_trained", "attend_trained"),
        ]:
            g = t.loc[part.to_numpy()]
            if len(g) < 10:
                continue
            r = session_summary(g)
            # 16 checks: |z| < 3.5 keeps the family-wise false-alarm rate below 1%
            for est, key in ((r["attendance"], key_att), (r["held"], key_held)):
                z = (est.value - truth[key]) / math.sqrt(truth[key] * (1 - truth[key]) / est.n)
                assert abs(z) < 3.5, (team, key, est.value, est.n)
