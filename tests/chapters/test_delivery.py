"""Chapter 04: delivery computations against statsmodels/scipy and the sample's truth."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from statsmodels.stats.proportion import proportion_confint

from trackreport.chapters import delivery as dl
from trackreport.report.params import Programme


def test_weekly_checkins_match_statsmodels_wilson():
    rng = np.random.default_rng(4)
    weeks = pd.to_datetime(["2025-07-07", "2025-07-14", "2025-07-21"])
    c = pd.DataFrame(
        {
            "employee_id": np.tile([f"p{i}" for i in range(20)], 3),
            "week_start": np.repeat(weeks, 20),
            "completed": rng.random(60) < 0.85,
        }
    )
    got = dl.checkin_weeks(c, target=0.85)
    for r, (_, g) in zip(got.itertuples(), c.groupby("week_start"), strict=True):
        lo, hi = proportion_confint(int(g["completed"].sum()), len(g), method="wilson")
        assert (r.ci_low, r.ci_high) == pytest.approx((lo, hi), abs=1e-12)
        assert r.below_target == (r.share < 0.85)
    assert dl.checkin_overall(c).value == pytest.approx(c["completed"].mean())


def test_gain_by_attendance_is_a_t_interval_per_band_as_scipy():
    rng = np.random.default_rng(5)
    n = 30
    ids = [f"p{i}" for i in range(n)]
    a = pd.DataFrame(
        {
            "employee_id": np.repeat(ids, 2),
            "kind": "knowledge",
            "phase": ["pre", "post"] * n,
            "score": rng.normal(60, 10, 2 * n).round(),
        }
    )
    att = rng.uniform(0.6, 1.0, n)
    e = pd.DataFrame({"employee_id": ids, "planned_hours": 10.0, "attended_hours": 10.0 * att})
    got = dl.gain_by_attendance(a, e, cuts=(0.8,)).set_index("band")
    wide = a.pivot(index="employee_id", columns="phase", values="score")
    gain = (wide["post"] - wide["pre"]).reindex(ids).to_numpy()
    for band, mask in (("< 80%", att < 0.8), (">= 80%", att >= 0.8)):
        x = gain[mask]
        lo, hi = stats.t.interval(0.95, len(x) - 1, loc=x.mean(), scale=stats.sem(x))
        assert got.loc[band, "n"] == len(x)
        assert (got.loc[band, "ci_low"], got.loc[band, "ci_high"]) == pytest.approx((lo, hi), rel=1e-10)


def test_share_of_incidents_in_time_covers_the_generators_probability(sample_data):
    """Minutes are lognormal(log(4·level^1.5), 0.5) with levels 1/2/3 at 0.6/0.3/0.1 whatever the kind."""
    targets = Programme().incident_minutes
    inc = sample_data["incidents"]

    def p_within(t: float) -> float:
        return sum(
            w * stats.norm.cdf((math.log(t) - math.log(4 * lv**1.5)) / 0.5) for lv, w in ((1, 0.6), (2, 0.3), (3, 0.1))
        )

    expected = float(np.mean([p_within(targets[k]) for k in inc["kind"]]))
    e = dl.incidents_in_time(inc, target_minutes=targets)
    assert e.n == len(inc)
    assert e.ci_low <= expected <= e.ci_high
    by = dl.incidents_by_kind(inc, target_minutes=targets)
    assert by["n"].sum() == len(inc) and by["within"].sum() == round(e.value * e.n)


def test_makeup_coverage_covers_the_generators_probability(sample_data):
    """Partial absences (12% of enrollments) get a make-up with p 0.7; heavy ones (3%) never: 0.12·0.7/0.15."""
    e = dl.makeup_coverage(sample_data["enrollments"])
    assert e.ci_low <= 0.12 * 0.7 / 0.15 <= e.ci_high


def test_attendance_rate_is_the_mean_of_trainees_shares():
    e = pd.DataFrame(
        {
            "employee_id": ["x", "x", "y", "z"],
            "course_id": ["a", "b", "a", "a"],
            "planned_hours": [10.0, 10.0, 10.0, 10.0],
            "attended_hours": [10.0, 0.0, 8.0, 9.0],
            "completed": [True, False, True, True],
        }
    )
    r = dl.attendance_by(e).iloc[0]
    x = np.array([0.5, 0.8, 0.9])
    lo, hi = stats.t.interval(0.95, 2, loc=x.mean(), scale=stats.sem(x))
    assert (r["attendance"], r["att_low"], r["att_high"]) == pytest.approx((x.mean(), lo, hi))
    lo, hi = proportion_confint(3, 4, method="wilson")
    assert (r["comp_low"], r["comp_high"]) == pytest.approx((lo, hi))
