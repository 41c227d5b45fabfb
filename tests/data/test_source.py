"""Sources: telling a URL from a folder, and a folder's fingerprint remembered from its file stats."""

from __future__ import annotations

import os
import time

import pytest

from trackreport.data import source
from trackreport.data.load import fingerprint
from trackreport.data.source import source_fingerprint


def _age(folder, seconds=3600):
    then = time.time() - seconds
    for path in folder.iterdir():
        os.utime(path, (then, then))


def _no_hashing(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("the files were hashed again")

    monkeypatch.setattr("trackreport.data.load.fingerprint", refuse)


def test_unchanged_stats_give_the_remembered_fingerprint_without_hashing(tiny_data, tmp_path, monkeypatch):
    _age(tiny_data)
    memo = tmp_path / "memo.json"
    fp = source_fingerprint(tiny_data, memo=memo)
    assert fp == fingerprint(tiny_data) and memo.is_file()
    _no_hashing(monkeypatch)
    assert source_fingerprint(tiny_data, memo=memo) == fp


@pytest.mark.parametrize("change", ["content", "new file", "removed file"])
def test_a_changed_folder_is_hashed_again(tiny_data, tmp_path, change):
    _age(tiny_data)
    memo = tmp_path / "memo.json"
    before = source_fingerprint(tiny_data, memo=memo)
    csv = sorted(tiny_data.glob("*.csv"))[0]
    if change == "content":
        stat = csv.stat()
        csv.write_bytes(csv.read_bytes().replace(b"\n", b"\r\n", 1))
        os.utime(csv, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # same mtime: the size still tells
    elif change == "new file":
        (tiny_data / "mapping.yaml").write_text("tables: {}\n", encoding="utf-8")
    else:
        csv.unlink()
    after = source_fingerprint(tiny_data, memo=memo)
    assert after == fingerprint(tiny_data)
    assert after != before


def test_files_changed_just_now_are_not_remembered(tiny_data, tmp_path, monkeypatch):
    memo = tmp_path / "memo.json"
    (tiny_data / "market_index.csv").touch()  # modified within the racy window
    fp = source_fingerprint(tiny_data, memo=memo)
    assert fp == fingerprint(tiny_data)
    assert not memo.exists()


def test_a_damaged_memo_is_ignored(tiny_data, tmp_path):
    _age(tiny_data)
    memo = tmp_path / "memo.json"
    memo.write_text("{not json", encoding="utf-8")
    assert source_fingerprint(tiny_data, memo=memo) == fingerprint(tiny_data)


def test_a_url_is_told_from_a_folder_without_importing_the_database_code():
    assert source.is_database_url("postgres://me@db/sales") and not source.is_database_url("data/sample")
