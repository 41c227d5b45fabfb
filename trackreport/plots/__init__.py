"""Charts for the reports: drawing only, no computation.

Every chart has a title, labelled axes with units, and is drawn with seaborn from a tidy
frame that a metric function returned. Intervals are the project's own (the frame's
``ci_low``/``ci_high``): seaborn never computes one (``errorbar=None``). The theme is set
once by :func:`new_figure`/:func:`new_grid`, so notebooks need no styling:

- text at least :data:`MIN_TEXT_PX` CSS pixels at print size (the figure at its natural
  width, scaled down only where it is wider than a chapter page's content);
- seaborn's colour-blind-safe ``colorblind`` palette, with the trained group
  (:data:`TRAINED`) and the comparison group (:data:`COMPARISON`) the same colours in
  every chapter;
- reference lines named for what they are (:func:`reference_line`: a baseline is never
  called a target) and legends outside the plotting area (:func:`legend_below`), so no
  line runs through a legend.

:func:`show` displays a figure as SVG (glyphs as paths: sharp at any zoom, no font
needed, no reference to another host) with a text alternative.
Domain-specific charts live in submodules (:mod:`trackreport.plots.evaluation`,
:mod:`trackreport.plots.programme`, :mod:`trackreport.plots.results`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import matplotlib as mpl
import matplotlib.dates as mdates
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator, PercentFormatter

from trackreport.errors import TrackreportError
from trackreport.i18n import _, language
from trackreport.stats.display import label as display_label

__all__ = [
    "show",
    "svg_of",
    "PALETTE",
    "TRAINED",
    "COMPARISON",
    "BEFORE",
    "DIFFERENCE",
    "GROUP_COLORS",
    "apply_theme",
    "new_figure",
    "new_grid",
    "percent_axis",
    "money_axis",
    "pp_axis",
    "reference_line",
    "legend_below",
    "wrap_label",
    "point_ci",
    "forest",
    "text_px",
    "smallest_text_px",
]

#: seaborn's colour-blind-safe qualitative palette (Okabe-Ito-like), in its own order.
PALETTE: list[str] = sns.color_palette("colorblind").as_hex()
TRAINED = PALETTE[0]  # blue: the trained reps / this cohort, in every chapter
COMPARISON = PALETTE[1]  # orange: the comparison group, in every chapter
DIFFERENCE = PALETTE[2]  # green: trained minus comparison
BEFORE = PALETTE[7]  # grey: the same people before the training
TARGET = PALETTE[3]  # vermillion, dashed: a goal set in params/
BASELINE = "#333333"  # near-black, dotted: a reference level (no goal)
GROUP_COLORS: dict[str, str] = {
    "trained": TRAINED,
    "comparison": COMPARISON,
    "difference": DIFFERENCE,
    "before": BEFORE,
    "pre": BEFORE,
    "after": TRAINED,
    "post": TRAINED,
}
_REFERENCE_STYLE = {"target": (TARGET, "--"), "baseline": (BASELINE, ":")}

#: What an empty chart says (callers pass only groups large enough to show).
EMPTY_NOTE = "no group large enough to show"
#: Natural width of a report chart (inches; 96 CSS px each).
FIG_WIDTH = 6.5
#: A chapter page's usable width for an output (CSS px): the page's ``max-width`` (1000 px,
#: ``report/templates/trackreport/index.html.j2``) less the lab template's prompt column and padding.
PAGE_CONTENT_PX = 900
#: Width of a chart's phone drawing (inches) and the widest screen (CSS px) that gets it.
PHONE_WIDTH = 4.0
PHONE_MAX_PX = 600
#: Smallest text on a chart, CSS pixels at print size.
MIN_TEXT_PX = 11.0
_PX_PER_PT = 96 / 72


def text_px(size_pt: float, fig_width_in: float) -> float:
    """CSS pixels of ``size_pt`` text on a chart ``fig_width_in`` wide shown on a chapter page.

    The chart is shown at its natural size (96 px per inch) unless it is wider than
    :data:`PAGE_CONTENT_PX`, then scaled down to fit.

    Examples
    --------
    >>> round(text_px(11, 6.5), 1)
    14.7
    >>> round(text_px(11, 18.75), 1)  # 1800 px wide: shown at half size
    7.3
    """
    scale = min(1.0, PAGE_CONTENT_PX / (fig_width_in * 96))
    return size_pt * _PX_PER_PT * scale


def _min_pt(fig_width_in: float) -> float:
    """The smallest font size (pt) that stays :data:`MIN_TEXT_PX` on the page."""
    return math.ceil(2 * MIN_TEXT_PX / text_px(1.0, fig_width_in)) / 2


def _theme_rc(width: float = FIG_WIDTH) -> dict:
    small = max(11.0, _min_pt(width))
    return {
        "font.size": small + 1,
        "axes.titlesize": small + 2,
        "axes.titleweight": "bold",
        "figure.titlesize": small + 3,
        "figure.titleweight": "bold",
        "axes.labelsize": small + 1,
        "xtick.labelsize": small,
        "ytick.labelsize": small,
        "legend.fontsize": small,
        "legend.title_fontsize": small,
        "legend.frameon": False,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "figure.dpi": 96,
        "savefig.bbox": "tight",
        "svg.fonttype": "path",
        "svg.hashsalt": "trackreport",
    }


_THEMED: str | None = None  # the language the theme was last set for

#: Fonts for Chinese chart text, first found wins (Debian's fonts-noto-cjk).
CJK_FONTS = ("Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "WenQuanYi Zen Hei")


def cjk_font() -> str:
    """The first of :data:`CJK_FONTS` matplotlib can use, registering system fonts it has not seen.

    Matplotlib's font list is cached; fonts installed after it was built (``apt-get
    install fonts-noto-cjk``) are added from the system's font folders. Without any, a
    Chinese chart would show empty boxes, so the report stops with what to install.
    """
    from matplotlib import font_manager

    known = {f.name for f in font_manager.fontManager.ttflist}
    if not known & set(CJK_FONTS):
        for path in font_manager.findSystemFonts():
            if "CJK" in path or "SourceHanSans" in path or "wqy" in path:
                font_manager.fontManager.addfont(path)
        known = {f.name for f in font_manager.fontManager.ttflist}
    for name in CJK_FONTS:
        if name in known:
            return name
    raise TrackreportError(
        "a Chinese report needs a CJK font for its charts and none was found: install Debian's fonts-noto-cjk "
        "(sudo apt-get install fonts-noto-cjk)"
    )


def apply_theme(*, force: bool = False) -> None:
    """Set the reports' seaborn theme for the report's language (once per process and language).

    In Chinese (:func:`trackreport.i18n.language` ``zh``) chart text is set in a CJK font
    (:func:`cjk_font`), with DejaVu Sans for what it lacks.
    """
    global _THEMED
    lang = language()
    if _THEMED == lang and not force:
        return
    rc = _theme_rc()
    if lang == "zh":
        rc |= {"font.family": "sans-serif", "font.sans-serif": [cjk_font(), "DejaVu Sans"], "axes.unicode_minus": False}
    sns.set_theme(context="notebook", style="whitegrid", palette=PALETTE, rc=rc)
    _THEMED = lang


def new_figure(width: float = FIG_WIDTH, height: float = 3.6) -> tuple[Figure, Axes]:
    """A figure with one axes in the reports' theme."""
    fig, axes = new_grid(1, 1, width=width, height=height)
    return fig, axes[0, 0]


def new_grid(
    nrows: int, ncols: int, *, width: float = FIG_WIDTH, height: float = 3.6, **kw
) -> tuple[Figure, np.ndarray]:
    """A figure with ``nrows`` x ``ncols`` axes (always a 2-D array) in the reports' theme.

    Text is enlarged when the figure is wider than a page's content, so it stays
    :data:`MIN_TEXT_PX` after the browser scales the chart down.
    """
    apply_theme()
    with mpl.rc_context(_theme_rc(width)):
        fig, axes = plt.subplots(nrows, ncols, figsize=(width, height), layout="constrained", squeeze=False, **kw)
    if width > FIG_WIDTH:
        big = _theme_rc(width)
        for ax in axes.flat:
            ax.tick_params(labelsize=big["xtick.labelsize"])
            ax.title.set_fontsize(big["axes.titlesize"])
            ax.xaxis.label.set_fontsize(big["axes.labelsize"])
            ax.yaxis.label.set_fontsize(big["axes.labelsize"])
    return fig, axes


def percent_axis(ax: Axes, axis: str = "y", *, xmax: float = 1.0) -> None:
    """Show a 0-1 axis as percentages."""
    (ax.yaxis if axis == "y" else ax.xaxis).set_major_formatter(PercentFormatter(xmax=xmax, decimals=0))


def pp_axis(ax: Axes, axis: str = "y") -> None:
    """Show changes of 0-1 shares in percentage points: ``+10 pp``, ``0``, ``-5 pp``."""

    def fmt(v: float, _: object) -> str:
        pp = round(v * 100, 6)
        return "0" if pp == 0 else f"{pp:+g} pp"

    target = ax.yaxis if axis == "y" else ax.xaxis
    target.set_major_locator(MaxNLocator(nbins=6, steps=[1, 2, 5, 10]))
    target.set_major_formatter(FuncFormatter(fmt))


def money_axis(ax: Axes, axis: str = "y") -> None:
    """Thousands separators on a money axis."""
    (ax.yaxis if axis == "y" else ax.xaxis).set_major_formatter(FuncFormatter(lambda v, _pos: f"{v:,.0f}"))


def reference_line(
    ax: Axes, value: float, *, kind: str, axis: str = "y", note: str = "", percent: bool = False
) -> None:
    """A horizontal (``axis="y"``) or vertical line at ``value``, named for what it is.

    ``kind`` is ``"target"`` (a goal from ``params/``: vermillion, dashed) or
    ``"baseline"`` (a reference level that is no goal: dark, dotted). The legend label is
    the kind, the value and an optional ``note``: ``"baseline 70"``, ``"target 85%"``.
    """
    color, style = _REFERENCE_STYLE[kind]
    shown = f"{value:.0%}" if percent else f"{value:g}"
    label = _("target {value}", value=shown) if kind == "target" else _("baseline {value}", value=shown)
    if note:
        label = _("{line} ({note})", line=label, note=note)
    line = ax.axhline if axis == "y" else ax.axvline
    line(value, color=color, ls=style, lw=1.5, label=label, zorder=1)


def legend_below(fig: Figure, ax: Axes | None = None, *, ncols: int | None = None) -> None:
    """One legend for the figure, under the plots, outside every axes (no line runs through it).

    Collects the handles of ``ax`` (or of every axes, without repeats) and removes the
    axes' own legends.
    """
    handles, labels = [], []
    for a in [ax] if ax is not None else fig.axes:
        for h, lab in zip(*a.get_legend_handles_labels()):
            if lab not in labels and not lab.startswith("_"):
                handles.append(h)
                labels.append(lab)
        if a.get_legend() is not None:
            a.get_legend().remove()
    if handles:
        fig.legend(handles, labels, loc="outside lower center", ncols=ncols or min(len(labels), 3), frameon=False)


def wrap_label(text: object, width: int = 24) -> str:
    """A category label for a tick: underscores as spaces, wrapped to ``width`` characters a line.

    >>> wrap_label("Repurchase rate (customers with 2+ orders in the window)").splitlines()
    ['Repurchase rate', '(customers with 2+', 'orders in the window)']
    """
    import textwrap

    return "\n".join(textwrap.wrap(str(text).replace("_", " "), width)) or str(text)


def _span(values: Sequence[float]) -> tuple[float, float]:
    v = np.asarray([x for x in values if x is not None and np.isfinite(x)], dtype=float)
    if v.size == 0:
        return 0.0, 1.0
    lo, hi = float(v.min()), float(v.max())
    pad = 0.08 * (hi - lo) if hi > lo else max(abs(hi) * 0.05, 0.05)
    return lo - pad, hi + pad


def point_ci(
    df: pd.DataFrame,
    *,
    x: str,
    y: str,
    lo: str = "ci_low",
    hi: str = "ci_high",
    hue: str | None = None,
    palette: Mapping[str, str] | None = None,
    horizontal: bool = False,
    connect: bool = False,
    dodge: bool = True,
    title: str = "",
    value_label: str,
    cat_label: str = "",
    target: float | None = None,
    baseline: float | None = None,
    zero: float | None = None,
    percent: bool = False,
    ax: Axes | None = None,
    legend: bool = True,
) -> Figure:
    """Dot plot: one point per row of ``df`` at ``y`` with the frame's 95% interval ``lo``-``hi``.

    Categories of ``x`` (in the frame's order) sit along one axis, dodged by ``hue``;
    the value axis spans the data, intervals and reference lines (it starts where the
    data do, not at 0). seaborn draws the points; the whiskers are the frame's bounds.
    ``horizontal`` puts categories on the y axis (top to bottom, as in a forest plot);
    ``connect`` joins a hue's points (a slope chart); ``dodge=False`` keeps a category's
    points in one column (a hue that is a status, not a group); ``zero`` draws a no-effect line.
    Rows with a missing value keep their category label without a point.

    Examples
    --------
    >>> d = pd.DataFrame({"skill": ["a", "b"], "mean": [3.3, 3.4], "ci_low": [3.2, 3.3], "ci_high": [3.4, 3.5]})
    >>> fig = point_ci(d, x="skill", y="mean", value_label="rating (1-5)", baseline=3.0)
    >>> bool(fig.axes[0].get_ylim()[0] > 2.5)  # the axis starts where the data do, not at 0
    True
    """
    fig, ax = (
        new_figure(height=max(2.6, 0.42 * len(df) + 1.6) if horizontal else 3.6) if ax is None else (ax.figure, ax)
    )
    cats = list(dict.fromkeys(df[x].astype(str)))
    groups = [None] if hue is None else list(dict.fromkeys(df[hue].astype(str)))
    width = 0.3 if len(groups) > 1 and dodge else 0.0
    base = np.arange(len(cats), dtype=float)
    colors = {g: (palette or {}).get(g, GROUP_COLORS.get(g, PALETTE[i % len(PALETTE)])) for i, g in enumerate(groups)}
    if hue is None:
        colors = {None: (palette or {}).get(None, TRAINED)}
    for i, g in enumerate(groups):
        d = df if g is None else df[df[hue].astype(str) == g]
        d = d.assign(_cat=d[x].astype(str)).drop_duplicates("_cat").set_index("_cat").reindex(cats)
        off = (i - (len(groups) - 1) / 2) * (width / max(len(groups) - 1, 1))
        pos = base + off
        val = d[y].to_numpy(float)
        ok = np.isfinite(val)
        frame = pd.DataFrame({"pos": pos[ok], "val": val[ok]})
        kw = {"x": "val", "y": "pos"} if horizontal else {"x": "pos", "y": "val"}
        shown = None if g is None else display_label(g)  # a group code as the reader reads it, translated
        sns.scatterplot(data=frame, **kw, color=colors[g], s=70, zorder=3, ax=ax, label=shown)
        if connect and ok.sum() > 1:
            sns.lineplot(data=frame, **kw, color=colors[g], sort=False, errorbar=None, lw=1.5, ax=ax, legend=False)
        if lo in d and hi in d:
            lows, highs = d[lo].to_numpy(float), d[hi].to_numpy(float)
            has = ok & np.isfinite(lows) & np.isfinite(highs)
            segs = ax.hlines if horizontal else ax.vlines
            segs(pos[has], lows[has], highs[has], color=colors[g], lw=2.2, zorder=2)
    refs = [v for v in (target, baseline, zero) if v is not None]
    bounds = list(df[y].astype(float)) + refs
    if lo in df and hi in df:
        bounds += list(df[lo].astype(float)) + list(df[hi].astype(float))
    vlim = _span(bounds)
    value_axis = "x" if horizontal else "y"
    if zero is not None:
        (ax.axvline if horizontal else ax.axhline)(zero, color="black", lw=0.9, zorder=1)
    if baseline is not None:
        reference_line(ax, baseline, kind="baseline", axis=value_axis, percent=percent)
    if target is not None:
        reference_line(ax, target, kind="target", axis=value_axis, percent=percent)
    labels = [wrap_label(display_label(c)) for c in cats]  # a code as the reader reads it (translated)
    if horizontal:
        ax.set_yticks(base, labels)
        ax.set_ylim(max(len(cats), 1) - 0.5, -0.5)
        ax.set_xlim(*vlim)
        ax.grid(axis="y", visible=False)
        ax.set(xlabel=value_label, ylabel=cat_label)
    else:
        rotate = sum(len(c) + 2 for c in cats) > 60
        ax.set_xticks(base, labels, rotation=30 if rotate else 0, ha="right" if rotate else "center")
        ax.set_xlim(-0.5, max(len(cats), 1) - 0.5)
        ax.set_ylim(*vlim)
        ax.grid(axis="x", visible=False)
        ax.set(xlabel=cat_label, ylabel=value_label)
    if not cats:
        ax.text(0.5, 0.5, EMPTY_NOTE, transform=ax.transAxes, ha="center", va="center")
    if percent:
        percent_axis(ax, value_axis)
    if title:
        ax.set_title(title)
    if legend:
        legend_below(fig, ax)
    elif ax.get_legend() is not None:
        ax.get_legend().remove()
    return fig


def forest(
    df: pd.DataFrame,
    *,
    label: str,
    value: str = "value",
    lo: str = "ci_low",
    hi: str = "ci_high",
    hue: str | None = None,
    palette: Mapping[str, str] | None = None,
    title: str,
    xlabel: str,
    zero: float = 0.0,
    percent: bool = False,
    dodge: bool = True,
    ax: Axes | None = None,
) -> Figure:
    """Point estimates with 95% intervals, one row each (top to bottom), and the no-effect line.

    Examples
    --------
    >>> d = pd.DataFrame({"m": ["sales", "win rate"], "value": [0.1, -0.02], "ci_low": [0.02, -0.1], "ci_high": [0.2, 0.06]})
    >>> forest(d, label="m", title="Effects", xlabel="effect").axes[0].get_xlabel()
    'effect'
    """
    return point_ci(
        df,
        x=label,
        y=value,
        lo=lo,
        hi=hi,
        hue=hue,
        palette=palette,
        horizontal=True,
        title=title,
        value_label=xlabel,
        zero=zero,
        percent=percent,
        dodge=dodge,
        ax=ax,
    )


def _describe(fig: Figure) -> str:
    """A text alternative for a chart: its title(s) and axis labels."""
    parts = []
    if fig._suptitle is not None and fig._suptitle.get_text():
        parts.append(fig._suptitle.get_text())
    for ax in fig.axes:
        x, y = ax.get_xlabel(), ax.get_ylabel()
        bits = [ax.get_title(), _("x: {label}", label=x) if x else "", _("y: {label}", label=y) if y else ""]
        text = "; ".join(b for b in bits if b)
        if text:
            parts.append(text)
    return " | ".join(parts) or _("Chart")


def chart_text(fig: Figure, *, draw: bool = True) -> list[str]:
    """Every visible text of ``fig`` (titles, labels, ticks, legend, annotations), in drawing order.

    The tick labels exist once the figure is drawn: ``draw=False`` when it just was.

    >>> fig, ax = new_figure()
    >>> title = ax.set_title("Sales")
    >>> "Sales" in chart_text(fig)
    True
    >>> plt.close(fig)
    """
    if draw:
        fig.canvas.draw()
    texts = (t.get_text().strip() for t in fig.findobj(mpl.text.Text) if t.get_visible())
    return list(dict.fromkeys(t for t in texts if t))


def smallest_text_px(fig: Figure) -> float:
    """CSS pixels of the smallest visible text of ``fig`` on a chapter page (see :func:`text_px`)."""
    fig.canvas.draw()
    width_in = fig.get_tightbbox(fig.canvas.get_renderer()).width
    sizes = [t.get_fontsize() for t in fig.findobj(mpl.text.Text) if t.get_visible() and t.get_text().strip()]
    return text_px(min(sizes), width_in) if sizes else math.inf


def svg_of(fig: Figure) -> str:
    """The figure as a standalone SVG: glyphs as paths, no metadata, DOCTYPE or comments, whitespace folded.

    Glyph ids are shortened, glyph offsets written as ``x``, ``xlink:href`` as SVG 2's
    ``href`` and coordinates of 1 pt or more rounded to 0.01 pt (about a fifth smaller).
    Nothing in it refers to another host (the ``xmlns`` namespace names are not fetched).
    """
    import io
    import re

    buf = io.BytesIO()
    meta = {"Creator": None, "Date": None, "Format": None, "Type": None}
    with mpl.rc_context({"svg.fonttype": "path", "svg.hashsalt": "trackreport"}):
        fig.savefig(buf, format="svg", bbox_inches="tight", metadata=meta)
    text = buf.getvalue().decode("utf-8")
    text = re.sub(r"<!--.*?-->", "", text[text.index("<svg") :], flags=re.S)
    text = re.sub(r"\s*\n\s*", " ", text).strip()
    # shorter, same drawing: glyph ids, glyph offsets as x, SVG 2 href, coordinates to 0.01 pt
    text = text.replace("DejaVuSans-Bold-", "b").replace("DejaVuSans-", "g")
    text = re.sub(r'(<use xlink:href="#[^"]+") transform="translate\(([-\d.]+) 0\)"', r'\1 x="\2"', text)
    text = text.replace("xlink:href=", "href=").replace(' xmlns:xlink="http://www.w3.org/1999/xlink"', "")
    return re.sub(r"(?<![\d.])([1-9]\d*\.\d\d)\d+", r"\1", text)


def phone_svg(fig: Figure) -> str | None:
    """The figure redrawn :data:`PHONE_WIDTH` inches wide for a phone, or None if it is no wider.

    Same text sizes on a narrower canvas (legends in one column, long titles, axis labels
    and legend entries wrapped), so a phone shows the
    chart near its natural size instead of shrinking a desktop chart to half. Figures
    wider than a desktop chart (small multiples) keep one rendering.
    """
    width, height = fig.get_size_inches()
    if width <= PHONE_WIDTH or width > 7.6:
        return None
    fig.set_size_inches(PHONE_WIDTH, height * 1.2)
    texts = [(fig._suptitle, 30)] if fig._suptitle is not None else []
    for ax in fig.axes:
        texts += [(ax.title, 30), (ax.xaxis.label, 40), (ax.yaxis.label, 30)]
        if isinstance(ax.xaxis.get_major_locator(), mdates.AutoDateLocator):
            lo, hi = ax.get_xlim()  # days
            ax.xaxis.set_major_locator(mdates.MonthLocator(interval=max(1, math.ceil((hi - lo) / 30.4 / 5))))
            ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y-%m"))
        for tick in ax.get_xticklabels():
            if tick.get_rotation() == 0 and len(ax.get_xticklabels()) > 4:
                tick.set(rotation=45, ha="right")
    for text, width in texts:
        text.set_text(wrap_label(text.get_text().replace("\n", " "), width) if text.get_text() else "")
    for lg in list(fig.legends):  # one column: a legend is laid out when made, so make it again
        labels = [wrap_label(t.get_text(), 34) for t in lg.get_texts()]
        handles = lg.legend_handles
        lg.remove()
        fig.legend(handles, labels, loc="outside lower center", ncols=1, frameon=False)
    return svg_of(fig)


def _data_uri(svg: str) -> str:
    import base64

    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")


def show(fig: Figure) -> None:
    """Display a figure once, as SVG with a text alternative, whatever the backend, and close it.

    The SVG is embedded as an ``<img>`` data URI whose ``alt`` is the chart's titles and
    axis labels, so it appears in the executed notebook and the HTML even under
    ``MPLBACKEND=Agg``; closing the figure stops the inline backend showing it again.
    Screens up to :data:`PHONE_MAX_PX` wide get the narrow drawing (:func:`phone_svg`)
    through ``<picture>``.
    """
    import html

    from IPython.display import display

    alt = html.escape(_describe(fig), quote=True)
    svg = svg_of(fig)
    # every text drawn (ticks, legend, notes): the SVG draws glyphs as paths, so this is how a
    # reader's tool (and the translation test) can read what the chart says
    drawn = html.escape(" | ".join(chart_text(fig, draw=False)), quote=True)
    img = f'<img alt="{alt}" src="{_data_uri(svg)}" data-text="{drawn}"/>'
    narrow = phone_svg(fig)
    plt.close(fig)
    if narrow is not None:
        img = f'<picture><source media="(max-width: {PHONE_MAX_PX}px)" srcset="{_data_uri(narrow)}"/>{img}</picture>'
    display({"text/html": img, "text/plain": f"<chart: {html.unescape(alt)}>"}, raw=True)


def sharp_inline() -> None:
    """Make the inline backend draw any figure a notebook displays by itself as SVG."""
    try:
        from IPython import get_ipython
        from matplotlib_inline.backend_inline import set_matplotlib_formats
    except ImportError:  # pragma: no cover - IPython is a dependency
        return
    if get_ipython() is not None:
        set_matplotlib_formats("svg")
