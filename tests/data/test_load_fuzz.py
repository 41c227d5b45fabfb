"""Property: whatever is done to a data file, loading it raises no traceback.

Hypothesis mutates one file of a small generated company (truncate, swap columns, flip
bytes, change the encoding, drop or repeat lines, stray quotes, store it as Parquet and
damage that) and checks that :func:`load_data` either returns a dataset or raises
:class:`DataValidationError` whose problems are each one line. Bounded: 40 examples, the
mutated table is loaded with the tables it refers to and those referring to it.
"""

from __future__ import annotations

import io
import shutil

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from trackreport.data.load import load_data
from trackreport.data.sample import simulate, write
from trackreport.data.schema import TABLES
from trackreport.errors import DataValidationError, TrackreportError


@pytest.fixture(scope="module")
def small_company(tmp_path_factory):
    folder = tmp_path_factory.mktemp("company")
    s = simulate(seed=11, scale=0.1)
    write(s.tables, s.truth, folder)
    return folder


def neighbours(table: str) -> list[str]:
    parents = [t.split(".")[0] for t in TABLES[table].foreign_keys.values()]
    children = [n for n, t in TABLES.items() if any(v.split(".")[0] == table for v in t.foreign_keys.values())]
    return list(dict.fromkeys([table, *parents, *children]))


def truncate(data: bytes, draw) -> bytes:
    return data[: draw(st.integers(0, len(data)))]


def flip_bytes(data: bytes, draw) -> bytes:
    out = bytearray(data)
    for _ in range(draw(st.integers(1, 20))):
        i = draw(st.integers(0, max(0, len(out) - 1)))
        if out:
            out[i] ^= draw(st.integers(1, 255))
    return bytes(out)


def swap_columns(data: bytes, draw) -> bytes:
    lines = data.split(b"\n")
    header = lines[0].split(b",")
    if len(header) < 2:
        return data
    i, j = draw(st.permutations(range(len(header))).map(lambda p: p[:2]))
    header[i], header[j] = header[j], header[i]
    return b"\n".join([b",".join(header), *lines[1:]])


def reencode(data: bytes, draw) -> bytes:
    encoding = draw(st.sampled_from(["utf-16", "utf-16-le", "gb18030", "latin-1", "cp1252", "utf-8-sig", "big5"]))
    return data.decode("utf-8").encode(encoding, errors="replace")


def drop_or_repeat_lines(data: bytes, draw) -> bytes:
    lines = data.split(b"\n")
    i = draw(st.integers(0, len(lines) - 1))
    return b"\n".join(lines[:i] + lines[i + 1 :] if draw(st.booleans()) else lines[: i + 1] + lines[i:])


def stray_text(data: bytes, draw) -> bytes:
    i = draw(st.integers(0, len(data)))
    junk = draw(st.sampled_from([b'"', b'""', b",", b"\r", b"\n\n", b"\x00", b"\xff\xfe", b"=1+1", b"NaN", b"1e999"]))
    return data[:i] + junk + data[i:]


CSV_MUTATIONS = [truncate, flip_bytes, swap_columns, reencode, drop_or_repeat_lines, stray_text]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_no_traceback_escapes_load_data(small_company, tmp_path_factory, data):
    table = data.draw(st.sampled_from(sorted(TABLES)), label="table")
    folder = tmp_path_factory.mktemp("mutated")
    names = neighbours(table)
    for name in names:
        shutil.copy(small_company / f"{name}.csv", folder / f"{name}.csv")
    original = (folder / f"{table}.csv").read_bytes()
    if data.draw(st.booleans(), label="as parquet"):
        (folder / f"{table}.csv").unlink()
        buf = io.BytesIO()
        pd.read_csv(io.BytesIO(original), dtype=str, keep_default_na=False).to_parquet(buf)
        mutated = data.draw(st.sampled_from([truncate, flip_bytes]), label="mutation")(buf.getvalue(), data.draw)
        (folder / f"{table}.parquet").write_bytes(mutated)
    else:
        mutation = data.draw(st.sampled_from(CSV_MUTATIONS), label="mutation")
        (folder / f"{table}.csv").write_bytes(mutation(original, data.draw))
    try:
        load_data(folder, tables=names)
    except DataValidationError as exc:
        assert exc.problems
        for p in exc.problems:
            assert "\n" not in str(p), str(p)
    except TrackreportError:
        pass
