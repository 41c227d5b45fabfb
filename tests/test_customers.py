"""Tests of trackreport.customers (chapter 09): hand answers and sample backtests."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from trackreport import customers
from trackreport.estimate import Estimate
from trackreport.sample import simulate

Z = 1.959963984540054


def _tiny() -> dict[str, pd.DataFrame]:
    d = pd.to_datetime
    return {
        "employees": pd.DataFrame({"employee_id": ["a", "x"], "team": ["east", "west"]}),
        "orders": pd.DataFrame({
            "order_id": ["o1", "o2", "o3", "o4", "o5"], "customer_id": ["c1", "c1", "c2", "c2", "c3"],
            "employee_id": ["a", "a", "a", "a", "x"],
            "order_date": d(["2025-10-02", "2025-11-02", "2025-10-05", "2025-12-01", "2025-10-01"]),
            "product_category": ["hw", "sw", "hw", "hw", "hw"],
            "renewal": [True, True, False, False, True],
            "renewal_due_date": d(["2026-01-02", "2025-12-01", None, None, "2026-06-01"])}),
        "customers": pd.DataFrame({
            "customer_id": ["c1", "c2", "c3"], "owner_id": ["a", "a", "x"],
            "acquired_date": d(["2025-10-02", "2025-10-05", "2025-10-01"]),
            "annual_value": [600_000.0, 10_000.0, 900_000.0],
            "referred_by": [None, "c1", None]}),
        "complaints": pd.DataFrame({
            "employee_id": ["a", "a", "a", "x"], "type": ["service", "technical", "service", "billing"],
            "opened": d(["2024-10-03 09:00", "2025-10-03 09:00", "2025-11-01 08:00", "2025-10-03 09:00"]),
            "resolved": d(["2024-10-10 09:00", "2025-10-03 21:00", None, None])}),
    }


def test_loyalty_measures_by_hand():
    t = _tiny()
    ren = customers.early_renewals(t, "east", "2025Q3").set_index("period")
    # o1 booked 2025-10-02, due 2026-01-02: exactly 3 months early -> early; o2 is not
    assert ren.loc["after", "value"] == 0.5 and ren.loc["after", "n"] == 2
    cat = customers.categories_per_client(t, "east", "2025Q3").set_index("period")
    assert cat.loc["after", "value"] == 1.5  # c1: hw+sw, c2: hw
    ref = customers.referral_rate(t, "east", "2025Q3").set_index("period")
    assert ref.loc["after", "value"] == 0.5 and ref.loc["after", "n"] == 2
    hv = customers.high_value_repurchase(t, "east", "2025Q3").set_index("period")
    assert hv.loc["after", "value"] == 1.0 and hv.loc["after", "n"] == 1  # only c1 is > 500k
    assert math.isnan(hv.loc["before", "value"])


def test_complaints_by_hand():
    t = _tiny()
    mix = customers.complaint_mix(t, "east", "2025Q3")
    after = mix[mix["period"] == "after"].set_index("type")
    assert after.loc["service", "share"] == 0.5 and after.loc["technical", "shift"] == 0.5
    res = customers.complaint_resolution(t, "east", "2025Q3").set_index("period")
    assert res.loc["year earlier", "resolution_days"] == 7.0
    assert res.loc["after", "resolution_days"] == 0.5 and res.loc["after", "open"] == 1
    # the open complaint was opened on the data's last day: too recent to judge, left out
    assert res.loc["after", "within_target"] == 1.0


def test_change_and_rate_ratio_by_hand():
    e = customers.change_estimate(Estimate(0.4, 0.4 - Z * 0.03, 0.4 + Z * 0.03, n=10),
                                  Estimate(0.5, 0.5 - Z * 0.04, 0.5 + Z * 0.04, n=20))
    assert e.value == pytest.approx(0.1) and e.ci_high == pytest.approx(0.1 + Z * 0.05) and e.n == 30
    rr = customers.rate_ratio(50, 100, exposure_after=50, exposure_before=100)
    assert rr.value == 0.0
    half = Z * math.sqrt(1 / 50 + 1 / 100)
    assert rr.ci_low == pytest.approx(math.exp(-half) - 1) and rr.ci_high == pytest.approx(math.exp(half) - 1)
    assert math.isnan(customers.rate_ratio(3, 0).value)


@pytest.fixture(scope="module")
def sample():
    return simulate(seed=7)


REPORTS = [("east", "2025Q2"), ("east", "2025Q3"), ("west", "2025Q3"),
           ("north", "2025Q2"), ("north", "2025Q3"), ("south", "2025Q2")]


def test_nps_effect_covers_the_truth(sample):
    """The NPS DiD interval covers the true +12 points in all 6 reports.

    Measured, not tuned. The sample of generator 1.0 missed in west 2025Q3 (estimate -26
    points, 95% CI -57 to +5: sampling noise of an 18-trainee cohort). Generator 1.1
    (seasonal rates) draws other answers from the same seed, and west 2025Q3 is now +9
    (CI -32 to +49); NPS itself has no season, so the change is noise, not a fix.
    """
    truth = sample.truth["effects"]["nps"]["value"]
    missed = []
    for team, quarter in REPORTS:
        e = customers.nps_did(sample.tables, team, quarter)
        assert math.isfinite(e.ci_low)
        if not e.ci_low <= truth <= e.ci_high:
            missed.append((team, quarter))
    assert missed == []


def test_customer_measures_on_the_sample(sample):
    t = customers.customer_measures(sample.tables, "east", "2025Q3")
    assert t["measure"].tolist() == ["nps", "csat_top2box", "high_value_repurchase",
                                     "categories_per_client", "early_renewals", "referral_rate"]
    assert (t["n"] > 50).all()
    nps = t.set_index("measure").loc["nps"]
    assert 20 < nps["after"] < 60  # base 35, trained reps +12
    g = customers.nps_groups(sample.tables, "east", "2025Q3")
    assert set(g["group"]) == {"trained", "comparison"} and (g["n"] > 100).all()
