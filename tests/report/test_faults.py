"""Faults during a run: a chapter that kills its kernel or hangs, SIGTERM, a failing disk,
two runs at once, leftovers of a killed run.

In every case the earlier good report is intact, no kernel or staging folder is left,
the run says what happened (and fails), and the next run works without clean-up.
Chapters here are tiny notebooks (no trackreport import), so kernels start and finish fast.
"""

from __future__ import annotations

import errno
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from trackreport.errors import TrackreportError
from trackreport.paths import NOTEBOOKS_DIR, PROJ_ROOT
from trackreport.report.publish import output_lock
from trackreport.report.runner import run_reports

PARAMS = nbformat.read(NOTEBOOKS_DIR / "01_goals.ipynb", as_version=4).cells[1].source


def chapter(path: Path, body: str) -> None:
    nb = new_notebook(
        cells=[
            new_markdown_cell(f"# {path.stem[:2]} Test chapter"),
            new_code_cell(PARAMS, metadata={"tags": ["parameters"]}),
            new_code_cell(body),
        ]
    )
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, path)


def pid_body(pidfile: Path, then: str) -> str:
    return f"import os, time\nopen({str(pidfile)!r}, 'w').write(str(os.getpid()))\n{then}"


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0]
    except OSError:
        return False
    return state != "Z"


def run(out, nbdir, messages=None, **kw):
    log = messages.append if messages is not None else (lambda m: None)
    return run_reports(team="east", quarter="2025Q3", out=out, notebooks_dir=nbdir, log=log, progress=False, **kw)


def leftovers(out: Path) -> list[str]:
    return sorted(p.name for p in (out / "east").iterdir() if p.name.startswith("."))


@pytest.fixture(scope="module")
def good(tmp_path_factory):
    """An output folder holding a good report of two trivial chapters (and the data cache)."""
    out = tmp_path_factory.mktemp("out")
    nbdir = tmp_path_factory.mktemp("nb")
    chapter(nbdir / "01_one.ipynb", "x = 1")
    chapter(nbdir / "02_two.ipynb", "y = 2")
    assert run(out, nbdir).ok
    return out, nbdir


@pytest.fixture
def report(good, tmp_path):
    """A copy of the good output folder and its notebooks, for one test to break."""
    out, nbdir = tmp_path / "out", tmp_path / "nb"
    shutil.copytree(good[0], out)
    shutil.copytree(good[1], nbdir)
    index = (out / "east" / "2025Q3" / "index.html").read_text(encoding="utf-8")
    return out, nbdir, index


def test_kernel_crash_and_hang_fail_their_chapters_only(report, tmp_path):
    out, nbdir, index = report
    crash_pid, hang_pid = tmp_path / "crash.pid", tmp_path / "hang.pid"
    chapter(nbdir / "03_crash.ipynb", pid_body(crash_pid, "os._exit(3)"))
    chapter(nbdir / "04_hang.ipynb", pid_body(hang_pid, "time.sleep(600)"))
    chapter(nbdir / "05_after.ipynb", "z = 3")
    messages: list[str] = []
    t0 = time.perf_counter()
    bad = run(out, nbdir, messages, overrides={"chapter_timeout_seconds": 4}, workers=1, force=True)
    assert time.perf_counter() - t0 < 120
    r = bad.reports[0]
    assert not bad.ok and not r.published
    assert r.failed["03_crash"].startswith("the kernel died while running this chapter")
    assert r.failed["04_hang"] == "stopped after 4 s (chapter_timeout_seconds in params/); its kernel was killed"
    assert set(r.executed) == {"01_one", "02_two", "05_after"}  # the chapters after the failures still ran
    assert (out / "east" / "2025Q3" / "index.html").read_text(encoding="utf-8") == index
    assert not alive(int(crash_pid.read_text())) and not alive(int(hang_pid.read_text()))
    assert leftovers(out) == []
    assert any("FAILED" in m and "stopped after 4 s" in m for m in messages)
    (nbdir / "03_crash.ipynb").unlink()
    (nbdir / "04_hang.ipynb").unlink()
    again = run(out, nbdir)
    assert again.ok and again.reports[0].published
    assert not (out / "east" / "2025Q3.failed").exists()


@pytest.mark.parametrize(
    "where, exc",
    [
        ("trackreport.report.publish.render_html", OSError(errno.ENOSPC, "No space left on device", "x.html")),
        ("trackreport.report.publish.os.replace", PermissionError(errno.EROFS, "Read-only file system", "out")),
    ],
)
def test_disk_full_or_read_only_while_publishing(report, monkeypatch, where, exc):
    out, nbdir, index = report

    def fail(*args, **kwargs):
        raise exc

    monkeypatch.setattr(where, fail)
    messages: list[str] = []
    bad = run(out, nbdir, messages, force=True)
    r = bad.reports[0]
    assert not bad.ok and not r.published
    assert r.failed == {"publish": f"could not write the report ({exc.strerror}: {exc.filename})"}
    assert "the earlier report in" in r.note and "is unchanged" in r.note
    assert (out / "east" / "2025Q3" / "index.html").read_text(encoding="utf-8") == index
    assert leftovers(out) == []
    monkeypatch.undo()
    assert run(out, nbdir, force=True).ok


def test_two_runs_on_one_output_folder(report):
    out, nbdir, _ = report
    with output_lock(out):
        with pytest.raises(
            TrackreportError, match=rf"another trackreport run \(pid {os.getpid()}, started .*\) is writing to {out}"
        ):
            run(out, nbdir)
    assert run(out, nbdir).reports[0].note == "up to date"  # the lock is free again; its file stays harmlessly


def test_leftovers_of_a_killed_run_are_cleared(report):
    out, nbdir, index = report
    final = out / "east" / "2025Q3"
    (out / "east" / ".2025Q3.staging-999999" / "notebooks").mkdir(parents=True)
    os.replace(final, out / "east" / ".2025Q3.old-999999")  # killed between the two renames of a swap
    messages: list[str] = []
    again = run(out, nbdir, messages)
    assert again.reports[0].note == "up to date"
    assert (final / "index.html").read_text(encoding="utf-8") == index
    assert leftovers(out) == []
    assert any("restored" in m for m in messages) and any("removed .2025Q3.staging-999999" in m for m in messages)


SCRIPT = """
import sys
from pathlib import Path
import trackreport.report.runner as runner
from trackreport.cli import main
runner.run_reports.__kwdefaults__["notebooks_dir"] = Path(sys.argv[1])
raise SystemExit(main(["report", "--team", "east", "--quarter", "2025Q3", "--out", sys.argv[2], "--no-progress", "--force"]))
"""


def test_sigterm_mid_run(report, tmp_path):
    out, nbdir, index = report
    pidfile = tmp_path / "hang.pid"
    chapter(nbdir / "03_hang.ipynb", pid_body(pidfile, "time.sleep(600)"))
    tmpdir = Path(tempfile.mkdtemp(prefix="trk-", dir="/tmp"))  # short: kernels' sockets go there
    proc = subprocess.Popen(
        [sys.executable, "-c", SCRIPT, str(nbdir), str(out)],
        cwd=PROJ_ROOT,
        env={**os.environ, "TMPDIR": str(tmpdir)},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 120
    while not pidfile.exists() or not pidfile.read_text():
        assert time.monotonic() < deadline and proc.poll() is None
        time.sleep(0.2)
    proc.send_signal(signal.SIGTERM)
    stdout, stderr = proc.communicate(timeout=120)
    assert proc.returncode == 128 + signal.SIGTERM
    assert stderr.strip().endswith("trackreport report: stopped by SIGTERM; nothing half-written was published")
    assert "Traceback" not in stderr
    assert (out / "east" / "2025Q3" / "index.html").read_text(encoding="utf-8") == index
    assert leftovers(out) == []
    kernel = int(pidfile.read_text())
    for _ in range(50):
        if not alive(kernel):
            break
        time.sleep(0.1)
    assert not alive(kernel)
    assert list(tmpdir.iterdir()) == []
    tmpdir.rmdir()
    (nbdir / "03_hang.ipynb").unlink()
    assert run(out, nbdir).ok
