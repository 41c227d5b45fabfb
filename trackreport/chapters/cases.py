"""Chapter 14, benchmark cases: the people whose attributed improvement stands out.

Regression to the mean is the trap: the person with the largest raw jump in sales is
mostly the one whose months were noisiest, and will look worse next quarter. Each
trained person's improvement is estimated as a difference in differences (their change
of sales per month, after − before, minus the comparison group's mean change), then
shrunk towards the cohort mean by empirical Bayes
(:func:`trackreport.stats.shrinkage.eb_shrink`): a noisy jump is pulled in hard, a
steady one barely. People are selected on the shrunk estimate by the rule of
:func:`select_cases` (parameters ``cases.*``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from trackreport.chapters.sales import measure_panel
from trackreport.data.privacy import person_labels
from trackreport.i18n import N_
from trackreport.stats.shrinkage import eb_shrink

if TYPE_CHECKING:  # pragma: no cover
    from trackreport.report.notebook import Chapter

__all__ = ["person_effects", "select_cases", "people_cases", "COLUMNS"]

#: The chapter's table headers as a reader sees them (``pretty_column`` of each column
#: name): marked for translation, translated by ``Chapter.table`` where shown.
COLUMNS: dict[str, str] = {
    "person": N_("Person"),
    "before": N_("Before"),
    "after": N_("After"),
    "raw_change": N_("Raw change"),
    "comparison_change": N_("Comparison change"),
    "effect": N_("Effect"),
    "months_before": N_("Months before"),
    "months_after": N_("Months after"),
    "comparison_n": N_("Comparison n"),
    "shrinkage": N_("Shrinkage"),
    "posterior": N_("Posterior"),
    "raw_rank": N_("Raw rank"),
    "shrunk_rank": N_("Shrunk rank"),
    "selected": N_("Selected"),
}


def person_effects(panel: pd.DataFrame, treated: set[str], windows, *, measure: str = "sales") -> pd.DataFrame:
    """Each treated person's difference in differences with its sampling variance.

    effect_i = (mean after_i − mean before_i) − mean over comparison people of their
    (after − before); variance = s²_after,i/n_after,i + s²_before,i/n_before,i +
    Var(comparison mean change) (months taken as independent). ``months_before``,
    ``months_after`` and ``comparison_n`` (comparison people) are what it rests on.

    Examples
    --------
    >>> m = pd.to_datetime(["2025-01-01", "2025-02-01", "2025-07-01", "2025-08-01"] * 2)
    >>> p = pd.DataFrame({"employee_id": ["a"] * 4 + ["c"] * 4, "month": m,
    ...                   "sales": [10.0, 12, 20, 22, 10, 12, 11, 13]})
    >>> from types import SimpleNamespace as NS
    >>> w = NS(before=(pd.Timestamp("2025-01-01"), pd.Timestamp("2025-03-31")),
    ...        after=(pd.Timestamp("2025-07-01"), pd.Timestamp("2025-09-30")))
    >>> person_effects(p, {"a"}, w)[["employee_id", "raw_change", "effect"]].values.tolist()
    [['a', 10.0, 9.0]]
    """
    p = panel.assign(
        window=np.where(
            panel["month"] <= windows.before[1], "before", np.where(panel["month"] >= windows.after[0], "after", "")
        )
    )
    p = p.loc[(p["window"] != "").to_numpy()]
    g = p.groupby(["employee_id", "window"])[measure].agg(["mean", "var", "count"]).unstack("window")
    g = g.dropna(subset=[("mean", "before"), ("mean", "after")])
    change = g[("mean", "after")] - g[("mean", "before")]
    var = (
        g[("var", "after")].fillna(0) / g[("count", "after")] + g[("var", "before")].fillna(0) / g[("count", "before")]
    )
    is_t = change.index.isin(list(treated))
    comp = change[~is_t]
    base = float(comp.mean()) if len(comp) else 0.0
    base_var = float(comp.var() / len(comp)) if len(comp) >= 2 else 0.0
    out = pd.DataFrame(
        {
            "employee_id": change.index[is_t],
            "before": g[("mean", "before")][is_t].to_numpy(),
            "after": g[("mean", "after")][is_t].to_numpy(),
            "raw_change": change[is_t].to_numpy(),
            "comparison_change": base,
            "effect": change[is_t].to_numpy() - base,
            "variance": var[is_t].to_numpy() + base_var,
            "months_before": g[("count", "before")][is_t].astype(int).to_numpy(),
            "months_after": g[("count", "after")][is_t].astype(int).to_numpy(),
            "comparison_n": int(len(comp)),
        }
    )
    return out.reset_index(drop=True)


def select_cases(effects: pd.DataFrame, *, k: int = 3, min_low: float = 0.0) -> pd.DataFrame:
    """Shrink the effects (empirical Bayes) and select the benchmark cases.

    The rule: rank by the shrunk (posterior) effect; select at most ``k`` people whose
    shrunk 95% interval lies wholly above ``min_low``. Returns every person with
    ``posterior``, ``ci_low``, ``ci_high``, ``shrinkage``, ``raw_rank``, ``shrunk_rank``
    and ``selected``.

    Examples
    --------
    >>> e = pd.DataFrame({"employee_id": list("abcdef"), "effect": [30.0, 10, 9, 8, 1, 0],
    ...                   "variance": [400.0, 1, 1, 1, 1, 1]})
    >>> select_cases(e, k=1)[["employee_id", "selected"]].head(2).values.tolist()
    [['a', False], ['b', True]]
    """
    s = eb_shrink(effects["effect"], effects["variance"])
    out = effects.reset_index(drop=True).copy()
    for c in ("shrinkage", "posterior", "ci_low", "ci_high"):
        out[c] = s[c].to_numpy()
    out["raw_rank"] = out["effect"].rank(ascending=False, method="first").astype("Int64")
    out["shrunk_rank"] = out["posterior"].rank(ascending=False, method="first").astype("Int64")
    out = out.sort_values(["posterior", "employee_id"], ascending=[False, True], ignore_index=True)
    eligible = (out["ci_low"] > min_low).to_numpy()
    out["selected"] = eligible & (np.cumsum(eligible) <= k)
    return out


def cohort_effects(data: Mapping[str, pd.DataFrame], members: pd.DataFrame, comparison: pd.DataFrame, windows):
    """Person-level effects on sales per month for the cohort against its comparison group."""
    ids = set(members["employee_id"]) | set(comparison["employee_id"])
    emp = data["employees"]
    emp = emp.loc[emp["employee_id"].isin(ids).to_numpy()]
    panel = measure_panel(data, start=windows.before[0], end=windows.after[1], employees=emp)
    return person_effects(panel, set(members["employee_id"]), windows)


def people_cases(ch: Chapter) -> pd.DataFrame:
    """The selection for the notebook, people shown by pseudonym unless ``show_names``."""
    eff = cohort_effects(ch.data, ch.members, ch.comparison, ch.windows)
    sel = select_cases(eff, k=ch.params.cases.people, min_low=ch.params.cases.min_posterior_low)
    names = dict(zip(ch.data["employees"]["employee_id"], ch.data["employees"]["display_name"].astype(str)))
    sel.insert(
        0, "person", person_labels(sel["employee_id"], sel["employee_id"].map(names), show_names=ch.params.show_names)
    )
    return sel
