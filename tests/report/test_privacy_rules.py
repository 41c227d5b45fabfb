"""Issue 9, finding 2: no shown number reveals a small group (primary + complementary
suppression in ``Chapter.table`` and ``Chapter.headline``), and the filter's gaps
(applied at all; ``>=``; the comparison group's column)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from trackreport.report.notebook import Chapter
from trackreport.report.params import resolve
from trackreport.stats.disclosure import suppress
from trackreport.stats.estimate import Estimate


@pytest.fixture
def shown(monkeypatch):
    """A chapter (min_group_size 5) whose displays are captured: tables and headlines."""
    out: dict[str, list] = {"tables": [], "headlines": [], "text": []}

    def fake_display(obj, raw=False):
        if hasattr(obj, "data") and isinstance(obj.data, pd.DataFrame):  # a Styler
            out["tables"].append(obj.data.copy())
        elif isinstance(obj, dict):
            out["headlines"].append(obj["text/html"])
        else:
            out["text"].append(str(getattr(obj, "data", obj)))

    import IPython.display

    monkeypatch.setattr(IPython.display, "display", fake_display)
    params = resolve("east", "2025Q3")
    assert params.min_group_size == 5
    ch = Chapter("01", params, None, None, pd.DataFrame(), pd.DataFrame())
    return ch, out


def _cohort() -> pd.DataFrame:
    """20 people: segments of 6, 5, 5 and 4 people; tenure bands of 12, 7 and 1 person."""
    rng = np.random.default_rng(9)
    seg = ["A"] * 6 + ["B"] * 5 + ["C"] * 5 + ["D"] * 4
    tenure = (
        (["<1y"] * 4 + [">3y"] * 2)
        + (["<1y"] * 3 + ["1-3y"] * 2)
        + (["<1y"] * 3 + ["1-3y"] * 2)
        + (["<1y"] * 2 + ["1-3y"] * 2)
    )
    tenure[-1] = "new hire"  # one person alone in a band
    tenure = [t if t != ">3y" else "1-3y" for t in tenure]
    return pd.DataFrame({"person": range(20), "segment": seg, "tenure": tenure, "score": rng.normal(70, 10, 20)})


def test_no_shown_number_reveals_the_1_person_or_the_4_person_group(shown):
    ch, out = shown
    people = _cohort()
    sizes = {k: people.groupby(k).size().to_dict() for k in ("segment", "tenure")}
    assert sizes["segment"]["D"] == 4 and sizes["tenure"]["new hire"] == 1
    for key in ("segment", "tenure"):
        tab = people.groupby(key, as_index=False).agg(n=("score", "size"), mean=("score", "mean"))
        ch.table(tab, n_col="n")
    ch.headline("score", Estimate(people["score"].mean(), n=len(people)), label="Mean score", unit="points")

    # Every shown aggregate is a linear function of the people's scores (a sum over a set);
    # a hidden group's mean can be recomputed iff its indicator lies in their span.
    shown_sets = [np.ones(len(people))]  # the headline: everyone's mean and n
    for key, tab in zip(("segment", "tenure"), out["tables"], strict=True):
        for g in tab[key.capitalize()]:
            shown_sets.append((people[key] == g).to_numpy(dtype=float))
    span = np.vstack(shown_sets)
    rank = np.linalg.matrix_rank(span)
    hidden = [
        (key, g)
        for key, tab in zip(("segment", "tenure"), out["tables"], strict=True)
        for g in sizes[key]
        if g not in set(tab[key.capitalize()])
    ]
    assert ("segment", "D") in hidden and ("tenure", "new hire") in hidden
    for key, g in hidden:
        ind = (people[key] == g).to_numpy(dtype=float)
        assert np.linalg.matrix_rank(np.vstack([span, ind])) > rank, f"{key} {g} can be recomputed"
    for i in people.index:  # nor any single person's score
        e = np.zeros(len(people))
        e[i] = 1.0
        assert np.linalg.matrix_rank(np.vstack([span, e])) > rank


def test_table_filter_is_applied(shown):
    ch, out = shown
    tab = pd.DataFrame({"team": ["a", "b", "c", "d"], "n": [9, 3, 2, 6], "mean": [1.0, 2.0, 3.0, 4.0]})
    ch.table(tab, n_col="n")
    assert list(out["tables"][0]["Team"]) == ["a", "d"]  # 3 and 2 hidden (together 5: enough)
    assert any("2 groups not shown" in t for t in out["text"])


def test_exactly_min_group_size_is_shown_without_complement(shown):
    ch, out = shown
    ch.table(pd.DataFrame({"team": ["a", "b"], "n": [5, 8], "x": [1.0, 2.0]}), n_col="n")
    assert list(out["tables"][0]["Team"]) == ["a", "b"]
    assert not out["text"]


def test_comparison_groups_column_is_held_to_the_rule(shown):
    ch, out = shown
    tab = pd.DataFrame({"measure": ["m1", "m2", "m3"], "n_treated": [20, 20, 20], "n_comparison": [30, 2, 25]})
    ch.table(tab, n_col="n_treated")
    assert "m2" not in set(out["tables"][0]["Measure"])


def test_headline_below_the_minimum_shows_no_number(shown):
    ch, out = shown
    rec = ch.headline("tiny", Estimate(87.5, 80.0, 95.0, n=4), label="Mean of a tiny group", unit="points")
    assert rec["value"] is None and rec.get("suppressed") is True and "ci_low" not in rec
    assert "87" not in out["headlines"][0] and "not shown" in out["headlines"][0]
    ok = ch.headline("ok", Estimate(87.5, 80.0, 95.0, n=5), label="Mean", unit="points")
    assert ok["value"] == 87.5 and "87.5" in out["headlines"][1]
    count = ch.headline("people", 3, label="People trained", unit="people")
    assert count["value"] == 3  # a count of people is not a figure about them


def test_suppress_rule():
    assert suppress([6, 5, 5, 4], min_size=5).tolist() == [True, False, True, False]
    assert suppress([10, 9, 1], min_size=5).tolist() == [True, False, False]
    assert suppress([1, 4, 6], min_size=5).tolist() == [False, False, True]
    assert suppress([3, 2], min_size=5).tolist() == [False, False]
    assert suppress([6, 4], min_size=5, total_shown=False).tolist() == [True, False]


def test_a_difference_shows_both_groups_n(shown):
    """Issue 9, finding 11: the knowledge net gain said n = 8 but rested on 53 people."""
    from trackreport.chapters.evaluation import compare_change, estimate_of

    rng = np.random.default_rng(11)
    ids = [f"t{i}" for i in range(8)] + [f"c{i}" for i in range(45)]
    df = pd.DataFrame(
        {
            "employee_id": np.repeat(ids, 2),
            "group": ["trained"] * 16 + ["comparison"] * 90,
            "phase": ["pre", "post"] * 53,
            "score": rng.normal(60, 10, 106),
        }
    )
    t = compare_change(df, value="score").set_index("group")
    assert t.loc["difference", ["n", "n_trained", "n_comparison"]].tolist() == [53, 8, 45]
    ch, out = shown
    rec = ch.headline("net", estimate_of(t.reset_index(), group="difference"), label="Net", unit="points", change=True)
    assert (rec["n"], rec["n_treated"], rec["n_comparison"]) == (53, 8, 45)
    assert "n = 53 (8 trained, 45 comparison)" in out["headlines"][0]
    small = t.reset_index().assign(n_trained=lambda x: x["n_trained"].where(x["group"] != "difference", 3))
    rec = ch.headline("net_small", estimate_of(small, group="difference"), label="Net", unit="points")
    assert rec["value"] is None  # 3 trained people: not shown although n = 53


def test_a_sentence_about_a_tables_rows_names_only_the_rows_it_shows(shown):
    """Chapter.shown gives the table's own rows: a complementary-suppressed group is not named either
    (chapter 07 named the objection type its table hid, when it filtered by the minimum size alone)."""
    ch, out = shown
    tab = pd.DataFrame({"objection": ["price", "time", "risk", "terms"], "n": [6, 5, 5, 4], "handled": [0.2] * 4})
    ch.table(tab, n_col="n")
    assert list(ch.shown(tab, n_col="n")["objection"]) == list(out["tables"][0]["Objection"]) == ["price", "risk"]
    assert list(tab[tab["n"] >= 5]["objection"]) == ["price", "time", "risk"]  # the minimum alone names "time"
