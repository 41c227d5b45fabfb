"""Chapter 06: sales performance before and after the training, and what the training changed.

Domain layer over :mod:`trackreport.stats.results` (panels, rates) and
:mod:`trackreport.stats.attribution` (estimators). Pure functions: the contract tables in
(a mapping ``name -> DataFrame`` such as :class:`trackreport.data.load.Dataset`), tidy
frames out; no I/O, no plotting.

For the cohort of the report's quarter (team T, quarter Q) every measure is shown four
ways, from naive to credible (:func:`sales_attribution`):

1. **naive** -- the trained reps' change from the ``before`` window (months just before
   Q) to the ``after`` window (months just after Q): training + seasonality + market.
2. **adjusted** -- the same once the month-of-year pattern is taken out; the market
   trend is still in it. Volumes (sales, new clients, order value) are divided by
   multiplicative factors (:func:`trackreport.stats.attribution.seasonal_factors`, log-linear
   trend + month dummies); shares (conversion, win rate, repurchase, retention) have
   additive month-of-year effects subtracted
   (:func:`trackreport.stats.attribution.seasonal_effects`, linear trend + month dummies), as
   their season moves them by points and their effect is read in points. Both are
   estimated on the company's *never-trained* staff over the whole history, a series
   the training cannot have touched (:func:`never_trained_factors`).
3. **comparison** -- the change of T's comparison group (never trained, or trained only
   after the after-window; never staff trained earlier) over the same months: what
   happened anyway.
4. **effect** -- difference in differences, SE clustered by rep: the training's effect,
   with its 95% interval. Volumes (sales, new clients, order value) use the
   multiplicative DiD (Poisson pseudo-likelihood with rep and month effects,
   :func:`trackreport.stats.attribution.did_poisson`): ``relative_effect = exp(b) - 1``,
   shown beside the growth factors it reconciles (``trained_factor =
   comparison_factor * effect_factor``, e.g. x1.672 = x1.465 * x1.141). Shares use the
   linear two-way fixed effects DiD, in percentage points.

Measures (rep x month unless said otherwise), see :data:`MEASURES`:

- ``sales``: sum of order amounts credited to the rep in the month (one-off outlier
  orders left out, :func:`flag_outlier_orders`), CNY per rep and month;
- ``new_clients``: customers whose ``acquired_date`` falls in the month, counted for
  their owner (``customers.owner_id``);
- ``avg_order_value``: sales / orders of the month (outliers left out), NaN without
  orders;
- ``lead_conversion``: share of the leads created in the month that became
  opportunities; leads created too close to the end of the data to have had time to
  convert (:func:`lead_followup_days`) are left out (right-censoring);
- ``win_rate``: won / (won + lost) of the opportunities *created* in the month
  (closing delay does not depend on the outcome, so open ones can be left out);
- ``repurchase_rate`` (rep x window): share of the rep's customers with an order in the
  window who ordered 2+ times in it (:func:`repurchase_panel`);
- ``complaint_retention``: share of the complaints opened in the month whose customer
  was still buying 90 days later; unknown (empty) outcomes left out, so the measure is
  missing for the last 90 days of the data.

Rates are averaged over rep-months with equal weight (each rep-month's share is an
unbiased estimate of its probability), which is what the DiD compares.

Examples
--------
>>> sorted(MEASURES)[:3]
['avg_order_value', 'complaint_retention', 'lead_conversion']
>>> MEASURES["new_clients"].kind
'relative'
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from trackreport.chapters.scope import ChapterLike, scope
from trackreport.data.cohort import (
    Windows,
    cohort_members,
    comparison_members,
    quarter_bounds,
    report_windows,
    training_periods,
)
from trackreport.data.panels import FramePanels, panel_source
from trackreport.i18n import N_, _, join_sentences, language
from trackreport.stats.attribution import (
    PanelError,
    attribution_table,
    deseasonalize,
    event_study,
    pretrend_test,
    pretrend_warning,
    seasonal_effects,
    seasonal_factors,
)
from trackreport.stats.display import format_p, status_word
from trackreport.stats.estimate import Estimate
from trackreport.stats.multiplicity import Adjusted, benjamini_hochberg, holm

__all__ = [
    "EFFECT_HEADLINES",
    "Measure",
    "MEASURES",
    "MONTHLY_MEASURES",
    "flag_outlier_orders",
    "underpowered",
    "RATE_WEIGHTS",
    "lead_followup_days",
    "measure_panel",
    "repurchase_panel",
    "cohort_panel",
    "never_trained_factors",
    "sales_attribution",
    "effect_estimate",
    "effect_adjustment",
    "target_progress",
    "parallel_trends",
    "monthly_series",
    "segment_effects",
    "rep_rankings",
    "team_rankings",
    "attribution_summary",
]


@dataclass(frozen=True)
class Measure:
    """One chapter-06 measure: label for readers, unit, and how its effect is read.

    ``kind`` is ``relative`` when the effect is read as a % of the counterfactual level
    (sales, new clients, order value), ``absolute`` when read in its own unit (shares:
    percentage points). ``truth`` names the effect in the sample's ``TRUTH.json``;
    ``target`` the key of ``params.targets`` it is measured against, if any.
    """

    name: str
    label: str
    unit: str
    kind: str
    truth: str
    target: str | None = None


MEASURES: dict[str, Measure] = {
    m.name: m
    for m in (
        Measure("sales", N_("Sales per rep per month"), "CNY/rep/month", "relative", "sales"),
        Measure(
            "new_clients",
            N_("New clients per rep per month"),
            "clients",
            "relative",
            "new_clients",
            "new_clients_growth",
        ),
        Measure("avg_order_value", N_("Average order value"), "CNY", "relative", "order_value", "order_value_growth"),
        Measure("lead_conversion", N_("Lead -> opportunity conversion"), "share", "absolute", "lead_conversion"),
        Measure("win_rate", N_("Win rate (won / closed)"), "share", "absolute", "win_rate"),
        Measure(
            "repurchase_rate",
            N_("Repurchase rate (customers with 2+ orders in the window)"),
            "share",
            "absolute",
            "repurchase",
        ),
        Measure(
            "complaint_retention",
            N_("Complaint retention (customer still buying 90 days later)"),
            "share",
            "absolute",
            "complaint_retention",
        ),
    )
}
"""The measures of chapter 06, in the order shown."""

MONTHLY_MEASURES = [m for m in MEASURES if m != "repurchase_rate"]
"""Measures defined per rep and month (repurchase is per rep and window)."""

OUTLIER_FACTOR = 20.0

DENOMINATOR = "_n"
"""Suffix of a rate's denominator column in :func:`measure_panel` (``win_rate_n``: closed
opportunities of the rep-month), the weight of its rep-month in the DiD."""

RATE_WEIGHTS = {
    "lead_conversion": "lead_conversion_n",
    "win_rate": "win_rate_n",
    "complaint_retention": "complaint_retention_n",
    "repurchase_rate": "customers",
}
"""Each share's denominator column: its DiD weights a rep-month (or rep-window) by it (WLS)."""


# --------------------------------------------------------------------------- inputs


def flag_outlier_orders(orders: pd.DataFrame, *, factor: float = OUTLIER_FACTOR) -> pd.Series:
    """True for one-off orders larger than ``factor`` times the median order value.

    A handful of very large deals (tens to hundreds of times a normal order) would
    dominate a rep's monthly sales and order value and swamp any training effect;
    they are reported separately and left out of the sales measures. Rule:
    ``amount > factor * median(amount)`` over all orders (default factor 20).

    Examples
    --------
    >>> o = pd.DataFrame({"amount": [100.0, 120, 90, 110, 50_000]})
    >>> flag_outlier_orders(o).tolist()
    [False, False, False, False, True]
    """
    amount = orders["amount"].astype(float)
    return amount > factor * float(amount.median())


def lead_followup_days(leads: pd.DataFrame, *, quantile: float = 0.99) -> int:
    """Days a lead needs to have had to convert: a high quantile of observed delays.

    Leads created fewer days than this before the last date of the data may still
    convert, so counting them as unconverted would understate conversion.

    Examples
    --------
    >>> l = pd.DataFrame({"created_date": pd.to_datetime(["2024-01-01", "2024-01-01"]),
    ...                   "converted_date": pd.to_datetime(["2024-01-11", None])})
    >>> lead_followup_days(l)
    10
    """
    return _followup_days(FramePanels({"leads": leads}).lead_delays(), quantile=quantile)


def _followup_days(delays: pd.Series, *, quantile: float = 0.99) -> int:
    if delays.empty:
        return 0
    return int(math.ceil(float(delays.quantile(quantile))))


def _month(s: pd.Series) -> pd.Series:
    return pd.to_datetime(s).dt.to_period("M").dt.start_time.astype("datetime64[ns]")


def measure_panel(
    data: Mapping[str, pd.DataFrame],
    *,
    start,
    end,
    employees: pd.DataFrame | None = None,
    outlier_factor: float = OUTLIER_FACTOR,
) -> pd.DataFrame:
    """Rep x month panel of every monthly measure of :data:`MEASURES`.

    The panels of the data's source (:func:`trackreport.data.panels.panel_source`: the
    tables in memory, or the database they come from, which aggregates them): the
    ``orders`` panel (employment months, sales, orders, average order value) with outlier
    orders removed (:func:`flag_outlier_orders`' rule), plus ``new_clients`` from
    ``customers.acquired_date``/``owner_id`` and the rates ``lead_conversion``,
    ``win_rate``, ``complaint_retention`` (NaN in a month without a denominator), each
    with its denominator ``<rate>_n`` (leads, closed opportunities, complaints with a
    known outcome; NaN where there are none), the weight of the rep-month in the DiD.

    Examples
    --------
    >>> from trackreport.data.sample import generate
    >>> t = generate(seed=1, scale=0.1)
    >>> p = measure_panel(t, start="2025-01", end="2025-03")
    >>> sorted(set(MONTHLY_MEASURES) - set(p.columns))
    []
    """
    emp = data["employees"] if employees is None else employees
    src = panel_source(data)
    window = {"employees": emp, "start": start, "end": end}
    max_amount = outlier_factor * src.amount_median()  # flag_outlier_orders' rule
    panel = src.panel("orders", **window, max_amount=max_amount).drop(columns="new_clients")
    cutoff = src.order_dates()[1] - pd.Timedelta(days=_followup_days(src.lead_delays()))
    out = panel
    for extra in (
        src.panel("new_clients", **window),
        src.panel("lead_conversion", **window, until=cutoff),
        src.panel("win_rate", **window),
        src.panel("complaint_retention", **window),
    ):
        out = out.merge(extra, on=["employee_id", "month"], how="left")
    out["new_clients"] = out["new_clients"].fillna(0).astype("int64")
    return out


def repurchase_panel(
    orders: pd.DataFrame,
    units: Sequence[str],
    windows: Mapping[pd.Timestamp, tuple[pd.Timestamp, pd.Timestamp]],
) -> pd.DataFrame:
    """Rep x window panel of the repurchase rate.

    For each rep and window: among customers with at least one order credited to the
    rep dated in the window, the share with two or more
    (the ``repurchase`` panel of :mod:`trackreport.data.panels`). The row's
    ``month`` is the window's first month (the key given in ``windows``); reps without
    a customer in a window have no row.

    Examples
    --------
    >>> o = pd.DataFrame({"employee_id": ["a", "a", "a", "b"],
    ...                   "customer_id": ["c1", "c1", "c2", "c3"],
    ...                   "order_date": pd.to_datetime(["2024-01-02", "2024-02-01",
    ...                                                 "2024-01-05", "2024-04-01"])})
    >>> w = {pd.Timestamp("2024-01-01"): ("2024-01-01", "2024-03-31"),
    ...      pd.Timestamp("2024-04-01"): ("2024-04-01", "2024-06-30")}
    >>> repurchase_panel(o, ["a", "b"], w)
      employee_id      month  repurchase_rate  customers
    0           a 2024-01-01              0.5          2
    1           b 2024-04-01              0.0          1
    """
    return FramePanels({"orders": orders}).panel("repurchase", employees=list(units), windows=windows)


def _windows(quarter: str, before_months: int, after_months: int):
    return report_windows(quarter, before_months=before_months, after_months=after_months)


def _groups(data, team, quarter, before_months, after_months) -> tuple[pd.DataFrame, pd.DataFrame]:
    members = cohort_members(data, team, quarter, before_months=before_months, after_months=after_months)
    comp = comparison_members(data, team, quarter, before_months=before_months, after_months=after_months)
    return members, comp


def cohort_panel(
    data: Mapping[str, pd.DataFrame],
    team: str,
    quarter: str,
    *,
    before_months: int = 3,
    after_months: int = 3,
    pre_months: int = 0,
    outlier_factor: float = OUTLIER_FACTOR,
) -> pd.DataFrame:
    """The DiD panel of one report: the team's cohort of ``quarter`` and its comparison group.

    Rows: rep x month in the before and after windows (the quarter's own months, training
    under way, left out; :func:`trackreport.stats.attribution.stack_cohort`), for the cohort
    (:func:`trackreport.data.cohort.cohort_members`) and the comparison group
    (:func:`trackreport.data.cohort.comparison_members`: never or not yet trained). With
    ``pre_months`` > ``before_months`` earlier months are added (for the event study).

    Columns: :func:`measure_panel`'s plus ``treated``, ``post``, ``event_time`` (months
    since the first after-month; -1 = the last month before the quarter) and ``segment``.
    """
    w = _windows(quarter, before_months, after_months)
    members, comp = _groups(data, team, quarter, before_months, after_months)
    people = pd.concat([members, comp], ignore_index=True)
    q0, q1 = quarter_bounds(quarter)
    first = q0 - pd.DateOffset(months=max(before_months, pre_months))
    panel = measure_panel(data, start=first, end=w.after[1], employees=people, outlier_factor=outlier_factor)
    keep = (panel["month"] < q0) | (panel["month"] > q1)
    panel = panel.loc[keep.to_numpy()].copy()
    panel["treated"] = panel["employee_id"].isin(members["employee_id"]).to_numpy(dtype=bool)
    panel["post"] = (panel["month"] > q1).to_numpy(dtype=bool)
    mi = panel["month"].dt.year * 12 + panel["month"].dt.month
    after0 = q1 + pd.Timedelta(days=1)
    panel["event_time"] = np.where(
        panel["post"], mi - (after0.year * 12 + after0.month), mi - (q0.year * 12 + q0.month)
    ).astype("int64")
    seg = dict(zip(members["employee_id"], members["segment"]))
    panel["segment"] = panel["employee_id"].map(seg).fillna("comparison").astype("string")
    return panel.reset_index(drop=True)


def never_trained_factors(
    data: Mapping[str, pd.DataFrame],
    measures: Sequence[str] = tuple(MEASURES),
    *,
    window_months: int = 3,
    outlier_factor: float = OUTLIER_FACTOR,
) -> dict[str, pd.Series]:
    """Month-of-year pattern per measure, estimated on the never-trained staff.

    The mean per person and month of each measure over the whole history of everybody
    never enrolled in a course (a series the training cannot have touched) is fitted
    with a linear trend plus 12 month-of-year effects:

    - volumes (``kind`` relative: sales, new clients, order value) multiplicatively, on
      the log scale (:func:`trackreport.stats.attribution.seasonal_factors`): factors with
      mean 1, divided out;
    - shares (``kind`` absolute: lead conversion, win rate, complaint retention)
      additively (:func:`trackreport.stats.attribution.seasonal_effects`): effects in points
      with mean 0, subtracted. A share's season is a shift in points (the Q4 buying
      season adds points to the win rate whatever a rep's own level) and its training
      effect is read in points, so subtraction leaves that effect intact;
    - the repurchase rate, a share within a window of ``window_months`` months, on the
      never-trained staff's rates of the rolling windows that start in every month of
      the history (:func:`repurchase_panel`), additively by the month the window starts:
      the report's before and after windows are then adjusted by the effect of their own
      start month. Overlapping windows share customers, so the fit's points are not
      independent; only the point estimates are used.

    Measures whose series is too short (fewer than 18 months or windows, or fewer than
    two points for some calendar month) or, for volumes, not positive are left out (the attribution table then says "not adjusted"
    and why). Rates that are unknown near the end of the data (complaint retention) need
    only 18 months. The repurchase effects carry ``attrs["window_months"]``.
    """
    ever = set(training_periods(data)["employee_id"])
    emp = data["employees"]
    emp = emp.loc[~emp["employee_id"].isin(ever).to_numpy()]
    src = panel_source(data)
    start, end = src.order_dates()
    monthly = [m for m in measures if m in MONTHLY_MEASURES]
    out = {}
    if monthly:
        panel = measure_panel(data, start=start, end=end, employees=emp, outlier_factor=outlier_factor)
        for m in monthly:
            fit = seasonal_effects if MEASURES[m].kind == "absolute" else seasonal_factors
            try:
                out[m] = fit(panel, value=m, period="month", min_months=18)
            except PanelError:
                continue
    if "repurchase_rate" in measures:
        first = pd.Timestamp(start).to_period("M").start_time
        windows = {}
        w0 = first
        while True:
            w1 = w0 + pd.DateOffset(months=window_months) - pd.Timedelta(days=1)
            if w1 > end:
                break
            windows[w0] = (w0, w1)
            w0 = w0 + pd.DateOffset(months=1)
        p = src.panel("repurchase", employees=list(emp["employee_id"]), windows=windows)  # as the report's windows
        try:
            eff = seasonal_effects(p, value="repurchase_rate", period="month", min_months=18)
            eff.attrs["window_months"] = window_months
            out["repurchase_rate"] = eff
        except PanelError:
            pass
    return out


# --------------------------------------------------------------------- attribution


def _factor(v: float) -> str:
    return f"x{v:.3f}" if v is not None and math.isfinite(v) else "n/a"


def underpowered(mde: float, effect: float, target: float | None = None, *, far: float = 2.0) -> bool:
    """Whether a DiD that found no effect could not have found the one that matters.

    True when the minimum detectable effect (80% power, 5% two-sided,
    :func:`trackreport.stats.attribution.minimum_detectable_effect`) exceeds the
    measure's target, or, without a target, is more than ``far`` times the estimate's own
    magnitude: an effect of the size estimated would be missed most of the time.

    >>> underpowered(0.25, 0.02), underpowered(0.05, 0.04), underpowered(0.15, 0.0, 0.12)
    (True, False, True)
    """
    if not (math.isfinite(mde) and math.isfinite(effect)):
        return False
    if target is not None and math.isfinite(target) and target != 0:
        return mde > abs(target)
    return mde > far * abs(effect)


def _verdict(m: Measure, row: Mapping, target: float | None = None) -> str:
    """The sentence that tells what changed and what the training changed.

    Volumes (``kind`` relative) are read as growth factors that multiply: the trained
    reps' factor is the comparison group's times the training's (x1.664 = x1.465 x
    x1.136), so the effect is the ratio of the two shown changes, never their
    difference. Shares are read in percentage points, and the effect is the difference.
    """
    rel = m.kind == "relative"

    def show(v: float) -> str:
        if v is None or not math.isfinite(v):
            return "n/a"
        if rel:
            return f"{v:+.1%}"
        return f"{100 * v:+.1f} pp"

    if not math.isfinite(row["effect"]):
        return _(
            "{measure}: the training's effect cannot be estimated yet ({reason}).",
            measure=_(m.label),
            reason=row.get("note") or _("too few observations"),
        )
    p_holm, k = float(row.get("effect_p_holm", math.nan)), int(row.get("holm_k", 0) or 0)
    ci_excludes = bool(row["effect_ci_low"] > 0 or row["effect_ci_high"] < 0)
    distinguishable = (p_holm < 0.05) if math.isfinite(p_holm) and k > 1 else ci_excludes
    ending = "yes" if distinguishable else ("interval only" if ci_excludes else "no")
    lo, hi = (row["relative_ci_low"], row["relative_ci_high"]) if rel else (row["effect_ci_low"], row["effect_ci_high"])
    fields = {
        "measure": _(m.label),
        "effect": show(row["relative_effect"] if rel else row["effect"]),
        "low": show(lo),
        "high": show(hi),
        "n_treated": row["n_treated"],
        "n_comparison": row["n_comparison"],
        "k": k,
    }
    if rel:
        tf, cf, ef = row["trained_factor"], row["comparison_factor"], row["effect_factor"]
        fields.update(
            trained_factor=_factor(tf),
            trained_change=show(tf - 1),
            comparison_factor=_factor(cf),
            comparison_change=show(cf - 1),
            effect_factor=_factor(ef),
            adjusted=show(row["adjusted_relative"]),
        )
        seasonal = math.isfinite(row["adjusted_relative"])
    else:
        fields.update(
            trained_change=show(row["naive"]), comparison_change=show(row["comparison"]), adjusted=show(row["adjusted"])
        )
        seasonal = math.isfinite(row["adjusted"])
    sentences = [_(_CHANGED[rel, seasonal], **fields), _(_EFFECT[rel, ending], **fields)]
    if not distinguishable:
        mde = float(row.get("mde", math.nan))
        eff = row["relative_effect"] if rel else row["effect"]
        if underpowered(mde, eff, target):
            if target is not None:
                sentences.append(_(_UNDERPOWERED_TARGET, mde=show(mde), target=show(target)))
            else:
                sentences.append(_(_UNDERPOWERED_SIZE, mde=show(mde), effect=show(eff)))
    if math.isfinite(p_holm) and k > 1:
        sentences.append(
            _(
                "The verdict is Holm-adjusted for the {k} training effects of this chapter (p {p}, adjusted p "
                "{p_adjusted}); the interval shown is not adjusted.",
                k=k,
                p=_p_is(row["effect_p_value"]),
                p_adjusted=_p_is(p_holm),
            )
        )
    return join_sentences(*sentences)


#: What changed for each group (first sentence of a verdict), by (relative measure, seasonally adjusted).
_CHANGED = {
    (True, True): N_(
        "{measure}: trained reps grew by {trained_factor} ({trained_change}) from before to after ({adjusted} once "
        "seasonality is removed); the comparison group grew by {comparison_factor} ({comparison_change}) over the "
        "same months."
    ),
    (True, False): N_(
        "{measure}: trained reps grew by {trained_factor} ({trained_change}) from before to after; the comparison "
        "group grew by {comparison_factor} ({comparison_change}) over the same months."
    ),
    (False, True): N_(
        "{measure}: trained reps changed by {trained_change} from before to after; {adjusted} once seasonality is "
        "removed; the comparison group changed by {comparison_change} over the same months."
    ),
    (False, False): N_(
        "{measure}: trained reps changed by {trained_change} from before to after; the comparison group changed by "
        "{comparison_change} over the same months."
    ),
}

#: The training's effect and its verdict (second sentence), by (relative measure, verdict): "yes" distinguishable
#: from zero, "no" not, "interval only" when the 95% CI excludes zero but the Holm-adjusted test does not.
_EFFECT = {
    (True, "yes"): N_(
        "The training's effect is the ratio of the two: {trained_factor} / {comparison_factor} = {effect_factor}, "
        "i.e. {effect} (95% CI {low} to {high}, {n_treated} trained vs {n_comparison} comparison reps), "
        "distinguishable from zero."
    ),
    (True, "no"): N_(
        "The training's effect is the ratio of the two: {trained_factor} / {comparison_factor} = {effect_factor}, "
        "i.e. {effect} (95% CI {low} to {high}, {n_treated} trained vs {n_comparison} comparison reps), "
        "not distinguishable from zero."
    ),
    (True, "interval only"): N_(
        "The training's effect is the ratio of the two: {trained_factor} / {comparison_factor} = {effect_factor}, "
        "i.e. {effect} (95% CI {low} to {high}, {n_treated} trained vs {n_comparison} comparison reps): its 95% CI "
        "excludes zero, but it is not distinguishable from zero once the {k} effects are tested together."
    ),
    (False, "yes"): N_(
        "The training's effect, estimated over reps and months (difference in differences, rates weighted by their "
        "denominators, so not exactly the difference of the two raw changes): {effect} (95% CI {low} to {high}, "
        "{n_treated} trained vs {n_comparison} comparison reps), distinguishable from zero."
    ),
    (False, "no"): N_(
        "The training's effect, estimated over reps and months (difference in differences, rates weighted by their "
        "denominators, so not exactly the difference of the two raw changes): {effect} (95% CI {low} to {high}, "
        "{n_treated} trained vs {n_comparison} comparison reps), not distinguishable from zero."
    ),
    (False, "interval only"): N_(
        "The training's effect, estimated over reps and months (difference in differences, rates weighted by their "
        "denominators, so not exactly the difference of the two raw changes): {effect} (95% CI {low} to {high}, "
        "{n_treated} trained vs {n_comparison} comparison reps): its 95% CI excludes zero, but it is not "
        "distinguishable from zero once the {k} effects are tested together."
    ),
}

_UNDERPOWERED_TARGET = N_(
    "Underpowered: the smallest effect this test can detect is {mde} (80% power, 5% two-sided), far above the target "
    "of {target}; a real effect of that size could well be missed."
)
_UNDERPOWERED_SIZE = N_(
    "Underpowered: the smallest effect this test can detect is {mde} (80% power, 5% two-sided), far above the "
    "estimate's own size, {effect}; a real effect of that size could well be missed."
)


#: Punctuation that ends a sentence in Chinese: the next sentence follows without a space.
def _relative(value: float, lo: float, hi: float, base: float) -> tuple[float, float, float]:
    if not (math.isfinite(base) and base != 0):
        return math.nan, math.nan, math.nan
    return value / base, lo / base, hi / base


def sales_attribution(
    data: Mapping[str, pd.DataFrame],
    team: str,
    quarter: str,
    params=None,
    *,
    measures: Sequence[str] | None = None,
    factors: Mapping[str, pd.Series] | None = None,
    outlier_factor: float = OUTLIER_FACTOR,
    panel: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """What changed and what the training changed: one row per measure.

    For the team's cohort of ``quarter`` against its comparison group, over the
    ``params.windows`` before/after windows (:func:`cohort_panel`), each measure of
    :data:`MEASURES` gets :func:`trackreport.stats.attribution.attribution_table`'s columns
    (``naive``, ``adjusted``, ``comparison``, ``effect``, each with ``_ci_low`` and
    ``_ci_high``; ``n_treated``, ``n_comparison``, ``relative_effect`` with interval,
    ``seasonal_source``) plus:

    - ``label``, ``unit``, ``kind`` (``relative`` or ``absolute``, see :class:`Measure`);
    - ``before_treated``: the trained reps' before-level (mean over rep-months);
    - ``naive_relative``, ``adjusted_relative``, ``comparison_relative`` (with
      intervals): the changes divided by the group's own before-level, so that relative
      measures can be read side by side with ``relative_effect``;
    - ``note``: why a measure could not be estimated (e.g. complaint retention is only
      known 90 days after the complaint);
    - ``effect_p_holm``, ``holm_k``: the effect's p-value Holm-adjusted within the family
      of the measures estimated here (k of them; :func:`trackreport.stats.multiplicity.holm`,
      Holm 1979; issue 9, finding 5);
    - ``verdict``: one sentence that says which number is the training's effect and
      whether it is distinguishable from zero, decided on the Holm-adjusted p-value (the
      95% interval shown stays unadjusted, and the sentence says so).

    Estimators: naive/adjusted/comparison are paired before/after changes over reps
    (t interval); the effect is DiD with two-way fixed effects, SE clustered by rep,
    t(G-1) interval (Angrist & Pischke 2009, 5.2; Cameron & Miller 2015). Seasonal
    factors come from :func:`never_trained_factors` unless given.

    Parameters
    ----------
    data : mapping
        The contract tables.
    team, quarter : str
        The report.
    params : ReportParams, optional
        For ``windows``; defaults 3 and 3 months.
    measures : list of str, optional
        Subset of :data:`MEASURES` (default all).
    factors : mapping, optional
        Seasonal factors per measure (default :func:`never_trained_factors`).
    panel : DataFrame, optional
        A :func:`cohort_panel` already built (to avoid rebuilding it).

    Examples
    --------
    >>> from trackreport.data.sample import generate
    >>> t = generate(seed=1, scale=0.3)
    >>> a = sales_attribution(t, "east", "2025Q3", measures=["sales"])
    >>> a.loc[0, "measure"], "training's effect" in a.loc[0, "verdict"]
    ('sales', True)
    """
    bm, am = Windows.from_params(quarter, params).months
    names = list(MEASURES) if measures is None else list(measures)
    if panel is None:
        panel = cohort_panel(data, team, quarter, before_months=bm, after_months=am, outlier_factor=outlier_factor)
    q0, __ = quarter_bounds(quarter)
    first_before = q0 - pd.DateOffset(months=bm)
    panel = panel.loc[(panel["month"] >= first_before).to_numpy()]
    if factors is None:
        factors = never_trained_factors(data, names, window_months=bm, outlier_factor=outlier_factor)
    rows = []
    for name in names:
        m = MEASURES[name]
        if name == "repurchase_rate":
            w = _windows(quarter, bm, am)
            treated = dict(zip(panel["employee_id"], panel["treated"]))
            windows = {w.before[0]: w.before, w.after[0]: w.after}
            p = panel_source(data).panel("repurchase", employees=list(treated), windows=windows)
            p["treated"] = p["employee_id"].map(treated).astype(bool)
            p["post"] = (p["month"] == w.after[0]).to_numpy(dtype=bool)
            f = factors.get(name)
            if f is not None and bm == am and f.attrs.get("window_months") == bm:
                seasonal = {name: f}
            else:
                seasonal = None
            note_adj = (
                "not adjusted: no window effects for windows of this length (two windows"
                " starting in each calendar month are needed)"
                if bm == am
                else "not adjusted: the before and after windows differ in length"
            )
        else:
            p = panel
            f = factors.get(name)
            seasonal = {name: f} if f is not None else None
            note_adj = "not adjusted: no seasonal factors (two points per calendar month are needed)"
        row: dict = {"measure": name}
        try:
            if name == "complaint_retention":
                _check_retention_known(data, panel, quarter, bm, am)
            t = attribution_table(
                p,
                outcome=name,
                unit="employee_id",
                period="month",
                treated="treated",
                post="post",
                seasonal=seasonal,
                multiplicative=[name] if m.kind == "relative" else [],
                weights={name: RATE_WEIGHTS[name]} if name in RATE_WEIGHTS else None,
            )
            row.update(t.iloc[0].to_dict())
            row["note"] = ""
        except PanelError as exc:
            row.update({c: math.nan for c in _NUM_COLUMNS})
            sub = p.loc[p[name].notna()]
            row["n_treated"] = int(sub.loc[sub["treated"].to_numpy(dtype=bool), "employee_id"].nunique())
            row["n_comparison"] = int(sub.loc[~sub["treated"].to_numpy(dtype=bool), "employee_id"].nunique())
            row["note"] = str(exc)
        if seasonal is None:
            row["seasonal_source"] = note_adj
        sub = p.loc[p[name].notna()]
        tr = sub["treated"].to_numpy(dtype=bool)
        ps = sub["post"].to_numpy(dtype=bool)
        before_t = float(sub.loc[tr & ~ps, name].mean()) if (tr & ~ps).any() else math.nan
        before_c = float(sub.loc[~tr & ~ps, name].mean()) if (~tr & ~ps).any() else math.nan
        row["before_treated"] = before_t
        row["before_comparison"] = before_c
        if seasonal is not None and (tr & ~ps).any():
            adj = deseasonalize(sub.loc[tr & ~ps], seasonal[name], period="month", columns=[name])
            before_adj = float(adj[name].mean())
        else:
            before_adj = before_t
        for col, base in (("naive", before_t), ("adjusted", before_adj), ("comparison", before_c)):
            v, lo, hi = _relative(row[col], row[f"{col}_ci_low"], row[f"{col}_ci_high"], base)
            row[f"{col}_relative"], row[f"{col}_relative_ci_low"], row[f"{col}_relative_ci_high"] = v, lo, hi
        row.update({"label": m.label, "unit": m.unit, "kind": m.kind})
        row["n"] = int(row["n_treated"]) + int(row["n_comparison"])
        rows.append(row)
    # Holm within the family of the chapter's training effects (issue 9, finding 5)
    p_holm = holm([float(r.get("effect_p_value", math.nan)) for r in rows])
    k = int(np.isfinite(p_holm).sum())
    for row, ph in zip(rows, p_holm, strict=True):
        m = MEASURES[row["measure"]]
        row["effect_p_holm"], row["holm_k"] = float(ph), k
        target = getattr(params.targets, m.target) if (params is not None and m.target) else None
        row["verdict"] = _verdict(m, row, target)
    out = pd.DataFrame(rows)
    for c in ("n_treated", "n_comparison", "n"):
        out[c] = out[c].astype("int64")
    return out


def _check_retention_known(data, panel, quarter, before_months, after_months, *, minimum=0.8) -> None:
    """Raise PanelError when too few after-window complaints have a known outcome yet."""
    w = _windows(quarter, before_months, after_months)
    reps = panel["employee_id"].unique()
    c = panel_source(data).rows(
        "complaints", columns=["customer_retained"], employees=reps, date="opened", start=w.after[0], end=w.after[1]
    )
    known = float(c["customer_retained"].notna().mean()) if len(c) else 0.0
    if known < minimum:
        raise PanelError(
            _(
                "retention is known only 90 days after a complaint; {share} of the after-window's complaints have "
                "an outcome yet",
                share=format(known, ".0%"),
            )
        )


_NUM_COLUMNS = [
    "naive",
    "naive_ci_low",
    "naive_ci_high",
    "adjusted",
    "adjusted_ci_low",
    "adjusted_ci_high",
    "comparison",
    "comparison_ci_low",
    "comparison_ci_high",
    "effect",
    "effect_ci_low",
    "effect_ci_high",
    "effect_p_value",
    "effect_se",
    "mde",
    "relative_effect",
    "relative_ci_low",
    "relative_ci_high",
    "trained_factor",
    "comparison_factor",
    "effect_factor",
]


def attribution(ch: ChapterLike) -> pd.DataFrame:
    """The report's :func:`sales_attribution`, computed once per report and shared by its chapters.

    Chapters 01 (targets) and 06 (sales) show the same attributed effects; the first
    chapter that asks computes them, the others read them from the run's result store
    (``ch.shared``), so every page shows the same numbers.
    """
    return ch.shared(
        "sales_attribution", lambda: sales_attribution(ch.data, ch.params.team, ch.params.quarter, ch.params)
    )


def effect_adjustment(table: pd.DataFrame, measure: str) -> Adjusted:
    """The Holm-adjusted p-value of one measure's effect and the family size, for ``ch.headline(adjusted=...)``.

    Examples
    --------
    >>> t = pd.DataFrame({"measure": ["sales"], "effect_p_holm": [0.03], "holm_k": [7]})
    >>> effect_adjustment(t, "sales").describe()
    'Holm-adjusted for 7 tests'
    """
    row = table.set_index("measure").loc[measure]
    return Adjusted(float(row["effect_p_holm"]), int(row["holm_k"]), "Holm")


def effect_estimate(table: pd.DataFrame, measure: str, *, relative: bool | None = None) -> Estimate:
    """The training effect of one measure of :func:`sales_attribution` as an Estimate.

    Relative measures give ``relative_effect`` (a share: 0.15 = +15%), absolute ones
    ``effect`` in their own unit; ``n`` is trained + comparison reps.

    Examples
    --------
    >>> t = pd.DataFrame({"measure": ["sales"], "kind": ["relative"], "effect": [300.0],
    ...                   "effect_ci_low": [100.0], "effect_ci_high": [500.0],
    ...                   "effect_p_value": [0.01], "relative_effect": [0.15],
    ...                   "relative_ci_low": [0.05], "relative_ci_high": [0.25], "n": [40]})
    >>> effect_estimate(t, "sales").value
    0.15
    """
    row = table.set_index("measure").loc[measure]
    rel = (row["kind"] == "relative") if relative is None else relative
    cols = (
        ("relative_effect", "relative_ci_low", "relative_ci_high")
        if rel
        else ("effect", "effect_ci_low", "effect_ci_high")
    )
    return Estimate(
        float(row[cols[0]]),
        float(row[cols[1]]),
        float(row[cols[2]]),
        n=int(row["n"]),
        p_value=float(row["effect_p_value"]),
        method=(
            "multiplicative difference in differences (Poisson pseudo-likelihood, rep and month effects, "
            "SE clustered by rep), effect = exp(b) - 1"
            if rel and row.get("scale") == "multiplicative"
            else "difference in differences (TWFE, SE clustered by rep)"
            + (", relative to the counterfactual level" if rel else "")
        ),
    )


def target_progress(table: pd.DataFrame, params) -> pd.DataFrame:
    """Progress against the growth targets: the observed change and the training's effect.

    For each measure with a target (``params.targets.new_clients_growth``,
    ``order_value_growth``): ``target``, the trained reps' observed relative change
    (``observed``, naive), the training's relative effect with interval, and
    ``status`` of the effect: *met* / *on track* / *uncertain* / *missed*
    (:func:`trackreport.stats.display.status_word`).
    """
    rows = []
    for m in MEASURES.values():
        if m.target is None or m.name not in set(table["measure"]):
            continue
        r = table.set_index("measure").loc[m.name]
        target = float(getattr(params.targets, m.target))
        eff, lo, hi = r["relative_effect"], r["relative_ci_low"], r["relative_ci_high"]
        status = status_word(eff, lo, hi, target) if math.isfinite(eff) else N_("not estimable")
        rows.append(
            {
                "measure": m.name,
                "label": m.label,
                "target": target,
                "observed": r["trained_factor"] - 1,
                "effect": eff,
                "ci_low": lo,
                "ci_high": hi,
                "status": status,
                "n": int(r["n"]),
            }
        )
    return pd.DataFrame(rows)


# ------------------------------------------------------------------ parallel trends


def parallel_trends(
    data: Mapping[str, pd.DataFrame] | ChapterLike,
    team: str | None = None,
    quarter: str | None = None,
    params=None,
    *,
    measures: Sequence[str] = ("sales", "new_clients", "avg_order_value"),
    pre_months: int = 12,
    panel: pd.DataFrame | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Event-study check of parallel trends: coefficients and a joint pre-period test.

    On :func:`cohort_panel` with ``pre_months`` months before the quarter, for each
    measure :func:`trackreport.stats.attribution.event_study` (gap between trained and
    comparison reps by month relative to the training, reference = the last month
    before the quarter) and :func:`trackreport.stats.attribution.pretrend_test` (joint Wald F
    test that the pre-period gaps, binned into three periods, are zero).

    Returns
    -------
    (coefficients, tests)
        ``coefficients``: ``measure``, ``event_time``, ``coef``, ``ci_low``, ``ci_high``,
        ``p_value``, ``n``. ``tests``: ``measure``, ``label``, ``F``, ``p_value``, ``n``,
        ``warning`` (the plain-words warning when p < 0.05, else empty).
    """
    data, team, quarter, params = scope(data, team, quarter, params)
    bm, am = Windows.from_params(quarter, params).months
    if panel is None:
        panel = cohort_panel(data, team, quarter, before_months=bm, after_months=am, pre_months=pre_months)
    coefs, tests = [], []
    for name in measures:
        kw = dict(outcome=name, unit="employee_id", period="month", treated="treated", event_time="event_time")
        try:
            es = event_study(panel, **kw)
            t = pretrend_test(panel, **kw)
        except PanelError as exc:
            tests.append(
                {
                    "measure": name,
                    "label": MEASURES[name].label,
                    "F": math.nan,
                    "p_value": math.nan,
                    "n": 0,
                    "warning": _(_NOT_TESTED, reason=str(exc)),
                }
            )
            continue
        coefs.append(es.assign(measure=name))
        warn = pretrend_warning(t)
        tests.append(
            {
                "measure": name,
                "label": MEASURES[name].label,
                "F": t.value,
                "p_value": t.p_value,
                "n": t.n,
                "warning": warn or "",
            }
        )
    c = (
        pd.concat(coefs, ignore_index=True)
        if coefs
        else pd.DataFrame(columns=["event_time", "coef", "ci_low", "ci_high", "p_value", "n", "measure"])
    )
    return c[["measure", "event_time", "coef", "ci_low", "ci_high", "p_value", "n"]], pd.DataFrame(tests)


def monthly_series(
    data: Mapping[str, pd.DataFrame] | ChapterLike,
    team: str | None = None,
    quarter: str | None = None,
    params=None,
    *,
    measure: str = "sales",
    pre_months: int = 12,
    outlier_factor: float = OUTLIER_FACTOR,
) -> pd.DataFrame:
    """Monthly mean of a measure for trained and comparison reps, training months included.

    Returns ``month``, ``group`` (``trained``/``comparison``), ``value``, ``n`` (reps with
    a value that month), plus the window bounds as columns ``before_start``,
    ``quarter_start``, ``quarter_end``, ``after_end`` (for shading in the chart).
    """
    data, team, quarter, params = scope(data, team, quarter, params)
    bm, am = Windows.from_params(quarter, params).months
    w = _windows(quarter, bm, am)
    members, comp = _groups(data, team, quarter, bm, am)
    people = pd.concat([members, comp], ignore_index=True)
    q0, q1 = quarter_bounds(quarter)
    first = q0 - pd.DateOffset(months=max(bm, pre_months))
    p = measure_panel(data, start=first, end=w.after[1], employees=people, outlier_factor=outlier_factor)
    p["group"] = np.where(p["employee_id"].isin(members["employee_id"]), "trained", "comparison")
    out = p.groupby(["month", "group"], as_index=False).agg(value=(measure, "mean"), n=(measure, "count"))
    return out.assign(measure=measure, before_start=w.before[0], quarter_start=q0, quarter_end=q1, after_end=w.after[1])


def segment_effects(
    data: Mapping[str, pd.DataFrame],
    team: str,
    quarter: str,
    params=None,
    *,
    measure: str = "sales",
    min_n: int = 5,
    panel: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """The training effect per trainee segment (tenure band or manager).

    Each segment's trainees against the whole comparison group (DiD as in
    :func:`sales_attribution`); segments with fewer than ``min_n`` trainees are not
    estimated (``effect`` NaN, kept so the reader sees they exist). Columns:
    ``segment``, ``n`` (trainees), ``effect``, ``ci_low``, ``ci_high``, ``relative_effect``,
    ``relative_ci_low``, ``relative_ci_high``, ``p_value`` (unadjusted).
    """
    bm, am = Windows.from_params(quarter, params).months
    if panel is None:
        panel = cohort_panel(data, team, quarter, before_months=bm, after_months=am)
    rows = []
    trained = panel.loc[panel["treated"].to_numpy(dtype=bool)]
    for seg, grp in trained.groupby("segment", sort=True):
        n = int(grp["employee_id"].nunique())
        row = {"segment": seg, "n": n}
        est = {}
        if n >= min_n:
            sub = pd.concat([grp, panel.loc[~panel["treated"].to_numpy(dtype=bool)]], ignore_index=True)
            try:
                t = attribution_table(
                    sub,
                    outcome=measure,
                    unit="employee_id",
                    period="month",
                    treated="treated",
                    post="post",
                    seasonal=None,
                )
                est = t.iloc[0].to_dict()
            except PanelError:
                est = {}
        row.update(
            {
                "effect": est.get("effect", math.nan),
                "ci_low": est.get("effect_ci_low", math.nan),
                "ci_high": est.get("effect_ci_high", math.nan),
                "relative_effect": est.get("relative_effect", math.nan),
                "relative_ci_low": est.get("relative_ci_low", math.nan),
                "relative_ci_high": est.get("relative_ci_high", math.nan),
                "p_value": est.get("effect_p_value", math.nan),
            }
        )
        rows.append(row)
    return pd.DataFrame(rows)


def segment_effect_table(
    data: Mapping[str, pd.DataFrame] | ChapterLike,
    team: str | None = None,
    quarter: str | None = None,
    params=None,
    *,
    measures: Sequence[str] | None = None,
    min_n: int = 5,
) -> pd.DataFrame:
    """The training effect per trainee segment for every monthly measure, tidy.

    One row per measure and segment, from :func:`segment_effects` on one shared cohort
    panel: each segment's trainees against the whole comparison group. Relative measures
    give the relative effect (0.12 = +12%), absolute ones the effect in points of share.
    Columns: ``measure``, ``label``, ``segment``, ``n``, ``effect``, ``ci_low``,
    ``ci_high``, ``unit`` (``relative`` or ``pp``), ``p_value`` and ``q_value``: the
    Benjamini-Hochberg q-value over every estimated cell of the grid
    (:func:`trackreport.stats.multiplicity.benjamini_hochberg`; issue 9, finding 5): the
    grid is exploratory, and a cell is flagged only when ``q < 0.05``. Segments below
    ``min_n`` trainees keep their row with NaN estimates.
    """
    data, team, quarter, params = scope(data, team, quarter, params)
    bm, am = Windows.from_params(quarter, params).months
    panel = cohort_panel(data, team, quarter, before_months=bm, after_months=am)
    rows = []
    for name in measures or [m for m in MONTHLY_MEASURES if m != "complaint_retention"]:
        m = MEASURES[name]
        seg = segment_effects(data, team, quarter, params, measure=name, min_n=min_n, panel=panel)
        rel = m.kind == "relative"
        for r in seg.itertuples(index=False):
            rows.append(
                {
                    "measure": name,
                    "label": m.label,
                    "segment": r.segment,
                    "n": r.n,
                    "effect": r.relative_effect if rel else r.effect,
                    "ci_low": r.relative_ci_low if rel else r.ci_low,
                    "ci_high": r.relative_ci_high if rel else r.ci_high,
                    "unit": "relative" if rel else "pp",
                    "p_value": r.p_value,
                }
            )
    cols = ["measure", "label", "segment", "n", "effect", "ci_low", "ci_high", "unit", "p_value"]
    out = pd.DataFrame(rows, columns=cols)
    out["q_value"] = benjamini_hochberg(out["p_value"].to_numpy(dtype=float))
    return out


def segment_display(table: pd.DataFrame) -> pd.DataFrame:
    """:func:`segment_effect_table` as the reader sees it: effect and interval as text.

    The verdict rests on the Benjamini-Hochberg q-value over the whole grid (exploratory;
    issue 9, finding 5), not on each cell's own interval; ``attrs["tests"]`` is the number
    of cells tested.
    """
    out = table.copy()

    def fmt(v: float, unit: str) -> str:
        if v is None or not math.isfinite(v):
            return "–"
        return f"{v:+.1%}" if unit == "relative" else f"{100 * v:+.1f} pp"

    out["training effect"] = [fmt(v, u) for v, u in zip(out["effect"], out["unit"])]
    out["95% CI"] = [
        _("{low} to {high}", low=fmt(lo, u), high=fmt(hi, u)) if math.isfinite(lo) else "–"
        for lo, hi, u in zip(out["ci_low"], out["ci_high"], out["unit"])
    ]
    k = int(np.isfinite(out["q_value"].to_numpy(dtype=float)).sum())
    out["q (BH)"] = [f"{q:.3f}" if math.isfinite(q) else "–" for q in out["q_value"]]
    out["verdict"] = [
        "–"
        if not (math.isfinite(lo) and math.isfinite(q))
        else _(N_("distinguishable from zero (BH)") if q < 0.05 else N_("not distinguishable from zero (BH)"))
        for lo, q in zip(out["ci_low"], out["q_value"])
    ]
    out["label"] = [_(v) for v in out["label"]]
    out = out[["label", "segment", "n", "training effect", "95% CI", "q (BH)", "verdict"]]
    out.attrs["tests"] = k
    return out.rename(columns={"label": "measure"})


# ------------------------------------------------------------------------ rankings


def rep_rankings(
    data: Mapping[str, pd.DataFrame] | ChapterLike,
    team: str | None = None,
    quarter: str | None = None,
    params=None,
    *,
    top: int = 10,
    outlier_factor: float = OUTLIER_FACTOR,
) -> pd.DataFrame:
    """Individual sales ranking, company-wide, before and after: who is newly in the top.

    Every person employed through both windows is ranked by sales per month (outliers
    left out) in the before and in the after window (1 = highest). Returns one row per
    person: ``employee_id``, ``team``, ``group`` (``trained`` = the team's cohort of
    ``quarter``, ``comparison``, ``other``), ``rank_before``, ``rank_after``,
    ``top_before``, ``top_after``, ``newly_top`` (in the top ``top`` after, not before).
    """
    data, team, quarter, params = scope(data, team, quarter, params)
    bm, am = Windows.from_params(quarter, params).months
    w = _windows(quarter, bm, am)
    emp = data["employees"]
    stayed = (emp["hire_date"] <= w.before[0]) & (emp["leave_date"].isna() | (emp["leave_date"] >= w.after[1]))
    emp = emp.loc[stayed.to_numpy()]
    p = measure_panel(data, start=w.before[0], end=w.after[1], employees=emp, outlier_factor=outlier_factor)
    p["window"] = np.where(p["month"] <= w.before[1], "before", np.where(p["month"] >= w.after[0], "after", "during"))
    m = p.loc[p["window"] != "during"].groupby(["employee_id", "window"])["sales"].mean().unstack("window")
    out = m.reset_index().rename(columns={"before": "sales_before", "after": "sales_after"})
    out["rank_before"] = out["sales_before"].rank(ascending=False, method="min").astype("int64")
    out["rank_after"] = out["sales_after"].rank(ascending=False, method="min").astype("int64")
    out["top_before"] = out["rank_before"] <= top
    out["top_after"] = out["rank_after"] <= top
    out["newly_top"] = out["top_after"] & ~out["top_before"]
    members, comp = _groups(data, team, quarter, bm, am)
    out["team"] = out["employee_id"].map(dict(zip(emp["employee_id"], emp["team"])))
    out["group"] = np.where(
        out["employee_id"].isin(members["employee_id"]),
        "trained",
        np.where(out["employee_id"].isin(comp["employee_id"]), "comparison", "other"),
    )
    return out.sort_values("rank_after", ignore_index=True)


def team_rankings(
    data: Mapping[str, pd.DataFrame] | ChapterLike,
    quarter: str | None = None,
    params=None,
    *,
    outlier_factor: float = OUTLIER_FACTOR,
) -> pd.DataFrame:
    """Rank of each team (and its region) by sales per rep and month, before and after.

    ``sales_before``/``sales_after``: mean sales per person and month of everybody in the
    team in that window; ``rank_before``/``rank_after`` among the teams (1 = highest);
    ``growth`` = after / before - 1; ``market_growth``: the region's industry index
    (``market_index``) over the same windows; ``growth_vs_market`` =
    (1 + growth) / (1 + market_growth) - 1 and its rank (``rank_vs_market``): the team's
    growth once the market's own growth (season and trend) is taken out.
    """
    data, __, quarter, params = scope(data, "", quarter, params)
    bm, am = Windows.from_params(quarter, params).months
    w = _windows(quarter, bm, am)
    p = measure_panel(data, start=w.before[0], end=w.after[1], outlier_factor=outlier_factor)
    p["window"] = np.where(p["month"] <= w.before[1], "before", np.where(p["month"] >= w.after[0], "after", "during"))
    p = p.loc[p["window"] != "during"]
    t = p.groupby(["team", "window"])["sales"].mean().unstack("window")
    out = t.reset_index().rename(columns={"before": "sales_before", "after": "sales_after"})
    out["people"] = out["team"].map(p.groupby("team")["employee_id"].nunique()).astype("int64")
    region = p.groupby("team")["region"].agg(lambda s: s.mode().iloc[0])
    out["region"] = out["team"].map(region)
    out["rank_before"] = out["sales_before"].rank(ascending=False, method="min").astype("int64")
    out["rank_after"] = out["sales_after"].rank(ascending=False, method="min").astype("int64")
    out["growth"] = out["sales_after"] / out["sales_before"] - 1
    mi = data.get("market_index") if hasattr(data, "get") else None
    if mi is not None and len(mi):
        mi = mi.assign(month=_month(mi["month"]))
        b = mi.loc[(mi["month"] >= w.before[0]) & (mi["month"] <= w.before[1])].groupby("region")["index"].mean()
        a = mi.loc[(mi["month"] >= w.after[0]) & (mi["month"] <= w.after[1])].groupby("region")["index"].mean()
        out["market_growth"] = out["region"].map(a / b - 1).astype(float)
    else:
        out["market_growth"] = math.nan
    out["growth_vs_market"] = (1 + out["growth"]) / (1 + out["market_growth"]) - 1
    out["rank_vs_market"] = out["growth_vs_market"].rank(ascending=False, method="min").astype("Int64")
    return out.sort_values("rank_after", ignore_index=True)


#: The headline (``#m-<name>`` on chapter 06's page) that shows each measure's effect in full.
EFFECT_HEADLINES: dict[str, str] = {
    "sales": "sales_effect_relative",
    "new_clients": "new_clients_effect",
    "avg_order_value": "order_value_effect",
    "lead_conversion": "lead_conversion_effect",
    "win_rate": "win_rate_effect",
    "repurchase_rate": "repurchase_effect",
    "complaint_retention": "complaint_retention_effect",
}


def attribution_summary(table: pd.DataFrame, *, anchors: Mapping[str, str] | None = None) -> str:
    """A short Markdown list for a sales director: which number is the training's effect, and
    each measure's verdict, linked to its headline.

    The first line says which number is the training's effect; then one bullet per
    measure with its verdict only. Each effect is shown in full once, in its headline
    (95% CI, n) and in :func:`display_table`; the bullet links to the headline
    (``#m-<name>``, ``anchors`` maps a measure to its headline name, default
    :data:`EFFECT_HEADLINES`) instead of repeating the numbers.

    Examples
    --------
    >>> t = pd.DataFrame({"measure": ["sales"], "label": ["Sales"], "kind": ["relative"],
    ...     "trained_factor": [1.5], "relative_effect": [0.15], "effect": [100.0],
    ...     "effect_ci_low": [50.0], "effect_ci_high": [150.0]})
    >>> print(attribution_summary(t).splitlines()[-1])
    - **Sales**: [the training's effect](#m-sales_effect_relative) is distinguishable from zero.
    """
    anchors = EFFECT_HEADLINES if anchors is None else anchors
    lines = [
        _(
            "The training's effect is the change of the trained reps net of seasonality and of what "
            "changed for the comparison group over the same months (difference in differences); "
            "the raw before/after change is not. Volumes grow by factors that multiply: the training's "
            "effect is the trained reps' growth factor divided by the comparison group's; rates are in "
            "percentage points and the effect is the difference of the two changes. Each effect is shown "
            "in full (95% CI, n) in its headline and in the table below; the list says which can be told "
            "from no effect."
        ),
        "",
    ]
    for __, r in table.iterrows():
        rel = r["kind"] == "relative"
        eff = r["relative_effect"] if rel else r["effect"]
        name = anchors.get(str(r["measure"]))
        if not math.isfinite(eff):
            lines.append(_(_SUMMARY_NOT_ESTIMABLE[bool(name)], measure=_(r["label"]), anchor=name))
            continue
        p_holm, k = float(r.get("effect_p_holm", math.nan)), int(r.get("holm_k", 0) or 0)
        holm_used = math.isfinite(p_holm) and k > 1
        sig = (p_holm < 0.05) if holm_used else (r["effect_ci_low"] > 0 or r["effect_ci_high"] < 0)
        lines.append(_(_SUMMARY_VERDICT[bool(name), bool(sig), holm_used], measure=_(r["label"]), anchor=name, k=k))
    return "\n".join(lines)


#: A measure's line in :func:`attribution_summary` when its effect cannot be estimated, by (linked).
_SUMMARY_NOT_ESTIMABLE = {
    True: N_("- **{measure}**: [the training's effect](#m-{anchor}) cannot be estimated yet."),
    False: N_("- **{measure}**: the training's effect cannot be estimated yet."),
}

#: A measure's line in :func:`attribution_summary`, by (linked, distinguishable from zero, Holm-adjusted).
_SUMMARY_VERDICT = {
    (True, True, True): N_(
        "- **{measure}**: [the training's effect](#m-{anchor}) is distinguishable from zero (Holm-adjusted for {k} "
        "tests)."
    ),
    (True, True, False): N_("- **{measure}**: [the training's effect](#m-{anchor}) is distinguishable from zero."),
    (True, False, True): N_(
        "- **{measure}**: [the training's effect](#m-{anchor}) is not distinguishable from zero (Holm-adjusted for "
        "{k} tests)."
    ),
    (True, False, False): N_("- **{measure}**: [the training's effect](#m-{anchor}) is not distinguishable from zero."),
    (False, True, True): N_(
        "- **{measure}**: the training's effect is distinguishable from zero (Holm-adjusted for {k} tests)."
    ),
    (False, True, False): N_("- **{measure}**: the training's effect is distinguishable from zero."),
    (False, False, True): N_(
        "- **{measure}**: the training's effect is not distinguishable from zero (Holm-adjusted for {k} tests)."
    ),
    (False, False, False): N_("- **{measure}**: the training's effect is not distinguishable from zero."),
}


# ----------------------------------------------------------------- reader-facing


#: How the columns of this chapter's tables read (``Chapter.table`` shows ``pretty_column(c)`` of each,
#: translated): the English display names, marked for the catalog.
_COLUMN_LABELS = {
    "measure": N_("Measure"),
    "label": N_("Label"),
    "segment": N_("Segment"),
    "training effect": N_("Training effect"),
    "q (BH)": N_("Q (BH)"),
    "verdict": N_("Verdict"),
    "warning": N_("Warning"),
    "group": N_("Group"),
    "people": N_("People"),
    "newly_top": N_("Newly top"),
    "top_after": N_("Top after"),
    "share_newly_top": N_("Share newly top"),
    "team": N_("Team"),
    "region": N_("Region"),
    "sales_before": N_("Sales before"),
    "sales_after": N_("Sales after"),
    "rank_before": N_("Rank before"),
    "rank_after": N_("Rank after"),
    "growth": N_("Growth"),
    "market_growth": N_("Market growth"),
    "growth_vs_market": N_("Growth vs market"),
    "rank_vs_market": N_("Rank vs market"),
}

#: Text cells of this chapter's tables (the groups of :func:`rep_rankings`, a target without an estimate).
_CELL_LABELS = {"trained": N_("trained"), "comparison": N_("comparison"), "other": N_("other")}


def _fmt_change(v: float, kind: str) -> str:
    if v is None or not math.isfinite(v):
        return "–"
    return f"{v:+.1%}" if kind == "relative" else f"{100 * v:+.1f} pp"


def _fmt_growth(factor: float) -> str:
    """A growth factor as a reader checks it: ``x1.664 (+66.4%)``."""
    if factor is None or not math.isfinite(factor):
        return "–"
    return f"x{factor:.3f} ({factor - 1:+.1%})"


def display_table(table: pd.DataFrame) -> pd.DataFrame:
    """The attribution table as the reader sees it: four columns side by side, formatted.

    Every row reconciles the way its last column says. Volume measures (``kind``
    relative) are growth factors from before to after, which multiply: the trained reps'
    factor = the comparison group's x the training's effect (x1.664 = x1.465 x x1.136),
    so the effect is the ratio of the two changes shown, not their difference; the
    seasonally adjusted change is the trained reps' change with the season divided out
    (market trend still in it). Shares are in percentage points and the effect is the
    difference in differences. Columns: ``Measure``, ``Before level (trained)``,
    ``What changed: trained reps``, ``... seasonally adjusted``, ``... comparison
    group``, ``Training's effect``, ``95% CI``, ``How they combine``, ``Trained reps``,
    ``Comparison reps``.

    Examples
    --------
    >>> t = pd.DataFrame({"label": ["Win rate"], "kind": ["absolute"], "unit": ["share"],
    ...     "before_treated": [0.35], "naive": [0.1], "adjusted": [0.09], "comparison": [0.02],
    ...     "effect": [0.08], "effect_ci_low": [0.01], "effect_ci_high": [0.15],
    ...     "n_treated": [20], "n_comparison": [22]})
    >>> display_table(t).iloc[0, 2:8].tolist()
    ['+10.0 pp', '+9.0 pp', '+2.0 pp', '+8.0 pp', '+1.0 pp to +15.0 pp', 'difference in differences']
    """
    rows = []
    for __, r in table.iterrows():
        k = r["kind"]
        if k == "relative":
            trained = _fmt_growth(r.get("trained_factor", math.nan))
            adjusted = _fmt_change(r.get("adjusted_relative", math.nan), k)
            comparison = _fmt_growth(r.get("comparison_factor", math.nan))
            effect = _fmt_growth(r.get("effect_factor", math.nan))
            lo, hi = r.get("relative_ci_low", math.nan), r.get("relative_ci_high", math.nan)
            ci = (
                "–"
                if not math.isfinite(lo)
                else _(
                    "{low_factor} to {high_factor} ({low} to {high})",
                    low_factor=_factor(1 + lo),
                    high_factor=_factor(1 + hi),
                    low=_fmt_change(lo, k),
                    high=_fmt_change(hi, k),
                )
            )
            combine = _("effect = trained / comparison")
        else:
            trained = _fmt_change(r["naive"], k)
            adjusted = _fmt_change(r["adjusted"], k)
            comparison = _fmt_change(r["comparison"], k)
            effect = _fmt_change(r["effect"], k)
            lo, hi = r["effect_ci_low"], r["effect_ci_high"]
            ci = "–" if not math.isfinite(lo) else _("{low} to {high}", low=_fmt_change(lo, k), high=_fmt_change(hi, k))
            combine = _("difference in differences")
        b = r["before_treated"]
        if not math.isfinite(b):
            before = "–"
        elif r["unit"] == "share":
            before = f"{b:.1%}"
        elif r["unit"].startswith("CNY"):
            before = f"{b:,.0f} CNY"
        else:
            before = f"{b:,.2f}"
        rows.append(
            {
                N_("Measure"): _(r["label"]),
                N_("Before level (trained)"): before,
                N_("What changed: trained reps"): trained,
                N_("... seasonally adjusted"): adjusted,
                N_("... comparison group"): comparison,
                N_("Training's effect"): effect,
                N_("95% CI"): ci,
                N_("How they combine"): combine,
                N_("Trained reps"): int(r["n_treated"]),
                N_("Comparison reps"): int(r["n_comparison"]),
            }
        )
    return pd.DataFrame(rows)


def parallel_trends_note(tests: pd.DataFrame) -> str:
    """Plain words on the parallel-trends check: which measures were tested, and what a pass means.

    A pass is "no evidence of diverging pre-trends", never a proof of parallel trends:
    with a few dozen reps the test has little power (Roth 2022).

    Examples
    --------
    >>> t = pd.DataFrame({"label": ["Sales"], "p_value": [0.4], "warning": [""]})
    >>> parallel_trends_note(t).startswith(
    ...     "Measures tested: Sales. No evidence of diverging pre-trends (this test has little power")
    True
    """
    untested = tests["warning"].str.startswith(_(_NOT_TESTED, reason=""))
    bad = tests[tests["warning"].ne("") & ~untested]
    tested = tests[~untested]
    untested = tests[untested]
    parts = [_("Measures tested: {measures}.", measures=_list(_(v) for v in tested["label"]))] if len(tested) else []
    if len(bad):
        parts.append(
            _(
                "**Warning ({measures}):** {warning} (joint test of the pre-training gaps in three bins, p = {p}).",
                measures=_list(_(v) for v in bad["label"]),
                warning=_(bad["warning"].iloc[0]),
                p=format(bad["p_value"].min(), ".3f"),
            )
        )
    elif len(tested):
        parts.append(
            _(
                "No evidence of diverging pre-trends (this test has little power: it can miss a drift as large as "
                "the training's effect). Joint test of the pre-training gaps, binned into three periods: smallest "
                "p = {p}.",
                p=format(tested["p_value"].min(), ".2f"),
            )
        )
    if len(untested):
        why = [_("{measure} ({reason})", measure=_(r.label), reason=r.warning) for r in untested.itertuples()]
        parts.append(_("Not tested: {measures}.", measures=_list(why, sep=";")))
    return join_sentences(*parts)


#: A parallel-trends test that could not run (its ``warning``).
_NOT_TESTED = N_("not tested: {reason}")


def _list(items, *, sep: str = ",") -> str:
    """Items joined as a list: ``a, b`` in English, ``a、b`` in Chinese (``sep=";"``: ``a; b``, ``a；b``).

    >>> _list(["a", "b"]), _list(["a", "b"], sep=";")
    ('a, b', 'a; b')
    """
    if language() == "zh":
        return ("、" if sep == "," else "；").join(items)
    return (sep + " ").join(items)


def newly_top_summary(reps: pd.DataFrame, *, top: int = 10) -> pd.DataFrame:
    """Count of people newly in the company's top ``top`` by group, from :func:`rep_rankings`.

    Columns: ``group``, ``people`` (ranked in that group), ``newly_top`` (entered the top),
    ``top_after`` (in the top after), ``share_newly_top`` (newly_top / people).

    Examples
    --------
    >>> r = pd.DataFrame({"group": ["trained", "trained", "other"],
    ...                   "newly_top": [True, False, False], "top_after": [True, False, True]})
    >>> newly_top_summary(r)[["group", "people", "newly_top"]].values.tolist()
    [['trained', 2, 1], ['comparison', 0, 0], ['other', 1, 0]]
    """
    rows = []
    for g in ("trained", "comparison", "other"):
        d = reps[reps["group"] == g]
        rows.append(
            {
                "group": g,
                "people": len(d),
                "newly_top": int(d["newly_top"].sum()),
                "top_after": int(d["top_after"].sum()),
                "share_newly_top": (d["newly_top"].mean() if len(d) else math.nan),
            }
        )
    return pd.DataFrame(rows)


def rankings_note(
    summary: pd.DataFrame, teams: pd.DataFrame, team: str, *, top: int = 10, cohort_size: int | None = None
) -> str:
    """Plain words on the rankings; says that ranks are not the training's effect.

    ``cohort_size`` (the cohort's people, as chapter 01 counts them): when the ranking
    holds fewer trainees (only people employed through both windows are ranked), the
    sentence says so, so that the page's two counts of trainees reconcile.
    """
    s = summary.set_index("group")
    t = teams.set_index("team").loc[team]
    ranked = int(s.loc["trained", "people"])
    fields = {
        "newly": int(s.loc["trained", "newly_top"]),
        "ranked": ranked,
        "cohort": cohort_size,
        "top": top,
        "comparison_newly": int(s.loc["comparison", "newly_top"]),
        "comparison_people": int(s.loc["comparison", "people"]),
        "rank_before": int(t["rank_before"]),
        "rank_after": int(t["rank_after"]),
        "teams": len(teams),
    }
    if cohort_size is not None and cohort_size != ranked:
        first = _(
            "{newly} of the {ranked} trainees ranked (of the cohort's {cohort}, those employed through both "
            "windows) entered the company's top {top} by sales per month (comparison reps: {comparison_newly} of "
            "{comparison_people}).",
            **fields,
        )
    else:
        first = _(
            "{newly} of the {ranked} trained reps ranked entered the company's top {top} by sales per month "
            "(comparison reps: {comparison_newly} of {comparison_people}).",
            **fields,
        )
    if "rank_vs_market" in t and pd.notna(t["rank_vs_market"]):
        second = _(
            "The team ranked {rank_before} of {teams} before and {rank_after} after; on growth net of its region's "
            "market index it ranks {rank_vs_market} of {teams}.",
            rank_vs_market=int(t["rank_vs_market"]),
            **fields,
        )
    else:
        second = _("The team ranked {rank_before} of {teams} before and {rank_after} after.", **fields)
    third = _(
        "Ranks move with everything that changed, not only with the training: the training's effect is the one in "
        "the attribution table."
    )
    return join_sentences(first, second, third)


def _p_is(p: float) -> str:
    """``= 0.026`` or ``< 0.001`` (display rules: never scientific notation).

    >>> _p_is(1.91e-05), _p_is(0.0261)
    ('< 0.001', '= 0.026')
    """
    text = format_p(p)
    return f"< {text[1:]}" if text.startswith("<") else f"= {text}"
