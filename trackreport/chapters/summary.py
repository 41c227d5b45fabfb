"""Chapter 00: the executive summary, built from the other chapters' recorded headlines.

It never recomputes: the runner executes chapter 00 after the report's other chapters
and writes their recorded headlines (the ``metrics.json`` records, see
:meth:`trackreport.report.notebook.Chapter.headline`) to ``chapter_metrics.json`` beside
the run's ``params.yaml``; :func:`read_recorded` reads them. So the summary cannot
disagree with the chapters.
"""

from __future__ import annotations

import html
import json
import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from trackreport.i18n import N_, _, list_text, ngettext
from trackreport.stats.display import format_value
from trackreport.stats.multiplicity import adjustment_text, distinguishable_from_zero

__all__ = [
    "RECORDED_FILE",
    "TILES",
    "read_recorded",
    "tiles",
    "findings",
    "tiles_html",
    "attributed_effects",
    "low_scores",
    "underpowered",
    "missing_evidence",
]

RECORDED_FILE = "chapter_metrics.json"

TILES = (
    ("06", "sales_effect_relative", N_("Training effect on sales")),
    ("10", "roi", N_("ROI")),
    ("09", "nps_after", N_("NPS after")),
    ("05", "fabe_adoption", N_("Behaviour: FABE adoption")),
    ("05", "stage_test_average", N_("Learning: stage tests")),
)
"""The primary figures shown as tiles: (chapter, metric name, tile title; English, translated where shown)."""


def read_recorded(params_file: str | Path) -> list[dict] | None:
    """The headlines the report's other chapters recorded in this run; None outside a run."""
    if not params_file:
        return None
    path = Path(params_file).parent / RECORDED_FILE
    if not path.is_file():
        return None
    return json.loads(path.read_text(encoding="utf-8"))


def _status(m: dict) -> str:
    if m.get("status"):
        return m["status"]
    if m.get("ci_low") is None or m.get("ci_high") is None:
        return ""
    sig = distinguishable_from_zero(m["ci_low"], m["ci_high"], m.get("p_adjusted"))  # the headline's verdict
    if m.get("p_adjusted") is None:
        return _("distinguishable from zero") if sig else _("not distinguishable from zero")
    adjustment = adjustment_text(m["adjustment"]) if m.get("adjustment") else _("adjusted")
    if sig:
        return _("distinguishable from zero ({adjustment})", adjustment=adjustment)
    return _("not distinguishable from zero ({adjustment})", adjustment=adjustment)


def tiles(metrics: list[dict]) -> list[dict]:
    """One record per tile of :data:`TILES` that a chapter recorded, with its ``status``.

    >>> m = [{"chapter": "10", "name": "roi", "value": 0.2, "ci_low": -1.0, "ci_high": 1.6,
    ...       "unit": "share", "n": 45, "target": 1.5, "status": "not distinguishable from target"}]
    >>> [(t["title"], t["status"]) for t in tiles(m)]
    [('ROI', 'not distinguishable from target')]
    """
    by_key = {(m["chapter"], m["name"]): m for m in metrics}
    out = []
    for chapter, name, title in TILES:
        m = by_key.get((chapter, name))
        if m is not None:
            out.append({**m, "title": title, "status": _status(m)})
    return out


def _interval(m: dict) -> str:
    """``"value (95% CI lo to hi; n = N)"`` of a recorded headline, in its unit."""
    unit = m.get("unit", "")
    value, n = _fmt(m.get("value"), unit), m.get("n", "")
    if m.get("ci_low") is not None and m.get("ci_high") is not None:
        low, high = _fmt(m["ci_low"], unit), _fmt(m["ci_high"], unit)
        return _("{value} (95% CI {low} to {high}; n = {n})", value=value, low=low, high=high, n=n)
    return _("{value} (no interval recorded; n = {n})", value=value, n=n)


def low_scores(metrics: list[dict], *, chapters: tuple[str, ...], prefix: str, floor: float) -> list[dict]:
    """Recorded headlines of ``chapters`` named ``prefix*`` whose value is below ``floor``, lowest first.

    Each record gains ``clearly_below``: its whole 95% interval lies below the floor.

    >>> m = [{"chapter": "03", "name": "trainer_score_t1", "value": 80.0, "ci_low": 75.0, "ci_high": 86.0},
    ...      {"chapter": "03", "name": "trainer_score_t2", "value": 90.0}]
    >>> [(x["name"], x["clearly_below"]) for x in low_scores(m, chapters=("03",), prefix="trainer_score_", floor=85)]
    [('trainer_score_t1', False)]
    """
    out = []
    for m in metrics:
        v = m.get("value")
        if m["chapter"] in chapters and m["name"].startswith(prefix) and v is not None and v < floor:
            hi = m.get("ci_high")
            out.append({**m, "clearly_below": hi is not None and hi < floor})
    return sorted(out, key=lambda m: m["value"])


def underpowered(metrics: list[dict], *, chapter: str = "06") -> list[dict]:
    """Effects of ``chapter`` whose 95% interval is wider than twice their target: too little data to judge.

    >>> underpowered([{"chapter": "06", "name": "x_effect", "value": 0.1, "ci_low": -0.2, "ci_high": 0.4,
    ...                "target": 0.12}])[0]["name"]
    'x_effect'
    """
    out = []
    for m in metrics:
        lo, hi, t = m.get("ci_low"), m.get("ci_high"), m.get("target")
        if m["chapter"] == chapter and None not in (lo, hi, t) and t != 0 and hi - lo > 2 * abs(t):
            out.append(m)
    return out


def _same_figure(a: dict, b: dict) -> bool:
    """Two records of one figure (one measure shown by two chapters: same unit, value, interval and n)."""
    return all(a.get(k) == b.get(k) for k in ("unit", "value", "ci_low", "ci_high", "n")) and a.get("value") is not None


def findings(
    metrics: list[dict],
    *,
    shown: Sequence[dict] = (),
    limit: int = 5,
    module_floor: float = 70.0,
    trainer_floor: float = 85.0,
    vendor_floor: float = 1.2,
) -> list[str]:
    """Three to five plain-words findings: what to keep, fix and stop, from the recorded headlines.

    Each names its number with its interval and n. In this order: **stop** vendors whose
    recorded ROI is below ``vendor_floor`` (chapter 10's ``vendor_roi_*``); **fix** modules
    scoring below ``module_floor`` (chapters 07 and 13, ``module_score_*``, when recorded) and
    trainers below ``trainer_floor`` (chapter 03's ``trainer_score_*``); **more data**:
    chapter 06 effects whose interval is wider than twice their target (underpowered); then
    the other recorded targets not met, and those met (**keep**). A figure the page already
    shows in full (``shown``, the tiles) is not repeated: the finding links to its tile.

    >>> findings([{"chapter": "05", "name": "x", "label": "Stage tests", "status": "met", "value": 88.0,
    ...            "unit": "points", "n": 40}])
    ['**Keep**: Stage tests meets its target: 88.0 (no interval recorded; n = 40) (ch. 05).']
    """
    stop, fix, data, keep = [], [], [], []
    named: set[tuple[str, str]] = set()

    def label(m: dict) -> str:
        named.add((m["chapter"], m["name"]))
        return m.get("label", m["name"])

    vendors = low_scores(metrics, chapters=("10",), prefix="vendor_roi_", floor=vendor_floor)
    if vendors:
        listed = list_text((_("{label}: ROI {figure}", label=label(m), figure=_interval(m)) for m in vendors), sep=";")
        stop.append(
            _(
                "**Stop**: {vendors}; below the {floor} floor (ch. 10).",
                vendors=listed,
                floor=_fmt(vendor_floor, "share"),
            )
        )
    for chapters, prefix, floor, what in (
        (("07", "13"), "module_score_", module_floor, "module"),
        (("03",), "trainer_score_", trainer_floor, "trainer"),
    ):
        low = low_scores(metrics, chapters=chapters, prefix=prefix, floor=floor)
        if not low:
            continue
        items = []
        for m in low:
            fields = {"label": label(m), "figure": _interval(m), "floor": format(floor, "g")}
            if m["clearly_below"]:
                items.append(_("{label}: {figure}", **fields))
            else:
                items.append(_("{label}: {figure}, its interval reaching {floor}", **fields))
        fields = {
            "n": len(low),
            "floor": f"{floor:g}",
            "items": list_text(items, sep=";"),
            "chapters": list_text(sorted({m["chapter"] for m in low})),
        }
        if what == "module":
            fix.append(
                ngettext(
                    "**Fix**: {n} module scores below {floor}: {items} (ch. {chapters}).",
                    "**Fix**: {n} modules score below {floor}: {items} (ch. {chapters}).",
                    len(low),
                    **fields,
                )
            )
        else:
            fix.append(
                ngettext(
                    "**Fix**: {n} trainer scores below {floor}: {items} (ch. {chapters}).",
                    "**Fix**: {n} trainers score below {floor}: {items} (ch. {chapters}).",
                    len(low),
                    **fields,
                )
            )
    for m in underpowered(metrics):
        data.append(
            _(
                "**More data**: {label}: {figure}; the interval is wider than twice the target {target}, so this "
                "cohort cannot show whether the target is reached (ch. 06).",
                label=label(m),
                figure=_interval(m),
                target=_fmt(m["target"], m.get("unit", "")),
            )
        )

    def figure(m: dict) -> str:  # in full once per page: a figure on a tile links to it
        tile = next((t for t in shown if _same_figure(m, t)), None)
        if tile is None:
            return _interval(m)
        return _(
            "[{value}, its tile above](#m-{name})", value=_fmt(m.get("value"), m.get("unit", "")), name=tile["name"]
        )

    for m in metrics:
        if (m["chapter"], m["name"]) in named or m["name"].startswith(("trainer_score_", "vendor_roi_")):
            continue
        if m.get("status") == "not met":
            fix.append(
                _(
                    "**Fix**: {label} misses its target: {figure} (ch. {chapter}).",
                    label=label(m),
                    figure=figure(m),
                    chapter=m["chapter"],
                )
            )
        elif m.get("status") == "met":
            keep.append(
                _(
                    "**Keep**: {label} meets its target: {figure} (ch. {chapter}).",
                    label=label(m),
                    figure=figure(m),
                    chapter=m["chapter"],
                )
            )
    return (stop + fix + data + keep)[:limit]


def attributed_effects(metrics: list[dict], *, chapter: str = "06") -> pd.DataFrame:
    """Chapter 06's recorded effects as the table :func:`trackreport.plots.results.effects_forest` draws.

    Relative effects (unit ``relative``) go in ``relative_effect`` and its interval, effects on
    shares (unit ``pp``) in ``effect`` (as fractions); nothing is recomputed.

    >>> m = [{"chapter": "06", "name": "sales_effect_relative", "label": "Sales", "value": 0.1, "ci_low": 0.0,
    ...       "ci_high": 0.2, "unit": "relative", "n": 40}]
    >>> attributed_effects(m)[["label", "kind", "relative_effect"]].to_dict("records")
    [{'label': 'Sales', 'kind': 'relative', 'relative_effect': 0.1}]
    """
    rows = []
    for m in metrics:
        if m["chapter"] != chapter or m.get("unit") not in ("relative", "pp") or "ci_low" not in m:
            continue
        if not (m["name"].endswith("_effect") or m["name"].startswith(("sales_effect", "effect_"))):
            continue
        v = math.nan if m.get("value") is None else float(m["value"])
        lo = math.nan if m.get("ci_low") is None else float(m["ci_low"])
        hi = math.nan if m.get("ci_high") is None else float(m["ci_high"])
        relative = m["unit"] == "relative"
        text = m.get("label", m["name"]).removeprefix("Training effect on ")  # a zh label is shown whole
        rows.append(
            {
                "label": text[:1].upper() + text[1:],
                "kind": "relative" if relative else "share",
                "relative_effect": v if relative else math.nan,
                "relative_ci_low": lo if relative else math.nan,
                "relative_ci_high": hi if relative else math.nan,
                "effect": math.nan if relative else v,
                "effect_ci_low": math.nan if relative else lo,
                "effect_ci_high": math.nan if relative else hi,
                "n": m.get("n"),
            }
        )
    cols = [
        "label",
        "kind",
        "relative_effect",
        "relative_ci_low",
        "relative_ci_high",
        "effect",
        "effect_ci_low",
        "effect_ci_high",
        "n",
    ]
    return pd.DataFrame(rows, columns=cols)


def _fmt(v: float | None, unit: str) -> str:
    """A tile's number: the display rules (:mod:`trackreport.stats.display`), percentages to whole ones."""
    whole = unit in ("share", "percent", "relative")
    shown = unit if whole or unit in ("pp", "CNY") else ""
    return format_value(v, shown, digits=0 if whole else None)


def tiles_html(records: list[dict]) -> str:
    """The tiles as HTML that wraps on a phone and prints (flex-wrap, no fixed widths)."""
    cells = []
    for t in records:
        unit = t.get("unit", "")
        ci = ""
        if t.get("ci_low") is not None and t.get("ci_high") is not None:
            interval = _("95% CI {low} to {high}", low=_fmt(t["ci_low"], unit), high=_fmt(t["ci_high"], unit))
            ci = f"<div class='tr-tile-ci'>{interval}</div>"
        target = ""
        if t.get("target") is not None:
            target_text = _("target {value}", value=_fmt(t["target"], unit))
            target = f"<div>{target_text}</div>"
        title = _("{title} (ch. {chapter})", title=_(t["title"]), chapter=t["chapter"])
        # the page says the glossary's status word (met / on track / uncertain / missed)
        cells.append(
            f"<div class='tr-tile' id='m-{html.escape(t['name'])}' style='flex:1 1 12em;border:1px solid #d0d7de;border-radius:6px;"
            "padding:.6em;break-inside:avoid'>"
            f"<div style='color:#57606a'>{html.escape(title)}</div>"
            f"<div style='font-size:1.6em;font-weight:bold'>{_fmt(t.get('value'), unit)}</div>{ci}{target}"
            f"<div><b>{html.escape(_(t.get('status_word') or t['status']))}</b></div>"
            f"<div style='color:#57606a'>n = {t.get('n', '')}</div></div>"
        )
    return "<div class='tr-tiles' style='display:flex;flex-wrap:wrap;gap:.6em'>" + "".join(cells) + "</div>"


def missing_evidence(present: Any) -> str | None:
    """A sentence naming the chapters the data cannot support and the tables they need; None when complete.

    ``present`` is the names of the tables the data hold (``ch.data.present``).

    >>> from trackreport.data.schema import TABLES
    >>> print(missing_evidence([t for t in TABLES if t not in ("meetings", "costs")]))
    **Evidence missing from this report.** ...: chapter 08 (needs `meetings`), chapter 10 (needs `costs`).
    >>> missing_evidence(list(TABLES)) is None
    True
    """
    from trackreport.data.schema import TABLES, missing_tables

    numbers = sorted({n for t in TABLES.values() for n in t.chapters})
    lacking = {n: missing_tables(n, present) for n in numbers}
    lacking = {n: need for n, need in lacking.items() if need}
    if not lacking:
        return None
    parts = list_text(
        _("chapter {number} (needs {tables})", number=n, tables=list_text(f"`{t}`" for t in need))
        for n, need in lacking.items()
    )
    return _(
        "**Evidence missing from this report.** The data lack tables these chapters need, so they are not "
        "available and their figures are absent from this summary: {parts}.",
        parts=parts,
    )
