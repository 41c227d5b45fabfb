"""Holm and Benjamini-Hochberg against statsmodels' multipletests; clear_leader by hand."""

from __future__ import annotations

import math

import numpy as np
import pytest
from statsmodels.stats.multitest import multipletests

from trackreport.stats.multiplicity import Adjusted, benjamini_hochberg, clear_leader, holm


@pytest.mark.parametrize("seed", range(5))
@pytest.mark.parametrize("k", [1, 2, 7, 30])
def test_holm_and_bh_match_statsmodels(seed, k):
    rng = np.random.default_rng([seed, k])
    p = np.concatenate([rng.uniform(0, 1, k - k // 3), rng.uniform(0, 0.02, k // 3)])
    p[rng.random(k) < 0.1] = 0.01  # ties
    assert holm(p) == pytest.approx(multipletests(p, method="holm")[1], abs=1e-12)
    assert benjamini_hochberg(p) == pytest.approx(multipletests(p, method="fdr_bh")[1], abs=1e-12)


def test_missing_p_values_are_not_tests():
    p = [0.01, math.nan, 0.04]
    h = holm(p)
    assert math.isnan(h[1]) and h[[0, 2]] == pytest.approx(multipletests([0.01, 0.04], method="holm")[1])
    assert np.isnan(benjamini_hochberg([math.nan])).all() and holm([]).size == 0


def test_holm_controls_the_familywise_error_of_seven_null_effects():
    """Seven independent null tests at 5%: about 30% of families have one 'distinguishable'
    verdict unadjusted, at most 5% after Holm."""
    rng = np.random.default_rng(5)
    p = rng.uniform(0, 1, (4000, 7))
    raw = (p < 0.05).any(axis=1).mean()
    adjusted = np.array([(holm(row) < 0.05).any() for row in p]).mean()
    assert raw > 0.25 and adjusted <= 0.055, (raw, adjusted)


def test_adjusted_verdict():
    assert Adjusted(0.049, 7).significant and not Adjusted(0.05, 7).significant
    assert not Adjusted(math.nan, 0).significant
    assert Adjusted(0.2, 1, "Holm").describe() == "Holm-adjusted for 1 test"


def test_clear_leader_needs_separated_intervals():
    names, v = ["a", "b", "c"], [3.0, 2.0, 1.0]
    assert clear_leader(names, v, [2.5, 1.5, 0.5], [3.5, 2.4, 1.5]) == ("a", "b")
    assert clear_leader(names, v, [1.9, 1.5, 0.5], [3.5, 2.4, 1.5]) == (None, "b")
    assert clear_leader(names, v, [2.5, 1.5, 0.5], [3.5, 2.4, 1.5], largest=False) == (None, "b")
    assert clear_leader(names, v, [2.5, 1.5, 0.5], [3.5, 1.4, 0.9], largest=False) == ("c", "b")
    assert clear_leader(["a", "b"], [1.0, math.nan], [0.0, 0.0], [2.0, 2.0]) == (None, None)
