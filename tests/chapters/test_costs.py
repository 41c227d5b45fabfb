"""Chapter 10: fully loaded costs, benefits from chapter 06's effect, ROI against the sample's truth."""

from __future__ import annotations

import json
import math

import pandas as pd
import pytest

from trackreport.chapters import costs
from trackreport.data.sample import CB_DEFAULTS
from trackreport.paths import SAMPLE_DIR
from trackreport.report.params import resolve
from trackreport.stats.estimate import Estimate

TRUTH = json.loads((SAMPLE_DIR / "TRUTH.json").read_text(encoding="utf-8"))["cost_benefit"]


class _Ch:
    """What chapter functions read from the notebook's Chapter (the store computes in memory)."""

    def __init__(self, data, team, quarter, **overrides):
        self.data, self.params, self.members = data, resolve(team, quarter, overrides=overrides or None), None
        self._memo = {}

    def shared(self, name, compute):
        if name not in self._memo:
            self._memo[name] = compute()
        return self._memo[name]


def test_truth_defaults_are_the_parameter_defaults():
    p = resolve("east", "2025Q3")
    assert CB_DEFAULTS == {
        "margin": p.cost_benefit.margin,
        "horizon_months": p.cost_benefit.horizon_months,
        "after_months": p.windows.after_months,
    }


@pytest.mark.parametrize("cohort", TRUTH["cohorts"], ids=lambda c: f"{c['team']}-{c['quarter']}")
def test_roi_interval_covers_the_true_roi(sample_data, cohort):
    ch = _Ch(sample_data, cohort["team"], cohort["quarter"])
    assert costs.fully_loaded_cost(ch) == pytest.approx(cohort["fully_loaded_cost"], abs=0.01)
    assert costs.trained_remaining(ch) == cohort["trained"]
    f = costs.roi_estimate(ch)
    r, b = f["roi"], f["benefit"]
    assert r.ci_low <= cohort["roi"] <= r.ci_high
    assert b.ci_low <= cohort["monetary_benefit"] <= b.ci_high
    assert f["bcr"].value == pytest.approx(r.value + 1)
    assert f["training_benefit"].value == pytest.approx(b.value - f["cost"])


def test_cost_table_adds_up_and_counts_participants_time_once(sample_data):
    ch = _Ch(sample_data, "east", "2025Q2")
    t = costs.cost_table(ch).set_index("category")
    parts = t.drop(index="Fully loaded cost")
    assert parts["total"].sum() == pytest.approx(t.loc["Fully loaded cost", "total"])
    assert t.loc["Fully loaded cost", "per_trainee"] == pytest.approx(t.loc["Fully loaded cost", "total"] / 15)
    assert t.loc["Development (prorated)", "total"] == pytest.approx(240_000 / 8)
    # participants' time from attended hours x hourly cost equals the booked participant_time lines
    booked = sample_data["costs"]
    booked = booked[(booked["programme"] == "销售赋能计划 2025Q2 east") & (booked["category"] == "participant_time")]
    assert t.loc["Participants' time", "total"] == pytest.approx(booked["amount"].sum(), abs=1)


def test_benefits_are_first_year_only_and_scale_with_months(sample_data):
    ch = _Ch(sample_data, "north", "2025Q3", **{"cost_benefit.benefit_months": [3, 6, 12, 24]})
    t = costs.benefit_table(ch).set_index("months")
    assert t.loc[24, "months_counted"] == 12 and t.loc[24, "benefit"] == pytest.approx(t.loc[12, "benefit"])
    assert t.loc[6, "benefit"] == pytest.approx(2 * t.loc[3, "benefit"])
    effect = costs.sales_effect(ch)
    assert t.loc[12, "benefit_ci_low"] == pytest.approx(effect.ci_low * 12 * 15 * 0.30)
    longer = _Ch(
        sample_data, "north", "2025Q3", **{"cost_benefit.first_year_only": False, "cost_benefit.benefit_months": [24]}
    )
    assert costs.benefit_table(longer).loc[0, "benefit"] == pytest.approx(2 * t.loc[12, "benefit"])


def test_vendor_rule_drops_the_vendor_below_the_floor_two_years(sample_data):
    ch = _Ch(sample_data, "east", "2025Q3")
    v = costs.vendor_table(ch).set_index("vendor")
    assert v.loc[TRUTH["vendor_below_floor_two_years"], "decision"] == "drop"
    assert (v.drop(index=TRUTH["vendor_below_floor_two_years"])["decision"] == "keep").all()
    three = _Ch(sample_data, "east", "2025Q3", **{"thresholds.vendor_roi_years": 3})
    assert (costs.vendor_table(three)["decision"] == "keep").all()


def test_shares_and_per_capita(sample_data):
    ch = _Ch(sample_data, "east", "2025Q3")
    split = costs.portfolio_split(ch)
    assert split["share"].sum() == pytest.approx(1.0)
    assert 0 <= costs.online_share(ch) <= 1
    tc = costs.trainee_costs(ch)
    assert tc["cost"].sum() == pytest.approx(costs.fully_loaded_cost(ch))
    pc = costs.per_capita_table(ch).set_index("level")
    assert pc.loc["managers", "budget"] == 8000 and pc.loc["staff", "budget"] == 3000
    box = costs.nine_box(ch)
    assert box["budget_share"].sum() == pytest.approx(1.0)
    hp = costs.high_potential_share(ch)
    assert hp.value == pytest.approx(box.loc[box["potential"] == 3, "budget_share"].sum())


def test_interval_status_respects_the_interval():
    assert costs.interval_status(Estimate(1.6, 1.5, 1.7), 1.5) == "met"
    assert costs.interval_status(Estimate(1.6, 1.4, 1.7), 1.5) == "on track"
    assert costs.interval_status(Estimate(1.4, 1.3, 1.49), 1.5) == "missed"
    assert costs.interval_status(Estimate(1.4), 1.5) == "missed"
    assert math.isnan(Estimate(1.4).ci_low)


def test_no_optional_tables_means_no_grid_and_no_vendors(sample_data):
    data = {k: v for k, v in sample_data.items() if k not in ("talent_reviews", "vendor_reviews")}
    ch = _Ch(data, "east", "2025Q3")
    assert costs.nine_box(ch) is None and costs.vendor_table(ch) is None and costs.high_potential_share(ch) is None
    assert isinstance(costs.cost_table(ch), pd.DataFrame)
