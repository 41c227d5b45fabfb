"""How the runner schedules its work (issue 16, part 4): kernels started while the data are
validated and warmed up, the longest chapters first, pages rendered as chapters finish."""

from __future__ import annotations

import json
import re
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from trackreport.report import runner
from trackreport.report.catalog import ChapterNotebook
from trackreport.report.execute import Job, run_jobs, warm_up_code
from trackreport.report.params import resolve


def _quiet(_msg: str) -> None:
    pass


def _notebook(path: Path, title: str, *code: str) -> Path:
    cells = [
        new_markdown_cell(f"# {title}"),
        new_code_cell("team = quarter = data_dir = params_file = dataset_cache = ''"),
    ]
    cells[1].metadata["tags"] = ["parameters"]
    cells += [new_code_cell(c) for c in code]
    kernelspec = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(new_notebook(cells=cells, metadata={"kernelspec": kernelspec}), path)
    return path


def test_warm_up_imports_what_the_notebooks_import_and_nothing_else():
    nbdir = Path(__file__).parents[2] / "notebooks"
    code = warm_up_code(sorted(nbdir.glob("[0-9][0-9]_*.ipynb")))
    assert "from trackreport.report.notebook import" in code and "import pandas as pd" in code
    assert code.count("from trackreport.chapters import sales\n") == 1  # each statement once
    body = [line.strip() for line in code.splitlines()[1:-2]]
    assert all(line.startswith(("import ", "from ", "gc.")) for line in body), body
    assert body[-2:] == ["gc.collect()", "gc.freeze()"]
    compile(code, "<warm-up>", "exec")


def test_a_warmed_kernel_has_the_imports_frozen_and_an_empty_namespace(tmp_path):
    """The first chapter on a kernel finds its later cell's import done, the import objects out of the
    garbage collector's sight, and no name left by the warm-up."""
    nb = _notebook(
        tmp_path / "01_probe.ipynb",
        "01 Probe",
        "import gc, sys\n"
        "print('frozen', gc.get_freeze_count() > 1000)\n"
        "print('imported', 'colorsys' in sys.modules)\n"
        "print('left', sorted(k for k in globals() if 'warm' in k))",
        "import colorsys",
    )
    staging = tmp_path / "staging"
    (staging / "notebooks").mkdir(parents=True)
    job = Job(resolve("east", "2025Q3"), ChapterNotebook("01", "probe", "01 Probe", nb), staging, tmp_path, "", "")
    run_jobs([job], 1, _quiet, False)
    assert job.status == "ok", job.error
    out = nbformat.read(staging / "notebooks" / nb.name, as_version=4)
    text = "".join(o.get("text", "") for c in out.cells if c.cell_type == "code" for o in c.get("outputs", []))
    assert "frozen True" in text and "imported True" in text and "left []" in text, text


def test_a_warm_up_that_fails_leaves_the_chapter_to_run(tmp_path):
    nb = _notebook(tmp_path / "01_probe.ipynb", "01 Probe", "x = 41 + 1", "import no_such_module_anywhere")
    staging = tmp_path / "staging"
    (staging / "notebooks").mkdir(parents=True)
    job = Job(resolve("east", "2025Q3"), ChapterNotebook("01", "probe", "01 Probe", nb), staging, tmp_path, "", "")
    run_jobs([job], 1, _quiet, False)
    assert job.status == "failed" and "no_such_module_anywhere" in job.error  # the chapter's own error, cell 2


class _Stop(Exception):
    pass


def test_kernels_start_before_validation_and_chapters_run_longest_first(tmp_path, monkeypatch):
    """A cold run starts its kernels before it validates the data; the chapters go to the kernels
    longest first by the report's previous times (unknown ones first), the summary after them."""
    import pandas  # noqa: F401  (a process with pandas validates in itself, where the spy sees it)

    events: list[str] = []

    class FakeKernels:
        def __init__(self, n, *, warm_up="", eager=True):
            events.append("kernels")
            self.warm_up, self.killed = warm_up, False

        def kill(self):
            self.killed = True

    validate = runner._validate_and_cache

    def validating(*args, **kwargs):
        events.append("validate")
        return validate(*args, **kwargs)

    seen: dict = {}

    def fake_run_jobs(jobs, workers, log, progress, *, then=None, kernels=None, on_done=None):
        seen.update(order=[j.chapter.stem for j in jobs], kernels=kernels, last=then() if then else [])
        raise _Stop

    monkeypatch.setattr(runner, "Kernels", FakeKernels)
    monkeypatch.setattr(runner, "_validate_and_cache", validating)
    monkeypatch.setattr(runner, "run_jobs", fake_run_jobs)
    out = tmp_path / "out"
    previous = {"01_goals": 2.9, "02_curriculum": 2.2, "03_trainers": 0.8, "05_evaluation": 2.6, "06_sales": 3.2}
    build = {"chapters": [{"stem": s, "status": "ok", "executed": True, "seconds": t} for s, t in previous.items()]}
    (out / "east" / "2025Q3").mkdir(parents=True)
    (out / "east" / "2025Q3" / "build.json").write_text(json.dumps(build), encoding="utf-8")
    with pytest.raises(_Stop):
        runner.run_reports(team="east", quarter="2025Q3", out=out, log=_quiet, progress=False, force=True)
    assert events == ["kernels", "validate"]
    assert isinstance(seen["kernels"], FakeKernels) and seen["kernels"].warm_up.startswith("def _trackreport_warm_up")
    unknown = ["04_delivery", "07_skills", "08_collaboration", "09_customers", "10_cost_benefit", "11_growth"]
    unknown += ["12_knowledge", "13_improvement", "14_cases"]  # no time known: first, in chapter order
    assert seen["order"] == [*unknown, "06_sales", "01_goals", "05_evaluation", "02_curriculum", "03_trainers"]
    assert [j.chapter.stem for j in seen["last"]] == ["00_summary"]

    # the data now validated and cached: a re-run starts no kernel before it knows it has work
    events.clear()
    with pytest.raises(_Stop):
        runner.run_reports(team="east", quarter="2025Q3", out=out, log=_quiet, progress=False, force=True)
    assert events == [] and seen["kernels"] is None


def test_a_failed_chapter_leaves_no_page_linking_to_it(tmp_path):
    """Pages are rendered as their chapters finish, linking to every planned chapter; when one fails,
    its neighbours' pages are rendered again so that they link past it."""
    nbdir = tmp_path / "nb"
    nbdir.mkdir()
    _notebook(nbdir / "01_first.ipynb", "01 First", "print('one')")
    _notebook(nbdir / "02_middle.ipynb", "02 Middle", "raise RuntimeError('deliberate failure')")
    _notebook(nbdir / "03_last.ipynb", "03 Last", "print('three')")
    out = tmp_path / "out"
    res = runner.run_reports(
        team="east", quarter="2025Q3", out=out, notebooks_dir=nbdir, log=_quiet, progress=False, workers=1
    )
    report = res.reports[0]
    assert list(report.failed) == ["02_middle"]

    def links(page: str) -> list[str]:
        html = (report.path / page).read_text(encoding="utf-8")
        return sorted(set(re.findall(r'href="(0\d_[a-z]+\.html)"', html)))

    assert links("01_first.html") == ["03_last.html"] and links("03_last.html") == ["01_first.html"]
    assert not (report.path / "02_middle.html").exists()

    _notebook(nbdir / "02_middle.ipynb", "02 Middle", "print('two')")  # mended: every page links its neighbours
    res = runner.run_reports(
        team="east", quarter="2025Q3", out=out, notebooks_dir=nbdir, log=_quiet, progress=False, workers=1
    )
    assert res.ok and res.reports[0].executed == ["02_middle"]
    assert links("01_first.html") == ["02_middle.html"] and links("02_middle.html") == ["01_first.html", "03_last.html"]


def test_a_runner_without_pandas_starts_its_kernels_before_the_validating_child(tmp_path):
    from trackreport.paths import SAMPLE_DIR

    calls: list[str] = []
    cache, facts = runner._dataset_cache(
        SAMPLE_DIR, tmp_path, _quiet, isolate=True, before_validate=lambda: calls.append("start")
    )
    assert calls == ["start"] and (cache / "meta.json").is_file() and "east" in facts.cohorts
    runner._dataset_cache(SAMPLE_DIR, tmp_path, _quiet, isolate=True, before_validate=lambda: calls.append("again"))
    assert calls == ["start"]  # validated already: nothing to overlap, no kernel started early


def test_the_runner_reads_headlines_without_importing_pandas(tmp_path):
    """Between the last chapter and the summary the runner records the headlines: importing pandas
    (the notebook API, the summary chapter) there cost ~0.7 s, so the constants are kept in render."""
    import subprocess
    import sys

    from trackreport.chapters.summary import RECORDED_FILE
    from trackreport.report import render
    from trackreport.report.notebook import METRIC_MIME

    assert (render.METRIC_MIME, render.RECORDED_FILE) == (METRIC_MIME, RECORDED_FILE)
    probe = (
        "import sys, nbformat\n"
        "from pathlib import Path\n"
        "from nbformat.v4 import new_code_cell, new_notebook, new_output\n"
        "from trackreport.report.catalog import ChapterNotebook\n"
        "from trackreport.report.render import METRIC_MIME, record_chapter_metrics\n"
        "staging = Path(sys.argv[1]); (staging / 'notebooks').mkdir()\n"
        "out = new_output('display_data', data={METRIC_MIME: {'name': 'x', 'value': 1.0}})\n"
        "nbformat.write(new_notebook(cells=[new_code_cell(outputs=[out])]), staging / 'notebooks' / '01_a.ipynb')\n"
        "path = record_chapter_metrics(staging, [ChapterNotebook('01', 'a', 'A', staging / '01_a.ipynb')])\n"
        "print(path.read_text(), 'pandas' in sys.modules)\n"
    )
    run = subprocess.run([sys.executable, "-c", probe, str(tmp_path)], capture_output=True, text=True, check=True)
    assert run.stdout.split() == ['[{"name":', '"x",', '"value":', "1.0}]", "False"]
