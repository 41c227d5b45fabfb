"""Chapter 05, evaluation system: reaction (level 1) and learning (level 2) tables.

Pure functions over the contract tables (:mod:`trackreport.data.schema`): tidy frames in,
tidy frames or :class:`~trackreport.stats.estimate.Estimate` out. The statistics themselves
live in :mod:`trackreport.stats.reaction` and :mod:`trackreport.stats.learning`; this module
selects the cohort's rows and arranges the chapter's tables. Helpers shared by the
chapters 03, 05 and 07 modules are here too: :func:`cohort_slice` (the cohort's and
comparison group's rows of every table a chapter reads), :func:`compare_change`
(trained change beside the comparison group's, and their difference),
:func:`estimate_of` and :func:`visible`.

Groups: ``trained`` is the team's cohort of the quarter
(:func:`trackreport.data.cohort.cohort_members`); ``comparison`` the team's untrained staff
(:func:`trackreport.data.cohort.comparison_members`).

The English texts of the tables' headers and package-made cells are listed in
:data:`COLUMN_LABELS` and :data:`CELL_LABELS` (``N_``) so that the catalog holds what a page
shows; each is exactly what the page shows in English:

>>> from trackreport.stats.display import label, pretty_column
>>> all(pretty_column(k) == v for k, v in COLUMN_LABELS.items()), all(label(k) == v for k, v in CELL_LABELS.items())
(True, True)
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from trackreport.i18n import N_, _, join_sentences
from trackreport.stats.display import code_text, status_word
from trackreport.stats.estimate import Estimate, mean_ci
from trackreport.stats.learning import change_by_group, item_analysis, paired_change, pass_rate, weakest_topics
from trackreport.stats.multiplicity import benjamini_hochberg, clear_leader
from trackreport.stats.reaction import alpha_band, cronbach_alpha, satisfaction_score, top2box
from trackreport.stats.values import as_float

__all__ = [
    "TRAINED",
    "COMPARISON",
    "DIFFERENCE",
    "CohortSlice",
    "cohort_slice",
    "visible",
    "estimate_of",
    "mean_estimate",
    "welch_difference",
    "compare_change",
    "group_size",
    "reaction_summary",
    "extremes_note",
    "scale_reliability",
    "learning_summary",
    "stage_test_average",
    "stage_target",
    "item_table",
    "weakest_topics_of",
    "COLUMN_LABELS",
    "CELL_LABELS",
    "code_text",
    "join_sentences",
]

TRAINED = N_("trained")
COMPARISON = N_("comparison")
DIFFERENCE = N_("difference")
WELCH = N_("Welch t interval of the difference of mean changes")

#: How the columns of chapters 03 and 05's tables read (``pretty_column`` of the snake name), for the
#: catalog: ``Chapter.table`` shows ``_(pretty_column(name))``.
COLUMN_LABELS: dict[str, str] = {
    "after": N_("After"),
    "alpha": N_("Alpha"),
    "average": N_("Average"),
    "band": N_("Band"),
    "before": N_("Before"),
    "change": N_("Change"),
    "competency": N_("Competency"),
    "course_id": N_("Course id"),
    "customer": N_("Customer"),
    "difficulty": N_("Difficulty"),
    "dimension": N_("Dimension"),
    "direct_report": N_("Direct report"),
    "discrimination": N_("Discrimination"),
    "gain": N_("Gain"),
    "group": N_("Group"),
    "item_id": N_("Item id"),
    "items": N_("Items"),
    "kind": N_("Kind"),
    "kpi": N_("KPI"),
    "manager": N_("Manager"),
    "mean": N_("Mean"),
    "mean_post": N_("Mean post"),
    "mean_pre": N_("Mean pre"),
    "method": N_("Method"),
    "n_comparison": N_("N comparison"),
    "n_items": N_("N items"),
    "n_trained": N_("N trained"),
    "pass_high": N_("Pass high"),
    "pass_low": N_("Pass low"),
    "pass_post": N_("Pass post"),
    "peer": N_("Peer"),
    "rater_type": N_("Rater type"),
    "rating": N_("Rating"),
    "respondents": N_("Respondents"),
    "score": N_("Score"),
    "score_high": N_("Score high"),
    "score_low": N_("Score low"),
    "segment": N_("Segment"),
    "self": N_("Self"),
    "share_correct": N_("Share correct"),
    "test_id": N_("Test id"),
    "title": N_("Title"),
    "top2box": N_("Top2box"),
    "top2box_high": N_("Top2box high"),
    "top2box_low": N_("Top2box low"),
    "topic": N_("Topic"),
    "upper_lower": N_("Upper lower"),
    "value": N_("Value"),
    "vs_baseline": N_("Vs baseline"),
    "wave": N_("Wave"),
}

#: Words the package (not the data) puts in text cells of chapters 03 and 05's tables, as
#: ``label()`` shows them, for the catalog: ``Chapter.table`` shows ``_(label(value))``.
CELL_LABELS: dict[str, str] = {
    TRAINED: TRAINED,
    COMPARISON: COMPARISON,
    DIFFERENCE: DIFFERENCE,
    WELCH: WELCH,
    "paired t": N_("paired t"),  # trackreport.stats.learning.PAIRED_T
    "n/a": N_("n/a"),
    # Cronbach's alpha bands (trackreport.stats.reaction.alpha_band)
    "excellent": N_("excellent"),
    "good": N_("good"),
    "acceptable": N_("acceptable"),
    "questionable": N_("questionable"),
    "poor": N_("poor"),
    "unacceptable": N_("unacceptable"),
    # Hake's gain bands (trackreport.stats.learning.gain_band) and what either says of a NaN
    "high": N_("high"),
    "medium": N_("medium"),
    "low": N_("low"),
    "not computable": N_("not computable"),
}


_PEOPLE_COLS = ["employee_id", "segment", "role", "group", "training_end"]


# --------------------------------------------------------------------------- selection
@dataclass(frozen=True)
class CohortSlice:
    """The rows of one cohort (and its comparison group) that chapters 03, 05 and 07 read.

    Person-level tables carry ``group`` (``trained``/``comparison``), ``segment`` and
    ``role`` columns. ``courses`` are the cohort's course runs; ``surveys`` the
    reaction answers about them (anonymous: no person columns); ``assessments`` and
    ``items`` are restricted to the tests the cohort took (the same test ids for the
    comparison group, so retest gains compare like with like).
    """

    people: pd.DataFrame
    courses: pd.DataFrame
    enrollments: pd.DataFrame
    surveys: pd.DataFrame
    assessments: pd.DataFrame
    items: pd.DataFrame
    ratings: pd.DataFrame
    crm: pd.DataFrame
    drills: pd.DataFrame


def cohort_slice(
    data: Mapping[str, pd.DataFrame],
    members: pd.DataFrame,
    comparison: pd.DataFrame,
    *,
    quarter: str,
) -> CohortSlice:
    """Select the cohort's and comparison group's rows of the tables chapters 03/05/07 use.

    Parameters
    ----------
    data : mapping of table name to DataFrame
        The validated dataset (:func:`trackreport.data.load.load_data`).
    members, comparison : DataFrame
        From :func:`trackreport.data.cohort.cohort_members` and
        :func:`trackreport.data.cohort.comparison_members` (need ``employee_id``,
        ``segment``, ``role``).
    quarter : str
        The cohort quarter (``courses.cohort``).

    Examples
    --------
    >>> data = {
    ...     "courses": pd.DataFrame({"course_id": ["c1", "c2"], "cohort": ["2025Q3", "2025Q2"]}),
    ...     "enrollments": pd.DataFrame({"employee_id": ["a", "b"], "course_id": ["c1", "c2"]}),
    ...     "reaction_surveys": pd.DataFrame({"course_id": ["c1", "c2"], "answer": [5, 3]}),
    ...     "assessments": pd.DataFrame({"employee_id": ["a", "b"], "test_id": ["t1", "t1"]}),
    ...     "assessment_items": pd.DataFrame({"employee_id": ["a"], "test_id": ["t1"]}),
    ...     "ratings_360": pd.DataFrame({"ratee_id": ["a", "b"]}),
    ...     "crm_activity": pd.DataFrame({"employee_id": ["a", "b"]}),
    ...     "objection_drills": pd.DataFrame({"employee_id": ["b"]}),
    ... }
    >>> m = pd.DataFrame({"employee_id": ["a"], "segment": ["manager"], "role": ["manager"]})
    >>> c = pd.DataFrame({"employee_id": ["b"], "segment": ["1-3 years"], "role": ["rep"]})
    >>> s = cohort_slice(data, m, c, quarter="2025Q3")
    >>> s.surveys["answer"].tolist(), s.assessments["group"].tolist()
    ([5], ['trained', 'comparison'])
    """
    ends = members["training_end"] if "training_end" in members.columns else pd.NaT
    people = pd.concat(
        [
            members.assign(group=TRAINED, training_end=ends)[_PEOPLE_COLS],
            comparison.assign(group=COMPARISON, training_end=pd.NaT)[_PEOPLE_COLS],
        ],
        ignore_index=True,
    ).drop_duplicates("employee_id")
    people["training_end"] = pd.to_datetime(people["training_end"]).astype("datetime64[ns]")
    people["group"] = people["group"].astype("str")
    enr = data["enrollments"]
    courses = data["courses"]
    course_ids = set(courses.loc[courses["cohort"] == quarter, "course_id"])
    enr_m = enr[enr["employee_id"].isin(members["employee_id"]) & enr["course_id"].isin(course_ids)]
    courses = courses[courses["course_id"].isin(set(enr_m["course_id"]))].reset_index(drop=True)
    surveys = data["reaction_surveys"]
    surveys = surveys[surveys["course_id"].isin(set(courses["course_id"]))].reset_index(drop=True)

    def with_people(df: pd.DataFrame, key: str = "employee_id") -> pd.DataFrame:
        p = people.drop(columns="training_end").rename(columns={"employee_id": key})
        return df.merge(p, on=key, how="inner").reset_index(drop=True)

    tests = data["assessments"]
    tests = tests[tests["employee_id"].isin(members["employee_id"])]
    test_ids = set(tests["test_id"])
    assessments = with_people(data["assessments"][data["assessments"]["test_id"].isin(test_ids)])
    items = with_people(data["assessment_items"][data["assessment_items"]["test_id"].isin(test_ids)])
    return CohortSlice(
        people=people.reset_index(drop=True),
        courses=courses,
        enrollments=enr_m.reset_index(drop=True),
        surveys=surveys,
        assessments=assessments,
        items=items,
        ratings=with_people(data["ratings_360"], "ratee_id"),
        crm=with_people(data["crm_activity"]),
        drills=with_people(data["objection_drills"]),
    )


# --------------------------------------------------------------------------- helpers
def visible(df: pd.DataFrame, *, min_n: int, n_col: str = "n") -> pd.DataFrame:
    """Rows whose group has at least ``min_n`` members (privacy rule for charts).

    Tables go through :meth:`trackreport.report.notebook.Chapter.table`, which applies the same
    rule and says how many rows it hid; charts are drawn from ``visible(...)`` rows.

    Examples
    --------
    >>> visible(pd.DataFrame({"g": ["a", "b"], "n": [3, 9]}), min_n=5)["g"].tolist()
    ['b']
    """
    return df[group_size(df, n_col=n_col) >= min_n].reset_index(drop=True)


def group_size(df: pd.DataFrame, *, n_col: str = "n") -> pd.Series:
    """People a row's privacy is judged on: the smallest of ``n_col``, ``n_trained`` and
    ``n_comparison`` where present (a difference row rests on both groups).

    >>> group_size(pd.DataFrame({"n": [12, 7], "n_trained": [3, None], "n_comparison": [9, None]})).tolist()
    [3.0, 7.0]
    """
    cols = [c for c in (n_col, "n_trained", "n_comparison") if c in df.columns]
    return df[cols].apply(pd.to_numeric, errors="coerce").min(axis=1).fillna(0)


def estimate_of(
    df: pd.DataFrame,
    *,
    value: str = "value",
    low: str = "ci_low",
    high: str = "ci_high",
    n_col: str = "n",
    method: str = "",
    **where: Any,
) -> Estimate:
    """The :class:`Estimate` held in the one row of ``df`` matching ``where``.

    Reads the ``value``, ``low``, ``high`` and ``n_col`` columns and (if present, and
    ``value`` is ``"value"``) ``p_value`` and ``method``.
    No matching row gives a NaN estimate with n = 0.

    Examples
    --------
    >>> df = pd.DataFrame({"group": ["trained"], "value": [2.0], "ci_low": [1.0],
    ...                    "ci_high": [3.0], "n": [10]})
    >>> estimate_of(df, group="trained").value
    2.0
    """
    rows = df
    for col, v in where.items():
        rows = rows[rows[col] == v]
    if rows.empty:
        return Estimate(math.nan, n=0, method=method)
    if len(rows) > 1:
        raise ValueError(f"estimate_of: {len(rows)} rows match {where}")
    r = rows.iloc[0]
    own = value == "value"
    groups = None
    if {"n_trained", "n_comparison"} <= set(rows.columns) and pd.notna(r["n_trained"]) and pd.notna(r["n_comparison"]):
        groups = (int(r["n_trained"]), int(r["n_comparison"]))
    p = float(r["p_value"]) if own and "p_value" in rows.columns and pd.notna(r["p_value"]) else math.nan
    return Estimate(
        float(r[value]),
        float(r[low]) if pd.notna(r[low]) else math.nan,
        float(r[high]) if pd.notna(r[high]) else math.nan,
        n=int(r[n_col]),
        p_value=p,
        method=str(r["method"]) if own and "method" in rows.columns else method,
        n_groups=groups,
    )


mean_estimate = mean_ci  # the package's one t interval of a mean: trackreport.stats.estimate.mean_ci


def welch_difference(a: Any, b: Any) -> Estimate:
    """Difference of two independent means ``mean(a) − mean(b)`` with a Welch t interval.

    ``se = sqrt(s_a²/n_a + s_b²/n_b)``, Welch–Satterthwaite df
    ``se⁴ / ((s_a²/n_a)²/(n_a−1) + (s_b²/n_b)²/(n_b−1))`` (Welch 1947, Biometrika 34:28).
    ``n`` is ``n_a + n_b``; fewer than 2 values in either group give NaN bounds.

    Examples
    --------
    >>> e = welch_difference([3.0, 4.0, 5.0], [1.0, 2.0, 3.0])
    >>> e.value, e.n, round(e.ci_low, 2), round(e.ci_high, 2)
    (2.0, 6, -0.27, 4.27)
    """
    x, y = as_float(a), as_float(b)
    x, y = x[~np.isnan(x)], y[~np.isnan(y)]
    n = int(x.size + y.size)
    if x.size == 0 or y.size == 0:
        return Estimate(math.nan, n=n, method=WELCH)
    diff = float(x.mean() - y.mean())
    if x.size < 2 or y.size < 2:
        return Estimate(diff, n=n, method=WELCH)
    va, vb = float(np.var(x, ddof=1)) / x.size, float(np.var(y, ddof=1)) / y.size
    se = math.sqrt(va + vb)
    if se == 0:
        return Estimate(diff, diff, diff, n=n, method=WELCH)
    df = se**4 / (va**2 / (x.size - 1) + vb**2 / (y.size - 1))
    half = float(stats.t.ppf(0.975, df)) * se
    p = float(2 * stats.t.sf(abs(diff / se), df))
    return Estimate(diff, diff - half, diff + half, n=n, p_value=p, method=WELCH)


_COMPARE_COLS = [
    "group",
    "n",
    "n_trained",
    "n_comparison",
    "mean_pre",
    "mean_post",
    "value",
    "ci_low",
    "ci_high",
    "p_value",
    "method",
]


def compare_change(
    df: pd.DataFrame,
    *,
    value: str,
    phase_col: str = "phase",
    pre: str = "pre",
    post: str = "post",
    by: str | Sequence[str] | None = None,
    unit: str = "employee_id",
    group_col: str = "group",
) -> pd.DataFrame:
    """Pre vs post change of the trained group beside the comparison group's, and the gap.

    Each unit's rows are averaged per phase; units with both phases are paired. Per
    ``by`` group the result has three rows:

    - ``trained`` and ``comparison``: mean change ``post − pre`` with the paired t
      interval (:func:`trackreport.stats.learning.paired_change`);
    - ``difference``: trained change minus comparison change, a difference-in-
      differences of means, with a Welch t interval (:func:`welch_difference`). Its
      ``n`` is the people it rests on, ``n_trained + n_comparison``, both shown beside
      it (issue 9, finding 11); privacy suppression
      (:meth:`trackreport.report.notebook.Chapter.table`, :func:`visible`) takes the
      smaller of the two, so it is hidden whenever either group is too small.

    Parameters
    ----------
    df : DataFrame
        Tidy rows with ``unit``, ``group_col`` (values ``trained``/``comparison``),
        ``phase_col``, ``value`` and the ``by`` columns.

    Returns
    -------
    DataFrame
        Columns ``*by, group, n, mean_pre, mean_post, value, ci_low, ci_high, p_value,
        method``. With ``by`` (a grid of groups), ``q_value`` after ``p_value``: the
        Benjamini-Hochberg q-value of each ``difference`` row over all the grid's
        differences (:func:`trackreport.stats.multiplicity.benjamini_hochberg`; issue 9,
        finding 5): such grids are exploratory, and a cell is distinguishable at a 5% false
        discovery rate only when ``q < 0.05``.

    Examples
    --------
    >>> df = pd.DataFrame({
    ...     "employee_id": ["a", "a", "b", "b", "c", "c", "d", "d"],
    ...     "group": ["trained"] * 4 + ["comparison"] * 4,
    ...     "phase": ["pre", "post"] * 4,
    ...     "score": [50.0, 70.0, 60.0, 70.0, 50.0, 52.0, 60.0, 60.0]})
    >>> compare_change(df, value="score")[["group", "n", "value"]]
            group  n  value
    0     trained  2   15.0
    1  comparison  2    1.0
    2  difference  4   14.0
    """
    keys = [] if by is None else ([by] if isinstance(by, str) else list(by))
    frame = df[df[phase_col].isin([pre, post])].copy()
    frame["_v"] = as_float(frame[value])
    per = (
        frame.groupby(keys + [group_col, unit, phase_col], observed=True)["_v"]
        .mean()
        .unstack(phase_col)
        .reindex(columns=[pre, post])
        .dropna()
        .reset_index()
    )
    per["_d"] = per[post] - per[pre]

    def one(g: pd.DataFrame) -> list[dict[str, Any]]:
        rows = []
        changes = {}
        for grp in (TRAINED, COMPARISON):
            s = g[g[group_col] == grp]
            e = paired_change(s[pre].to_numpy(), s[post].to_numpy())
            changes[grp] = s["_d"].to_numpy()
            rows.append(
                {
                    "group": grp,
                    "n": e.n,
                    "n_trained": e.n if grp == TRAINED else math.nan,
                    "n_comparison": e.n if grp == COMPARISON else math.nan,
                    "mean_pre": float(s[pre].mean()) if e.n else math.nan,
                    "mean_post": float(s[post].mean()) if e.n else math.nan,
                    "value": e.value,
                    "ci_low": e.ci_low,
                    "ci_high": e.ci_high,
                    "p_value": e.p_value,
                    "method": e.method,
                }
            )
        d = welch_difference(changes[TRAINED], changes[COMPARISON])
        rows.append(
            {
                "group": DIFFERENCE,
                "n": changes[TRAINED].size + changes[COMPARISON].size,
                "n_trained": changes[TRAINED].size,
                "n_comparison": changes[COMPARISON].size,
                "mean_pre": math.nan,
                "mean_post": math.nan,
                "value": d.value,
                "ci_low": d.ci_low,
                "ci_high": d.ci_high,
                "p_value": d.p_value,
                "method": d.method,
            }
        )
        return rows

    out_rows = []
    if not keys:
        out_rows = one(per)
    else:
        for key, g in per.groupby(keys, sort=True, observed=True):
            key = key if isinstance(key, tuple) else (key,)
            out_rows += [dict(zip(keys, key, strict=True)) | r for r in one(g)]
    out = pd.DataFrame(out_rows, columns=keys + _COMPARE_COLS)
    out["n"] = out["n"].astype("int64")
    if keys:  # a grid of differences: exploratory, Benjamini-Hochberg over its cells (finding 5)
        diff = (out["group"] == DIFFERENCE).to_numpy()
        q = np.full(len(out), np.nan)
        q[diff] = benjamini_hochberg(out.loc[diff, "p_value"].to_numpy(dtype=float))
        out.insert(out.columns.get_loc("p_value") + 1, "q_value", q)
    return out


# --------------------------------------------------------------------------- extremes
def extremes_note(
    table: pd.DataFrame,
    *,
    name: str,
    noun: str,
    fmt: Callable[[float], str],
    value: str = "value",
    low: str = "ci_low",
    high: str = "ci_high",
) -> str:
    """A sentence on the largest and smallest rows that names a winner only when it is one.

    The row with the largest (smallest) ``value`` is called the largest (smallest) only
    when its 95% interval does not overlap the runner-up's
    (:func:`trackreport.stats.multiplicity.clear_leader`; issue 9, finding 5); otherwise
    the sentence says the intervals overlap. ``fmt`` formats a value.

    Examples
    --------
    >>> t = pd.DataFrame({"c": ["a", "b", "d"], "value": [0.5, 0.2, 0.1],
    ...                   "ci_low": [0.4, 0.1, 0.0], "ci_high": [0.6, 0.3, 0.25]})
    >>> print(extremes_note(t, name="c", noun="competency", fmt="{:+.2f}".format))
    The largest is **a** (+0.50), clearly above the runner-up **b** (+0.20). The smallest, **d** (+0.10), is not separated from **b** (+0.20): their 95% intervals overlap, so no competency is clearly the smallest.
    """
    t = table.dropna(subset=[value])
    if len(t) < 2:
        return ""
    names, v = t[name].astype(str).tolist(), t[value].to_numpy(dtype=float)
    lo, hi = t[low].to_numpy(dtype=float), t[high].to_numpy(dtype=float)
    parts = []
    for largest in (True, False):
        leader, _runner = clear_leader(names, v, lo, hi, largest=largest)
        order = np.argsort(-v if largest else v, kind="stable")
        top, second = order[0], order[1]
        a = _("**{name}** ({value})", name=names[top], value=fmt(v[top]))
        b = _("**{name}** ({value})", name=names[second], value=fmt(v[second]))
        if leader is not None:
            text = (
                _("The largest is {a}, clearly above the runner-up {b}.", a=a, b=b)
                if largest
                else _("The smallest is {a}, clearly below the runner-up {b}.", a=a, b=b)
            )
        elif largest:
            text = _(
                "The largest, {a}, is not separated from {b}: their 95% intervals overlap,"
                " so no {noun} is clearly the largest.",
                a=a,
                b=b,
                noun=_(noun),
            )
        else:
            text = _(
                "The smallest, {a}, is not separated from {b}: their 95% intervals overlap,"
                " so no {noun} is clearly the smallest.",
                a=a,
                b=b,
                noun=_(noun),
            )
        parts.append(text)
    return join_sentences(*parts)


# --------------------------------------------------------------------------- reaction
_REACTION_COLS = [
    "respondents",
    "n",
    "mean",
    "top2box",
    "top2box_low",
    "top2box_high",
    "score",
    "score_low",
    "score_high",
    "vs_baseline",
]


def _vs(value: float, low: float, high: float, target: float) -> str:
    """The status word of a score against its baseline (:func:`trackreport.stats.display.status_word`)."""
    return N_("n/a") if math.isnan(value) else status_word(value, low, high, target)


def reaction_summary(
    surveys: pd.DataFrame,
    *,
    by: str | Sequence[str] | None = "dimension",
    baseline: float = 85.0,
    scale: int = 5,
) -> pd.DataFrame:
    """Reaction per group: mean answer, top-2-box and the 100-point score against a baseline.

    - ``mean``: mean answer (1-5);
    - ``top2box`` with the Wilson interval (:func:`trackreport.stats.reaction.top2box`) on the
      effective sample size of answers clustered by questionnaire;
    - ``score`` = mean × 100/scale (4.25 → 85) with a t interval clustered by questionnaire
      (:func:`trackreport.stats.reaction.satisfaction_score` with ``clusters``; issue 9,
      finding 4: a questionnaire's ~3 answers per dimension are correlated, and intervals
      over answers were up to 2x too narrow);
    - ``vs_baseline``: the status word against ``baseline`` (*met*, *on track*, *uncertain*,
      *missed*; :func:`trackreport.stats.display.status_word`) from the clustered interval.

    ``respondents`` counts distinct questionnaires (``response_id``), ``n`` the
    non-missing answers. Privacy: suppress by ``respondents`` (surveys are anonymous;
    a group is its respondents).

    Examples
    --------
    >>> s = pd.DataFrame({"response_id": ["r1", "r1", "r2", "r2"],
    ...                   "dimension": ["trainer", "logistics"] * 2, "answer": [5, 3, 4, 4]})
    >>> reaction_summary(s)[["dimension", "respondents", "mean", "top2box", "score"]]
       dimension  respondents  mean  top2box  score
    0  logistics            2   3.5      0.5   70.0
    1    trainer            2   4.5      1.0   90.0
    """
    keys = [] if by is None else ([by] if isinstance(by, str) else list(by))

    def one(g: pd.DataFrame) -> dict[str, Any]:
        x = as_float(g["answer"])
        clusters = g["response_id"].to_numpy()
        t2b = top2box(x, scale=scale, clusters=clusters)
        sc = satisfaction_score(x, scale=scale, clusters=clusters)
        ok = x[~np.isnan(x)]
        return {
            "respondents": int(g.loc[~np.isnan(x), "response_id"].nunique()),
            "n": int(ok.size),
            "mean": float(ok.mean()) if ok.size else math.nan,
            "top2box": t2b.value,
            "top2box_low": t2b.ci_low,
            "top2box_high": t2b.ci_high,
            "score": sc.value,
            "score_low": sc.ci_low,
            "score_high": sc.ci_high,
            "vs_baseline": _vs(sc.value, sc.ci_low, sc.ci_high, baseline),
        }

    if not keys:
        return pd.DataFrame([one(surveys)], columns=_REACTION_COLS)
    rows = [
        dict(zip(keys, k if isinstance(k, tuple) else (k,), strict=True)) | one(g)
        for k, g in surveys.groupby(keys, sort=True, observed=True)
    ]
    return pd.DataFrame(rows, columns=keys + _REACTION_COLS)


def scale_reliability(surveys: pd.DataFrame, *, by: str = "dimension") -> pd.DataFrame:
    """Cronbach's alpha of each multi-item scale, with Feldt's interval and George & Mallery's band.

    Answers are pivoted to one row per ``response_id`` and one column per ``item_id``
    within each ``by`` group; alpha uses listwise deletion
    (:func:`trackreport.stats.reaction.cronbach_alpha`, Cronbach 1951), ``band`` is
    :func:`trackreport.stats.reaction.alpha_band` (George & Mallery 2003).

    Returns
    -------
    DataFrame
        ``by, items, n, alpha, ci_low, ci_high, band`` (``n`` = complete respondents).

    Examples
    --------
    >>> rows = [(r, i, a) for r, ans in enumerate([[1, 2], [2, 2], [3, 4], [4, 4], [5, 5]])
    ...         for i, a in zip(["q1", "q2"], ans)]
    >>> s = pd.DataFrame(rows, columns=["response_id", "item_id", "answer"]).assign(dimension="trainer")
    >>> scale_reliability(s)[["dimension", "items", "n", "band"]]
      dimension  items  n       band
    0   trainer      2  5  excellent
    """
    rows = []
    for key, g in surveys.groupby(by, sort=True, observed=True):
        wide = g.pivot_table(index="response_id", columns="item_id", values="answer", aggfunc="first", observed=True)
        wide = wide.astype("float64")
        e = cronbach_alpha(wide)
        rows.append(
            {
                by: key,
                "items": int(wide.shape[1]),
                "n": e.n,
                "alpha": e.value,
                "ci_low": e.ci_low,
                "ci_high": e.ci_high,
                "band": alpha_band(e.value),
            }
        )
    return pd.DataFrame(rows, columns=[by, "items", "n", "alpha", "ci_low", "ci_high", "band"])


# --------------------------------------------------------------------------- learning
def learning_summary(
    assessments: pd.DataFrame,
    *,
    by: str | Sequence[str] = "kind",
    pass_score: float = 60.0,
    group: str | None = TRAINED,
) -> pd.DataFrame:
    """Pre vs post per group: change, d_z, d_av, Hake gain and the post pass rate.

    Change, effect sizes and gain come from :func:`trackreport.stats.learning.change_by_group`
    (paired t interval; Cohen's d_z and d_av, Lakens 2013; Hake 1998 gain on % of the
    maximum). ``pass_post`` is the share of post scores at or above ``pass_score`` %
    of ``max_score`` with its Wilson interval (:func:`trackreport.stats.learning.pass_rate`).

    Parameters
    ----------
    assessments : DataFrame
        Assessments with the ``by`` columns (e.g. ``kind``, ``segment`` from
        :func:`cohort_slice`) and, unless ``group`` is None, a ``group`` column.
    pass_score : float
        Pass mark in points of 100 (``params.thresholds.pass_score``).
    group : str or None
        Keep only this group's rows (default the trained cohort).

    Examples
    --------
    >>> df = pd.DataFrame({"employee_id": list("aabbcc"), "kind": "knowledge",
    ...     "phase": ["pre", "post"] * 3, "score": [50.0, 70, 60, 75, 40, 55], "max_score": 100.0})
    >>> learning_summary(df, group=None)[["kind", "n", "change", "pass_post"]].round(2)
            kind  n  change  pass_post
    0  knowledge  3   16.67       0.67
    """
    keys = [by] if isinstance(by, str) else list(by)
    df = assessments if group is None else assessments[assessments["group"] == group]
    out = change_by_group(df, by=keys)
    post = df[df["phase"] == "post"].assign(_pct=lambda d: as_float(d["score"]) / as_float(d["max_score"]) * 100)
    passes = []
    for _unused, row in out.iterrows():
        sel = post
        for k in keys:
            sel = sel[sel[k] == row[k]]
        e = pass_rate(sel.groupby("employee_id")["_pct"].mean(), threshold=pass_score)
        passes.append((e.value, e.ci_low, e.ci_high))
    cols = ["pass_post", "pass_low", "pass_high"]
    return pd.concat([out, pd.DataFrame(passes, index=out.index, columns=cols)], axis=1)


def stage_test_average(
    assessments: pd.DataFrame,
    *,
    kinds: Sequence[str] = ("knowledge", "product"),
    phase: str = "post",
) -> pd.DataFrame:
    """Each person's average of the stage tests, in points of 100.

    The deck's process target is "average of the two stage tests >= 80 points". Stage
    tests are taken to be the ``kinds`` tests (default the knowledge and product tests,
    the two closed-book tests of the programme) in ``phase``; scores are converted to %
    of ``max_score`` and averaged per person over the tests they took.

    Returns
    -------
    DataFrame
        ``employee_id, tests, average`` (plus ``segment`` when present), one row per person.

    Examples
    --------
    >>> df = pd.DataFrame({"employee_id": ["a", "a", "b"], "kind": ["knowledge", "product", "knowledge"],
    ...     "phase": "post", "score": [80.0, 90.0, 70.0], "max_score": 100.0})
    >>> stage_test_average(df)
      employee_id  tests  average
    0           a      2     85.0
    1           b      1     70.0
    """
    sel = assessments[assessments["kind"].isin(list(kinds)) & (assessments["phase"] == phase)]
    sel = sel.assign(_pct=as_float(sel["score"]) / as_float(sel["max_score"]) * 100)
    keys = ["employee_id"] + (["segment"] if "segment" in sel.columns else [])
    out = sel.groupby(keys, observed=True).agg(tests=("_pct", "size"), average=("_pct", "mean")).reset_index()
    return out[keys[:1] + ["tests", "average"] + keys[1:]]


def stage_target(averages: pd.DataFrame, *, target: float = 80.0) -> tuple[Estimate, Estimate]:
    """Mean stage-test average (t interval) and the share of people at or above ``target``.

    Returns ``(mean, share)``: the mean of :func:`stage_test_average`'s ``average`` with
    the Student t interval, and the share with ``average >= target`` with the Wilson
    interval.

    Examples
    --------
    >>> m, s = stage_target(pd.DataFrame({"average": [70.0, 85.0, 90.0, 95.0]}))
    >>> m.value, s.value, s.n
    (85.0, 0.75, 4)
    """
    return mean_estimate(averages["average"]), pass_rate(averages["average"], threshold=target)


def item_table(
    items: pd.DataFrame,
    *,
    test_kind_of: Mapping[str, str] | None = None,
    phase: str = "post",
    group: str | None = TRAINED,
) -> pd.DataFrame:
    """Item analysis (difficulty, point-biserial, upper-lower 27%) per test, in one phase.

    Runs :func:`trackreport.stats.learning.item_analysis` on each ``test_id`` separately
    (one answer per person and item). ``test_kind_of`` maps test ids to a readable
    kind column.

    Examples
    --------
    >>> df = pd.DataFrame({"employee_id": ["a", "a", "b", "b"], "test_id": "t1", "phase": "post",
    ...     "item_id": ["q1", "q2"] * 2, "topic": ["x", "y"] * 2, "correct": [True, True, True, False]})
    >>> item_table(df, group=None)[["test_id", "item_id", "difficulty"]]
      test_id item_id  difficulty
    0      t1      q1         1.0
    1      t1      q2         0.5
    """
    sel = items[items["phase"] == phase]
    if group is not None:
        sel = sel[sel["group"] == group]
    parts = []
    for test_id, g in sel.groupby("test_id", sort=True, observed=True):
        part = item_analysis(g)
        part.insert(0, "test_id", test_id)
        if test_kind_of is not None:
            part.insert(1, "kind", test_kind_of.get(test_id, ""))
        parts.append(part)
    cols = (
        ["test_id"]
        + (["kind"] if test_kind_of is not None else [])
        + ["item_id", "topic", "n", "difficulty", "discrimination", "upper_lower"]
    )
    if not parts:
        return pd.DataFrame(columns=cols)
    return pd.concat(parts, ignore_index=True)[cols]


def weakest_topics_of(
    items: pd.DataFrame, *, k: int = 3, phase: str = "post", group: str | None = TRAINED
) -> pd.DataFrame:
    """The ``k`` weakest topics over every test of one phase (Wilson intervals).

    Wraps :func:`trackreport.stats.learning.weakest_topics` after keeping one phase and group;
    item ids are made unique per test so several tests can be pooled.

    Examples
    --------
    >>> df = pd.DataFrame({"employee_id": ["a", "a"], "test_id": "t1", "phase": "post",
    ...     "item_id": ["q1", "q2"], "topic": ["x", "y"], "correct": [True, False]})
    >>> weakest_topics_of(df, k=1, group=None)["topic"].tolist()
    ['y']
    """
    sel = items[items["phase"] == phase]
    if group is not None:
        sel = sel[sel["group"] == group]
    sel = sel.assign(item_id=sel["test_id"].astype(str) + ":" + sel["item_id"].astype(str))
    return weakest_topics(sel, k=k)
