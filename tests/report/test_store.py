"""The per-run result store: computed once per report, keyed by everything it depends on."""

from __future__ import annotations

import multiprocessing as mp
import time
from pathlib import Path

import pandas as pd

from trackreport.report.store import ResultStore, package_digest, prune_results, store_key


def _slow_compute_in(folder: str, log: str) -> None:
    def compute() -> pd.DataFrame:
        with open(log, "a") as fh:
            fh.write("computed\n")
        time.sleep(0.5)
        return pd.DataFrame({"effect": [0.118]})

    ResultStore(Path(folder)).get("sales_attribution", compute)


def test_two_processes_asking_at_once_compute_once(tmp_path):
    log = tmp_path / "log.txt"
    ctx = mp.get_context("spawn")
    procs = [ctx.Process(target=_slow_compute_in, args=(str(tmp_path / "k"), str(log))) for _ in range(2)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(timeout=60)
        assert p.exitcode == 0
    assert log.read_text().count("computed") == 1
    back = ResultStore(tmp_path / "k").get("sales_attribution", lambda: pd.DataFrame({"effect": [9.9]}))
    assert back["effect"].tolist() == [0.118]


def test_plain_values_are_stored_as_json(tmp_path):
    ResultStore(tmp_path).get("n", lambda: {"trained": 45})
    assert (tmp_path / "n.json").read_text() == '{"trained": 45}'
    assert ResultStore(tmp_path).get("n", lambda: {"trained": 0}) == {"trained": 45}


def test_memory_only_store_writes_nothing(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    calls = []
    store = ResultStore(None)
    for _ in range(2):
        store.get("x", lambda: calls.append(1) or 1.0)
    assert calls == [1] and list(tmp_path.iterdir()) == []


def test_key_changes_with_every_input():
    base = dict(fingerprint="f", team="east", quarter="2025Q3", params_yaml="a: 1", package=package_digest())
    keys = {store_key(**base)}
    for field, other in [
        ("fingerprint", "g"),
        ("team", "west"),
        ("quarter", "2025Q2"),
        ("params_yaml", "a: 2"),
        ("package", "p"),
    ]:
        keys.add(store_key(**{**base, field: other}))
    assert len(keys) == 6


def test_prune_keeps_only_current_keys(tmp_path):
    for k in ("a", "b", "c"):
        (tmp_path / k).mkdir()
    prune_results(tmp_path, keep={"b"})
    assert [p.name for p in tmp_path.iterdir()] == ["b"]
