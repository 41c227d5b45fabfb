"""``make bench``: the runner against the hand-scripted loop, timed in one run.

The hand loop is what a user would script without trackreport's runner: for each chapter
notebook, ``papermill`` (CLI) then ``jupyter nbconvert --to html --no-input`` (CLI), one
after another. Each notebook then loads and validates the data itself and starts its
own kernel. The runner validates the data once, keeps one kernel per core and renders
through nbconvert's Python API. Both build every chapter of one team's report from a
cold start (no cache); the ratio is runner / loop (target: at most 1/3).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from trackreport.paths import NOTEBOOKS_DIR, PROJ_ROOT

__all__ = ["bench"]


def _loop(team: str, quarter: str, data_dir: Path, out: Path) -> float:
    bindir = Path(sys.executable).parent
    env = dict(os.environ, MPLBACKEND="module://matplotlib_inline.backend_inline")
    t0 = time.perf_counter()
    for nb in sorted(NOTEBOOKS_DIR.glob("[0-9][0-9]_*.ipynb")):
        executed = out / nb.name
        subprocess.run(
            [
                str(bindir / "papermill"),
                str(nb),
                str(executed),
                "-p",
                "team",
                team,
                "-p",
                "quarter",
                quarter,
                "-p",
                "data_dir",
                str(data_dir),
                "--cwd",
                str(PROJ_ROOT),
                "--no-progress-bar",
            ],
            check=True,
            env=env,
            capture_output=True,
        )
        subprocess.run(
            [str(bindir / "jupyter"), "nbconvert", "--to", "html", "--no-input", str(executed)],
            check=True,
            env=env,
            capture_output=True,
        )
    return time.perf_counter() - t0


def bench(*, team: str = "east", quarter: str | None = None, data_dir: Path) -> dict[str, float]:
    """Time both ways of building one team's report; print and return the figures."""
    from trackreport.report.runner import run_reports

    data_dir = Path(data_dir).resolve()
    with tempfile.TemporaryDirectory(prefix="trackreport-bench-") as tmp:
        tmp = Path(tmp)
        t0 = time.perf_counter()
        res = run_reports(
            team=team,
            quarter=quarter,
            data_dir=data_dir,
            out=tmp / "runner",
            log=lambda s: None,
            progress=False,
            force=True,
        )
        runner = time.perf_counter() - t0
        r = res.reports[0]
        n = len(r.executed) + len(r.failed)
        (tmp / "loop").mkdir()
        loop = _loop(r.team, r.quarter, data_dir, tmp / "loop")
    ratio = runner / loop
    print(f"bench: team {r.team}, quarter {r.quarter}, {n} chapter(s), {os.cpu_count()} core(s)")
    print(f"  runner (python -m trackreport report):        {runner:7.1f} s")
    print(f"  hand loop (papermill CLI + nbconvert CLI):    {loop:7.1f} s")
    print(
        f"  ratio runner / loop:                          {ratio:7.2f}  (target <= 0.33: "
        f"{'met' if ratio <= 1 / 3 else 'NOT met'})"
    )
    return {"runner": runner, "loop": loop, "ratio": ratio}
