"""Every chapter notebook: parameters the runner passes, no outputs committed, a kernel."""

from __future__ import annotations

import nbformat
import papermill
import pytest

from trackreport.paths import NOTEBOOKS_DIR
from trackreport.report.catalog import RUNNER_PARAMETERS, discover_chapters

NOTEBOOKS = sorted(NOTEBOOKS_DIR.glob("[0-9][0-9]_*.ipynb"))


def test_there_are_chapters():
    assert [c.number for c in discover_chapters()][:2] == ["00", "01"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_declares_the_runner_parameters(path):
    declared = papermill.inspect_notebook(str(path))
    assert set(RUNNER_PARAMETERS) <= set(declared), path.name
    for name in RUNNER_PARAMETERS:
        assert declared[name]["help"], f"{path.name}: parameter {name} has no help comment"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_is_committed_clean(path):
    nb = nbformat.read(path, as_version=4)
    assert nb.metadata["kernelspec"]["name"] == "python3"
    assert nb.cells[0].cell_type == "markdown" and nb.cells[0].source.startswith("# ")
    tagged = [c for c in nb.cells if "parameters" in c.get("metadata", {}).get("tags", [])]
    assert len(tagged) == 1
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, f"{path.name} has outputs"
            assert "print(" not in cell.source, f"{path.name}: no debugging prints in chapters"
