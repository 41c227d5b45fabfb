"""Time-to-event: the Kaplan-Meier product-limit estimator with Greenwood intervals."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from trackreport.stats.estimate import Estimate

__all__ = ["kaplan_meier", "survival_at", "km_median"]

Z = 1.959963984540054


def kaplan_meier(durations, events) -> pd.DataFrame:
    """Kaplan-Meier estimate of the survival function, with pointwise 95% intervals.

    At each distinct event time t_j with n_j at risk (duration >= t_j) and d_j events,
    S(t_j) = prod_{i <= j} (1 - d_i / n_i) (Kaplan & Meier 1958). Greenwood's variance
    Var S = S² Σ d_i / (n_i (n_i - d_i)); the interval is on the log(-log S) scale
    (Kalbfleisch & Prentice 2002, the "exponential Greenwood" interval of lifelines):
    S^{exp(± z·σ)}, σ = sqrt(Σ d_i/(n_i(n_i-d_i))) / |log S|. A censored duration tied
    with an event time counts as at risk at that time.

    Parameters
    ----------
    durations : array-like of float
        Time from the origin to the event or censoring (>= 0).
    events : array-like of bool
        True when the event was observed, False when the duration is censored.

    Returns
    -------
    DataFrame
        One row per distinct event time: ``time``, ``at_risk``, ``events``,
        ``survival``, ``se`` (Greenwood), ``ci_low``, ``ci_high``.

    Examples
    --------
    Gehan's 6-MP arm (Freireich et al. 1963), the textbook example (Kleinbaum & Klein
    2012, table 2.2):

    >>> t = [6, 6, 6, 6, 7, 9, 10, 10, 11, 13, 16, 17, 19, 20, 22, 23, 25, 32, 32, 34, 35]
    >>> e = [1, 1, 1, 0, 1, 0, 1, 0, 0, 1, 1, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0]
    >>> kaplan_meier(t, e)["survival"].round(3).tolist()
    [0.857, 0.807, 0.753, 0.69, 0.627, 0.538, 0.448]
    """
    t = np.asarray(durations, dtype=float)
    d = np.asarray(events, dtype=bool)
    times = np.unique(t[d])
    rows, s, g = [], 1.0, 0.0
    for tj in times:
        n = int((t >= tj).sum())
        k = int((d & (t == tj)).sum())
        s *= 1 - k / n
        g = g + k / (n * (n - k)) if n > k else math.inf
        se = s * math.sqrt(g) if math.isfinite(g) else math.nan
        if 0 < s < 1 and math.isfinite(g):
            sig = math.sqrt(g) / abs(math.log(s))
            lo, hi = s ** math.exp(Z * sig), s ** math.exp(-Z * sig)
        else:
            lo = hi = math.nan
        rows.append({"time": tj, "at_risk": n, "events": k, "survival": s, "se": se, "ci_low": lo, "ci_high": hi})
    return pd.DataFrame(rows, columns=["time", "at_risk", "events", "survival", "se", "ci_low", "ci_high"])


def survival_at(curve: pd.DataFrame, time: float, *, n: int, event_share: bool = True) -> Estimate:
    """The Kaplan-Meier estimate at ``time`` (the last step at or before it) as an
    :class:`Estimate`; with ``event_share`` the share with the event by then, 1 − S(t),
    and its interval flipped. Before the first event S = 1 (no interval).

    Examples
    --------
    >>> c = kaplan_meier([1, 2, 3, 4], [1, 0, 1, 0])
    >>> round(survival_at(c, 3.5, n=4).value, 3)
    0.625
    """
    step = curve.loc[(curve["time"] <= time).to_numpy()]
    method = "Kaplan-Meier, log(-log) Greenwood interval"
    if step.empty:
        return Estimate(0.0 if event_share else 1.0, n=n, method=method)
    s, lo, hi = (float(step.iloc[-1][c]) for c in ("survival", "ci_low", "ci_high"))
    if event_share:
        return Estimate(1 - s, 1 - hi, 1 - lo, n=n, method=method)
    return Estimate(s, lo, hi, n=n, method=method)


def km_median(durations, events) -> Estimate:
    """Kaplan-Meier median time to the event with the Brookmeyer-Crowley 95% interval.

    Median: the first event time at which S(t) < 0.5 (SAS LIFETEST's and statsmodels'
    convention); NaN when the curve never falls below 0.5. Interval: the event times t
    whose test of ``S(t) = 0.5`` is not rejected at 5% on the log(-log) scale,
    ``|g(S(t)) − g(0.5)| / (|g'(S(t))| · se(t)) <= z`` with ``g(x) = log(−log x)`` and
    Greenwood's ``se`` (Brookmeyer & Crowley 1982, *Biometrics* 38:29; SAS/STAT
    LIFETEST, "Breslow, Fleming-Harrington and Kaplan-Meier methods"); the upper bound
    is the next event time after the last accepted one, infinite when there is none, as
    statsmodels ``SurvfuncRight.quantile_ci(0.5)`` (against which it is tested).
    ``n`` counts the durations.

    Examples
    --------
    >>> t = [6, 6, 6, 6, 7, 9, 10, 10, 11, 13, 16, 17, 19, 20, 22, 23, 25, 32, 32, 34, 35]
    >>> e = [1, 1, 1, 0, 1, 0, 1, 0, 0, 1, 1, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0]
    >>> m = km_median(t, e)  # Gehan's 6-MP arm: S stays above 0.5 until week 23
    >>> m.value, m.ci_low, m.ci_high, m.n
    (23.0, 13.0, inf, 21)
    """
    t = np.asarray(durations, dtype=float)
    method = "Kaplan-Meier median, Brookmeyer-Crowley interval (log(-log))"
    curve = kaplan_meier(t, events)
    if curve.empty:
        return Estimate(math.nan, n=int(t.size), method=method)
    s = curve["survival"].to_numpy()
    se = curve["se"].to_numpy()
    times = curve["time"].to_numpy()
    below = np.flatnonzero(s < 0.5)
    median = float(times[below[0]]) if below.size else math.nan
    with np.errstate(divide="ignore", invalid="ignore"):
        g = np.log(-np.log(s))
        gprime = -1 / (s * np.log(s))
        r = (g - math.log(-math.log(0.5))) / (gprime * se)
    ok = np.flatnonzero(np.abs(r) <= Z)
    if ok.size == 0:
        return Estimate(median, n=int(t.size), method=method)
    low = float(times[ok[0]])
    high = math.inf if ok[-1] == times.size - 1 else float(times[ok[-1] + 1])
    return Estimate(median, low, high, n=int(t.size), method=method)
