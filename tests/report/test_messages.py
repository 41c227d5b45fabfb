"""Message extraction and the catalog check: each kind of catalog problem is found."""

from __future__ import annotations

import json

from trackreport.report import messages as msgs

PO_HEAD = (
    'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=utf-8\\n"\n"Plural-Forms: nplurals=1; plural=0;\\n"\n\n'
)


def test_extraction_reads_python_calls_and_notebook_markdown(tmp_path):
    mod = tmp_path / "m.py"
    mod.write_text(
        'x = _("Effect on {measure}", measure=m)\ny = ngettext("{n} person", "{n} people", n, n=n)\n'
        'z = N_("Trained reps")\nw = f"not {extracted}"\n',
        encoding="utf-8",
    )
    nb = tmp_path / "01_x.ipynb"
    cells = [
        {"cell_type": "markdown", "metadata": {}, "source": ["# 01 Goals\n", "\n", "Why it matters."]},
        {"cell_type": "code", "metadata": {}, "source": ["%matplotlib inline\n", 'ch.say(_("Done"))'], "outputs": []},
    ]
    nb.write_text(json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}), encoding="utf-8")
    found = msgs.extract_messages([mod, nb])
    assert set(found) == {
        "Effect on {measure}",
        ("{n} person", "{n} people"),
        "Trained reps",
        "01 Goals",
        "Why it matters.",
        "Done",
    }
    assert found["Done"] == [f"{nb}:2"]


def test_check_catalog_lists_every_kind_of_problem(tmp_path, monkeypatch):
    (tmp_path / "a.po").write_text(
        PO_HEAD + 'msgid "Effect on {measure}"\nmsgstr "对{measure}的影响"\n\n'
        'msgid "Trained reps"\nmsgstr "受训销售"\n\n'
        'msgid "Gone"\nmsgstr "旧"\n\n'
        'msgid "Placeholder dropped {n}"\nmsgstr "丢了"\n\n'
        'msgid "Empty"\nmsgstr ""\n',
        encoding="utf-8",
    )
    (tmp_path / "b.po").write_text(PO_HEAD + 'msgid "Trained reps"\nmsgstr "受训人员"\n', encoding="utf-8")
    monkeypatch.setattr(msgs, "catalog_files", lambda code: sorted(tmp_path.glob("*.po")))
    found = {
        "Effect on {measure}": ["m.py:1"],
        "Trained reps": ["m.py:2"],
        "Placeholder dropped {n}": ["m.py:3"],
        "Empty": ["m.py:4"],
        "New text": ["m.py:5"],
    }
    kinds = {(p.kind.split(" from")[0], p.message) for p in msgs.check_catalog("zh", found)}
    assert kinds == {
        ("no translation", "New text"),
        ("obsolete (no code uses it)", "Gone"),
        ("translated differently in two files", "Trained reps"),
        ("placeholders differ", "Placeholder dropped {n}"),
        ("empty translation", "Empty"),
    }


def test_write_missing_appends_untranslated_entries_and_keeps_the_rest(tmp_path, monkeypatch):
    po = tmp_path / "part.po"
    po.write_text(PO_HEAD + 'msgid "Kept"\nmsgstr "保留"\n', encoding="utf-8")
    mod = tmp_path / "m.py"
    mod.write_text('_("Kept")\n_("Added")\n', encoding="utf-8")
    monkeypatch.setattr(msgs, "catalog_files", lambda code: [])
    assert msgs.write_missing("zh", po, [mod]) == 1
    text = po.read_text(encoding="utf-8")
    assert 'msgid "Kept"\nmsgstr "保留"' in text
    assert 'msgid "Added"\nmsgstr ""' in text


def test_a_translation_call_inside_an_f_string_is_reported(tmp_path):
    mod = tmp_path / "m.py"
    mod.write_text('x = f"{_(\'Hidden\')}: {n}"\ny = _("Seen")\nz = f"{n} plain"\n', encoding="utf-8")
    (problem,) = msgs.hidden_messages([mod])
    assert problem.where.endswith("m.py:1") and "f-string" in problem.kind
