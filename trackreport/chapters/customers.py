"""Chapter 09: customer feedback -- NPS, CSAT, complaints, repurchase, renewals, referrals.

Pure functions over the contract tables (a mapping ``name -> DataFrame``); tidy frames
or :class:`~trackreport.stats.estimate.Estimate` out. "The team's customers" are the answers,
complaints and orders credited to the team's people (``employee_id``), and for
customer-level measures (high-value clients, referrals) the customers the team's people
own (``customers.owner_id``).

Windows: ``before`` / ``after`` are the report's windows around the training quarter
(:func:`trackreport.data.cohort.report_windows`); complaints are compared **year over year**:
the after window against the same calendar months one year earlier (complaints are
seasonal, so a before/after comparison of counts would mostly show the season).

Definitions (each function's docstring has its formula):

- NPS: % promoters (9-10) minus % detractors (0-6) (Reichheld 2003), interval from
  the multinomial variance (:func:`trackreport.stats.feedback.nps`);
- CSAT top-2-box: share of 4-5 answers, Wilson interval;
- early renewal: a renewal order (``renewal`` true, ``renewal_due_date`` given) booked
  at least 3 months before its due date: ``order_date <= renewal_due_date - 3 months``;
- referral rate: share of the customers acquired in the window whose
  ``referred_by`` is filled;
- high-value client: ``annual_value > params.thresholds.high_value_client``.

Examples
--------
>>> change_estimate(Estimate(0.5, 0.4, 0.6, n=100), Estimate(0.6, 0.5, 0.7, n=100)).value
0.09999999999999998
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np
import pandas as pd
from scipy import stats

from trackreport.chapters.scope import ChapterLike, scope
from trackreport.data.cohort import Windows, cohort_members, comparison_members
from trackreport.data.panels import panel_source
from trackreport.i18n import N_, _, ngettext
from trackreport.stats.attribution import PanelError, did
from trackreport.stats.display import format_interval, format_value, label, status_word
from trackreport.stats.estimate import Estimate, mean_ci, proportion
from trackreport.stats.feedback import csat_top2box, nps
from trackreport.stats.results import repurchase_rate
from trackreport.stats.survival import km_median

__all__ = [
    "change_estimate",
    "rate_ratio",
    "nps_periods",
    "customer_nps",
    "csat_periods",
    "nps_groups",
    "nps_did",
    "complaints_yoy",
    "complaint_mix",
    "complaint_resolution",
    "resolution_times",
    "resolution",
    "resolution_note",
    "resolution_display",
    "high_value_repurchase",
    "categories_per_client",
    "early_renewals",
    "referral_rate",
    "customer_measures",
    "group_measures",
    "group_measures_display",
    "group_note",
    "feedback_note",
    "period_estimate",
    "measure_estimate",
    "resolution_estimate",
    "mix_note",
    "loyalty_note",
    "nps_target_note",
]

Z = float(stats.norm.ppf(0.975))


# --------------------------------------------------------------------------- helpers


def change_estimate(before: Estimate, after: Estimate) -> Estimate:
    """Difference ``after - before`` of two independent estimates, normal interval.

    ``se = sqrt(se_b^2 + se_a^2)`` with each ``se`` recovered from its 95% interval as
    half-width / 1.96 (exact for normal intervals, an approximation for Wilson ones).
    ``n`` is the sum of both ``n``.

    Examples
    --------
    >>> e = change_estimate(Estimate(10.0, 8.04, 11.96, n=50), Estimate(12.0, 10.04, 13.96, n=50))
    >>> e.value, round(e.ci_high - e.value, 3), e.n
    (2.0, 2.772, 100)
    """
    value = after.value - before.value
    ses = [(e.ci_high - e.ci_low) / (2 * Z) for e in (before, after)]
    method = "difference of two independent estimates, normal interval"
    if not all(math.isfinite(s) for s in ses) or not math.isfinite(value):
        return Estimate(value, n=before.n + after.n, method=method)
    se = math.sqrt(sum(s * s for s in ses))
    p = float(2 * stats.norm.sf(abs(value / se))) if se > 0 else math.nan
    return Estimate(value, value - Z * se, value + Z * se, n=before.n + after.n, p_value=p, method=method)


def rate_ratio(
    count_after: int, count_before: int, *, exposure_after: float = 1.0, exposure_before: float = 1.0
) -> Estimate:
    """Relative change of a Poisson count: ``(a / E_a) / (b / E_b) - 1``, log interval.

    ``log RR +- 1.96 * sqrt(1/a + 1/b)`` (Rothman, Greenland & Lash, *Modern
    Epidemiology*, 3rd ed., ch. 14). NaN interval when either count is 0.

    Examples
    --------
    >>> e = rate_ratio(58, 100)
    >>> round(e.value, 2), round(e.ci_low, 3), round(e.ci_high, 3)
    (-0.42, -0.58, -0.198)
    """
    n = int(count_after + count_before)
    method = "rate ratio of Poisson counts, log-normal interval"
    if count_before == 0 or exposure_before == 0 or exposure_after == 0:
        return Estimate(math.nan, n=n, method=method)
    rr = (count_after / exposure_after) / (count_before / exposure_before)
    if count_after == 0:
        return Estimate(rr - 1, n=n, method=method)
    half = Z * math.sqrt(1 / count_after + 1 / count_before)
    lrr = math.log(rr)
    p = float(2 * stats.norm.sf(abs(lrr) / (half / Z)))
    return Estimate(rr - 1, math.exp(lrr - half) - 1, math.exp(lrr + half) - 1, n=n, p_value=p, method=method)


def _team_ids(data: Mapping[str, pd.DataFrame], team: str) -> pd.Index:
    emp = data["employees"]
    return pd.Index(emp.loc[(emp["team"] == team).to_numpy(), "employee_id"])


def _between(s: pd.Series, a, b) -> np.ndarray:
    d = pd.to_datetime(s)
    return ((d >= pd.Timestamp(a)) & (d < pd.Timestamp(b) + pd.Timedelta(days=1))).to_numpy(dtype=bool)


def _windows(quarter: str, params) -> tuple:
    w = Windows.from_params(quarter, params)
    year_ago = (w.after[0] - pd.DateOffset(years=1), w.after[1] - pd.DateOffset(years=1))
    return w, year_ago


def _people_ids(data, team, employee_ids) -> pd.Index:
    """The reps whose records count: the team's people, or ``employee_ids`` when given."""
    return _team_ids(data, team) if employee_ids is None else pd.Index(employee_ids)


def _row(measure: str, label: str, unit: str, period: str, e: Estimate) -> dict:
    return {
        "measure": measure,
        "label": label,
        "unit": unit,
        "period": period,
        "value": e.value,
        "ci_low": e.ci_low,
        "ci_high": e.ci_high,
        "n": int(e.n),
    }


# ----------------------------------------------------------------------- feedback


def _feedback(data, team, a, b, people=None) -> pd.DataFrame:
    fb = data["customer_feedback"]
    ids = _team_ids(data, team) if people is None else pd.Index(people)
    return fb.loc[fb["employee_id"].isin(ids).to_numpy() & _between(fb["date"], a, b)]


def nps_periods(
    data: Mapping[str, pd.DataFrame] | ChapterLike, team: str | None = None, quarter: str | None = None, params=None
) -> pd.DataFrame:
    """NPS of the team's customers' answers in the before and the after window.

    Returns ``period`` (before/after), ``value`` (-100..100), ``ci_low``, ``ci_high``,
    ``n`` (answers); :func:`trackreport.stats.feedback.nps`.

    Examples
    --------
    >>> from trackreport.data.sample import generate
    >>> t = generate(seed=1, scale=0.2)
    >>> nps_periods(t, "east", "2025Q3")["period"].tolist()
    ['before', 'after']
    """
    data, team, quarter, params = scope(data, team, quarter, params)
    w, _year_ago = _windows(quarter, params)
    rows = []
    for period, (a, b) in (("before", w.before), ("after", w.after)):
        e = nps(_feedback(data, team, a, b)["nps"])
        rows.append(_row("nps", N_("Net Promoter Score"), "points", period, e))
    return pd.DataFrame(rows)


def customer_nps(ch: ChapterLike) -> pd.DataFrame:
    """The one NPS of the team's customers before and after (:func:`nps_periods`), computed once
    per report run (``ch.shared``) and shown by chapters 01 (targets) and 09 (customer feedback).
    """
    return ch.shared("customers.nps_periods", lambda: nps_periods(ch))


def csat_periods(
    data: Mapping[str, pd.DataFrame] | ChapterLike,
    team: str | None = None,
    quarter: str | None = None,
    params=None,
    *,
    employee_ids=None,
) -> pd.DataFrame:
    """CSAT top-2-box (share of 4-5 answers) of the team's customers, before and after.

    With ``employee_ids``, only the answers credited to those reps
    (``customer_feedback.employee_id``) instead of the whole team's.
    """
    data, team, quarter, params = scope(data, team, quarter, params)
    w, _year_ago = _windows(quarter, params)
    rows = []
    for period, (a, b) in (("before", w.before), ("after", w.after)):
        e = csat_top2box(_feedback(data, team, a, b, employee_ids)["csat"])
        rows.append(_row("csat_top2box", N_("CSAT top-2-box"), "share", period, e))
    return pd.DataFrame(rows)


def _groups(data, team, quarter, params):
    bm, am = Windows.from_params(quarter, params).months
    members = cohort_members(data, team, quarter, before_months=bm, after_months=am)["employee_id"]
    comp = comparison_members(data, team, quarter, before_months=bm, after_months=am)["employee_id"]
    return members, comp


def nps_groups(
    data: Mapping[str, pd.DataFrame] | ChapterLike, team: str | None = None, quarter: str | None = None, params=None
) -> pd.DataFrame:
    """NPS before and after of the customers served by trained and by comparison reps.

    Returns ``group`` (trained/comparison), ``period``, ``value``, ``ci_low``,
    ``ci_high``, ``n`` (answers). The comparison group is the report's
    (:func:`trackreport.data.cohort.comparison_members`).
    """
    data, team, quarter, params = scope(data, team, quarter, params)
    w, _year_ago = _windows(quarter, params)
    members, comp = _groups(data, team, quarter, params)
    rows = []
    for group, ids in (("trained", members), ("comparison", comp)):
        for period, (a, b) in (("before", w.before), ("after", w.after)):
            e = nps(_feedback(data, team, a, b, ids)["nps"])
            rows.append({"group": group, **_row("nps", N_("Net Promoter Score"), "points", period, e)})
    return pd.DataFrame(rows)


def nps_did(
    data: Mapping[str, pd.DataFrame] | ChapterLike, team: str | None = None, quarter: str | None = None, params=None
) -> Estimate:
    """The training's effect on NPS: difference in differences over rep-months.

    Each answer is scored ``100 * (1[score >= 9] - 1[score <= 6])`` so that the NPS of a
    set of answers is their mean; the score is averaged per rep and month and
    :func:`trackreport.stats.attribution.did` (two-way fixed effects, SE clustered by rep)
    compares trained with comparison reps over the before and after windows (the
    quarter's months left out). Value in NPS points; ``n`` = reps.
    """
    data, team, quarter, params = scope(data, team, quarter, params)
    w, _year_ago = _windows(quarter, params)
    members, comp = _groups(data, team, quarter, params)
    people = list(pd.Index(members).append(pd.Index(comp)))
    src = panel_source(data)  # the "nps" rep-month panel (data.panels): windows are whole months
    p = pd.concat([src.panel("nps", employees=people, start=a, end=b) for a, b in (w.before, w.after)])
    p = p[["employee_id", "month", "nps_score"]].sort_values(["employee_id", "month"], ignore_index=True)
    p["treated"] = p["employee_id"].isin(members).to_numpy(dtype=bool)
    p["post"] = (p["month"] >= w.after[0]).to_numpy(dtype=bool)
    try:
        return did(p, outcome="nps_score", unit="employee_id", period="month", treated="treated", post="post")
    except PanelError as exc:
        return Estimate(math.nan, n=int(p["employee_id"].nunique()), method=f"not estimable: {exc}")


# ---------------------------------------------------------------------- complaints


def _complaints(data, team, a, b) -> pd.DataFrame:
    """The team's complaints opened on the days ``a`` to ``b``: ``type``, ``opened``, ``resolved`` (data.panels)."""
    return panel_source(data).rows(
        "complaints",
        columns=["type", "opened", "resolved"],
        employees=_team_ids(data, team),
        date="opened",
        start=a,
        end=b,
    )


def _headcount_months(data, team, a, b) -> float:
    """Person-months of the team's staff employed in [a, b] (whole months counted)."""
    emp = data["employees"]
    emp = emp.loc[(emp["team"] == team).to_numpy()]
    months = pd.date_range(pd.Timestamp(a).to_period("M").start_time, pd.Timestamp(b), freq="MS")
    total = 0
    for m in months:
        on = (emp["hire_date"] <= m + pd.offsets.MonthEnd(0)) & (emp["leave_date"].isna() | (emp["leave_date"] >= m))
        total += int(on.sum())
    return float(total)


def complaints_yoy(
    data: Mapping[str, pd.DataFrame] | ChapterLike, team: str | None = None, quarter: str | None = None, params=None
) -> tuple[pd.DataFrame, Estimate]:
    """Complaints in the after window against the same months one year earlier.

    Returns a frame (``period`` = ``year earlier``/``after``, ``start``, ``end``,
    ``complaints``, ``person_months``, ``per_person_month``) and the relative change
    per person-month as an :class:`Estimate` (:func:`rate_ratio`, exposure = person-months
    of the team's staff, so growth of the team does not count as more complaints).
    """
    data, team, quarter, params = scope(data, team, quarter, params)
    w, ya = _windows(quarter, params)
    rows = []
    for period, (a, b) in (("year earlier", ya), ("after", w.after)):
        n = len(_complaints(data, team, a, b))
        pm = _headcount_months(data, team, a, b)
        rows.append(
            {
                "period": period,
                "start": a,
                "end": b,
                "complaints": n,
                "person_months": pm,
                "per_person_month": n / pm if pm else math.nan,
            }
        )
    t = pd.DataFrame(rows)
    e = rate_ratio(
        int(t.loc[1, "complaints"]),
        int(t.loc[0, "complaints"]),
        exposure_after=t.loc[1, "person_months"],
        exposure_before=t.loc[0, "person_months"],
    )
    return t, e


def complaint_mix(
    data: Mapping[str, pd.DataFrame] | ChapterLike, team: str | None = None, quarter: str | None = None, params=None
) -> pd.DataFrame:
    """Share of each complaint type, a year earlier and after (the mix shift).

    Returns ``type``, ``period``, ``complaints``, ``n`` (all complaints of the period),
    ``share`` with Wilson ``ci_low``/``ci_high``, and ``shift`` (after minus year-earlier
    share, in the after rows).
    """
    data, team, quarter, params = scope(data, team, quarter, params)
    from trackreport.data.schema import COMPLAINT_TYPES

    w, ya = _windows(quarter, params)
    rows = []
    for period, (a, b) in (("year earlier", ya), ("after", w.after)):
        c = _complaints(data, team, a, b)
        counts = c["type"].value_counts()
        for t in COMPLAINT_TYPES:
            e = proportion(int(counts.get(t, 0)), len(c))
            rows.append(
                {
                    "type": t,
                    "period": period,
                    "complaints": int(counts.get(t, 0)),
                    "n": len(c),
                    "share": e.value,
                    "ci_low": e.ci_low,
                    "ci_high": e.ci_high,
                }
            )
    out = pd.DataFrame(rows)
    before = out[out["period"] == "year earlier"].set_index("type")["share"]
    out["shift"] = np.where(out["period"] == "after", out["share"] - out["type"].map(before), np.nan)
    return out


def resolution_times(
    complaints: pd.DataFrame, *, follow_up_end: pd.Timestamp
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Days from ``opened`` to ``resolved``, censored at ``follow_up_end``.

    A complaint resolved by ``follow_up_end`` is an event at its resolution time; one
    still open then (or resolved later) is censored at ``follow_up_end − opened``.
    Returns ``(days, resolved, observable_days)``: the durations, the event flags, and
    how long each complaint could be followed (``follow_up_end − opened``).

    Examples
    --------
    >>> c = pd.DataFrame({"opened": pd.to_datetime(["2025-01-01", "2025-01-02", "2025-01-03"]),
    ...                   "resolved": pd.to_datetime(["2025-01-03", None, "2025-01-09"])})
    >>> days, ev, obs = resolution_times(c, follow_up_end=pd.Timestamp("2025-01-05"))
    >>> days.tolist(), ev.tolist(), obs.tolist()
    ([2.0, 3.0, 2.0], [True, False, False], [4.0, 3.0, 2.0])
    """
    opened = complaints["opened"]
    resolved = complaints["resolved"]
    event = (resolved.notna() & (resolved <= follow_up_end)).to_numpy(dtype=bool)
    observable = ((follow_up_end - opened).dt.total_seconds() / 86400).to_numpy(dtype=float)
    took = ((resolved - opened).dt.total_seconds() / 86400).to_numpy(dtype=float, na_value=np.nan)
    return np.where(event, took, observable), event, observable


def complaint_resolution(
    data: Mapping[str, pd.DataFrame] | ChapterLike, team: str | None = None, quarter: str | None = None, params=None
) -> pd.DataFrame:
    """Resolution time and share resolved within the target hours, a year earlier and after.

    Both windows are censored alike (issue 9, finding 9): the data end ``E`` (the latest
    ``opened`` or ``resolved`` timestamp) is the follow-up end of the after window, and
    ``E`` minus one year that of the year-earlier window, so a complaint of either window
    is followed for the same time after the same calendar day; complaints still open at
    their window's follow-up end are censored there (:func:`resolution_times`). Before,
    the after window averaged only its resolved complaints while the year-earlier window
    was fully observed, which flattered the after window.

    - ``median_days``: Kaplan-Meier median days to resolution with the Brookmeyer-Crowley
      interval (:func:`trackreport.stats.survival.km_median`);
    - ``within_target``: the deck's "resolved within
      ``params.targets.complaint_resolution_hours`` (24) hours", one definition for
      chapters 01 and 09: among the complaints that could be followed for that long
      (opened at least that long before the follow-up end), the share resolved within it;
      Wilson interval, ``n_within`` those complaints, ``resolved_within`` how many of them
      were resolved within the target hours, ``fastest_hours`` the quickest resolution of the
      window (hours, from the complaints' opening and resolution timestamps);
    - ``complaints``: opened in the window; ``open``: unresolved at the follow-up end.

    Chapters 01 and 09 read it through :func:`resolution` (computed once per report).
    """
    data, team, quarter, params = scope(data, team, quarter, params)
    hours = 24.0 if params is None else float(params.targets.complaint_resolution_hours)
    w, ya = _windows(quarter, params)
    src = panel_source(data)
    end = pd.Timestamp(max(src.bounds("complaints", "opened")[1], src.bounds("complaints", "resolved")[1]))
    rows = []
    for period, (a, b), follow in (
        ("year earlier", ya, end - pd.DateOffset(years=1)),
        ("after", w.after, end),
    ):
        c = _complaints(data, team, a, b)
        c = c.loc[(c["opened"] <= follow).to_numpy()]
        days, event, observable = resolution_times(c, follow_up_end=follow)
        med = km_median(days, event)
        judged = observable >= hours / 24
        within = int((event & (days <= hours / 24))[judged].sum())
        e = proportion(within, int(judged.sum()))
        rows.append(
            {
                "period": period,
                "follow_up_end": follow,
                "complaints": len(c),
                "open": int((~event).sum()),
                "median_days": med.value,
                "days_ci_low": med.ci_low,
                "days_ci_high": med.ci_high,
                "within_target": e.value,
                "within_ci_low": e.ci_low,
                "within_ci_high": e.ci_high,
                "n_within": e.n,
                "resolved_within": within,
                "fastest_hours": float(days[event].min() * 24) if event.any() else math.nan,
                "n": len(c),
            }
        )
    return pd.DataFrame(rows)


def resolution(ch: ChapterLike) -> pd.DataFrame:
    """The report's :func:`complaint_resolution`, computed once and shared by chapters 01 and 09.

    Both show "resolved within the target hours" from this one table, so they show the
    same value, interval and n (issue 9, finding 9).
    """
    return ch.shared(
        "complaint_resolution",
        lambda: complaint_resolution(ch.data, ch.params.team, ch.params.quarter, ch.params),
    )


# ------------------------------------------------------------------ orders/clients


_ORDER_COLUMNS = ["customer_id", "order_date", "product_category", "renewal", "renewal_due_date"]


def _orders(data, team, a, b, people=None, *, customer=()) -> pd.DataFrame:
    """The orders booked by the team's people (or ``people``) on the days ``a`` to ``b`` (data.panels).

    With ``customer``, those columns of each order's customer too.
    """
    ids = _people_ids(data, team, people)
    return panel_source(data).rows(
        "orders", columns=_ORDER_COLUMNS, employees=ids, date="order_date", start=a, end=b, customer=customer
    )


def high_value_repurchase(
    data: Mapping[str, pd.DataFrame], team: str, quarter: str, params=None, *, employee_ids=None
) -> pd.DataFrame:
    """Repurchase rate of high-value clients, before and after.

    High-value: ``annual_value > params.thresholds.high_value_client`` (default 500,000
    CNY a year). Among those clients with an order from the team in the window, the
    share with 2+ orders (:func:`trackreport.stats.results.repurchase_rate`, Wilson interval).
    With ``employee_ids``, only the orders booked by those reps (``orders.employee_id``)
    count, instead of the whole team's.
    """
    cut = 500_000.0 if params is None else float(params.thresholds.high_value_client)
    w, _year_ago = _windows(quarter, params)
    rows = []
    for period, (a, b) in (("before", w.before), ("after", w.after)):
        o = _orders(data, team, a, b, employee_ids, customer=["annual_value"])
        o = o.loc[(o["annual_value"] > cut).to_numpy(dtype=bool)]  # an unknown value is not high
        e = repurchase_rate(o, start=a, end=b)
        rows.append(_row("high_value_repurchase", N_("Repurchase, high-value clients"), "share", period, e))
    return pd.DataFrame(rows)


def categories_per_client(
    data: Mapping[str, pd.DataFrame], team: str, quarter: str, params=None, *, employee_ids=None
) -> pd.DataFrame:
    """Mean number of distinct product categories per client ordering in the window.

    Per client with an order from the team in the window: ``nunique(product_category)``;
    the mean over clients with a t interval, before and after. With ``employee_ids``,
    only the orders booked by those reps (``orders.employee_id``) count.
    """
    w, _year_ago = _windows(quarter, params)
    rows = []
    for period, (a, b) in (("before", w.before), ("after", w.after)):
        k = _orders(data, team, a, b, employee_ids).groupby("customer_id")["product_category"].nunique()
        e = mean_ci(k.to_numpy(dtype=float), method="mean, t interval")
        rows.append(_row("categories_per_client", N_("Product categories per client"), "categories", period, e))
    return pd.DataFrame(rows)


def early_renewals(
    data: Mapping[str, pd.DataFrame], team: str, quarter: str, params=None, *, months: int = 3, employee_ids=None
) -> pd.DataFrame:
    """Share of renewals booked at least ``months`` months before they were due.

    Among renewal orders (``renewal`` true, ``renewal_due_date`` given) booked by the
    team in the window: early when ``order_date <= renewal_due_date - months`` (calendar
    months, :class:`pandas.DateOffset`). Wilson interval, before and after. With
    ``employee_ids``, only the renewals booked by those reps (``orders.employee_id``).

    Examples
    --------
    >>> due = pd.Series(pd.to_datetime(["2025-06-30", "2025-06-30"]))
    >>> (pd.Series(pd.to_datetime(["2025-03-30", "2025-04-01"])) <= due - pd.DateOffset(months=3)).tolist()
    [True, False]
    """
    w, _year_ago = _windows(quarter, params)
    rows = []
    for period, (a, b) in (("before", w.before), ("after", w.after)):
        o = _orders(data, team, a, b, employee_ids)
        o = o.loc[o["renewal"].fillna(False).to_numpy(dtype=bool) & o["renewal_due_date"].notna().to_numpy()]
        early = o["order_date"] <= o["renewal_due_date"] - pd.DateOffset(months=months)
        e = proportion(int(early.sum()), len(o))
        text = _("Renewals {months}+ months early", months=months)
        rows.append(_row("early_renewals", text, "share", period, e))
    return pd.DataFrame(rows)


def referral_rate(
    data: Mapping[str, pd.DataFrame], team: str, quarter: str, params=None, *, employee_ids=None
) -> pd.DataFrame:
    """Share of new customers who came by referral, before and after.

    Customers owned by the team's people whose ``acquired_date`` falls in the window;
    referred when ``referred_by`` is filled. Wilson interval. With ``employee_ids``,
    only the new customers owned by those reps (``customers.owner_id``).
    """
    w, _year_ago = _windows(quarter, params)
    owners = _people_ids(data, team, employee_ids)
    rows = []
    for period, (a, b) in (("before", w.before), ("after", w.after)):
        c = panel_source(data).rows(
            "customers", columns=["referred_by"], employees=owners, date="acquired_date", start=a, end=b
        )
        e = proportion(int(c["referred_by"].notna().sum()), len(c))
        rows.append(_row("referral_rate", N_("Referral rate of new customers"), "share", period, e))
    return pd.DataFrame(rows)


def _level(v: float, unit: str) -> str:
    if not math.isfinite(v):
        return "–"
    return format_value(v, "share" if unit == "share" else "", digits=2 if unit == "categories" else None)


def _change(v: float, unit: str) -> str:
    if not math.isfinite(v):
        return "–"
    if unit == "share":
        return format_value(v, "pp")  # display rules: no "-0.0 pp"
    text = format_value(v, "", digits=2 if unit == "categories" else 1)
    return text if text.startswith("-") or float(text.replace(",", "")) == 0 else "+" + text


def measures_display(table: pd.DataFrame) -> pd.DataFrame:
    """:func:`customer_measures` as the reader sees it: values formatted by their unit.

    Examples
    --------
    >>> t = pd.DataFrame({"label": ["Referral rate"], "unit": ["share"], "before": [0.1], "after": [0.12],
    ...     "after_ci_low": [0.1], "after_ci_high": [0.14], "change": [0.02], "change_ci_low": [-0.01],
    ...     "change_ci_high": [0.05], "n_before": [100], "n_after": [120], "n": [100]})
    >>> measures_display(t).iloc[0].astype(str).tolist()
    ['Referral rate', '10.0%', '12.0%', '10.0% to 14.0%', '+2.0 pp', '-1.0 pp to +5.0 pp', '100', '120', '100']
    """
    level, change = _level, _change
    rows = []
    for r in table.itertuples(index=False):
        rows.append(
            {
                "measure": r.label,
                "before": level(r.before, r.unit),
                "after": level(r.after, r.unit),
                "after, 95% CI": _(
                    "{low} to {high}", low=level(r.after_ci_low, r.unit), high=level(r.after_ci_high, r.unit)
                ),
                "change": change(r.change, r.unit),
                "change, 95% CI": _(
                    "{low} to {high}", low=change(r.change_ci_low, r.unit), high=change(r.change_ci_high, r.unit)
                ),
                "n before": r.n_before,
                "n after": r.n_after,
                "n": r.n,
            }
        )
    return pd.DataFrame(rows)


def customer_measures(
    data: Mapping[str, pd.DataFrame] | ChapterLike, team: str | None = None, quarter: str | None = None, params=None
) -> pd.DataFrame:
    """Before/after of the customer measures, one row per measure, with the change.

    NPS, CSAT top-2-box, high-value repurchase, categories per client, early renewals,
    referral rate: ``before``, ``after`` (with intervals), ``change`` with a normal
    interval (:func:`change_estimate`), ``n_before``, ``n_after``, ``n`` (the smaller).
    A before/after change of the team is not the training's effect: see
    :func:`nps_did` for that.
    """
    data, team, quarter, params = scope(data, team, quarter, params)
    parts = [
        nps_periods(data, team, quarter, params),
        csat_periods(data, team, quarter, params),
        high_value_repurchase(data, team, quarter, params),
        categories_per_client(data, team, quarter, params),
        early_renewals(data, team, quarter, params),
        referral_rate(data, team, quarter, params),
    ]
    rows = []
    for p in parts:
        b, a = (p.set_index("period").loc[k] for k in ("before", "after"))
        eb = Estimate(b["value"], b["ci_low"], b["ci_high"], n=int(b["n"]))
        ea = Estimate(a["value"], a["ci_low"], a["ci_high"], n=int(a["n"]))
        ch = change_estimate(eb, ea)
        rows.append(
            {
                "measure": b["measure"],
                "label": b["label"],
                "unit": b["unit"],
                "before": eb.value,
                "after": ea.value,
                "after_ci_low": ea.ci_low,
                "after_ci_high": ea.ci_high,
                "change": ch.value,
                "change_ci_low": ch.ci_low,
                "change_ci_high": ch.ci_high,
                "n_before": eb.n,
                "n_after": ea.n,
                "n": min(eb.n, ea.n),
            }
        )
    return pd.DataFrame(rows)


GROUP_MEASURES = (high_value_repurchase, categories_per_client, early_renewals, referral_rate, csat_periods)
"""The loyalty measures compared between trained and comparison reps' customers, in table order."""


def _period_pair(p: pd.DataFrame) -> tuple[pd.Series, Estimate, Estimate]:
    b, a = (p.set_index("period").loc[k] for k in ("before", "after"))
    eb = Estimate(float(b["value"]), float(b["ci_low"]), float(b["ci_high"]), n=int(b["n"]))
    ea = Estimate(float(a["value"]), float(a["ci_low"]), float(a["ci_high"]), n=int(a["n"]))
    return b, eb, ea


def group_measures(
    data: Mapping[str, pd.DataFrame] | ChapterLike, team: str | None = None, quarter: str | None = None, params=None
) -> pd.DataFrame:
    """Loyalty measures of trained against comparison reps' customers, and their difference.

    For high-value repurchase, categories per client, early renewals, referral rate and
    CSAT top-2-box, each measure's own function is run once for the trained reps and
    once for the comparison reps (the groups of :func:`nps_groups`). Records are
    attributed to a group by rep:

    - orders (repurchase, categories, renewals): the rep who booked the order
      (``orders.employee_id``); a client served by reps of both groups counts in each,
      with that group's orders only;
    - referrals: the owner rep of the new customer (``customers.owner_id``), since a
      referral is credited when the customer is acquired, not to an order;
    - CSAT: the rep the answer is credited to (``customer_feedback.employee_id``).

    Rows ``group`` = ``trained`` / ``comparison``: ``before``, ``after`` and ``change`` =
    after - before with a normal interval (:func:`change_estimate`); ``n`` is the smaller
    of the before and after counts (clients, renewals, new customers or answers).
    Rows ``group`` = ``difference``: ``before`` and ``after`` are the gaps trained minus
    comparison in each window, and ``change`` = trained change - comparison change (a
    difference in differences of group-level values), interval from the two changes'
    standard errors as independent estimates (:func:`change_estimate`); ``n`` is the
    smaller of the two groups' ``n``. Unlike :func:`nps_did` this is not a regression
    with rep fixed effects: it compares the groups' customers as pools.

    Returns ``measure, label, unit, group, before, after, change, ci_low, ci_high, n``.
    """
    data, team, quarter, params = scope(data, team, quarter, params)
    members, comp = _groups(data, team, quarter, params)
    rows = []
    for fn in GROUP_MEASURES:
        changes = {}
        for group, ids in (("trained", members), ("comparison", comp)):
            b, eb, ea = _period_pair(fn(data, team, quarter, params, employee_ids=ids))
            ch = change_estimate(eb, ea)
            changes[group] = (eb, ea, ch, min(eb.n, ea.n))
            rows.append(
                {
                    "measure": b["measure"],
                    "label": b["label"],
                    "unit": b["unit"],
                    "group": group,
                    "before": eb.value,
                    "after": ea.value,
                    "change": ch.value,
                    "ci_low": ch.ci_low,
                    "ci_high": ch.ci_high,
                    "n": min(eb.n, ea.n),
                }
            )
        (tb, ta, tc, tn), (cb, ca, cc, cn) = changes["trained"], changes["comparison"]
        d = change_estimate(cc, tc)  # trained change - comparison change
        rows.append(
            {
                "measure": b["measure"],
                "label": b["label"],
                "unit": b["unit"],
                "group": "difference",
                "before": tb.value - cb.value,
                "after": ta.value - ca.value,
                "change": d.value,
                "ci_low": d.ci_low,
                "ci_high": d.ci_high,
                "n": min(tn, cn),
            }
        )
    out = pd.DataFrame(rows)
    out["n"] = out["n"].astype(int)
    return out


def feedback_note(groups: pd.DataFrame, effect: Estimate, *, target: float) -> str:
    """Plain words on NPS: level against target, both groups' change, the training's effect.

    Examples
    --------
    >>> g = pd.DataFrame({"group": ["trained"] * 2 + ["comparison"] * 2,
    ...                   "period": ["before", "after"] * 2, "value": [35.0, 50.0, 34.0, 37.0]})
    >>> feedback_note(g, Estimate(12.0, 4.0, 20.0, n=60), target=50)[:115]
    "NPS of trained reps' customers went from 35 to 50 (+15; target 50); comparison reps' customers from 34 to 37 (+3): "

    The changes and their difference are those of the shown (rounded) levels, so a reader
    who redoes the subtraction gets the stated number; the training's effect is the
    regression over reps and months, which weighs each rep alike, and is said to be so.
    """
    v = groups.set_index(["group", "period"])["value"]
    tb, ta, cb, ca = (
        round(float(v[g, p]))
        for g, p in (("trained", "before"), ("trained", "after"), ("comparison", "before"), ("comparison", "after"))
    )
    text = _(
        "NPS of trained reps' customers went from {trained_before} to {trained_after} ({trained_change}; "
        "target {target}); comparison reps' customers from {comparison_before} to {comparison_after} "
        "({comparison_change}): a difference of the two changes of {difference} points on the pooled answers. ",
        trained_before=tb,
        trained_after=ta,
        trained_change=format(ta - tb, "+d"),
        target=format(target, ".0f"),
        comparison_before=cb,
        comparison_after=ca,
        comparison_change=format(ca - cb, "+d"),
        difference=format((ta - tb) - (ca - cb), "+d"),
    )
    if not math.isfinite(effect.value):
        return text + _("The training's effect on NPS cannot be estimated from these data.")
    fields = {"value": f"{effect.value:+.1f}", "low": f"{effect.ci_low:+.1f}", "high": f"{effect.ci_high:+.1f}"}
    if effect.excludes_zero:
        return text + _(
            "The training's effect, estimated over reps and months (difference in differences, each rep weighted "
            "alike, so not the pooled difference): {value} points (95% CI {low} to {high}), "
            "distinguishable from zero.",
            **fields,
        )
    return text + _(
        "The training's effect, estimated over reps and months (difference in differences, each rep weighted "
        "alike, so not the pooled difference): {value} points (95% CI {low} to {high}), "
        "not distinguishable from zero.",
        **fields,
    )


# ----------------------------------------------------------------- reader-facing


def period_estimate(df: pd.DataFrame, period: str) -> Estimate:
    """The row of one ``period`` of a per-period frame (e.g. :func:`nps_periods`) as an Estimate.

    Examples
    --------
    >>> df = pd.DataFrame({"period": ["after"], "value": [40.0], "ci_low": [35.0],
    ...                    "ci_high": [45.0], "n": [300]})
    >>> period_estimate(df, "after").ci_high
    45.0
    """
    r = df.set_index("period").loc[period]
    return Estimate(float(r["value"]), float(r["ci_low"]), float(r["ci_high"]), n=int(r["n"]))


def measure_estimate(table: pd.DataFrame, measure: str) -> Estimate:
    """The after-window value of one measure of :func:`customer_measures` as an Estimate."""
    r = table.set_index("measure").loc[measure]
    return Estimate(float(r["after"]), float(r["after_ci_low"]), float(r["after_ci_high"]), n=int(r["n_after"]))


def resolution_estimate(table: pd.DataFrame, which: str, *, period: str = "after") -> Estimate:
    """Median days to resolution (``which="days"``, n = complaints) or the share resolved
    within the target hours (``"within"``, n = complaints followed that long) of
    :func:`complaint_resolution`'s ``period`` row."""
    r = table.set_index("period").loc[period]
    if which == "days":
        return Estimate(
            float(r["median_days"]),
            float(r["days_ci_low"]),
            float(r["days_ci_high"]),
            n=int(r["complaints"]),
            method="Kaplan-Meier median, open complaints censored",
        )
    return Estimate(
        float(r["within_target"]),
        float(r["within_ci_low"]),
        float(r["within_ci_high"]),
        n=int(r["n_within"]),
        method="Wilson score interval, complaints followed for the target hours",
    )


def resolution_note(table: pd.DataFrame, *, hours: float) -> str:
    """Plain words on the share resolved within the target hours: how many of how many, and
    the fastest resolution, so that a share of 0% reads as what the timestamps show.

    Examples
    --------
    >>> t = pd.DataFrame({"period": ["year earlier", "after"], "n_within": [240, 245],
    ...                   "resolved_within": [0, 0], "fastest_hours": [30.5, 26.2], "median_days": [6.0, 5.0]})
    >>> resolution_note(t, hours=24)[:95]
    'After the training, 0 of the 245 complaints followed for at least 24 hours were resolved within'
    """
    r = table.set_index("period")
    a, y = r.loc["after"], r.loc["year earlier"]

    def fastest(row: pd.Series) -> str:
        f = float(row["fastest_hours"])
        return _("none was resolved") if math.isnan(f) else _("the fastest took {hours} hours", hours=format(f, ".0f"))

    n = int(a["n_within"])
    text = ngettext(
        "After the training, {resolved} of the {count} complaint followed for at least {hours} hours were resolved "
        "within {hours} hours ({fastest}; half took longer than {days} days); a year earlier, {resolved_before} of "
        "{count_before} ({fastest_before}). ",
        "After the training, {resolved} of the {count} complaints followed for at least {hours} hours were resolved "
        "within {hours} hours ({fastest}; half took longer than {days} days); a year earlier, {resolved_before} of "
        "{count_before} ({fastest_before}). ",
        n,
        resolved=format(int(a["resolved_within"]), ","),
        count=format(n, ","),
        hours=format(hours, "g"),
        fastest=fastest(a),
        days=format(float(a["median_days"]), ".1f"),
        resolved_before=format(int(y["resolved_within"]), ","),
        count_before=format(int(y["n_within"]), ","),
        fastest_before=fastest(y),
    )
    if int(a["resolved_within"]) == 0:
        return text + _(
            "Each time is measured from the complaint's opening to its resolution timestamp, so a share of 0% is "
            "what the data show, not a gap in them: no complaint is resolved within {hours} hours, far from the "
            "target of resolving every one that fast.",
            hours=format(hours, "g"),
        )
    return text + _("Each time is measured from the complaint's opening to its resolution timestamp.")


def resolution_display(table: pd.DataFrame, *, hours: float) -> pd.DataFrame:
    """:func:`complaint_resolution` as a reader reads it: labelled columns, each interval in one cell.

    Examples
    --------
    >>> t = pd.DataFrame({"period": ["after"], "complaints": [246], "open": [16], "median_days": [4.99],
    ...                   "days_ci_low": [4.2], "days_ci_high": [5.56], "n_within": [245], "resolved_within": [0],
    ...                   "within_target": [0.0], "within_ci_low": [0.0], "within_ci_high": [0.0154],
    ...                   "fastest_hours": [26.2]})
    >>> resolution_display(t, hours=24).iloc[0, [0, 4, 7, 8]].tolist()
    ['after the training', '4.2 to 5.6 days', '0.0%', '0.0% to 1.5%']
    """
    h = f"{hours:g}"
    return pd.DataFrame(
        {
            N_("Period"): table["period"].map(
                {"after": N_("after the training"), "year earlier": N_("a year earlier")}
            ),
            N_("Complaints"): table["complaints"].astype(int),
            N_("Still open at the end of follow-up"): table["open"].astype(int),
            N_("Median days to resolve"): table["median_days"].round(1),
            N_("Median days, 95% CI"): [
                format_interval(lo, hi, "days")
                for lo, hi in zip(table["days_ci_low"], table["days_ci_high"], strict=True)
            ],
            _("Followed {hours} h or more", hours=h): table["n_within"].astype(int),
            _("Resolved within {hours} h", hours=h): table["resolved_within"].astype(int),
            _("Share within {hours} h", hours=h): [format_value(v, "share") for v in table["within_target"]],
            _("Share within {hours} h, 95% CI", hours=h): [
                format_interval(lo, hi, "share")
                for lo, hi in zip(table["within_ci_low"], table["within_ci_high"], strict=True)
            ],
            N_("Fastest resolution (hours)"): table["fastest_hours"].round(0).astype("Int64"),
        }
    )


def mix_note(mix: pd.DataFrame) -> str:
    """Plain words on the complaint type mix: the biggest shifts, in percentage points.

    Examples
    --------
    >>> m = pd.DataFrame({"type": ["service", "technical"] * 2,
    ...                   "period": ["year earlier"] * 2 + ["after"] * 2,
    ...                   "share": [0.58, 0.15, 0.39, 0.27], "n": [100, 100, 90, 90],
    ...                   "shift": [np.nan, np.nan, -0.19, 0.12]})
    >>> mix_note(m)[:52]
    'Service complaints went from 58% to 39% of the total'
    """
    after = mix[mix["period"] == "after"].dropna(subset=["shift"])
    if after.empty or after["n"].iloc[0] == 0:
        return _("Too few complaints to describe the type mix.")
    before = mix[mix["period"] != "after"].set_index("type")["share"]
    top = after.reindex(after["shift"].abs().sort_values(ascending=False).index).head(2)
    parts = []
    for r in top.itertuples():  # the change is that of the shown whole percentages, so a reader's subtraction agrees
        b, a = round(100 * before[r.type]), round(100 * r.share)
        parts.append(
            _(
                "{kind} complaints went from {before}% to {after}% of the total ({change} pp)",
                kind=label(r.type).capitalize(),
                before=b,
                after=a,
                change=format(a - b, "+d"),
            )
        )
    return _(
        "{shifts}. The mix is the whole team's, trained and untrained reps together, "
        "so it is not by itself the training's effect.",
        shifts=_("; ").join(parts),
    )


_GROUP_WORDS = {
    "trained": N_("trained reps' customers"),
    "comparison": N_("comparison reps' customers"),
    "difference": N_("difference (trained − comparison)"),
}

#: Column headers of the displayed tables (:func:`measures_display`, :func:`group_measures_display`,
#: :func:`complaints_yoy`) as the report's tables show them, marked for translation there.
_COLUMN_LABELS = {
    "measure": N_("Measure"),
    "group": N_("Group"),
    "before": N_("Before"),
    "after": N_("After"),
    "change": N_("Change"),
    "after, 95% CI": N_("After, 95% CI"),
    "change, 95% CI": N_("Change, 95% CI"),
    "n before": N_("N before"),
    "n after": N_("N after"),
    "period": N_("Period"),
    "start": N_("Start"),
    "end": N_("End"),
    "complaints": N_("Complaints"),
    "person_months": N_("Person months"),
    "per_person_month": N_("Per person month"),
}

#: Units of chapter 09's figures (``unit=``) that are words, as the report shows them after the number.
_UNIT_WORDS = {"categories": N_("categories")}

#: Cell words of the displayed tables (``period`` of :func:`complaints_yoy`), translated where shown.
_CELL_WORDS = {"year earlier": N_("year earlier"), "after": N_("after"), "before": N_("before")}


def group_measures_display(table: pd.DataFrame) -> pd.DataFrame:
    """:func:`group_measures` as the reader sees it: values formatted by their unit.

    Levels of the two groups as levels (``12.0%``); the difference row's before/after
    gaps and every change as signed changes (``+2.0 pp``).

    Examples
    --------
    >>> t = pd.DataFrame({"label": ["Referral rate"] * 2, "unit": ["share"] * 2,
    ...     "group": ["trained", "difference"], "before": [0.1, 0.01], "after": [0.14, 0.03],
    ...     "change": [0.04, 0.02], "ci_low": [0.01, -0.01], "ci_high": [0.07, 0.05], "n": [100, 80]})
    >>> group_measures_display(t).iloc[1].astype(str).tolist()
    ['Referral rate', 'difference (trained − comparison)', '+1.0 pp', '+3.0 pp', '+2.0 pp', '-1.0 pp to +5.0 pp', '80']
    """
    rows = []
    for r in table.itertuples(index=False):
        lv = _change if r.group == "difference" else _level
        rows.append(
            {
                "measure": r.label,
                "group": _GROUP_WORDS.get(r.group, r.group),
                "before": lv(r.before, r.unit),
                "after": lv(r.after, r.unit),
                "change": _change(r.change, r.unit),
                "change, 95% CI": _("{low} to {high}", low=_change(r.ci_low, r.unit), high=_change(r.ci_high, r.unit)),
                "n": r.n,
            }
        )
    return pd.DataFrame(rows)


def group_note(table: pd.DataFrame, *, min_n: int = 5) -> str:
    """Plain words per measure: is the trained-minus-comparison difference distinguishable from zero?

    Reads the ``difference`` rows of :func:`group_measures`. A measure whose difference
    rests on fewer than ``min_n`` (the smaller group's ``n``) or has no interval is
    reported as not comparable, without figures.

    Examples
    --------
    >>> t = pd.DataFrame({"measure": ["referral_rate"], "label": ["Referral rate"], "unit": ["share"],
    ...     "group": ["difference"], "before": [0.0], "after": [0.03], "change": [0.03],
    ...     "ci_low": [0.01], "ci_high": [0.05], "n": [80]})
    >>> group_note(t).split(". ")[0]
    'Referral rate: trained minus comparison change +3.0 pp (95% CI +1.0 pp to +5.0 pp), distinguishable from zero'
    """
    parts = []
    for r in table[table["group"] == "difference"].itertuples(index=False):
        if r.n < min_n or not (math.isfinite(r.ci_low) and math.isfinite(r.ci_high)):
            parts.append(_("{measure}: too few data to compare the two groups", measure=_(r.label)))
            continue
        fields = {
            "measure": _(r.label),
            "change": _change(r.change, r.unit),
            "low": _change(r.ci_low, r.unit),
            "high": _change(r.ci_high, r.unit),
        }
        if r.ci_low > 0 or r.ci_high < 0:
            text = _(
                "{measure}: trained minus comparison change {change} (95% CI {low} to {high}), "
                "distinguishable from zero",
                **fields,
            )
        else:
            text = _(
                "{measure}: trained minus comparison change {change} (95% CI {low} to {high}), "
                "not distinguishable from zero",
                **fields,
            )
        parts.append(text)
    if not parts:
        return _("No loyalty measure could be compared between trained and comparison reps' customers.")
    return _(
        "{measures}. Each difference is the trained group's change minus the comparison "
        "group's over the same windows, so what both went through (season, market) cancels out as far as "
        "the two groups would otherwise have moved alike; "
        "it compares pools of customers, not a regression over reps like the NPS effect above.",
        measures=_("; ").join(parts),
    )


def loyalty_note(table: pd.DataFrame) -> str:
    """Plain words on the before/after loyalty measures, saying which changes are distinguishable."""
    parts = []
    for r in table.itertuples():
        if r.measure in ("nps", "csat_top2box"):
            continue
        fmt = (lambda v: f"{v:.1%}") if r.unit == "share" else (lambda v: f"{v:.2f}")
        sig = math.isfinite(r.change_ci_low) and (r.change_ci_low > 0 or r.change_ci_high < 0)
        fields = {"measure": _(r.label), "before": fmt(r.before), "after": fmt(r.after)}
        if sig:
            parts.append(_("{measure}: {before} before, {after} after", **fields))
        else:
            parts.append(
                _("{measure}: {before} before, {after} after (change not distinguishable from zero)", **fields)
            )
    return _(
        "{measures}. These are changes of the whole team, not the training's effect; "
        "the comparison with untrained reps is made for NPS above and for these measures below.",
        measures=_("; ").join(parts),
    )


def nps_target_note(
    nps_table: pd.DataFrame, csat_table: pd.DataFrame, *, target: float, anchor: str = "nps_after"
) -> str:
    """Plain words on NPS against its measured baseline and its target, and CSAT.

    One baseline per measure: the measured NPS before the training (the deck's planning
    figure is not repeated beside it). The after figure is shown in full (interval, n) in
    its headline, so the note links to it (``#m-<anchor>``) instead of repeating it.

    Examples
    --------
    >>> n = pd.DataFrame({"period": ["before", "after"], "value": [36.0, 41.0],
    ...                   "ci_low": [30.0, 35.0], "ci_high": [42.0, 47.0], "n": [300, 300]})
    >>> c = pd.DataFrame({"period": ["before", "after"], "value": [0.85, 0.86],
    ...                   "ci_low": [0.8, 0.81], "ci_high": [0.9, 0.9], "n": [300, 300]})
    >>> nps_target_note(n, c, target=50)[:72]
    "The team's NPS was 36 before the training and [41.0 after](#m-nps_after)"
    """
    b, a = period_estimate(nps_table, "before"), period_estimate(nps_table, "after")
    cs = period_estimate(csat_table, "after")
    if not math.isfinite(a.value):
        return _("No NPS answers in the after window.")
    status = status_word(a.value, a.ci_low, a.ci_high, target)  # the glossary's words
    return _(
        "The team's NPS was {before} before the training and [{after} after](#m-{anchor}) "
        "(in full, with its interval and n, in the headline above); against the target of {target} "
        "set in the training plan (chapter 01), it is **{status}**. "
        "{satisfied} of customers were satisfied or very satisfied. These are levels of all the "
        "team's customers; the training's effect is estimated in the next section.",
        before=format(b.value, ".0f"),
        after=format(a.value, ".1f"),
        anchor=anchor,
        target=format(target, ".0f"),
        status=_(status),
        satisfied=format(cs.value, ".0%"),
    )
