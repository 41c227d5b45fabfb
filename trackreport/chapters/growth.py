"""Chapter 11, individual growth: certifications, promotions, key talent for succession.

Certification pass rates (first attempt and overall, Wilson intervals) by role for the
trained cohort and its comparison group; the share promoted and the training of those
promoted against those not (an association: promotion prospects drive training as much
as training drives promotion); one growth record per high-potential person, shown by
name only with ``show_names``, else by a stable pseudonym.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

import pandas as pd

from trackreport.chapters.evaluation import welch_difference
from trackreport.data.panels import panel_source
from trackreport.data.privacy import person_labels
from trackreport.i18n import N_, _
from trackreport.stats.estimate import Estimate, proportion
from trackreport.stats.survival import kaplan_meier, survival_at

if TYPE_CHECKING:  # pragma: no cover
    from trackreport.report.notebook import Chapter

__all__ = [
    "pass_rates",
    "certification_table",
    "certification_headlines",
    "promotion_frame",
    "promotion_summary",
    "talent_records",
    "certification_by_team",
    "time_to_promotion",
    "promotion_survival",
    "COLUMNS",
    "GROUPS",
    "HOURS_MEASURES",
]

#: The chapter's table headers as a reader sees them (``pretty_column`` of each column
#: name): marked for translation, translated by ``Chapter.table`` where shown.
COLUMNS: dict[str, str] = {
    "role": N_("Role"),
    "group": N_("Group"),
    "team": N_("Team"),
    "first_attempt": N_("First attempt"),
    "first_attempt_low": N_("First attempt low"),
    "first_attempt_high": N_("First attempt high"),
    "overall": N_("Overall"),
    "overall_low": N_("Overall low"),
    "overall_high": N_("Overall high"),
    "measure": N_("Measure"),
    "promoted": N_("Promoted"),
    "not_promoted": N_("Not promoted"),
    "difference": N_("Difference"),
    "days": N_("Days"),
    "at_risk": N_("At risk"),
    "events": N_("Events"),
    "survival": N_("Survival"),
    "person": N_("Person"),
    "level": N_("Level"),
    "skills_path": N_("Skills path"),
    "certifications": N_("Certifications"),
    "post_test_mean": N_("Post test mean"),
    "rating_360": N_("Rating 360"),
    "promotions": N_("Promotions"),
}

#: The ``group`` values of the chapter's tables (also keys: ``c["group"] == "trained"``).
GROUPS: dict[str, str] = {"trained": N_("trained"), "not trained": N_("not trained")}

#: The ``measure`` rows of :func:`promotion_summary`: total training hours and hours by module type.
HOURS_MEASURES: dict[str, str] = {
    "hours": N_("training hours"),
    "hours_theory": N_("theory hours"),
    "hours_tool": N_("tool hours"),
    "hours_industry": N_("industry hours"),
    "hours_simulation": N_("simulation hours"),
}

#: A skills path's steps: competency codes with spaces (``fabe presentation``); the other
#: competencies read as their labels in :data:`trackreport.stats.display.LABELS`.
_PATH_STEPS = (N_("fabe presentation"), N_("crm discipline"))


def pass_rates(certs: pd.DataFrame, *, by: list[str]) -> pd.DataFrame:
    """First-attempt and overall pass rates per group, with Wilson intervals.

    First attempt: passed with ``attempts == 1``; overall: passed in the end.

    Examples
    --------
    >>> c = pd.DataFrame({"g": ["a"] * 4, "attempts": [1, 1, 2, 3], "passed": [True, False, True, False]})
    >>> r = pass_rates(c, by=["g"])
    >>> r[["n", "first_attempt", "overall"]].values.tolist()
    [[4.0, 0.25, 0.5]]
    """
    rows = []
    for key, g in certs.groupby(by, observed=True, sort=True):
        key = key if isinstance(key, tuple) else (key,)
        n = len(g)
        passed = g["passed"].astype(bool)
        fa = proportion(int((passed & (g["attempts"] == 1)).sum()), n)
        ov = proportion(int(passed.sum()), n)
        rows.append(
            dict(zip(by, key))
            | {
                "n": n,
                "first_attempt": fa.value,
                "first_attempt_low": fa.ci_low,
                "first_attempt_high": fa.ci_high,
                "overall": ov.value,
                "overall_low": ov.ci_low,
                "overall_high": ov.ci_high,
            }
        )
    cols = [*by, "n", "first_attempt", "first_attempt_low", "first_attempt_high", "overall", "overall_low"]
    return pd.DataFrame(rows, columns=[*cols, "overall_high"])


def _window_certs(ch: Chapter) -> pd.DataFrame:
    """Certifications of the team's cohort and comparison group from the quarter's start
    to the end of the after-window, with ``group`` and ``role``."""
    c = ch.data["certifications"]
    start = ch.windows.before[1] + pd.Timedelta(days=1)
    c = c.loc[((c["date"] >= start) & (c["date"] <= ch.windows.after[1])).to_numpy()]
    people = pd.concat(
        [
            ch.members[["employee_id", "role"]].assign(group="trained"),
            ch.comparison[["employee_id", "role"]].assign(group="not trained"),
        ]
    ).drop_duplicates("employee_id")
    return c.merge(people, on="employee_id", how="inner")


def certification_table(ch: Chapter) -> pd.DataFrame:
    """Pass rates by role and group (trained cohort vs not trained) in the report window."""
    return pass_rates(_window_certs(ch), by=["role", "group"])


def certification_headlines(ch: Chapter) -> dict[str, Estimate]:
    """First-attempt pass rate of the trained and not trained, and their difference (Welch)."""
    c = _window_certs(ch)
    first = (c["passed"].astype(bool) & (c["attempts"] == 1)).astype(float)
    t, u = first[c["group"] == "trained"], first[c["group"] == "not trained"]
    return {
        "trained": proportion(int(t.sum()), len(t)),
        "not_trained": proportion(int(u.sum()), len(u)),
        "difference": welch_difference(t.to_numpy(), u.to_numpy()) if len(u) >= 2 else Estimate(float("nan")),
    }


def promotion_frame(data: Mapping[str, pd.DataFrame], team: str, *, start, end, lookback_months: int = 12):
    """One row per team member employed from ``start`` to ``end``: promoted in that span
    or not, training hours attended in the ``lookback_months`` before ``end`` and their
    split by module type (``hours_<type>``).

    Examples
    --------
    >>> from trackreport.data.sample import generate
    >>> f = promotion_frame(generate(seed=1, scale=0.1), "east", start="2025-07-01", end="2025-12-31")
    >>> {"employee_id", "promoted", "hours"} <= set(f.columns)
    True
    """
    start, end = pd.Timestamp(start), pd.Timestamp(end)
    emp = data["employees"]
    emp = emp.loc[
        ((emp["team"] == team) & (emp["hire_date"] <= start) & (emp["leave_date"].isna() | (emp["leave_date"] >= end)))
        .fillna(False)
        .to_numpy()
    ]
    pro = data["promotions"]
    pro = pro.loc[((pro["date"] >= start) & (pro["date"] <= end)).to_numpy()]
    out = emp[["employee_id", "role", "level"]].reset_index(drop=True)
    out["promoted"] = out["employee_id"].isin(set(pro["employee_id"]))
    enr = data["enrollments"].merge(data["courses"][["course_id", "module_type", "end_date"]], on="course_id")
    lo = end - pd.DateOffset(months=lookback_months)
    enr = enr.loc[((enr["end_date"] > lo) & (enr["end_date"] <= end)).to_numpy()]
    hours = enr.pivot_table(
        index="employee_id", columns="module_type", values="attended_hours", aggfunc="sum", observed=True
    )
    hours.columns = [f"hours_{c}" for c in hours.columns]
    out = out.merge(hours, left_on="employee_id", right_index=True, how="left")
    hcols = [c for c in out.columns if c.startswith("hours_")]
    out[hcols] = out[hcols].fillna(0.0).astype(float)
    out["hours"] = out[hcols].sum(axis=1) if hcols else 0.0
    return out


def promotion_summary(frame: pd.DataFrame) -> pd.DataFrame:
    """Mean training hours (total and by module type) of the promoted and the not promoted,
    the difference with its Welch interval. An association, not an effect."""
    rows = []
    cols = ["hours"] + sorted(c for c in frame.columns if c.startswith("hours_"))
    p, q = frame[frame["promoted"]], frame[~frame["promoted"]]
    for c in cols:
        d = (
            welch_difference(p[c].to_numpy(), q[c].to_numpy())
            if len(p) >= 2 and len(q) >= 2
            else Estimate(float("nan"))
        )
        rows.append(
            {
                "measure": HOURS_MEASURES.get(c, c.removeprefix("hours_") + " hours"),
                "promoted": p[c].mean(),
                "not_promoted": q[c].mean(),
                "difference": d.value,
                "ci_low": d.ci_low,
                "ci_high": d.ci_high,
                "n": min(len(p), len(q)),
            }
        )
    return pd.DataFrame(rows)


def talent_records(ch: Chapter) -> pd.DataFrame:
    """Growth record of the team's high-potential people: one row each.

    Skills path (competencies of the courses completed, in order), certifications passed,
    mean post-training test score, latest 360 mean rating, level and promotions. Shown
    by name only with ``show_names``; else by a stable pseudonym.
    """
    emp = ch.data["employees"]
    hp = emp.loc[((emp["team"] == ch.params.team) & emp["high_potential"].astype(bool)).to_numpy()]
    hp = hp.loc[(hp["leave_date"].isna() | (hp["leave_date"] >= ch.windows.after[1])).to_numpy()]
    enr = ch.data["enrollments"].merge(ch.data["courses"], on="course_id")
    enr = enr.loc[(enr["completed"].astype(bool) & (enr["end_date"] <= ch.windows.after[1])).to_numpy()]
    path = (
        enr.sort_values("start_date")
        .groupby("employee_id")["competency"]
        .agg(lambda s: " → ".join(_(step) for step in dict.fromkeys(str(x).replace("_", " ") for x in s)))
    )
    cert = ch.data["certifications"]
    cert = cert.loc[(cert["passed"].astype(bool) & (cert["date"] <= ch.windows.after[1])).to_numpy()]
    certs = cert.groupby("employee_id")["certification"].agg(lambda s: ", ".join(sorted(set(map(str, s)))))
    tests = ch.data["assessments"]
    tests = tests.loc[((tests["phase"] == "post") & (tests["max_score"] == 100)).to_numpy()]
    post = tests.groupby("employee_id")["score"].mean()
    r = ch.data["ratings_360"]
    r = r.loc[(r["date"] <= ch.windows.after[1]).to_numpy()]
    last = r.groupby("ratee_id")["date"].transform("max")
    rating = r.loc[(r["date"] == last).to_numpy()].groupby("ratee_id")["rating"].mean()
    pro = ch.data["promotions"]
    pro = pro.loc[(pro["date"] <= ch.windows.after[1]).to_numpy()].groupby("employee_id").size()
    ids = hp["employee_id"]
    out = pd.DataFrame(
        {
            "person": person_labels(ids, hp["display_name"], show_names=ch.params.show_names),
            "role": hp["role"].astype(str).str.replace("_", " ").to_numpy(),
            "level": hp["level"].to_numpy(),
            "skills_path": ids.map(path).fillna("–").to_numpy(),
            "certifications": ids.map(certs).fillna("–").to_numpy(),
            "post_test_mean": ids.map(post).astype(float).to_numpy(),
            "rating_360": ids.map(rating).astype(float).to_numpy(),
            "promotions": ids.map(pro).fillna(0).astype(int).to_numpy(),
        }
    )
    return out.sort_values(["level", "person"], ascending=[False, True], ignore_index=True)


def certification_by_team(ch: Chapter) -> pd.DataFrame:
    """Pass rates by team (department), company-wide, for certifications dated from the
    quarter's start to the end of the after-window."""
    c = ch.data["certifications"]
    start = ch.windows.before[1] + pd.Timedelta(days=1)
    c = c.loc[((c["date"] >= start) & (c["date"] <= ch.windows.after[1])).to_numpy()]
    c = c.merge(ch.data["employees"][["employee_id", "team"]], on="employee_id")
    c["team"] = c["team"].astype(str)
    return pass_rates(c, by=["team"])


def time_to_promotion(
    employees: pd.DataFrame, promotions: pd.DataFrame, people: pd.DataFrame, *, origin, data_end
) -> pd.DataFrame:
    """Days from ``origin`` to each person's first promotion dated after it, censored at
    leaving or at ``data_end``.

    ``people``: ``employee_id`` and ``group``. People who left on or before ``origin``
    are left out. ``promoted`` is the event indicator; ``days`` the duration.

    Examples
    --------
    >>> emp = pd.DataFrame({"employee_id": ["a", "b", "c"],
    ...                     "leave_date": pd.to_datetime([None, "2025-08-01", None])})
    >>> pro = pd.DataFrame({"employee_id": ["a", "c"], "date": pd.to_datetime(["2025-07-11", "2025-07-01"])})
    >>> ppl = pd.DataFrame({"employee_id": ["a", "b", "c"], "group": ["t", "t", "u"]})
    >>> time_to_promotion(emp, pro, ppl, origin="2025-07-01", data_end="2025-12-31")[["days", "promoted"]].values.tolist()
    [[10, True], [31, False], [183, False]]
    """
    origin, data_end = pd.Timestamp(origin), pd.Timestamp(data_end)
    p = people[["employee_id", "group"]].merge(employees[["employee_id", "leave_date"]], on="employee_id")
    p = p.loc[(p["leave_date"].isna() | (p["leave_date"] > origin)).to_numpy()].reset_index(drop=True)
    pro = promotions.loc[((promotions["date"] > origin) & (promotions["date"] <= data_end)).to_numpy()]
    first = pro.groupby("employee_id")["date"].min()
    event = p["employee_id"].map(first)
    stop = p["leave_date"].where(p["leave_date"].notna() & (p["leave_date"] < data_end), data_end)
    promoted = event.notna() & (event.isna() | (event <= stop)).fillna(False)
    end = event.where(promoted, stop)
    p["days"] = (pd.to_datetime(end) - origin).dt.days.astype(int)
    p["promoted"] = promoted.astype(bool).to_numpy()
    return p.drop(columns="leave_date")


def promotion_survival(ch: Chapter) -> dict:
    """Kaplan-Meier of the time from the start of the training quarter to first promotion,
    trained cohort vs not trained (the comparison group), censored at leaving or at the
    data end (the last order date in the data).

    Returns ``frame`` (one row per person), ``curves`` (group -> KM table), ``data_end``,
    ``enough`` (both groups have ``min_group_size`` people and the promotions together reach
    ``growth.survival_min_events``), and ``share``: group -> the share promoted by the
    data end (1 − S) as an :class:`Estimate`, with ``difference`` (trained − not trained,
    normal interval from the two Greenwood standard errors).
    """
    origin = ch.windows.before[1] + pd.Timedelta(days=1)
    data_end = panel_source(ch.data).order_dates()[1]
    people = pd.concat(
        [
            ch.members[["employee_id"]].assign(group="trained"),
            ch.comparison[["employee_id"]].assign(group="not trained"),
        ]
    ).drop_duplicates("employee_id")
    f = time_to_promotion(ch.data["employees"], ch.data["promotions"], people, origin=origin, data_end=data_end)
    horizon = int((data_end - origin).days)
    curves, share = {}, {}
    for g in ("trained", "not trained"):
        x = f.loc[(f["group"] == g).to_numpy()]
        curves[g] = kaplan_meier(x["days"], x["promoted"])
        share[g] = survival_at(curves[g], horizon, n=len(x))
    a, b = share["trained"], share["not trained"]
    se = [float(c["se"].iloc[-1]) if len(c) else 0.0 for c in (curves["trained"], curves["not trained"])]
    d = a.value - b.value
    half = 1.959963984540054 * (se[0] ** 2 + se[1] ** 2) ** 0.5
    share["difference"] = Estimate(
        d, d - half, d + half, n=a.n + b.n, method="difference of Kaplan-Meier estimates, normal interval"
    )
    sizes = f["group"].value_counts()
    enough = bool(
        min(sizes.get("trained", 0), sizes.get("not trained", 0)) >= ch.min_n
        and int(f["promoted"].sum()) >= ch.params.growth.survival_min_events
    )
    return {"frame": f, "curves": curves, "share": share, "data_end": data_end, "horizon": horizon, "enough": enough}
