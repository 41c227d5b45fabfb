"""Attribution: what the training changed in sales once seasonality and trend are out.

Estimators only (pure functions, tidy frames in, :class:`~trackreport.stats.estimate.Estimate`
or tidy frames out). Panels are built in :mod:`trackreport.stats.results`.

The chain chapter 06 shows, from naive to credible:

1. :func:`before_after` -- the trained group's change from before to after the training.
   Contains seasonality, market trend and the training effect.
2. Seasonally adjusted change (:func:`seasonal_factors` for volumes,
   :func:`seasonal_effects` for shares, :func:`deseasonalize`,
   :func:`seasonally_adjusted_change`) -- seasonality taken out, trend still in.
3. The comparison group's change (:func:`before_after` on untrained units) -- what
   happened anyway: seasonality plus trend.
4. Difference in differences (:func:`did`) -- 1 minus 3, by two-way fixed effects with
   standard errors clustered by unit. :func:`attribution_table` puts the four side by side.

:func:`event_study` and :func:`pretrend_test` check the parallel-trends assumption that
DiD rests on; :func:`stack_cohort` builds a clean treated-versus-comparison panel for one
cohort of a staggered roll-out.

References
----------
Angrist, J. D. & Pischke, J.-S. (2009). *Mostly Harmless Econometrics*, ch. 5.
Cameron, A. C. & Miller, D. L. (2015). A practitioner's guide to cluster-robust
inference. *Journal of Human Resources* 50(2), 317-372.
Goodman-Bacon, A. (2021). Difference-in-differences with variation in treatment timing.
*Journal of Econometrics* 225(2), 254-277.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from trackreport.errors import TrackreportError
from trackreport.stats.estimate import Estimate

__all__ = [
    "PanelError",
    "DidFit",
    "did",
    "did_fit",
    "minimum_detectable_effect",
    "PoissonDidFit",
    "did_poisson",
    "event_study",
    "pretrend_test",
    "pretrend_warning",
    "PRETREND_BINS",
    "seasonal_factors",
    "seasonal_effects",
    "deseasonalize",
    "seasonally_adjusted_change",
    "before_after",
    "attribution_table",
    "stack_cohort",
    "PRETREND_WARNING",
]

PRETREND_WARNING = (
    "The trained and comparison groups already moved apart before the training, "
    "so the comparison group is not a reliable picture of what would have happened "
    "without it; read the estimated effect with caution."
)


class PanelError(TrackreportError, ValueError):
    """A panel cannot support the estimate asked for (missing columns, no treated or
    comparison units, no pre or post period, too short a series, ...)."""


# --------------------------------------------------------------------------- helpers


def _require_columns(df: pd.DataFrame, columns: Sequence[str]) -> None:
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise PanelError(
            f"panel lacks column(s) {', '.join(map(repr, missing))}; it has {', '.join(map(str, df.columns))}"
        )


def _bool_column(df: pd.DataFrame, name: str) -> np.ndarray:
    col = df[name]
    if col.isna().any():
        raise PanelError(f"column {name!r} has missing values; it must be true/false")
    if not (pd.api.types.is_bool_dtype(col) or set(pd.unique(col)) <= {0, 1}):
        raise PanelError(f"column {name!r} must be boolean (true/false)")
    return col.to_numpy(dtype=bool)


def _demean(a: np.ndarray, codes: np.ndarray, n_groups: int, w: np.ndarray | None = None) -> np.ndarray:
    """Subtract group means (the within transformation) from each column of ``a``.

    With row weights ``w`` the means are weighted (the within transformation of WLS).
    """
    w = np.ones(len(codes)) if w is None else w
    counts = np.bincount(codes, weights=w, minlength=n_groups).astype(float)
    out = np.empty_like(a, dtype=float)
    for j in range(a.shape[1]):
        means = np.bincount(codes, weights=w * a[:, j], minlength=n_groups) / counts
        out[:, j] = a[:, j] - means[codes]
    return out


@dataclass(frozen=True)
class _FeFit:
    params: np.ndarray
    cov: np.ndarray
    df: int
    nobs: int
    n_units: int


def _fe_ols(
    y: np.ndarray, x: np.ndarray, unit_codes: np.ndarray, period_codes: np.ndarray, w: np.ndarray | None = None
) -> _FeFit:
    """OLS (WLS with row weights ``w``) of y on x with unit and period fixed effects; CR1
    covariance clustered by unit.

    With weights, the within transformation subtracts weighted unit means, the fit
    minimises ``sum w * e**2`` and a cluster's score is ``sum w * x * e`` (statsmodels'
    WLS sandwich on the whitened rows); the small-sample factor is unchanged.

    Unit effects are absorbed by the within transformation; period effects enter as
    (demeaned) dummies, which is exact for unbalanced panels too (Frisch-Waugh-Lovell).
    The fit is done by statsmodels (``cov_type="cluster"``, ``use_correction=True``,
    ``use_t=True``); its small-sample factor ``G/(G-1) * (N-1)/(N-K)`` counts only the
    K columns of the demeaned regression (the regressors and T-1 period dummies). The
    unit effects are nested in the clusters and are not counted: the convention of
    fixest (``ssc(fixef.K = "nested")``), reghdfe and Stata's ``xtreg, fe vce(cluster)``
    (Cameron & Miller 2015, VI.B: counting them over-corrects, as each unit effect is
    absorbed within its own cluster). The result equals pyfixest's
    ``feols(..., vcov={"CRV1": unit})`` (tested to 1e-8).
    """
    n_units = int(unit_codes.max()) + 1
    n_periods = int(period_codes.max()) + 1
    period_dummies = np.zeros((len(y), max(n_periods - 1, 0)))
    rows = np.flatnonzero(period_codes > 0)
    period_dummies[rows, period_codes[rows] - 1] = 1.0
    design = np.column_stack([x, period_dummies])
    w = np.ones(len(y)) if w is None else np.asarray(w, dtype=float)
    yw = _demean(y.reshape(-1, 1), unit_codes, n_units, w)[:, 0]
    xw = _demean(design, unit_codes, n_units, w)
    nobs, k_within = xw.shape
    if nobs - k_within - n_units <= 0:
        raise PanelError("too few observations for unit and period fixed effects")
    bread = np.linalg.pinv(xw.T @ (xw * w[:, None]))
    params = bread @ (xw.T @ (w * yw))
    resid = yw - xw @ params
    scores = np.column_stack(
        [np.bincount(unit_codes, weights=w * xw[:, j] * resid, minlength=n_units) for j in range(k_within)]
    )
    factor = n_units / (n_units - 1) * (nobs - 1) / (nobs - k_within - 1)
    k = x.shape[1]
    cov = (bread @ (scores.T @ scores) @ bread * factor)[:k, :k]
    return _FeFit(params[:k], cov, n_units - 1, nobs, n_units)


def _codes(values: pd.Series) -> np.ndarray:
    return pd.factorize(values, sort=True)[0]


def _check_panel(
    panel: pd.DataFrame,
    *,
    outcome: str,
    unit: str,
    period: str,
    treated: str,
    post: str | None,
) -> pd.DataFrame:
    """Validate a unit x period panel; return it without rows missing the outcome."""
    cols = [outcome, unit, period, treated] + ([post] if post else [])
    _require_columns(panel, cols)
    df = panel.loc[panel[outcome].notna(), cols]
    if df.empty:
        raise PanelError(f"no rows with a value of {outcome!r}")
    if df.duplicated([unit, period]).any():
        raise PanelError(f"panel has more than one row for some ({unit}, {period}) pairs")
    tr = _bool_column(df, treated)
    if (df.assign(_t=tr).groupby(unit)["_t"].nunique() > 1).any():
        raise PanelError(f"{treated!r} must be constant within each {unit}")
    if not tr.any():
        raise PanelError(f"no treated units: {treated!r} is false everywhere")
    if tr.all():
        raise PanelError(f"no comparison units: {treated!r} is true everywhere")
    if post:
        ps = _bool_column(df, post)
        if ps.all():
            raise PanelError(f"no pre-training periods: {post!r} is true everywhere")
        if not ps.any():
            raise PanelError(f"no post-training periods: {post!r} is false everywhere")
        for label, grp in (("treated", tr), ("comparison", ~tr)):
            if not ps[grp].any():
                raise PanelError(f"{label} units have no post-training rows")
            if ps[grp].all():
                raise PanelError(f"{label} units have no pre-training rows")
    return df


def _t_interval(value: float, se: float, df: float, alpha: float) -> tuple[float, float, float]:
    """(ci_low, ci_high, p_value) of a t interval; NaN where se or df do not allow one."""
    if not (se > 0 and df >= 1 and math.isfinite(se)):
        return math.nan, math.nan, math.nan
    q = float(stats.t.ppf(1 - alpha / 2, df))
    p = float(2 * stats.t.sf(abs(value / se), df))
    return value - q * se, value + q * se, p


# ------------------------------------------------------------------------------ DiD


@dataclass(frozen=True)
class DidFit:
    """Difference in differences with its bookkeeping.

    ``estimate`` is what :func:`did` returns; ``se`` the clustered standard error;
    ``df`` the degrees of freedom of the t distribution (clusters - 1); ``nobs`` the
    unit-period rows used; ``n_treated``/``n_comparison`` the units in each group.
    """

    estimate: Estimate
    se: float
    df: int
    nobs: int
    n_treated: int
    n_comparison: int


def did_fit(
    panel: pd.DataFrame,
    *,
    outcome: str,
    unit: str,
    period: str,
    treated: str,
    post: str,
    alpha: float = 0.05,
    weights: str | None = None,
) -> DidFit:
    """Difference in differences with standard error, df and counts; see :func:`did`.

    Examples
    --------
    >>> panel = pd.DataFrame({
    ...     "rep": ["a", "a", "b", "b", "c", "c", "d", "d"],
    ...     "month": [1, 2] * 4,
    ...     "sales": [10.0, 15.0, 12.0, 18.0, 10.0, 11.0, 9.0, 11.0],
    ...     "trained": [True] * 4 + [False] * 4,
    ...     "after": [False, True] * 4,
    ... })
    >>> fit = did_fit(panel, outcome="sales", unit="rep", period="month",
    ...               treated="trained", post="after")
    >>> fit.nobs, fit.n_treated, fit.n_comparison, fit.df
    (8, 2, 2, 3)
    """
    df = _check_panel(panel, outcome=outcome, unit=unit, period=period, treated=treated, post=post)
    w = None
    if weights is not None:
        _require_columns(panel, [weights])
        w = pd.to_numeric(panel.loc[df.index, weights], errors="coerce").to_numpy(dtype=float)
        if not (np.isfinite(w).all() and (w > 0).all()):
            raise PanelError(f"weights {weights!r} must be positive numbers wherever {outcome!r} has a value")
    tr = df[treated].to_numpy(dtype=bool)
    ps = df[post].to_numpy(dtype=bool)
    d = (tr & ps).astype(float).reshape(-1, 1)
    fit = _fe_ols(df[outcome].to_numpy(dtype=float), d, _codes(df[unit]), _codes(df[period]), w)
    value = float(fit.params[0])
    se = float(math.sqrt(max(fit.cov[0, 0], 0.0)))
    lo, hi, p = _t_interval(value, se, fit.df, alpha)
    n_treated = int(df.loc[tr, unit].nunique())
    n_comparison = fit.n_units - n_treated
    method = (
        f"difference in differences, two-way fixed effects ({unit} and {period}), "
        + (f"rows weighted by {weights} (WLS), " if weights is not None else "")
        + f"SE clustered by {unit} (CR1), t({fit.df}); n = {fit.n_units} units "
        f"({n_treated} treated, {n_comparison} comparison), {fit.nobs} observations"
    )
    est = Estimate(value, lo, hi, n=fit.n_units, p_value=p, method=method)
    return DidFit(est, se, fit.df, fit.nobs, n_treated, n_comparison)


def did(
    panel: pd.DataFrame,
    *,
    outcome: str,
    unit: str,
    period: str,
    treated: str,
    post: str,
    alpha: float = 0.05,
    weights: str | None = None,
) -> Estimate:
    """Difference in differences by two-way fixed effects, SE clustered by unit.

    Model: ``y_it = a_i + g_t + b * (treated_i * post_it) + e_it`` with unit effects
    ``a_i`` and period effects ``g_t``; the estimate is ``b``. On a two-period balanced
    panel ``b`` is the 2x2 difference of means
    ``(T_after - T_before) - (C_after - C_before)``.

    Standard errors are cluster-robust by unit (Liang-Zeger, CR1) with the small-sample
    factor ``G/(G-1) * (N-1)/(N-K)``, G units, N rows and K the coefficients that are
    not nested in the clusters: the treatment indicator, the intercept and T-1 period
    effects. The unit
    effects are nested in the unit clusters and not counted, the convention of fixest
    (``fixef.K = "nested"``), reghdfe and Stata's ``xtreg, fe vce(cluster)``; counting
    them (as statsmodels does on an explicit dummy regression) widens the standard error
    by ``sqrt((N-T-1)/(N-T-G))``, about 10% on a report's panel, and makes the test
    conservative. Intervals and p-values use the t distribution with G - 1 degrees of
    freedom (Cameron & Miller 2015, II.C and VI.B). Unit effects are absorbed by the
    within transformation rather than a dense dummy matrix, so ~100k rows fit in a
    fraction of a second; the result equals pyfixest's
    ``feols("y ~ d | unit + period", vcov={"CRV1": unit})`` (tested to 1e-8).

    Rows with a missing outcome are dropped. With staggered training dates, prefer a
    clean panel from :func:`stack_cohort`: TWFE then compares early- with later-trained
    units and can be biased (Goodman-Bacon 2021).

    Parameters
    ----------
    panel : DataFrame
        One row per unit and period.
    outcome, unit, period : str
        Column names of the outcome, the unit identifier (the cluster) and the period.
    treated : str
        Boolean column, constant within unit: the unit belongs to the trained group.
    post : str
        Boolean column: the row lies after the training.
    alpha : float
        1 - confidence level of the interval.
    weights : str, optional
        Column of positive row weights: weighted least squares (WLS), e.g. a rate's
        denominator so that a rep-month resting on 40 closed opportunities counts 20
        times one resting on 2 (the rate's sampling variance is about ``p(1-p)/n``). The
        unit means of the within transformation are weighted, a cluster's score is
        ``sum w * x * e``, and the small-sample factor is the same as unweighted; the
        result equals statsmodels' ``WLS`` with explicit dummies and
        ``cov_type="cluster"`` on the nested convention (tested to 1e-8).

    Returns
    -------
    Estimate
        ``value`` = b; ``n`` = number of **units** (clusters); ``method`` also states the
        number of treated and comparison units and of observations (rows). Use
        :func:`did_fit` for the standard error and counts as numbers.

    Raises
    ------
    PanelError
        Missing columns, no treated or no comparison units, no pre or post rows in
        either group, duplicated unit-period rows, non-boolean ``treated``/``post``.

    References
    ----------
    Angrist & Pischke (2009), *Mostly Harmless Econometrics*, 5.2; Cameron & Miller
    (2015); fixest ``ssc()`` (Berge 2018); pyfixest ``feols``.

    Examples
    --------
    >>> panel = pd.DataFrame({
    ...     "rep": ["a", "a", "b", "b", "c", "c", "d", "d"],
    ...     "month": [1, 2] * 4,
    ...     "sales": [10.0, 15.0, 12.0, 18.0, 10.0, 11.0, 9.0, 11.0],
    ...     "trained": [True] * 4 + [False] * 4,
    ...     "after": [False, True] * 4,
    ... })
    >>> est = did(panel, outcome="sales", unit="rep", period="month",
    ...           treated="trained", post="after")
    >>> round(est.value, 6), est.n  # (5.5 - 1.5) on this 2x2 panel
    (4.0, 4)
    """
    return did_fit(
        panel,
        outcome=outcome,
        unit=unit,
        period=period,
        treated=treated,
        post=post,
        alpha=alpha,
        weights=weights,
    ).estimate


def minimum_detectable_effect(se: float, *, alpha: float = 0.05, power: float = 0.80) -> float:
    """The smallest true effect a two-sided test at ``alpha`` detects with ``power``.

    ``MDE = (z_(1-alpha/2) + z_power) * SE`` (Bloom 1995, "Minimum detectable effects",
    *Evaluation Review* 19(5); Duflo, Glennerster & Kremer 2007, 4.1): about 2.8 SE at
    5% and 80% power. An effect of this size is missed one time in five; a test whose MDE
    lies far above the effect it is meant to find is underpowered.

    >>> round(minimum_detectable_effect(1.0), 4)
    2.8016
    """
    if not (se > 0 and math.isfinite(se)):
        return math.nan
    return float((stats.norm.ppf(1 - alpha / 2) + stats.norm.ppf(power)) * se)


# ------------------------------------------------------------------ Poisson DiD


@dataclass(frozen=True)
class PoissonDidFit:
    """Multiplicative difference in differences (:func:`did_poisson`) with its bookkeeping.

    ``estimate`` is the relative effect ``exp(b) - 1`` with its interval; ``b`` and ``se``
    the log-scale coefficient and its clustered standard error; ``df`` the t degrees of
    freedom (clusters - 1). ``comparison_factor`` is the growth factor of the comparison
    group from before to after as the model reads it (mean period effect after over mean
    period effect before), ``effect_factor = exp(b)`` and
    ``trained_factor = comparison_factor * effect_factor``: the three multiply exactly.
    ``nobs`` rows used, ``n_treated``/``n_comparison`` units (units whose outcome is
    zero throughout carry no information on a ratio and are left out, as fixest does).
    """

    estimate: Estimate
    b: float
    se: float
    df: int
    nobs: int
    n_treated: int
    n_comparison: int
    trained_factor: float
    comparison_factor: float
    effect_factor: float


def _poisson_fe(
    y: np.ndarray, z: np.ndarray, unit_codes: np.ndarray, *, tol: float = 1e-11, max_iter: int = 100
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Poisson pseudo-ML of ``y`` on ``z`` with unit effects concentrated out.

    With ``mu_it = a_i exp(z_it theta)`` the unit effects solve ``a_i = Y_i / sum_t
    exp(z_it theta)`` (``Y_i`` the unit's total), which leaves the multinomial
    log-likelihood ``sum_it y_it log p_it``, ``p_it = exp(z_it theta) / sum_s exp(z_is
    theta)``, maximised by Newton's method (Hausman, Hall & Griliches 1984). Its Hessian
    is the Schur complement of the dummy regression's information matrix and each
    cluster's unit-effect score is zero at the optimum, so the cluster-robust sandwich
    below equals the theta block of the dummy regression's (Wooldridge 1999).

    Returns ``theta``, the unscaled clustered covariance ``H^-1 (sum_i g_i g_i') H^-1``
    and ``mu``.
    """
    n_units = int(unit_codes.max()) + 1
    totals = np.bincount(unit_codes, weights=y, minlength=n_units)
    theta = np.zeros(z.shape[1])
    for _ in range(max_iter):
        eta = z @ theta
        eta = (
            eta
            - np.bincount(unit_codes, weights=eta, minlength=n_units)[unit_codes]
            / np.bincount(unit_codes, minlength=n_units)[unit_codes]
        )
        e = np.exp(eta)
        denom = np.bincount(unit_codes, weights=e, minlength=n_units)
        mu = totals[unit_codes] * e / denom[unit_codes]
        grad = z.T @ (y - mu)
        s = np.column_stack(
            [np.bincount(unit_codes, weights=mu * z[:, j], minlength=n_units) for j in range(z.shape[1])]
        )
        h = (z * mu[:, None]).T @ z - (s / totals[:, None]).T @ s
        step = np.linalg.solve(h, grad)
        theta = theta + step
        if np.max(np.abs(step)) < tol:
            break
    else:  # pragma: no cover - Newton on a concave objective converges in a few steps
        raise PanelError("the Poisson fit did not converge")
    eta = z @ theta
    e = np.exp(eta - eta.max())
    denom = np.bincount(unit_codes, weights=e, minlength=n_units)
    mu = totals[unit_codes] * e / denom[unit_codes]
    s = np.column_stack([np.bincount(unit_codes, weights=mu * z[:, j], minlength=n_units) for j in range(z.shape[1])])
    h = (z * mu[:, None]).T @ z - (s / totals[:, None]).T @ s
    g = np.column_stack(
        [np.bincount(unit_codes, weights=(y - mu) * z[:, j], minlength=n_units) for j in range(z.shape[1])]
    )
    h_inv = np.linalg.inv(h)
    return theta, h_inv @ (g.T @ g) @ h_inv, mu


def did_poisson(
    panel: pd.DataFrame,
    *,
    outcome: str,
    unit: str,
    period: str,
    treated: str,
    post: str,
    alpha: float = 0.05,
) -> PoissonDidFit:
    """Multiplicative difference in differences by Poisson pseudo-likelihood.

    Model: ``E[y_it] = exp(a_i + g_t + b * treated_i * post_it)`` with unit and period
    fixed effects, fitted by Poisson pseudo-maximum likelihood, consistent for any
    non-negative outcome whose mean has this form (not only counts: sales in CNY too;
    Santos Silva & Tenreyro 2006; Wooldridge 2023, "Simple approaches to nonlinear
    difference-in-differences with panel data", *Econometrics Journal* 26(3)). The
    training multiplies the trained group's level by ``exp(b)``; the effect is
    ``exp(b) - 1`` (0.136 = +13.6%). On a balanced panel ``exp(b)`` is exactly the ratio
    of the two groups' growth factors (after mean / before mean), so the trained growth
    factor, the comparison growth factor and the effect reconcile by multiplication
    (x1.664 = x1.465 * x1.136); :class:`PoissonDidFit` carries the three factors as the
    model reads them, which multiply exactly on any panel.

    Standard errors are cluster-robust by unit (CR1), small-sample factor
    ``G/(G-1) * (N-1)/(N-K)`` with K the coefficients not nested in the clusters (b, the
    intercept and T-1 period effects; pyfixest's default, as :func:`did`); the interval
    ``exp(b +- t_{G-1} se) - 1`` and the p-value use t with G - 1 degrees of freedom,
    as :func:`did`. The interval so carries the uncertainty of the counterfactual level
    too, which dividing a level effect by an estimated level does not. Checked against
    statsmodels' GLM(Poisson) on explicit dummies and pyfixest's ``fepois`` (1e-6).

    Units whose outcome is zero in every row are left out (they carry no information on
    a ratio; fixest drops them as well); ``y`` must be non-negative.

    Examples
    --------
    >>> panel = pd.DataFrame({
    ...     "rep": ["a", "a", "b", "b", "c", "c", "d", "d"],
    ...     "month": [1, 2] * 4,
    ...     "sales": [10.0, 15.0, 12.0, 18.0, 10.0, 11.0, 9.0, 11.0],
    ...     "trained": [True] * 4 + [False] * 4,
    ...     "after": [False, True] * 4,
    ... })
    >>> f = did_poisson(panel, outcome="sales", unit="rep", period="month",
    ...                 treated="trained", post="after")
    >>> round(f.trained_factor, 4), round(f.comparison_factor, 4), round(f.effect_factor, 4)
    (1.5, 1.1579, 1.2955)
    """
    df = _check_panel(panel, outcome=outcome, unit=unit, period=period, treated=treated, post=post)
    y_all = df[outcome].to_numpy(dtype=float)
    if (y_all < 0).any():
        raise PanelError(f"{outcome!r} has negative values; a multiplicative (Poisson) model needs y >= 0")
    totals = df.groupby(unit)[outcome].transform("sum").to_numpy(dtype=float)
    df = df.loc[totals > 0]
    _check_panel(df, outcome=outcome, unit=unit, period=period, treated=treated, post=post)
    y = df[outcome].to_numpy(dtype=float)
    tr = df[treated].to_numpy(dtype=bool)
    ps = df[post].to_numpy(dtype=bool)
    unit_codes = _codes(df[unit])
    period_codes = _codes(df[period])
    n_periods = int(period_codes.max()) + 1
    dummies = np.zeros((len(y), n_periods - 1))
    rows = np.flatnonzero(period_codes > 0)
    dummies[rows, period_codes[rows] - 1] = 1.0
    z = np.column_stack([(tr & ps).astype(float), dummies])
    theta, cov, _ = _poisson_fe(y, z, unit_codes)
    n_units = int(unit_codes.max()) + 1
    nobs, k = z.shape
    if nobs - k - n_units <= 0 or n_units < 2:
        raise PanelError("too few observations for unit and period fixed effects")
    cov = cov * n_units / (n_units - 1) * (nobs - 1) / (nobs - k - 1)
    b = float(theta[0])
    se = float(math.sqrt(cov[0, 0]))
    dfree = n_units - 1
    lo, hi, p = _t_interval(b, se, dfree, alpha)
    # the comparison group's growth as the model reads it: mean period effect after / before
    g = np.exp(np.concatenate([[0.0], theta[1:]]))
    period_post = pd.Series(ps).groupby(period_codes).mean().to_numpy()
    if np.all((period_post == 0) | (period_post == 1)):
        comp_factor = float(g[period_post == 1].mean() / g[period_post == 0].mean())
    else:  # post varies within a period (staggered): no common before/after split
        comp_factor = math.nan
    eff_factor = math.exp(b)
    n_treated = int(df.loc[tr, unit].nunique())
    method = (
        f"multiplicative difference in differences, Poisson pseudo-likelihood with {unit} and "
        f"{period} effects, effect = exp(b) - 1, SE clustered by {unit} (CR1), t({dfree}); "
        f"n = {n_units} units ({n_treated} treated, {n_units - n_treated} comparison), {nobs} observations"
    )
    est = Estimate(eff_factor - 1, math.exp(lo) - 1, math.exp(hi) - 1, n=n_units, p_value=p, method=method)
    return PoissonDidFit(
        est, b, se, dfree, nobs, n_treated, n_units - n_treated, comp_factor * eff_factor, comp_factor, eff_factor
    )


# ---------------------------------------------------------------------- event study


def _event_fit(
    panel: pd.DataFrame,
    *,
    outcome: str,
    unit: str,
    period: str,
    treated: str,
    event_time: str,
    ref: int,
    window: tuple[int, int] | None,
) -> tuple[_FeFit, list[int], pd.DataFrame]:
    _require_columns(panel, [event_time])
    df = _check_panel(panel, outcome=outcome, unit=unit, period=period, treated=treated, post=None)
    df = df.assign(_e=panel.loc[df.index, event_time])
    tr = df[treated].to_numpy(dtype=bool)
    if df.loc[tr, "_e"].isna().any():
        raise PanelError(f"treated units need {event_time!r} on every row")
    e = df["_e"].where(tr)
    if window is not None:
        e = e.clip(window[0], window[1])
    e = e.round().astype("Int64")
    df = df.assign(_e=e)
    times = sorted(int(k) for k in e.dropna().unique())
    if ref not in times:
        raise PanelError(f"reference event time {ref} does not occur in {event_time!r}")
    ks = [k for k in times if k != ref]
    if not ks:
        raise PanelError("only the reference event time occurs; nothing to estimate")
    ev = e.to_numpy(dtype=float, na_value=np.nan)
    x = np.column_stack([(ev == k).astype(float) for k in ks])
    fit = _fe_ols(df[outcome].to_numpy(dtype=float), x, _codes(df[unit]), _codes(df[period]))
    return fit, ks, df


def event_study(
    panel: pd.DataFrame,
    *,
    outcome: str,
    unit: str,
    period: str,
    treated: str,
    event_time: str,
    ref: int = -1,
    window: tuple[int, int] | None = None,
    alpha: float = 0.05,
) -> pd.DataFrame:
    """Event-study coefficients: the treated-minus-comparison gap by time since training.

    Model: ``y_it = a_i + g_t + sum_{k != ref} b_k * 1[treated_i and e_it = k] + e_it``
    with unit and period effects; ``b_k`` is the gap at event time ``k`` relative to the
    gap at ``ref`` (default -1, the last period before training). Comparison units carry
    no event dummies. Standard errors and intervals as in :func:`did` (CR1 clustered by
    unit, t with G - 1 df). Pre-training coefficients near zero support parallel trends.

    Parameters
    ----------
    panel : DataFrame
        One row per unit and period.
    outcome, unit, period, treated : str
        As in :func:`did`.
    event_time : str
        Integer periods since training (0 = first period after it, negative before);
        required on treated rows, ignored (may be missing) on comparison rows.
    ref : int
        Reference event time, normalised to zero.
    window : (int, int), optional
        Bin event times below/above into the end points (Schmidheiny & Siegloch 2023).
    alpha : float
        1 - confidence level.

    Returns
    -------
    DataFrame
        One row per event time: ``event_time``, ``coef``, ``ci_low``, ``ci_high``,
        ``p_value``, ``n`` (treated units observed at that event time). The reference
        row has ``coef`` 0 and NaN bounds.

    References
    ----------
    Angrist & Pischke (2009), 5.2.1; Freyaldenhoven et al. (2021), "Visualization,
    identification, and estimation in the linear panel event-study design", NBER 29170.

    Examples
    --------
    >>> panel = pd.DataFrame({
    ...     "rep": np.repeat(["a", "b", "c", "d"], 4),
    ...     "month": np.tile([1, 2, 3, 4], 4),
    ...     "sales": [1.0, 2, 8, 9, 2, 3, 9, 11, 1, 2, 3, 4, 2, 3, 4, 6],
    ...     "trained": np.repeat([True, True, False, False], 4),
    ... })
    >>> panel["since"] = panel["month"] - 3
    >>> es = event_study(panel, outcome="sales", unit="rep", period="month",
    ...                  treated="trained", event_time="since")
    >>> es["event_time"].tolist()
    [-2, -1, 0, 1]
    >>> es.loc[es["event_time"] >= 0, "coef"].round(6).tolist()
    [5.0, 5.0]
    """
    fit, ks, df = _event_fit(
        panel,
        outcome=outcome,
        unit=unit,
        period=period,
        treated=treated,
        event_time=event_time,
        ref=ref,
        window=window,
    )
    counts = df.dropna(subset=["_e"]).groupby("_e")[unit].nunique()
    rows = []
    for j, k in enumerate(ks):
        b = float(fit.params[j])
        lo, hi, p = _t_interval(b, math.sqrt(max(fit.cov[j, j], 0.0)), fit.df, alpha)
        rows.append((k, b, lo, hi, p, int(counts.get(k, 0))))
    rows.append((ref, 0.0, math.nan, math.nan, math.nan, int(counts.get(ref, 0))))
    out = pd.DataFrame(rows, columns=["event_time", "coef", "ci_low", "ci_high", "p_value", "n"])
    return out.sort_values("event_time", ignore_index=True)


PRETREND_BINS = 3
"""Pre-training event times are pooled into at most this many consecutive bins for the test."""


def _pre_bins(times: Sequence[int], ref: int, n_bins: int) -> list[list[int]]:
    """Consecutive groups of the pre-training event times (``k < 0``, ``k != ref``), as equal as possible."""
    pre = sorted(k for k in times if k < 0 and k != ref)
    if not pre:
        return []
    return [list(map(int, part)) for part in np.array_split(np.array(pre), min(n_bins, len(pre)))]


def pretrend_test(
    panel: pd.DataFrame,
    *,
    outcome: str,
    unit: str,
    period: str,
    treated: str,
    event_time: str,
    ref: int = -1,
    window: tuple[int, int] | None = None,
) -> Estimate:
    """Test of parallel pre-trends with an honest size: the pre-period binned into 3 gaps.

    The pre-training event times (``k < 0``, ``k != ref``) are pooled into at most
    :data:`PRETREND_BINS` (3) consecutive bins of nearly equal length, each with one
    treated-group gap coefficient (post-training event times keep one coefficient each,
    as in :func:`event_study`, so the effect does not leak into the period effects).
    The q <= 3 bin gaps ``b`` are tested jointly by the cluster-robust Wald statistic
    ``F = b' V^-1 b / q`` (V their CR1 covariance, :func:`did`'s small-sample factor),
    referred to ``F(q, G - 1)``. Why binned: a cluster-robust covariance of many
    coefficients estimated from few clusters is noisy, so the joint test of 11 monthly
    gaps rejects 10-16% of the time at 5% with 34-65 clusters (Cameron & Miller 2015,
    VII.A; Pustejovsky & Tipton 2018, *JBES* 36(4)); with 3 bins the simulation in
    ``tests/stats/test_attribution.py`` rejects 4.5% (900 panels of 34-65 reps, 12
    pre-months). The Hotelling form ``F(q, G - q)`` was tried too and rejected 2.9%
    (too conservative). Binning follows Schmidheiny & Siegloch (2023) and keeps
    the test's power against a steady drift, which moves every bin the same way.

    A small p-value means the groups already drifted apart before training, so parallel
    trends (what DiD assumes) is doubtful. The test has little power with few units: a
    large p-value is no evidence for parallel trends, only no evidence against them
    (Roth 2022, *AER: Insights* 4(3)).

    Returns
    -------
    Estimate
        ``value`` = F statistic, ``p_value``, ``n`` = units; no interval (NaN). When no
        pre-period coefficient exists (only ``ref`` before training) everything is NaN.

    Examples
    --------
    >>> panel = pd.DataFrame({
    ...     "rep": np.repeat(["a", "b", "c", "d"], 4),
    ...     "month": np.tile([1, 2, 3, 4], 4),
    ...     "sales": [1.0, 2, 8, 9, 2, 3, 9, 11, 1, 2, 3, 4, 2, 4, 4, 6],
    ...     "trained": np.repeat([True, True, False, False], 4),
    ... })
    >>> panel["since"] = panel["month"] - 3
    >>> t = pretrend_test(panel, outcome="sales", unit="rep", period="month",
    ...                   treated="trained", event_time="since")
    >>> t.value > 0, 0 < t.p_value <= 1
    (True, True)
    """
    _require_columns(panel, [event_time])
    df = _check_panel(panel, outcome=outcome, unit=unit, period=period, treated=treated, post=None)
    tr = df[treated].to_numpy(dtype=bool)
    e = panel.loc[df.index, event_time].where(tr)
    if e[tr].isna().any():
        raise PanelError(f"treated units need {event_time!r} on every row")
    if window is not None:
        e = e.clip(window[0], window[1])
    ev = e.round().to_numpy(dtype=float, na_value=np.nan)
    times = sorted(int(k) for k in np.unique(ev[~np.isnan(ev)]))
    if ref not in times:
        raise PanelError(f"reference event time {ref} does not occur in {event_time!r}")
    bins = _pre_bins(times, ref, PRETREND_BINS)
    n_units = int(df[unit].nunique())
    method = f"joint Wald F-test, pre-training gaps in {len(bins)} bins = 0 (ref = {ref})"
    if not bins:
        return Estimate(math.nan, n=n_units, method=method + "; no pre-period coefficient")
    cols = [np.isin(ev, part).astype(float) for part in bins]
    cols += [(ev == k).astype(float) for k in times if k >= 0 and k != ref]
    fit = _fe_ols(df[outcome].to_numpy(dtype=float), np.column_stack(cols), _codes(df[unit]), _codes(df[period]))
    q = len(bins)
    g = fit.n_units
    b = fit.params[:q]
    v = fit.cov[:q, :q]
    f = float(b @ np.linalg.pinv(v) @ b / q)
    p = float(stats.f.sf(f, q, fit.df))
    return Estimate(f, n=g, p_value=p, method=f"{method}, F({q}, {fit.df})")


def pretrend_warning(test: Estimate, *, alpha: float = 0.05) -> str | None:
    """Plain-words warning when :func:`pretrend_test` rejects parallel pre-trends.

    Returns :data:`PRETREND_WARNING` when ``test.p_value < alpha``, else None.

    Examples
    --------
    >>> pretrend_warning(Estimate(9.0, p_value=0.001))[:50]
    'The trained and comparison groups already moved ap'
    >>> pretrend_warning(Estimate(0.4, p_value=0.7)) is None
    True
    """
    if not math.isnan(test.p_value) and test.p_value < alpha:
        return PRETREND_WARNING
    return None


# ------------------------------------------------------------- seasonal adjustment


def _monthly(data: pd.Series | pd.DataFrame, value: str | None, period: str | None) -> pd.Series:
    """A monthly series (DatetimeIndex of month starts) from a series or a panel."""
    if isinstance(data, pd.DataFrame):
        if value is None or period is None:
            raise PanelError("for a panel, name the `value` and `period` columns")
        _require_columns(data, [value, period])
        s = data.groupby(pd.to_datetime(data[period]).dt.to_period("M"))[value].mean()
    else:
        s = data.copy()
        idx = s.index
        if not isinstance(idx, pd.PeriodIndex):
            try:
                idx = pd.DatetimeIndex(idx)
            except (TypeError, ValueError) as exc:
                raise PanelError("a monthly series needs a date index") from exc
            idx = idx.to_period("M")
        s.index = idx
        s = s.groupby(level=0).mean()
    s = s.dropna().astype(float)
    s.index = s.index.to_timestamp()
    return s.sort_index()


def seasonal_factors(
    data: pd.Series | pd.DataFrame,
    *,
    value: str | None = None,
    period: str | None = None,
    min_months: int = 24,
) -> pd.Series:
    """Multiplicative month-of-year factors of a monthly series, trend taken out.

    Method: least squares on ``log y_t = a + b*t + s_m(t) + e_t`` (linear trend in
    months plus 12 month-of-year effects), factors ``f_m = exp(s_m)`` rescaled to mean 1
    (the X-11 convention: 1.10 = a month 10% above an average month).

    Why this and not STL or ratio-to-moving-average: the reports have about 24 months of
    history, i.e. two seasonal cycles. STL's seasonal smoother then sees two points per
    calendar month and its loess trend bends to any level shift, so on the trained
    group's own series it would absorb part of the training effect. Classic
    ratio-to-moving-average loses six months at each end to the centred 2x12 moving
    average, leaving one ratio per calendar month. The log-linear regression uses all 24
    months (two per calendar month), removes trend explicitly so growth does not leak
    into the factors, and a multiplicative factor fits sales, whose seasonal swing scales
    with the level. Estimate the factors on a series the training cannot have touched:
    the comparison group (mean per unit and month) or the market index
    (``market_index``), then apply them to the trained group with :func:`deseasonalize`.

    Parameters
    ----------
    data : Series or DataFrame
        A monthly series with a date index, or a panel whose ``value`` column is averaged
        per month of ``period`` (mean per unit, robust to head-count changes).
    value, period : str, optional
        Column names, for a panel.
    min_months : int
        Fewest months accepted (default 24, two full cycles).

    Returns
    -------
    Series
        Index ``month_of_year`` 1..12, name ``seasonal_factor``, mean 1.

    Raises
    ------
    PanelError
        Fewer than ``min_months`` months, a calendar month observed fewer than twice (a
        single point per month would make its factor that month's noise), or values that
        are not positive (the model is multiplicative).

    References
    ----------
    Hyndman, R. J. & Athanasopoulos, G. (2021). *Forecasting: Principles and Practice*,
    3rd ed., 3.4 (classical decomposition), 7.4 (seasonal dummy regression).

    Examples
    --------
    >>> months = pd.date_range("2023-01-01", periods=24, freq="MS")
    >>> season = np.where(months.month == 12, 1.5, 1.0)
    >>> y = pd.Series(100 * 1.01 ** np.arange(24) * season, index=months)
    >>> f = seasonal_factors(y)
    >>> round(float(f[12] / f[1]), 6)
    1.5
    """
    s = _monthly(data, value, period)
    if len(s) < min_months:
        raise PanelError(f"seasonal factors need at least {min_months} months of data, got {len(s)}")
    if (s <= 0).any():
        raise PanelError("seasonal factors need positive values (multiplicative model)")
    f = np.exp(_month_of_year_fit(s, np.log(s.to_numpy())))
    f = f / f.mean()
    return pd.Series(f, index=pd.Index(range(1, 13), name="month_of_year"), name="seasonal_factor")


def _month_of_year_fit(s: pd.Series, y: np.ndarray) -> np.ndarray:
    """The 12 month-of-year coefficients (January 0) of ``y = a + b*t + s_m + e`` by OLS."""
    moy = s.index.month.to_numpy()
    if len(np.unique(moy)) < 12:
        raise PanelError("every calendar month must be observed at least once")
    per = np.bincount(moy, minlength=13)[1:]
    if (per < 2).any():  # issue 9, finding 11: one point per month is all noise, no factor
        thin = [i + 1 for i in np.flatnonzero(per < 2)]
        raise PanelError(f"seasonal factors need two points per calendar month; months {thin} have one")
    t = (s.index.year * 12 + s.index.month).to_numpy(dtype=float)
    t = t - t.mean()
    dummies = (moy[:, None] == np.arange(2, 13)[None, :]).astype(float)
    x = np.column_stack([np.ones(len(s)), t, dummies])
    beta = np.linalg.lstsq(x, y, rcond=None)[0]
    return np.concatenate([[0.0], beta[2:]])


def seasonal_effects(
    data: pd.Series | pd.DataFrame,
    *,
    value: str | None = None,
    period: str | None = None,
    min_months: int = 24,
) -> pd.Series:
    """Additive month-of-year effects of a monthly series of shares, trend taken out.

    Method: least squares on ``y_t = a + b*t + s_m(t) + e_t`` (linear trend in months
    plus 12 month-of-year effects), effects ``s_m`` centred to mean 0 (0.03 = a month 3
    points above an average month). The additive twin of :func:`seasonal_factors`, for
    shares and probabilities (conversion, win rate, repurchase, retention): their
    seasonal swing is a shift in points, not a percentage of the level, and the training
    effect on them is read in points too, so subtracting ``s_m`` leaves a points effect
    unchanged, where dividing by a factor would rescale it. Same design choices (two
    seasonal cycles, explicit trend) and the same advice: estimate on a series the
    training cannot have touched; :func:`deseasonalize` then subtracts the effects.

    Parameters
    ----------
    data : Series or DataFrame
        A monthly series with a date index, or a panel whose ``value`` column is averaged
        per month of ``period``.
    value, period : str, optional
        Column names, for a panel.
    min_months : int
        Fewest months accepted (default 24, two full cycles).

    Returns
    -------
    Series
        Index ``month_of_year`` 1..12, name ``seasonal_effect``, mean 0.

    Raises
    ------
    PanelError
        Fewer than ``min_months`` months or a calendar month never observed.

    References
    ----------
    Hyndman, R. J. & Athanasopoulos, G. (2021). *Forecasting: Principles and Practice*,
    3rd ed., 3.2 (additive decomposition), 7.4 (seasonal dummy regression).

    Examples
    --------
    >>> months = pd.date_range("2023-01-01", periods=24, freq="MS")
    >>> y = pd.Series(0.30 + 0.001 * np.arange(24) + np.where(months.month == 12, 0.06, 0.0),
    ...               index=months)
    >>> e = seasonal_effects(y)
    >>> round(float(e[12] - e[1]), 6), round(float(e.mean()), 6)
    (0.06, 0.0)
    """
    s = _monthly(data, value, period)
    if len(s) < min_months:
        raise PanelError(f"seasonal effects need at least {min_months} months of data, got {len(s)}")
    e = _month_of_year_fit(s, s.to_numpy())
    e = e - e.mean()
    return pd.Series(e, index=pd.Index(range(1, 13), name="month_of_year"), name="seasonal_effect")


def deseasonalize(
    data: pd.Series | pd.DataFrame,
    factors: pd.Series,
    *,
    period: str | None = None,
    columns: Sequence[str] | None = None,
) -> pd.Series | pd.DataFrame:
    """Take the month-of-year pattern out: divide by factors, or subtract effects.

    ``adjusted_t = y_t / f_{month(t)}`` for factors from :func:`seasonal_factors`, and
    ``adjusted_t = y_t - s_{month(t)}`` for additive effects from
    :func:`seasonal_effects` (recognised by their name, ``seasonal_effect``). A series
    needs a date index; a panel needs ``period`` (dates) and the ``columns`` to adjust,
    and is returned as a copy with those columns adjusted.

    Examples
    --------
    >>> f = pd.Series([1.0] * 11 + [1.5], index=range(1, 13))
    >>> y = pd.Series([10.0, 15.0], index=pd.to_datetime(["2024-11-01", "2024-12-01"]))
    >>> deseasonalize(y, f).tolist()
    [10.0, 10.0]
    >>> e = pd.Series([0.0] * 11 + [0.05], index=range(1, 13), name="seasonal_effect")
    >>> [round(v, 2) for v in deseasonalize(pd.Series([0.3, 0.35], index=y.index), e)]
    [0.3, 0.3]
    """
    additive = factors.name == "seasonal_effect"

    def adjust(values: np.ndarray, months: pd.Index) -> np.ndarray:
        s = np.asarray(months.map(factors), dtype=float)
        return values - s if additive else values / s

    if isinstance(data, pd.DataFrame):
        if period is None or not columns:
            raise PanelError("for a panel, name the `period` column and the `columns` to adjust")
        _require_columns(data, [period, *columns])
        months = pd.Index(pd.to_datetime(data[period]).dt.month)
        return data.assign(**{c: adjust(data[c].to_numpy(dtype=float), months) for c in columns})
    months = pd.DatetimeIndex(data.index).month
    return pd.Series(adjust(data.to_numpy(dtype=float), months), index=data.index, name=data.name)


def _period_mask(index: pd.DatetimeIndex, window: tuple) -> np.ndarray:
    start, end = (pd.Timestamp(w) for w in window)
    return np.asarray((index >= start) & (index <= end))


def seasonally_adjusted_change(
    monthly: pd.Series,
    *,
    before: tuple,
    after: tuple,
    factors: pd.Series | None = None,
    alpha: float = 0.05,
) -> Estimate:
    """Before/after change of a monthly series once seasonal factors are divided out.

    ``change = mean(y_t / f_m(t), t in after) - mean(y_t / f_m(t), t in before)``, with a
    Welch t interval that treats the adjusted months as independent observations. That
    ignores autocorrelation and the uncertainty of the factors, so the interval is if
    anything too narrow; market trend is still in the change (use :func:`did` for that).

    Parameters
    ----------
    monthly : Series
        Monthly values (e.g. the trained group's mean sales per rep), date index.
    before, after : (start, end)
        Inclusive month windows, anything :class:`pandas.Timestamp` accepts.
    factors : Series, optional
        Month-of-year factors, or additive effects (:func:`seasonal_effects`). Default:
        :func:`seasonal_factors` of ``monthly`` itself
        (needs 24 months; the post period then weighs in, so prefer factors estimated on
        the comparison group or the market index).
    alpha : float
        1 - confidence level.

    Returns
    -------
    Estimate
        ``n`` = number of months in the two windows together.

    Examples
    --------
    >>> months = pd.date_range("2024-01-01", periods=12, freq="MS")
    >>> f = pd.Series([1.0] * 11 + [2.0], index=range(1, 13))
    >>> y = pd.Series([10.0] * 11 + [20.0], index=months)
    >>> e = seasonally_adjusted_change(y, before=("2024-01", "2024-06"),
    ...                                after=("2024-07", "2024-12"), factors=f)
    >>> e.value, e.n
    (0.0, 12)
    """
    s = _monthly(monthly, None, None)
    if factors is None:
        factors = seasonal_factors(s)
    adj = deseasonalize(s, factors)
    b = adj[_period_mask(adj.index, before)].to_numpy()
    a = adj[_period_mask(adj.index, after)].to_numpy()
    if len(b) == 0 or len(a) == 0:
        raise PanelError("no months in the before or the after window")
    value = float(a.mean() - b.mean())
    if len(a) < 2 or len(b) < 2:
        lo = hi = p = math.nan
    else:
        va, vb = a.var(ddof=1) / len(a), b.var(ddof=1) / len(b)
        se = math.sqrt(va + vb)
        if se == 0:
            lo = hi = value
            p = math.nan
        else:  # Welch-Satterthwaite degrees of freedom
            df = (va + vb) ** 2 / (va**2 / (len(a) - 1) + vb**2 / (len(b) - 1))
            lo, hi, p = _t_interval(value, se, df, alpha)
    return Estimate(
        value,
        lo,
        hi,
        n=len(a) + len(b),
        p_value=p,
        method="seasonally adjusted before/after change (month-of-year factors), Welch t over months",
    )


# ------------------------------------------------------------- before/after and table


def before_after(
    panel: pd.DataFrame,
    *,
    outcome: str,
    unit: str,
    post: str,
    alpha: float = 0.05,
) -> Estimate:
    """Naive before/after change, paired over units.

    For each unit with rows both before and after: ``d_i = mean(y | post) - mean(y |
    pre)``; the estimate is ``mean(d_i)`` with a paired t interval
    ``mean(d) +- t_{n-1} * sd(d) / sqrt(n)`` over the n units (Student 1908). It is the
    whole change -- seasonality, trend and training together. Filter the panel to the
    group you want (trained or comparison) first.

    Examples
    --------
    >>> p = pd.DataFrame({"rep": ["a", "a", "b", "b", "c", "c"],
    ...                   "sales": [10.0, 12, 8, 11, 9, 10],
    ...                   "after": [False, True] * 3})
    >>> e = before_after(p, outcome="sales", unit="rep", post="after")
    >>> e.value, e.n
    (2.0, 3)
    """
    _require_columns(panel, [outcome, unit, post])
    df = panel.loc[panel[outcome].notna(), [outcome, unit, post]]
    ps = _bool_column(df, post)
    means = df.assign(_p=ps).groupby([unit, "_p"])[outcome].mean().unstack("_p")
    if True not in means.columns or False not in means.columns:
        return Estimate(math.nan, n=0, method="paired before/after change over units")
    d = (means[True] - means[False]).dropna().to_numpy(dtype=float)
    n = len(d)
    method = "paired before/after change, t interval over units"
    if n == 0:
        return Estimate(math.nan, n=0, method=method)
    value = float(d.mean())
    se = float(d.std(ddof=1) / math.sqrt(n)) if n > 1 else math.nan
    lo, hi, p = _t_interval(value, se, n - 1, alpha)
    if n > 1 and se == 0:
        lo = hi = value
    return Estimate(value, lo, hi, n=n, p_value=p, method=method)


def _fmt(x: float) -> str:
    if not math.isfinite(x):
        return "n/a"
    if abs(x) >= 1000:
        return f"{x:,.0f}"
    return f"{x:.3g}"


def _verdict(measure: str, est: Estimate, rel: float, alpha: float) -> str:
    """One plain sentence on the DiD effect of one measure."""
    if math.isnan(est.value):
        return f"{measure}: the training effect could not be estimated."
    ci = f"{100 * (1 - alpha):g}% CI {_fmt(est.ci_low)} to {_fmt(est.ci_high)}"
    rel_txt = ""
    if math.isfinite(rel):
        rel_txt = f", {rel:+.1%} against the level it would otherwise have had"
    if not est.excludes_zero:
        return f"{measure}: estimated training effect {_fmt(est.value)} ({ci}){rel_txt}; not distinguishable from zero."
    direction = "raised" if est.value > 0 else "lowered"
    return (
        f"{measure}: the training {direction} it by {_fmt(abs(est.value))} ({ci}){rel_txt}, "
        "beyond seasonality and the comparison group's trend."
    )


_SEASONAL_SOURCES = {"comparison": "the comparison group", "all": "the whole panel"}


def _factors_for(
    measure: str,
    seasonal: str | pd.Series | Mapping[str, pd.Series] | None,
    panel: pd.DataFrame,
    comparison: pd.DataFrame,
    period: str,
) -> tuple[pd.Series | None, str]:
    """Seasonal factors for one measure of :func:`attribution_table`, and their source."""

    def given(f: pd.Series) -> str:
        return "additive month-of-year effects given" if f.name == "seasonal_effect" else "month-of-year factors given"

    if isinstance(seasonal, pd.Series):
        return seasonal, given(seasonal)
    if isinstance(seasonal, Mapping):
        if measure in seasonal:
            return seasonal[measure], given(seasonal[measure])
        return None, "not adjusted: no factors given for this measure"
    if seasonal is None:
        return None, "not adjusted"
    base = comparison if seasonal == "comparison" else panel
    try:
        factors = seasonal_factors(base, value=measure, period=period)
    except PanelError as exc:  # too short or not positive: report, do not fail the table
        return None, f"not adjusted: {exc}"
    return factors, f"month-of-year factors from {_SEASONAL_SOURCES[seasonal]}"


def attribution_table(
    panel: pd.DataFrame,
    *,
    outcome: str | Sequence[str],
    unit: str,
    period: str,
    treated: str,
    post: str,
    seasonal: str | pd.Series | Mapping[str, pd.Series] | None = "comparison",
    multiplicative: Sequence[str] = (),
    alpha: float = 0.05,
    weights: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """Naive, seasonally adjusted, comparison-group change and DiD effect, side by side.

    One row per measure (outcome column). Columns, each with ``_ci_low``/``_ci_high``:

    - ``naive``: trained units' before/after change (:func:`before_after`).
    - ``adjusted``: the same after dividing out month-of-year factors
      (:func:`seasonal_factors`), or subtracting additive month-of-year effects when
      given ones from :func:`seasonal_effects`; market trend is still in it.
    - ``comparison``: comparison units' before/after change -- what happened anyway.
    - ``effect``: difference in differences (:func:`did`), plus ``effect_p_value``.
    - ``n_treated``, ``n_comparison``: units in each group.
    - ``relative_effect`` (with ``relative_ci_low``/``_high``): for the outcomes named
      in ``multiplicative`` (volumes), ``exp(b) - 1`` of the Poisson DiD
      (:func:`did_poisson`), whose interval carries the uncertainty of the
      counterfactual level; ``effect`` is then the same effect in the outcome's unit,
      ``mean(y | treated, post) * (1 - exp(-b))``, its interval mapped from b's (the two
      agree on significance). Other outcomes: the linear effect divided by the
      counterfactual trained-group post mean ``mean(y | treated, post) - effect``, the
      interval divided by the same number (its uncertainty ignored).
    - ``scale``: ``multiplicative`` or ``additive``; ``trained_factor``,
      ``comparison_factor``, ``effect_factor``: the growth factors of the multiplicative
      model (NaN for additive outcomes), ``trained = comparison * effect`` exactly.
    - ``seasonal_source``: where the factors came from, or why there are none.
    - ``verdict``: one plain sentence; "not distinguishable from zero" when the interval
      covers 0.

    Parameters
    ----------
    panel : DataFrame
        Unit x period panel; ``period`` must hold dates for seasonal adjustment.
    outcome : str or list of str
        Measure column(s).
    unit, period, treated, post, alpha
        As in :func:`did`.
    multiplicative : list of str
        Outcomes whose effect is multiplicative (non-negative volumes): fitted by
        :func:`did_poisson` instead of :func:`did`.
    weights : mapping, optional
        Outcome -> column of row weights for its DiD (:func:`did`'s ``weights``, WLS),
        e.g. a rate's denominator; the columns ``mde`` (the smallest effect the DiD can
        detect with 80% power at 5% two-sided, ``(z_0.975 + z_0.8) * SE``; for a
        multiplicative outcome the relative ``exp((z_0.975 + z_0.8) * SE_b) - 1``) and
        ``effect_se`` (the linear DiD's SE) are given for every outcome.
    seasonal : "comparison", "all", Series, mapping or None
        Factors: estimated per measure on the comparison units' monthly mean
        (``"comparison"``, default) or all units (``"all"``) of ``panel``; or given
        (one Series of 12 factors for every measure, or a mapping measure -> Series,
        e.g. from a longer history than the panel holds); None skips the adjustment.
        When the panel is too short to estimate factors the adjusted columns are NaN
        and ``seasonal_source`` says why.

    Examples
    --------
    >>> panel = pd.DataFrame({
    ...     "rep": ["a", "a", "b", "b", "c", "c", "d", "d"],
    ...     "month": pd.to_datetime(["2024-01-01", "2024-02-01"] * 4),
    ...     "sales": [10.0, 15.0, 12.0, 18.0, 10.0, 11.0, 9.0, 11.0],
    ...     "trained": [True] * 4 + [False] * 4,
    ...     "after": [False, True] * 4,
    ... })
    >>> t = attribution_table(panel, outcome="sales", unit="rep", period="month",
    ...                       treated="trained", post="after", seasonal=None)
    >>> t[["measure", "naive", "comparison", "effect", "n_treated"]]
      measure  naive  comparison  effect  n_treated
    0   sales    5.5         1.5     4.0          2
    """
    outcomes = [outcome] if isinstance(outcome, str) else list(outcome)
    if isinstance(seasonal, str) and seasonal not in _SEASONAL_SOURCES:
        raise PanelError(f"seasonal must be 'comparison', 'all', factors or None, not {seasonal!r}")
    conf = 1 - alpha
    multiplicative = set(multiplicative)
    rows = []
    for y in outcomes:
        fit = did_fit(
            panel,
            outcome=y,
            unit=unit,
            period=period,
            treated=treated,
            post=post,
            alpha=alpha,
            weights=(weights or {}).get(y),
        )
        df = panel.loc[panel[y].notna()]
        tr = df[treated].to_numpy(dtype=bool)
        trained, comparison = df.loc[tr], df.loc[~tr]
        naive = before_after(trained, outcome=y, unit=unit, post=post, alpha=alpha)
        comp = before_after(comparison, outcome=y, unit=unit, post=post, alpha=alpha)

        factors, source = _factors_for(y, seasonal, df, comparison, period)
        adjusted = Estimate(math.nan)
        if factors is not None:
            adj = deseasonalize(trained, factors, period=period, columns=[y])
            adjusted = before_after(adj, outcome=y, unit=unit, post=post, alpha=alpha)

        eff = fit.estimate
        post_mask = df[post].to_numpy(dtype=bool)
        post_mean = float(df.loc[tr & post_mask, y].mean())
        factors_row = {"trained_factor": math.nan, "comparison_factor": math.nan, "effect_factor": math.nan}
        if y in multiplicative:
            pfit = did_poisson(panel, outcome=y, unit=unit, period=period, treated=treated, post=post, alpha=alpha)
            rel, rel_lo, rel_hi = pfit.estimate.value, pfit.estimate.ci_low, pfit.estimate.ci_high

            def level(r: float, post_mean: float = post_mean) -> float:  # effect in the unit at relative r
                return post_mean * r / (1 + r)

            eff = Estimate(
                level(rel),
                level(rel_lo),
                level(rel_hi),
                n=pfit.estimate.n,
                p_value=pfit.estimate.p_value,
                method=pfit.estimate.method,
            )
            mde = math.expm1(minimum_detectable_effect(pfit.se, alpha=alpha))
            factors_row = {
                "trained_factor": pfit.trained_factor,
                "comparison_factor": pfit.comparison_factor,
                "effect_factor": pfit.effect_factor,
            }
        else:
            mde = minimum_detectable_effect(fit.se, alpha=alpha)
            cf = post_mean - eff.value
            scale = 1 / cf if cf != 0 and math.isfinite(cf) else math.nan
            rel = eff.value * scale
            rel_lo, rel_hi = sorted((eff.ci_low * scale, eff.ci_high * scale))
        rows.append(
            {
                "measure": y,
                "naive": naive.value,
                "naive_ci_low": naive.ci_low,
                "naive_ci_high": naive.ci_high,
                "adjusted": adjusted.value,
                "adjusted_ci_low": adjusted.ci_low,
                "adjusted_ci_high": adjusted.ci_high,
                "comparison": comp.value,
                "comparison_ci_low": comp.ci_low,
                "comparison_ci_high": comp.ci_high,
                "effect": eff.value,
                "effect_ci_low": eff.ci_low,
                "effect_ci_high": eff.ci_high,
                "effect_p_value": eff.p_value,
                "effect_se": fit.se,
                "mde": mde,
                "n_treated": fit.n_treated,
                "n_comparison": fit.n_comparison,
                "relative_effect": rel,
                "relative_ci_low": rel_lo,
                "relative_ci_high": rel_hi,
                "scale": "multiplicative" if y in multiplicative else "additive",
                **factors_row,
                "confidence": conf,
                "seasonal_source": source,
                "verdict": _verdict(y, eff, rel, alpha),
            }
        )
    return pd.DataFrame(rows)


# ---------------------------------------------------------------- staggered roll-out


def stack_cohort(
    panel: pd.DataFrame,
    trained_on: pd.Series | pd.DataFrame,
    *,
    quarter: str,
    unit: str = "employee_id",
    period: str = "month",
    before: int = 6,
    after: int = 6,
) -> pd.DataFrame:
    """A clean DiD panel for the cohort trained in one quarter of a staggered roll-out.

    With training spread over quarters, one TWFE regression on everybody uses units
    trained earlier as controls for units trained later; when effects grow over time
    those "forbidden comparisons" bias the estimate, even in sign (Goodman-Bacon 2021;
    Cengiz, Dube, Lindner & Zipperer 2019 for the stacked alternative). This function
    keeps:

    - **treated**: units whose training ended in ``quarter``;
    - **comparison**: units never trained (NaT) or not yet trained -- training ended
      after the after-window;
    - **dropped**: everyone else (trained before the quarter, or after it but before the
      after-window ends) and units not in ``trained_on``.

    Windows (calendar months, common to both groups): before = the ``before`` months
    just before the quarter; after = the ``after`` months just after it. The quarter's
    own months (training under way) are left out.

    Parameters
    ----------
    panel : DataFrame
        Unit x month panel (e.g. :func:`trackreport.data.panels.rep_month_panel`), ``period``
        holding dates.
    trained_on : Series or DataFrame
        Date each unit finished the training, NaT = never trained: a Series indexed by
        unit, or a frame with columns ``unit`` and ``training_end``.
    quarter : str
        Report quarter, e.g. ``"2025Q3"``.
    unit, period : str
        Column names in ``panel``.
    before, after : int
        Months in the before and after windows.

    Returns
    -------
    DataFrame
        The panel's rows inside the windows for kept units, with boolean columns
        ``treated`` and ``post`` added (for :func:`did`, :func:`attribution_table`).

    Examples
    --------
    >>> months = pd.date_range("2025-01-01", "2025-12-01", freq="MS")
    >>> panel = pd.DataFrame([(u, m, 1.0) for u in "abcd" for m in months],
    ...                      columns=["employee_id", "month", "sales"])
    >>> ends = pd.Series(pd.to_datetime(["2025-05-10", "2025-02-01", None, "2025-12-20"]),
    ...                  index=list("abcd"))
    >>> s = stack_cohort(panel, ends, quarter="2025Q2", before=3, after=3)
    >>> s.groupby("employee_id")["treated"].first().to_dict()
    {'a': True, 'c': False, 'd': False}
    >>> sorted(s["month"].dt.month.unique().tolist())
    [1, 2, 3, 7, 8, 9]
    """
    _require_columns(panel, [unit, period])
    if isinstance(trained_on, pd.DataFrame):
        _require_columns(trained_on, [unit, "training_end"])
        ends = trained_on.set_index(unit)["training_end"]
    else:
        ends = trained_on
    if ends.index.has_duplicates:
        raise PanelError(f"more than one training end date for some {unit}")
    ends = pd.to_datetime(ends)
    try:
        q = pd.Period(quarter, freq="Q")
    except (ValueError, TypeError) as exc:
        raise PanelError(f"quarter must look like '2025Q3', not {quarter!r}") from exc
    q_start = q.start_time.normalize()
    q_end_month = q.asfreq("M", "end")
    before_start = (q.asfreq("M", "start") - before).start_time
    after_start = (q_end_month + 1).start_time
    after_end = (q_end_month + after).end_time

    cohort = ends.index[(ends >= q_start) & (ends <= q.end_time)]
    comparison = ends.index[ends.isna() | (ends > after_end)]
    if len(cohort) == 0:
        raise PanelError(f"nobody finished the training in {quarter}")
    months = pd.to_datetime(panel[period])
    in_window = ((months >= before_start) & (months < q_start)) | ((months >= after_start) & (months <= after_end))
    keep = panel[unit].isin(cohort) | panel[unit].isin(comparison)
    out = panel.loc[in_window & keep].copy()
    out["treated"] = out[unit].isin(cohort).to_numpy(dtype=bool)
    out["post"] = (pd.to_datetime(out[period]) >= after_start).to_numpy(dtype=bool)
    return out.reset_index(drop=True)
