"""Kaplan-Meier: checked by hand on constructed data, against a published worked example
and against statsmodels' SurvfuncRight (Greenwood standard errors)."""

import math

import numpy as np
import pytest
from statsmodels.duration.survfunc import SurvfuncRight

from trackreport.stats.survival import kaplan_meier, survival_at

GEHAN_T = [6, 6, 6, 6, 7, 9, 10, 10, 11, 13, 16, 17, 19, 20, 22, 23, 25, 32, 32, 34, 35]
GEHAN_E = [1, 1, 1, 0, 1, 0, 1, 0, 0, 1, 1, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0]


def test_hand_computed_product_limit_on_constructed_data():
    # 6 people: events at 2 (two of them), 5; censored at 3, 5 (tied with the event: at risk), 8
    t = [2, 2, 3, 5, 5, 8]
    e = [1, 1, 0, 1, 0, 0]
    km = kaplan_meier(t, e)
    assert km["time"].tolist() == [2.0, 5.0]
    assert km["at_risk"].tolist() == [6, 3]
    assert km["events"].tolist() == [2, 1]
    s1 = 1 - 2 / 6
    s2 = s1 * (1 - 1 / 3)
    assert km["survival"].tolist() == pytest.approx([s1, s2])
    g2 = 2 / (6 * 4) + 1 / (3 * 2)
    assert km["se"].iloc[1] == pytest.approx(s2 * math.sqrt(g2))
    sig = math.sqrt(g2) / abs(math.log(s2))
    assert km["ci_low"].iloc[1] == pytest.approx(s2 ** math.exp(1.959964 * sig), rel=1e-6)
    assert km["ci_high"].iloc[1] == pytest.approx(s2 ** math.exp(-1.959964 * sig), rel=1e-6)
    share = survival_at(km, 6, n=6)
    assert share.value == pytest.approx(1 - s2)
    assert share.ci_low == pytest.approx(1 - km["ci_high"].iloc[1])
    assert survival_at(km, 1, n=6).value == 0.0


def test_gehan_published_values_and_statsmodels_greenwood():
    km = kaplan_meier(GEHAN_T, GEHAN_E)
    # Kleinbaum & Klein (2012), Survival Analysis, table 2.2 (6-MP group)
    assert km["survival"].round(4).tolist() == [0.8571, 0.8067, 0.7529, 0.6902, 0.6275, 0.5378, 0.4482]
    ref = SurvfuncRight(np.array(GEHAN_T, float), np.array(GEHAN_E, float))
    assert km["time"].tolist() == ref.surv_times.tolist()
    assert km["at_risk"].tolist() == ref.n_risk.tolist()
    assert km["survival"].to_numpy() == pytest.approx(ref.surv_prob)
    assert km["se"].to_numpy() == pytest.approx(ref.surv_prob_se)


def test_no_events_gives_empty_curve():
    km = kaplan_meier([3, 4, 5], [0, 0, 0])
    assert km.empty
    assert survival_at(km, 10, n=3).value == 0.0


# ------------------------------------------------------------------ issue 9, finding 9: KM median
@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_km_median_and_its_interval_match_statsmodels(seed):
    from trackreport.stats.survival import km_median

    rng = np.random.default_rng(seed)
    n = 60 + 40 * seed
    t_event = rng.lognormal(np.log(5.0), 0.6, n)
    t_cens = rng.uniform(1, 25, n)
    t = np.round(np.minimum(t_event, t_cens), 2)
    e = t_event <= t_cens
    sf = SurvfuncRight(t, e.astype(int))
    m = km_median(t, e)
    assert m.value == pytest.approx(sf.quantile(0.5))
    with np.errstate(divide="ignore", invalid="ignore"):  # statsmodels' own log(0) at S = 1
        ref = sf.quantile_ci(0.5)
    assert (m.ci_low, m.ci_high) == pytest.approx(ref)
    assert m.n == n


def test_km_median_is_nan_until_half_have_the_event():
    from trackreport.stats.survival import km_median

    m = km_median([1, 2, 3, 4], [1, 0, 0, 0])
    assert math.isnan(m.value) and m.n == 4
