"""Rendering: executed notebooks to offline HTML pages (nbconvert), headline numbers to metrics, and the index pages.

Pages carry no code, no parameters cell and no external URL: the ``trackreport``
template is based on ``lab`` without require.js or MathJax.
"""

from __future__ import annotations

import copy
import functools
import html
import json
import re
from pathlib import Path
from typing import Any

from trackreport.i18n import N_, _, format_quarter, language
from trackreport.report.catalog import SUMMARY_NUMBER

TEMPLATE_DIR = Path(__file__).parent / "templates"
REMOVE_TAGS = {"parameters", "injected-parameters", "trackreport-reset", "remove"}
METRIC_MIME = "application/vnd.trackreport.metric+json"
"""The MIME part of a headline's display (:data:`trackreport.report.notebook.METRIC_MIME`, which imports
pandas: the runner collects headlines while its kernels run, without it)."""
RECORDED_FILE = "chapter_metrics.json"
"""Where the summary reads the run's headlines (:data:`trackreport.chapters.summary.RECORDED_FILE`; that
module imports pandas, ~0.7 s of the runner's time between the last chapter and the summary)."""


@functools.cache
def _exporter() -> Any:
    """The HTML exporter, made once per process: its Jinja templates are compiled on first
    use and kept (a new exporter per page compiled them again, ~40% of a page's rendering)."""
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
    return exporter


def render_html(nb: Any, dest: Path, *, nav: dict | None) -> None:
    """Render an executed notebook to one self-contained, offline HTML file.

    Code, prompts and the parameters cells are left out; charts are embedded PNGs;
    no script, style sheet or font is loaded from another host.
    """
    exporter = _exporter()
    labels = {
        "report_title": _("Report index"),
        "contents_label": _("Contents"),
        "summary_label": _("Summary"),
        "contents_long": _("Contents and headline numbers"),
    }
    resources = {"trackreport": {**labels, **(nav or {}), "glossary": glossary_html()}}
    nb = copy.deepcopy(nb)
    if nav and nav.get("page_title"):  # the browser tab: "06 Sales ... · Team east, 2025Q3", not "Notebook"
        nb.metadata["title"] = nav["page_title"]
    _insert_lead(nb)
    body, _resources = exporter.from_notebook_node(nb, resources=resources)
    body = _strip_css_comments(body)
    body = _insert_contents(body)
    body = body.replace(PAGE_COUNTER_EN, page_counter_css())
    # <html lang="zh-CN">: fonts and screen readers follow (set here: nbconvert's own language_code trait
    # accepts ISO 639-1 codes only, and its validator checks the old value, so it alternates on a shared exporter)
    body = body.replace('<html lang="en">', f'<html lang="{HTML_LANG[language()]}">', 1)
    dest.parent.mkdir(parents=True, exist_ok=True)
    dest.write_text(body, encoding="utf-8")


PAGE_COUNTER_EN = '"Page " counter(page) " of " counter(pages)'
"""The print style sheet's page number (``templates/trackreport/print.css``), in English."""


def page_counter_css() -> str:
    """The print page number as CSS ``content`` in the report's language.

    >>> page_counter_css() == PAGE_COUNTER_EN
    True
    """
    text = _("Page {page} of {pages}")
    parts = re.split(r"(\{page\}|\{pages\})", text)
    css = []
    for part in parts:
        if part in ("{page}", "{pages}"):
            css.append(f"counter({part[1:-1]})")
        elif part:
            css.append('"' + part.replace("\\", "\\\\").replace('"', '\\"') + '"')
    return " ".join(css)


LEAD_MARK = "<!--tr-contents-->"
"""Where :func:`_insert_contents` puts a long chapter's in-page contents list."""

#: A chapter with at least this many sections gets an in-page contents list.
CONTENTS_MIN_SECTIONS = 4


def lead_metrics(metrics: list[dict], *, most: int = 4) -> list[dict]:
    """The headlines of a chapter's "In one minute" lead: its primary ones, else its first ones.

    At most ``most``; suppressed figures (privacy) are left out.

    >>> ms = [{"name": "a", "role": "exploratory", "value": 1.0}, {"name": "b", "role": "primary", "value": 2.0},
    ...       {"name": "c", "role": "exploratory", "value": 3.0}]
    >>> [m["name"] for m in lead_metrics(ms)], [m["name"] for m in lead_metrics(ms[:1] + ms[2:])]
    (['b'], ['a', 'c'])
    """
    shown = [m for m in metrics if m.get("value") is not None]
    primary = [m for m in shown if m.get("role") == "primary"]
    return (primary or shown[:3])[:most]


def lead_item(m: dict) -> str:
    """One line of the lead: the measure (linked to its headline, where it is shown in full), value, status.

    >>> lead_item({"name": "nps_after", "label": "NPS", "value": 42.3, "unit": "points", "n": 681,
    ...            "ci_low": 35.0, "ci_high": 49.0, "target": 50.0, "status_word": "uncertain"})
    "<li><a href='#m-nps_after'>NPS</a>: <b>42.3 points</b> · target 50.0 points: <b class='tr-status tr-uncertain'>uncertain</b></li>"

    A change whose verdict is adjusted for multiplicity (``p_adjusted``, e.g. Holm over chapter
    06's effects) reads as its headline does, whatever its unadjusted interval:

    >>> lead_item({"name": "sales", "label": "Sales", "value": 0.141, "unit": "relative", "n": 65,
    ...            "ci_low": 0.016, "ci_high": 0.282, "change": True, "p_adjusted": 0.104})
    "<li><a href='#m-sales'>Sales</a>: <b>+14.1%</b> — not distinguishable from zero</li>"
    """
    from trackreport.stats.display import format_value
    from trackreport.stats.multiplicity import distinguishable_from_zero

    unit = m.get("unit", "")
    text = (
        f"<a href='#m-{html.escape(m['name'])}'>{html.escape(m['label'])}</a>: <b>{format_value(m['value'], unit)}</b>"
    )
    if m.get("change") and distinguishable_from_zero(m.get("ci_low"), m.get("ci_high"), m.get("p_adjusted")) is False:
        text += " — " + _("not distinguishable from zero")  # the headline's verdict (adjusted in its family)
    word = m.get("status_word")
    if m.get("target") is not None and word:
        status = f"<b class='tr-status tr-{word.replace(' ', '-')}'>{html.escape(_(word))}</b>"
        text += " · " + _("target {target}: {status}", target=format_value(m["target"], unit), status=status)
    return f"<li>{text}</li>"


def _insert_lead(nb: Any) -> None:
    """Put an "In one minute" lead (and a mark for the contents list) after the chapter's title cell."""
    import nbformat

    metrics = [m for m in collect_metrics(nb) if m.get("chapter") != SUMMARY_NUMBER]
    chosen = lead_metrics(metrics)
    if not chosen:
        return
    items = "".join(lead_item(m) for m in chosen)
    title = _("In one minute")
    note = _(
        "Each figure is shown in full (95% CI, n) further down: follow its link. "
        "Status words and terms: <a href='#glossary'>glossary</a> at the end of the page."
    )
    lead = (
        f"<section class='tr-lead'><h2 class='tr-lead-title'>{title}</h2><ul>{items}</ul>"
        f"<p class='tr-n'>{note}</p></section>{LEAD_MARK}"
    )
    cell = nbformat.v4.new_code_cell(
        outputs=[nbformat.v4.new_output("display_data", data={"text/html": lead})], metadata={"tags": []}
    )
    first = next((i for i, c in enumerate(nb.cells) if c.cell_type == "markdown"), -1)
    nb.cells.insert(first + 1, cell)


_H2_RE = re.compile(r'<h2 id="([^"]+)">(.*?)(?:<a class="anchor-link"[^>]*>[^<]*</a>)?</h2>', re.S)


def _insert_contents(body: str) -> str:
    """A long chapter's in-page contents list (its sections), at the lead's mark."""
    sections = [(i, re.sub(r"<[^>]+>", "", t).strip()) for i, t in _H2_RE.findall(body)]
    if len(sections) < CONTENTS_MIN_SECTIONS or LEAD_MARK not in body:
        return body.replace(LEAD_MARK, "")
    items = "".join(f"<li><a href='#{i}'>{t}</a></li>" for i, t in sections)
    on_page, glossary = _("On this page"), _("Glossary")
    toc = f"<nav class='tr-toc'><b>{on_page}</b><ol>{items}<li><a href='#glossary'>{glossary}</a></li></ol></nav>"
    return body.replace(LEAD_MARK, toc, 1)


def glossary_html() -> str:
    """The glossary at the end of every page: status words, CI, n, pp, DiD, top-2-box, NPS, roles."""
    from trackreport.stats.display import GLOSSARY

    rows = "".join(f"<dt>{html.escape(_(t))}</dt><dd>{html.escape(_(d))}</dd>" for t, d in GLOSSARY)
    title = _("Glossary")
    return f"<section class='tr-glossary' id='glossary'><h2>{title}</h2><dl>{rows}</dl></section>"


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


def record_chapter_metrics(staging: Path, chapters: list, *, known: dict[str, list[dict]] | None = None) -> Path:
    """Write the headlines of the staged, executed chapters (all but the summary) for chapter 00.

    ``<staging>/chapter_metrics.json`` (:data:`RECORDED_FILE`), beside the
    run's ``params.yaml``, so that the summary reads the results of this very run. ``known``
    maps chapter stems to headlines already collected from their staged notebooks
    (the runner reads each as it finishes); the others are read here.
    """
    import nbformat

    known = known or {}
    metrics = []
    for ch in chapters:
        path = staging / "notebooks" / ch.path.name
        if ch.is_summary or not path.is_file():
            continue
        if ch.stem in known:
            metrics.extend(known[ch.stem])
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
.stale { color: #9a6700; font-weight: bold; } .na { color: #57606a; font-weight: bold; } .ci { color: #57606a; font-size: 0.9em; }
.scroll { overflow-x: auto; -webkit-overflow-scrolling: touch; }
.cue { display: none; color: #57606a; font-size: 0.9em; }
.matrix td { min-width: 11em; } .matrix th[scope=row] { white-space: nowrap; }
.matrix .fig { display: block; white-space: nowrap; } .legend span { margin-right: 1em; }
table.sticky td:first-child, table.sticky th:first-child { position: sticky; left: 0; background: #fff;
       box-shadow: 2px 0 0 #d0d7de; min-width: 9em; }
pre { white-space: pre-wrap; word-break: break-word; }
.tr-glossary dt { font-weight: bold; margin-top: 0.5em; } .tr-glossary dd { margin-left: 1.5em; }
@media (max-width: 700px) { body { margin: 1em auto; } .cue { display: block; } .matrix td { min-width: 10em; } }
@media print { body { max-width: none; margin: 0; font-size: 11px; } .scroll { overflow: visible; }
               .cue { display: none; } a { color: inherit; text-decoration: none; }
               tr, td { break-inside: avoid; } }
"""


#: The ``lang`` attribute of a page in each report language.
HTML_LANG = {"en": "en", "zh": "zh-CN"}


def _page(title: str, body: str) -> str:
    return (
        f"<!DOCTYPE html>\n<html lang='{HTML_LANG[language()]}'><head><meta charset='utf-8'>"
        f"<meta name='viewport' content='width=device-width, initial-scale=1'>"
        f"<title>{html.escape(title)}</title><style>{_CSS}</style></head><body>{body}</body></html>\n"
    )


def _fmt_metric(m: dict) -> str:
    from trackreport.stats.display import format_interval, format_value

    unit = m.get("unit", "")
    v = format_value(m.get("value") if m.get("value") is not None else float("nan"), unit)
    if m.get("ci_low") is not None and m.get("ci_high") is not None:
        # as recorded: a share's interval is cut to 0-100% when recorded (Chapter.headline), and an older
        # metrics.json may hold an ROI under unit "share", which must not be cut here
        shown = "percent" if unit == "share" else unit
        v += " <span class='ci'>(" + format_interval(m["ci_low"], m["ci_high"], shown) + ")</span>"
    return v


def _fmt_status(m: dict) -> str:
    from trackreport.stats.display import format_value

    if m.get("target") is None:
        return ""
    word = _(str(m.get("status_word") or m.get("status", "")))
    bold = f"<b>{html.escape(word)}</b>"
    return _("{status} (target {target})", status=bold, target=format_value(m["target"], m.get("unit", "")))


#: A headline's role as the contents page shows it.
ROLES = (N_("primary"), N_("exploratory"))

NOT_AVAILABLE = "not available"
"""A chapter's status when the data lack a table it needs: neither built nor failed."""


def _needs_html(needs: list[str]) -> str:
    return ", ".join(f"<code>{html.escape(t)}</code>" for t in needs)


def report_index(meta: dict, chapters: list[dict], metrics: list[dict]) -> str:
    rows = []
    for ch in chapters:
        if ch["status"] == NOT_AVAILABLE:
            status = _("<span class='na'>not available</span>: needs {tables}", tables=_needs_html(ch.get("needs", [])))
        elif ch["status"] == "ok":
            status = "<span class='ok'>" + _("ok") + "</span>"
        else:
            status = _("<span class='failed'>failed</span>: {error}", error=html.escape(ch["error"]))
        link = (
            f"<a href='{ch['file']}'>{html.escape(ch['title'])}</a>"
            if ch["status"] == "ok"
            else html.escape(ch["title"])
        )
        rows.append(f"<tr><td>{link}</td><td>{status}</td></tr>")
    mrows = "".join(
        f"<tr><td>{html.escape(m['label'])}</td><td>{html.escape(m['chapter'])}</td>"
        f"<td class='num'>{_fmt_metric(m)}</td><td class='num'>{m.get('n', '')}</td>"
        f"<td>{_fmt_status(m)}</td><td>{html.escape(_(str(m.get('role', ''))))}</td></tr>"
        for m in metrics
    )
    params_html = html.escape(meta["params_yaml"])
    summary = next((c for c in chapters if c.get("number") == SUMMARY_NUMBER and c["status"] == "ok"), None)
    summary_link = f" · <a href='{summary['file']}'>" + _("Summary") + "</a>" if summary else ""
    t = {
        "all": _("All reports"),
        "title": report_title(meta),
        "about": _("About this report"),
        "team": _("Team"),
        "quarter": _("Quarter (cohort)"),
        "data": _("Data"),
        "data_value": _(
            "<code>{source}</code>, fingerprint <code>{fingerprint}</code>",
            source=html.escape(meta["data_dir"]),
            fingerprint=meta["fingerprint"][:16],
        ),
        "version": _("trackreport version"),
        "generated": _("Generated"),
        "files": _("Files"),
        "files_value": _(
            "<a href='metrics.json'>metrics.json</a> · <a href='params.yaml'>params.yaml</a> ·\n"
            "executed notebooks in <code>notebooks/</code>"
        ),
        "chapters": _("Chapters"),
        "chapter": _("Chapter"),
        "status": _("Status"),
        "headlines": _("Headline numbers"),
        "headlines_note": _(
            "Every estimate with its 95% confidence interval and the number of observations n. Role: primary\n"
            "(a decision figure declared in the report's parameters, below) or exploratory. Status words and terms:\n"
            "<a href='#glossary'>glossary</a>."
        ),
        "cue": _("The table is wider than the screen: scroll it sideways."),
        "head": "".join(
            f"<th>{h}</th>" for h in (_("Measure"), _("Ch."), _("Value (95% CI)"), "n", _("Status (target)"), _("Role"))
        ),
        "parameters": _("Parameters"),
    }
    body = f"""
<p><a href='../../index.html'>&#8962; {t["all"]}</a>{summary_link}</p>
<h1>{t["title"]}</h1>
<h2 id='about'>{t["about"]}</h2>
<table class='meta'>
<tr><td>{t["team"]}</td><td>{html.escape(meta["team"])}</td></tr>
<tr><td>{t["quarter"]}</td><td>{html.escape(format_quarter(meta["quarter"]))}</td></tr>
<tr><td>{t["data"]}</td><td>{t["data_value"]}</td></tr>
<tr><td>{t["version"]}</td><td>{html.escape(meta["version"])}</td></tr>
<tr><td>{t["generated"]}</td><td>{html.escape(meta["generated"])}</td></tr>
<tr><td>{t["files"]}</td><td>{t["files_value"]}</td></tr>
</table>
<h2>{t["chapters"]}</h2>
<div class='scroll'><table><tr><th>{t["chapter"]}</th><th>{t["status"]}</th></tr>{"".join(rows)}</table></div>
<h2 id='headlines'>{t["headlines"]}</h2>
<p>{t["headlines_note"]}</p>
<p class='cue'>&#8596; {t["cue"]}</p>
<div class='scroll'><table class='sticky'><tr>{t["head"]}</tr>{mrows}</table></div>
<h2 id='parameters'>{t["parameters"]}</h2>
<pre>{params_html}</pre>
{glossary_html()}
"""
    return _page(
        _("{team} {quarter}: training effectiveness", team=meta["team"], quarter=format_quarter(meta["quarter"])), body
    )


def report_title(meta: dict) -> str:
    """A report's title: "Training effectiveness: team east, 2025Q3" (in the report's language)."""
    return _(
        "Training effectiveness: team {team}, {quarter}",
        team=html.escape(meta["team"]),
        quarter=html.escape(format_quarter(meta["quarter"])),
    )


CONTENTS_FILE = "contents.html"
"""A report's contents page: metadata, chapters and statuses, the full headline table, parameters."""


def summary_redirect(meta: dict, summary_file: str) -> str:
    """``index.html`` of a complete report: opens the summary (chapter 00) at once, links the contents."""
    target = html.escape(summary_file)
    note = _(
        "Opening the <a href='{summary}'>summary</a>. Every headline number, the chapters and the "
        "report's data fingerprint, parameters, version and date: <a href='{contents}'>contents</a>.",
        summary=target,
        contents=CONTENTS_FILE,
    )
    body = (
        "<p><a href='../../index.html'>&#8962; " + _("All reports") + "</a></p>"
        f"<h1>{report_title(meta)}</h1>"
        f"<p>{note}</p>"
    )
    title = _("{team} {quarter}: training effectiveness", team=meta["team"], quarter=format_quarter(meta["quarter"]))
    page = _page(title, body)
    return page.replace("<head>", f"<head><meta http-equiv='refresh' content='0; url={target}'>", 1)


def write_report_index(folder: Path, meta: dict, chapters: list[dict], metrics: list[dict]) -> Path:
    """Write a report's ``contents.html`` and its ``index.html``, which opens on the summary.

    ``index.html`` redirects to chapter 00 (the executive summary) when it was built and no
    chapter failed; otherwise it is the contents page itself, so that a failure is the
    first thing a reader sees.
    """
    contents = report_index(meta, chapters, metrics)
    (folder / CONTENTS_FILE).write_text(contents, encoding="utf-8")
    summary = next((c for c in chapters if c.get("number") == SUMMARY_NUMBER), None)
    complete = all(c["status"] in ("ok", NOT_AVAILABLE) for c in chapters)
    index = summary_redirect(meta, summary["file"]) if summary and complete else contents
    dest = folder / "index.html"
    dest.write_text(index, encoding="utf-8")
    return dest


MATRIX_FIGURES = (
    ("06", "sales_effect_relative", N_("Sales effect")),
    ("10", "roi", N_("ROI")),
    ("09", "nps_after", N_("NPS")),
)
"""The primary figures of a cell of the cross-team matrix: (chapter, metric name, short label)."""


def _read_json(path: Path) -> dict | None:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return None


def report_status(build: dict, fingerprint: str | None) -> str:
    """``failed`` (a chapter failed), ``stale`` (built from other data than ``fingerprint``) or ``ok``.

    >>> b = {"data_fingerprint": "a", "chapters": [{"status": "ok"}]}
    >>> report_status(b, "a"), report_status(b, "b"), report_status(b, None)
    ('ok', 'stale', 'ok')
    >>> report_status({"data_fingerprint": "a", "chapters": [{"status": "failed"}]}, "a")
    'failed'
    """
    if any(c.get("status") not in ("ok", NOT_AVAILABLE) for c in build.get("chapters", [])):
        return "failed"
    if fingerprint is not None and build.get("data_fingerprint") != fingerprint:
        return "stale"
    return "ok"


def _matrix_cell(rel: str, build: dict, metrics: dict | None, fingerprint: str | None, failed_run: str) -> str:
    status = report_status(build, fingerprint)
    n_failed = sum(c.get("status") not in ("ok", NOT_AVAILABLE) for c in build.get("chapters", []))
    word = {
        "ok": _("ok"),
        "stale": _("stale: other data"),
        "failed": _("failed: {n} chapter(s)", n=n_failed),
    }[status]
    css = {"ok": "ok", "stale": "stale", "failed": "failed"}[status]
    parts = [f"<a href='{rel}/index.html'><span class='{css}'>{html.escape(word)}</span></a>"]
    by_key = {(m.get("chapter"), m.get("name")): m for m in (metrics or {}).get("metrics", [])}
    for chapter, name, short in MATRIX_FIGURES:
        m = by_key.get((chapter, name))
        value = _("n/a") if m is None else _fmt_metric(m)
        n = "" if m is None else " <span class='ci'>" + _("n = {n}", n=m.get("n", "")) + "</span>"
        parts.append(f"<span class='fig'>{_(short)}: {value}{n}</span>")
    n_na = sum(c.get("status") == NOT_AVAILABLE for c in build.get("chapters", []))
    if n_na:
        text = _("{n} chapter(s) not available (data lacking)", n=n_na)
        parts.append(f"<span class='fig na'>{text}</span>")
    if failed_run:
        text = _("last run failed")
        parts.append(f"<a href='{failed_run}/index.html'><span class='failed'>{text}</span></a>")
    return "<td>" + "".join(parts) + "</td>"


def write_top_index(out: Path, *, fingerprint: str | None = None) -> Path:
    """``<out>/index.html``: the team x quarter matrix of the reports published under ``out``.

    Built from each report's ``build.json`` (status) and ``metrics.json`` (figures) only.
    A cell links the report and shows its status (*ok*; *failed* when a chapter failed;
    *stale* when its data fingerprint differs from ``fingerprint``, the current data's)
    and :data:`MATRIX_FIGURES` with their 95% intervals and n; a newer run that failed
    while an earlier good report was kept (``<quarter>.failed/``) is marked too. The
    table scrolls sideways on a phone, with a visible cue, and prints whole.
    """
    cells: dict[tuple[str, str], str] = {}
    failed_runs = {
        (p.parent.parent.name, p.parent.name.removesuffix(".failed")): p.parent.relative_to(out).as_posix()
        for p in out.glob("*/*.failed/build.json")
    }
    for build_path in sorted(out.glob("*/*/build.json")):
        folder = build_path.parent
        if folder.name.startswith(".") or folder.name.endswith(".failed"):
            continue
        build = _read_json(build_path)
        if build is None:
            continue
        key = (build.get("team", folder.parent.name), build.get("quarter", folder.name))
        rel = folder.relative_to(out).as_posix()
        cells[key] = _matrix_cell(
            rel, build, _read_json(folder / "metrics.json"), fingerprint, failed_runs.pop(key, "")
        )
    for key, rel in failed_runs.items():  # a first run that failed: no good report to show
        build = _read_json(out / rel / "build.json") or {}
        cells[key] = _matrix_cell(rel, build, _read_json(out / rel / "metrics.json"), fingerprint, "")
    teams = sorted({t for t, _q in cells})
    quarters = sorted({q for _t, q in cells})
    head = "".join(f"<th scope='col'>{html.escape(format_quarter(q))}</th>" for q in quarters)
    no_report = _("no report")
    rows = "".join(
        f"<tr><th scope='row'>{html.escape(t)}</th>"
        + "".join(cells.get((t, q), f"<td class='ci'>{no_report}</td>") for q in quarters)
        + "</tr>"
        for t in teams
    )
    title = _("Training-effectiveness reports")
    if cells:
        intro = _(
            "One cell per team and quarter's cohort: the report's status and its primary figures, each with its "
            "95% confidence interval and n. Click a status to open the report."
        )
        legend = (
            "<span>" + _("<span class='ok'>ok</span>: all chapters built from the current data") + "</span>"
            "<span>" + _("<span class='stale'>stale</span>: built from other data; rebuild it") + "</span>"
            "<span>" + _("<span class='failed'>failed</span>: a chapter failed") + "</span>"
        )
        cue = _("The table is wider than the screen: scroll it sideways.")
        team = _("Team")
        body = (
            f"<h1>{title}</h1><p>{intro}</p><p class='legend'>{legend}</p>"
            f"<p class='cue'>&#8596; {cue}</p>"
            f"<div class='scroll'><table class='matrix'><tr><th scope='col'>{team}</th>{head}</tr>{rows}</table></div>"
        )
    else:
        body = f"<h1>{title}</h1><p>" + _("No report has been built yet.") + "</p>"
    dest = out / "index.html"
    dest.write_text(_page(title, body), encoding="utf-8")
    return dest
