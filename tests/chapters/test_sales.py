"""Tests of trackreport.chapters.sales (chapter 06): hand-computed answers and sample backtests.

Backtests compare the attributed effects with the generator's truth (TRUTH.json of
``simulate(seed=7)``, the sample company): relative truths (sales, new clients, order
value) with ``relative_effect``, absolute ones (shares) with ``effect``.
"""

from __future__ import annotations

import math

import pandas as pd
import pytest

from trackreport.chapters import sales
from trackreport.data.sample import simulate
from trackreport.report.params import resolve

REPORTS = [
    ("east", "2025Q2"),
    ("east", "2025Q3"),
    ("west", "2025Q3"),
    ("north", "2025Q2"),
    ("north", "2025Q3"),
    ("south", "2025Q2"),
]


# ------------------------------------------------------------------ hand answers


def _tiny() -> dict[str, pd.DataFrame]:
    d = pd.to_datetime
    return {
        "employees": pd.DataFrame(
            {
                "employee_id": ["a", "b"],
                "team": ["east", "east"],
                "region": ["r", "r"],
                "hire_date": d(["2020-01-01", "2020-01-01"]),
                "leave_date": d([None, None]),
            }
        ),
        "orders": pd.DataFrame(
            {
                "order_id": ["o1", "o2", "o3", "o4"],
                "customer_id": ["c1", "c1", "c2", "c3"],
                "employee_id": ["a", "a", "b", "b"],
                "order_date": d(["2025-01-05", "2025-01-20", "2025-01-10", "2025-02-10"]),
                "amount": [100.0, 300.0, 200.0, 100_000.0],
            }
        ),
        "customers": pd.DataFrame(
            {
                "customer_id": ["c1", "c2", "c3"],
                "owner_id": ["a", "b", "b"],
                "acquired_date": d(["2023-01-01", "2025-01-10", "2025-02-10"]),
            }
        ),
        "leads": pd.DataFrame(
            {
                "employee_id": ["a", "a", "a", "b"],
                "created_date": d(["2025-01-02", "2025-01-03", "2025-01-04", "2025-02-25"]),
                "converted": [True, False, False, False],
                "converted_date": d(["2025-01-12", None, None, None]),
            }
        ),
        "opportunities": pd.DataFrame(
            {
                "employee_id": ["a", "a", "a", "b"],
                "stage": ["won", "lost", "proposal", "won"],
                "created_date": d(["2025-01-02", "2025-01-09", "2025-01-09", "2025-01-11"]),
            }
        ),
        "complaints": pd.DataFrame(
            {
                "employee_id": ["a", "a", "b"],
                "opened": d(["2025-01-03", "2025-01-04", "2025-02-01"]),
                "customer_retained": pd.array([True, None, False], dtype="boolean"),
            }
        ),
    }


def test_measure_panel_by_hand():
    p = sales.measure_panel(_tiny(), start="2025-01", end="2025-02", outlier_factor=20)
    p = p.set_index(["employee_id", p["month"].dt.month])
    # the 100,000 order is > 20 x the median (250): an outlier, left out
    assert p.loc[("b", 2), "sales"] == 0.0 and p.loc[("b", 2), "orders"] == 0
    assert p.loc[("a", 1), "sales"] == 400.0 and p.loc[("a", 1), "avg_order_value"] == 200.0
    # new clients from customers.acquired_date / owner_id (c1 was acquired before)
    assert p.loc[("a", 1), "new_clients"] == 0 and p.loc[("b", 1), "new_clients"] == 1
    assert p.loc[("b", 2), "new_clients"] == 1
    # 1 of 3 leads converted; b's lead of 25 Feb is within the 10-day follow-up: left out
    assert p.loc[("a", 1), "lead_conversion"] == pytest.approx(1 / 3)
    assert math.isnan(p.loc[("b", 2), "lead_conversion"])
    # win rate among closed opportunities by created month; open ones left out
    assert p.loc[("a", 1), "win_rate"] == 0.5 and p.loc[("b", 1), "win_rate"] == 1.0
    # retention among complaints with a known outcome
    assert p.loc[("a", 1), "complaint_retention"] == 1.0 and p.loc[("b", 2), "complaint_retention"] == 0.0


def test_outlier_rule_and_followup():
    o = pd.DataFrame({"amount": [10.0, 10.0, 10.0, 199.0, 201.0]})
    assert sales.flag_outlier_orders(o, factor=20).tolist() == [False, False, False, False, True]
    assert sales.lead_followup_days(_tiny()["leads"]) == 10


def test_repurchase_panel_by_hand():
    o = _tiny()["orders"]
    w = {
        pd.Timestamp("2025-01-01"): ("2025-01-01", "2025-01-31"),
        pd.Timestamp("2025-02-01"): ("2025-02-01", "2025-02-28"),
    }
    r = sales.repurchase_panel(o, ["a", "b"], w)
    assert r[["employee_id", "repurchase_rate", "customers"]].values.tolist() == [
        ["a", 1.0, 1],
        ["b", 0.0, 1],
        ["b", 0.0, 1],
    ]


def _volume_row(**kw) -> pd.DataFrame:
    row = {
        "measure": "new_clients",
        "label": "New clients",
        "kind": "relative",
        "unit": "clients",
        "before_treated": 5.0,
        "naive": 2.0,
        "naive_relative": 0.4,
        "adjusted_relative": 0.25,
        "comparison_relative": 0.2,
        "trained_factor": 1.2 * 1.18,
        "comparison_factor": 1.2,
        "effect_factor": 1.18,
        "relative_effect": 0.18,
        "relative_ci_low": 0.05,
        "relative_ci_high": 0.31,
        "effect": 0.9,
        "effect_ci_low": 0.25,
        "effect_ci_high": 1.55,
        "n_treated": 20,
        "n_comparison": 20,
        "n": 40,
    }
    row.update(kw)
    return pd.DataFrame({k: [v] for k, v in row.items()})


def _factor_of(text: str) -> float:
    """``x1.416 (+41.6%)`` -> 1.416"""
    return float(text.split()[0].lstrip("x"))


def test_display_table_and_targets():
    t = _volume_row()
    row = sales.display_table(t).iloc[0]
    assert row["What changed: trained reps"] == "x1.416 (+41.6%)"
    assert row["... comparison group"] == "x1.200 (+20.0%)"
    assert row["Training's effect"] == "x1.180 (+18.0%)" and row["95% CI"] == "x1.050 to x1.310 (+5.0% to +31.0%)"
    assert row["How they combine"] == "effect = trained / comparison"
    prog = sales.target_progress(t, resolve("east", "2025Q3"))
    assert (
        prog.loc[0, "target"] == 0.20 and prog.loc[0, "status"] == "uncertain"
    )  # effect 18% < 20%, interval reaches it
    assert prog.loc[0, "observed"] == pytest.approx(0.416)
    t2 = t.assign(relative_ci_high=[0.19])
    assert sales.target_progress(t2, resolve("east", "2025Q3")).loc[0, "status"] == "missed"


def test_volume_rows_reconcile_the_way_they_say(tables):
    """Issue 9, finding 1: a reader who divides the trained reps' growth by the comparison
    group's gets the effect shown (table, sentence and chart columns alike)."""
    for report, t in tables.items():
        for _, r in t[t["kind"] == "relative"].iterrows():
            if not math.isfinite(r["effect"]):
                continue
            assert r["trained_factor"] / r["comparison_factor"] == pytest.approx(r["effect_factor"], rel=1e-9)
            assert r["relative_effect"] == pytest.approx(r["effect_factor"] - 1, rel=1e-12)
            # the effect in the unit and the relative effect agree on direction and significance
            assert (r["effect_ci_low"] > 0) == (r["relative_ci_low"] > 0), (report, r["measure"])
            shown = sales.display_table(t[t["measure"] == r["measure"]]).iloc[0]
            ratio = _factor_of(shown["What changed: trained reps"]) / _factor_of(shown["... comparison group"])
            assert ratio == pytest.approx(_factor_of(shown["Training's effect"]), abs=0.0015), (report, r["measure"])
            assert f"= {_factor_of(shown['Training' + chr(39) + 's effect']):.3f}" in r["verdict"].replace("x", "")


def test_east_2025q3_sales_effect_is_multiplicative_and_covers_the_truth(sample, tables):
    r = tables[("east", "2025Q3")].set_index("measure").loc["sales"]
    assert r["scale"] == "multiplicative"
    assert r["relative_ci_low"] < _truth(sample, "sales") < r["relative_ci_high"]
    assert "The training's effect is the ratio of the two" in r["verdict"]


def test_newly_top_summary():
    r = pd.DataFrame(
        {
            "group": ["trained"] * 3 + ["comparison"],
            "newly_top": [True, True, False, False],
            "top_after": [True, True, True, False],
        }
    )
    s = sales.newly_top_summary(r).set_index("group")
    assert s.loc["trained", "newly_top"] == 2 and s.loc["trained", "share_newly_top"] == pytest.approx(2 / 3)


# --------------------------------------------------------------- sample backtests


@pytest.fixture(scope="module")
def sample():
    return simulate(seed=7)


@pytest.fixture(scope="module")
def tables(sample):
    factors = sales.never_trained_factors(sample.tables)
    return {r: sales.sales_attribution(sample.tables, *r, factors=factors) for r in REPORTS}


def _truth(sample, measure):
    return sample.truth["effects"][sales.MEASURES[measure].truth]["value"]


def _interval(row, col):
    if row["kind"] == "relative":
        c = {"effect": "relative", "naive": "naive_relative"}[col]
        return row[c if col == "naive" else "relative_effect"], row[f"{c}_ci_low"], row[f"{c}_ci_high"]
    return row[col], row[f"{col}_ci_low"], row[f"{col}_ci_high"]


# Measured on the sample (seed 7): 36 of the 39 estimable effect intervals cover the
# truth. At 95% coverage the number of misses among 39 is Binomial(39, 0.05): 2 expected,
# 5 or more with probability 4.4%, so more than 5 misses fails (rather than comparing
# with the set of misses the code happened to produce). The misses today: the east
# 2025Q2 win rate (~2.5 closed opportunities per rep-month, a small cohort that won much
# more in the after-window), the north 2025Q3 lead conversion and repurchase rate (15
# reps). Coverage under zero effects is checked over 20 seeds in tests/stats/test_coverage.py.
MAX_EFFECT_MISSES = 5


def test_attributed_effects_cover_the_truth(sample, tables):
    missed, not_estimated = set(), []
    for report, t in tables.items():
        for _, row in t.iterrows():
            v, lo, hi = _interval(row, "effect")
            if math.isnan(v):
                not_estimated.append((*report, row["measure"]))
                continue
            if not lo <= _truth(sample, row["measure"]) <= hi:
                missed.add((*report, row["measure"]))
    assert len(missed) <= MAX_EFFECT_MISSES, missed
    # the volumes (multiplicative DiD) cover their truth in every report
    assert not {m for m in missed if sales.MEASURES[m[2]].kind == "relative"}, missed
    # complaint retention is only known 90 days after the complaint: not for the Q3 cohorts
    assert sorted(not_estimated) == [
        ("east", "2025Q3", "complaint_retention"),
        ("north", "2025Q3", "complaint_retention"),
        ("west", "2025Q3", "complaint_retention"),
    ]


# Measured on the sample (seed 7). The generator's Q4 season and market trend lift
# volumes, order value and every rate of trained and untrained reps alike, so the naive
# before/after change overstates every effect and its interval misses the truth, except:
# - complaint retention (Q2 cohorts; the Q3 ones cannot be estimated): under one
#   complaint per rep-month, its intervals span +-0.17 to +-0.32, wider than the
#   season's few points (Q1 -> Q3);
# - the Q2 cohorts' before-window is the Q1 low season and their after-window Q3, a
#   smaller seasonal gap than Q2 -> Q4, with 15-20 reps and wide intervals: east new
#   clients (interval +-0.21), east and north lead conversion, north and south win rate
#   (+-0.14 to +-0.17), east and south repurchase;
# - the west (18 reps) 2025Q3 win rate (interval +-0.14) and the north (15 reps) 2025Q3
#   repurchase rate (+-0.05): small cohorts, noisy shares.
# The east 2025Q3 report, the largest cohort (45 reps), has no exception.
NAIVE_COVERS = {
    ("east", "2025Q2", "complaint_retention"),
    ("north", "2025Q2", "complaint_retention"),
    ("south", "2025Q2", "complaint_retention"),
    ("east", "2025Q2", "new_clients"),
    ("east", "2025Q2", "lead_conversion"),
    ("north", "2025Q2", "lead_conversion"),
    ("north", "2025Q2", "win_rate"),
    ("south", "2025Q2", "win_rate"),
    ("east", "2025Q2", "repurchase_rate"),
    ("south", "2025Q2", "repurchase_rate"),
    ("west", "2025Q3", "win_rate"),
    ("north", "2025Q3", "repurchase_rate"),
}


def test_naive_change_misses_the_truth(sample, tables):
    covers, checked = set(), 0
    for report, t in tables.items():
        for _, row in t.iterrows():
            v, lo, hi = _interval(row, "naive")
            if math.isnan(v):
                continue
            checked += 1
            truth = _truth(sample, row["measure"])
            if lo <= truth <= hi:
                covers.add((*report, row["measure"]))
            if row["measure"] != "complaint_retention":
                assert v > truth, (report, row["measure"])  # season + trend push it up
    assert covers == NAIVE_COVERS
    assert checked == 39 and not any(r[:2] == ("east", "2025Q3") for r in covers)


def test_seasonally_adjusted_change_for_every_measure(sample, tables):
    """Volumes are divided by factors, shares (repurchase too) have additive effects taken out."""
    t = tables[("east", "2025Q3")].set_index("measure")
    # 22 three-month windows in 24 months: two start months are seen once, too few
    # for a month-of-year effect (issue 9, finding 11), and the table says so
    assert "two windows starting in each calendar month" in t.loc["repurchase_rate", "seasonal_source"]
    for name, row in t.drop(index=["complaint_retention", "repurchase_rate"]).iterrows():
        additive = sales.MEASURES[name].kind == "absolute"
        assert row["seasonal_source"] == (
            "additive month-of-year effects given" if additive else "month-of-year factors given"
        ), name
        naive, _, _ = _interval(row, "naive")
        adjusted = row["adjusted_relative"] if row["kind"] == "relative" else row["adjusted"]
        truth = _truth(sample, name)
        assert abs(adjusted - truth) < abs(naive - truth), name  # season out, trend still in


def test_never_trained_factors_kinds(sample):
    f = sales.never_trained_factors(sample.tables)
    # complaint retention (known up to 90 days before the data's end) and the rolling
    # repurchase windows have fewer than two points for some calendar month: no factors
    assert set(f) == set(sales.MEASURES) - {"complaint_retention", "repurchase_rate"}
    for name, s in f.items():
        if sales.MEASURES[name].kind == "absolute":
            assert s.name == "seasonal_effect" and abs(s.mean()) < 1e-12, name
        else:
            assert s.name == "seasonal_factor" and abs(s.mean() - 1) < 1e-12, name
    # the Q4 - Q1 gap of the shares, in points, against the generator's
    shifts = sample.truth["seasonality"]["rate_shifts_by_month"]
    for name in ("lead_conversion", "win_rate"):
        truth = sum(shifts[name][str(m)] for m in (10, 11, 12)) / 3 - sum(shifts[name][str(m)] for m in (1, 2, 3)) / 3
        assert f[name][[10, 11, 12]].mean() - f[name][[1, 2, 3]].mean() == pytest.approx(truth, abs=0.03), name


def test_verdict_names_the_training_effect(tables):
    t = tables[("east", "2025Q3")].set_index("measure")
    assert "The training's effect is the ratio of the two" in t.loc["sales", "verdict"]
    assert "The training's effect, estimated over reps and months" in t.loc["win_rate", "verdict"]
    assert "not distinguishable from zero." in t.loc["new_clients", "verdict"]
    assert ", distinguishable from zero. The verdict is Holm-adjusted" in t.loc["avg_order_value", "verdict"]
    assert "cannot be estimated yet" in t.loc["complaint_retention", "verdict"]
    assert (t["n_treated"] == t.loc["sales", "n_treated"]).sum() >= 5


def test_parallel_trends_hold_on_the_sample(sample):
    coefs, tests = sales.parallel_trends(sample.tables, "east", "2025Q3")
    assert (tests["p_value"] > 0.05).all() and (tests["warning"] == "").all()
    assert set(coefs["event_time"]) >= {-12, -1, 0, 2}


def test_segments_and_rankings(sample):
    seg = sales.segment_effects(sample.tables, "north", "2025Q2", min_n=5)
    assert seg["n"].sum() == 15
    assert seg.loc[seg["n"] < 5, "effect"].isna().all()
    teams = sales.team_rankings(sample.tables, "2025Q3")
    assert sorted(teams["rank_after"]) == [1, 2, 3, 4]
    reps = sales.rep_rankings(sample.tables, "east", "2025Q3")
    assert reps["top_after"].sum() == 10 and (reps["newly_top"] <= reps["top_after"]).all()


def test_segment_effect_table_is_did_on_each_segment_against_all_comparison_reps():
    from trackreport.data.sample import generate
    from trackreport.report.params import resolve
    from trackreport.stats.attribution import did

    data = generate(seed=3, scale=0.6)
    params = resolve("east", "2025Q3")
    table = sales.segment_effect_table(data, "east", "2025Q3", params, measures=["win_rate", "sales"], min_n=5)
    panel = sales.cohort_panel(data, "east", "2025Q3")
    treated = panel["treated"].to_numpy(dtype=bool)
    checked = 0
    for r in table.itertuples(index=False):
        if r.measure != "win_rate" or r.n < 5:
            assert r.n >= 5 or math.isnan(r.effect)
            continue
        sub = panel[(treated & (panel["segment"] == r.segment).to_numpy()) | ~treated]
        sub = sub[sub["win_rate"].notna()]
        ref = did(sub, outcome="win_rate", unit="employee_id", period="month", treated="treated", post="post")
        assert r.effect == pytest.approx(ref.value, abs=1e-10)
        assert r.ci_low == pytest.approx(ref.ci_low, abs=1e-10) and r.unit == "pp"
        checked += 1
    assert checked >= 2
    assert set(table.loc[table["measure"] == "sales", "unit"]) == {"relative"}


# ------------------------------------------------- issue 9, finding 8: weighted rates


def test_rates_carry_their_denominators_by_hand():
    p = sales.measure_panel(_tiny(), start="2025-01", end="2025-02", outlier_factor=20)
    p = p.set_index(["employee_id", p["month"].dt.month])
    assert p.loc[("a", 1), "win_rate_n"] == 2 and p.loc[("b", 1), "win_rate_n"] == 1  # closed opportunities
    assert p.loc[("a", 1), "lead_conversion_n"] == 3  # leads within the follow-up cut-off
    assert p.loc[("a", 1), "complaint_retention_n"] == 1  # complaints with a known outcome
    assert math.isnan(p.loc[("b", 2), "lead_conversion_n"])  # no denominator: no row in the DiD


def test_rate_effects_are_dids_weighted_by_their_denominators(sample, tables):
    """A rep-month resting on 20 closed opportunities counts 20 times one resting on 1 (WLS)."""
    from trackreport.stats.attribution import did

    panel = sales.cohort_panel(sample.tables, "east", "2025Q3")
    panel = panel.loc[(panel["month"] >= pd.Timestamp("2025-04-01")).to_numpy()]
    t = tables[("east", "2025Q3")].set_index("measure")
    kw = dict(unit="employee_id", period="month", treated="treated", post="post")
    for rate in ("win_rate", "lead_conversion"):
        weighted = did(panel, outcome=rate, weights=f"{rate}_n", **kw)
        unweighted = did(panel, outcome=rate, **kw)
        assert t.loc[rate, "effect"] == pytest.approx(weighted.value, abs=1e-12)
        assert t.loc[rate, "effect_ci_low"] == pytest.approx(weighted.ci_low, abs=1e-12)
        assert abs(weighted.value - unweighted.value) > 1e-4
    assert t.loc["win_rate", "mde"] == pytest.approx(2.8016 * t.loc["win_rate", "effect_se"], rel=1e-4)


def test_an_underpowered_rate_says_the_smallest_effect_it_can_detect(tables):
    row = tables[("east", "2025Q3")].set_index("measure").loc["win_rate"]
    assert not (row["effect_ci_low"] > 0 or row["effect_ci_high"] < 0)
    assert row["mde"] > 0.15  # about 18 pp, against an estimate of about 3 pp (truth 8 pp)
    assert f"Underpowered: the smallest effect this test can detect is {100 * row['mde']:+.1f} pp" in row["verdict"]
    # a distinguishable effect is not called underpowered
    assert all("Underpowered" not in v for t in tables.values() for v in t.loc[t["effect_ci_low"] > 0, "verdict"])


def test_underpowered_against_a_target():
    m = sales.MEASURES["new_clients"]
    row = {
        "effect": 0.3,
        "effect_ci_low": -0.1,
        "effect_ci_high": 0.7,
        "relative_effect": 0.05,
        "relative_ci_low": -0.02,
        "relative_ci_high": 0.13,
        "mde": 0.25,
        "n_treated": 8,
        "n_comparison": 30,
        "trained_factor": 1.2,
        "comparison_factor": 1.14,
        "effect_factor": 1.05,
        "adjusted_relative": math.nan,
    }
    text = sales._verdict(m, row, target=0.20)
    assert "Underpowered: the smallest effect this test can detect is +25.0%" in text and "target of +20.0%" in text
    assert "Underpowered" not in sales._verdict(m, {**row, "mde": 0.15}, target=0.20)


def test_chapter_06_effects_are_holm_adjusted_as_one_family(tables):
    """Issue 9, finding 5: the chapter's training effects are one family of k tests; the
    verdict rests on Holm's adjusted p-value (statsmodels multipletests as the reference),
    the 95% interval stays unadjusted and the sentence says so. East 2025Q3 sales: CI +1.6%
    to +28.2% (p = 0.026) read "distinguishable" before; Holm over 6 effects gives 0.104."""
    from statsmodels.stats.multitest import multipletests

    for key, t in tables.items():
        est = t[t["effect_p_value"].notna()]
        ref = multipletests(est["effect_p_value"], method="holm")[1]
        assert est["effect_p_holm"].to_numpy() == pytest.approx(ref, abs=1e-12), key
        assert (t["holm_k"] == len(est)).all()
        for _, r in est.iterrows():
            says_yes = r["verdict"].split(" The verdict is Holm-adjusted")[0].endswith(", distinguishable from zero.")
            assert says_yes == (r["effect_p_holm"] < 0.05), (key, r["measure"])
            assert f"Holm-adjusted for the {len(est)} training effects" in r["verdict"]
    sales_row = tables[("east", "2025Q3")].set_index("measure").loc["sales"]
    assert sales_row["effect_ci_low"] > 0 and sales_row["effect_p_holm"] > 0.05
    assert "its 95% CI excludes zero, but it is not distinguishable from zero" in sales_row["verdict"]


def test_segment_grid_is_flagged_by_benjamini_hochberg(sample):
    from statsmodels.stats.multitest import multipletests

    params = resolve("east", "2025Q3")
    table = sales.segment_effect_table(sample.tables, "east", "2025Q3", params, min_n=5)
    tested = table[table["p_value"].notna()]
    assert len(tested) >= 6
    assert tested["q_value"].to_numpy() == pytest.approx(multipletests(tested["p_value"], method="fdr_bh")[1])
    shown = sales.segment_display(table)
    assert shown.attrs["tests"] == len(tested) and "q (BH)" in shown.columns
    flagged = shown["verdict"] == "distinguishable from zero (BH)"
    assert (flagged.to_numpy() == (table["q_value"] < 0.05).to_numpy()).all()
