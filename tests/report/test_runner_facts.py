"""The runner plans a run from facts kept beside the validated cache, not from the tables."""

from __future__ import annotations

import pytest

from trackreport.data.load import load_data
from trackreport.errors import TrackreportError
from trackreport.report import runner
from trackreport.report.runner import DataFacts, plan_reports


def test_a_rerun_on_unchanged_data_reads_no_table(tiny_data, tmp_path, monkeypatch):
    cache, facts = runner._dataset_cache(tiny_data, tmp_path, lambda s: None)
    assert facts == DataFacts.of(load_data(tiny_data))
    assert facts.cohorts  # the tiny company has teams with cohorts

    def no_reading(*args, **kwargs):
        raise AssertionError("the tables were read again")

    monkeypatch.setattr("trackreport.data.cache.read_dataset", no_reading)
    monkeypatch.setattr("trackreport.data.source.load_source", no_reading)
    again_cache, again = runner._dataset_cache(tiny_data, tmp_path, lambda s: None)
    assert (again_cache, again) == (cache, facts)


def test_facts_lost_or_damaged_are_worked_out_again_from_the_cache(tiny_data, tmp_path):
    cache, facts = runner._dataset_cache(tiny_data, tmp_path, lambda s: None)
    (facts_file,) = (tmp_path / ".cache").glob("facts-*.json")
    facts_file.write_text("{not json", encoding="utf-8")
    assert runner._dataset_cache(tiny_data, tmp_path, lambda s: None) == (cache, facts)


def test_plan_reports_from_the_cohorts():
    cohorts = {"east": ["2025Q2", "2025Q3"], "west": []}
    assert plan_reports(cohorts, team=None, quarter=None, all_reports=True) == [("east", "2025Q2"), ("east", "2025Q3")]
    assert plan_reports(cohorts, team="east", quarter="2025Q2", all_reports=False) == [("east", "2025Q2")]
    with pytest.raises(TrackreportError, match="no training cohort"):
        plan_reports(cohorts, team="west", quarter=None, all_reports=False)
    with pytest.raises(TrackreportError, match="not in the data"):
        plan_reports(cohorts, team="north", quarter=None, all_reports=False)


def test_deciding_a_no_op_rerun_imports_no_heavy_library(sample_reports):
    """A re-run with nothing changed plans from file stats and stored facts: no pandas, scipy, papermill."""
    import json
    import subprocess
    import sys

    out, _ = sample_reports
    code = (
        "import sys, json\n"
        "from trackreport.cli import main\n"
        f"rc = main(['report', '--all', '--out', {str(out)!r}, '--no-progress'])\n"
        "print(json.dumps([rc, sorted(sys.modules)]))\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    rc, loaded = json.loads(proc.stdout.splitlines()[-1])
    assert rc == 0
    assert "Everything is up to date" in proc.stdout
    assert [m for m in ("pandas", "scipy", "statsmodels", "papermill", "pandera") if m in loaded] == []


@pytest.mark.parametrize("isolate", [True, False])
def test_validation_in_a_child_process_gives_the_same_cache_facts_and_errors(tiny_data, tmp_path, isolate):
    from trackreport.errors import DataValidationError

    lines = []
    cache, facts = runner._dataset_cache(tiny_data, tmp_path / "out", lines.append, isolate=isolate)
    assert facts == DataFacts.of(load_data(tiny_data))
    assert lines[0].startswith("data: validated") and (cache / "meta.json").is_file()

    employees = tiny_data / "employees.csv"
    employees.write_text(employees.read_text(encoding="utf-8") + "not,a,valid,row\n", encoding="utf-8")
    with pytest.raises(DataValidationError) as err:
        runner._dataset_cache(tiny_data, tmp_path / "out", lines.append, isolate=isolate)
    assert err.value.problems and all(p.file == "employees.csv" for p in err.value.problems)
