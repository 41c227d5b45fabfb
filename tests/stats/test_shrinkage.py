"""Empirical-Bayes shrinkage against Efron & Morris's published James-Stein batting
averages and statsmodels' DerSimonian-Laird between-study variance."""

import numpy as np
import pytest
from statsmodels.stats.meta_analysis import combine_effects

from trackreport.stats.shrinkage import eb_shrink

# Efron & Morris (1975, 1977): hits in the first 45 at-bats of the 1970 season, and the
# published James-Stein estimates (Scientific American 236(5), 1977, table p. 119).
HITS = [18, 17, 16, 15, 14, 14, 13, 12, 11, 11, 10, 10, 10, 10, 10, 9, 8, 7]
JAMES_STEIN = [
    0.294, 0.289, 0.285, 0.280, 0.275, 0.275, 0.270, 0.265, 0.261,
    0.261, 0.256, 0.256, 0.256, 0.256, 0.256, 0.251, 0.246, 0.242,
]  # fmt: skip


def test_equal_variances_reproduce_efron_morris_james_stein():
    y = np.array(HITS) / 45
    p = y.mean()
    r = eb_shrink(y, np.full(len(y), p * (1 - p) / 45))
    assert r["posterior"].round(3).tolist() == pytest.approx(JAMES_STEIN, abs=0.0015)
    assert 1 - r["shrinkage"].iloc[0] == pytest.approx(0.212, abs=0.002)  # their c


def test_tau2_matches_statsmodels_dersimonian_laird():
    rng = np.random.default_rng(3)
    theta = rng.normal(5, 2, 30)
    v = rng.uniform(0.5, 6, 30)
    y = theta + rng.normal(0, np.sqrt(v))
    r = eb_shrink(y, v)
    ref = combine_effects(y, v, method_re="dl")
    assert r["tau2"].iloc[0] == pytest.approx(ref.tau2, rel=1e-9)
    assert r["prior_mean"].iloc[0] == pytest.approx(ref.mean_effect_re, rel=1e-9)
    # noisier units are pulled harder towards the mean
    assert np.corrcoef(v, r["shrinkage"])[0, 1] > 0.9


def test_shrinkage_beats_raw_estimates_on_truth():
    rng = np.random.default_rng(11)
    err_raw, err_eb = 0.0, 0.0
    for _ in range(50):
        theta = rng.normal(0, 1, 40)
        v = rng.uniform(0.5, 3, 40)
        y = theta + rng.normal(0, np.sqrt(v))
        r = eb_shrink(y, v)
        err_raw += np.sum((y - theta) ** 2)
        err_eb += np.sum((r["posterior"] - theta) ** 2)
    assert err_eb < 0.8 * err_raw


def test_too_few_or_bad_units():
    r = eb_shrink([1.0, 2.0, 3.0], [1.0, 1.0, 1.0])
    assert r["posterior"].tolist() == [1.0, 2.0, 3.0]
    r = eb_shrink([1.0, np.nan, 3.0, 4.0, 5.0, 9.0], [1.0, 1.0, 0.0, 1.0, 1.0, 1.0])
    assert r["posterior"].isna().tolist() == [False, True, True, False, False, False]
