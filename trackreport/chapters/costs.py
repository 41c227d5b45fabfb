"""Chapter 10: cost-benefit. Did the training pay? (Phillips level 5.)

Costs are *fully loaded* (Phillips 2003, ch. 7): every cost line booked to the
programme's course runs or to the programme (trainer fees, venue, travel, materials,
platform), the programme's overheads prorated over the runs they serve
(``programme_overheads``: needs analysis, development, evaluation), and the
participants' time, attended hours x ``employees.hourly_cost`` (it replaces any
``participant_time`` line booked, which would count it twice).

Benefits come from chapter 06's attributed sales effect only (difference in
differences against the comparison group, shared per run through
:func:`trackreport.chapters.sales.attribution`), never the raw before/after change: the
effect per trained rep and month, times the months counted, times the trainees still
employed, times ``cost_benefit.margin``. The effect is already isolated by the comparison
group, so the isolation and confidence factors are 1. Its 95% interval is carried into
the benefit, the ROI and the BCR (:mod:`trackreport.stats.roi`). Phillips' conservative
rules: first-year benefits only (``cost_benefit.first_year_only``), no data means no
benefit, hidden benefits are not added.

Every function takes the notebook's Chapter (or anything with ``data``, ``params`` and
``shared(name, compute)``).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from trackreport.chapters import sales
from trackreport.data.cohort import cohort_members, report_windows
from trackreport.i18n import N_, _
from trackreport.stats.display import format_interval, format_value, status_word
from trackreport.stats.estimate import Estimate
from trackreport.stats.roi import bcr, monetary_benefit, roi, training_benefit

__all__ = [
    "CATEGORY_LABELS",
    "COLUMNS",
    "WORDS",
    "programme_courses",
    "cost_table",
    "fully_loaded_cost",
    "trainee_costs",
    "trained_remaining",
    "sales_effect",
    "benefit_table",
    "roi_estimate",
    "interval_status",
    "per_capita_table",
    "portfolio_split",
    "online_share",
    "nine_box",
    "high_potential_share",
    "vendor_table",
    "summary_sentences",
]

CATEGORY_LABELS = {
    "trainer_fee": N_("Trainer fees"),
    "venue": N_("Venue"),
    "travel": N_("Travel"),
    "materials": N_("Materials"),
    "platform": N_("Learning platform"),
    "needs_analysis": N_("Needs analysis (prorated)"),
    "development": N_("Development (prorated)"),
    "evaluation": N_("Evaluation (prorated)"),
    "participant_time": N_("Participants' time"),
}
"""Cost categories as the reader sees them (the English text; translated where shown)."""

TOTAL_LABEL = N_("Fully loaded cost")

COLUMNS = {
    "category": N_("Category"),
    "total": N_("Total"),
    "per_trainee": N_("Per trainee"),
    "share": N_("Share"),
    "basis": N_("Basis"),
    "months": N_("Months"),
    "months_counted": N_("Months counted"),
    "benefit": N_("Benefit"),
    "benefit_ci_low": N_("Benefit, 95% CI low"),
    "benefit_ci_high": N_("Benefit, 95% CI high"),
    "cost": N_("Cost"),
    "roi": N_("ROI"),
    "roi_ci_low": N_("ROI, 95% CI low"),
    "roi_ci_high": N_("ROI, 95% CI high"),
    "bcr": N_("BCR"),
    "bcr_ci_low": N_("BCR, 95% CI low"),
    "bcr_ci_high": N_("BCR, 95% CI high"),
    "level": N_("Level"),
    "cost_per_trainee": N_("Cost per trainee"),
    "budget": N_("Budget"),
    "within_budget": N_("Within budget"),
    "industry": N_("Industry"),
    "vs_industry": N_("Vs industry"),
    "alert": N_("Alert"),
    "tier": N_("Tier"),
    "spend": N_("Spend"),
    "target": N_("Target"),
    "gap_pp": N_("Gap pp"),
    "performance": N_("Performance"),
    "potential": N_("Potential"),
    "budget_share": N_("Budget share"),
    "vendor": N_("Vendor"),
    "year": N_("Year"),
    "price_per_hour": N_("Price per hour"),
    "quality": N_("Quality"),
    "roi_years_below": N_("ROI years below"),
    "reviews": N_("Reviews"),
    "decision": N_("Decision"),
}
"""The headers of this chapter's tables as a reader sees them (translated where shown)."""

WORDS = (
    N_("managers"),
    N_("staff"),
    N_("yes"),
    N_("no"),
    N_("core"),
    N_("extension"),
    N_("innovation"),
    N_("unassigned"),
    N_("keep"),
    N_("drop"),
)
"""The codes this chapter's tables show in text cells (levels, tiers, decisions), translated where shown."""


def _members(ch: Any) -> pd.DataFrame:
    members = getattr(ch, "members", None)
    if members is None:
        members = cohort_members(ch.data, ch.params.team, ch.params.quarter)
    return members


def programme_courses(ch: Any) -> pd.DataFrame:
    """The course runs of the cohort: runs of the quarter its trainees were enrolled in."""
    ids = set(_members(ch)["employee_id"])
    enr = ch.data["enrollments"]
    runs = set(enr.loc[enr["employee_id"].isin(ids), "course_id"])
    c = ch.data["courses"]
    return c[c["course_id"].isin(runs) & (c["cohort"] == ch.params.quarter)].reset_index(drop=True)


def has_hourly_cost(ch: Any) -> bool:
    """Whether the data hold ``employees.hourly_cost`` (an optional column)."""
    return "hourly_cost" in ch.data["employees"].columns


def participant_time_note(ch: Any) -> str | None:
    """The note to show when participants' time cannot be costed (no ``employees.hourly_cost``), else None."""
    if has_hourly_cost(ch):
        return None
    return _(
        "**Participants' time is left out** of the costs, the ROI and the BCR: the data have no "
        "`employees.hourly_cost`; participant-time lines booked in `costs` are counted as booked instead. "
        "The fully loaded cost is therefore understated and the ROI overstated."
    )


def _participant_time(ch: Any) -> pd.DataFrame:
    """Attended hours x hourly cost per trainee and course run."""
    courses = programme_courses(ch)
    ids = set(_members(ch)["employee_id"])
    enr = ch.data["enrollments"]
    enr = enr[enr["course_id"].isin(courses["course_id"]) & enr["employee_id"].isin(ids)]
    hc = ch.data["employees"].set_index("employee_id")["hourly_cost"]
    out = enr[["employee_id", "course_id", "attended_hours"]].copy()
    out["amount"] = out["attended_hours"].to_numpy(float) * hc.reindex(out["employee_id"]).to_numpy(float)
    return out


def _cost_lines(ch: Any) -> pd.DataFrame:
    """Every fully loaded cost line: ``category``, ``course_id`` (or NA), ``amount``, ``note``.

    ``note`` is the line's basis as the reader reads it, in the report's language.
    """
    courses = programme_courses(ch)
    programmes = set(courses["programme"])
    costs = ch.data["costs"]
    computed = has_hourly_cost(ch)  # then participants' time is computed, replacing what was booked
    booked = costs[
        (
            costs["course_id"].isin(courses["course_id"])
            | (costs["course_id"].isna() & costs["programme"].isin(programmes))
        )
        & ((costs["category"] != "participant_time") | (not computed))
    ]
    lines = [booked[["category", "course_id", "amount"]].assign(note=_("booked"))]
    if "programme_overheads" in ch.data:
        o = ch.data["programme_overheads"]
        o = o[o["programme"].isin(programmes)]
        if len(o):
            amount = o["amount"].to_numpy(float) / o["prorate_runs"].to_numpy(float)
            lines.append(
                pd.DataFrame(
                    {
                        "category": o["category"].to_numpy(),
                        "course_id": pd.NA,
                        "amount": amount,
                        "note": [
                            _("1/{runs} of {amount}", runs=int(r), amount=format(a, ",.0f"))
                            for r, a in zip(o["prorate_runs"], o["amount"])
                        ],
                    }
                )
            )
    if computed:
        pt = _participant_time(ch)
        lines.append(
            pt[["course_id", "amount"]].assign(category="participant_time", note=_("attended hours x hourly cost"))
        )
    out = pd.concat([x for x in lines if len(x)], ignore_index=True)
    out["amount"] = out["amount"].astype(float)
    return out


def cost_table(ch: Any) -> pd.DataFrame:
    """Fully loaded costs by category: ``category``, ``total``, ``per_trainee``, ``share``, ``basis``.

    ``per_trainee`` divides by every trainee enrolled (leavers included: they were paid
    for); the last row is the total.
    """
    lines = _cost_lines(ch)
    n = len(_members(ch))
    rows = []
    for cat, label in CATEGORY_LABELS.items():
        sub = lines[lines["category"] == cat]
        if sub.empty:
            continue
        basis = "; ".join(dict.fromkeys(sub["note"]))
        rows.append({"category": label, "total": float(sub["amount"].sum()), "basis": basis})
    t = pd.DataFrame(rows)
    total = float(t["total"].sum())
    t["per_trainee"] = t["total"] / n
    t["share"] = t["total"] / total
    t = pd.concat(
        [
            t,
            pd.DataFrame(
                [{"category": TOTAL_LABEL, "total": total, "per_trainee": total / n, "share": 1.0, "basis": ""}]
            ),
        ],
        ignore_index=True,
    )
    t["n"] = n
    return t[["category", "total", "per_trainee", "share", "n", "basis"]]


def fully_loaded_cost(ch: Any) -> float:
    """The programme's fully loaded cost for this cohort (CNY)."""
    return float(_cost_lines(ch)["amount"].sum())


def trainee_costs(ch: Any) -> pd.DataFrame:
    """Cost per trainee: their own time plus an equal share of every other cost line.

    Columns ``employee_id``, ``role``, ``cost``.
    """
    members = _members(ch)
    lines = _cost_lines(ch)
    shared = float(lines.loc[lines["category"] != "participant_time", "amount"].sum()) / len(members)
    own = _participant_time(ch).groupby("employee_id")["amount"].sum()
    out = members[["employee_id", "role"]].copy()
    out["cost"] = shared + own.reindex(out["employee_id"]).fillna(0.0).to_numpy()
    return out.reset_index(drop=True)


def trained_remaining(ch: Any) -> int:
    """TS: trainees still employed at the end of the after window (leavers removed)."""
    w = report_windows(
        ch.params.quarter,
        before_months=ch.params.windows.before_months,
        after_months=ch.params.windows.after_months,
    )
    emp = ch.data["employees"].set_index("employee_id")
    leave = emp.loc[_members(ch)["employee_id"], "leave_date"]
    return int((leave.isna() | (leave > w.after[1])).sum())


def sales_effect(ch: Any) -> Estimate:
    """Chapter 06's attributed sales effect, CNY per trained rep and month (shared per run)."""
    return sales.effect_estimate(sales.attribution(ch), "sales", relative=False)


def _months(ch: Any, months: int) -> int:
    cb = ch.params.cost_benefit
    return min(months, 12) if cb.first_year_only else months


def _benefit(ch: Any, months: int) -> Estimate:
    """Monetary benefit over ``months``; no effect estimate means no benefit (Phillips)."""
    effect = sales_effect(ch)
    if not math.isfinite(effect.value):
        return Estimate(0.0, 0.0, 0.0, n=effect.n, method="no attributed effect: no benefit counted")
    revenue = training_benefit(0.0, effect, duration=_months(ch, months), trained=trained_remaining(ch), cost=0.0)
    return monetary_benefit(revenue, margin=ch.params.cost_benefit.margin)


def benefit_table(ch: Any) -> pd.DataFrame:
    """Benefit, ROI and BCR over each horizon of ``cost_benefit.benefit_months``, with intervals.

    ``months_counted`` is the horizon capped at 12 when ``first_year_only``.
    """
    cost = fully_loaded_cost(ch)
    rows = []
    for m in ch.params.cost_benefit.benefit_months:
        b = _benefit(ch, m)
        r, q = roi(b, cost), bcr(b, cost)
        rows.append(
            {
                "months": m,
                "months_counted": _months(ch, m),
                "benefit": b.value,
                "benefit_ci_low": b.ci_low,
                "benefit_ci_high": b.ci_high,
                "cost": cost,
                "roi": r.value,
                "roi_ci_low": r.ci_low,
                "roi_ci_high": r.ci_high,
                "bcr": q.value,
                "bcr_ci_low": q.ci_low,
                "bcr_ci_high": q.ci_high,
            }
        )
    return pd.DataFrame(rows)


def roi_estimate(ch: Any) -> dict[str, Estimate | float]:
    """The headline figures over ``cost_benefit.horizon_months``: benefit, cost, ROI, BCR and TE."""
    cost = fully_loaded_cost(ch)
    b = _benefit(ch, ch.params.cost_benefit.horizon_months)
    te = training_benefit(0.0, b, duration=1, trained=1, cost=cost)
    return {"benefit": b, "cost": cost, "roi": roi(b, cost), "bcr": bcr(b, cost), "training_benefit": te}


def interval_status(est: Estimate, target: float, *, higher_is_better: bool = True) -> str:
    """*met* / *on track* / *uncertain* / *missed*, from the 95% interval (:func:`trackreport.stats.display.status_word`).

    Met only when the whole interval clears the target, missed when it wholly misses it.

    >>> interval_status(Estimate(2.0, 1.6, 2.4), 1.5), interval_status(Estimate(2.0, 1.0, 3.0), 1.5)
    ('met', 'on track')
    >>> interval_status(Estimate(0.5, 0.1, 0.9), 1.5)
    'missed'
    """
    return status_word(est.value, est.ci_low, est.ci_high, target, higher_is_better=higher_is_better)


def per_capita_table(ch: Any) -> pd.DataFrame:
    """Cost per trainee by level (managers / staff) against the yearly budget and the industry benchmark.

    ``budget``: ``budget.per_capita_manager`` or ``per_capita_staff``; ``industry``:
    ``budget.industry_per_capita_cost``; ``alert`` when the mean exceeds the benchmark by
    more than ``thresholds.per_capita_cost_alert``.
    """
    b, th = ch.params.budget, ch.params.thresholds
    tc = trainee_costs(ch)
    tc["level"] = np.where(tc["role"] == "manager", "managers", "staff")
    rows = []
    for level, sub in tc.groupby("level", sort=True):
        budget = b.per_capita_manager if level == "managers" else b.per_capita_staff
        mean = float(sub["cost"].mean())
        rows.append(
            {
                "level": level,
                "n": len(sub),
                "cost_per_trainee": mean,
                "budget": budget,
                "within_budget": "yes" if mean <= budget else "no",
                "industry": b.industry_per_capita_cost,
                "vs_industry": mean / b.industry_per_capita_cost - 1,
                "alert": _("above industry +{margin}", margin=format(th.per_capita_cost_alert, ".0%"))
                if mean > b.industry_per_capita_cost * (1 + th.per_capita_cost_alert)
                else "",
            }
        )
    return pd.DataFrame(rows)


def portfolio_split(ch: Any) -> pd.DataFrame:
    """Spend of the cohort's course runs by portfolio tier (70/20/10) against the targets.

    Course-linked lines only (trainer, venue, travel, materials, platform and
    participants' time of each run); module types map to tiers through
    ``cost_benefit.core_types`` / ``extension_types`` / ``innovation_types``.
    """
    cb, b = ch.params.cost_benefit, ch.params.budget
    lines = _cost_lines(ch).dropna(subset=["course_id"])
    types = programme_courses(ch).set_index("course_id")["module_type"]
    tier_of = {t: "core" for t in cb.core_types} | {t: "extension" for t in cb.extension_types}
    tier_of |= {t: "innovation" for t in cb.innovation_types}
    tiers = types.reindex(lines["course_id"]).map(tier_of).fillna("unassigned").to_numpy()
    spend = lines.groupby(tiers)["amount"].sum()
    total = float(spend.sum())
    rows = []
    for tier, target in (("core", b.core_share), ("extension", b.extension_share), ("innovation", b.innovation_share)):
        rows.append(
            {
                "tier": tier,
                "spend": float(spend.get(tier, 0.0)),
                "share": float(spend.get(tier, 0.0)) / total,
                "target": target,
            }
        )
    if "unassigned" in spend:
        rows.append(
            {
                "tier": "unassigned",
                "spend": float(spend["unassigned"]),
                "share": float(spend["unassigned"]) / total,
                "target": math.nan,
            }
        )
    t = pd.DataFrame(rows)
    t["gap_pp"] = t["share"] - t["target"]
    return t


def online_share(ch: Any) -> float:
    """Share of the programme's teaching hours delivered online (blended counted at ``blended_online_share``)."""
    c = programme_courses(ch)
    w = c["delivery"].map({"online": 1.0, "offline": 0.0, "blended": ch.params.cost_benefit.blended_online_share})
    hours = c["hours"].to_numpy(float)
    return float((w.to_numpy(float) * hours).sum() / hours.sum()) if hours.sum() > 0 else math.nan


def _reviews(ch: Any) -> pd.DataFrame | None:
    if "talent_reviews" not in ch.data:
        return None
    year = int(ch.params.quarter[:4])
    r = ch.data["talent_reviews"]
    r = r[r["year"] <= year].sort_values("year").drop_duplicates("employee_id", keep="last")
    return r


def nine_box(ch: Any) -> pd.DataFrame | None:
    """Trainees and budget in the nine-box grid (performance x potential of the latest review).

    Rows ``performance``, ``potential`` (1-3), ``n`` trainees and ``budget_share`` (of the
    spend on reviewed trainees, as :func:`high_potential_share`); None without talent reviews.
    """
    r = _reviews(ch)
    if r is None:
        return None
    tc = trainee_costs(ch).merge(r, on="employee_id", how="inner")
    total = tc["cost"].sum()
    g = tc.groupby(["performance", "potential"])
    out = g.agg(n=("employee_id", "size"), cost=("cost", "sum")).reset_index()
    out["budget_share"] = out["cost"] / total
    out["performance"] = out["performance"].astype(int)
    out["potential"] = out["potential"].astype(int)
    return out[["performance", "potential", "n", "budget_share"]]


def high_potential_share(ch: Any) -> Estimate | None:
    """Share of the cohort's spend reaching high potentials (potential 3 in the latest review).

    A descriptive share of money (no sampling interval); ``n`` is the trainees reviewed.
    """
    r = _reviews(ch)
    if r is None:
        return None
    tc = trainee_costs(ch).merge(r, on="employee_id", how="left")
    reviewed = tc.dropna(subset=["potential"])
    if reviewed.empty:
        return None
    share = float(reviewed.loc[reviewed["potential"] == 3, "cost"].sum() / reviewed["cost"].sum())
    return Estimate(share, n=len(reviewed), method="share of spend")


def vendor_table(ch: Any) -> pd.DataFrame | None:
    """Vendor price-quality matrix and the drop rule, from ``vendor_reviews``.

    ``price_per_hour`` = spend / hours of the latest year; ``quality`` its rating;
    ``roi_years_below`` counts the consecutive latest years with ROI below
    ``thresholds.vendor_roi_floor``; ``decision`` is *drop* when that reaches
    ``thresholds.vendor_roi_years``, *keep* otherwise. A year without a measured ROI
    breaks the run (no data is not a failure). ``reviews`` counts the vendor's yearly reviews.
    """
    if "vendor_reviews" not in ch.data:
        return None
    th = ch.params.thresholds
    year = int(ch.params.quarter[:4])
    v = ch.data["vendor_reviews"]
    v = v[v["year"] <= year]
    rows = []
    for vendor, sub in v.sort_values("year").groupby("vendor", sort=True):
        last = sub.iloc[-1]
        below = 0
        for r in sub["roi"].to_numpy(dtype=float, na_value=np.nan)[::-1]:
            if math.isfinite(r) and r < th.vendor_roi_floor:
                below += 1
            else:
                break
        rows.append(
            {
                "vendor": vendor,
                "year": int(last["year"]),
                "price_per_hour": float(last["spend"] / last["hours"]) if last["hours"] > 0 else math.nan,
                "quality": float(last["quality"]),
                "roi": float(last["roi"]) if pd.notna(last["roi"]) else math.nan,
                "roi_years_below": below,
                "reviews": len(sub),
                "decision": "drop" if below >= th.vendor_roi_years else "keep",
            }
        )
    return pd.DataFrame(rows)


def summary_sentences(figures: dict[str, Estimate | float], threshold: float) -> str:
    """Plain-words summary of the ROI headline for a director.

    >>> f = {"roi": Estimate(0.2, -0.5, 0.9), "bcr": Estimate(1.2, 0.5, 1.9), "cost": 1000.0,
    ...      "benefit": Estimate(1200.0, 500.0, 1900.0)}
    >>> "not distinguishable" in summary_sentences(f, 1.5)
    False
    >>> summary_sentences(f, 1.5).startswith("ROI 20%")
    True
    """
    r, q = figures["roi"], figures["bcr"]
    status = interval_status(r, threshold)
    fields = {
        "roi": format_value(r.value, "percent", digits=0),
        "interval": format_interval(r.ci_low, r.ci_high, "percent", digits=0),
        "bcr": f"{q.value:.2f}",
        "threshold": f"{threshold:.0%}",
        "status": _(status),
    }
    if status == "missed" and r.ci_high < 0:
        return _(
            "ROI {roi} (95% CI {interval}); benefit-cost ratio {bcr} (each 1 CNY spent returned {bcr} CNY of "
            "profit). Against the {threshold} threshold: **{status}**. Even the upper end of the interval does "
            "not recover the cost.",
            **fields,
        )
    return _(
        "ROI {roi} (95% CI {interval}); benefit-cost ratio {bcr} (each 1 CNY spent returned {bcr} CNY of "
        "profit). Against the {threshold} threshold: **{status}**.",
        **fields,
    )
