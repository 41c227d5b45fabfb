"""Chapter 07, skill validation: product knowledge, FABE role-play, objection handling.

Pure functions over the contract tables with the ``group`` and ``segment`` columns
that :func:`trackreport.chapters.evaluation.cohort_slice` adds; tidy frames in, tidy frames out.
Every measure is shown before vs after training with 95% intervals:

- **Product knowledge**: the share of trainees scoring at least ``threshold`` (deck:
  90%) correct on the product test, overall, by segment and by topic (a topic's
  share correct over its items). Change in a share between pre and post is the mean
  of paired per-person changes of a 0/1 indicator with a paired t interval (for
  binary pairs this is the Wald interval of the paired difference of proportions).
- **Role-play**: FABE role-play score (0-5) pre vs post (:func:`role_play`).
- **Objection handling**: per drill answer, *fast* = answered in under ``limit``
  seconds (deck: within 5 s), *credible* = backed by data or a case. Per person, the
  share of their answers that were fast (credible) in each phase; trained change
  beside the comparison group's (:func:`trackreport.chapters.evaluation.compare_change`).

Table headers: :data:`COLUMNS` holds the header a reader sees for each column of this
chapter's tables (as :func:`trackreport.stats.display.pretty_column` writes it), marked
with ``N_`` so that the catalog translates it where the table is shown:

>>> from trackreport.stats.display import pretty_column
>>> [column for column, header in COLUMNS.items() if pretty_column(column) != header]
[]
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from trackreport.chapters.evaluation import TRAINED, compare_change
from trackreport.i18n import N_, _
from trackreport.stats.estimate import proportion
from trackreport.stats.learning import change_by_group, paired_change
from trackreport.stats.values import as_float

__all__ = [
    "ids_of_kind",
    "mastery_share",
    "topic_mastery",
    "role_play",
    "objection_flags",
    "objection_change",
    "objection_table",
    "hardest_objections",
]

_SHARE_COLS = ["n", "pre", "post", "post_low", "post_high", "change", "ci_low", "ci_high", "p_value"]

#: The headers of this chapter's tables as a reader sees them (``pretty_column`` of each column),
#: kept here so that they are translated where the table is shown.
COLUMNS: dict[str, str] = {
    "segment": N_("Segment"),
    "topic": N_("Topic"),
    "post_low": N_("Post low"),
    "post_high": N_("Post high"),
    "change": N_("Change"),
    "mean_pre": N_("Mean pre"),
    "mean_post": N_("Mean post"),
    "gain": N_("Gain"),
    "measure": N_("Measure"),
    "group": N_("Group"),
    "value": N_("Value"),
    "method": N_("Method"),
    "n_trained": N_("N trained"),
    "n_comparison": N_("N comparison"),
    "kind": N_("Kind"),
    "pass_post": N_("Pass post"),
    "pass_low": N_("Pass low"),
    "pass_high": N_("Pass high"),
    "objection_type": N_("Objection type"),
    "answers": N_("Answers"),
    "fast": N_("Fast"),
    "credible": N_("Credible"),
    "handled": N_("Handled"),
}


def ids_of_kind(assessments: pd.DataFrame, *, kind: str) -> list[str]:
    """The test ids of one kind (e.g. ``"product"``) present in ``assessments``.

    Examples
    --------
    >>> ids_of_kind(pd.DataFrame({"test_id": ["t1", "t2", "t1"], "kind": ["product", "skill", "product"]}), kind="product")
    ['t1']
    """
    return sorted(assessments.loc[assessments["kind"] == kind, "test_id"].unique().tolist())


def _share_change(per: pd.DataFrame, keys: list[str], *, unit: str = "employee_id") -> pd.DataFrame:
    """Per group: share of units with ``_x`` = 1 pre and post, and the paired change."""

    def one(g: pd.DataFrame) -> dict[str, Any]:
        wide = g.pivot_table(index=unit, columns="phase", values="_x", aggfunc="mean")
        wide = wide.reindex(columns=["pre", "post"]).dropna()
        e = paired_change(wide["pre"].to_numpy(), wide["post"].to_numpy())
        post = proportion(int(wide["post"].sum()), int(len(wide)))
        return {
            "n": e.n,
            "pre": float(wide["pre"].mean()) if e.n else math.nan,
            "post": post.value,
            "post_low": post.ci_low,
            "post_high": post.ci_high,
            "change": e.value,
            "ci_low": e.ci_low,
            "ci_high": e.ci_high,
            "p_value": e.p_value,
        }

    if not keys:
        return pd.DataFrame([one(per)], columns=_SHARE_COLS)
    rows = [
        dict(zip(keys, k if isinstance(k, tuple) else (k,), strict=True)) | one(g)
        for k, g in per.groupby(keys, sort=True, observed=True)
    ]
    return pd.DataFrame(rows, columns=keys + _SHARE_COLS)


def mastery_share(
    assessments: pd.DataFrame,
    *,
    kind: str = "product",
    threshold: float = 0.90,
    by: str | Sequence[str] | None = None,
    group: str | None = TRAINED,
) -> pd.DataFrame:
    """Share of people scoring at least ``threshold`` of the maximum, pre and post.

    ``x = 1{score / max_score >= threshold}`` per person and phase (several tests of
    one kind averaged first); ``post`` carries a Wilson interval, ``change`` (post −
    pre, over people with both) a paired t interval.

    Returns
    -------
    DataFrame
        ``*by, n, pre, post, post_low, post_high, change, ci_low, ci_high, p_value``.

    Examples
    --------
    >>> df = pd.DataFrame({"employee_id": list("aabb"), "kind": "product",
    ...     "phase": ["pre", "post"] * 2, "score": [60.0, 95, 70, 85], "max_score": 100.0})
    >>> mastery_share(df, group=None)[["n", "pre", "post", "change"]]
       n  pre  post  change
    0  2  0.0   0.5     0.5
    """
    keys = [] if by is None else ([by] if isinstance(by, str) else list(by))
    df = assessments[(assessments["kind"] == kind) & assessments["phase"].isin(["pre", "post"])]
    if group is not None:
        df = df[df["group"] == group]
    df = df.assign(_pct=as_float(df["score"]) / as_float(df["max_score"]))
    per = df.groupby(keys + ["employee_id", "phase"], observed=True)["_pct"].mean().reset_index()
    per["_x"] = (per["_pct"] >= threshold - 1e-12).astype("float64")
    return _share_change(per, keys)


def topic_mastery(
    items: pd.DataFrame,
    *,
    tests: Sequence[str],
    threshold: float = 0.90,
    by: str | Sequence[str] | None = "topic",
    group: str | None = TRAINED,
) -> pd.DataFrame:
    """Share of people answering at least ``threshold`` of a topic's items correctly.

    Per person, phase and topic: ``share correct`` over the topic's items of the given
    ``tests``; then as :func:`mastery_share`.

    Examples
    --------
    >>> df = pd.DataFrame({"employee_id": ["a"] * 4, "test_id": "t1", "phase": ["pre", "pre", "post", "post"],
    ...     "item_id": ["q1", "q2"] * 2, "topic": "price", "correct": [True, False, True, True]})
    >>> topic_mastery(df, tests=["t1"], group=None)[["topic", "n", "pre", "post"]]
       topic  n  pre  post
    0  price  1  0.0   1.0
    """
    keys = [] if by is None else ([by] if isinstance(by, str) else list(by))
    df = items[items["test_id"].isin(list(tests)) & items["phase"].isin(["pre", "post"])]
    if group is not None:
        df = df[df["group"] == group]
    df = df.assign(_y=as_float(df["correct"]))
    per = df.groupby(keys + ["employee_id", "phase"], observed=True)["_y"].mean().reset_index()
    per["_x"] = (per["_y"] >= threshold - 1e-12).astype("float64")
    return _share_change(per, keys)


def role_play(
    assessments: pd.DataFrame, *, by: str | Sequence[str] | None = None, group: str | None = TRAINED
) -> pd.DataFrame:
    """FABE role-play score (0-5) pre vs post: change, d_z, d_av and gain per group.

    :func:`trackreport.stats.learning.change_by_group` on the ``roleplay`` rows.

    Examples
    --------
    >>> df = pd.DataFrame({"employee_id": list("aabb"), "kind": "roleplay",
    ...     "phase": ["pre", "post"] * 2, "score": [3.0, 4.5, 3.5, 4.0], "max_score": 5.0})
    >>> role_play(df, group=None)[["n", "mean_pre", "mean_post", "change"]]
       n  mean_pre  mean_post  change
    0  2      3.25       4.25     1.0
    """
    df = assessments[assessments["kind"] == "roleplay"]
    if group is not None:
        df = df[df["group"] == group]
    return change_by_group(df, by=by)


def objection_flags(drills: pd.DataFrame, *, limit: float = 5.0) -> pd.DataFrame:
    """Drill answers with 0/1 columns ``fast`` (``response_seconds < limit``) and ``credible``.

    Examples
    --------
    >>> d = pd.DataFrame({"response_seconds": [3.0, 5.0, 8.2], "credible": [True, False, True]})
    >>> objection_flags(d)[["fast", "credible"]].values.tolist()
    [[1.0, 1.0], [0.0, 0.0], [0.0, 1.0]]
    """
    secs = as_float(drills["response_seconds"])
    return drills.assign(
        fast=np.where(np.isnan(secs), np.nan, (secs < limit).astype("float64")),
        credible=as_float(drills["credible"]),
    )


def objection_change(
    drills: pd.DataFrame, *, measure: str = "fast", limit: float = 5.0, by: str | Sequence[str] | None = None
) -> pd.DataFrame:
    """Per-person share of fast (or credible) answers, pre vs post, trained beside comparison.

    ``measure`` is ``"fast"`` or ``"credible"`` (:func:`objection_flags`); the result is
    :func:`trackreport.chapters.evaluation.compare_change`'s (shares 0-1).

    Examples
    --------
    >>> d = pd.DataFrame({"employee_id": list("aabb"), "group": ["trained"] * 2 + ["comparison"] * 2,
    ...     "phase": ["pre", "post"] * 2, "response_seconds": [7.0, 3.0, 7.0, 7.0],
    ...     "credible": [False, True, False, False]})
    >>> objection_change(d)[["group", "n", "value"]]
            group  n  value
    0     trained  1    1.0
    1  comparison  1    0.0
    2  difference  2    1.0
    """
    if measure not in ("fast", "credible"):
        raise ValueError(f'measure must be "fast" or "credible", not {measure!r}')
    return compare_change(objection_flags(drills, limit=limit), value=measure, by=by)


def objection_table(drills: pd.DataFrame, *, limit: float = 5.0) -> pd.DataFrame:
    """Both objection measures in one frame: :func:`objection_change` for fast and credible.

    Returns ``measure`` (``"under <limit> s"`` or ``"credible"``) followed by
    :func:`trackreport.chapters.evaluation.compare_change`'s columns.

    Examples
    --------
    >>> d = pd.DataFrame({"employee_id": list("aa"), "group": "trained", "phase": ["pre", "post"],
    ...     "response_seconds": [7.0, 3.0], "credible": [False, True]})
    >>> objection_table(d)[["measure", "group", "value"]].head(1)
         measure    group  value
    0  under 5 s  trained    1.0

    The measure names are in the report's language:

    >>> from trackreport.i18n import language_of
    >>> with language_of("zh"):
    ...     objection_table(d)["measure"].unique().tolist()
    ['5秒内作答', '有据可信']
    """
    parts = [
        objection_change(drills, measure="fast", limit=limit).assign(
            measure=_("under {limit} s", limit=format(limit, "g"))
        ),
        objection_change(drills, measure="credible", limit=limit).assign(measure=_("credible")),
    ]
    out = pd.concat(parts, ignore_index=True)
    return out[["measure"] + [c for c in out.columns if c != "measure"]]


def hardest_objections(
    drills: pd.DataFrame, *, limit: float = 5.0, k: int = 5, phase: str = "post", group: str | None = TRAINED
) -> pd.DataFrame:
    """The ``k`` objection types least often handled well (fast and credible), with Wilson intervals.

    An answer is *handled* when it is both fast (under ``limit`` s) and credible. Per
    objection type, over the answers of one phase: ``n`` people who met it, ``answers``,
    shares fast, credible and handled (Wilson interval of handled; answers treated as
    independent). Sorted by handled share, lowest first; ties by type.

    Examples
    --------
    >>> d = pd.DataFrame({"employee_id": ["a", "a", "b"], "phase": "post",
    ...     "objection_type": ["price", "time", "price"], "response_seconds": [3.0, 9.0, 4.0],
    ...     "credible": [True, True, False]})
    >>> hardest_objections(d, group=None)[["objection_type", "answers", "handled"]]
      objection_type  answers  handled
    0           time        1      0.0
    1          price        2      0.5
    """
    d = drills[drills["phase"] == phase]
    if group is not None:
        d = d[d["group"] == group]
    d = objection_flags(d, limit=limit)
    rows = []
    for t, g in d.groupby("objection_type", sort=True, observed=True):
        handled = (g["fast"] == 1) & (g["credible"] == 1)
        e = proportion(int(handled.sum()), int(len(g)))
        rows.append(
            {
                "objection_type": t,
                "n": int(g["employee_id"].nunique()),
                "answers": int(len(g)),
                "fast": float(g["fast"].mean()),
                "credible": float(g["credible"].mean()),
                "handled": e.value,
                "ci_low": e.ci_low,
                "ci_high": e.ci_high,
            }
        )
    cols = ["objection_type", "n", "answers", "fast", "credible", "handled", "ci_low", "ci_high"]
    out = pd.DataFrame(rows, columns=cols)
    return out.sort_values(["handled", "objection_type"], kind="stable").head(k).reset_index(drop=True)
