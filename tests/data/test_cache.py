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
