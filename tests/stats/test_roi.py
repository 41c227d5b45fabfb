"""ROI statistics against published worked cases and interval propagation.

Published cases (figures as printed):

- Future-Tel "Sales Simulator" impact study (Phillips ROI Institute casebook, ch. 8,
  "ROI calculation"; reproduced at ebrary.net/1330): additional revenue attributed to
  the programme $6,299,584, lowest net profit margin of three years 9.8%, monetary
  benefit $617,359; fully loaded cost $392,225; "each $1 invested ... created ... $1.57"
  (the benefit-cost ratio, so ROI 57%). Seasonally adjusted: $617,359 x (1 - 0.097) =
  $557,475, $1.42 per $1.
- New-product upgrade sales training (casebook ch. 11, "Impact results", ebrary.net/1346):
  25 trained sales associates against a comparison group, difference $3,800 per
  associate per month, annualised $3,800 x 12 x 25 = $1,140,000; at the 20% profit
  margin $228,000.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from trackreport import Estimate, bcr, monetary_benefit, roi, training_benefit


def test_future_tel_monetary_benefit_bcr_and_roi():
    benefit = monetary_benefit(6_299_584, margin=0.098)
    assert round(benefit) == 617_359
    assert round(bcr(617_359, 392_225), 2) == 1.57
    assert round(roi(617_359, 392_225), 2) == 0.57
    # seasonally adjusted variant: 9.7% less benefit
    adjusted = monetary_benefit(617_359, margin=1.0, isolation=1 - 0.097)
    assert round(adjusted) == 557_475
    assert round(bcr(adjusted, 392_225), 2) == 1.42


def test_upgrade_case_training_benefit_and_margin():
    gross = training_benefit(0, 3_800, duration=12, trained=25, cost=0)
    assert gross == 1_140_000
    assert round(monetary_benefit(gross, margin=0.20)) == 228_000
    # with E1, E2 as levels the difference is what counts
    assert training_benefit(10_000, 13_800, duration=12, trained=25, cost=0) == 1_140_000
    assert training_benefit(0, 3_800, duration=12, trained=25, cost=140_000) == 1_000_000


def test_roi_and_bcr_identity_and_undefined_cost():
    for b, c in [(0.0, 10.0), (5.0, 10.0), (123.4, 56.7)]:
        assert math.isclose(bcr(b, c), roi(b, c) + 1)
    assert math.isnan(roi(10.0, 0.0)) and math.isnan(bcr(10.0, -1.0))


def test_margin_outside_zero_one_is_an_error():
    with pytest.raises(ValueError, match="margin"):
        monetary_benefit(100.0, margin=1.5)


def test_interval_ends_are_the_function_at_the_ci_ends():
    effect = Estimate(5_000.0, 1_000.0, 9_000.0, n=60, p_value=0.01, method="DiD")
    money = monetary_benefit(effect, margin=0.3)
    assert (money.value, money.ci_low, money.ci_high) == pytest.approx((1_500.0, 300.0, 2_700.0))
    assert money.n == 60 and money.p_value == 0.01  # a rescaled effect keeps its test against zero
    r = roi(money, 1_000.0)
    assert (r.value, r.ci_low, r.ci_high) == pytest.approx(
        (roi(1_500.0, 1_000.0), roi(300.0, 1_000.0), roi(2_700.0, 1_000.0))
    )
    assert math.isnan(r.p_value)  # ROI = 0 is not the hypothesis the effect was tested against
    assert "DiD" in r.method


def test_interval_ends_are_monotone_in_the_effect():
    rng = np.random.default_rng(10)
    for _ in range(50):
        lo, hi = np.sort(rng.normal(0, 1_000, 2))
        est = Estimate((lo + hi) / 2, lo, hi, n=10)
        cost = float(rng.uniform(100, 5_000))
        out = roi(monetary_benefit(est, margin=0.25), cost)
        assert out.ci_low <= out.value <= out.ci_high
        assert out.ci_low == pytest.approx(roi(0.25 * lo, cost))
        assert out.ci_high == pytest.approx(roi(0.25 * hi, cost))


def test_a_decreasing_input_swaps_its_ends():
    cost = Estimate(100.0, 80.0, 125.0, n=5)
    r = roi(200.0, cost)
    assert r.ci_low == pytest.approx(200 / 125 - 1) and r.ci_high == pytest.approx(200 / 80 - 1)
    te = training_benefit(Estimate(10.0, 8.0, 12.0, n=5), 20.0, duration=2, trained=3, cost=0)
    assert (te.ci_low, te.ci_high) == pytest.approx(((20 - 12) * 6, (20 - 8) * 6))


def test_two_intervals_combine_worst_cases():
    b = Estimate(300.0, 200.0, 400.0, n=10)
    c = Estimate(100.0, 90.0, 110.0, n=3)
    r = bcr(b, c)
    assert (r.ci_low, r.ci_high) == pytest.approx((200 / 110, 400 / 90))
    assert r.n == 10
