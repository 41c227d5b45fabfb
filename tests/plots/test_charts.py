"""The charts' rules, each checked on a small frame where a plausible bug would break it.

Intervals are the frame's (not seaborn's), dot plots start where the data do, reference
lines are named for what they are and stay out of the legend's way, text is at least
11 px on the page, colours come from seaborn's colour-blind-safe palette, and the output
is SVG with nothing fetched from another host.
"""

from __future__ import annotations

import base64
import re
import warnings

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
import seaborn as sns
from matplotlib.collections import LineCollection, PathCollection
from matplotlib.colors import to_hex

from trackreport import plots
from trackreport.plots import evaluation as ep
from trackreport.plots import programme as pp
from trackreport.plots import results as rp
from trackreport.report.notebook import quiet_third_party

SCORES = pd.DataFrame(
    {
        "competency": ["product_knowledge", "needs_analysis", "negotiation"],
        "mean": [3.36, 3.31, 3.40],
        "ci_low": [3.22, 3.19, 3.27],
        "ci_high": [3.49, 3.44, 3.52],
        "n": [45, 45, 45],
    }
)
GROUPS = pd.DataFrame(
    {
        "group": ["trained", "trained", "comparison", "comparison"],
        "period": ["before", "after", "before", "after"],
        "value": [35.5, 42.9, 43.0, 39.4],
        "ci_low": [28.0, 35.1, 31.9, 27.8],
        "ci_high": [42.6, 50.2, 52.6, 49.6],
    }
)


@pytest.fixture(autouse=True)
def _close():
    yield
    plt.close("all")


def _segments(ax) -> list[tuple[float, float]]:
    """(low, high) of every interval whisker drawn as a line collection, sorted."""
    out = []
    for coll in ax.collections:
        if isinstance(coll, LineCollection):
            for seg in coll.get_segments():
                (x0, y0), (x1, y1) = seg
                out.append(tuple(sorted((y0, y1))) if x0 == x1 else tuple(sorted((x0, x1))))
    return sorted(out)


def _points(ax) -> list[tuple[float, float]]:
    return [tuple(map(float, p)) for c in ax.collections if isinstance(c, PathCollection) for p in c.get_offsets()]


def test_whiskers_are_the_frames_intervals_not_seaborns():
    one = SCORES.assign(ci_low=[3.0, 3.25, 3.39], ci_high=[3.9, 3.35, 3.41])  # asymmetric, unlike any bootstrap
    ax = plots.point_ci(one, x="competency", y="mean", value_label="rating").axes[0]
    assert _segments(ax) == sorted(zip(one["ci_low"], one["ci_high"]))
    assert sorted(y for _, y in _points(ax)) == sorted(one["mean"])


def test_forest_rows_keep_their_labels_and_intervals_and_skip_missing_points():
    d = pd.DataFrame({"m": ["sales", "win rate", "retention"], "value": [0.12, -0.02, np.nan]})
    d = d.assign(ci_low=[0.01, -0.09, np.nan], ci_high=[0.28, 0.05, np.nan])
    ax = plots.forest(d, label="m", title="Effects", xlabel="effect").axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["sales", "win rate", "retention"]
    assert _segments(ax) == [(-0.09, 0.05), (0.01, 0.28)]
    assert len(_points(ax)) == 2


def test_dot_plots_start_where_the_data_do():
    ax = plots.point_ci(SCORES, x="competency", y="mean", value_label="rating").axes[0]
    low, high = ax.get_ylim()
    assert 3.0 < low < 3.19 and 3.52 < high < 3.7
    wide = SCORES.assign(pre=SCORES["mean"], post=SCORES["mean"] + 0.05)
    ax = ep.dumbbell(wide, label="competency", pre="pre", post="post", title="t", xlabel="x").axes[0]
    assert ax.get_xlim()[0] > 3.0


def _legend_texts(fig) -> list[str]:
    return [t.get_text() for lg in fig.legends + [a.get_legend() for a in fig.axes if a.get_legend()] for t in lg.texts]


def test_a_baseline_is_called_a_baseline_and_a_target_a_target():
    fig = plots.point_ci(SCORES, x="competency", y="mean", value_label="rating", baseline=3.2)
    assert _legend_texts(fig) == ["baseline 3.2"]
    fig = plots.point_ci(SCORES, x="competency", y="mean", value_label="rating", target=4.0)
    assert _legend_texts(fig) == ["target 4"]
    fig = pp.checkins_by_week(
        pd.DataFrame({"week": [1, 2], "share": [0.9, 0.8], "ci_low": [0.8, 0.7], "ci_high": [0.95, 0.88]}),
        target=0.85,
        title="Check-ins",
    )
    assert "target 85%" in _legend_texts(fig)


def test_no_legend_overlaps_a_plotting_area():
    """A target line spans its axes, so a legend outside every axes is never crossed by one."""
    figs = [
        plots.point_ci(SCORES, x="competency", y="mean", value_label="rating", target=4.0),
        rp.before_after_groups(GROUPS, title="NPS", ylabel="NPS", target=50),
        ep.dumbbell(
            SCORES.assign(pre=3.1, post=3.5),
            label="competency",
            pre="pre",
            post="post",
            title="t",
            xlabel="x",
            target=4.0,
        ),
    ]
    for fig in figs:
        fig.canvas.draw()
        r = fig.canvas.get_renderer()
        assert fig.legends, fig
        for lg in fig.legends:
            box = lg.get_window_extent(r)
            for ax in fig.axes:
                assert not box.overlaps(ax.get_window_extent(r)), (fig, ax.get_title())


def _all_charts():
    weeks = pd.DataFrame({"week": [1, 2, 3], "share": [0.9, 0.8, 0.86], "ci_low": [0.8, 0.7, 0.8]})
    weeks["ci_high"] = [0.95, 0.88, 0.92]
    profile = pd.DataFrame(
        {
            "segment": np.repeat(["under 1 year", "1-3 years", "manager"], 4),
            "competency": np.tile(["needs_analysis", "needs_analysis", "negotiation", "negotiation"], 3),
            "wave": np.tile(["pre", "post"], 6),
            "n": 12,
            "rating": np.linspace(3.1, 3.9, 12),
        }
    )
    grid = pd.DataFrame(
        {
            "competency": ["negotiation", "negotiation", "crm_discipline", "crm_discipline"],
            "rater_type": ["peer", "self", "peer", "self"],
            "value": [0.5, -0.1, 0.2, 0.9],
            "ci_low": [0.1, -0.4, -0.1, 0.4],
            "ci_high": [0.9, 0.2, 0.5, 1.4],
        }
    )
    likert = pd.DataFrame({"dim": ["content"] * 5, "answer": [1, 2, 3, 4, 5], "share": [0.05, 0.1, 0.2, 0.4, 0.25]})
    return {
        "point_ci": plots.point_ci(SCORES, x="competency", y="mean", value_label="rating", target=4.0, title="t"),
        "before_after": rp.before_after_groups(GROUPS, title="NPS", ylabel="NPS", target=50),
        "checkins": pp.checkins_by_week(weeks, target=0.85, title="Check-ins"),
        "profile": ep.profile_panels(profile, panel="segment", title="Profile"),
        "heatmap": ep.change_heatmap(grid, row="competency", col="rater_type", title="t", value_label="points"),
        "likert": ep.likert_diverging(likert, by="dim", title="Answers"),
        "change_forest": ep.change_forest(
            GROUPS[GROUPS["period"] == "after"].assign(kpi="display"), label="kpi", title="t", xlabel="x"
        ),
    }


def test_every_text_is_at_least_11_px_on_the_page():
    for name, fig in _all_charts().items():
        assert plots.smallest_text_px(fig) >= plots.MIN_TEXT_PX, name


def test_a_chart_wider_than_the_page_gets_larger_text():
    """The browser shrinks a chart wider than the page; its text is enlarged to stay 11 px."""
    fig, ax = plots.new_grid(1, 4, width=14.0, height=3)
    for a in ax.flat:
        a.set(title="panel", xlabel="x")
    fig.canvas.draw()
    assert plots.smallest_text_px(fig) >= plots.MIN_TEXT_PX
    assert plots.text_px(11, 14.0) < plots.MIN_TEXT_PX  # the default size alone would not do


def test_colours_come_from_seaborns_colour_blind_palette_and_groups_keep_theirs():
    cb = sns.color_palette("colorblind").as_hex()
    assert plots.TRAINED in cb and plots.COMPARISON in cb and plots.TRAINED != plots.COMPARISON
    assert plots.PALETTE == cb
    ax = rp.before_after_groups(GROUPS, title="NPS", ylabel="NPS").axes[0]
    colours = {to_hex(c.get_facecolor()[0]) for c in ax.collections if isinstance(c, PathCollection)}
    assert colours == {plots.TRAINED, plots.COMPARISON}


def test_heatmap_cells_carry_the_change_and_a_star_where_the_interval_excludes_zero():
    grid = _all_charts()["heatmap"]
    texts = sorted(t.get_text() for t in grid.axes[0].texts)
    assert texts == ["+0.20", "+0.50*", "+0.90*", "-0.10"]


def test_small_multiples_replace_the_radar_one_panel_per_segment():
    fig = _all_charts()["profile"]
    titles = [a.get_title() for a in fig.axes if a.get_visible() and a.get_title()]
    assert titles == ["under 1 year (n = 12)", "1-3 years (n = 12)", "manager (n = 12)"]
    assert all(a.name == "rectilinear" for a in fig.axes)


def _svg_width_px(svg: str) -> float:
    return float(re.search(r'width="([\d.]+)pt"', svg).group(1)) * 96 / 72


def test_show_embeds_an_svg_with_alt_text_and_a_phone_drawing_and_nothing_from_another_host(monkeypatch):
    shown = []
    monkeypatch.setattr("IPython.display.display", lambda obj, raw=False: shown.append(obj))
    fig = plots.point_ci(SCORES, x="competency", y="mean", value_label="rating (1-5)", title="Baseline", target=4.0)
    plots.show(fig)
    html = shown[0]["text/html"]
    desktop = re.search(
        r'<img alt="Baseline; y: rating \(1-5\)" src="data:image/svg\+xml;base64,([^"]+)" data-text="([^"]*)"/>', html
    )
    phone = re.search(r'<source media="\(max-width: 600px\)" srcset="data:image/svg\+xml;base64,([^"]+)"/>', html)
    assert html.startswith("<picture>") and desktop and phone
    svgs = [base64.b64decode(m.group(1)).decode("utf-8") for m in (desktop, phone)]
    for svg in svgs:
        assert svg.startswith("<svg") and svg.endswith("</svg>")
        assert "<text" not in svg  # glyphs are paths: no font needed
        refs = set(re.findall(r"https?://[^\s\"']+", svg))
        assert refs == {"http://www.w3.org/2000/svg"}  # the namespace name only
        assert "scale(0.015625)" in svg  # glyph scales are not rounded
    # on a 390 px phone (about 360 px of content) the phone drawing keeps 11 pt text at >= 11 px
    assert _svg_width_px(svgs[1]) < _svg_width_px(svgs[0])
    assert plots.text_px(11, 1) * min(1.0, 360 / _svg_width_px(svgs[1])) >= plots.MIN_TEXT_PX
    assert "image/png" not in shown[0]
    assert plt.fignum_exists(fig.number) is False
    drawn = desktop.group(2).split(" | ")  # every text drawn: ticks and the target line's legend too
    assert "Baseline" in drawn and "rating (1-5)" in drawn and "target 4" in drawn


def test_charts_draw_without_warnings_beyond_seaborns_known_ones():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        quiet_third_party()
        for fig in _all_charts().values():
            fig.canvas.draw()


def test_changes_of_shares_read_in_percentage_points():
    d = GROUPS[GROUPS["period"] == "after"].assign(kpi="display", value=[0.1, 0.02], ci_low=[0.05, -0.02])
    fig = ep.change_forest(d.assign(ci_high=[0.15, 0.06]), label="kpi", title="t", xlabel="change", percent=True)
    fig.canvas.draw()
    ticks = [t.get_text() for t in fig.axes[0].get_xticklabels() if t.get_text()]
    assert "0" in ticks and all(t == "0" or t.endswith(" pp") for t in ticks), ticks
    assert not any("%" in t for t in ticks)


def test_an_empty_frame_draws_an_empty_chart_without_warnings():
    """Every group below the minimum size leaves no row: the chart says so instead of warning."""
    empty = SCORES.iloc[0:0]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        figs = [
            plots.point_ci(empty, x="competency", y="mean", value_label="rating"),
            plots.forest(empty.rename(columns={"mean": "value"}), label="competency", title="t", xlabel="x"),
            ep.dumbbell(
                empty.assign(pre=[], post=[]), label="competency", pre="pre", post="post", title="t", xlabel="x"
            ),
        ]
        for fig in figs:
            fig.canvas.draw()
            assert [t.get_text() for t in fig.axes[0].texts] == [plots.EMPTY_NOTE]
