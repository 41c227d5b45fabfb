"""PDF for e-mail and print: one PDF per report, printed by Debian's headless Chromium.

The report's pages (summary first, then the chapters in order, as ``build.json`` lists
them) are joined into one print document, without their navigation bars, each chapter
starting on a new page, and printed once with ``chromium --headless --print-to-pdf``, so
that pages are numbered through the whole report ("Page 3 of 41", from the print style
sheet's ``@page`` rules: ``templates/trackreport/print.css``). The print style sheet also
keeps tables rows, charts and headlines from being cut across pages.

Nothing is downloaded: the browser is the system's (``apt-get install chromium
fonts-noto-cjk``; the Noto CJK fonts are embedded for Chinese text), found on ``PATH`` or
named by ``TRACKREPORT_CHROMIUM``. Without it :func:`write_pdf` raises
:class:`ChromiumMissing`, which says what to install.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

from trackreport.errors import TrackreportError
from trackreport.i18n import language, language_of
from trackreport.report.render import HTML_LANG, PAGE_COUNTER_EN, page_counter_css, report_title

__all__ = ["INSTALL_HINT", "ChromiumMissing", "find_chromium", "print_document", "write_pdf", "pdf_name"]

INSTALL_HINT = "apt-get install chromium fonts-noto-cjk"
"""What to install for PDFs and the browser tests (Debian)."""
CANDIDATES = ("chromium", "chromium-browser", "/usr/bin/chromium")


class ChromiumMissing(TrackreportError):
    """No headless Chromium on this machine."""


def find_chromium() -> str | None:
    """The Chromium executable: ``$TRACKREPORT_CHROMIUM``, else ``chromium`` on ``PATH``; None if absent."""
    named = os.environ.get("TRACKREPORT_CHROMIUM")
    if named:
        return named if Path(named).is_file() else None
    for name in CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    return None


def pdf_name(report_dir: Path) -> str:
    """``<team>-<quarter>.pdf`` for ``<out>/<team>/<quarter>/``.

    >>> pdf_name(Path("reports/east/2025Q3"))
    'east-2025Q3.pdf'
    """
    report_dir = Path(report_dir)
    return f"{report_dir.parent.name}-{report_dir.name}.pdf"


PRINT_CSS = Path(__file__).parent / "templates" / "trackreport" / "print.css"
PRINT_WIDTH_PX = 703
"""The printed width of an A4 page between its 12 mm margins, in CSS pixels (186 mm at 96 px per inch)."""
_FIT_SCRIPT = """<script>
window.addEventListener('load', () => {
  // a table wider than the page is scaled down to fit, never cut at the page's edge
  for (const el of document.querySelectorAll('table')) {
    const room = Math.min(document.documentElement.clientWidth, el.parentElement.clientWidth);
    const w = el.getBoundingClientRect().width;
    if (w > room) el.style.zoom = (room / w).toFixed(4);
  }
});
</script>"""

_HEAD_RE = re.compile(r"<head>(.*?)</head>", re.S | re.I)
_BODY_RE = re.compile(r"<body([^>]*)>(.*)</body>", re.S | re.I)
_NAV_RE = re.compile(r"<nav class=\"tr-nav[^\"]*\">.*?</nav>", re.S)
_TITLE_RE = re.compile(r"<title>.*?</title>", re.S | re.I)


def print_document(report_dir: Path) -> str:
    """One HTML document of the report's built pages: summary first, then the chapters in order.

    The head (style sheets) is the first page's, with the print style sheet applied to
    every medium so that the page can be laid out at the printed width (where a script
    scales any table wider than the page down to fit); every page's body follows in a ``<section class="tr-print-chapter">`` (a new page each), navigation
    bars left out. Pages are the ``ok`` chapters of ``build.json`` in its order (chapter 00,
    the summary, first).
    """
    report_dir = Path(report_dir)
    build = json.loads((report_dir / "build.json").read_text(encoding="utf-8"))
    files = [c["file"] for c in sorted(build["chapters"], key=lambda c: c["number"]) if c.get("status") == "ok"]
    if not files:
        raise TrackreportError(f"{report_dir}: no chapter was built, nothing to print")
    head, body_attrs, sections = "", "", []
    for name in files:
        page = (report_dir / name).read_text(encoding="utf-8")
        body = _BODY_RE.search(page)
        if body is None:
            raise TrackreportError(f"{report_dir / name}: not an HTML page")
        if not head:
            m = _HEAD_RE.search(page)
            head = _TITLE_RE.sub("", m.group(1) if m else "")
            body_attrs = body.group(1)
        sections.append(f"<section class='tr-print-chapter'>{_NAV_RE.sub('', body.group(2))}</section>")
    with language_of(build.get("lang", "en")):  # the report's language (params lang)
        title = report_title({"team": build.get("team", ""), "quarter": build.get("quarter", "")})
        css = PRINT_CSS.read_text(encoding="utf-8").replace(PAGE_COUNTER_EN, page_counter_css())
        lang = HTML_LANG[language()]
    return (
        f"<!DOCTYPE html>\n<html lang='{lang}'><head>{head}<title>{title}</title><style>{css}</style></head>"
        f"<body{body_attrs}>{''.join(sections)}{_FIT_SCRIPT}</body></html>\n"
    )


def write_pdf(report_dir: Path, *, chromium: str | None = None, timeout: float = 300.0) -> Path:
    """Print a built report to ``<report_dir>/<team>-<quarter>.pdf`` with headless Chromium.

    Raises :class:`ChromiumMissing` when there is no Chromium, :class:`TrackreportError`
    when it fails.
    """
    report_dir = Path(report_dir).resolve()
    exe = chromium or find_chromium()
    if exe is None:
        raise ChromiumMissing(f"a PDF needs headless Chromium and CJK fonts: {INSTALL_HINT} (Debian)")
    dest = report_dir / pdf_name(report_dir)
    with tempfile.TemporaryDirectory(prefix="trackreport-pdf-") as tmp:
        doc = Path(tmp) / "print.html"
        doc.write_text(print_document(report_dir), encoding="utf-8")
        part = Path(tmp) / "report.pdf"
        cmd = [
            exe,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-extensions",
            f"--user-data-dir={Path(tmp) / 'profile'}",
            "--no-pdf-header-footer",
            f"--window-size={PRINT_WIDTH_PX},1000",  # lay out at the page's width, where tables are fitted
            f"--print-to-pdf={part}",
            doc.as_uri(),
        ]
        run = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=False)
        if run.returncode != 0 or not part.is_file() or part.stat().st_size == 0:
            raise TrackreportError(f"chromium could not print {report_dir}: {run.stderr.strip()[-500:]}")
        shutil.move(str(part), dest)
    return dest
