"""Tests of the sample-company generator: determinism, the data contract, and known truth."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from trackreport.data.sample import Effects, generate, main, owned_files, simulate, write
from trackreport.data.schema import TABLES
from trackreport.errors import TrackreportError
from trackreport.paths import SAMPLE_DIR

BOOLS = {"true": True, "false": False}


def read_csv_table(folder: Path, name: str) -> pd.DataFrame:
    """Read a table as the contract describes it: all text, empty = missing, true/false booleans."""
    df = pd.read_csv(folder / f"{name}.csv", dtype=str, keep_default_na=False, na_values=[""])
    for col in TABLES[name].columns_of_kind("bool"):
        df[col] = df[col].map(BOOLS).astype("boolean")
    return df


@pytest.fixture(scope="module")
def default_sample(tmp_path_factory):
    """The default sample (seed 7, scale 1) generated afresh and written to a temporary folder."""
    s = simulate(seed=7, scale=1)
    out = tmp_path_factory.mktemp("sample")
    write(s.tables, s.truth, out)
    return s, out


@pytest.fixture(scope="module")
def csv_tables(default_sample):
    _, out = default_sample
    return {name: read_csv_table(out, name) for name in TABLES}


# --------------------------------------------------------------------------- determinism


def test_same_seed_gives_identical_frames():
    a = generate(seed=11, scale=0.3)
    b = generate(seed=11, scale=0.3)
    assert set(a) == set(TABLES)
    for name in TABLES:
        pd.testing.assert_frame_equal(a[name], b[name], obj=name)


def test_other_seed_gives_other_data():
    a = generate(seed=11, scale=0.3)
    c = generate(seed=12, scale=0.3)
    assert not a["orders"]["amount"].equals(c["orders"]["amount"])


@pytest.mark.slow
def test_committed_sample_is_the_default_generation(default_sample):
    """data/sample/ holds exactly what `--seed 7 --scale 1` writes (byte for byte)."""
    _, out = default_sample
    for f in owned_files():
        assert (SAMPLE_DIR / f).read_bytes() == (out / f).read_bytes(), f"{f} differs; run make sample"


# --------------------------------------------------------------------------- contract


def test_every_table_validates_against_the_schema(csv_tables):
    for name, table in TABLES.items():
        table.schema.validate(csv_tables[name], lazy=True)


def test_keys_unique_and_foreign_keys_resolve(csv_tables):
    for name, table in TABLES.items():
        df = csv_tables[name]
        assert not df.duplicated(list(table.key)).any(), name
        for col, ref in table.foreign_keys.items():
            rt, rc = ref.split(".")
            values = df[col].dropna()
            missing = set(values) - set(csv_tables[rt][rc])
            assert not missing, f"{name}.{col} -> {ref}: {sorted(missing)[:5]}"


def test_csv_formats(default_sample):
    _, out = default_sample
    orders = (out / "orders.csv").read_text(encoding="utf-8").splitlines()
    assert orders[0] == ",".join(TABLES["orders"].column_names)
    assert ",2024-01-01," in orders[1]
    complaints = (out / "complaints.csv").read_text(encoding="utf-8").splitlines()[1]
    assert pd.Series([complaints.split(",")[4]]).str.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d").all()
    assert ",true" in "".join(orders) and ",false" in "".join(orders)


def test_size_is_reasonable(default_sample):
    _, out = default_sample
    total = sum(p.stat().st_size for p in out.iterdir())
    assert 5e6 < total < 20e6


def test_truth_json(default_sample):
    s, out = default_sample
    truth = json.loads((out / "TRUTH.json").read_text(encoding="utf-8"))
    assert truth["seed"] == 7 and truth["scale"] == 1.0
    for key in ("effects", "cohorts", "seasonality", "market_trend", "trainers", "generator_version"):
        assert key in truth
    assert truth["effects"]["sales"] == {**truth["effects"]["sales"], "value": 0.15, "kind": "relative"}
    assert truth["effects"]["nps"]["kind"] == "absolute"
    text = (out / "TRUTH.json").read_text(encoding="utf-8")
    assert text == json.dumps(truth, sort_keys=True, indent=2, ensure_ascii=False) + "\n"


# --------------------------------------------------------------------------- writing


def test_write_refuses_a_non_empty_folder_and_force_keeps_foreign_files(tmp_path):
    s = simulate(seed=1, scale=0.1)
    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(TrackreportError):
        write(s.tables, s.truth, tmp_path)
    assert not (tmp_path / "orders.csv").exists()
    write(s.tables, s.truth, tmp_path, force=True)
    assert (tmp_path / "notes.txt").read_text() == "mine"
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(owned_files() + ["notes.txt"])


def test_cli_effect_options(tmp_path):
    out = tmp_path / "s"
    assert main(["--out", str(out), "--seed", "2", "--scale", "0.1", "--no-effects", "--effect-sales", "0.3"]) == 0
    truth = json.loads((out / "TRUTH.json").read_text(encoding="utf-8"))
    assert truth["effects"]["sales"]["value"] == 0.3
    assert truth["effects"]["win_rate"]["value"] == 0.0
    assert main(["--out", str(out), "--scale", "0.1"]) == 2  # not empty, no --force


# --------------------------------------------------------------------------- truth


def _rep_months(s) -> pd.DataFrame:
    """Sales per rep-month with the treatment status from TRUTH.json."""
    t = s.tables
    o = t["orders"].assign(month=t["orders"]["order_date"].dt.to_period("M").dt.to_timestamp())
    outliers = set(s.truth["outlier_orders"]["order_ids"])
    o = o[~o["order_id"].isin(outliers)]
    sales = o.groupby(["employee_id", "month"])["amount"].agg(["sum", "count", "mean"]).reset_index()
    start = {e: pd.Timestamp(c["effect_start"]) for c in s.truth["cohorts"] for e in c["employee_ids"]}
    sales["trained"] = sales["employee_id"].isin(start)
    sales["treated"] = sales["month"] >= sales["employee_id"].map(start).fillna(pd.Timestamp("2100-01-01"))
    return sales


def _months(*ms: str) -> list[pd.Timestamp]:
    return [pd.Timestamp(m) for m in ms]


def test_east_cohort_is_the_decks_45_with_the_30_40_30_mix(default_sample):
    s, _ = default_sample
    east = next(c for c in s.truth["cohorts"] if c["team"] == "east" and c["quarter"] == "2025Q3")
    emp = s.tables["employees"].set_index("employee_id").loc[east["employee_ids"]]
    assert len(emp) == 45
    tenure = (pd.Timestamp(east["training_start"]) - emp["hire_date"]).dt.days / 365.25
    managers = emp["role"] == "manager"
    assert managers.sum() == 13
    assert ((tenure < 1) & ~managers).sum() == 14
    assert ((tenure >= 3) & (tenure <= 5) & ~managers).sum() == 18
    enrolled = s.tables["enrollments"].merge(s.tables["courses"], on="course_id")
    east_q3 = enrolled[enrolled["employee_id"].isin(east["employee_ids"])]
    assert set(east_q3["cohort"]) == {"2025Q3"}
    assert east_q3["end_date"].max() == pd.Timestamp(east["training_end"])
    assert east["effect_start"] == "2025-09-01"


def test_every_team_has_an_untrained_comparison_group(default_sample):
    s, _ = default_sample
    trained = {e for c in s.truth["cohorts"] for e in c["employee_ids"]}
    emp = s.tables["employees"]
    n_untrained = emp[~emp["employee_id"].isin(trained)].groupby("team").size()
    assert n_untrained.between(20, 40).all() and len(n_untrained) == 4
    assert 0.04 < emp["leave_date"].notna().mean() < 0.14


def test_q4_peak_and_trend_in_untrained_sales(default_sample):
    s, _ = default_sample
    rm = _rep_months(s)
    u = rm[~rm["trained"]].groupby("month")["sum"].mean()
    q3, q4 = (
        u.loc[_months("2024-07-01", "2024-08-01", "2024-09-01")].mean(),
        u.loc[_months("2024-10-01", "2024-11-01", "2024-12-01")].mean(),
    )
    assert q4 / q3 > 1.15
    assert 25_000 < u.loc[_months("2024-04-01", "2024-05-01", "2024-06-01")].mean() < 60_000
    year = u.loc["2025"].mean() / u.loc["2024"].mean()
    assert 1.07 < year < 1.20  # 1.01**12 = 1.127


def test_naive_before_after_overstates_and_did_recovers_sales_effect(default_sample):
    s, _ = default_sample
    rm = _rep_months(s)
    before, after = _months("2025-06-01", "2025-07-01", "2025-08-01"), _months("2025-09-01", "2025-10-01", "2025-11-01")
    team = s.tables["employees"].set_index("employee_id")["team"]
    q3 = next(c for c in s.truth["cohorts"] if c["team"] == "east" and c["quarter"] == "2025Q3")
    east = rm[rm["employee_id"].map(team) == "east"]
    both = east.groupby("employee_id")["month"].apply(lambda m: set(before + after) <= set(m))
    east = east[east["employee_id"].isin(both[both].index)]
    tr = east[east["employee_id"].isin(q3["employee_ids"])]
    un = east[~east["trained"]]
    naive = tr[tr["month"].isin(after)]["sum"].mean() / tr[tr["month"].isin(before)]["sum"].mean() - 1
    control = un[un["month"].isin(after)]["sum"].mean() / un[un["month"].isin(before)]["sum"].mean() - 1
    did = (1 + naive) / (1 + control) - 1
    assert naive > 0.15 + 0.10
    assert abs(did - 0.15) < 0.08


def test_crm_completeness_and_fabe_truth(default_sample):
    s, _ = default_sample
    rm = _rep_months(s)[["employee_id", "month", "trained", "treated"]]
    crm = s.tables["crm_activity"].merge(rm, on=["employee_id", "month"])
    crm["grp"] = np.where(crm["treated"], "post", np.where(crm["trained"], "pre", "untrained"))
    share = crm.groupby("grp")[["records_complete", "records_created", "fabe_calls", "observed_calls"]].sum()
    completeness = share["records_complete"] / share["records_created"]
    fabe = share["fabe_calls"] / share["observed_calls"]
    assert abs(completeness["post"] - 0.92) < 0.02
    assert abs(completeness["untrained"] - 0.70) < 0.02
    assert abs(completeness["pre"] - 0.70) < 0.03
    assert abs(fabe["post"] - fabe["pre"] - 0.35) < 0.05


def test_knowledge_gain_truth(default_sample):
    s, _ = default_sample
    trained = {e for c in s.truth["cohorts"] for e in c["employee_ids"]}
    a = s.tables["assessments"]
    k = (
        a[a["kind"] == "knowledge"]
        .pivot_table(index="employee_id", columns="phase", values="score")
        .dropna(subset=["pre", "post"])
    )
    gain = (k["post"] - k["pre"]).groupby(k.index.isin(trained)).mean()
    assert abs(gain[True] - 32) < 4
    assert abs(gain[False] - 2) < 6
    assert 48 < k.loc[k.index.isin(trained), "pre"].mean() < 62
    items = s.tables["assessment_items"]
    n_right = items.groupby(["employee_id", "test_id", "phase"])["correct"].sum() * 5.0
    scores = a.set_index(["employee_id", "test_id", "phase"])["score"]
    assert (scores.loc[n_right.index] == n_right).all()


def test_repurchase_nps_funnel_truth(default_sample):
    s, _ = default_sample
    t = s.tables
    trained = {e for c in s.truth["cohorts"] for e in c["employee_ids"]}
    o = t["orders"]
    window = o[o["order_date"].between("2024-04-01", "2024-06-30")]
    per = window.groupby(["employee_id", "customer_id"]).size().ge(2).groupby("employee_id").mean()
    assert abs(per.mean() - 0.45) < 0.04
    q3 = next(c for c in s.truth["cohorts"] if c["team"] == "east" and c["quarter"] == "2025Q3")
    post = o[o["order_date"].between("2025-09-01", "2025-11-30")]
    per_post = post.groupby(["employee_id", "customer_id"]).size().ge(2).groupby("employee_id").mean()
    lift = per_post[per_post.index.isin(q3["employee_ids"])].mean() - per_post[~per_post.index.isin(trained)].mean()
    assert abs(lift - 0.10) < 0.05

    fb = t["customer_feedback"].dropna(subset=["nps"])
    fb = fb[~fb["employee_id"].isin(trained)]
    nps = 100 * ((fb["nps"] >= 9).mean() - (fb["nps"] <= 6).mean())
    assert abs(nps - 35) < 3
    # untrained rates: base + the month's season shift + the market trend (TRUTH.json)
    leads = t["leads"][~t["leads"]["employee_id"].isin(trained) & (t["leads"]["created_date"] < "2025-12-01")]
    assert (
        abs(leads["converted"].mean() - _expected_rate(s.truth, leads["created_date"], "lead_conversion", 0.12)) < 0.015
    )
    opp = t["opportunities"]
    closed = opp[opp["stage"].isin(["won", "lost"]) & ~opp["employee_id"].isin(trained)]
    assert (
        abs((closed["stage"] == "won").mean() - _expected_rate(s.truth, closed["created_date"], "win_rate", 0.35))
        < 0.03
    )


def _expected_rate(truth: dict, dates: pd.Series, measure: str, base: float) -> float:
    """Mean over events of the untrained probability of their month, from TRUTH.json."""
    shift = dates.dt.month.astype(str).map(truth["seasonality"]["rate_shifts_by_month"][measure]).astype(float)
    t = (dates.dt.year - 2024) * 12 + dates.dt.month - 1
    return float((base + shift + truth["market_trend"]["rate_monthly_trend"][measure] * t).mean())


def test_season_and_market_move_the_rates_of_the_untrained(default_sample):
    """Q4 converts more leads, wins more, brings customers back more and buys bigger orders than Q1."""
    s, _ = default_sample
    t = s.tables
    trained = {e for c in s.truth["cohorts"] for e in c["employee_ids"]}
    quarter = lambda d: d.dt.quarter  # noqa: E731
    leads = t["leads"][~t["leads"]["employee_id"].isin(trained) & (t["leads"]["created_date"] < "2025-12-01")]
    conv = leads.groupby(quarter(leads["created_date"]))["converted"].mean()
    assert conv[4] - conv[1] > 0.06  # generator: +0.09
    opp = t["opportunities"]
    closed = opp[opp["stage"].isin(["won", "lost"]) & ~opp["employee_id"].isin(trained)]
    win = (closed["stage"] == "won").groupby(quarter(closed["created_date"])).mean()
    assert win[4] - win[1] > 0.15  # generator: +0.21
    rm = _rep_months(s)
    aov = (
        rm[~rm["trained"]]
        .assign(q=rm["month"].dt.quarter)
        .groupby("q")
        .apply(lambda g: g["sum"].sum() / g["count"].sum())
    )
    assert 1.12 < aov[4] / aov[1] < 1.36  # generator: 1.10 / 0.913 x 1.004**9 (price trend) = 1.24
    o = t["orders"][~t["orders"]["employee_id"].isin(trained)]
    share = {}
    for q, (a, b) in {1: ("2025-01-01", "2025-03-31"), 4: ("2024-10-01", "2024-12-31")}.items():
        w = o[o["order_date"].between(a, b)]
        share[q] = w.groupby(["employee_id", "customer_id"]).size().ge(2).groupby("employee_id").mean().mean()
    assert share[4] - share[1] > 0.05  # generator: 0.057 + 0.050 - 3 months of trend = +0.10


def test_reaction_surveys_are_reliable_and_track_trainer_truth(default_sample):
    s, _ = default_sample
    r = s.tables["reaction_surveys"]
    for dim in ("practicality", "trainer"):
        wide = (
            r[r["dimension"] == dim]
            .pivot(index="response_id", columns="item_id", values="answer")
            .astype(float)
            .dropna()
        )
        k = wide.shape[1]
        alpha = k / (k - 1) * (1 - wide.var().sum() / wide.sum(axis=1).var())
        assert 0.65 < alpha < 0.95, (dim, alpha)
    assert 0.01 < r["answer"].isna().mean() < 0.06
    means = r[r["dimension"] == "trainer"].groupby("trainer_id")["answer"].mean()
    truth = pd.Series({k: v["true_satisfaction_1_5"] for k, v in s.truth["trainers"].items()})
    both = pd.concat([means, truth], axis=1, join="inner")
    assert both.corr().iloc[0, 1] > 0.8
    assert (both.iloc[:, 0] - both.iloc[:, 1]).abs().max() < 0.35


def test_360_ratings_truth(default_sample):
    s, _ = default_sample
    trained = {e for c in s.truth["cohorts"] for e in c["employee_ids"]}
    r = s.tables["ratings_360"]
    m = r.groupby([r["ratee_id"].isin(trained), "wave"])["rating"].mean()
    assert abs((m[True]["post"] - m[True]["pre"]) - 0.5) < 0.12
    assert abs(m[False]["post"] - m[False]["pre"]) < 0.12
    assert set(r["rater_type"]) == {"self", "peer", "manager", "direct_report", "customer"}


def test_zero_effects_leave_trained_reps_like_the_others():
    s = simulate(seed=5, scale=0.3, effects=Effects.zero())
    trained = {e for c in s.truth["cohorts"] for e in c["employee_ids"]}
    crm = s.tables["crm_activity"]
    crm = crm[crm["employee_id"].isin(trained) & (crm["month"] >= "2025-10-01")]
    assert abs(crm["records_complete"].sum() / crm["records_created"].sum() - 0.70) < 0.03
    a = s.tables["assessments"]
    k = a[(a["kind"] == "knowledge")].pivot_table(index="employee_id", columns="phase", values="score")
    assert abs((k["post"] - k["pre"]).mean() - 2) < 5
