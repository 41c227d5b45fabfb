"""Chapters on a Dask cluster (``report --cluster``): same reports as the local kernels, clear errors."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

import pytest

from trackreport.cli import main
from trackreport.errors import TrackreportError
from trackreport.report import cluster
from trackreport.report.cluster import ChapterTask, KernelPool
from trackreport.report.params import resolve
from trackreport.report.runner import run_reports


def metric_values(out: Path) -> dict[tuple[str, str], list[dict]]:
    """Every report's metrics.json records (the run's date left out), by (team, quarter)."""
    found = {}
    for path in sorted(out.glob("*/*/metrics.json")):
        doc = json.loads(path.read_text(encoding="utf-8"))
        found[(doc["team"], doc["quarter"])] = doc["metrics"]
    return found


def test_all_reports_on_a_two_worker_cluster_equal_the_local_run(sample_reports, tmp_path):
    from distributed import LocalCluster

    local_out, local = sample_reports
    lines: list[str] = []
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as lc:
        result = run_reports(
            all_reports=True, out=tmp_path, cluster=lc.scheduler_address, log=lines.append, progress=False
        )
    assert result.ok, {(r.team, r.quarter): r.failed for r in result.reports if r.failed}
    assert any("on the Dask cluster" in line for line in lines)
    assert {(r.team, r.quarter) for r in result.reports} == {(r.team, r.quarter) for r in local.reports}
    expected, got = metric_values(local_out), metric_values(tmp_path)
    assert got.keys() == expected.keys()
    for report, records in expected.items():
        assert got[report] == records, report
    # the pages were rendered and published by the client, as in a local run
    for team, quarter in got:
        assert (tmp_path / team / quarter / "index.html").is_file()
        assert (tmp_path / team / quarter / "06_sales.html").is_file()


def _pool(tmp_path: Path) -> KernelPool:
    pool = KernelPool()
    pool.setup(
        SimpleNamespace(
            address="tcp://w:1", local_directory=str(tmp_path / "worker"), state=SimpleNamespace(nthreads=1)
        )
    )
    return pool


def _task(data: Path, fingerprint: str, cache: Path) -> ChapterTask:
    return ChapterTask(
        params=resolve("east", "2025Q3"),
        number="01",
        slug="goals",
        title="01 Background and goals",
        name="01_goals.ipynb",
        notebook="{}",
        data=str(data),
        fingerprint=fingerprint,
        dataset_cache=str(cache),
        package="p",
    )


def test_a_worker_uses_the_shared_cache_or_validates_the_data_itself(tiny_data, tmp_path):
    from trackreport.data.cache import write_dataset
    from trackreport.data.load import fingerprint, load_data

    fp = fingerprint(tiny_data)
    pool = _pool(tmp_path)
    # the client's cache is not visible on this worker: the worker validates the folder once
    own = pool._dataset(_task(tiny_data, fp, tmp_path / "client" / "dataset-x"))
    assert own.parent == tmp_path / "worker" / "trackreport"
    assert json.loads((own / "meta.json").read_text())["fingerprint"] == fp
    # the client's cache is visible (a shared file system): read it, validate nothing
    shared = write_dataset(load_data(tiny_data), tmp_path / "client" / "dataset-y")
    assert pool._dataset(_task(tiny_data, fp, shared)) == shared
    # data that differ from the client's are refused, not reported on
    with pytest.raises(TrackreportError, match="other data"):
        pool._dataset(_task(tiny_data, "0" * 64, tmp_path / "nowhere"))


def test_a_worker_with_other_trackreport_code_fails_the_chapter_with_a_reason(tiny_data, tmp_path):
    outcome = _pool(tmp_path).run(_task(tiny_data, "f", tmp_path / "nowhere"))
    assert outcome.status == "failed"
    assert "same trackreport on every worker" in outcome.error


def test_an_unreachable_scheduler_is_a_message_not_a_traceback(monkeypatch, tmp_path, capsys):
    monkeypatch.setattr(cluster, "CONNECT_TIMEOUT", "1s")
    code = main(["report", "--team", "east", "--cluster", "tcp://127.0.0.1:1", "--out", str(tmp_path)])
    err = capsys.readouterr().err
    assert code == 1
    assert "cannot reach a Dask scheduler at tcp://127.0.0.1:1" in err
    assert "Traceback" not in err
    assert not list(tmp_path.iterdir())  # nothing was done before the scheduler answered


@pytest.mark.parametrize("address", ["foo", "127.0.0.1:8786", "tcp://host", "tcp://host:8786; id"])
def test_a_malformed_cluster_address_is_a_usage_error(address, capsys):
    assert main(["report", "--team", "east", "--cluster", address]) == 2
    assert "--cluster takes a Dask scheduler address" in capsys.readouterr().err
