"""Load run: every report of a many-team company, timed, with one deliberately failing chapter.

``python -m trackreport.report.load --teams 40 --out /tmp/load40`` (or ``make load``):

1. generates the company (:func:`trackreport.data.sample.simulate` with ``teams``) into
   ``<out>/data`` (kept if it already holds the same seed, scale and teams);
2. copies the chapter notebooks to ``<out>/notebooks`` and appends to one chapter a cell
   that raises for one team only (``--fail-team``, ``--fail-chapter``; ``--fail-team ''``
   for none);
3. runs ``python -m trackreport report --all`` on it (a separate process, exactly what
   ``make reports`` runs) and samples the resident memory of that process and all its
   descendants (the kernels) from ``/proc`` every 0.5 s;
4. prints and writes ``<out>/load.json``: wall time, peak memory (whole tree and largest
   single process), reports asked/published, chapters executed/failed, the run's exit code.

The run's own output goes to ``<out>/run.log``. Exit code: the report run's.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

from trackreport.paths import NOTEBOOKS_DIR

FAIL_MESSAGE = "deliberate load-test failure"


def _children(pid: int) -> list[int]:
    out = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            out += [int(c) for c in (task / "children").read_text().split()]
        except OSError:
            pass
    return out


def _rss_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def tree_rss_kb(pid: int) -> tuple[int, int, int]:
    """(sum of RSS, largest single RSS, number of processes) of ``pid`` and its descendants, in KiB."""
    seen, todo, sizes = set(), [pid], []
    while todo:
        p = todo.pop()
        if p in seen:
            continue
        seen.add(p)
        sizes.append(_rss_kb(p))
        todo += _children(p)
    return sum(sizes), max(sizes, default=0), len(sizes)


class MemorySampler(threading.Thread):
    """Samples :func:`tree_rss_kb` of a process every ``interval`` seconds; keeps the peaks."""

    def __init__(self, pid: int, interval: float = 0.5) -> None:
        super().__init__(daemon=True)
        self.pid, self.interval = pid, interval
        self.peak_tree_kb = self.peak_single_kb = self.peak_processes = 0
        self.stop = threading.Event()

    def run(self) -> None:
        while not self.stop.is_set():
            total, single, n = tree_rss_kb(self.pid)
            self.peak_tree_kb = max(self.peak_tree_kb, total)
            self.peak_single_kb = max(self.peak_single_kb, single)
            self.peak_processes = max(self.peak_processes, n)
            self.stop.wait(self.interval)


def failing_notebooks(dest: Path, *, team: str, chapter: str, source: Path = NOTEBOOKS_DIR) -> Path:
    """Copy the chapter notebooks to ``dest``; chapter ``chapter`` raises for ``team`` only."""
    import nbformat
    from nbformat.v4 import new_code_cell

    if dest.exists():
        shutil.rmtree(dest)
    shutil.copytree(source, dest, ignore=shutil.ignore_patterns(".*", "__pycache__"))
    if team:
        (path,) = sorted(dest.glob(f"{chapter}_*.ipynb"))
        nb = nbformat.read(path, as_version=4)
        nb.cells.append(
            new_code_cell(f"if team == {team!r}:\n    raise RuntimeError({FAIL_MESSAGE + ' for ' + team!r})")
        )
        nbformat.write(nb, path)
    return dest


def generate_company(dest: Path, *, teams: int, scale: float, seed: int) -> float:
    """Write the company into ``dest`` unless it already holds it; return the seconds spent."""
    from trackreport.data.sample import simulate, write

    truth = dest / "TRUTH.json"
    if truth.is_file():
        t = json.loads(truth.read_text(encoding="utf-8"))
        if t.get("seed") == seed and t.get("scale") == scale and len(t.get("company", {}).get("teams", {})) == teams:
            return 0.0
    t0 = time.perf_counter()
    s = simulate(seed=seed, scale=scale, teams=teams)
    write(s.tables, s.truth, dest, force=True)
    return time.perf_counter() - t0


def summarise(reports: Path, log_text: str) -> dict:
    """Reports published and chapters ok/failed, read back from the output folder and the run log."""
    published = sorted(str(p.parent.relative_to(reports)) for p in reports.glob("*/*/metrics.json"))
    failed = [line.strip() for line in log_text.splitlines() if line.strip().startswith("failed:")]
    not_published = [line.strip() for line in log_text.splitlines() if "NOT published" in line]
    executed = next((line.strip() for line in log_text.splitlines() if line.startswith("Done in")), "")
    return dict(published=published, failed_chapters=failed, not_published=not_published, done_line=executed)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m trackreport.report.load", description=__doc__.split("\n")[0])
    ap.add_argument("--out", type=Path, required=True, help="work folder (data/, notebooks/, reports/, load.json)")
    ap.add_argument("--teams", type=int, default=40, help="teams in the company (default 40)")
    ap.add_argument("--scale", type=float, default=1.0, help="generator scale (default 1)")
    ap.add_argument("--seed", type=int, default=7, help="generator seed (default 7)")
    ap.add_argument(
        "--fail-team", default="west-3", help="team whose chapter fails ('' for none; default west-3, one cohort)"
    )
    ap.add_argument("--fail-chapter", default="06", help="chapter number that fails for that team (default 06)")
    ap.add_argument("--workers", type=int, default=None, help="kernels in parallel (default: cores)")
    ap.add_argument("--chapter", action="append", default=None, metavar="NN", help="only these chapters")
    a = ap.parse_args(argv)

    out = a.out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    gen_s = generate_company(out / "data", teams=a.teams, scale=a.scale, seed=a.seed)
    nbdir = failing_notebooks(out / "notebooks", team=a.fail_team, chapter=a.fail_chapter)
    cmd = [sys.executable, "-m", "trackreport", "report", "--all", "--data", str(out / "data"),
           "--out", str(out / "reports"), "--notebooks", str(nbdir), "--no-progress", "--force"]  # fmt: skip
    cmd += [f"--workers={a.workers}"] if a.workers else []
    for c in a.chapter or ():
        cmd += ["--chapter", c]
    t0 = time.perf_counter()
    with open(out / "run.log", "w", encoding="utf-8") as logf:
        proc = subprocess.Popen(cmd, stdout=logf, stderr=subprocess.STDOUT, env={**os.environ, "PYTHONUNBUFFERED": "1"})
        sampler = MemorySampler(proc.pid)
        sampler.start()
        rc = proc.wait()
        sampler.stop.set()
        sampler.join()
    wall = time.perf_counter() - t0
    text = (out / "run.log").read_text(encoding="utf-8")
    result = dict(
        teams=a.teams, scale=a.scale, seed=a.seed, generate_seconds=round(gen_s, 1), wall_seconds=round(wall, 1),
        peak_tree_rss_mb=round(sampler.peak_tree_kb / 1024, 1), peak_single_rss_mb=round(sampler.peak_single_kb / 1024, 1),
        peak_processes=sampler.peak_processes, exit_code=rc, command=cmd, **summarise(out / "reports", text),
    )  # fmt: skip
    (out / "load.json").write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(
        f"{a.teams} teams (scale {a.scale}): {result['done_line']}\n"
        f"wall {wall:.0f} s, peak memory {result['peak_tree_rss_mb']:.0f} MB for runner + kernels "
        f"({result['peak_processes']} processes; largest {result['peak_single_rss_mb']:.0f} MB), exit code {rc}\n"
        f"reports published: {len(result['published'])}; not published: {len(result['not_published'])}"
    )
    for line in result["not_published"] + result["failed_chapters"]:
        print(f"  {line}")
    print(f"details: {out / 'load.json'}, run log: {out / 'run.log'}")
    return rc


if __name__ == "__main__":
    sys.exit(main())
