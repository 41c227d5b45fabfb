"""``make bench``: the runner against the hand-scripted loop, timed in one run.

The hand loop is what a user would script without trackreport's runner: for each chapter
notebook, ``papermill`` (CLI) then ``jupyter nbconvert --to html --no-input`` (CLI), one
after another. Each notebook then loads and validates the data itself and starts its
own kernel. The runner validates the data once, keeps one kernel per core and renders
through nbconvert's Python API. Both build every chapter of one team's report from a
cold start (no cache); the ratio is runner / loop (target: at most 0.15, issue 16).

Then the runner is asked for the same report again with nothing changed, as a user
would from the shell (a fresh ``python -m trackreport report`` process, best of three):
that no-op re-run against the full run should be at most 0.05.
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

RATIO_TARGET = 0.15
"""The runner's full report against the hand-written papermill + nbconvert loop, at most (issue 16)."""

SCALE_TIME_TARGET = 2.0
"""``bench-scale``: one team's report on 10x the data against the sample's time, at most."""

SCALE_MEMORY_TARGET_GIB = 2.0
"""``bench-scale``: peak resident memory of runner and kernels together on 10x the data, below."""


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


def _noop_rerun(team: str, quarter: str, data_dir: Path | str, out: Path, *, repeat: int = 3) -> float:
    """Seconds of the fastest of ``repeat`` re-runs of a report that is up to date (fresh processes)."""
    cmd = [sys.executable, "-m", "trackreport", "report", "--team", team, "--quarter", quarter,
           "--data", str(data_dir), "--out", str(out), "--no-progress"]  # fmt: skip
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        proc = subprocess.run(cmd, capture_output=True, text=True)
        best = min(best, time.perf_counter() - t0)
        if proc.returncode != 0 or "up to date" not in proc.stdout:
            raise RuntimeError(f"the re-run was not a no-op (exit {proc.returncode}):\n{proc.stdout[-2000:]}")
    return best


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
        noop = _noop_rerun(r.team, r.quarter, data_dir, tmp / "runner")
        (tmp / "loop").mkdir()
        loop = _loop(r.team, r.quarter, data_dir, tmp / "loop")
    ratio = runner / loop
    print(f"bench: team {r.team}, quarter {r.quarter}, {n} chapter(s), {os.cpu_count()} core(s)")
    print(f"  runner (python -m trackreport report):        {runner:7.1f} s")
    print(f"  hand loop (papermill CLI + nbconvert CLI):    {loop:7.1f} s")
    print(
        f"  ratio runner / loop:                          {ratio:7.2f}  (target <= {RATIO_TARGET:.2f}: "
        f"{'met' if ratio <= RATIO_TARGET else 'NOT met'})"
    )
    print(
        f"  no-op re-run (nothing changed, new process): {noop:7.2f} s = {noop / runner:.3f} of the full run "
        f"(target <= 0.05: {'met' if noop / runner <= 0.05 else 'NOT met'})"
    )
    return {"runner": runner, "loop": loop, "ratio": ratio, "noop": noop, "noop_ratio": noop / runner}


# ------------------------------------------------------------------------ bench-scale


def _timed_report(team: str, quarter: str | None, data_dir: Path, out: Path) -> dict:
    """One cold report run (fresh output folder, so the data are validated) in its own process.

    Returns wall seconds, the peak RSS of the runner and its kernels together (sampled
    from ``/proc`` every 0.2 s), and the run's own timings read from its log: validation
    and each chapter's execution.
    """
    import re
    import shutil

    from trackreport.report.load import MemorySampler

    if out.exists():
        shutil.rmtree(out)
    cmd = [sys.executable, "-m", "trackreport", "report", "--team", team, "--data", str(data_dir),
           "--out", str(out), "--force", "--no-progress"]  # fmt: skip
    cmd += ["--quarter", quarter] if quarter else []
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env={**os.environ, "PYTHONUNBUFFERED": "1"}
    )
    sampler = MemorySampler(proc.pid, interval=0.2)
    sampler.start()
    log, _ = proc.communicate()
    sampler.stop.set()
    sampler.join()
    wall = time.perf_counter() - t0
    if proc.returncode != 0:
        raise RuntimeError(f"the report run on {data_dir} failed (exit {proc.returncode}):\n{log[-2000:]}")
    validated = re.search(r"validated \d+ tables, ([\d,]+) rows in ([\d.]+) s", log)
    chapters = {
        m.group(1): float(m.group(2)) for m in re.finditer(r"^\S+ \S+ · (\d\d) .*: ok in ([\d.]+) s$", log, re.M)
    }
    return dict(
        seconds=wall,
        peak_gib=sampler.peak_tree_kb / 1024**2,
        processes=sampler.peak_processes,
        rows=int(validated.group(1).replace(",", "")) if validated else 0,
        validate_seconds=float(validated.group(2)) if validated else float("nan"),
        chapters=chapters,
    )


def _holds_company(folder: Path, *, seed: int, scale: float) -> bool:
    """Whether ``folder`` holds the default four-team company of this seed and scale (its TRUTH.json says so)."""
    import json

    try:
        truth = json.loads((folder / "TRUTH.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return truth.get("seed") == seed and truth.get("scale") == scale and "company" not in truth


def bench_scale(
    *, team: str = "east", quarter: str | None = None, data_dir: Path, work: Path, factor: float = 10.0
) -> dict[str, float]:
    """Time one team's report on the sample and on ``factor`` times the data; print and return the figures.

    The larger company is the sample generator's (seed 7) at ``scale=factor``: every
    team has ``factor`` times the people, customers and orders, so one team's report
    reads about ``factor`` times the rows. It is written once into ``work/data-x<factor>``
    and reused while it holds the same seed and scale.
    """
    from trackreport.report.load import generate_company

    work = Path(work).resolve()
    big = work / f"data-x{factor:g}"
    gen = 0.0 if _holds_company(big, seed=7, scale=factor) else generate_company(big, teams=4, scale=factor, seed=7)
    small = _timed_report(team, quarter, Path(data_dir).resolve(), work / "out-sample")
    large = _timed_report(team, quarter, big, work / f"out-x{factor:g}")
    ratio = large["seconds"] / small["seconds"]
    print(f"bench-scale: team {team}, {len(large['chapters'])} chapter(s), {os.cpu_count()} core(s)")
    if gen:
        print(f"  generated the {factor:g}x company in {gen:.0f} s into {big}")
    for label, r in (("sample", small), (f"{factor:g}x data", large)):
        slow = sorted(r["chapters"].items(), key=lambda kv: -kv[1])[:3]
        print(
            f"  {label:9} {r['rows']:>10,} rows: {r['seconds']:6.1f} s (validation {r['validate_seconds']:.1f} s, "
            f"chapters {sum(r['chapters'].values()):.1f} kernel-s; slowest "
            + ", ".join(f"{k} {v:.1f} s" for k, v in slow)
            + f"), peak memory {r['peak_gib']:.2f} GiB ({r['processes']} processes)"
        )
    met = ratio <= SCALE_TIME_TARGET and large["peak_gib"] < SCALE_MEMORY_TARGET_GIB
    print(
        f"{factor:g}x data: time ratio {ratio:.2f}, peak memory {large['peak_gib']:.2f} GiB "
        f"(targets <= {SCALE_TIME_TARGET:g}x and < {SCALE_MEMORY_TARGET_GIB:g} GiB: {'met' if met else 'NOT met'})"
    )
    return {
        "ratio": ratio,
        "peak_gib": large["peak_gib"],
        "sample_seconds": small["seconds"],
        "large_seconds": large["seconds"],
    }
