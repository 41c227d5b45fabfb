"""What stakeholders get, in a real browser: Debian's headless Chromium driven by Playwright.

Every page of a sample report is opened from disk: no console error, no request outside
the report's own folder, every image decoded; the summary does not scroll sideways on a
390 px phone. Screenshots of the summary and chapter 06 are written to the test's
temporary folder for a person to look at. Playwright never downloads a browser here: it
launches ``/usr/bin/chromium`` (``apt-get install chromium fonts-noto-cjk``).
"""

from __future__ import annotations

import pytest

sync_api = pytest.importorskip("playwright.sync_api")

PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="module")
def report(sample_reports):
    out, _ = sample_reports
    folders = sorted(p.parent for p in out.glob("east/*/build.json") if not p.parent.name.startswith("."))
    return folders[-1]


@pytest.fixture(scope="module")
def browser(chromium):
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        yield b
        b.close()


def _open(browser, path, *, viewport=None):
    """Open ``path`` in a fresh page; return the page, its console errors and the URLs it requested."""
    context = browser.new_context(viewport=viewport or {"width": 1280, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    requests: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("request", lambda r: requests.append(r.url))
    page.goto(path.as_uri(), wait_until="load")
    page.wait_for_load_state("networkidle")
    return page, errors, requests


def test_every_page_clean_in_a_real_browser(browser, report):
    pages = sorted(report.glob("*.html"))
    assert len(pages) > 10
    folder = report.as_uri() + "/"
    for path in pages:
        page, errors, requests = _open(browser, path)
        assert errors == [], f"{path.name}: console errors {errors}"
        outside = [u for u in requests if not (u.startswith(folder) or u.startswith("data:"))]
        assert outside == [], f"{path.name}: requests outside the report folder {outside}"
        images = page.evaluate("Array.from(document.images).map(i => [i.complete, i.naturalWidth, i.alt])")
        broken = [alt for complete, width, alt in images if not (complete and width > 0)]
        assert broken == [], f"{path.name}: images not decoded {broken}"
        page.context.close()


def test_screenshots_of_the_summary_and_a_chapter(browser, report, tmp_path):
    shots = {}
    for name in ("00_summary", "06_sales"):
        page, _, _ = _open(browser, report / f"{name}.html")
        shots[name] = tmp_path / f"{name}.png"
        page.screenshot(path=str(shots[name]), full_page=True)
        page.context.close()
    page, _, _ = _open(browser, report / "00_summary.html", viewport=PHONE)
    shots["phone"] = tmp_path / "00_summary-390px.png"
    page.screenshot(path=str(shots["phone"]), full_page=True)
    page.context.close()
    for path in shots.values():
        assert path.stat().st_size > 10_000 and path.read_bytes()[:4] == b"\x89PNG"
    print("screenshots:", *shots.values(), sep="\n  ")


def test_summary_does_not_scroll_sideways_on_a_phone(browser, report):
    page, _, _ = _open(browser, report / "00_summary.html", viewport=PHONE)
    width = page.evaluate("document.documentElement.scrollWidth")
    page.context.close()
    assert width <= PHONE["width"]
