"""Learning (Kirkpatrick level 2) statistics: pre/post change, effect sizes, gains, items.

Every function is pure: array-likes or tidy frames in, an :class:`~trackreport.stats.estimate.Estimate`
or a tidy DataFrame out. Pre/post functions work on pairs: two Series are aligned on
their index (each index must then be unique), other array-likes by position, and a
pair with either value missing is dropped; ``n`` counts the complete pairs. Tiny inputs
give NaN bounds (or a NaN value) instead of raising, and no function emits a
RuntimeWarning.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy import optimize, stats

from trackreport.stats.estimate import Estimate, proportion
from trackreport.stats.values import as_float

__all__ = [
    "paired_change",
    "cohens_d",
    "normalized_gain",
    "gain_band",
    "pass_rate",
    "item_analysis",
    "weakest_topics",
    "change_by_group",
]

_Z95 = float(stats.norm.ppf(0.975))

PAIRED_T = "paired t"
D_Z_NCT = "Cohen's d_z, noncentral t interval"
D_Z_NORMAL = "Cohen's d_z, normal approximation"
D_AV_DELTA = "Cohen's d_av, delta-method normal interval"
GAIN_DELTA = "Hake normalized gain, delta-method normal interval"


def _pairs(pre: Any, post: Any) -> tuple[np.ndarray, np.ndarray]:
    """Complete (pre, post) pairs as two float arrays."""
    if isinstance(pre, pd.Series) and isinstance(post, pd.Series) and not pre.index.equals(post.index):
        if not (pre.index.is_unique and post.index.is_unique):
            raise ValueError("pre and post Series are aligned on their index, which must be unique")
        pre, post = pre.align(post, join="inner")
    a, b = as_float(pre), as_float(post)
    if a.size != b.size:
        raise ValueError(f"pre and post differ in length ({a.size} vs {b.size})")
    keep = ~(np.isnan(a) | np.isnan(b))
    return a[keep], b[keep]


def _sd(x: np.ndarray) -> float:
    """Sample SD (ddof = 1); exactly 0 when all values are equal (no rounding residue)."""
    if x.size < 2 or np.ptp(x) == 0:
        return 0.0
    return float(np.std(x, ddof=1))


def _paired_t(d: np.ndarray) -> tuple[float, float, float]:
    """Mean difference, half-width of its 95% t interval and the two-sided p-value.

    Needs ``d.size >= 2``. With zero spread the interval has zero width and the
    p-value follows the limit of the t statistic: 0 when the mean differs from 0,
    NaN when the mean is 0 (t = 0/0), as :func:`scipy.stats.ttest_rel` does.
    """
    n = d.size
    mean = float(np.mean(d))
    sd = _sd(d)
    if sd == 0:
        return mean, 0.0, (math.nan if mean == 0 else 0.0)
    se = sd / math.sqrt(n)
    half = float(stats.t.ppf(0.975, n - 1)) * se
    p = float(2 * stats.t.sf(abs(mean / se), n - 1))
    return mean, half, p


def paired_change(pre: Any, post: Any) -> Estimate:
    """Mean change post − pre over complete pairs, with the paired t interval and p-value.

    ``value = mean(d)``, ``d = post − pre``; ``mean(d) ± t(0.975, n−1) · s_d/√n``; the
    p-value is the two-sided paired (dependent-samples) t test, ``t = mean(d)/(s_d/√n)``
    with ``n − 1`` df (Student 1908; e.g. Lakens 2013, Frontiers in Psychology 4:863,
    eq. 7). n = 1 gives NaN bounds and p-value; n = 0 a NaN value.

    Parameters
    ----------
    pre, post : Series or array-like
        Scores before and after; Series are aligned on their index.

    Examples
    --------
    >>> e = paired_change([60, 70, 80, 90], [70, 75, 90, 95])
    >>> e.value, e.n, round(e.p_value, 4)
    (7.5, 4, 0.0138)
    >>> round(e.ci_low, 2), round(e.ci_high, 2)
    (2.91, 12.09)
    """
    a, b = _pairs(pre, post)
    n = int(a.size)
    if n == 0:
        return Estimate(math.nan, n=0, method=PAIRED_T)
    d = b - a
    if n == 1:
        return Estimate(float(d[0]), n=1, method=PAIRED_T)
    mean, half, p = _paired_t(d)
    return Estimate(mean, mean - half, mean + half, n=n, p_value=p, method=PAIRED_T)


def _nct_interval(t_obs: float, df: int) -> tuple[float, float]:
    """95% interval for the noncentrality parameter given an observed t (test inversion).

    Finds ncp_lo with P(T <= t_obs | ncp_lo) = 0.975 and ncp_hi with
    P(T <= t_obs | ncp_hi) = 0.025 (Steiger & Fouladi 1997; Cumming & Finch 2001).
    Raises ValueError when no bracket is found.
    """

    def solve(target: float, direction: float) -> float:
        def f(ncp: float) -> float:
            return float(stats.nct.cdf(t_obs, df, ncp)) - target

        step = max(1.0, abs(t_obs))
        inner = t_obs
        for _ in range(60):
            outer = t_obs + direction * step
            if f(outer) * f(inner) <= 0:
                lo, hi = sorted((inner, outer))
                return float(optimize.brentq(f, lo, hi, xtol=1e-10))
            inner, step = outer, step * 2
        raise ValueError("no bracket for the noncentrality parameter")

    return solve(0.975, -1.0), solve(0.025, 1.0)


def cohens_d(pre: Any, post: Any, *, kind: str = "z") -> Estimate:
    """Standardized mean change for paired data, Cohen's d_z or d_av (Lakens 2013).

    With ``d = post − pre`` over complete pairs (Lakens 2013, Frontiers in Psychology
    4:863, eqs. 6 and 10):

    - ``kind="z"``: ``d_z = mean(d) / s_d``. 95% interval by inverting the noncentral t
      distribution of ``t = d_z·√n`` with ``n − 1`` df (Steiger & Fouladi 1997; Cumming
      & Finch 2001), bounds ``ncp/√n``. This is exact under normality. If the root
      search fails (extreme t), the normal approximation
      ``d_z ± 1.96·sqrt(1/n + d_z²/(2n))`` is used and ``method`` says so.
    - ``kind="av"``: ``d_av = mean(d) / ((s_pre + s_post)/2)``. No exact interval
      exists; the 95% interval is a delta-method normal approximation derived under
      bivariate normality (sample mean independent of the SDs,
      Var(s_i) ≈ σ_i²/(2(n−1)), Cov(s_pre, s_post) ≈ ρ²σ_preσ_post/(2(n−1))) ::

          Var(d_av) ≈ s_d²/(n·s_av²) + d_av²·(s_pre² + s_post² + 2r²·s_pre·s_post)/(8(n−1)·s_av²)

      (with one SD instead of the average it reduces to Becker's 1988 formula
      ``2(1−r)/n + d²/(2n)``).

    The p-value is the paired t test's (d = 0 exactly when the mean change is 0).
    Fewer than 2 pairs, or a zero denominator SD, give a NaN value.

    Parameters
    ----------
    pre, post : Series or array-like
        Scores before and after; Series are aligned on their index.
    kind : {"z", "av"}
        Which standardizer.

    Raises
    ------
    ValueError
        If ``kind`` is not "z" or "av".

    Examples
    --------
    Lakens' (2013) movie-rating example (Table 1):

    >>> movie1 = [9, 7, 8, 9, 8, 9, 9, 10, 9, 9]
    >>> movie2 = [9, 6, 7, 8, 7, 9, 8, 8, 8, 7]
    >>> round(cohens_d(movie2, movie1).value, 2)
    1.5
    >>> round(cohens_d(movie2, movie1, kind="av").value, 2)
    1.13
    """
    if kind not in ("z", "av"):
        raise ValueError(f'kind must be "z" or "av", not {kind!r}')
    a, b = _pairs(pre, post)
    n = int(a.size)
    method = D_Z_NCT if kind == "z" else D_AV_DELTA
    if n < 2:
        return Estimate(math.nan, n=n, method=method)
    d = b - a
    mean, _, p = _paired_t(d)
    s_d = _sd(d)
    if kind == "z":
        if s_d == 0:
            return Estimate(math.nan, n=n, p_value=p, method=method)
        dz = mean / s_d
        try:
            lo, hi = _nct_interval(dz * math.sqrt(n), n - 1)
            return Estimate(dz, lo / math.sqrt(n), hi / math.sqrt(n), n=n, p_value=p, method=D_Z_NCT)
        except (ValueError, RuntimeError):
            half = _Z95 * math.sqrt(1 / n + dz**2 / (2 * n))
            return Estimate(dz, dz - half, dz + half, n=n, p_value=p, method=D_Z_NORMAL)
    s1, s2 = _sd(a), _sd(b)
    s_av = (s1 + s2) / 2
    if s_av == 0:
        return Estimate(math.nan, n=n, p_value=p, method=method)
    dav = mean / s_av
    cov = float(np.cov(a, b, ddof=1)[0, 1])
    r2s1s2 = cov**2 / (s1 * s2) if s1 * s2 > 0 else 0.0  # r² · s1 · s2
    var = s_d**2 / (n * s_av**2) + dav**2 * (s1**2 + s2**2 + 2 * r2s1s2) / (8 * (n - 1) * s_av**2)
    half = _Z95 * math.sqrt(var)
    return Estimate(dav, dav - half, dav + half, n=n, p_value=p, method=method)


def normalized_gain(pre: Any, post: Any, *, max_score: float = 100) -> Estimate:
    """Hake's (1998) class-average normalized gain ⟨g⟩ over matched pre/post pairs.

    ``<g> = (mean(post) − mean(pre)) / (max_score − mean(pre))`` — the actual average
    gain over the largest possible one (Hake 1998, American Journal of Physics 66:64,
    eq. 1, with %scores, i.e. ``max_score = 100``). Pairs are matched as in
    :func:`paired_change`.

    95% interval: delta method with a normal quantile. Writing ``A = max − mean(post)``
    and ``B = max − mean(pre)`` (so ``g = 1 − A/B``)::

        Var(g) ≈ [s_post² − 2(A/B)·cov(pre, post) + (A/B)²·s_pre²] / (n·B²)

    chosen over a bootstrap because it is deterministic and cheap across many groups
    (the tests check it against a seeded bootstrap). The p-value is NaN (use
    :func:`paired_change`). A class already at the maximum (B ≤ 0) or no pairs give a
    NaN value; n = 1 gives NaN bounds. See :func:`gain_band` for Hake's bands.

    Parameters
    ----------
    pre, post : Series or array-like
        Scores before and after, on a 0..``max_score`` scale.
    max_score : float, default 100
        Highest possible score.

    Examples
    --------
    >>> e = normalized_gain([40, 50, 60], [70, 70, 80])
    >>> round(e.value, 3), gain_band(e.value)
    (0.467, 'medium')
    """
    a, b = _pairs(pre, post)
    n = int(a.size)
    if n == 0:
        return Estimate(math.nan, n=0, method=GAIN_DELTA)
    mean_pre, mean_post = float(np.mean(a)), float(np.mean(b))
    big_b = max_score - mean_pre
    if not big_b > 0:
        return Estimate(math.nan, n=n, method=GAIN_DELTA)
    g = (mean_post - mean_pre) / big_b
    if n < 2:
        return Estimate(g, n=n, method=GAIN_DELTA)
    ratio = (max_score - mean_post) / big_b
    cov = float(np.cov(a, b, ddof=1)[0, 1]) if _sd(a) > 0 and _sd(b) > 0 else 0.0
    var = (_sd(b) ** 2 - 2 * ratio * cov + ratio**2 * _sd(a) ** 2) / (n * big_b**2)
    half = _Z95 * math.sqrt(max(var, 0.0))
    return Estimate(g, g - half, g + half, n=n, method=GAIN_DELTA)


def gain_band(g: float) -> str:
    """Hake's (1998) band of a normalized gain: low < 0.3 ≤ medium < 0.7 ≤ high.

    Hake defines "high-g" as ⟨g⟩ ≥ 0.7, "medium-g" as 0.3 ≤ ⟨g⟩ < 0.7 and "low-g" as
    ⟨g⟩ < 0.3, so exactly 0.7 is high. NaN gives ``"not computable"``.

    Examples
    --------
    >>> gain_band(0.23), gain_band(0.3), gain_band(0.7)
    ('low', 'medium', 'high')
    """
    if g is None or math.isnan(g):
        return "not computable"
    if g >= 0.7:
        return "high"
    if g >= 0.3:
        return "medium"
    return "low"


def pass_rate(scores: Any, *, threshold: float) -> Estimate:
    """Share of non-missing scores at or above ``threshold``, with a Wilson interval.

    ``value = #{score >= threshold} / n``; 95% Wilson (1927) score interval
    ``(p + z²/2n ± z·sqrt(p(1−p)/n + z²/4n²)) / (1 + z²/n)`` (Brown, Cai & DasGupta
    2001). n = 0 gives a NaN value.

    Examples
    --------
    >>> e = pass_rate([55, 60, 72, 90, None], threshold=60)
    >>> e.value, e.n
    (0.75, 4)
    """
    x = as_float(scores)
    x = x[~np.isnan(x)]
    return proportion(int(np.sum(x >= threshold)), int(x.size))


def _item_frame(items: pd.DataFrame) -> pd.DataFrame:
    frame = items[["employee_id", "item_id", "topic", "correct"]].copy()
    frame["_y"] = as_float(frame["correct"])
    frame = frame[~np.isnan(frame["_y"].to_numpy())]
    if frame.duplicated(["employee_id", "item_id"]).any():
        raise ValueError("item_analysis needs one answer per employee and item: filter to one test and phase first")
    return frame


def item_analysis(items: pd.DataFrame) -> pd.DataFrame:
    """Classical item statistics: difficulty, point-biserial discrimination, upper-lower index.

    For each item, over the people who answered it:

    - ``difficulty`` (the p-value of classical test theory): share correct.
    - ``discrimination``: corrected point-biserial correlation, the Pearson correlation
      between the item (0/1) and the rest score (the person's number correct on the
      *other* items), ``r = (M1 − M0)/s · sqrt(p·q)`` with population SD ``s`` (Crocker &
      Algina 1986, ch. 14). NaN when the item or the rest score does not vary.
    - ``upper_lower``: Kelley's (1939) index ``D = p_upper − p_lower`` between the top
      and bottom 27% (``round(0.27·n)``, at least 1 person) by total score; ties in
      total score are broken by ``employee_id``. NaN when n < 2.

    Parameters
    ----------
    items : DataFrame
        Tidy answers of one test and phase with columns ``employee_id``, ``item_id``,
        ``topic`` and ``correct`` (bool or 0/1; missing answers are dropped).

    Returns
    -------
    DataFrame
        Columns ``item_id, topic, n, difficulty, discrimination, upper_lower``, one row
        per item, sorted by ``item_id``.

    Raises
    ------
    ValueError
        If a person answered an item more than once (several tests or phases mixed).

    Examples
    --------
    >>> df = pd.DataFrame({
    ...     "employee_id": ["a", "a", "b", "b", "c", "c"],
    ...     "item_id": ["q1", "q2"] * 3,
    ...     "topic": ["price", "spec"] * 3,
    ...     "correct": [True, True, True, False, False, False],
    ... })
    >>> item_analysis(df)[["item_id", "n", "difficulty", "upper_lower"]]
      item_id  n  difficulty  upper_lower
    0      q1  3    0.666667          1.0
    1      q2  3    0.333333          1.0
    """
    frame = _item_frame(items)
    frame["_total"] = frame.groupby("employee_id")["_y"].transform("sum")
    frame["_rest"] = frame["_total"] - frame["_y"]
    rows = []
    for item_id, g in frame.groupby("item_id", sort=True):
        y = g["_y"].to_numpy()
        rest = g["_rest"].to_numpy()
        n = int(y.size)
        pbis = math.nan
        if n >= 2 and np.ptp(y) > 0 and np.ptp(rest) > 0:
            p = float(np.mean(y))
            m1, m0 = float(np.mean(rest[y == 1])), float(np.mean(rest[y == 0]))
            pbis = (m1 - m0) / float(np.std(rest)) * math.sqrt(p * (1 - p))
        d_index = math.nan
        if n >= 2:
            ranked = g.sort_values(["_total", "employee_id"], ascending=[False, True])["_y"].to_numpy()
            m = max(1, int(math.floor(0.27 * n + 0.5)))
            d_index = float(np.mean(ranked[:m]) - np.mean(ranked[-m:]))
        rows.append(
            {
                "item_id": item_id,
                "topic": g["topic"].iloc[0],
                "n": n,
                "difficulty": float(np.mean(y)) if n else math.nan,
                "discrimination": pbis,
                "upper_lower": d_index,
            }
        )
    cols = ["item_id", "topic", "n", "difficulty", "discrimination", "upper_lower"]
    return pd.DataFrame(rows, columns=cols)


def weakest_topics(items: pd.DataFrame, *, k: int = 3) -> pd.DataFrame:
    """The ``k`` topics with the lowest share of correct answers, with Wilson intervals.

    ``share_correct`` pools every answer on the topic's items; its 95% interval is the
    Wilson score interval (treats answers as independent, so it is narrower than a
    person-clustered interval would be). Ties are ordered by topic name.

    Parameters
    ----------
    items : DataFrame
        As for :func:`item_analysis`.
    k : int, default 3
        Number of topics returned.

    Returns
    -------
    DataFrame
        Columns ``topic, n_items, n, share_correct, ci_low, ci_high``, weakest first.

    Examples
    --------
    >>> df = pd.DataFrame({
    ...     "employee_id": ["a", "a", "b", "b"],
    ...     "item_id": ["q1", "q2", "q1", "q2"],
    ...     "topic": ["price", "spec", "price", "spec"],
    ...     "correct": [True, False, True, True],
    ... })
    >>> weakest_topics(df, k=1)[["topic", "n", "share_correct"]]
      topic  n  share_correct
    0  spec  2            0.5
    """
    frame = _item_frame(items)
    rows = []
    for topic, g in frame.groupby("topic", sort=True):
        est = proportion(int(g["_y"].sum()), int(len(g)))
        rows.append(
            {
                "topic": topic,
                "n_items": int(g["item_id"].nunique()),
                "n": est.n,
                "share_correct": est.value,
                "ci_low": est.ci_low,
                "ci_high": est.ci_high,
            }
        )
    cols = ["topic", "n_items", "n", "share_correct", "ci_low", "ci_high"]
    out = pd.DataFrame(rows, columns=cols)
    out = out.sort_values(["share_correct", "topic"], kind="stable").head(k)
    return out.reset_index(drop=True)


_CHANGE_COLUMNS = [
    "n",
    "mean_pre",
    "mean_post",
    "change",
    "ci_low",
    "ci_high",
    "p_value",
    "d_z",
    "d_av",
    "gain",
]


def change_by_group(
    df: pd.DataFrame,
    *,
    value: str = "score",
    phase_col: str = "phase",
    pre: str = "pre",
    post: str = "post",
    by: str | Sequence[str] | None = "kind",
    unit: str | Sequence[str] = "employee_id",
    max_score: float | str | None = "max_score",
) -> pd.DataFrame:
    """Pre vs post per group: change with t interval, d_z, d_av and Hake's gain.

    Rows of ``df`` in phases ``pre`` and ``post`` are paired on ``unit`` within each
    ``by`` group; several rows of one unit and phase (e.g. two tests of one kind) are
    averaged first. Each group then gets :func:`paired_change`, :func:`cohens_d` (both
    kinds) and :func:`normalized_gain` over its complete pairs.

    Parameters
    ----------
    df : DataFrame
        Tidy scores, e.g. ``assessments`` joined with employee attributes.
    value, phase_col : str
        Score and phase columns.
    pre, post : str
        Phase labels compared.
    by : str or list of str, optional
        Grouping columns, e.g. ``["kind", "region"]``; None for one overall row.
    unit : str or list of str, default "employee_id"
        Columns identifying who is paired.
    max_score : float, str or None, default "max_score"
        For the gain: a column of per-row maxima (scores are turned into % of their
        maximum, so tests with different maxima can share a group), a number, or None
        (gain NaN).

    Returns
    -------
    DataFrame
        Columns ``*by, n, mean_pre, mean_post, change, ci_low, ci_high, p_value, d_z,
        d_av, gain`` (``ci_*`` and ``p_value`` are the paired t test's), one row per group.

    Examples
    --------
    >>> df = pd.DataFrame({
    ...     "employee_id": ["a", "a", "b", "b", "c", "c"],
    ...     "kind": "knowledge",
    ...     "phase": ["pre", "post"] * 3,
    ...     "score": [50.0, 70.0, 60.0, 75.0, 70.0, 80.0],
    ...     "max_score": 100.0,
    ... })
    >>> out = change_by_group(df)
    >>> out[["kind", "n", "change", "gain"]].round(3)
            kind  n  change   gain
    0  knowledge  3    15.0  0.375
    """
    keys = [] if by is None else ([by] if isinstance(by, str) else list(by))
    units = [unit] if isinstance(unit, str) else list(unit)
    frame = df[df[phase_col].isin([pre, post])].copy()
    frame["_v"] = as_float(frame[value])
    if isinstance(max_score, str):
        top = as_float(frame[max_score])
        with np.errstate(divide="ignore", invalid="ignore"):
            frame["_pct"] = np.where(top > 0, frame["_v"].to_numpy() / top * 100, np.nan)
        gain_max = 100.0
    else:
        frame["_pct"] = frame["_v"]
        gain_max = math.nan if max_score is None else float(max_score)

    def one(g: pd.DataFrame) -> dict[str, Any]:
        per = g.groupby(units + [phase_col], sort=True)[["_v", "_pct"]].mean().unstack(phase_col)
        per = per.reindex(columns=pd.MultiIndex.from_product([["_v", "_pct"], [pre, post]]))
        a, b = per[("_v", pre)], per[("_v", post)]
        keep = a.notna() & b.notna()
        change = paired_change(a, b)
        if math.isnan(gain_max):
            gain = math.nan
        else:
            ok = keep & per[("_pct", pre)].notna() & per[("_pct", post)].notna()
            gain = normalized_gain(per[("_pct", pre)][ok], per[("_pct", post)][ok], max_score=gain_max).value
        return {
            "n": change.n,
            "mean_pre": float(a[keep].mean()) if keep.any() else math.nan,
            "mean_post": float(b[keep].mean()) if keep.any() else math.nan,
            "change": change.value,
            "ci_low": change.ci_low,
            "ci_high": change.ci_high,
            "p_value": change.p_value,
            "d_z": cohens_d(a, b, kind="z").value,
            "d_av": cohens_d(a, b, kind="av").value,
            "gain": gain,
        }

    if not keys:
        return pd.DataFrame([one(frame)], columns=_CHANGE_COLUMNS)
    rows = []
    for key, g in frame.groupby(keys, sort=True, dropna=False, observed=True):
        rows.append(dict(zip(keys, key, strict=True)) | one(g))
    out = pd.DataFrame(rows, columns=keys + _CHANGE_COLUMNS)
    for col in keys:
        out[col] = out[col].astype(df[col].dtype)
    return out
