"""Chapter 13, continuous improvement: remedial camps, mentoring pairs, error analysis.

- Modules whose post-training score is surely below the remediation score (its 95%
  interval lies below it) go to the remedial camp; those whose interval covers it are
  *borderline*.
- Mentoring: the top ``mentor_share`` performers paired one to one with the same number
  of the weakest, by the documented rule of :func:`pair_mentors`.
- Question-level errors: the items most often wrong, by topic, and the topics whose
  share wrong is surely above ``micro_lesson_wrong_share`` (a new micro-lesson).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from trackreport.chapters.evaluation import welch_difference
from trackreport.chapters.sales import measure_panel
from trackreport.data.privacy import person_labels
from trackreport.i18n import N_
from trackreport.stats.estimate import mean_ci, proportion

if TYPE_CHECKING:  # pragma: no cover
    from trackreport.report.notebook import Chapter

__all__ = [
    "module_scores",
    "remedial_list",
    "pair_mentors",
    "mentoring_pairs",
    "item_errors",
    "topic_errors",
    "person_measures",
    "pick_best_team",
    "team_lead",
    "best_practices",
    "COLUMNS",
    "STATUSES",
]

#: The chapter's table headers as a reader sees them (``pretty_column`` of each column
#: name): marked for translation, translated by ``Chapter.table`` where shown.
COLUMNS: dict[str, str] = {
    "module": N_("Module"),
    "score": N_("Score"),
    "status": N_("Status"),
    "mentee": N_("Mentee"),
    "mentor": N_("Mentor"),
    "region": N_("Region"),
    "same_region": N_("Same region"),
    "skill": N_("Skill"),
    "mentee_skill": N_("Mentee skill"),
    "mentor_skill": N_("Mentor skill"),
    "mentee_performance": N_("Mentee performance"),
    "mentor_performance": N_("Mentor performance"),
    "test_id": N_("Test id"),
    "item_id": N_("Item id"),
    "topic": N_("Topic"),
    "share_wrong": N_("Share wrong"),
    "micro_lesson": N_("Micro lesson"),
    "team": N_("Team"),
    "mean": N_("Mean"),
    "best": N_("Best"),
    "measure": N_("Measure"),
    "best_team": N_("Best team"),
    "other_teams": N_("Other teams"),
    "difference": N_("Difference"),
    "n_best": N_("N best"),
    "n_others": N_("N others"),
    "leads": N_("Leads"),
}

#: A module's ``status`` (also a key: ``modules["status"] == "remedial"``) as shown.
STATUSES: dict[str, str] = {"remedial": N_("remedial"), "borderline": N_("borderline"), "ok": N_("ok")}

#: Skills (a mentee's gap) and question topics as shown: the code with spaces; the
#: other competencies read as their labels in :data:`trackreport.stats.display.LABELS`.
_SHOWN_CODES = (
    N_("fabe presentation"),
    N_("crm discipline"),
    N_("parameters"),
    N_("scenarios"),
    N_("competitor comparison"),
    N_("pricing"),
    N_("compliance"),
    N_("specifications"),
    N_("use cases"),
    N_("competitors"),
    N_("service policy"),
    N_("new release"),
)


def module_scores(assessments: pd.DataFrame, courses: pd.DataFrame, *, threshold: float) -> pd.DataFrame:
    """Mean post-training score (points of 100) per module with its t interval and status.

    ``status``: ``remedial`` when the interval lies below ``threshold``, ``borderline``
    when it covers it, ``ok`` when it lies above.

    Examples
    --------
    >>> a = pd.DataFrame({"course_id": ["c"] * 3 + ["d"] * 3, "phase": ["post"] * 6,
    ...                   "score": [50.0, 55, 60, 90, 95, 100], "max_score": [100.0] * 6})
    >>> c = pd.DataFrame({"course_id": ["c", "d"], "title": ["A", "B"]})
    >>> module_scores(a, c, threshold=70)["status"].tolist()
    ['remedial', 'ok']
    """
    a = assessments.loc[(assessments["phase"] == "post").to_numpy() & assessments["course_id"].notna().to_numpy()]
    a = a.assign(points=a["score"] / a["max_score"] * 100)
    rows = []
    for cid, g in a.groupby("course_id", observed=True, sort=True):
        e = mean_ci(g["points"])
        status = "ok" if e.ci_low >= threshold else ("remedial" if e.ci_high < threshold else "borderline")
        if math.isnan(e.ci_low):
            status = "remedial" if e.value < threshold else "ok"
        rows.append(
            {"course_id": cid, "score": e.value, "ci_low": e.ci_low, "ci_high": e.ci_high, "n": e.n, "status": status}
        )
    out = pd.DataFrame(rows, columns=["course_id", "score", "ci_low", "ci_high", "n", "status"])
    title = dict(zip(courses["course_id"], courses["title"].astype(str)))
    out.insert(1, "module", out["course_id"].map(title))
    return out.sort_values("score", ignore_index=True)


def remedial_list(ch: Chapter) -> pd.DataFrame:
    """The cohort's modules below ``thresholds.remediation_score``: remedial or borderline."""
    courses = ch.data["courses"]
    cids = set(courses.loc[(courses["cohort"] == ch.params.quarter).to_numpy(), "course_id"])
    a = ch.data["assessments"]
    a = a.loc[(a["course_id"].isin(cids) & a["employee_id"].isin(set(ch.members["employee_id"]))).to_numpy()]
    m = module_scores(a, courses, threshold=ch.params.thresholds.remediation_score)
    return m.loc[(m["status"] != "ok").to_numpy()].drop(columns="course_id").reset_index(drop=True)


def pair_mentors(people: pd.DataFrame, *, share: float = 0.2) -> pd.DataFrame:
    """Pair the top ``share`` performers one to one with the same number of the weakest.

    The rule, in order:

    1. Rank people by ``performance`` (ties by ``employee_id``). Mentors are the top
       ``floor(share * n)`` (at least 1 when n >= 2), mentees the same number from the
       bottom; nobody is both.
    2. Mentees are served weakest first. Each mentee's *gap* is their weakest skill
       (lowest of the ``skill_*`` columns; ties by column name).
    3. A mentee gets the free mentor **in the same region** with the highest score on
       that skill (ties: higher performance, then ``employee_id``); if no mentor is free
       in the region, the free mentor of any region by the same order
       (``same_region = False``).

    Parameters
    ----------
    people : DataFrame
        ``employee_id``, ``region``, ``performance`` and one or more ``skill_<name>``
        columns (higher is better).

    Returns
    -------
    DataFrame
        One row per pair: ``mentee``, ``mentor``, ``region``, ``same_region``, ``skill``
        (the mentee's gap), ``mentee_skill``, ``mentor_skill``, ``mentee_performance``,
        ``mentor_performance``.

    Examples
    --------
    >>> p = pd.DataFrame({"employee_id": list("abcdefghij"), "region": ["n"] * 5 + ["s"] * 5,
    ...                   "performance": [10, 9, 1, 5, 5, 8, 2, 5, 5, 5],
    ...                   "skill_x": [4, 2, 1, 3, 3, 3, 3, 3, 3, 3], "skill_y": [2, 4, 3, 3, 3, 3, 1, 3, 3, 3]})
    >>> pair_mentors(p, share=0.2)[["mentee", "mentor", "skill"]].values.tolist()
    [['c', 'a', 'x'], ['g', 'b', 'y']]
    """
    p = people.dropna(subset=["performance"]).sort_values(["performance", "employee_id"], ascending=[False, True])
    k = int(math.floor(share * len(p)))
    if len(p) >= 2:
        k = max(k, 1)
    k = min(k, len(p) // 2)
    skills = sorted(c for c in p.columns if c.startswith("skill_"))
    mentors = p.head(k).copy()
    mentees = p.iloc[len(p) - k :].sort_values(["performance", "employee_id"]) if k else p.iloc[:0]
    free = set(mentors["employee_id"])
    rows = []
    for _row, m in mentees.iterrows():
        vals = m[skills].astype(float)
        gap = str(vals.fillna(np.inf).idxmin()) if skills else ""
        cand = mentors.loc[mentors["employee_id"].isin(free)]
        same = cand.loc[(cand["region"] == m["region"]).to_numpy()]
        pool = same if len(same) else cand
        if not len(pool):
            break
        order = pool.assign(_s=pool[gap].astype(float).fillna(-np.inf) if gap else 0.0)
        best = order.sort_values(["_s", "performance", "employee_id"], ascending=[False, False, True]).iloc[0]
        free.discard(best["employee_id"])
        rows.append(
            {
                "mentee": m["employee_id"],
                "mentor": best["employee_id"],
                "region": m["region"],
                "same_region": bool(best["region"] == m["region"]),
                "skill": gap.removeprefix("skill_"),
                "mentee_skill": float(m[gap]) if gap else math.nan,
                "mentor_skill": float(best[gap]) if gap else math.nan,
                "mentee_performance": float(m["performance"]),
                "mentor_performance": float(best["performance"]),
            }
        )
    cols = ["mentee", "mentor", "region", "same_region", "skill", "mentee_skill", "mentor_skill"]
    return pd.DataFrame(rows, columns=[*cols, "mentee_performance", "mentor_performance"])


def mentoring_people(ch: Chapter) -> pd.DataFrame:
    """The cohort's people for mentoring: sales per month in the after-window
    (performance) and their latest 360 mean rating per competency (skills)."""
    ids = set(ch.members["employee_id"])
    emp = ch.data["employees"]
    emp = emp.loc[emp["employee_id"].isin(ids).to_numpy()]
    w = ch.windows
    panel = measure_panel(ch.data, start=w.after[0], end=w.after[1], employees=emp)
    perf = panel.groupby("employee_id")["sales"].mean()
    r = ch.data["ratings_360"]
    r = r.loc[(r["ratee_id"].isin(ids) & (r["date"] <= w.after[1])).to_numpy()]
    last = r.groupby("ratee_id")["date"].transform("max")
    r = r.loc[(r["date"] == last).to_numpy()]
    sk = r.pivot_table(index="ratee_id", columns="competency", values="rating", aggfunc="mean", observed=True)
    sk.columns = [f"skill_{c}" for c in sk.columns]
    out = emp[["employee_id", "display_name", "region"]].assign(region=lambda d: d["region"].astype(str))
    out["performance"] = out["employee_id"].map(perf).astype(float)
    return out.merge(sk, left_on="employee_id", right_index=True, how="left").reset_index(drop=True)


def mentoring_pairs(ch: Chapter) -> pd.DataFrame:
    """The pairs table for the notebook, people shown by pseudonym unless ``show_names``."""
    people = mentoring_people(ch)
    pairs = pair_mentors(people.drop(columns="display_name"), share=ch.params.improvement.mentor_share)
    names = dict(zip(people["employee_id"], people["display_name"].astype(str)))
    for col in ("mentee", "mentor"):
        pairs[col] = person_labels(pairs[col], pairs[col].map(names), show_names=ch.params.show_names)
    pairs["skill"] = pairs["skill"].str.replace("_", " ")
    return pairs


def _cohort_items(ch: Chapter) -> pd.DataFrame:
    items = ch.data["assessment_items"]
    ids = set(ch.members["employee_id"])
    tests = ch.data["assessments"]
    tests = set(tests.loc[tests["employee_id"].isin(ids).to_numpy(), "test_id"])
    return items.loc[
        (items["employee_id"].isin(ids) & items["test_id"].isin(tests) & (items["phase"] == "post")).to_numpy()
    ]


def item_errors(items: pd.DataFrame, *, k: int = 10) -> pd.DataFrame:
    """The ``k`` items most often answered wrong: share wrong (Wilson interval), n, topic.

    Examples
    --------
    >>> it = pd.DataFrame({"test_id": ["t"] * 4, "item_id": ["a", "a", "b", "b"], "topic": ["p"] * 4,
    ...                    "correct": [False, False, True, False]})
    >>> item_errors(it)[["item_id", "share_wrong", "n"]].values.tolist()
    [['a', 1.0, 2], ['b', 0.5, 2]]
    """
    rows = []
    for (test, item, topic), g in items.groupby(["test_id", "item_id", "topic"], observed=True, sort=True):
        e = proportion(int((~g["correct"].astype(bool)).sum()), len(g))
        rows.append({"test_id": test, "item_id": item, "topic": str(topic), "share_wrong": e.value,
                     "ci_low": e.ci_low, "ci_high": e.ci_high, "n": e.n})  # fmt: skip
    out = pd.DataFrame(rows, columns=["test_id", "item_id", "topic", "share_wrong", "ci_low", "ci_high", "n"])
    return out.sort_values(["share_wrong", "n"], ascending=[False, False], ignore_index=True).head(k)


def topic_errors(items: pd.DataFrame, *, threshold: float) -> pd.DataFrame:
    """Share wrong per topic (Wilson interval); ``micro_lesson`` when the interval lies
    above ``threshold``."""
    rows = []
    for topic, g in items.groupby("topic", observed=True, sort=True):
        e = proportion(int((~g["correct"].astype(bool)).sum()), len(g))
        rows.append({"topic": str(topic).replace("_", " "), "share_wrong": e.value, "ci_low": e.ci_low,
                     "ci_high": e.ci_high, "n": e.n, "micro_lesson": bool(e.ci_low > threshold)})  # fmt: skip
    out = pd.DataFrame(rows, columns=["topic", "share_wrong", "ci_low", "ci_high", "n", "micro_lesson"])
    return out.sort_values("share_wrong", ascending=False, ignore_index=True)


def cohort_item_errors(ch: Chapter) -> pd.DataFrame:
    return item_errors(_cohort_items(ch), k=ch.params.improvement.error_items)


def cohort_topic_errors(ch: Chapter) -> pd.DataFrame:
    return topic_errors(_cohort_items(ch), threshold=ch.params.improvement.micro_lesson_wrong_share)


def module_table(ch: Chapter) -> pd.DataFrame:
    """Every module of the cohort with its post-training score, interval and status."""
    courses = ch.data["courses"]
    cids = set(courses.loc[(courses["cohort"] == ch.params.quarter).to_numpy(), "course_id"])
    a = ch.data["assessments"]
    a = a.loc[(a["course_id"].isin(cids) & a["employee_id"].isin(set(ch.members["employee_id"]))).to_numpy()]
    return module_scores(a, courses, threshold=ch.params.thresholds.remediation_score).drop(columns="course_id")


# --------------------------------------------------------------------------- best practices of the top team

PRACTICES = {
    "crm_completeness": N_("CRM record completeness"),
    "fabe_share": N_("Share of reviewed calls following FABE"),
    "kb_applications": N_("Knowledge-base documents applied per month"),
}


def person_measures(data, *, start, end) -> pd.DataFrame:
    """Per seller (rep or senior rep) of every team with sales months between ``start``
    and ``end``: ``team``, ``sales`` (mean sales per month, outlier orders left out),
    ``crm_completeness`` (Σ records complete / Σ records created), ``fabe_share``
    (Σ FABE calls / Σ reviewed calls) and ``kb_applications`` (documents applied per
    month employed) over those months."""
    start, end = pd.Timestamp(start), pd.Timestamp(end)
    emp = data["employees"]
    emp = emp.loc[emp["role"].isin(["rep", "senior_rep"]).to_numpy()]
    panel = measure_panel(data, start=start, end=end, employees=emp)
    g = panel.groupby("employee_id")
    out = pd.DataFrame({"sales": g["sales"].mean(), "months": g["sales"].size()})
    crm = data["crm_activity"]
    crm = crm.loc[((crm["month"] >= start) & (crm["month"] <= end)).to_numpy()]
    c = crm.groupby("employee_id")[["records_created", "records_complete", "observed_calls", "fabe_calls"]].sum()
    out["crm_completeness"] = c["records_complete"] / c["records_created"].replace(0, np.nan)
    out["fabe_share"] = c["fabe_calls"] / c["observed_calls"].replace(0, np.nan)
    use = data["kb_usage"]
    use = use.loc[((use["action"] == "apply") & (use["date"] >= start) & (use["date"] <= end)).to_numpy()]
    out["kb_applications"] = use.groupby("employee_id").size().reindex(out.index).fillna(0) / out["months"]
    team = emp.set_index("employee_id")["team"].astype(str)
    out.insert(0, "team", out.index.map(team))
    for col in PRACTICES:
        out[col] = out[col].astype(float)
    return out.rename_axis("employee_id").reset_index()


def pick_best_team(people: pd.DataFrame, *, measure: str = "sales") -> pd.DataFrame:
    """Each team's mean ``measure`` per person with its t interval; the best team is the
    one with the **highest lower 95% bound** (ties by team name), so a team is not
    chosen on a mean that a few noisy people inflate. ``best`` marks it.

    Examples
    --------
    >>> p = pd.DataFrame({"team": ["a"] * 3 + ["b"] * 3, "sales": [10.0, 11, 12, 5, 30, 1]})
    >>> pick_best_team(p)[["team", "best"]].values.tolist()
    [['a', True], ['b', False]]
    """
    rows = []
    for team, g in people.groupby("team", sort=True):
        e = mean_ci(g[measure])
        rows.append({"team": team, "mean": e.value, "ci_low": e.ci_low, "ci_high": e.ci_high, "n": e.n})
    t = pd.DataFrame(rows, columns=["team", "mean", "ci_low", "ci_high", "n"])
    key = t["ci_low"].fillna(-np.inf)
    order = t.assign(_k=key).sort_values(["_k", "team"], ascending=[False, True])
    t["best"] = t["team"] == (order["team"].iloc[0] if len(order) else None)
    return t.sort_values(["ci_low", "team"], ascending=[False, True], ignore_index=True)


def team_lead(people: pd.DataFrame, best: str, *, measures=tuple(PRACTICES)) -> pd.DataFrame:
    """For each measure: the best team's mean, the other teams' mean (people pooled), the
    difference with its Welch 95% interval, and the people behind each side; ``leads``
    when the whole interval lies above zero. Exploratory and an association.

    Examples
    --------
    >>> p = pd.DataFrame({"team": ["a"] * 3 + ["b"] * 3, "x": [3.0, 4, 5, 1, 2, 3]})
    >>> team_lead(p, "a", measures=["x"])[["difference", "n_best", "n_others", "leads"]].values.tolist()
    [[2.0, 3, 3, False]]
    """
    rows = []
    is_b = (people["team"] == best).to_numpy()
    for m in measures:
        a = people.loc[is_b, m].dropna()
        b = people.loc[~is_b, m].dropna()
        d = welch_difference(a.to_numpy(), b.to_numpy())
        rows.append(
            {
                "measure": PRACTICES.get(m, m),
                "best_team": a.mean() if len(a) else math.nan,
                "other_teams": b.mean() if len(b) else math.nan,
                "difference": d.value,
                "ci_low": d.ci_low,
                "ci_high": d.ci_high,
                "n_best": len(a),
                "n_others": len(b),
                "leads": bool(d.ci_low > 0),
            }
        )
    cols = ["measure", "best_team", "other_teams", "difference", "ci_low", "ci_high", "n_best", "n_others", "leads"]
    return pd.DataFrame(rows, columns=cols)


def best_practices(ch: Chapter) -> dict:
    """The report's after-window, every team: the team ranking (``teams``), the best team
    (``best``) by the rule of :func:`pick_best_team` on sales per seller per month, and
    the measures where it leads the others (``lead``)."""
    people = person_measures(ch.data, start=ch.windows.after[0], end=ch.windows.after[1])
    teams = pick_best_team(people)
    best = str(teams.loc[teams["best"], "team"].iloc[0]) if teams["best"].any() else ""
    return {"teams": teams, "best": best, "lead": team_lead(people, best), "people": people}
