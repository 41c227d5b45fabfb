"""End-to-end: chapters 03, 05 and 07 execute on the sample data for east 2025Q3."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

from trackreport.report.notebook import METRIC_MIME

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"
PARAMETERS = {"team", "quarter", "data_dir", "params_file", "dataset_cache"}
EXPECTED = {
    "05_evaluation.ipynb": {
        "reaction_top2box",
        "reaction_score",
        "knowledge_gain",
        "knowledge_gain_net",
        "stage_test_average",
        "rating_360_change",
        "rating_360_change_did",
        "crm_completeness_change",
        "crm_completeness_change_did",
        "fabe_adoption",
    },
    "07_skills.ipynb": {
        "product_mastery_post",
        "product_mastery_change",
        "roleplay_change",
        "objection_fast_change",
        "objection_credible_change",
    },
    "03_trainers.ipynb": {"trainers_scored", "trainers_left_out"},
}


@pytest.mark.parametrize("name", sorted(n for n in EXPECTED if (NOTEBOOKS / n).exists()))
def test_notebook_is_clean_and_declares_parameters(name):
    nb = nbformat.read(NOTEBOOKS / name, as_version=4)
    assert nb.metadata["kernelspec"]["name"] == "python3"
    assert all(not c.get("outputs") for c in nb.cells if c.cell_type == "code")
    cells = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(cells) == 1
    # papermill.inspect_notebook cannot parse comments holding " = " (e.g. "empty = params/"),
    # so the declared names are read from the cell itself.
    names = {line.split("=", 1)[0].strip() for line in cells[0].source.splitlines() if line.strip()}
    assert names == PARAMETERS


@pytest.mark.parametrize("name", sorted(n for n in EXPECTED if (NOTEBOOKS / n).exists()))
def test_notebook_runs_for_east(name, tmp_path, monkeypatch):
    import papermill

    monkeypatch.setenv("MPLBACKEND", "Agg")
    out = tmp_path / name
    papermill.execute_notebook(
        str(NOTEBOOKS / name),
        str(out),
        parameters={"team": "east", "quarter": "2025Q3"},
        progress_bar=False,
        cwd=str(NOTEBOOKS),
    )
    nb = nbformat.read(out, as_version=4)
    names, streams = [], []
    for cell in nb.cells:
        for o in cell.get("outputs", []):
            assert o.output_type != "error", o
            if o.output_type == "stream":
                streams.append((o.name, o.text))
            if METRIC_MIME in o.get("data", {}):
                names.append(o["data"][METRIC_MIME]["name"])
    assert not [s for s in streams if s[0] == "stderr"], streams
    assert len(names) == len(set(names)), "a headline is recorded twice"
    assert EXPECTED[name] <= set(names)
