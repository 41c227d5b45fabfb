"""Empirical-Bayes shrinkage of many noisy estimates towards their common mean.

Used to pick stand-out people or teams without falling for regression to the mean:
the person with the largest raw jump is usually the one whose noise was largest, and
will look worse next quarter. Shrinking each estimate towards the group mean in
proportion to its noise ranks people by what we can actually believe about them.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

__all__ = ["eb_shrink"]


def eb_shrink(estimates: Any, variances: Any, *, level: float = 0.95) -> pd.DataFrame:
    """Normal-normal empirical-Bayes (Morris 1983) shrinkage of estimates y_i with known variances v_i.

    Model: y_i ~ N(theta_i, v_i), theta_i ~ N(mu, tau^2). The between-unit variance
    tau^2 is the DerSimonian-Laird method-of-moments estimate,
    tau^2 = max(0, (Q - (k - 1)) / (sum w - sum w^2 / sum w)) with w = 1/v and
    Q = sum w (y - y_w)^2; mu = sum u y / sum u with u = 1/(v + tau^2). The shrinkage
    factor is Morris's B_i = (k - 3)/(k - 1) * v_i/(v_i + tau^2) (capped at 1), which
    corrects for estimating tau^2; with equal variances it is exactly the James-Stein
    factor (k - 3) v / sum (y - mean)^2 (Efron & Morris 1975). The posterior mean is
    mu + (1 - B_i)(y_i - mu) and its variance (1 - B_i) v_i (Morris 1983, eq. 3.2, without
    the term for the uncertainty of mu); the interval is normal.

    Sources: Morris, C. N. (1983), "Parametric empirical Bayes inference: theory and
    applications", JASA 78, 47-55; Efron, B. & Morris, C. (1975), "Data analysis using
    Stein's estimator and its generalizations", JASA 70, 311-319; DerSimonian, R. &
    Laird, N. (1986), Controlled Clinical Trials 7, 177-188.

    Parameters
    ----------
    estimates, variances : array-like
        One raw estimate and its sampling variance per unit. Units with a missing
        estimate or a non-positive or missing variance get NaN and do not count.
    level : float
        Level of the posterior intervals.

    Returns
    -------
    DataFrame
        One row per input, in input order: ``estimate``, ``variance``, ``shrinkage``
        (B_i: 0 = kept as is, 1 = replaced by the mean), ``prior_mean`` (mu), ``tau2``,
        ``posterior``, ``posterior_sd``, ``ci_low``, ``ci_high``. With fewer than 4
        usable units there is nothing to learn the spread from: B_i = 0 and the
        posterior is the raw estimate.

    Examples
    --------
    >>> r = eb_shrink([10.0, 0.0, 5.0, 5.0, 6.0], [4.0, 4.0, 4.0, 4.0, 4.0])
    >>> r["posterior"].round(2).tolist()
    [9.24, 0.82, 5.03, 5.03, 5.87]
    """
    y = np.asarray(estimates, dtype=float)
    v = np.asarray(variances, dtype=float)
    ok = np.isfinite(y) & np.isfinite(v) & (v > 0)
    k = int(ok.sum())
    out = pd.DataFrame({"estimate": y, "variance": v})
    nan = np.full(len(y), math.nan)
    if k < 4:
        mu, tau2, b = math.nan, math.nan, np.where(ok, 0.0, math.nan)
    else:
        w = 1 / v[ok]
        yw = float(np.sum(w * y[ok]) / np.sum(w))
        q = float(np.sum(w * (y[ok] - yw) ** 2))
        tau2 = max(0.0, (q - (k - 1)) / (np.sum(w) - np.sum(w**2) / np.sum(w)))
        u = 1 / (v[ok] + tau2)
        mu = float(np.sum(u * y[ok]) / np.sum(u))
        b = nan.copy()
        b[ok] = np.minimum(1.0, (k - 3) / (k - 1) * v[ok] / (v[ok] + tau2))
    out["shrinkage"] = b
    out["prior_mean"] = mu
    out["tau2"] = tau2
    center = np.where(np.isfinite(mu), mu, y) if k >= 4 else y
    out["posterior"] = np.where(ok, center + (1 - b) * (y - center), math.nan)
    out["posterior_sd"] = np.where(ok, np.sqrt(np.maximum((1 - b) * v, 0.0)), math.nan)
    z = stats.norm.ppf(0.5 + level / 2)
    out["ci_low"] = out["posterior"] - z * out["posterior_sd"]
    out["ci_high"] = out["posterior"] + z * out["posterior_sd"]
    return out
