"""Reaction (Kirkpatrick level 1) statistics: satisfaction, top-2-box and reliability.

Every function is pure: array-likes or tidy frames in, an :class:`~trackreport.stats.estimate.Estimate`
or a tidy DataFrame out. Missing answers (``NaN``, ``None``, ``pd.NA``) are dropped and
``n`` counts the answers actually used. Tiny inputs give NaN bounds (or a NaN value)
instead of raising, and no function emits a RuntimeWarning.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from trackreport.stats.estimate import Estimate, proportion
from trackreport.stats.values import as_float

__all__ = [
    "clustered_mean",
    "top2box",
    "satisfaction_score",
    "likert_distribution",
    "cronbach_alpha",
    "alpha_band",
]


WILSON = "Wilson score interval"
WILSON_CLUSTERED = "Wilson score interval, effective n (clustered by questionnaire)"
ALPHA_METHOD = "Cronbach's alpha, Feldt interval"
ALPHA_UNDEFINED = "Cronbach's alpha, not computable ({reason})"


def _clean(scores: Any, clusters: Any) -> tuple[np.ndarray, np.ndarray | None]:
    """Answers as floats with the missing ones dropped, and their cluster labels alike."""
    x = as_float(scores)
    keep = ~np.isnan(x)
    if clusters is None:
        return x[keep], None
    g = pd.Series(list(clusters) if not isinstance(clusters, pd.Series) else clusters.to_numpy(), dtype=object)
    if len(g) != len(x):
        raise ValueError("`clusters` must have one label per answer")
    codes = pd.factorize(g.to_numpy()[keep])[0]
    return x[keep], codes


def _cluster_variance(x: np.ndarray, codes: np.ndarray) -> tuple[float, int]:
    """CR1 variance of the mean of ``x`` clustered by ``codes``, and the number of clusters G.

    ``V = G/(G−1) · (N−1)/(N−1) · Σ_g (Σ_{i∈g} (x_i − x̄))² / N²``: the sandwich of OLS on a
    constant (K = 1, so the (N−1)/(N−K) factor is 1), as statsmodels'
    ``OLS(x, 1).fit(cov_type="cluster")`` computes it.
    """
    n = x.size
    g = int(codes.max()) + 1 if n else 0
    if g < 2:
        return math.nan, g
    resid_sums = np.bincount(codes, weights=x - x.mean(), minlength=g)
    return float(g / (g - 1) * np.sum(resid_sums**2) / n**2), g


def clustered_mean(scores: Any, clusters: Any) -> Estimate:
    """Mean of answers with a cluster-robust 95% interval (clusters = questionnaires or people).

    Answers of one questionnaire (3 items of a dimension) or one person are correlated, so
    an interval over individual answers is too narrow (by the square root of the design
    effect ``1 + (m − 1)·ρ``; Kish 1965). The mean stays the mean of all answers; its
    variance is the cluster-robust (CR1, Liang & Zeger 1986) sandwich of OLS on a constant,
    ``V = G/(G−1) · Σ_g (Σ_{i∈g} e_i)² / N²`` with ``e_i = x_i − x̄``, and the interval is
    ``x̄ ± t(0.975, G−1) · √V`` (Cameron & Miller 2015, *J. Human Resources* 50:317, §VI);
    the same as statsmodels ``OLS(x, ones).fit(cov_type="cluster",
    cov_kwds={"groups": g}, use_t=True)``. ``n`` counts the clusters (respondents);
    fewer than 2 clusters give NaN bounds.

    Parameters
    ----------
    scores : array-like
        Answers; missing ones are dropped with their labels.
    clusters : array-like
        One label per answer (``response_id``).

    Examples
    --------
    >>> e = clustered_mean([5, 5, 4, 4, 3, 3], ["a", "a", "b", "b", "c", "c"])
    >>> e.value, e.n, round(e.ci_low, 3), round(e.ci_high, 3)
    (4.0, 3, 1.516, 6.484)
    """
    x, codes = _clean(scores, clusters)
    method = "mean, t interval clustered by respondent (CR1)"
    if x.size == 0:
        return Estimate(math.nan, n=0, method=method)
    var, g = _cluster_variance(x, codes)
    mean = float(x.mean())
    if math.isnan(var):
        return Estimate(mean, n=g, method=method)
    half = float(stats.t.ppf(0.975, g - 1)) * math.sqrt(var)
    return Estimate(mean, mean - half, mean + half, n=g, method=method)


def top2box(scores: Any, *, scale: int = 5, clusters: Any = None) -> Estimate:
    """Share of answers in the top two boxes (4-5 on a 1-5 scale), with a Wilson interval.

    ``value = #{answer >= scale - 1} / n`` over the non-missing answers; the 95%
    interval is the Wilson (1927) score interval
    ``(p + z²/2n ± z·sqrt(p(1−p)/n + z²/4n²)) / (1 + z²/n)``, chosen because it keeps
    its coverage for small n and shares near 0 or 1 (Agresti & Coull 1998; Brown, Cai
    & DasGupta 2001, Statistical Science 16:101), where the Wald interval fails.

    Parameters
    ----------
    scores : array-like
        Likert answers 1..``scale``; missing answers are dropped.
    scale : int, default 5
        Number of answer options; the top two boxes are ``scale - 1`` and ``scale``.
    clusters : array-like, optional
        One label per answer (``response_id``). Answers of one questionnaire are not
        independent (issue 9, finding 4): the interval is then Wilson's with the
        *effective* sample size ``n_eff = p(1−p) / V``, V the cluster-robust (CR1)
        variance of the share (:func:`clustered_mean` on the 0/1 indicators), capped at
        the number of answers; at p = 0 or 1 (V = 0) ``n_eff`` is the number of clusters.
        This is Korn & Graubard's (1998, *Survey Methodology* 24:193) design-effect
        adjustment, applied to the Wilson interval as Kott & Carr (1997) and Dean &
        Pagano (2015, *J. Survey Stat. Methodol.* 3:191) recommend.

    Returns
    -------
    Estimate
        ``value`` the share (0-1), ``n`` the answers counted (the clusters with
        ``clusters``); NaN value when n = 0.

    Examples
    --------
    >>> e = top2box([5, 4, 4, 3, 2, None])
    >>> e.value, e.n
    (0.6, 5)
    >>> round(e.ci_low, 3), round(e.ci_high, 3)
    (0.231, 0.882)
    >>> e = top2box([5, 4, 4, 3, 2, 1], clusters=["a", "a", "b", "b", "c", "c"])
    >>> e.value, e.n, round(e.ci_low, 3), round(e.ci_high, 3)
    (0.5, 3, 0.125, 0.875)
    """
    x, codes = _clean(scores, clusters)
    k, n = int(np.sum(x >= scale - 1)), int(x.size)
    if codes is None:
        return proportion(k, n)
    if n == 0:
        return Estimate(math.nan, n=0, method=WILSON_CLUSTERED)
    p = k / n
    var, g = _cluster_variance((x >= scale - 1).astype("float64"), codes)
    if math.isnan(var):
        return Estimate(p, n=g, method=WILSON_CLUSTERED)
    n_eff = min(float(n), p * (1 - p) / var) if var > 0 else float(g)
    e = _wilson(p, n_eff)
    return Estimate(p, e[0], e[1], n=g, method=WILSON_CLUSTERED)


def _wilson(p: float, n: float) -> tuple[float, float]:
    """Wilson 95% bounds of a share ``p`` for a (possibly fractional, effective) sample size n."""
    z = 1.959963984540054
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return (0.0 if p == 0 else max(0.0, centre - half)), (1.0 if p == 1 else min(1.0, centre + half))


def satisfaction_score(scores: Any, *, scale: int = 5, clusters: Any = None) -> Estimate:
    """The deck's 100-point satisfaction score: mean answer × 100/scale (×20 on 1-5).

    ``value = mean(x) · 100/scale`` (4.25 → 85); the 95% interval is the Student t
    interval of the mean, ``mean ± t(0.975, n−1) · s/√n``, scaled the same way and
    clipped to the attainable range ``[100/scale, 100]`` (with few answers the t
    interval can pass the ends of a bounded scale). Missing answers are dropped.
    n = 1 gives NaN bounds; n = 0 a NaN value. The p-value is NaN (a test against
    zero is meaningless here).

    Parameters
    ----------
    scores : array-like
        Likert answers 1..``scale``.
    scale : int, default 5
        Top of the answer scale; it maps to 100 points.
    clusters : array-like, optional
        One label per answer (``response_id``): the interval is then cluster-robust over
        the questionnaires (:func:`clustered_mean`, t with G−1 df) and ``n`` counts them
        (issue 9, finding 4: the ~3 answers of a questionnaire are correlated, and an
        interval over answers was up to 2x too narrow).

    Examples
    --------
    >>> e = satisfaction_score([4, 5, 4, 4, 3, 5, 4, 5])
    >>> e.value
    85.0
    >>> round(e.ci_low, 1), round(e.ci_high, 1)
    (73.2, 96.8)
    >>> e = satisfaction_score([4, 5, 4, 4, 3, 5, 4, 5], clusters="aabbccdd")
    >>> e.value, e.n, round(e.ci_low, 1), round(e.ci_high, 1)
    (85.0, 4, 75.8, 94.2)
    """
    factor = 100.0 / scale
    if clusters is not None:
        e = clustered_mean(scores, list(clusters))
        method = f"mean x {100 / scale:g}, t interval clustered by respondent (clipped to scale)"
        if math.isnan(e.ci_low):
            return Estimate(e.value * factor, n=e.n, method=method)
        low, high = max(e.ci_low * factor, factor), min(e.ci_high * factor, 100.0)
        return Estimate(e.value * factor, low, high, n=e.n, method=method)
    x = as_float(scores)
    x = x[~np.isnan(x)]
    n = int(x.size)
    method = f"mean x {100 / scale:g}, t interval (clipped to scale)"
    if n == 0:
        return Estimate(math.nan, n=0, method=method)
    mean = float(np.mean(x))
    if n < 2:
        return Estimate(mean * factor, n=n, method=method)
    sd = float(np.std(x, ddof=1)) if np.ptp(x) > 0 else 0.0
    half = float(stats.t.ppf(0.975, n - 1)) * sd / math.sqrt(n)
    low = max((mean - half) * factor, factor)
    high = min((mean + half) * factor, 100.0)
    return Estimate(mean * factor, low, high, n=n, method=method)


def likert_distribution(
    answers: pd.DataFrame | pd.Series | Sequence[Any],
    *,
    by: str | Sequence[str] | None = None,
    value: str = "answer",
    scale: int = 5,
) -> pd.DataFrame:
    """Tidy shares of each answer 1..``scale`` per group, for a diverging stacked bar chart.

    Parameters
    ----------
    answers : DataFrame, Series or array-like
        A frame with an ``answer`` column (as in ``reaction_surveys``) and the ``by``
        columns, or a bare series/array of answers (then ``by`` must be None).
    by : str or list of str, optional
        Grouping columns (for example ``"dimension"`` or ``["course_id", "item_id"]``).
    value : str, default "answer"
        Column holding the answers when ``answers`` is a frame.
    scale : int, default 5
        Answers counted are 1..``scale``.

    Returns
    -------
    DataFrame
        One row per group and answer with columns ``*by, answer, count, n, share``;
        every answer 1..``scale`` appears (count 0 when nobody chose it). ``n`` counts the
        group's non-missing answers; ``share = count / n`` (NaN when n = 0). A group whose
        answers are all missing keeps its rows with n = 0.

    Examples
    --------
    >>> df = pd.DataFrame({"dimension": ["trainer"] * 4, "answer": [5, 4, 4, None]})
    >>> likert_distribution(df, by="dimension")[["answer", "count", "n", "share"]].tail(2)
       answer  count  n     share
    3       4      2  3  0.666667
    4       5      1  3  0.333333
    """
    keys = [] if by is None else ([by] if isinstance(by, str) else list(by))
    if isinstance(answers, pd.DataFrame):
        frame = answers[keys + [value]].copy()
    else:
        if keys:
            raise ValueError("`by` needs a DataFrame holding the grouping columns")
        frame = pd.DataFrame({value: as_float(answers)})
    frame["_answer"] = as_float(frame[value])
    levels = np.arange(1, scale + 1)
    frame["_dummy"] = 0

    def one(group: pd.DataFrame) -> pd.DataFrame:
        x = group["_answer"].to_numpy()
        x = x[~np.isnan(x)]
        counts = np.array([int(np.sum(x == lv)) for lv in levels], dtype="int64")
        n = int(x.size)
        share = counts / n if n else np.full(levels.size, np.nan)
        return pd.DataFrame({"answer": levels, "count": counts, "n": n, "share": share})

    if not keys:
        return one(frame)
    parts = []
    for key, group in frame.groupby(keys, sort=True, dropna=False, observed=True):
        part = one(group)
        for col, k in zip(keys, key if isinstance(key, tuple) else (key,), strict=True):
            part.insert(keys.index(col), col, k)
        parts.append(part)
    if not parts:
        return pd.DataFrame(columns=keys + ["answer", "count", "n", "share"])
    out = pd.concat(parts, ignore_index=True)
    for col in keys:
        out[col] = out[col].astype(answers[col].dtype)
    return out


def cronbach_alpha(items: pd.DataFrame | np.ndarray | Sequence[Sequence[float]]) -> Estimate:
    """Cronbach's (1951) alpha of a set of items, with Feldt's 95% interval.

    ``alpha = k/(k−1) · (1 − Σ s²_item / s²_total)`` with sample variances (ddof = 1),
    k items (columns) and n respondents (rows). Interval (Feldt 1965; Feldt, Woodruff
    & Salih 1987, Applied Psychological Measurement 11:93), with
    ``df1 = n−1``, ``df2 = (n−1)(k−1)``::

        low  = 1 − (1 − alpha) · F(0.975; df1, df2)
        high = 1 − (1 − alpha) · F(0.025; df1, df2)

    Missing answers: listwise deletion, the standard for alpha (SPSS RELIABILITY,
    R ``psych::alpha`` with ``use="complete.obs"``): respondents with any missing item
    are dropped and ``n`` counts the complete respondents. The p-value is NaN.

    When alpha cannot be computed (fewer than 2 items, fewer than 2 complete
    respondents, or a total score with zero variance) the value and bounds are NaN and
    ``method`` is ``"Cronbach's alpha, not computable (<reason>)"``; nothing is raised
    or warned.

    Parameters
    ----------
    items : DataFrame or 2-D array-like
        One column per item, one row per respondent (pivot ``reaction_surveys`` with
        ``df.pivot(index="response_id", columns="item_id", values="answer")``).

    Examples
    --------
    >>> e = cronbach_alpha([[1, 2, 2], [2, 2, 3], [3, 4, 3], [4, 4, 5], [5, 5, 4]])
    >>> round(e.value, 3), e.n
    (0.929, 5)
    >>> alpha_band(e.value)
    'excellent'
    """
    frame = items if isinstance(items, pd.DataFrame) else pd.DataFrame(list(items))
    x = np.empty((len(frame), frame.shape[1]))
    for j in range(frame.shape[1]):
        x[:, j] = as_float(frame.iloc[:, j])
    x = x[~np.isnan(x).any(axis=1)]  # listwise deletion
    n, k = x.shape

    def undefined(reason: str) -> Estimate:
        return Estimate(math.nan, n=n, method=ALPHA_UNDEFINED.format(reason=reason))

    if k < 2:
        return undefined("fewer than 2 items")
    if n < 2:
        return undefined("fewer than 2 complete respondents")
    total_var = float(np.var(x.sum(axis=1), ddof=1))
    if not total_var > 0:
        return undefined("total score has zero variance")
    alpha = k / (k - 1) * (1 - float(np.var(x, axis=0, ddof=1).sum()) / total_var)
    df1, df2 = n - 1, (n - 1) * (k - 1)
    low = 1 - (1 - alpha) * float(stats.f.ppf(0.975, df1, df2))
    high = 1 - (1 - alpha) * float(stats.f.ppf(0.025, df1, df2))
    return Estimate(alpha, low, high, n=n, method=ALPHA_METHOD)


def alpha_band(alpha: float) -> str:
    """George & Mallery (2003) label for an alpha value.

    ≥ .9 excellent, ≥ .8 good, ≥ .7 acceptable, ≥ .6 questionable, ≥ .5 poor, else
    unacceptable; NaN gives ``"not computable"``. (George, D. & Mallery, P. (2003).
    *SPSS for Windows step by step*, 4th ed., p. 231.)

    Examples
    --------
    >>> alpha_band(0.85), alpha_band(0.7), alpha_band(0.2)
    ('good', 'acceptable', 'unacceptable')
    """
    if alpha is None or math.isnan(alpha):
        return "not computable"
    bands = ((0.9, "excellent"), (0.8, "good"), (0.7, "acceptable"), (0.6, "questionable"), (0.5, "poor"))
    for cut, label in bands:
        if alpha >= cut:
            return label
    return "unacceptable"
