"""The validated-data cache: Parquet that reads back exactly what was validated, and cannot run code."""

from __future__ import annotations

import pandas as pd
import pytest

from trackreport.data.cache import read_dataset, read_frame, write_dataset, write_frame
from trackreport.errors import TrackreportError


def test_sample_dataset_round_trips_exactly(sample_data, tmp_path):
    back = read_dataset(write_dataset(sample_data, tmp_path / "cache"))
    assert back.fingerprint == sample_data.fingerprint
    assert list(back) == list(sample_data)
    for name in sample_data:
        pd.testing.assert_frame_equal(back[name], sample_data[name], check_exact=True, obj=name)


def test_cache_holds_no_pickle(sample_data, tmp_path):
    folder = write_dataset(sample_data, tmp_path / "cache")
    suffixes = {p.suffix for p in folder.iterdir()}
    assert suffixes == {".parquet", ".json"}
    for p in folder.glob("*.parquet"):
        assert p.read_bytes()[:4] == b"PAR1"


def test_rewriting_a_cache_replaces_it_whole(sample_data, tmp_path):
    folder = tmp_path / "cache"
    write_dataset(sample_data, folder)
    (folder / "stray.parquet").write_bytes(b"x")
    write_dataset(sample_data, folder)
    assert not (folder / "stray.parquet").exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")], "no staging folder left behind"


def test_a_corrupted_cache_is_a_clear_error(sample_data, tmp_path):
    folder = write_dataset(sample_data, tmp_path / "cache")
    (folder / "employees.parquet").write_bytes(b"not parquet at all")
    with pytest.raises(TrackreportError, match="cache .* is unreadable"):
        read_dataset(folder)


def test_frames_keep_dtypes_and_missing_values(tmp_path):
    df = pd.DataFrame(
        {
            "s": pd.array(["a", None], dtype="str"),
            "b": pd.array([True, None], dtype="boolean"),
            "d": pd.to_datetime(["2025-01-01", None]),
            "x": [1.25, float("nan")],
        }
    )
    back = read_frame(write_frame(df, tmp_path / "f.parquet"))
    pd.testing.assert_frame_equal(back, df, check_exact=True)


def test_an_index_0_to_n_is_stored_as_a_range_and_reads_back_equal(tmp_path):
    import pyarrow.parquet as pq

    from trackreport.data.load import Dataset

    plain = pd.DataFrame({"a": [5, 6, 7]}, index=pd.Index([0, 1, 2], dtype="int64"))
    shuffled = pd.DataFrame({"a": [5, 6, 7]}, index=pd.Index([2, 0, 1], dtype="int64"))
    named = pd.DataFrame({"a": [5, 6, 7]}, index=pd.Index([0, 1, 2], dtype="int64", name="row"))
    tables = {"plain": plain, "shuffled": shuffled, "named": named}
    folder = write_dataset(Dataset(tables, folder=tmp_path, fingerprint="f"), tmp_path / "cache")
    back = read_dataset(folder)
    assert "__index_level_0__" not in pq.read_schema(folder / "plain.parquet").names
    assert isinstance(back["plain"].index, pd.RangeIndex)
    pd.testing.assert_frame_equal(back["plain"], plain, check_exact=True)
    # any other index is kept as it was, labels, order and name
    pd.testing.assert_frame_equal(back["shuffled"], shuffled, check_exact=True, check_index_type=True)
    pd.testing.assert_frame_equal(back["named"], named, check_exact=True, check_index_type=True)


# ------------------------------------------------------------------ the memory gate of report kernels


def test_one_gate_holder_at_a_time_and_a_bounded_wait(tmp_path):
    import time

    from trackreport.data.cache import _MemoryGate

    first, second = _MemoryGate(tmp_path / "g.lock"), _MemoryGate(tmp_path / "g.lock", wait=0.3)
    assert first.enter() and first.held
    t0 = time.monotonic()
    assert not second.enter(), "goes ahead ungated after its wait"
    assert time.monotonic() - t0 >= 0.3 and not second.held
    first.leave()
    assert second.enter() and second.held
    second.leave()


def test_the_gate_is_let_go_once_memory_is_back_down(tmp_path, monkeypatch):
    import time

    import trackreport.data.cache as cache

    rss = [1000]
    monkeypatch.setattr(cache, "_rss_bytes", lambda: rss[0])
    gate = cache._MemoryGate(tmp_path / "g.lock", margin=100, quiet=0.05)
    assert gate.enter()
    rss[0] = 1500  # the aggregation is running
    time.sleep(0.5)
    assert gate.held
    rss[0] = 1050  # over: back within the margin
    deadline = time.monotonic() + 5
    while gate.held and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not gate.held
    assert cache._MemoryGate(tmp_path / "g.lock", wait=0).enter(), "the lock itself is free"


def test_a_kernel_cell_reading_a_large_table_holds_the_gate_until_it_ends(tmp_path, monkeypatch):
    import trackreport.data.cache as cache
    from trackreport.data.load import Dataset

    tables = {"big": pd.DataFrame({"a": range(5)}), "small": pd.DataFrame({"a": range(2)})}
    folder = write_dataset(Dataset(tables, folder=tmp_path, fingerprint="f"), tmp_path / "run" / "dataset")
    monkeypatch.setattr(cache, "LARGE_TABLE_ROWS", 5)
    monkeypatch.setattr(cache, "_GATES", {})
    monkeypatch.setattr(cache, "_rss_bytes", lambda: 0)  # no early release: only the cell's end
    lock = folder.parent / "large-tables.lock"

    def free() -> bool:
        other = cache._MemoryGate(lock, wait=0)
        taken = other.enter()
        other.leave()
        return taken

    read_dataset(folder)["big"]
    assert free(), "outside a report kernel there is no gate"
    monkeypatch.setattr(cache, "_gated", True)
    ds = read_dataset(folder)
    ds["small"]
    assert free()
    pd.testing.assert_frame_equal(ds["big"], tables["big"])
    assert not free()
    cache._release_after_cell()  # the post_run_cell hook
    assert free()
