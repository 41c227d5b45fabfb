"""Chapter 01, background and goals: trainee profile, baseline gaps, pain points, targets.

Pure functions over validated tables (see :mod:`trackreport.data.schema`). Every estimate
carries its n and, where it is estimated from a sample, a 95% interval.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from trackreport.chapters.behaviour import adoption_share, crm_completeness, fabe_adoption
from trackreport.chapters.customers import complaint_resolution, resolution_estimate
from trackreport.chapters.delivery import checkin_completion
from trackreport.chapters.evaluation import stage_target, stage_test_average
from trackreport.data.cohort import SEGMENTS, Windows
from trackreport.data.panels import panel_source
from trackreport.data.schema import COMPETENCIES
from trackreport.i18n import N_, _, format_quarter, list_text
from trackreport.stats.display import code_text, format_value, status_word
from trackreport.stats.estimate import Estimate, mean_ci, proportion
from trackreport.stats.results import repurchase_rate

if TYPE_CHECKING:
    from trackreport.report.params import ReportParams

__all__ = [
    "COLUMNS",
    "LEVELS",
    "PROFICIENT",
    "trainee_profile",
    "learning_preferences",
    "capability_baseline",
    "weakest_competencies",
    "weakest_sentence",
    "pain_points",
    "target_table",
]

PROFICIENT = 4.0
"""Rating that means "meets expectations" on the 1-5 competency scale: gaps are measured to it."""

COLUMNS = {
    "segment": N_("Segment"),
    "role": N_("Role"),
    "share": N_("Share"),
    "competency": N_("Competency"),
    "mean": N_("Mean"),
    "gap": N_("Gap"),
    "indicator": N_("Indicator"),
    "period": N_("Period"),
    "value": N_("Value"),
    "goal": N_("Goal"),
    "level": N_("Level"),
    "baseline": N_("Baseline"),
    "target": N_("Target"),
    "current": N_("Current"),
    "status": N_("Status"),
    "note": N_("Note"),
}
"""The headers of this chapter's tables as a reader sees them (translated where shown)."""

LEVELS = {"behaviour": N_("behaviour"), "results": N_("results"), "process": N_("process")}
"""The ``level`` of a target (its Kirkpatrick level, or the training process), translated where shown."""


def _period(table: pd.DataFrame, period: str) -> Estimate:
    r = table.set_index("period").loc[period]
    return Estimate(float(r["value"]), float(r["ci_low"]), float(r["ci_high"]), n=int(r["n"]))


def _resolved_of(resolution: pd.DataFrame, hours: float) -> str:
    """ "0 of 245 resolved within 24 h (fastest 26 h)": what a share of resolved complaints rests on."""
    r = resolution.set_index("period").loc["after"]
    fields = {"resolved": f"{int(r['resolved_within']):,}", "n": f"{int(r['n_within']):,}", "hours": f"{hours:g}"}
    if math.isnan(r["fastest_hours"]):
        return _("{resolved} of {n} resolved within {hours} h", **fields)
    return _(
        "{resolved} of {n} resolved within {hours} h (fastest {fastest} h)",
        fastest=format(r["fastest_hours"], ".0f"),
        **fields,
    )


def _rows(records: list[tuple], columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame.from_records(records, columns=columns)


def _est_row(label: str, e: Estimate) -> tuple:
    return (label, e.value, e.ci_low, e.ci_high, e.n)


def trainee_profile(members: pd.DataFrame, *, by: str = "segment") -> pd.DataFrame:
    """Head count and share of the cohort by ``segment``, ``tenure_band`` or ``role``.

    Examples
    --------
    >>> m = pd.DataFrame({"segment": ["manager", "under 1 year", "manager", "3-5 years"]})
    >>> trainee_profile(m)[["segment", "n", "share"]].to_dict("records")[0]
    {'segment': 'under 1 year', 'n': 1, 'share': 0.25}
    """
    order = list(SEGMENTS) if by == "segment" else sorted(members[by].dropna().unique())
    counts = members[by].value_counts().reindex(order).dropna().astype(int)
    total = int(counts.sum())
    out = counts.rename("n").rename_axis(by).reset_index()
    out["share"] = out["n"] / total if total else np.nan
    return out


def learning_preferences(members: pd.DataFrame) -> pd.DataFrame:
    """Learning preferences of the cohort: shares (Wilson) and mean mobile share (t).

    Missing survey answers are left out; ``n`` is the number who answered.

    Examples
    --------
    >>> m = pd.DataFrame({"prefers_case_teaching": pd.array([True, True, False, None], dtype="boolean"),
    ...                   "wants_personal_path": pd.array([True, False, False, True], dtype="boolean"),
    ...                   "mobile_learning_share": [0.7, 0.8, None, 0.6]})
    >>> learning_preferences(m)[["preference", "value", "n"]].round(3).to_dict("records")[0]
    {'preference': 'prefers case teaching', 'value': 0.667, 'n': 3}

    ``preference`` is the English text, translated where shown (``_(preference)``).
    """
    rows = []
    for col, text in (
        ("prefers_case_teaching", N_("prefers case teaching")),
        ("wants_personal_path", N_("wants a personalised learning path")),
    ):
        answered = members[col].dropna().astype(bool)
        rows.append(_est_row(text, proportion(int(answered.sum()), len(answered))))
    mobile = N_("share of learning time on mobile (mean)")
    rows.append(_est_row(mobile, mean_ci(members["mobile_learning_share"].tolist())))
    return _rows(rows, ["preference", "value", "ci_low", "ci_high", "n"])


def capability_baseline(
    ratings: pd.DataFrame, members: pd.DataFrame, *, by: str | None = None, wave: str = "pre"
) -> pd.DataFrame:
    """Baseline capability per competency from 360-degree ratings of the cohort.

    Each person's score on a competency is the mean of all their raters' ratings in the
    ``wave``; the table gives the mean over people with a t interval, n = people, and
    the gap to :data:`PROFICIENT` (4 = meets expectations).

    Examples
    --------
    >>> r = pd.DataFrame({"ratee_id": ["a", "a", "b", "b"], "competency": ["negotiation"] * 4,
    ...                   "wave": ["pre"] * 4, "rating": [3, 4, 2, 3]})
    >>> m = pd.DataFrame({"employee_id": ["a", "b"], "segment": ["manager", "manager"]})
    >>> capability_baseline(r, m)[["competency", "n", "mean", "gap"]].to_dict("records")
    [{'competency': 'negotiation', 'n': 2, 'mean': 3.0, 'gap': 1.0}]
    """
    keys = ["competency"] + ([by] if by else [])
    r = ratings[ratings["wave"] == wave].merge(
        members[["employee_id"] + ([by] if by else [])], left_on="ratee_id", right_on="employee_id"
    )
    person = r.groupby(["ratee_id", *keys], as_index=False)["rating"].mean()
    rows = []
    for key, grp in person.groupby(keys, sort=False):
        e = mean_ci(grp["rating"].tolist())
        key = key if isinstance(key, tuple) else (key,)
        rows.append((*key, e.n, e.value, e.ci_low, e.ci_high, PROFICIENT - e.value))
    out = _rows(rows, [*keys, "n", "mean", "ci_low", "ci_high", "gap"])
    out["competency"] = pd.Categorical(out["competency"], categories=COMPETENCIES, ordered=True)
    return out.sort_values(keys, ignore_index=True).assign(competency=lambda d: d["competency"].astype(str))


def weakest_competencies(baseline: pd.DataFrame, *, k: int = 3) -> pd.DataFrame:
    """The ``k`` competencies with the lowest baseline mean (largest gap)."""
    return baseline.nsmallest(k, "mean").reset_index(drop=True)


def weakest_sentence(weak: pd.DataFrame) -> str:
    """The sentence naming the weakest competencies of :func:`weakest_competencies` (Markdown).

    >>> w = pd.DataFrame({"competency": ["negotiation", "needs_analysis"], "mean": [2.9, 3.1], "gap": [1.1, 0.9]})
    >>> weakest_sentence(w)
    'The three weakest core skills before the training: **negotiation** (2.90, gap 1.10), **needs analysis** (3.10, gap 0.90).'
    """
    items = [
        _(
            "**{competency}** ({mean}, gap {gap})",
            competency=code_text(r.competency),
            mean=format(r.mean, ".2f"),
            gap=format(r.gap, ".2f"),
        )
        for r in weak.itertuples()
    ]
    return _("The three weakest core skills before the training: {skills}.", skills=list_text(items))


def pain_points(data: Mapping[str, pd.DataFrame], team: str, windows: Windows) -> pd.DataFrame:
    """Business pain-point indicators of the team before the training.

    - lead -> opportunity conversion of the team against the rest of the company,
      leads created in the before-window (Wilson intervals);
    - repurchase rate (customers with 2+ orders among those buying) of the team in each
      of the four quarters up to the before-window's end.

    ``indicator`` and ``period`` are texts for the reader, in the report's language.
    """
    emp = data["employees"][["employee_id", "team"]]
    src = panel_source(data)  # the heavy tables: counts per rep, and the team's rows of the window (data.panels)
    b0, b1 = windows.before
    counts = src.rate_counts("lead_conversion", employees=emp, start=b0, end=b1).merge(emp, on="employee_id")
    counts["group"] = np.where(counts["team"] == team, "team", "rest")
    per_group = counts.groupby("group", sort=True)[["k", "n"]].sum()
    indicator = {
        "team": _("lead -> opportunity conversion, team {team}", team=team),
        "rest": _("lead -> opportunity conversion, rest of company"),
    }
    rows = []
    for g, k, n in zip(per_group.index, per_group["k"], per_group["n"], strict=True):
        e = proportion(int(k), int(n))  # as stats.results.lead_conversion: Wilson
        rows.append((indicator[g], windows.label("before"), e.value, e.ci_low, e.ci_high, e.n))
    q_end = pd.Period(b1, freq="Q")
    quarters = pd.period_range(q_end - 3, q_end, freq="Q")
    team_ids = emp.loc[(emp["team"] == team).to_numpy(dtype=bool), "employee_id"]
    orders = src.rows(
        "orders",
        columns=["customer_id", "order_date"],
        employees=team_ids,
        date="order_date",
        start=quarters[0].start_time,
        end=quarters[-1].end_time.normalize(),
    )
    for q in quarters:
        e = repurchase_rate(orders, start=q.start_time, end=q.end_time.normalize())
        repurchase = _("repurchase rate (customers with 2+ orders)")
        rows.append((repurchase, format_quarter(str(q)), e.value, e.ci_low, e.ci_high, e.n))
    return _rows(rows, ["indicator", "period", "value", "ci_low", "ci_high", "n"])


def _ratio_change(before: pd.Series, after: pd.Series) -> Estimate:
    """Relative change of the mean per person, after/before - 1, paired over people (delta method)."""
    both = pd.concat([before.rename("b"), after.rename("a")], axis=1).dropna()
    n = len(both)
    if n < 2 or both["b"].mean() == 0:
        return Estimate(np.nan, n=n, method="ratio of means, delta method")
    mb, ma = both["b"].mean(), both["a"].mean()
    r = ma / mb
    cov = np.cov(both["a"], both["b"], ddof=1)
    var = (cov[0, 0] - 2 * r * cov[0, 1] + r * r * cov[1, 1]) / (n * mb * mb)
    from scipy import stats

    h = float(stats.t.ppf(0.975, n - 1)) * np.sqrt(max(var, 0.0))
    return Estimate(r - 1, r - 1 - h, r - 1 + h, n=n, method="ratio of means, delta method, t interval")


def target_table(
    data: Mapping[str, pd.DataFrame],
    members: pd.DataFrame,
    windows: Windows,
    params: ReportParams,
    *,
    attribution: pd.DataFrame | None = None,
    resolution: pd.DataFrame | None = None,
    nps_table: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """The deck's quantified targets: baseline, target, current value, status, n.

    Levels are descriptive, for the cohort: *baseline* in the before-window, *current*
    in the after-window. Growth targets (new clients, order value) are judged on the
    training's attributed effect when ``attribution`` (chapter 06's
    :func:`trackreport.chapters.sales.sales_attribution`) is given: the difference in differences
    against the comparison group, net of season and market; the raw before/after change
    is given in ``note`` beside it. Without it they are the raw change, labelled so.
    Complaints resolved within ``targets.complaint_resolution_hours`` come from
    ``resolution`` (chapter 09's :func:`trackreport.chapters.customers.complaint_resolution`,
    shared through :func:`trackreport.chapters.customers.resolution`; computed here when
    not given): the team's complaints, one definition and the same value and n in both
    chapters (issue 9, finding 9), the baseline being the same months a year earlier.

    NPS is chapter 09's definition (:func:`trackreport.chapters.customers.nps_periods`, the
    team's customers' answers before and after; pass ``nps_table`` = :func:`trackreport.chapters.customers.customer_nps`
    to reuse the run's), so that both pages show one value, n and status.
    ``status``: *met* / *missed* when the 95% interval lies wholly on one side of the
    target, else *on track* or *uncertain* (:func:`trackreport.stats.display.status_word`).
    ``goal`` and ``note`` are texts for the reader, in the report's language; ``level``
    is a key of :data:`LEVELS`.
    """
    t = params.targets
    ids = set(members["employee_id"])
    b0, b1 = windows.before
    a0, a1 = windows.after
    rows: list[dict] = []

    def add(
        goal: str,
        level: str,
        unit: str,
        baseline: float,
        target: float,
        cur: Estimate,
        higher_is_better: bool = True,
        note: str = "",
    ) -> None:
        status = status_word(cur.value, cur.ci_low, cur.ci_high, target, higher_is_better=higher_is_better)
        rows.append(
            {
                "goal": goal,
                "level": level,
                "unit": unit,
                "baseline": baseline,
                "target": target,
                "current": cur.value,
                "ci_low": cur.ci_low,
                "ci_high": cur.ci_high,
                "n": cur.n,
                "status": status,
                "note": note,
            }
        )

    crm = data["crm_activity"]
    crm = crm[crm["employee_id"].isin(ids)]
    completeness = crm_completeness(crm, before=windows.before, after=windows.after)
    by_window = {w: g["completeness"] for w, g in completeness.groupby("window")}
    add(
        _("CRM record completeness"),
        "behaviour",
        "share",
        float(by_window.get("before", pd.Series(dtype=float)).mean()),
        t.crm_completeness,
        mean_ci(by_window.get("after", pd.Series(dtype=float)).tolist()),
    )
    fabe = fabe_adoption(
        crm,
        members[["employee_id", "training_end"]],
        months=t.fabe_adoption_months,
        min_share=t.fabe_call_share,
        min_calls=t.fabe_min_calls,
    )
    fabe_before = fabe_adoption(
        crm,
        members[["employee_id"]],
        months=params.windows.before_months,
        min_share=t.fabe_call_share,
        min_calls=t.fabe_min_calls,
        start=b0,
    )
    add(
        _("Trainees applying FABE within {months} months", months=t.fabe_adoption_months),
        "behaviour",
        "share",
        float(fabe_before["applies"].dropna().astype(bool).mean()),
        t.fabe_adoption,
        adoption_share(fabe, group=None),
    )

    panel = panel_source(data).panel("orders", employees=members, start=b0, end=a1)
    in_b = (panel["month"] >= b0) & (panel["month"] <= b1)
    in_a = (panel["month"] >= a0) & (panel["month"] <= a1)
    nb = panel[in_b].groupby("employee_id")["new_clients"].mean()
    na = panel[in_a].groupby("employee_id")["new_clients"].mean()
    sums_b = panel[in_b].groupby("employee_id")[["sales", "orders"]].sum()
    sums_a = panel[in_a].groupby("employee_id")[["sales", "orders"]].sum()
    aov_b = sums_b["sales"] / sums_b["orders"].where(sums_b["orders"] > 0)
    aov_a = sums_a["sales"] / sums_a["orders"].where(sums_a["orders"] > 0)
    raw_new, raw_aov = _ratio_change(nb, na), _ratio_change(aov_b, aov_a)
    for measure, effect_goal, raw_goal, target, raw in (
        (
            "new_clients",
            _("New clients per rep and month: training effect"),
            _("New clients per rep and month: raw change"),
            t.new_clients_growth,
            raw_new,
        ),
        (
            "avg_order_value",
            _("Average order value: training effect"),
            _("Average order value: raw change"),
            t.order_value_growth,
            raw_aov,
        ),
    ):
        if attribution is not None:
            from trackreport.chapters.sales import effect_estimate

            eff = effect_estimate(attribution, measure, relative=True)
            # the trained reps' raw change as chapter 06 shows it (its rep-month panel), not a second definition
            shown_raw = attribution.set_index("measure").loc[measure].get("trained_factor", np.nan) - 1
            if not np.isfinite(shown_raw):
                shown_raw = raw.value
            add(
                effect_goal,
                "results",
                "relative",
                np.nan,  # an effect has no baseline of its own
                target,
                eff,
                note=_(
                    "difference in differences, season removed; raw change {change}",
                    change=format_value(shown_raw, "relative"),
                ),
            )
        else:
            add(
                raw_goal,
                "results",
                "relative",
                np.nan,
                target,
                raw,
                note=_("raw before/after change, not the training's effect (see chapter 06)"),
            )

    if nps_table is None:  # chapter 09's one definition: the team's customers' answers
        from trackreport.chapters.customers import nps_periods

        nps_table = nps_periods(data, params.team, params.quarter, params)
    nps_b, nps_a = (_period(nps_table, p) for p in ("before", "after"))
    add(_("Customer NPS"), "results", "points", nps_b.value, t.nps, nps_a)

    if resolution is None:
        resolution = complaint_resolution(data, params.team, params.quarter, params)
    add(
        _("Complaints resolved within {hours} hours", hours=format(t.complaint_resolution_hours, "g")),
        "results",
        "share",
        resolution_estimate(resolution, "within", period="year earlier").value,
        1.0,
        resolution_estimate(resolution, "within"),
        note=_(
            "the team's complaints as in chapter 09; baseline: the same months a year earlier; {resolved}",
            resolved=_resolved_of(resolution, t.complaint_resolution_hours),
        ),
    )

    chk = data["checkins"]
    chk = chk[chk["employee_id"].isin(ids)]
    q0, q1 = windows.before[1] + pd.Timedelta(days=1), windows.after[0] - pd.Timedelta(days=1)
    chk = chk[(chk["week_start"] >= q0) & (chk["week_start"] <= q1)]
    add(
        _("Weekly learning check-in completion"),
        "process",
        "share",
        np.nan,
        t.checkin_completion,
        checkin_completion(chk),  # chapter 04's definition: each trainee counts once
    )

    tests = data["assessments"]
    tests = tests[tests["employee_id"].isin(ids)]
    baseline_avg = stage_test_average(tests, phase="pre")["average"].mean()
    current, _unused = stage_target(stage_test_average(tests, phase="post"), target=t.stage_test_average)
    add(
        _("Average of the stage tests (knowledge, product)"),
        "process",
        "points",
        float(baseline_avg),
        t.stage_test_average,
        current,
    )
    return pd.DataFrame(rows)
