"""Chapter 12, knowledge transfer: the knowledge base and its use.

Documents by category with views, downloads and applications; the hot list ranks
documents by *applications* (a document applied in a sales situation), not views, and
flags ranks resting on few uses; authors of the most-applied documents; and whether the
trained cohort's knowledge-base use goes with their sales after the training (an
association: good sellers may simply use more documents).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from scipy import stats

from trackreport.chapters.sales import measure_panel
from trackreport.data.privacy import person_labels
from trackreport.i18n import N_, _
from trackreport.stats.estimate import Estimate, proportion

if TYPE_CHECKING:  # pragma: no cover
    from trackreport.report.notebook import Chapter

__all__ = [
    "usage_counts",
    "category_table",
    "hot_list",
    "top_authors",
    "use_vs_sales",
    "correlation",
    "session_summary",
    "top_sellers",
    "sharing_table",
    "sharing_headlines",
    "COLUMNS",
    "CATEGORIES",
]

ACTIONS = ("view", "download", "apply")

#: The chapter's table headers as a reader sees them (``pretty_column`` of each column
#: name): marked for translation, translated by ``Chapter.table`` where shown.
COLUMNS: dict[str, str] = {
    "category": N_("Category"),
    "documents": N_("Documents"),
    "views": N_("Views"),
    "downloads": N_("Downloads"),
    "applications": N_("Applications"),
    "applications_per_view": N_("Applications per view"),
    "rank": N_("Rank"),
    "title": N_("Title"),
    "author": N_("Author"),
    "users": N_("Users"),
    "note": N_("Note"),
    "month": N_("Month"),
    "planned": N_("Planned"),
    "held": N_("Held"),
    "held_share": N_("Held share"),
    "invited": N_("Invited"),
    "attendance": N_("Attendance"),
    "attendance_low": N_("Attendance low"),
    "attendance_high": N_("Attendance high"),
}

#: Knowledge-base document categories as shown (the code with spaces).
CATEGORIES: dict[str, str] = {
    "playbook": N_("playbook"),
    "case": N_("case"),
    "competitor_analysis": N_("competitor analysis"),
    "product_sheet": N_("product sheet"),
    "template": N_("template"),
}


def _category(code: str) -> str:
    """A document category as shown: its label, else the code with spaces."""
    return CATEGORIES.get(code, code.replace("_", " "))


def usage_counts(documents: pd.DataFrame, usage: pd.DataFrame) -> pd.DataFrame:
    """One row per document: views, downloads, applications and distinct users.

    Examples
    --------
    >>> docs = pd.DataFrame({"document_id": ["d1", "d2"], "title": ["a", "b"], "category": ["case", "case"],
    ...                      "author_id": ["e1", "e2"]})
    >>> use = pd.DataFrame({"document_id": ["d1", "d1", "d2"], "employee_id": ["x", "y", "x"],
    ...                     "action": ["apply", "view", "apply"]})
    >>> usage_counts(docs, use)[["document_id", "views", "applications", "users"]].values.tolist()
    [['d1', 1, 1, 2], ['d2', 0, 1, 1]]
    """
    counts = (
        usage.assign(action=usage["action"].astype(str))
        .pivot_table(index="document_id", columns="action", values="employee_id", aggfunc="size", observed=True)
        .reindex(columns=list(ACTIONS))
    )
    counts.columns = ["views", "downloads", "applications"]
    users = usage.groupby("document_id")["employee_id"].nunique().rename("users")
    out = documents.merge(counts, left_on="document_id", right_index=True, how="left").merge(
        users, left_on="document_id", right_index=True, how="left"
    )
    for c in ("views", "downloads", "applications", "users"):
        out[c] = out[c].fillna(0).astype("int64")
    return out.reset_index(drop=True)


def _team_usage(ch: Chapter) -> pd.DataFrame:
    """Knowledge-base events of the team's people from the start of the training quarter
    to the end of the after-window."""
    use = ch.data["kb_usage"]
    emp = ch.data["employees"]
    team_ids = set(emp.loc[(emp["team"] == ch.params.team).to_numpy(), "employee_id"])
    start = ch.windows.before[1] + pd.Timedelta(days=1)
    keep = use["employee_id"].isin(team_ids) & (use["date"] >= start) & (use["date"] <= ch.windows.after[1])
    return use.loc[keep.to_numpy()]


def category_table(ch: Chapter) -> pd.DataFrame:
    """Documents, views, downloads and applications by category (the team's use)."""
    u = usage_counts(ch.data["kb_documents"], _team_usage(ch))
    u["category"] = u["category"].astype(str).map(_category)
    t = u.groupby("category", observed=True).agg(
        documents=("document_id", "size"),
        views=("views", "sum"),
        downloads=("downloads", "sum"),
        applications=("applications", "sum"),
    )
    t["applications_per_view"] = t["applications"] / t["views"].replace(0, np.nan)
    return t.sort_values("applications", ascending=False).reset_index()


def _authors(ch: Chapter, ids: pd.Series) -> list[str]:
    emp = ch.data["employees"].set_index("employee_id")["display_name"]
    return person_labels(ids, ids.map(emp), show_names=ch.params.show_names)


def hot_list(ch: Chapter) -> pd.DataFrame:
    """The ``knowledge.hot_list`` documents most applied by the team, ranked by applications
    (ties by distinct users); ``note`` flags a rank resting on fewer than
    ``knowledge.few_uses`` applications."""
    u = usage_counts(ch.data["kb_documents"], _team_usage(ch))
    u = u.loc[(u["applications"] > 0).to_numpy()]
    u = u.sort_values(["applications", "users", "document_id"], ascending=[False, False, True]).head(
        ch.params.knowledge.hot_list
    )
    few = ch.params.knowledge.few_uses
    return pd.DataFrame(
        {
            "rank": np.arange(1, len(u) + 1),
            "title": u["title"].astype(str).to_numpy(),
            "category": u["category"].astype(str).map(_category).to_numpy(),
            "author": _authors(ch, u["author_id"]),
            "applications": u["applications"].to_numpy(),
            "views": u["views"].to_numpy(),
            "users": u["users"].to_numpy(),
            "note": np.where(u["applications"] < few, _("few uses (< {few})", few=few), ""),
        }
    )


def top_authors(ch: Chapter, *, k: int = 5) -> pd.DataFrame:
    """Authors whose documents the team applied most: documents, applications."""
    u = usage_counts(ch.data["kb_documents"], _team_usage(ch))
    a = (
        u.groupby("author_id", observed=True)
        .agg(documents=("document_id", "size"), applications=("applications", "sum"))
        .reset_index()
        .sort_values(["applications", "author_id"], ascending=[False, True])
        .head(k)
    )
    a.insert(0, "author", _authors(ch, a["author_id"]))
    return a.drop(columns="author_id").reset_index(drop=True)


def correlation(x, y) -> Estimate:
    """Pearson correlation with its Fisher-z 95% interval (as scipy's ``pearsonr``).

    Examples
    --------
    >>> e = correlation([1, 2, 3, 4, 5], [2, 1, 4, 3, 5])
    >>> round(e.value, 2), e.n
    (0.8, 5)
    """
    x, y = np.asarray(x, float), np.asarray(y, float)
    ok = np.isfinite(x) & np.isfinite(y)
    x, y = x[ok], y[ok]
    n = int(x.size)
    if n < 4 or np.std(x) == 0 or np.std(y) == 0:
        return Estimate(math.nan, n=n, method="Pearson r, Fisher z interval")
    r = stats.pearsonr(x, y)
    ci = r.confidence_interval(0.95)
    return Estimate(
        float(r.statistic), float(ci.low), float(ci.high), n, float(r.pvalue), "Pearson r, Fisher z interval"
    )


def use_vs_sales(data: Mapping[str, pd.DataFrame], members: pd.DataFrame, windows) -> pd.DataFrame:
    """Per trained person: knowledge-base applications in the after-window and the change
    of sales per month, after − before (outlier orders left out)."""
    ids = set(members["employee_id"])
    emp = data["employees"]
    emp = emp.loc[emp["employee_id"].isin(ids).to_numpy()]
    p = measure_panel(data, start=windows.before[0], end=windows.after[1], employees=emp)
    before = p.loc[(p["month"] <= windows.before[1]).to_numpy()].groupby("employee_id")["sales"].mean()
    after = p.loc[(p["month"] >= windows.after[0]).to_numpy()].groupby("employee_id")["sales"].mean()
    use = data["kb_usage"]
    use = use.loc[
        (use["employee_id"].isin(ids) & (use["action"] == "apply") & (use["date"] >= windows.after[0])).to_numpy()
        & (use["date"] <= windows.after[1]).to_numpy()
    ]
    apps = use.groupby("employee_id").size()
    out = pd.DataFrame({"employee_id": sorted(ids)})
    out["applications"] = out["employee_id"].map(apps).fillna(0).astype(int)
    out["sales_change"] = out["employee_id"].map(after - before).astype(float)
    return out.dropna(subset=["sales_change"]).reset_index(drop=True)


# --------------------------------------------------------------------------- experience-sharing sessions


def session_summary(sessions: pd.DataFrame) -> dict[str, Estimate]:
    """Held vs planned and attendance of a set of sessions, as Wilson shares.

    ``held``: sessions held / sessions planned (n = planned). ``attendance``: attendees /
    invited, summed over the *held* sessions (n = invitations). Invitations of the same
    people to several sessions are not independent, so the attendance interval is too
    narrow when people's habits differ; read it as descriptive.

    Examples
    --------
    >>> s = pd.DataFrame({"held_date": pd.to_datetime(["2025-07-03", None, "2025-07-20"]),
    ...                   "invited": [10, 10, 10], "attendees": pd.array([6, None, 8], dtype="Int64")})
    >>> r = session_summary(s)
    >>> r["held"].value, r["held"].n, r["attendance"].value, r["attendance"].n
    (0.6666666666666666, 3, 0.7, 20)
    """
    held = sessions["held_date"].notna().to_numpy()
    h = sessions.loc[held]
    att = int(pd.to_numeric(h["attendees"]).fillna(0).sum())
    inv = int(pd.to_numeric(h["invited"]).fillna(0).sum())
    return {
        "held": proportion(int(held.sum()), len(sessions)),
        "attendance": proportion(min(att, inv), inv),
    }


def _team_sessions(ch: Chapter) -> pd.DataFrame:
    s = ch.data["sharing_sessions"]
    keep = (s["team"] == ch.params.team) & (s["planned_date"] >= ch.windows.before[0])
    keep &= s["planned_date"] <= ch.windows.after[1]
    return s.loc[keep.to_numpy()].assign(month=lambda d: d["planned_date"].dt.to_period("M").dt.to_timestamp())


def sharing_table(ch: Chapter) -> pd.DataFrame:
    """Per month from the before-window to the end of the after-window: sessions planned
    and held with the held share, invitations and attendance share (Wilson intervals)."""
    rows = []
    for month, g in _team_sessions(ch).groupby("month", sort=True):
        r = session_summary(g)
        rows.append(
            {
                "month": month.strftime("%Y-%m"),
                "planned": len(g),
                "held": int(g["held_date"].notna().sum()),
                "held_share": r["held"].value,
                "invited": r["attendance"].n,
                "attendance": r["attendance"].value,
                "attendance_low": r["attendance"].ci_low,
                "attendance_high": r["attendance"].ci_high,
            }
        )
    cols = ["month", "planned", "held", "held_share", "invited", "attendance", "attendance_low", "attendance_high"]
    return pd.DataFrame(rows, columns=cols)


def top_sellers(panel: pd.DataFrame, *, share: float) -> set[str]:
    """The top ``share`` of the people in ``panel`` by mean sales per month (at least one).

    The rule: rank people by their mean ``sales`` over the panel's months (ties by
    ``employee_id``); the top ``max(1, ceil(share * n))`` are top sellers.

    Examples
    --------
    >>> p = pd.DataFrame({"employee_id": list("aabbccdd"), "sales": [5, 7, 1, 1, 9, 9, 3, 3]})
    >>> sorted(top_sellers(p, share=0.25)), sorted(top_sellers(p, share=0.5))
    (['c'], ['a', 'c'])
    """
    m = panel.groupby("employee_id")["sales"].mean().dropna()
    if m.empty:
        return set()
    k = max(1, math.ceil(share * len(m) - 1e-9))
    order = m.reset_index().sort_values(["sales", "employee_id"], ascending=[False, True])
    return set(order["employee_id"].head(k))


def presenter_is_top_seller(ch: Chapter, sessions: pd.DataFrame) -> pd.Series:
    """For each session: was its presenter a top seller by the rule of :func:`top_sellers`,
    over the team's sellers (reps and senior reps) in the ``knowledge.top_seller_months``
    full months before the session's month? NA when no sales are recorded then."""
    emp = ch.data["employees"]
    team = emp.loc[((emp["team"] == ch.params.team) & emp["role"].isin(["rep", "senior_rep"])).to_numpy()]
    k = ch.params.knowledge.top_seller_months
    if sessions.empty:
        return pd.Series([], dtype="boolean")
    first = sessions["month"].min() - pd.DateOffset(months=k)
    last = sessions["month"].max() - pd.DateOffset(months=1)
    panel = measure_panel(ch.data, start=first, end=last + pd.offsets.MonthEnd(0), employees=team)
    out = []
    for month, pid in zip(sessions["month"], sessions["presenter_id"]):
        lo = month - pd.DateOffset(months=k)
        win = panel.loc[((panel["month"] >= lo) & (panel["month"] < month)).to_numpy()]
        top = top_sellers(win, share=ch.params.knowledge.top_seller_share)
        out.append(pd.NA if not top else pid in top)
    return pd.Series(out, index=sessions.index, dtype="boolean")


def sharing_headlines(ch: Chapter) -> dict[str, Estimate]:
    """From the start of the training quarter to the end of the after-window: share of
    planned sessions held, attendance share of the held ones, and share of held sessions
    whose presenter was a top seller (rule of :func:`presenter_is_top_seller`)."""
    s = _team_sessions(ch)
    s = s.loc[(s["planned_date"] > ch.windows.before[1]).to_numpy()]
    r = session_summary(s)
    held = s.loc[s["held_date"].notna().to_numpy()]
    top = presenter_is_top_seller(ch, held).dropna()
    r["top_seller"] = proportion(int(top.sum()), len(top))
    return r
