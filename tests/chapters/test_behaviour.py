"""Tests of trackreport.chapters.behaviour: hand-computed frames and backtests against TRUTH.json."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from trackreport.chapters import behaviour as bh
from trackreport.chapters import evaluation as ev
from trackreport.data.cohort import cohort_members, comparison_members, report_windows
from trackreport.paths import SAMPLE_DIR


@pytest.fixture(scope="module")
def east_q3(sample_data):
    data = sample_data
    m, c = cohort_members(data, "east", "2025Q3"), comparison_members(data, "east", "2025Q3")
    return ev.cohort_slice(data, m, c, quarter="2025Q3")


@pytest.fixture(scope="module")
def truth():
    return json.loads((SAMPLE_DIR / "TRUTH.json").read_text(encoding="utf-8"))


def test_crm_completeness_is_a_ratio_of_sums():
    crm = pd.DataFrame(
        {
            "employee_id": ["a"] * 3,
            "group": "trained",
            "month": pd.to_datetime(["2025-01-01", "2025-02-01", "2025-04-01"]),
            "records_created": [10, 30, 5],
            "records_complete": [10, 15, 5],
        }
    )
    w = (pd.Timestamp("2025-01-01"), pd.Timestamp("2025-03-31"))
    out = bh.crm_completeness(crm, before=w, after=(pd.Timestamp("2025-04-01"), pd.Timestamp("2025-06-30")))
    assert out.set_index("window").loc["before", "completeness"] == pytest.approx(25 / 40)
    assert out.set_index("window").loc["after", "completeness"] == 1.0


def test_fabe_rule_needs_enough_calls_and_share():
    crm = pd.DataFrame(
        {
            "employee_id": ["a", "b", "c", "c"],
            "month": pd.to_datetime(["2025-10-01", "2025-10-01", "2025-10-01", "2026-01-01"]),
            "observed_calls": [4, 4, 2, 9],
            "fabe_calls": [2, 1, 2, 9],
        }
    )
    people = pd.DataFrame(
        {"employee_id": ["a", "b", "c"], "group": "trained", "training_end": pd.to_datetime(["2025-09-20"] * 3)}
    )
    out = bh.fabe_adoption(crm, people, months=3).set_index("employee_id")
    assert out.loc["a", "applies"] == True  # noqa: E712 - 2/4 = 50% counts
    assert out.loc["b", "applies"] == False  # noqa: E712
    assert pd.isna(out.loc["c", "applies"])  # January is outside Oct-Dec: only 2 calls
    assert bh.adoption_share(out.reset_index()).value == 0.5


def test_fabe_comparison_uses_cohort_window():
    crm = pd.DataFrame(
        {
            "employee_id": ["t", "u"],
            "month": pd.to_datetime(["2025-10-01", "2025-10-01"]),
            "observed_calls": [4, 4],
            "fabe_calls": [4, 0],
        }
    )
    people = pd.DataFrame(
        {
            "employee_id": ["t", "u"],
            "group": ["trained", "comparison"],
            "training_end": pd.to_datetime(["2025-09-05", None]),
        }
    )
    out = bh.fabe_adoption(crm, people).set_index("employee_id")
    assert out.loc["u", "window_start"] == pd.Timestamp("2025-10-01")
    assert out.loc["u", "applies"] == False  # noqa: E712


def test_capability_profile_counts_ratees():
    r = pd.DataFrame(
        {
            "ratee_id": ["a", "a", "a", "b"],
            "group": "trained",
            "segment": "manager",
            "competency": "negotiation",
            "wave": "pre",
            "rating": [2, 4, 3, 5],
        }
    )
    out = bh.capability_profile(r)
    assert out["n"].iloc[0] == 2 and out["rating"].iloc[0] == pytest.approx(4.0)  # a: 3, b: 5


def test_rating_360_change_within_truth(east_q3, truth):
    out = bh.rating_change(east_q3.ratings)
    eff = truth["effects"]["rating_360"]["value"]
    for group in ("trained", "difference"):  # untrained change is 0 by construction
        e = ev.estimate_of(out, group=group)
        assert e.ci_low <= eff <= e.ci_high, group


def test_crm_completeness_change_within_truth(east_q3, truth):
    w = report_windows("2025Q3")
    crm = bh.crm_completeness(east_q3.crm, before=w.before, after=w.after)
    e = ev.estimate_of(bh.crm_change(crm), group="difference")
    assert e.ci_low <= truth["effects"]["crm_completeness"]["value"] <= e.ci_high
    comp = ev.estimate_of(bh.crm_change(crm), group="comparison")
    assert comp.ci_low <= 0 <= comp.ci_high  # untrained flat


def test_fabe_share_change_within_truth(east_q3, truth):
    """FABE call share, trained change net of untrained, against the fabe_share effect."""
    w = report_windows("2025Q3")
    crm = east_q3.crm[east_q3.crm["observed_calls"] > 0]
    rows = []
    for name, (a, b) in (("before", w.before), ("after", w.after)):
        sel = crm[(crm["month"] >= a) & (crm["month"] <= b)]
        g = sel.groupby(["employee_id", "group"], as_index=False)[["fabe_calls", "observed_calls"]].sum()
        rows.append(g.assign(window=name, share=g["fabe_calls"] / g["observed_calls"]))
    out = ev.compare_change(pd.concat(rows), value="share", phase_col="window", pre="before", post="after")
    e = ev.estimate_of(out, group="difference")
    assert e.ci_low <= truth["effects"]["fabe_share"]["value"] <= e.ci_high


# --------------------------------------------------------------------------- manager KPIs, critical incidents, call SOP


def _people_q(data, team: str, quarter: str) -> pd.DataFrame:
    m, c = cohort_members(data, team, quarter), comparison_members(data, team, quarter)
    people = ev.cohort_slice(data, m, c, quarter=quarter).people
    return people.merge(data["employees"][["employee_id", "hire_date", "leave_date"]], on="employee_id")


def _behaviour_did(data, team: str, quarter: str) -> dict[str, object]:
    """The chapter's four DiD estimates of a cohort, as the 05 notebook computes them."""
    w = report_windows(quarter)
    people = _people_q(data, team, quarter)
    kpi = bh.kpi_change(bh.kpi_windows(data["manager_kpis"], people, before=w.before, after=w.after))
    sop = bh.sop_change(bh.sop_compliance(data["call_audits"], people, before=w.before, after=w.after))
    at_risk = bh.employed_throughout(people, start=w.before[0], end=w.after[1])
    inc = bh.incident_change(bh.incident_rates(data["critical_incidents"], at_risk, before=w.before, after=w.after))
    return {
        "display_compliance": ev.estimate_of(kpi, group="difference", kpi="display_compliance"),
        "visit_plan_adherence": ev.estimate_of(kpi, group="difference", kpi="visit_plan_adherence"),
        "call_sop": ev.estimate_of(sop, group="difference"),
        "critical_incidents": ev.estimate_of(inc, group="difference"),
    }


def _truths(truth) -> dict[str, float]:
    t = truth["behaviour_records"]
    return {
        "display_compliance": t["manager_kpis"]["effects"]["display_compliance"],
        "visit_plan_adherence": t["manager_kpis"]["effects"]["visit_plan_adherence"],
        "call_sop": t["call_audits"]["effect"],
        "critical_incidents": t["critical_incidents"]["base_rate_per_person_month"] * t["critical_incidents"]["effect"],
    }


def test_kpi_share_is_checks_weighted_and_sop_a_ratio_of_sums():
    w = (pd.Timestamp("2025-01-01"), pd.Timestamp("2025-03-31"))
    v = (pd.Timestamp("2025-04-01"), pd.Timestamp("2025-06-30"))
    people = pd.DataFrame({"employee_id": ["a"], "group": ["trained"]})
    k = pd.DataFrame(
        {
            "employee_id": ["a", "a", "a", "x"],
            "kpi": "display_compliance",
            "month": pd.to_datetime(["2025-01-01", "2025-03-01", "2025-04-01", "2025-01-01"]),
            "checks": [1, 3, 2, 5],
            "value": [0.0, 1.0, 0.5, 1.0],
        }
    )
    out = bh.kpi_windows(k, people, before=w, after=v).set_index("window")
    assert out.loc["before", "value"] == pytest.approx(3 / 4)  # not the mean of shares (0.5)
    assert out.loc["after", "checks"] == 2
    assert "x" not in set(out["employee_id"])  # not in people
    a = pd.DataFrame(
        {
            "employee_id": ["a", "a"],
            "month": pd.to_datetime(["2025-01-01", "2025-02-01"]),
            "calls_audited": [10, 2],
            "calls_compliant": [9, 0],
        }
    )
    sop = bh.sop_compliance(a, people, before=w, after=v)
    assert sop["window"].tolist() == ["before"]  # no audits after: no value, not 0
    assert sop["compliance"].iloc[0] == pytest.approx(9 / 12)


def test_incident_rates_count_zero_and_did_matches_scipy_welch():
    scipy_stats = pytest.importorskip("scipy.stats")
    w = (pd.Timestamp("2025-01-01"), pd.Timestamp("2025-03-31"))
    v = (pd.Timestamp("2025-04-01"), pd.Timestamp("2025-06-30"))
    people = pd.DataFrame({"employee_id": list("abcdef"), "group": ["trained"] * 3 + ["comparison"] * 3})
    dates = ["2025-01-10", "2025-02-10", "2025-05-10", "2025-01-03", "2025-02-03", "2025-03-03", "2025-02-20"]
    dates += ["2025-04-20", "2025-05-20", "2025-03-01", "2025-06-01"]
    r = pd.DataFrame({"employee_id": list("aaabbbdeeff"), "kind": "follow_up_missed", "date": pd.to_datetime(dates)})
    rates = bh.incident_rates(r, people, before=w, after=v)
    assert len(rates) == 12 and rates.loc[(rates["employee_id"] == "c"), "rate"].tolist() == [0.0, 0.0]
    wide = rates.pivot(index="employee_id", columns="window", values="rate")
    change = wide["after"] - wide["before"]
    t, c = change[list("abc")], change[list("def")]
    ref = scipy_stats.ttest_ind(t, c, equal_var=False).confidence_interval(0.95)
    e = ev.estimate_of(bh.incident_change(rates), group="difference")
    assert e.value == pytest.approx(t.mean() - c.mean())
    assert (e.ci_low, e.ci_high) == pytest.approx((ref.low, ref.high))


def test_employed_throughout_drops_joiners_and_leavers():
    p = pd.DataFrame(
        {
            "employee_id": ["a", "b", "c"],
            "hire_date": pd.to_datetime(["2020-01-01", "2025-02-01", "2020-01-01"]),
            "leave_date": pd.to_datetime([None, None, "2025-05-01"]),
        }
    )
    out = bh.employed_throughout(p, start=pd.Timestamp("2025-01-01"), end=pd.Timestamp("2025-06-30"))
    assert out["employee_id"].tolist() == ["a"]


def test_east_q3_behaviour_records_recover_the_truth(sample_data, truth):
    """TRUTH behaviour_records: each DiD's 95% interval covers the injected effect (absolute)."""
    est, expected = _behaviour_did(sample_data, "east", "2025Q3"), _truths(truth)
    for name, e in est.items():
        assert e.n >= 15, name
        assert e.ci_low <= expected[name] <= e.ci_high, (name, e, expected[name])


def test_behaviour_records_intervals_cover_the_truth_across_cohorts(sample_data, truth):
    """Over every sample cohort (6 cohorts x 4 measures), 95% intervals cover the truth nearly always."""
    from trackreport.data.cohort import cohort_quarters, teams

    expected = _truths(truth)
    hits = [
        e.ci_low <= expected[name] <= e.ci_high
        for team in teams(sample_data)
        for q in cohort_quarters(sample_data, team)
        for name, e in _behaviour_did(sample_data, team, q).items()
    ]
    assert len(hits) == 24
    assert sum(hits) >= 21  # P(>= 4 misses of 24 at 95%) < 0.04 (binomial), if the estimator is unbiased


def test_rating_grid_stars_only_benjamini_hochberg_significant_cells():
    """Issue 9, finding 5: a cell whose own interval excludes zero is not starred when the
    grid's false discovery rate says it could be chance."""
    from trackreport.chapters.behaviour import rating_grid

    ch = pd.DataFrame(
        {
            "rater_type": ["peer", "self"],
            "competency": ["negotiation"] * 2,
            "group": ["difference"] * 2,
            "n": [8, 8],
            "value": [0.5, 0.2],
            "ci_low": [0.1, 0.01],
            "ci_high": [0.9, 0.4],
            "p_value": [0.001, 0.04],
            "q_value": [0.002, 0.08],
        }
    )
    assert rating_grid(ch).to_dict("records") == [{"competency": "negotiation", "peer": "+0.50*", "self": "+0.20"}]
