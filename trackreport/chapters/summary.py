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
from pathlib import Path

__all__ = ["RECORDED_FILE", "TILES", "read_recorded", "tiles", "findings", "tiles_html"]

RECORDED_FILE = "chapter_metrics.json"

TILES = (
    ("06", "sales_effect_relative", "Training effect on sales"),
    ("10", "roi", "ROI"),
    ("09", "nps_after", "NPS after"),
    ("05", "fabe_adoption", "Behaviour: FABE adoption"),
    ("05", "stage_test_average", "Learning: stage tests"),
)
"""The primary figures shown as tiles: (chapter, metric name, tile title)."""


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
    lo, hi = m.get("ci_low"), m.get("ci_high")
    if lo is None or hi is None:
        return ""
    return "distinguishable from zero" if lo > 0 or hi < 0 else "not distinguishable from zero"


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


def findings(metrics: list[dict], *, limit: int = 5) -> list[str]:
    """Three to five plain-words findings: what to keep, fix and stop, from the recorded statuses.

    Order: stop (vendors to drop), fix (targets not met), keep (targets met), then
    effects that cannot be told from zero (more data needed).

    >>> findings([{"chapter": "05", "name": "x", "label": "Stage tests", "status": "met", "value": 88, "unit": "points"}])
    ['**Keep**: Stage tests meets its target (ch. 05).']
    """
    stop, fix, keep, unclear = [], [], [], []
    for m in metrics:
        label, ch = m.get("label", m["name"]), m["chapter"]
        if m["name"] == "vendors_to_drop" and (m.get("value") or 0) > 0:
            stop.append(f"**Stop**: {label}: {int(m['value'])} (ch. {ch}).")
        elif m.get("status") == "not met":
            fix.append(f"**Fix**: {label} misses its target (ch. {ch}).")
        elif m.get("status") == "met":
            keep.append(f"**Keep**: {label} meets its target (ch. {ch}).")
        elif m.get("status") == "not distinguishable from target":
            unclear.append(f"**Watch**: {label} cannot yet be told from its target (ch. {ch}).")
    return (stop + fix + keep + unclear)[:limit]


def _fmt(v: float | None, unit: str) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "n/a"
    if unit in ("share", "relative"):
        return f"{v * 100:{'+' if unit == 'relative' else ''}.0f}%"
    if unit == "CNY":
        return f"{v:,.0f} CNY"
    return f"{v:,.1f}"


def tiles_html(records: list[dict]) -> str:
    """The tiles as HTML that wraps on a phone and prints (flex-wrap, no fixed widths)."""
    cells = []
    for t in records:
        unit = t.get("unit", "")
        ci = ""
        if t.get("ci_low") is not None and t.get("ci_high") is not None:
            ci = f"<div class='tr-tile-ci'>95% CI {_fmt(t['ci_low'], unit)} to {_fmt(t['ci_high'], unit)}</div>"
        target = f"<div>target {_fmt(t['target'], unit)}</div>" if t.get("target") is not None else ""
        cells.append(
            "<div class='tr-tile' style='flex:1 1 12em;border:1px solid #d0d7de;border-radius:6px;"
            "padding:.6em;break-inside:avoid'>"
            f"<div style='color:#57606a'>{html.escape(t['title'])} (ch. {html.escape(t['chapter'])})</div>"
            f"<div style='font-size:1.6em;font-weight:bold'>{_fmt(t.get('value'), unit)}</div>{ci}{target}"
            f"<div><b>{html.escape(t['status'])}</b></div><div style='color:#57606a'>n = {t.get('n', '')}</div></div>"
        )
    return "<div class='tr-tiles' style='display:flex;flex-wrap:wrap;gap:.6em'>" + "".join(cells) + "</div>"
