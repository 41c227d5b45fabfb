"""The report runner end to end, on chapter 01 and the sample company."""

from __future__ import annotations

import json
import math
import re
import shutil
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from trackreport.chapters import goals, sales
from trackreport.cli import main
from trackreport.paths import NOTEBOOKS_DIR
from trackreport.report.notebook import open_chapter
from trackreport.report.runner import run_reports

PARAMS_CELL = NOTEBOOKS_DIR / "01_goals.ipynb"
SECRET = "s3cr3t-db-pa55word"


def _quiet(_msg: str) -> None:
    pass


@pytest.fixture(scope="module")
def first_run(tmp_path_factory):
    """One report of east with chapter 01 only, built once for the module."""
    out = tmp_path_factory.mktemp("reports")
    nbdir = tmp_path_factory.mktemp("notebooks")
    shutil.copy(NOTEBOOKS_DIR / "01_goals.ipynb", nbdir)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("TRACKREPORT_DB_PASSWORD", SECRET)
        result = run_reports(team="east", quarter="2025Q3", out=out, notebooks_dir=nbdir, log=_quiet, progress=False)
    return out, nbdir, result


def _copy_cache(src: Path, dst: Path) -> None:
    shutil.copytree(src / ".cache", dst / ".cache")


def test_report_is_published_with_its_files(first_run):
    out, _, result = first_run
    assert result.ok
    rep = out / "east" / "2025Q3"
    for name in (
        "index.html",
        "contents.html",
        "01_goals.html",
        "metrics.json",
        "params.yaml",
        "build.json",
        "notebooks/01_goals.ipynb",
    ):
        assert (rep / name).is_file(), name
    assert (out / "index.html").is_file()
    assert "east/2025Q3/index.html" in (out / "index.html").read_text(encoding="utf-8")
    index = (rep / "index.html").read_text(encoding="utf-8")
    for item in (
        "east",
        "2025Q3",
        "fingerprint",
        "trackreport version",
        "Generated",
        "01_goals.html",
        "metrics.json",
        "params.yaml",
    ):
        assert item in index
    # no summary chapter in this run: the index is the contents page itself, not a redirect
    assert "http-equiv" not in index
    assert index == (rep / "contents.html").read_text(encoding="utf-8")


def test_metrics_json_equals_the_package_computations(first_run):
    out, _, _ = first_run
    metrics = json.loads((out / "east" / "2025Q3" / "metrics.json").read_text(encoding="utf-8"))
    by_name = {m["name"]: m for m in metrics["metrics"]}
    assert {"chapter", "name", "value", "unit", "n"} <= set(by_name["trainees"])
    assert by_name["trainees"]["value"] == 45 and by_name["trainees"]["chapter"] == "01"

    ch = open_chapter("01", "east", "2025Q3")
    attribution = sales.sales_attribution(ch.data, "east", "2025Q3", ch.params)
    targets = goals.target_table(ch.data, ch.members, ch.windows, ch.params, attribution=attribution)
    for i, row in targets.iterrows():
        m = by_name[f"target_{i:02d}"]
        assert m["label"] == row["goal"] and m["n"] == row["n"]
        assert math.isclose(m["value"], row["current"], rel_tol=1e-12)
        if not math.isnan(row["ci_low"]):
            assert math.isclose(m["ci_low"], row["ci_low"], rel_tol=1e-12)
            assert math.isclose(m["ci_high"], row["ci_high"], rel_tol=1e-12)
    prefs = goals.learning_preferences(ch.members)
    assert math.isclose(by_name["preference_0"]["value"], prefs.loc[0, "value"])
    assert by_name["preference_0"]["n"] == prefs.loc[0, "n"]


def test_html_is_offline_clean_and_shows_no_code(first_run):
    out, _, _ = first_run
    page = (out / "east" / "2025Q3" / "01_goals.html").read_text(encoding="utf-8")
    assert "http://" not in page and "https://" not in page
    assert "<script src" not in page and "<link" not in page
    assert "open_chapter" not in page and "import " not in page  # no code cells
    assert "dataset_cache" not in page  # no parameters / injected-parameters cell
    assert "Traceback" not in page and "Warning" not in page
    assert "<img" in page and "data:image/svg+xml;base64" in page  # charts embedded, sharp
    assert 'href="index.html"' in page and 'href="contents.html"' in page
    nb = nbformat.read(out / "east" / "2025Q3" / "notebooks" / "01_goals.ipynb", as_version=4)
    streams = [o for c in nb.cells for o in c.get("outputs", []) if o.get("name") == "stderr"]
    assert streams == []


def test_second_run_executes_nothing_and_changes_re_execute(first_run, tmp_path):
    out, nbdir, _ = first_run
    again = run_reports(team="east", quarter="2025Q3", out=out, notebooks_dir=nbdir, log=_quiet, progress=False)
    assert again.reports[0].executed == [] and again.reports[0].note == "up to date"
    changed = run_reports(
        team="east",
        quarter="2025Q3",
        out=out,
        notebooks_dir=nbdir,
        log=_quiet,
        progress=False,
        overrides={"targets.nps": 55},
    )
    assert changed.reports[0].executed == ["01_goals"]
    m = json.loads((out / "east" / "2025Q3" / "metrics.json").read_text(encoding="utf-8"))
    assert any(x.get("target") == 55 for x in m["metrics"])


def _broken_notebook(path: Path) -> None:
    nb = new_notebook(
        cells=[
            new_markdown_cell("# 02 Broken on purpose"),
            new_code_cell(nbformat.read(PARAMS_CELL, as_version=4).cells[1].source, metadata={"tags": ["parameters"]}),
            new_code_cell("raise RuntimeError('deliberate failure for the test')"),
        ]
    )
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, path)


def test_failing_chapter_keeps_the_good_report(first_run, tmp_path):
    src_out, nbdir, _ = first_run
    out = tmp_path / "reports"
    out.mkdir()
    _copy_cache(src_out, out)
    good = run_reports(team="east", quarter="2025Q3", out=out, notebooks_dir=nbdir, log=_quiet, progress=False)
    assert good.ok
    before = (out / "east" / "2025Q3" / "index.html").read_text(encoding="utf-8")
    broken_dir = tmp_path / "nb"
    shutil.copytree(nbdir, broken_dir)
    _broken_notebook(broken_dir / "02_broken.ipynb")
    bad = run_reports(team="east", quarter="2025Q3", out=out, notebooks_dir=broken_dir, log=_quiet, progress=False)
    assert not bad.ok and not bad.reports[0].published
    assert "deliberate failure" in bad.reports[0].failed["02_broken"]
    assert (out / "east" / "2025Q3" / "index.html").read_text(encoding="utf-8") == before
    failed_index = (out / "east" / "2025Q3.failed" / "index.html").read_text(encoding="utf-8")
    assert "failed" in failed_index and "deliberate failure" in failed_index


def test_cli_exits_non_zero_on_a_failing_chapter(first_run, tmp_path, monkeypatch, capsys):
    src_out, nbdir, _ = first_run
    out = tmp_path / "reports"
    out.mkdir()
    _copy_cache(src_out, out)
    broken_dir = tmp_path / "nb"
    broken_dir.mkdir()
    _broken_notebook(broken_dir / "02_broken.ipynb")
    monkeypatch.setattr("trackreport.report.runner.NOTEBOOKS_DIR", broken_dir)
    import trackreport.report.runner as report

    monkeypatch.setattr(
        report.run_reports, "__kwdefaults__", {**report.run_reports.__kwdefaults__, "notebooks_dir": broken_dir}
    )
    code = main(["report", "--team", "east", "--quarter", "2025Q3", "--out", str(out), "--no-progress"])
    assert code == 1
    assert "FAILED" in capsys.readouterr().out


@pytest.mark.parametrize(
    "argv, message",
    [
        (["report", "--team", "East"], "team must match"),
        (["report", "--team", "../x"], "team must match"),
        (["report", "--team", "east", "--quarter", "2025Q9"], "quarter must look like"),
        (["report", "--team", "nowhere"], "not in the data"),
        (["report", "--team", "west", "--quarter", "2025Q2"], "no cohort in 2025Q2"),
        (["report", "--team", "east", "--set", "targets.bogus=1"], "unknown parameter"),
    ],
)
def test_cli_bad_parameters_are_clear_errors(first_run, tmp_path, argv, message, capsys):
    src_out, _, _ = first_run
    out = tmp_path / "reports"
    out.mkdir()
    _copy_cache(src_out, out)
    code = main([*argv, "--out", str(out), "--no-progress"])
    err = capsys.readouterr().err
    assert code == 1 and message in err and "Traceback" not in err


def test_page_links_follow_the_chapter_order(first_run):
    out, _, _ = first_run
    build = json.loads((out / "east" / "2025Q3" / "build.json").read_text(encoding="utf-8"))
    assert [c["stem"] for c in build["chapters"]] == ["01_goals"]
    assert re.search(r"Team east, 2025Q3", (out / "east" / "2025Q3" / "01_goals.html").read_text(encoding="utf-8"))


def test_credentials_from_the_environment_appear_in_no_output(first_run):
    out, _, _ = first_run
    files = [p for p in (out / "east").rglob("*") if p.is_file()]
    assert len(files) >= 6
    for path in files:
        assert SECRET.encode() not in path.read_bytes(), path


def test_run_caches_are_parquet_and_results_are_stored_once_per_report(first_run):
    out, _, _ = first_run
    cache = out / ".cache"
    assert not list(cache.rglob("*.pkl")) and not list(cache.rglob("*.pickle"))
    (dataset,) = cache.glob("dataset-*")
    assert (dataset / "meta.json").is_file() and (dataset / "employees.parquet").is_file()
    stored = list((cache / "results").glob("*/sales_attribution.parquet"))
    assert len(stored) == 1, "chapter 01 stores the attribution it shows for chapter 06 to reuse"
