"""Rendering: executed notebooks to offline HTML pages (nbconvert), headline numbers to metrics, and the index pages.

Pages carry no code, no parameters cell and no external URL: the ``trackreport``
template is based on ``lab`` without require.js or MathJax.
"""

from __future__ import annotations

import copy
import html
import json
import re
from pathlib import Path
from typing import Any

from trackreport.report.notebook import METRIC_MIME

TEMPLATE_DIR = Path(__file__).parent / "templates"
REMOVE_TAGS = {"parameters", "injected-parameters", "trackreport-reset", "remove"}


def render_html(nb: Any, dest: Path, *, nav: dict | None) -> None:
    """Render an executed notebook to one self-contained, offline HTML file.

    Code, prompts and the parameters cells are left out; charts are embedded PNGs;
    no script, style sheet or font is loaded from another host.
    """
    from nbconvert import HTMLExporter
    from nbconvert.preprocessors import TagRemovePreprocessor
    from traitlets.config import Config

    c = Config()
    c.TagRemovePreprocessor.remove_cell_tags = REMOVE_TAGS
    c.TagRemovePreprocessor.enabled = True
    exporter = HTMLExporter(config=c, template_name="trackreport", extra_template_basedirs=[str(TEMPLATE_DIR)])
    exporter.exclude_input = True
    exporter.exclude_input_prompt = True
    exporter.exclude_output_prompt = True
    exporter.register_preprocessor(TagRemovePreprocessor(config=c), enabled=True)
    resources = {"trackreport": nav or {}}
    body, _ = exporter.from_notebook_node(copy.deepcopy(nb), resources=resources)
    body = _strip_css_comments(body)
    dest.parent.mkdir(parents=True, exist_ok=True)
    dest.write_text(body, encoding="utf-8")


_STYLE_RE = re.compile(r"(<style[^>]*>)(.*?)(</style>)", re.S)
_CSS_COMMENT_RE = re.compile(r"/\*.*?\*/", re.S)


def _strip_css_comments(body: str) -> str:
    """Drop comments from inline style sheets (the lab theme's cite URLs of other hosts)."""
    return _STYLE_RE.sub(lambda m: m.group(1) + _CSS_COMMENT_RE.sub("", m.group(2)) + m.group(3), body)


def collect_metrics(nb: Any) -> list[dict]:
    """Headline numbers a chapter recorded (:meth:`trackreport.report.notebook.Chapter.headline`)."""
    out = []
    for cell in nb.cells:
        for o in cell.get("outputs", []):
            data = o.get("data", {})
            if METRIC_MIME in data:
                rec = data[METRIC_MIME]
                out.append(dict(rec) if isinstance(rec, dict) else json.loads(rec))
    return out


def record_chapter_metrics(staging: Path, chapters: list) -> Path:
    """Write the headlines of the staged, executed chapters (all but the summary) for chapter 00.

    ``<staging>/chapter_metrics.json`` (:data:`trackreport.chapters.summary.RECORDED_FILE`), beside the
    run's ``params.yaml``, so that the summary reads the results of this very run.
    """
    import nbformat

    from trackreport.chapters.summary import RECORDED_FILE

    metrics = []
    for ch in chapters:
        path = staging / "notebooks" / ch.path.name
        if ch.is_summary or not path.is_file():
            continue
        try:
            metrics.extend(collect_metrics(nbformat.read(path, as_version=4)))
        except Exception:  # a chapter that failed mid-way has no usable record
            continue
    dest = staging / RECORDED_FILE
    dest.write_text(json.dumps(metrics, ensure_ascii=False, allow_nan=False), encoding="utf-8")
    return dest


_CSS = """
body { font: 15px/1.5 system-ui, -apple-system, 'Segoe UI', 'Noto Sans CJK SC', sans-serif; max-width: 1000px;
       margin: 2em auto; padding: 0 1em; color: #1f2328; }
h1 { font-size: 1.6em; } table { border-collapse: collapse; margin: 1em 0; }
th, td { border-bottom: 1px solid #d0d7de; padding: 4px 10px; text-align: left; vertical-align: top; }
th { background: #f6f8fa; } .failed { color: #b5473a; font-weight: bold; } .ok { color: #2f7d4a; }
.meta td:first-child { color: #57606a; } code { font-size: 0.9em; } a { color: #1f5fa8; }
.num { text-align: right; font-variant-numeric: tabular-nums; }
"""


def _page(title: str, body: str) -> str:
    return (
        f"<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'>"
        f"<meta name='viewport' content='width=device-width, initial-scale=1'>"
        f"<title>{html.escape(title)}</title><style>{_CSS}</style></head><body>{body}</body></html>\n"
    )


def _fmt_metric(m: dict) -> str:
    from trackreport.report.notebook import format_value

    v = format_value(m.get("value") if m.get("value") is not None else float("nan"), m.get("unit", ""))
    if m.get("ci_low") is not None and m.get("ci_high") is not None:
        v += (
            f" <span style='color:#57606a'>({format_value(m['ci_low'], m.get('unit', ''))} to "
            f"{format_value(m['ci_high'], m.get('unit', ''))})</span>"
        )
    return v


def _fmt_status(m: dict) -> str:
    from trackreport.report.notebook import format_value

    if m.get("target") is None:
        return ""
    return f"{html.escape(str(m.get('status', '')))} (target {format_value(m['target'], m.get('unit', ''))})"


def report_index(meta: dict, chapters: list[dict], metrics: list[dict]) -> str:
    rows = []
    for ch in chapters:
        status = (
            "<span class='ok'>ok</span>"
            if ch["status"] == "ok"
            else f"<span class='failed'>failed</span>: {html.escape(ch['error'])}"
        )
        link = (
            f"<a href='{ch['file']}'>{html.escape(ch['title'])}</a>"
            if ch["status"] == "ok"
            else html.escape(ch["title"])
        )
        rows.append(f"<tr><td>{link}</td><td>{status}</td></tr>")
    mrows = "".join(
        f"<tr><td>{html.escape(m['chapter'])}</td><td>{html.escape(m['label'])}</td>"
        f"<td class='num'>{_fmt_metric(m)}</td><td class='num'>{m.get('n', '')}</td>"
        f"<td>{_fmt_status(m)}</td></tr>"
        for m in metrics
    )
    params_html = html.escape(meta["params_yaml"])
    body = f"""
<p><a href='../../index.html'>&#8962; All reports</a></p>
<h1>Training effectiveness: team {html.escape(meta["team"])}, {html.escape(meta["quarter"])}</h1>
<table class='meta'>
<tr><td>Team</td><td>{html.escape(meta["team"])}</td></tr>
<tr><td>Quarter (cohort)</td><td>{html.escape(meta["quarter"])}</td></tr>
<tr><td>Data</td><td><code>{html.escape(meta["data_dir"])}</code>, fingerprint <code>{meta["fingerprint"][:16]}</code></td></tr>
<tr><td>trackreport version</td><td>{html.escape(meta["version"])}</td></tr>
<tr><td>Generated</td><td>{html.escape(meta["generated"])}</td></tr>
<tr><td>Files</td><td><a href='metrics.json'>metrics.json</a> · <a href='params.yaml'>params.yaml</a> ·
executed notebooks in <code>notebooks/</code></td></tr>
</table>
<h2>Chapters</h2>
<table><tr><th>Chapter</th><th>Status</th></tr>{"".join(rows)}</table>
<h2>Headline numbers</h2>
<p>Every estimate with its 95% confidence interval and the number of observations n.</p>
<table><tr><th>Ch.</th><th>Measure</th><th>Value (95% CI)</th><th>n</th><th>Target</th></tr>{mrows}</table>
<h2>Parameters</h2>
<pre>{params_html}</pre>
"""
    return _page(f"{meta['team']} {meta['quarter']}: training effectiveness", body)


def write_top_index(out: Path) -> Path:
    """``<out>/index.html``: every team and quarter published under ``out``."""
    rows = []
    for build in sorted(out.glob("*/*/build.json")):
        info = json.loads(build.read_text(encoding="utf-8"))
        rel = build.parent.relative_to(out).as_posix()
        failed = [c for c in info["chapters"] if c["status"] != "ok"]
        status = (
            f"<span class='failed'>{len(failed)} chapter(s) failed</span>"
            if failed
            else "<span class='ok'>complete</span>"
        )
        rows.append(
            f"<tr><td>{html.escape(info['team'])}</td><td><a href='{rel}/index.html'>"
            f"{html.escape(info['quarter'])}</a></td><td>{status}</td>"
            f"<td>{html.escape(info['generated'])}</td></tr>"
        )
    body = (
        "<h1>Training-effectiveness reports</h1><table><tr><th>Team</th><th>Quarter</th><th>Status</th>"
        f"<th>Generated</th></tr>{''.join(rows)}</table>"
    )
    dest = out / "index.html"
    dest.write_text(_page("Training-effectiveness reports", body), encoding="utf-8")
    return dest
