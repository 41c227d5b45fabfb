"""Rendering pages (trackreport/report/render.py): one exporter serves every page of a run."""

from __future__ import annotations

from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from trackreport.report import render


def _page(title: str, text: str, *, tagged: bool):
    cell = new_code_cell("ch.say('x')", outputs=[new_output("display_data", data={"text/markdown": text})])
    if tagged:
        cell.metadata["tags"] = ["remove"]
    params = new_code_cell("team = 'east'", metadata={"tags": ["parameters"]})
    return new_notebook(cells=[new_markdown_cell(f"# {title}"), params, cell, new_markdown_cell("## Section")])


def test_a_page_renders_the_same_through_the_shared_exporter_as_through_a_new_one(tmp_path):
    a, b = _page("01 A", "first **page**", tagged=False), _page("02 B", "second page", tagged=True)
    nav = {"index": "index.html", "page_title": "B · Team east"}
    render._exporter.cache_clear()
    render.render_html(a, tmp_path / "a1.html", nav={"page_title": "A"})
    render.render_html(b, tmp_path / "b1.html", nav=nav)
    render.render_html(a, tmp_path / "a2.html", nav={"page_title": "A"})
    assert render._exporter.cache_info().misses == 1  # one exporter for the three pages
    render._exporter.cache_clear()
    render.render_html(b, tmp_path / "b2.html", nav=nav)  # a new exporter, as each page had before
    assert (tmp_path / "b1.html").read_text() == (tmp_path / "b2.html").read_text()
    assert (tmp_path / "a1.html").read_text() == (tmp_path / "a2.html").read_text()
    page_a, page_b = (tmp_path / "a1.html").read_text(), (tmp_path / "b1.html").read_text()
    assert "first" in page_a and "second" not in page_b  # the tag removed b's cell, not a's
    assert "B · Team east" in page_b and "B · Team east" not in page_a
