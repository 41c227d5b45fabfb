"""What a chapter notebook calls: open the chapter, show headline numbers, tables and notes.

A chapter notebook is: a ``parameters`` cell, ``ch = open_chapter(...)``, then calls into
``trackreport`` whose results it shows with :meth:`Chapter.headline`,
:meth:`Chapter.table` and :meth:`Chapter.say`. A headline is displayed and recorded in
one call: the display carries the number in a machine-readable MIME part
(:data:`METRIC_MIME`) that the runner collects into ``metrics.json``, so the HTML and
``metrics.json`` cannot disagree.

Privacy: :meth:`Chapter.table` drops rows whose group is smaller than
``params.min_group_size``, and the next smallest while the hidden ones could be derived
from a shown total (complementary suppression), and says how many it dropped;
:meth:`Chapter.headline` does not show a number resting on fewer people.
"""

from __future__ import annotations

import html
import math
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from trackreport.data.cohort import Windows, cohort_members, comparison_members
from trackreport.data.privacy import escape_html, escape_markdown, neutralise_formula
from trackreport.data.schema import chapter_tables
from trackreport.i18n import _, set_language
from trackreport.paths import SAMPLE_DIR
from trackreport.report.params import ReportParams, resolve
from trackreport.report.store import ResultStore, package_digest, store_key
from trackreport.stats.disclosure import suppress_table
from trackreport.stats.display import (
    clip_interval,
    format_interval,
    format_p,
    format_value,
    interval_digits,
    label,
    machine_status,
    plural,
    pretty_column,
    status_word,
)
from trackreport.stats.estimate import Estimate
from trackreport.stats.multiplicity import Adjusted, adjustment_text

__all__ = [
    "METRIC_MIME",
    "Chapter",
    "open_chapter",
    "open_dataset",
    "format_p",
    "format_value",
    "pretty_column",
    "quiet_third_party",
]

METRIC_MIME = "application/vnd.trackreport.metric+json"

#: Columns counting each group's people (a difference rests on both), held to the same rule.
_COMPARISON_N = ("n_comparison", "n_control", "n_trained", "n_treated")
#: Units of a headline that is itself a count (its n is the count): not suppressed.
_COUNT_UNITS = ("people", "count", "rank")


def quiet_third_party() -> None:
    """Filter the known third-party deprecation warnings, by category and module only.

    seaborn 0.13.2 calls matplotlib APIs that matplotlib 3.10+ deprecates (e.g.
    ``boxplot(vert=...)``); the warning is attributed to seaborn's modules. Nothing
    else is filtered: any other warning is a defect to fix at its cause.
    """
    from matplotlib import MatplotlibDeprecationWarning

    for cat in (MatplotlibDeprecationWarning, DeprecationWarning, PendingDeprecationWarning):
        warnings.filterwarnings("ignore", category=cat, module=r"seaborn(\..*)?$")


_DATASETS: dict[tuple[str, float], Any] = {}


def open_dataset(data_dir: str | Path = "", cache: str | Path = ""):
    """The validated dataset: from the runner's cache when given, else load and validate.

    The cache is a folder of Parquet files written by the report runner (outside the
    data folder) after it has validated the folder once; it is only read here. From a
    database, the chapters' rep-month panels are asked of the database
    (:func:`trackreport.data.panels.panel_source`), and the heavy tables, validated
    there, are not in the cache: code that reads one whole gets it from the database
    the cache names (a remote table, :mod:`trackreport.data.cache`). A kernel
    keeps the dataset it read, so the runner's later chapters on the same kernel do not
    read it again.
    """
    from trackreport.data.cache import read_dataset
    from trackreport.data.panels import use_database
    from trackreport.data.source import is_database_url, load_source

    if cache and Path(cache).is_dir():
        meta = Path(cache) / "meta.json"
        key = (str(Path(cache).resolve()), meta.stat().st_mtime if meta.exists() else 0.0)
        if key not in _DATASETS:
            _DATASETS.clear()
            _DATASETS[key] = read_dataset(cache)
        data = _DATASETS[key]
    else:
        data = load_source(data_dir or SAMPLE_DIR)
    if is_database_url(data_dir):  # the rep-month panels are aggregated in the database (data.panels)
        use_database(data, str(data_dir))
    return data


@dataclass
class Chapter:
    """One chapter of one report: its parameters, data, cohort and display helpers."""

    chapter: str
    params: ReportParams
    data: Any
    windows: Windows
    members: pd.DataFrame
    comparison: pd.DataFrame
    recorded: list[dict] = field(default_factory=list)
    store: ResultStore = field(default_factory=lambda: ResultStore(None))

    @property
    def min_n(self) -> int:
        return self.params.min_group_size

    def shared(self, name: str, compute: Callable[[], Any]) -> Any:
        """A result several chapters of this report show, computed once per report.

        The first chapter that asks computes it with ``compute()``; the others read it
        from the run's result store (:class:`trackreport.report.store.ResultStore`).
        """
        return self.store.get(name, compute)

    # ------------------------------------------------------------------ display
    def say(self, markdown: str, *, appendix: str = "", **data_text: object) -> None:
        """Show narrative text (Markdown).

        Text from the data (names, titles, comments) goes in as keyword arguments, never
        into ``markdown`` itself: each is escaped (:func:`~trackreport.data.privacy.escape_markdown`)
        and put in its ``{field}``: ``ch.say("Most applied: {title}", title=t)``.
        ``appendix="How each effect is computed"`` puts the text in a collapsed section
        of that title (detail a reader opens with a click).
        """
        from IPython.display import Markdown, display

        if data_text:
            markdown = markdown.format(**{k: escape_markdown(v) for k, v in data_text.items()})
        if appendix:  # an HTML block, then Markdown separated by blank lines (CommonMark), then its end
            note = _("(appendix; click to open)")
            markdown = (
                f"<details class='tr-appendix'><summary>{html.escape(appendix)} "
                f"<span class='tr-n'>{note}</span></summary>\n\n{markdown}\n\n</details>"
            )
        display(Markdown(markdown))

    def headline(
        self,
        name: str,
        value: Estimate | float,
        *,
        label: str,
        unit: str = "",
        n: int | None = None,
        target: float | None = None,
        higher_is_better: bool = True,
        change: bool = False,
        adjusted: Adjusted | None = None,
    ) -> dict:
        """Show a headline number and record it for ``metrics.json``.

        Parameters
        ----------
        name : str
            Stable machine name, unique in the chapter, e.g. ``"reaction_top2box"``.
        value : Estimate or float
            An estimate (shown with its 95% interval) or a plain count/descriptive value.
        label : str
            What the reader sees, e.g. ``"Top-2-box, all reaction items"``.
        unit : str
            ``share``, ``pp``, ``relative``, ``CNY``, ``points``, ``people``...
        n : int, optional
            Number of observations (taken from the estimate when not given).
        target : float, optional
            Target to compare with; the status is shown and recorded.
        change : bool
            The value is a change or effect: say whether it is distinguishable from zero.
        adjusted : Adjusted, optional
            The effect's p-value adjusted within its family of k tests
            (:class:`trackreport.stats.multiplicity.Adjusted`, e.g. Holm over chapter 06's
            effects): with ``change`` and k > 1 the verdict rests on it and says so (the
            95% interval shown stays unadjusted); ``metrics.json`` records ``p_adjusted``
            and ``adjustment``.

        The record's ``role`` is ``"primary"`` when ``name`` is one of
        ``params.primary_endpoints`` (the decision figures declared in ``params/``), else
        ``"exploratory"``, and the page marks it so.

        A figure (not a count) whose ``n`` is below ``min_group_size`` is not shown: the
        page says so and ``metrics.json`` records ``value: null, suppressed: true``.
        """
        from IPython.display import display

        if isinstance(value, Estimate):
            est = value
        else:  # a count or a descriptive value: n is given, or the count itself
            est = Estimate(float(value), n=int(n if n is not None else value))
        n = int(est.n if n is None else n)
        groups = est.n_groups if isinstance(value, Estimate) else None
        rec = _Record(
            {
                "name": name,
                "chapter": self.chapter,
                "label": label,
                "value": _clean(est.value),
                "unit": unit,
                "n": n,
                "role": "primary" if name in self.params.primary_endpoints else "exploratory",
            }
        )
        role = ""
        if rec["role"] == "exploratory":
            why = html.escape(_("not a primary endpoint (params: primary_endpoints)"), quote=True)
            role = f" <span class='tr-role' title='{why}'>" + _("exploratory") + "</span>"
        if groups is not None:
            rec["n_treated"], rec["n_comparison"] = int(groups[0]), int(groups[1])
        if min(n, *(groups or (n,))) < self.min_n and unit not in _COUNT_UNITS:  # privacy: no figure on fewer people
            rec.update(value=None, suppressed=True)
            text = _(
                "<b>{label}</b>: not shown <span class='tr-n'>(fewer than {min_n} people; privacy)</span>",
                label=html.escape(label),
                min_n=self.min_n,
            )
            text += role
            display(
                {"text/html": f"<p class='tr-headline' id='m-{html.escape(name)}'>{text}</p>", METRIC_MIME: rec},
                raw=True,
            )
            self.recorded.append(rec)
            return rec
        low = high = math.nan
        if isinstance(value, Estimate) and not math.isnan(est.ci_low):
            low, high = clip_interval(est.ci_low, est.ci_high, unit)  # a share's interval within 0-100%
        digits = interval_digits(low, high, unit)  # never "1.6 (1.6 to 1.6)"
        text = f"<b>{html.escape(label)}</b>: {format_value(est.value, unit, digits=digits)}"
        if isinstance(value, Estimate) and not math.isnan(est.ci_low):
            rec["ci_low"], rec["ci_high"] = _clean(low), _clean(high)
            rec["method"] = est.method
            if not math.isnan(est.p_value):
                rec["p_value"] = _clean(est.p_value)
            interval = format_interval(low, high, unit, digits=digits)
            text += " <span class='tr-ci'>" + _("(95% CI {interval})", interval=interval) + "</span>"
        counts = format_value(n, "count")
        if groups is not None:
            counts = _(
                "{n} ({trained} trained, {comparison} comparison)",
                n=counts,
                trained=format_value(groups[0], "count"),
                comparison=format_value(groups[1], "count"),
            )
        text += " <span class='tr-n'>" + _("n = {n}", n=counts) + "</span>"
        if change:
            rec["change"] = True
        if change and isinstance(value, Estimate):
            if math.isnan(est.ci_low):
                text += " <i>— " + _("too few observations for an interval") + "</i>"
            elif adjusted is not None and adjusted.k > 1 and math.isfinite(adjusted.p):
                rec["p_adjusted"], rec["adjustment"] = _clean(adjusted.p), adjusted.describe()
                if not adjusted.significant:
                    text += " <i>— " + _("not distinguishable from zero") + "</i>"
                adjustment = adjustment_text(adjusted.describe())
                verdict = _("(verdict {adjustment}, adjusted p {p})", adjustment=adjustment, p=format_p(adjusted.p))
                text += f" <span class='tr-n'>{verdict}</span>"
            elif not est.excludes_zero:
                text += " <i>— " + _("not distinguishable from zero") + "</i>"
        if target is not None:
            word = status_word(est.value, low, high, target, higher_is_better=higher_is_better)
            rec["target"] = target
            rec["status"] = machine_status(word)  # stable for metrics.json's consumers
            rec["status_word"] = word  # what the page says (glossary: met / on track / uncertain / missed)
            status = f"<b class='tr-status tr-{word.replace(' ', '-')}'>" + _(word) + "</b>"
            text += " · " + _("target {target}: {status}", target=format_value(target, unit), status=status)
        text += role
        display(
            {"text/html": f"<p class='tr-headline' id='m-{html.escape(name)}'>{text}</p>", METRIC_MIME: rec}, raw=True
        )
        self.recorded.append(rec)
        return rec

    def table(
        self,
        df: pd.DataFrame,
        *,
        n_col: str | Sequence[str] | None = "n",
        within: Sequence[str] = (),
        caption: str | None = None,
        formats: dict[str, str] | None = None,
        precision: int = 1,
        units: dict[str, str] | None = None,
        appendix: bool = False,
    ) -> None:
        """Show a tidy table, hiding rows whose group is smaller than ``min_group_size``.

        ``n_col`` counts PEOPLE (one column, or several, e.g. trained and comparison; a
        ``n_comparison`` column is always included). Groups below the minimum are hidden,
        and so is the next smallest group while the hidden ones together could be
        recovered from the shown total (:func:`trackreport.stats.disclosure.suppress`).
        ``within`` names the columns whose blocks each split the same people (e.g.
        ``"competency"`` in a competency x segment table). A note says how many groups
        were suppressed. Returns nothing, so that a cell ending with this call shows the
        table once.

        Display rules (:mod:`trackreport.stats.display`): ``units`` maps columns to a unit
        kind (``{"share": "share"}`` shows 0.701 as 70.1%); a table with a ``unit`` column
        shows each row's numbers in that row's unit (the column itself is then dropped);
        raw codes in text cells are shown by their label (``senior_rep`` -> senior rep),
        booleans as yes/no; text is left-aligned and numbers right-aligned; no negative
        zero. The table scrolls sideways inside its own box on a narrow screen, its first
        column staying in view. ``appendix=True`` puts it in a collapsed section (item
        analyses, long segment tables, effect-size tables), opened with a click.
        """
        from IPython.display import display

        shown, dropped = self._suppressed(df, n_col=n_col, within=within)
        keep = set(formats or {}) | {"p_value", "p-value", "P value", "p", "q_value", "q-value (BH)"}
        shown, numeric = _display_frame(shown, units=units or {}, precision=precision, keep=keep)
        names = _unique_headers({c: pretty_column(c) for c in shown.columns})
        shown = shown.rename(columns=names)
        right = {names[c] for c in numeric}
        if formats:
            formats = {names.get(k, k): v for k, v in formats.items()}
        styler = shown.style.hide(axis="index").format(precision=precision, thousands=",", na_rep="–", escape="html")
        styler = styler.format_index(escape="html", axis=1)
        text = [c for c in shown.columns if c not in right and _is_text(shown[c])]
        if text:  # data text: inert as HTML and as a formula when pasted into a spreadsheet
            styler = styler.format(_inert_cell, subset=text, na_rep="–")
        if formats:
            formats = {k: v for k, v in formats.items() if k in shown.columns}
            styler = styler.format(formats, subset=list(formats), na_rep="–", escape="html")
        p_columns = ("p", "p_value", "q_value", "P value", "q-value (BH)")  # by name, before translation
        pcols = [h for c, h in names.items() if c in p_columns and pd.api.types.is_numeric_dtype(shown[h])]
        if pcols:  # always "<0.001" or three decimals, whatever ``formats`` says
            styler = styler.format(format_p, subset=pcols, na_rep="–")
        left = [c for c in shown.columns if c not in right]
        if left:  # text left, numbers right (the lab theme right-aligns every cell)
            styler = styler.set_properties(subset=left, **{"text-align": "left"})
        styler = styler.map_index(lambda c: f"text-align: {'right' if c in right else 'left'}", axis=1)
        body = styler.to_html()  # the caption goes above the scrolling box, so a phone shows it whole
        cue = (
            "<p class='tr-cue'>&#8596; " + _("wider than the screen: scroll the table sideways") + "</p>"
            if len(shown.columns) >= 5
            else ""
        )
        title = f"<p class='tr-caption'>{html.escape(caption, quote=False)}</p>" if caption and not appendix else ""
        block = f"{title}{cue}<div class='tr-table'>{body}</div>"
        if appendix:
            title = html.escape(caption or _("Details"), quote=False)
            note = _("(appendix, {rows}; click to open)", rows=plural(len(shown), "row"))
            block = (
                f"<details class='tr-appendix'><summary>{title} <span class='tr-n'>{note}</span></summary>"
                f"{block}</details>"
            )
        display(_ShownTable(shown, block))
        if dropped:
            self.say(
                "*"
                + _(
                    "{groups} not shown (privacy: fewer than {min_n} people, or recoverable from the shown total).",
                    groups=plural(dropped, "group"),
                    min_n=self.min_n,
                )
                + "*"
            )

    def shown(self, df: pd.DataFrame, *, n_col: str | Sequence[str] | None = "n", within: Sequence[str] = ()):
        """The rows of ``df`` that :meth:`table` shows with the same arguments (privacy: primary and
        complementary suppression). A sentence or chart about a table's rows names only these."""
        return self._suppressed(df, n_col=n_col, within=within)[0]

    def _suppressed(
        self, df: pd.DataFrame, *, n_col: str | Sequence[str] | None, within: Sequence[str]
    ) -> tuple[pd.DataFrame, int]:
        if n_col is None:
            return df, 0
        cols = [n_col] if isinstance(n_col, str) else list(n_col)  # primary + complementary suppression
        cols += [c for c in _COMPARISON_N if c in df.columns and c not in cols]
        return suppress_table(df, n_cols=cols, min_size=self.min_n, within=within)


class _Record(dict):
    """A headline's ``metrics.json`` record. The headline has displayed itself: a record left as a
    cell's last value shows nothing more (a dict on the page is machinery)."""

    def _ipython_display_(self) -> None:
        return None


class _ShownTable:
    """A table as displayed: its HTML for the page, and ``data``, the frame shown (for tests)."""

    def __init__(self, data: pd.DataFrame, html_text: str) -> None:
        self.data, self._html = data, html_text

    def _repr_html_(self) -> str:
        return self._html

    def __repr__(self) -> str:
        return f"<table of {plural(len(self.data), 'row')}>"


def _display_frame(
    df: pd.DataFrame, *, units: dict[str, str], precision: int, keep: set[str]
) -> tuple[pd.DataFrame, list]:
    """``df`` as a reader reads it (units, labels, yes/no, no negative zero) and its number columns.

    Columns in ``keep`` (given their own format, p-values) are left for the styler.
    """
    out = df.copy()
    row_unit = "unit" in out.columns and _is_text(out["unit"])
    numeric = []
    for c in out.columns:
        col = out[c]
        is_num = pd.api.types.is_numeric_dtype(col) and not pd.api.types.is_bool_dtype(col)
        if is_num:
            numeric.append(c)
        if c in keep:
            continue
        if c in units:
            out[c] = pd.Series([_fmt(v, units[c]) for v in col], index=out.index, dtype=object)
            numeric.append(c)
        elif row_unit and c != "unit" and pd.api.types.is_float_dtype(col) and not str(c).startswith("n"):
            out[c] = pd.Series([_fmt(v, u) for v, u in zip(col, out["unit"])], index=out.index, dtype=object)
        elif pd.api.types.is_float_dtype(col) and (c == "n" or str(c).startswith("n_")) and _whole(col):
            # a count stored as float (NaN where a group has none): "45", never "45.000"
            out[c] = pd.Series([_fmt(v, "count") for v in col], index=out.index, dtype=object)
        elif pd.api.types.is_bool_dtype(col):
            out[c] = pd.Series([_("yes") if v else _("no") for v in col], index=out.index, dtype=object)
        elif pd.api.types.is_float_dtype(col):
            out[c] = pd.Series([_fmt(v, "", precision) for v in col], index=out.index, dtype=object)
        elif _is_text(col):
            out[c] = pd.Series([label(v) if isinstance(v, str) else v for v in col], index=out.index, dtype=object)
    if row_unit:
        out = out.drop(columns="unit")
    return out, list(dict.fromkeys(c for c in numeric if c in out.columns))


def _unique_headers(names: dict) -> dict:
    """Column -> header, a header that two columns would share (two words one translation) given its column.

    >>> _unique_headers({"measure": "指标", "label": "指标", "n": "n"})
    {'measure': '指标', 'label': '指标（label）', 'n': 'n'}
    """
    seen: set[str] = set()
    out = {}
    for column, header in names.items():
        out[column] = header if header not in seen else f"{header}（{column}）"
        seen.add(out[column])
    return out


def _fmt(v: object, unit: str, digits: int | None = None) -> str:
    return "–" if _missing(v) else format_value(float(v), unit, digits=digits)


def _whole(col: pd.Series) -> bool:
    values = col.dropna().to_numpy(dtype=float)
    return bool(len(values)) and bool((values == values.round()).all())


def _missing(v: object) -> bool:
    return v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v))


def _is_text(col: pd.Series) -> bool:
    return pd.api.types.is_string_dtype(col) and all(isinstance(v, str) for v in col.dropna())


def _inert_cell(value: object) -> str:
    """A table cell's text, HTML-escaped and neutralised as a spreadsheet formula."""
    return escape_html(neutralise_formula(str(value)))


def _clean(x: float) -> float | None:
    x = float(x)
    return None if math.isnan(x) else x


def open_chapter(
    chapter: str,
    team: str,
    quarter: str,
    *,
    data_dir: str = "",
    params_file: str = "",
    dataset_cache: str = "",
) -> Chapter:
    """Open one chapter: validate parameters, load data once, find the cohort and windows.

    Called from the first code cell of every chapter notebook with the notebook's
    parameters. In JupyterLab with default parameters it loads ``data/sample/``.
    """
    quiet_third_party()
    from trackreport.plots import apply_theme, sharp_inline

    params = resolve(team, quarter, params_file=params_file or None)
    set_language(params.lang)  # every text from here on: trackreport.i18n
    apply_theme()  # the reports' seaborn theme (fonts for the language, colour-blind-safe palette)
    sharp_inline()  # a figure the notebook displays by itself is SVG too
    pd.set_option("display.max_columns", 30)
    data = open_dataset(data_dir, dataset_cache)
    w = Windows.from_params(params.quarter, params)
    members = cohort_members(
        data,
        params.team,
        params.quarter,
        before_months=params.windows.before_months,
        after_months=params.windows.after_months,
    )
    comparison = comparison_members(
        data,
        params.team,
        params.quarter,
        before_months=params.windows.before_months,
        after_months=params.windows.after_months,
    )
    store = _result_store(params, data, params_file, dataset_cache)
    needs, optional = chapter_tables(chapter)
    view = data.only(needs + optional, reader=f"chapter {chapter}") if hasattr(data, "only") else data
    return Chapter(chapter, params, view, w, members, comparison, store=store)


def _result_store(params: ReportParams, data: Any, params_file: str, dataset_cache: str) -> ResultStore:
    """The run's result store beside the dataset cache; in memory only outside a run."""
    if not (dataset_cache and params_file):
        return ResultStore(None)
    key = store_key(
        fingerprint=data.fingerprint,
        team=params.team,
        quarter=params.quarter,
        params_yaml=Path(params_file).read_text(encoding="utf-8"),
        package=package_digest(),
    )
    return ResultStore(Path(dataset_cache).parent / "results" / key)
