"""PDF: one per report, summary first, page numbers, text extractable, CJK glyphs in embedded fonts."""

from __future__ import annotations

import json
import re
import shutil
import unicodedata

import pytest

from trackreport.errors import TrackreportError
from trackreport.report import pdf
from trackreport.report.runner import run_reports

pypdf = pytest.importorskip("pypdf")

CJK = re.compile("[\u4e00-\u9fff]")


def _fonts(reader) -> list[dict]:
    """Every font of every page: name, family, embedded (a font file, or Type3 glyph procedures)."""
    out = []
    for page in reader.pages:
        for font in page["/Resources"].get("/Font", {}).values():
            font = font.get_object()
            desc = font.get("/DescendantFonts")
            inner = desc[0].get_object() if desc else font
            fd = inner.get("/FontDescriptor")
            fd = fd.get_object() if fd is not None else {}
            files = any(k in fd for k in ("/FontFile", "/FontFile2", "/FontFile3"))
            out.append(
                {
                    "name": str(fd.get("/FontName", font.get("/BaseFont", ""))),
                    "family": str(fd.get("/FontFamily", "")),
                    "embedded": files or font.get("/Subtype") == "/Type3" and "/CharProcs" in font,
                }
            )
    return out


def _read(path):
    reader = pypdf.PdfReader(path)
    return reader, [p.extract_text() for p in reader.pages]


@pytest.fixture(scope="module")
def east_pdf(sample_reports, chromium, tmp_path_factory):
    """The east team's latest report printed through the runner's ``pdf=True`` (its chapters up to date)."""
    out, _ = sample_reports
    mine = tmp_path_factory.mktemp("pdf")
    shutil.copytree(out / "east", mine / "east")
    run = run_reports(team="east", out=mine, pdf=True, log=lambda s: None, progress=False)
    (report,) = run.reports
    assert not report.executed, "the copied report is up to date: nothing re-executed"
    return report.path, report.path / pdf.pdf_name(report.path)


def test_east_pdf_summary_first_numbered_pages_text_and_fonts(east_pdf):
    folder, path = east_pdf
    assert path.is_file() and path.parent == folder  # next to its HTML
    reader, texts = _read(path)
    n = len(reader.pages)
    assert n > 0
    assert texts[0].lstrip().startswith(f"Page 1 of {n}")
    assert "00 Summary" in texts[0].split("\n", 3)[1]
    assert f"Page {n} of {n}" in texts[-1]
    build = json.loads((folder / "build.json").read_text(encoding="utf-8"))
    titles = [c["title"] for c in sorted(build["chapters"], key=lambda c: c["number"]) if c["status"] == "ok"]
    # each chapter opens a page: its title is the first line under the page number ("ﬁ" ligatures undone)
    # (a page holding only a chart, an SVG without text, has no second line)
    openers = [unicodedata.normalize("NFKC", (t.split("\n") + [""])[1]) for t in texts]
    assert [o for o in openers if o in titles] == titles, "the summary first, then every chapter in order"
    fonts = _fonts(reader)
    assert fonts and all(f["embedded"] for f in fonts), [f for f in fonts if not f["embedded"]]
    if any(CJK.search(t) for t in texts):  # the sample's course titles are Chinese
        assert any("CJK" in f["name"] + f["family"] for f in fonts)


def test_a_chinese_page_prints_with_cjk_glyphs(chromium, tmp_path):
    folder = tmp_path / "demo" / "2025Q3"
    folder.mkdir(parents=True)
    text = "培训效果、转化率、复购率、净推荐值与投资回报率"
    (folder / "00_summary.html").write_text(
        f"<!DOCTYPE html><html lang='zh-CN'><head><meta charset='utf-8'><title>x</title></head>"
        f"<body><h1>00 摘要</h1><p>{text}</p></body></html>",
        encoding="utf-8",
    )
    build = {
        "team": "demo",
        "quarter": "2025Q3",
        "chapters": [{"number": "00", "file": "00_summary.html", "status": "ok"}],
    }
    (folder / "build.json").write_text(json.dumps(build), encoding="utf-8")
    path = pdf.write_pdf(folder, chromium=chromium)
    reader, texts = _read(path)
    assert text in "".join(texts).replace("\n", "")
    fonts = _fonts(reader)
    assert any("CJK" in f["name"] + f["family"] for f in fonts), fonts
    assert all(f["embedded"] for f in fonts)


def test_without_chromium_pdf_says_what_to_install(monkeypatch, tmp_path):
    monkeypatch.setenv("TRACKREPORT_CHROMIUM", str(tmp_path / "no-such-browser"))
    assert pdf.find_chromium() is None
    with pytest.raises(pdf.ChromiumMissing, match="apt-get install chromium fonts-noto-cjk"):
        run_reports(team="east", out=tmp_path / "out", pdf=True, log=lambda s: None)
    assert not (tmp_path / "out").exists(), "checked before anything ran"
    with pytest.raises(pdf.ChromiumMissing, match="apt-get install chromium"):
        pdf.write_pdf(tmp_path)


def test_nothing_to_print_is_an_error(tmp_path):
    (tmp_path / "build.json").write_text(json.dumps({"chapters": [{"number": "00", "file": "x", "status": "failed"}]}))
    with pytest.raises(TrackreportError, match="nothing to print"):
        pdf.print_document(tmp_path)
