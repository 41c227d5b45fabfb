"""Tests of trackreport.stats.learning against independent references.

References: scipy.stats.ttest_rel (and its confidence_interval), scipy.stats.pointbiserialr,
scipy.stats.nct (defining equations of the noncentral-t interval), statsmodels'
Wilson interval, Lakens' (2013) movie-rating example, a Monte Carlo simulation for the
d_av delta-method standard error, a seeded bootstrap for the gain interval, and
hand-computed tiny cases.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from statsmodels.stats.proportion import proportion_confint

from trackreport.stats.learning import (
    change_by_group,
    cohens_d,
    gain_band,
    item_analysis,
    normalized_gain,
    paired_change,
    pass_rate,
    weakest_topics,
)

pytestmark = pytest.mark.filterwarnings("error")

PRE = np.array([52, 61, 47, 70, 58, 66, 49, 73, 55, 60, 64, 51], dtype=float)
POST = np.array([60, 65, 59, 71, 70, 64, 58, 80, 63, 71, 66, 62], dtype=float)

# Lakens (2013), Frontiers in Psychology 4:863, Table 1: ratings of two movies by the
# same 10 people. Published: Movie 1 M = 8.7 (SD 0.82), Movie 2 M = 7.7 (SD 0.95),
# dependent t(9) = 4.74, p = 0.001, d_z = 1.50, d_av = 1.13.
MOVIE1 = [9, 7, 8, 9, 8, 9, 9, 10, 9, 9]
MOVIE2 = [9, 6, 7, 8, 7, 9, 8, 8, 8, 7]


# ---------------------------------------------------------------- paired_change


def test_paired_change_matches_scipy_ttest_rel():
    ref = stats.ttest_rel(POST, PRE)
    ci = ref.confidence_interval(0.95)
    e = paired_change(PRE, POST)
    assert e.value == pytest.approx(np.mean(POST - PRE))
    assert e.p_value == pytest.approx(ref.pvalue, rel=1e-10)
    assert e.ci_low == pytest.approx(ci.low, rel=1e-10)
    assert e.ci_high == pytest.approx(ci.high, rel=1e-10)
    assert e.n == PRE.size


def test_paired_change_aligns_series_on_index_and_drops_incomplete_pairs():
    ids = [f"e{i:02d}" for i in range(PRE.size)]
    pre = pd.Series(PRE, index=ids)
    post = pd.Series(POST, index=ids).iloc[::-1]  # other order
    post = pd.concat([post, pd.Series([99.0], index=["only_post"])])
    pre = pre.copy()
    pre.iloc[0] = np.nan  # e00 loses its pair
    keep = slice(1, None)
    ref = stats.ttest_rel(POST[keep], PRE[keep])
    e = paired_change(pre, post)
    assert e.n == PRE.size - 1
    assert e.p_value == pytest.approx(ref.pvalue, rel=1e-10)
    assert e.value == pytest.approx(np.mean(POST[keep] - PRE[keep]))


def test_paired_change_accepts_nullable_integer_series():
    pre = pd.Series([10, 12, pd.NA, 15], dtype="Int64")
    post = pd.Series([12, 15, 20, pd.NA], dtype="Int64")
    e = paired_change(pre, post)
    assert e.n == 2 and e.value == pytest.approx(2.5)


def test_paired_change_edge_cases():
    empty = paired_change([], [])
    assert empty.n == 0 and math.isnan(empty.value)
    one = paired_change([50], [60])
    assert one.value == 10 and math.isnan(one.ci_low) and math.isnan(one.p_value)
    with pytest.raises(ValueError):
        paired_change([1, 2, 3], [1, 2])


@pytest.mark.parametrize("shift", [0.0, 5.0])
def test_paired_change_with_identical_differences_follows_scipy_limit(shift):
    pre = np.array([50.0, 60.0, 70.0])
    post = pre + shift
    with warnings.catch_warnings():  # silence scipy (the reference), not trackreport
        warnings.simplefilter("ignore")
        ref = stats.ttest_rel(post, pre)
    e = paired_change(pre, post)
    assert e.value == shift and e.ci_low == shift and e.ci_high == shift
    if math.isnan(ref.pvalue):
        assert math.isnan(e.p_value)
    else:
        assert e.p_value == ref.pvalue


# ---------------------------------------------------------------- cohens_d


def test_cohens_d_reproduces_lakens_2013_worked_example():
    dz = cohens_d(MOVIE2, MOVIE1, kind="z")
    dav = cohens_d(MOVIE2, MOVIE1, kind="av")
    change = paired_change(MOVIE2, MOVIE1)
    assert round(dz.value, 2) == 1.50
    assert round(dav.value, 2) == 1.13
    t = change.value / (np.std(np.subtract(MOVIE1, MOVIE2), ddof=1) / math.sqrt(10))
    assert round(t, 2) == 4.74
    assert round(change.p_value, 3) == 0.001
    assert dz.p_value == pytest.approx(change.p_value)
    assert (np.mean(MOVIE1), np.mean(MOVIE2)) == (pytest.approx(8.7), pytest.approx(7.7))


def test_cohens_d_direction_follows_post_minus_pre():
    assert cohens_d(MOVIE1, MOVIE2).value == pytest.approx(-cohens_d(MOVIE2, MOVIE1).value)


def test_cohens_d_z_interval_solves_the_noncentral_t_equations():
    e = cohens_d(PRE, POST, kind="z")
    n = PRE.size
    t_obs = stats.ttest_rel(POST, PRE).statistic
    assert e.value == pytest.approx(t_obs / math.sqrt(n))
    # P(T <= t_obs | ncp = low·√n) = 0.975 and P(T <= t_obs | ncp = high·√n) = 0.025
    assert stats.nct.cdf(t_obs, n - 1, e.ci_low * math.sqrt(n)) == pytest.approx(0.975, abs=1e-7)
    assert stats.nct.cdf(t_obs, n - 1, e.ci_high * math.sqrt(n)) == pytest.approx(0.025, abs=1e-7)
    assert e.method == "Cohen's d_z, noncentral t interval"


def test_cohens_d_z_interval_is_close_to_the_normal_approximation_for_large_n():
    rng = np.random.default_rng(7)
    pre = rng.normal(60, 10, size=400)
    post = pre + rng.normal(3, 8, size=400)
    e = cohens_d(pre, post)
    half = 1.959964 * math.sqrt(1 / 400 + e.value**2 / 800)
    assert e.ci_low == pytest.approx(e.value - half, abs=0.01)
    assert e.ci_high == pytest.approx(e.value + half, abs=0.01)


def test_cohens_d_av_is_mean_change_over_mean_sd_and_its_se_matches_simulation():
    # point estimate, computed by hand with pandas
    e = cohens_d(PRE, POST, kind="av")
    ref = (POST - PRE).mean() / ((pd.Series(PRE).std() + pd.Series(POST).std()) / 2)
    assert e.value == pytest.approx(ref)
    # delta-method standard error vs the spread of d_av over 4000 simulated samples
    rng = np.random.default_rng(12345)
    n, reps, rho, s1, s2 = 40, 4000, 0.6, 10.0, 15.0
    cov = [[s1**2, rho * s1 * s2], [rho * s1 * s2, s2**2]]
    sims = rng.multivariate_normal([60.0, 75.0], cov, size=(reps, n))
    a, b = sims[..., 0], sims[..., 1]
    d_av = (b - a).mean(axis=1) / ((a.std(axis=1, ddof=1) + b.std(axis=1, ddof=1)) / 2)
    se = [(est.ci_high - est.ci_low) / (2 * 1.959964) for est in (cohens_d(a[i], b[i], kind="av") for i in range(200))]
    assert np.mean(se) == pytest.approx(d_av.std(), rel=0.03)
    assert e.method == "Cohen's d_av, delta-method normal interval"


def test_cohens_d_rejects_unknown_kind():
    with pytest.raises(ValueError, match="kind"):
        cohens_d(PRE, POST, kind="rm")


@pytest.mark.parametrize("kind", ["z", "av"])
def test_cohens_d_edge_cases(kind):
    assert math.isnan(cohens_d([], [], kind=kind).value)
    assert math.isnan(cohens_d([1], [2], kind=kind).value)
    # all answers equal: zero SD in the denominator
    assert math.isnan(cohens_d([3, 3, 3], [3, 3, 3], kind=kind).value)


def test_cohens_d_z_undefined_when_differences_do_not_vary_but_d_av_is_defined():
    pre, post = [50, 60, 70], [55, 65, 75]
    assert math.isnan(cohens_d(pre, post, kind="z").value)
    assert cohens_d(pre, post, kind="av").value == pytest.approx(0.5)


# ---------------------------------------------------------------- normalized gain


def test_normalized_gain_hake_definition_hand_computed():
    # class average 40% before, 70% after: <g> = (70 - 40) / (100 - 40) = 0.5
    e = normalized_gain([30, 40, 50], [60, 70, 80])
    assert e.value == pytest.approx(0.5)
    assert gain_band(e.value) == "medium"
    # role-play scale: max 5, 3 -> 4 closes half of the remaining 2 points
    assert normalized_gain([3, 3], [4, 4], max_score=5).value == pytest.approx(0.5)


def test_normalized_gain_delta_interval_matches_a_seeded_bootstrap():
    rng = np.random.default_rng(2025)
    pre = np.clip(rng.normal(55, 12, size=80), 0, 100)
    post = np.clip(pre + rng.normal(15, 9, size=80), 0, 100)
    e = normalized_gain(pre, post)
    idx = rng.integers(0, 80, size=(4000, 80))
    mp, mq = pre[idx].mean(axis=1), post[idx].mean(axis=1)
    boot = (mq - mp) / (100 - mp)
    assert e.value == pytest.approx((post.mean() - pre.mean()) / (100 - pre.mean()))
    se = (e.ci_high - e.ci_low) / (2 * 1.959964)
    assert se == pytest.approx(boot.std(ddof=1), rel=0.05)
    assert e.ci_low == pytest.approx(np.percentile(boot, 2.5), abs=0.02)
    assert e.ci_high == pytest.approx(np.percentile(boot, 97.5), abs=0.02)


def test_normalized_gain_edge_cases():
    assert math.isnan(normalized_gain([100, 100], [100, 100]).value)  # nothing left to gain
    one = normalized_gain([50], [75])
    assert one.value == 0.5 and math.isnan(one.ci_low)
    assert math.isnan(normalized_gain([], []).value)
    assert normalized_gain([60, 70], [50, 60]).value < 0  # losses are negative gains


@pytest.mark.parametrize(
    ("g", "band"),
    [
        (-0.1, "low"),
        (0.29, "low"),
        (0.3, "medium"),
        (0.69, "medium"),
        (0.7, "high"),
        (0.9, "high"),
        (math.nan, "not computable"),
    ],
)
def test_gain_band_hake(g, band):
    assert gain_band(g) == band


# ---------------------------------------------------------------- pass_rate


def test_pass_rate_matches_statsmodels_wilson_and_counts_threshold_as_pass():
    scores = [59.5, 60, 61, 80, 45, 72, None, 90, 58]
    k, n = 5, 8
    low, high = proportion_confint(k, n, method="wilson")
    e = pass_rate(scores, threshold=60)
    assert (e.value, e.n) == (pytest.approx(k / n), n)
    assert (e.ci_low, e.ci_high) == (pytest.approx(low), pytest.approx(high))
    assert math.isnan(pass_rate([], threshold=60).value)
    assert pass_rate([70, 80], threshold=60).ci_high == pytest.approx(1.0)


# ---------------------------------------------------------------- item analysis


def _items(answers: dict[str, list[int]], topics: dict[str, str]) -> pd.DataFrame:
    rows = [
        {"employee_id": f"e{i}", "item_id": item, "topic": topics[item], "correct": bool(v)}
        for item, col in answers.items()
        for i, v in enumerate(col)
    ]
    df = pd.DataFrame(rows, columns=["employee_id", "item_id", "topic", "correct"])
    df["correct"] = df["correct"].astype("boolean")
    return df


ANSWER_MATRIX = {
    "q1": [1, 1, 1, 1, 1, 0, 1, 1, 0, 1],
    "q2": [1, 1, 0, 1, 0, 0, 1, 0, 0, 1],
    "q3": [1, 0, 1, 1, 0, 0, 0, 1, 0, 0],
    "q4": [0, 1, 0, 1, 0, 1, 0, 0, 0, 1],
    "q5": [1, 1, 1, 1, 1, 1, 1, 1, 1, 1],  # everyone right: no discrimination
}
TOPICS = {"q1": "parameters", "q2": "scenarios", "q3": "scenarios", "q4": "competitors", "q5": "parameters"}


def test_item_analysis_difficulty_and_point_biserial_against_scipy():
    out = item_analysis(_items(ANSWER_MATRIX, TOPICS)).set_index("item_id")
    wide = pd.DataFrame(ANSWER_MATRIX)
    for item in ["q1", "q2", "q3", "q4"]:
        rest = wide.drop(columns=item).sum(axis=1)
        ref = stats.pointbiserialr(wide[item], rest).statistic
        assert out.loc[item, "discrimination"] == pytest.approx(ref, abs=1e-12)
        assert out.loc[item, "difficulty"] == pytest.approx(wide[item].mean())
        assert out.loc[item, "n"] == 10
    assert math.isnan(out.loc["q5", "discrimination"])
    assert out.loc["q1", "topic"] == "parameters"


def test_item_analysis_upper_lower_index_hand_computed():
    # totals e0..e9: 4 4 3 5 2 2 3 3 1 4; 27% of 10 -> 3 people per group.
    # upper (total desc, ties by id): e3(5), e0(4), e1(4); lower: e5(2), e4(2)... last 3 = e4, e5, e8.
    out = item_analysis(_items(ANSWER_MATRIX, TOPICS)).set_index("item_id")
    # q2: upper e3,e0,e1 = 1,1,1; lower e4,e5,e8 = 0,0,0 -> D = 1
    assert out.loc["q2", "upper_lower"] == pytest.approx(1.0)
    # q4: upper 1,0,1 -> 2/3; lower 0,1,0 -> 1/3 -> D = 1/3
    assert out.loc["q4", "upper_lower"] == pytest.approx(1 / 3)
    assert out.loc["q5", "upper_lower"] == pytest.approx(0.0)


def test_item_analysis_edge_cases():
    one = item_analysis(_items({"q1": [1], "q2": [0]}, {"q1": "a", "q2": "b"}))
    assert one["n"].tolist() == [1, 1]
    assert one["discrimination"].isna().all() and one["upper_lower"].isna().all()
    empty = item_analysis(_items({"q1": []}, {"q1": "a"}))
    assert empty.empty and list(empty.columns) == [
        "item_id",
        "topic",
        "n",
        "difficulty",
        "discrimination",
        "upper_lower",
    ]
    dup = pd.concat([_items({"q1": [1, 0]}, {"q1": "a"})] * 2)
    with pytest.raises(ValueError, match="one test and phase"):
        item_analysis(dup)


def test_item_analysis_drops_missing_answers():
    df = _items(ANSWER_MATRIX, TOPICS)
    df.loc[(df["item_id"] == "q1") & (df["employee_id"] == "e0"), "correct"] = pd.NA
    out = item_analysis(df).set_index("item_id")
    assert out.loc["q1", "n"] == 9
    assert out.loc["q1", "difficulty"] == pytest.approx(7 / 9)


def test_weakest_topics_ranks_topics_by_share_correct():
    out = weakest_topics(_items(ANSWER_MATRIX, TOPICS), k=2)
    assert out["topic"].tolist() == ["competitors", "scenarios"]
    assert out["share_correct"].tolist() == pytest.approx([4 / 10, 9 / 20])
    assert out["n_items"].tolist() == [1, 2]
    low, high = proportion_confint(9, 20, method="wilson")
    assert (out.loc[1, "ci_low"], out.loc[1, "ci_high"]) == (pytest.approx(low), pytest.approx(high))


# ---------------------------------------------------------------- change_by_group


def _assessments() -> pd.DataFrame:
    rows = []
    for i, (p, q) in enumerate(zip(PRE, POST, strict=True)):
        region = "east" if i % 2 else "west"
        rows.append((f"e{i:02d}", "knowledge", region, "pre", p, 100.0))
        rows.append((f"e{i:02d}", "knowledge", region, "post", q, 100.0))
        rows.append((f"e{i:02d}", "roleplay", region, "pre", 2.0 + (i % 3) * 0.5, 5.0))
        rows.append((f"e{i:02d}", "roleplay", region, "post", 3.0 + (i % 4) * 0.5, 5.0))
    rows.append(("e99", "knowledge", "east", "pre", 40.0, 100.0))  # no post: unpaired
    rows.append(("e00", "knowledge", "west", "followup", 99.0, 100.0))  # other phase
    return pd.DataFrame(rows, columns=["employee_id", "kind", "region", "phase", "score", "max_score"]).astype(
        {"employee_id": "str", "kind": "str", "region": "str", "phase": "str"}
    )


def test_change_by_group_per_kind_matches_scipy_and_the_single_statistics():
    df = _assessments()
    out = change_by_group(df, by="kind").set_index("kind")
    assert list(out.columns) == [
        "n",
        "mean_pre",
        "mean_post",
        "change",
        "ci_low",
        "ci_high",
        "p_value",
        "d_z",
        "d_av",
        "gain",
    ]
    row = out.loc["knowledge"]
    ref = stats.ttest_rel(POST, PRE)
    assert row["n"] == PRE.size
    assert row["mean_pre"] == pytest.approx(PRE.mean()) and row["mean_post"] == pytest.approx(POST.mean())
    assert row["p_value"] == pytest.approx(ref.pvalue)
    assert row["ci_low"] == pytest.approx(ref.confidence_interval().low)
    assert row["gain"] == pytest.approx((POST.mean() - PRE.mean()) / (100 - PRE.mean()))
    # role-play: gain on a 5-point maximum equals the gain in % of maximum
    rp = df[(df["kind"] == "roleplay")]
    rp_pre = rp[rp["phase"] == "pre"]["score"].to_numpy()
    rp_post = rp[rp["phase"] == "post"]["score"].to_numpy()
    assert out.loc["roleplay", "gain"] == pytest.approx((rp_post.mean() - rp_pre.mean()) / (5 - rp_pre.mean()))


def test_change_by_group_two_keys_and_overall():
    df = _assessments()
    out = change_by_group(df, by=["kind", "region"])
    assert len(out) == 4 and out["kind"].dtype == df["kind"].dtype
    west = out[(out["kind"] == "knowledge") & (out["region"] == "west")].iloc[0]
    assert west["d_z"] == pytest.approx(cohens_d(PRE[0::2], POST[0::2]).value)
    assert west["d_av"] == pytest.approx(cohens_d(PRE[0::2], POST[0::2], kind="av").value)
    overall = change_by_group(df[df["kind"] == "knowledge"], by=None)
    assert len(overall) == 1 and overall.loc[0, "n"] == PRE.size


def test_change_by_group_averages_repeated_rows_and_handles_groups_without_pairs():
    df = pd.DataFrame(
        {
            "employee_id": ["a", "a", "a", "b", "b", "c"],
            "kind": ["k", "k", "k", "k", "k", "solo"],
            "phase": ["pre", "pre", "post", "pre", "post", "pre"],
            "score": [40.0, 60.0, 70.0, 30.0, 50.0, 80.0],
        }
    )
    out = change_by_group(df, max_score=None).set_index("kind")
    assert out.loc["k", "mean_pre"] == pytest.approx(40.0)  # a: (40+60)/2 = 50, b: 30
    assert out.loc["k", "change"] == pytest.approx(20.0)
    assert math.isnan(out.loc["k", "gain"])
    solo = out.loc["solo"]
    assert solo["n"] == 0 and math.isnan(solo["change"]) and math.isnan(solo["d_z"])
    assert change_by_group(df, max_score=100).loc[0, "gain"] == pytest.approx(20 / 60)


def test_cohens_d_z_extreme_t_still_gives_a_finite_interval():
    # differences nearly constant: t is astronomically large; the noncentral-t root search
    # may give up and the documented normal approximation is used instead
    e = cohens_d([0.0, 0.0], [1.0, 1.0 + 1e-9])
    assert e.ci_low < e.value < e.ci_high and math.isfinite(e.ci_high)
    assert e.method in {"Cohen's d_z, noncentral t interval", "Cohen's d_z, normal approximation"}
