"""The analyst's explorer: ipywidgets over the functions the reports call (``notebooks/explore.ipynb``).

Not a chapter: the runner discovers chapters as ``NN_name.ipynb``
(:func:`trackreport.report.catalog.discover_chapters`), so ``explore.ipynb`` is never
executed in a batch run and never reaches a stakeholder's HTML.

Two layers, so that what the analyst sees interactively is what the batch report shows
for the same settings:

- **functions** (:func:`attribution_view`, :func:`sensitivity`, :func:`roi_what_if`)
  compute, by calling the chapters' own functions (:mod:`trackreport.chapters.sales`,
  :mod:`trackreport.chapters.costs`, :mod:`trackreport.stats.roi`); with the report's
  settings they give the report's numbers;
- **widgets** (:class:`Explorer`) compute nothing: each callback reads the widgets'
  values, calls one of the functions and shows its result (HTML and PNG widgets, whose
  values a test can read without a browser).
"""

from __future__ import annotations

import html
import io
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd

from trackreport.chapters import costs, sales
from trackreport.data.cohort import Windows, cohort_members, cohort_quarters, comparison_members, teams
from trackreport.report.notebook import Chapter, format_value, open_dataset, pretty_column
from trackreport.report.params import resolve
from trackreport.stats.disclosure import suppress_table
from trackreport.stats.estimate import Estimate
from trackreport.stats.roi import bcr, monetary_benefit, roi, training_benefit

__all__ = [
    "COMPARISON_RULES",
    "REPORT_RULE",
    "AttributionView",
    "Explorer",
    "attribution_view",
    "explorer_chapter",
    "roi_what_if",
    "sensitivity",
]

COMPARISON_RULES: dict[str, str] = {
    "not_yet": "never trained, or trained only after the after-window",
    "never": "never trained only",
}
"""Comparison-group rules: the report's (:func:`trackreport.data.cohort.comparison_members`) and a stricter one."""
REPORT_RULE = "not_yet"
"""The rule the reports use."""
REPORT_MARK = " (report)"
"""Appended to the label of a setting that is the report's own choice."""


def explorer_chapter(
    data: Any, team: str, quarter: str, *, before_months: int | None = None, after_months: int | None = None
) -> Chapter:
    """A :class:`~trackreport.report.notebook.Chapter` of one report over an already loaded dataset.

    The report's parameters (``params/``), with the window lengths replaced when given;
    cohort and comparison group as :func:`~trackreport.report.notebook.open_chapter`
    finds them.
    """
    overrides = {}
    if before_months is not None:
        overrides["windows.before_months"] = int(before_months)
    if after_months is not None:
        overrides["windows.after_months"] = int(after_months)
    params = resolve(team, quarter, overrides=overrides or None)
    bm, am = params.windows.before_months, params.windows.after_months
    return Chapter(
        "explore",
        params,
        data,
        Windows.from_params(params.quarter, params),
        cohort_members(data, team, quarter),
        comparison_members(data, team, quarter, before_months=bm, after_months=am),
    )


def _attribution(ch: Chapter, comparison: str) -> pd.DataFrame:
    """Chapter 06's :func:`~trackreport.chapters.sales.sales_attribution` under a comparison rule."""
    if comparison not in COMPARISON_RULES:
        raise ValueError(f"comparison must be one of {', '.join(COMPARISON_RULES)}, got {comparison!r}")
    p = ch.params
    if comparison == REPORT_RULE:
        return sales.sales_attribution(ch.data, p.team, p.quarter, p)
    bm, am = p.windows.before_months, p.windows.after_months
    panel = sales.cohort_panel(ch.data, p.team, p.quarter, before_months=bm, after_months=am)
    ever = set(ch.data["enrollments"]["employee_id"])
    drop = ~panel["treated"].to_numpy(dtype=bool) & panel["employee_id"].isin(ever).to_numpy(dtype=bool)
    return sales.sales_attribution(ch.data, p.team, p.quarter, p, panel=panel.loc[~drop].reset_index(drop=True))


@dataclass
class AttributionView:
    """What the explorer shows for one team, quarter, measure and setting."""

    table: pd.DataFrame
    """:func:`~trackreport.chapters.sales.sales_attribution` (every measure)."""
    shown: pd.DataFrame
    """The report's display table with groups below ``min_group_size`` suppressed."""
    estimate: Estimate
    """The picked measure's effect (:func:`~trackreport.chapters.sales.effect_estimate`)."""
    suppressed: bool
    """The effect rests on a group smaller than ``min_group_size`` and is not shown."""
    event_study: pd.DataFrame
    """:func:`~trackreport.chapters.sales.parallel_trends` coefficients of the measure."""
    pretrend: pd.DataFrame


def attribution_view(
    ch: Chapter, *, measure: str = "sales", comparison: str = REPORT_RULE, min_group_size: int | None = None
) -> AttributionView:
    """Chapter 06's attribution, effect and event study for one measure under one setting.

    With the report's settings (``comparison="not_yet"``, the report's windows and
    ``min_group_size``) the table and the effect are the report's (``metrics.json``).

    Examples
    --------
    >>> from trackreport.data.sample import generate
    >>> ch = explorer_chapter(generate(seed=1, scale=0.3), "east", "2025Q3")
    >>> v = attribution_view(ch, measure="sales", min_group_size=1)
    >>> v.estimate.n == int(v.table.set_index("measure").loc["sales", "n"]), v.suppressed
    (True, False)
    """
    if measure not in sales.MEASURES:
        raise ValueError(f"measure must be one of {', '.join(sales.MEASURES)}, got {measure!r}")
    min_n = ch.params.min_group_size if min_group_size is None else int(min_group_size)
    table = _attribution(ch, comparison)
    shown, _ = suppress_table(sales.display_table(table), n_cols=["Trained reps", "Comparison reps"], min_size=min_n)
    row = table.set_index("measure").loc[measure]
    est = sales.effect_estimate(table, measure)
    gaps, pretrend = sales.parallel_trends(ch, measures=(measure,))
    return AttributionView(
        table=table,
        shown=shown,
        estimate=est,
        suppressed=min(int(row["n_treated"]), int(row["n_comparison"])) < min_n,
        event_study=gaps,
        pretrend=pretrend,
    )


def sensitivity(
    data: Any,
    team: str,
    quarter: str,
    *,
    measure: str = "sales",
    windows: tuple[tuple[int, int], ...] = (),
    comparisons: tuple[str, ...] = tuple(COMPARISON_RULES),
    min_group_size: int | None = None,
) -> pd.DataFrame:
    """The training effect on ``measure`` under each window length and comparison rule.

    One row per (before, after) window in ``windows`` (the report's own windows are always
    included) and rule in ``comparisons``: ``before_months``, ``after_months``,
    ``comparison``, ``effect``, ``ci_low``, ``ci_high`` (relative effect for volumes,
    points for shares, as in the report), ``n_treated``, ``n_comparison``,
    ``report_choice`` (the report's own setting) and ``shown`` (both groups have at least
    ``min_group_size`` people; else the effect is NaN, as the report would hide it).
    """
    base = resolve(team, quarter)
    min_n = base.min_group_size if min_group_size is None else int(min_group_size)
    report_w = (base.windows.before_months, base.windows.after_months)
    rows = []
    for bm, am in dict.fromkeys((report_w, *((int(b), int(a)) for b, a in windows))):
        ch = explorer_chapter(data, team, quarter, before_months=bm, after_months=am)
        for rule in comparisons:
            table = _attribution(ch, rule)
            row = table.set_index("measure").loc[measure]
            est = sales.effect_estimate(table, measure)
            shown = min(int(row["n_treated"]), int(row["n_comparison"])) >= min_n
            rows.append(
                {
                    "before_months": bm,
                    "after_months": am,
                    "comparison": COMPARISON_RULES[rule] + (REPORT_MARK if rule == REPORT_RULE else ""),
                    "effect": est.value if shown else math.nan,
                    "ci_low": est.ci_low if shown else math.nan,
                    "ci_high": est.ci_high if shown else math.nan,
                    "n_treated": int(row["n_treated"]),
                    "n_comparison": int(row["n_comparison"]),
                    "report_choice": (bm, am) == report_w and rule == REPORT_RULE,
                    "shown": shown,
                }
            )
    return pd.DataFrame(rows)


def roi_what_if(
    effect: Estimate,
    *,
    trained: int,
    months: int,
    margin: float,
    cost_items: Mapping[str, float],
    isolation: float = 1.0,
    confidence: float = 1.0,
) -> dict[str, Estimate | float]:
    """Benefit, cost, ROI and BCR of a sales effect under what-if assumptions, with 95% intervals.

    Chapter 10's arithmetic (:func:`trackreport.chapters.costs.roi_estimate`): revenue
    ``effect x months x trained`` (:func:`~trackreport.stats.roi.training_benefit`),
    converted to money at ``margin x isolation x confidence``
    (:func:`~trackreport.stats.roi.monetary_benefit`, Phillips 2003 ch. 5-6), against the
    sum of ``cost_items``; ROI = (B - C) / C and BCR = B / C (Phillips 2003, ch. 8). An
    effect that could not be estimated counts no benefit.

    Examples
    --------
    >>> r = roi_what_if(Estimate(1000.0, 500.0, 1500.0, n=40), trained=10, months=12, margin=0.3,
    ...                 cost_items={"venue": 20_000.0, "trainer_fee": 16_000.0})
    >>> r["benefit"].value, r["cost"], round(r["roi"].value, 2), round(r["bcr"].ci_low, 2)
    (36000.0, 36000.0, 0.0, 0.5)
    """
    cost = float(sum(float(v) for v in cost_items.values()))
    if not math.isfinite(effect.value):
        b = Estimate(0.0, 0.0, 0.0, n=effect.n, method="no attributed effect: no benefit counted")
    else:
        revenue = training_benefit(0.0, effect, duration=months, trained=trained, cost=0.0)
        b = monetary_benefit(revenue, margin=margin, isolation=isolation, confidence=confidence)
    return {"benefit": b, "cost": cost, "roi": roi(b, cost), "bcr": bcr(b, cost)}


def report_roi_inputs(ch: Chapter) -> dict[str, Any]:
    """The ROI what-if's inputs as the report sets them (chapter 10), for the widgets' defaults."""
    cb = ch.params.cost_benefit
    items = costs.cost_table(ch)
    items = items.iloc[:-1]  # the last row is the total
    return {
        "effect": costs.sales_effect(ch),
        "trained": costs.trained_remaining(ch),
        "months": min(cb.horizon_months, 12) if cb.first_year_only else cb.horizon_months,
        "margin": cb.margin,
        "cost_items": dict(zip(items["category"], items["total"].astype(float))),
        "isolation": 1.0,
        "confidence": 1.0,
    }


# ------------------------------------------------------------------ display (no computation)


def estimate_html(label: str, est: Estimate | float, unit: str, *, suppressed: bool = False) -> str:
    """One figure as the report's headline shows it: value, 95% CI, n."""
    if suppressed:
        return f"<p><b>{html.escape(label)}</b>: not shown (a group below the minimum size; privacy)</p>"
    if not isinstance(est, Estimate):
        return f"<p><b>{html.escape(label)}</b>: {format_value(float(est), unit)}</p>"
    text = f"<b>{html.escape(label)}</b>: {format_value(est.value, unit)}"
    if not math.isnan(est.ci_low):
        text += f" (95% CI {format_value(est.ci_low, unit)} to {format_value(est.ci_high, unit)})"
    return f"<p>{text}, n = {est.n:,}</p>"


def table_html(df: pd.DataFrame, *, caption: str = "") -> str:
    """A table as HTML, headers as the report words them."""
    shown = df.rename(columns=pretty_column)
    styler = shown.style.hide(axis="index").format(precision=3, thousands=",", na_rep="–", escape="html")
    styler = styler.set_uuid("explore")  # the same table, the same HTML
    if caption:
        styler = styler.set_caption(html.escape(caption))
    return styler.to_html()


def figure_png(fig: Any) -> bytes:
    """A matplotlib figure as PNG bytes (closed afterwards)."""
    import matplotlib.pyplot as plt

    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=96, bbox_inches="tight")
    plt.close(fig)
    return buf.getvalue()


class Explorer:
    """The widgets of ``notebooks/explore.ipynb``: pickers, sensitivity and ROI what-if.

    ``Explorer(data)`` builds the widgets at the report's defaults for the first team's
    latest cohort; :attr:`widget` is the box to display. Every control's callback calls
    :meth:`refresh`, which calls the module's functions and writes their results into
    HTML and image widgets; :attr:`last` keeps the results shown.
    """

    def __init__(self, data: Any = None, *, team: str | None = None, quarter: str | None = None):
        import ipywidgets as w

        self.data = open_dataset() if data is None else data
        all_teams = teams(self.data)
        team = team or all_teams[0]
        self.last: dict[str, Any] = {}
        self.team = w.Dropdown(options=all_teams, value=team, description="Team")
        quarters = cohort_quarters(self.data, team)
        self.quarter = w.Dropdown(options=quarters, value=quarter or quarters[-1], description="Quarter")
        self.measure = w.Dropdown(
            options=[(m.label, k) for k, m in sales.MEASURES.items()], value="sales", description="Measure"
        )
        p = resolve(team, self.quarter.value)
        self.before = w.IntSlider(p.windows.before_months, min=1, max=12, description="Months before")
        self.after = w.IntSlider(p.windows.after_months, min=1, max=12, description="Months after")
        self.min_group = w.IntSlider(p.min_group_size, min=1, max=100, description="Min. group")
        self.comparison = w.Dropdown(
            options=[(text + (REPORT_MARK if k == REPORT_RULE else ""), k) for k, text in COMPARISON_RULES.items()],
            value=REPORT_RULE,
            description="Comparison",
        )
        self.margin = w.FloatSlider(p.cost_benefit.margin, min=0, max=1, step=0.01, description="Margin")
        self.months = w.IntSlider(12, min=1, max=60, description="Effect months")
        self.isolation = w.FloatSlider(1.0, min=0, max=1, step=0.05, description="Isolation")
        self.confidence = w.FloatSlider(1.0, min=0, max=1, step=0.05, description="Confidence")
        self.cost_box = w.VBox()
        self.cost_items: dict[str, Any] = {}
        self.headline = w.HTML()
        self.table = w.HTML()
        self.chart = w.Image(format="png")
        self.event_chart = w.Image(format="png")
        self.sensitivity_table = w.HTML()
        self.roi_html = w.HTML()
        self._quiet = False
        self._roi_inputs: dict[str, Any] = {}
        for control in (self.team, self.quarter):
            control.observe(self._on_report, names="value")
        for control in (self.measure, self.before, self.after, self.min_group, self.comparison):
            control.observe(lambda _change: self.refresh_attribution(), names="value")
        for control in (self.margin, self.months, self.isolation, self.confidence):
            control.observe(lambda _change: self.refresh_roi(), names="value")
        self._reset_to_report()
        self.widget = w.VBox(
            [
                w.HTML("<h2>Team, quarter and measure</h2>"),
                w.HBox([self.team, self.quarter, self.measure]),
                self.headline,
                self.chart,
                self.table,
                self.event_chart,
                w.HTML("<h2>Sensitivity (the report's own choice marked)</h2>"),
                w.HBox([self.before, self.after]),
                w.HBox([self.min_group, self.comparison]),
                self.sensitivity_table,
                w.HTML("<h2>ROI what-if</h2>"),
                w.HBox([self.margin, self.months]),
                w.HBox([self.isolation, self.confidence]),
                self.cost_box,
                self.roi_html,
            ]
        )

    # --------------------------------------------------------------- callbacks
    def _on_report(self, change: Mapping[str, Any]) -> None:
        if self._quiet:
            return
        if change["owner"] is self.team:
            self._quiet = True
            quarters = cohort_quarters(self.data, self.team.value)
            self.quarter.options = quarters
            self.quarter.value = quarters[-1]
            self._quiet = False
        self._reset_to_report()

    def _reset_to_report(self) -> None:
        """Set every control to the report's own setting for the picked team and quarter, and redraw."""
        import ipywidgets as w

        self._quiet = True
        ch = explorer_chapter(self.data, self.team.value, self.quarter.value)
        p = ch.params
        self.before.value, self.after.value = p.windows.before_months, p.windows.after_months
        self.min_group.value, self.comparison.value = p.min_group_size, REPORT_RULE
        inputs = self._roi_inputs = report_roi_inputs(ch)
        self.margin.value, self.months.value = inputs["margin"], inputs["months"]
        self.isolation.value, self.confidence.value = inputs["isolation"], inputs["confidence"]
        self.cost_items = {
            name: w.FloatText(amount, description=name[:20]) for name, amount in inputs["cost_items"].items()
        }
        for box in self.cost_items.values():
            box.observe(lambda _change: self.refresh_roi(), names="value")
        self.cost_box.children = [w.HTML("<b>Cost items (CNY)</b>"), *self.cost_items.values()]
        self._quiet = False
        self.refresh()

    def set(self, **values: Any) -> None:
        """Set several controls (by attribute name, e.g. ``before=2, margin=0.4``) and redraw once.

        Cost items are set by their category: ``cost_items={"Venue": 10_000.0}``.
        """
        self._quiet = True
        try:
            for name, value in values.items():
                if name == "cost_items":
                    for item, amount in value.items():
                        self.cost_items[item].value = amount
                else:
                    getattr(self, name).value = value
        finally:
            self._quiet = False
        self.refresh()

    def refresh(self) -> None:
        self.refresh_attribution()
        self.refresh_roi()

    def refresh_attribution(self) -> None:
        """Redraw the effect, table, charts and the sensitivity table from the controls' values."""
        if self._quiet:
            return
        from trackreport.plots import results as charts

        ch = explorer_chapter(
            self.data,
            self.team.value,
            self.quarter.value,
            before_months=self.before.value,
            after_months=self.after.value,
        )
        view = attribution_view(
            ch, measure=self.measure.value, comparison=self.comparison.value, min_group_size=self.min_group.value
        )
        m = sales.MEASURES[self.measure.value]
        unit = "relative" if m.kind == "relative" else "pp"
        self.headline.value = estimate_html(
            f"Training effect on {m.label}", view.estimate, unit, suppressed=view.suppressed
        )
        self.table.value = table_html(view.shown, caption="What changed and what the training changed")
        title = f"{ch.params.team}, cohort {ch.params.quarter}: what changed vs. what the training changed"
        self.chart.value = figure_png(charts.change_decomposition(view.table, title=title))
        self.event_chart.value = figure_png(
            charts.event_study_chart(
                view.event_study,
                measure=self.measure.value,
                title=f"{m.label}: gap, trained minus comparison reps, by month",
                ylabel="Gap",
            )
        )
        grid = sensitivity(
            self.data,
            self.team.value,
            self.quarter.value,
            measure=self.measure.value,
            windows=((self.before.value, self.after.value),),
            min_group_size=self.min_group.value,
        )
        self.sensitivity_table.value = table_html(grid, caption=f"Training effect on {m.label} by setting")
        self.last.update(view=view, sensitivity=grid)

    def refresh_roi(self) -> None:
        """Recompute the ROI what-if from the controls' values."""
        if self._quiet:
            return
        inputs = self._roi_inputs  # the report's effect and trainees (chapter 10), read at the last reset
        figures = roi_what_if(
            inputs["effect"],
            trained=inputs["trained"],
            months=self.months.value,
            margin=self.margin.value,
            isolation=self.isolation.value,
            confidence=self.confidence.value,
            cost_items={name: box.value for name, box in self.cost_items.items()},
        )
        self.roi_html.value = "".join(
            [
                estimate_html("Monetary benefit", figures["benefit"], "CNY"),
                estimate_html("Fully loaded cost", figures["cost"], "CNY"),
                estimate_html("ROI", figures["roi"], "share"),
                estimate_html("Benefit-cost ratio", figures["bcr"], ""),
            ]
        )
        self.last["roi"] = figures
