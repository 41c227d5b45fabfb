"""Coverage of the attributed effects when the training does nothing (generator truth = 0).

With every true effect set to zero, the 95% intervals of chapter 06's attributed
effects should cover zero in about 95% of samples. 20 seeds of a small company
(scale 0.4), the east team's 2025Q3 cohort (the largest), every measure that can be
estimated for it (complaint retention cannot: its outcome is only known 90 days after
the complaint, after the end of the data). Only the attribution table is computed.
"""

from __future__ import annotations

import pandas as pd
import pytest

from trackreport.chapters.sales import sales_attribution
from trackreport.data.sample import Effects, simulate

SEEDS = range(100, 120)
SCALE = 0.4
MEASURES = ["sales", "new_clients", "avg_order_value", "lead_conversion", "win_rate", "repurchase_rate"]


@pytest.fixture(scope="module")
def zero_effect_runs() -> pd.DataFrame:
    rows = []
    for seed in SEEDS:
        tables = simulate(seed=seed, scale=SCALE, effects=Effects.zero()).tables
        t = sales_attribution(tables, "east", "2025Q3", measures=MEASURES)
        rows.append(t[["measure", "effect", "effect_ci_low", "effect_ci_high"]].assign(seed=seed))
    out = pd.concat(rows, ignore_index=True)
    out["covers_zero"] = (out["effect_ci_low"] <= 0) & (out["effect_ci_high"] >= 0)
    return out


def test_every_effect_is_estimated(zero_effect_runs):
    assert zero_effect_runs["effect_ci_low"].notna().all()
    assert len(zero_effect_runs) == len(SEEDS) * len(MEASURES)


def test_intervals_cover_zero_in_at_least_90_percent_of_seeds(zero_effect_runs):
    by_measure = zero_effect_runs.groupby("measure")["covers_zero"].mean()
    # at least 90% (measured: 92.5%, 111 of 120, with the nested small-sample factor of issue 9;
    # 93.3%, 112 of 120, once rates are weighted by their denominators, finding 8);
    # at most 99% (an inflated interval would pass a lower bound alone)
    assert 0.90 <= zero_effect_runs["covers_zero"].mean() <= 0.99, by_measure.to_dict()
    # each measure on its own: at least 17 of 20 (P(<= 16 of 20) ~ 1.6% at 95% coverage)
    assert (by_measure >= 0.85).all(), by_measure.to_dict()
