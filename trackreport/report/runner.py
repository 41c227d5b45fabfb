"""The report runner: chapter notebooks -> executed notebooks, offline HTML, metrics.json.

One run:

1. resolves and validates the parameters of every (team, quarter) asked for;
2. loads and validates the data folder **once** and caches the validated tables outside
   the data folder (``<out>/.cache/``); chapters read that cache instead of parsing the
   files again;
3. works out which chapters are stale: a chapter's key hashes its notebook, the package
   source, the effective parameters and the data fingerprint; a re-run with nothing
   changed executes nothing;
4. executes the stale chapters with papermill's Python API on a few long-lived kernels
   (one per core), resetting the namespace between notebooks so the heavy imports are
   paid once per kernel, and renders each with nbconvert's Python API through the
   offline ``trackreport`` template (no code, no parameters cell, no external URL);
5. publishes each report atomically into ``<out>/<team>/<quarter>/``: a report with a
   failed chapter never replaces an earlier good one.
"""

from __future__ import annotations

import copy
import datetime as dt
import hashlib
import html
import json
import os
import pickle
import queue
import re
import shutil
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import nbformat

from trackreport import __version__
from trackreport.errors import TrackreportError
from trackreport.paths import NOTEBOOKS_DIR, PROJ_ROOT, REPORTS_DIR, SAMPLE_DIR
from trackreport.report.notebook import METRIC_MIME
from trackreport.report.params import ReportParams, resolve

__all__ = ["ChapterNotebook", "Job", "RunResult", "discover_chapters", "run_reports", "collect_metrics", "render_html"]

TEMPLATE_DIR = Path(__file__).parent / "templates"
REMOVE_TAGS = {"parameters", "injected-parameters", "trackreport-reset", "remove"}
RUNNER_PARAMETERS = ("team", "quarter", "data_dir", "params_file", "dataset_cache")


@dataclass(frozen=True)
class ChapterNotebook:
    """A chapter template notebook: ``notebooks/NN_name.ipynb``."""

    number: str
    slug: str
    title: str
    path: Path

    @property
    def stem(self) -> str:
        return self.path.stem


def discover_chapters(folder: Path = NOTEBOOKS_DIR, only: Sequence[str] | None = None) -> list[ChapterNotebook]:
    """Chapter notebooks in ``folder`` (``NN_name.ipynb``), in chapter order.

    The title is the first Markdown heading of the notebook.
    """
    chapters = []
    for path in sorted(Path(folder).glob("[0-9][0-9]_*.ipynb")):
        number, _, slug = path.stem.partition("_")
        if only and number not in only and path.stem not in only:
            continue
        nb = nbformat.read(path, as_version=4)
        title = path.stem
        for cell in nb.cells:
            if cell.cell_type == "markdown" and cell.source.lstrip().startswith("#"):
                title = cell.source.lstrip().splitlines()[0].lstrip("# ").strip()
                break
        chapters.append(ChapterNotebook(number, slug, title, path))
    if not chapters:
        raise TrackreportError(f"no chapter notebooks (NN_name.ipynb) in {folder}")
    return chapters


def _package_digest() -> str:
    h = hashlib.sha256(__version__.encode())
    for path in sorted((Path(__file__).resolve().parents[1]).rglob("*")):
        if path.is_file() and path.suffix in {".py", ".j2", ".json"} and "__pycache__" not in path.parts:
            h.update(str(path.relative_to(PROJ_ROOT)).encode())
            h.update(path.read_bytes())
    return h.hexdigest()


def chapter_key(chapter: ChapterNotebook, params_yaml: str, data_fp: str, package_fp: str) -> str:
    """What a chapter's output depends on: notebook, package code, parameters, data."""
    h = hashlib.sha256()
    for part in (chapter.path.read_bytes(), package_fp.encode(), params_yaml.encode(), data_fp.encode()):
        h.update(hashlib.sha256(part).digest())
    return h.hexdigest()


@dataclass
class Job:
    """One chapter of one report to execute."""

    params: ReportParams
    chapter: ChapterNotebook
    staging: Path
    dataset_cache: Path
    data_dir: Path
    params_file: Path
    status: str = "pending"
    error: str = ""
    seconds: float = 0.0
    stderr: list[str] = field(default_factory=list)


@dataclass
class ReportResult:
    team: str
    quarter: str
    path: Path
    executed: list[str]
    reused: list[str]
    failed: dict[str, str]
    published: bool
    note: str = ""


@dataclass
class RunResult:
    """What a run did, report by report."""

    reports: list[ReportResult]
    seconds: float

    @property
    def ok(self) -> bool:
        return all(not r.failed for r in self.reports)


# ----------------------------------------------------------------------------- data


def _dataset_cache(data_dir: Path, out: Path, log: Callable[[str], None]) -> tuple[Path, Any]:
    """Validate the data folder once; return the validated cache's path and the dataset."""
    from trackreport.data.load import fingerprint, load_data
    from trackreport.report.notebook import open_dataset

    fp = fingerprint(data_dir)
    cache_dir = out / ".cache"
    cache = cache_dir / f"dataset-{fp[:20]}.pkl"
    if cache.is_file():
        log(f"data: {data_dir} unchanged since last validated (fingerprint {fp[:12]})")
        return cache, open_dataset("", cache)
    t0 = time.perf_counter()
    ds = load_data(data_dir)
    cache_dir.mkdir(parents=True, exist_ok=True)
    for old in cache_dir.glob("dataset-*.pkl"):
        old.unlink()
    tmp = cache.with_suffix(".tmp")
    with open(tmp, "wb") as fh:
        pickle.dump(
            {"tables": dict(ds.tables), "folder": str(ds.folder), "fingerprint": ds.fingerprint},
            fh,
            protocol=pickle.HIGHEST_PROTOCOL,
        )
    os.replace(tmp, cache)
    log(
        f"data: validated {len(ds)} tables, {ds.n_rows:,} rows in {time.perf_counter() - t0:.1f} s "
        f"(fingerprint {ds.fingerprint[:12]})"
    )
    return cache, ds


# ----------------------------------------------------------------------- execution


class _KernelWorker(threading.Thread):
    """A thread owning one kernel; runs jobs from a queue, one notebook after another."""

    def __init__(self, jobs: queue.Queue, done: queue.Queue, sockets: str, kernel_name: str = "python3") -> None:
        super().__init__(daemon=True)
        self.jobs, self.done, self.kernel_name = jobs, done, kernel_name
        self.sockets, self.starts = sockets, 0

    def run(self) -> None:
        import asyncio

        from jupyter_client.manager import AsyncKernelManager

        asyncio.set_event_loop(asyncio.new_event_loop())
        loop = asyncio.get_event_loop()
        km = kc = None
        try:
            while True:
                try:
                    job = self.jobs.get_nowait()
                except queue.Empty:
                    return
                try:
                    if km is None or not loop.run_until_complete(km.is_alive()):
                        self._shutdown(loop, km, kc)
                        km = kc = None
                        # IPC sockets in a private folder: no TCP port, one path per kernel
                        km = AsyncKernelManager(
                            kernel_name=self.kernel_name,
                            transport="ipc",
                            ip=str(Path(self.sockets) / f"kernel-{id(self)}-{self.starts}"),
                        )
                        self.starts += 1
                        loop.run_until_complete(km.start_kernel(cwd=str(PROJ_ROOT), env=_kernel_env()))
                        kc = km.client()
                        kc.start_channels()
                        loop.run_until_complete(kc.wait_for_ready(timeout=120))
                except Exception as exc:
                    job.status, job.error = "failed", f"the kernel did not start: {_error_text(exc)}"
                else:
                    _execute(job, km, kc)
                self.done.put(job)
        finally:
            self._shutdown(loop, km, kc)
            loop.close()

    @staticmethod
    def _shutdown(loop: Any, km: Any, kc: Any) -> None:
        if kc is not None:
            kc.stop_channels()
        if km is not None:
            try:
                loop.run_until_complete(km.shutdown_kernel(now=True))
            except Exception:
                pass


def _kernel_env() -> dict[str, str]:
    env = dict(os.environ)
    env["MPLBACKEND"] = "module://matplotlib_inline.backend_inline"
    env["PYDEVD_DISABLE_FILE_VALIDATION"] = "1"
    env["PYTHONWARNINGS"] = "default"
    return env


def _engine() -> str:
    """Register (once) and name the papermill engine that runs on an already started kernel."""
    from papermill.clientwrap import PapermillNotebookClient
    from papermill.engines import NBClientEngine, papermill_engines

    class SharedKernelEngine(NBClientEngine):
        """nbclient execution on the caller's kernel manager *and* client.

        papermill passes ``km`` through to nbclient, which then keeps the kernel alive;
        the client is set here so one client serves every notebook of a kernel.
        """

        @classmethod
        def execute_managed_notebook(
            cls,
            nb_man,
            kernel_name,
            log_output=False,
            stdout_file=None,
            stderr_file=None,
            start_timeout=60,
            execution_timeout=None,
            **kwargs,
        ):
            kc = kwargs.pop("kc")
            kwargs.pop("input_path", None)
            client = PapermillNotebookClient(
                nb_man,
                km=kwargs.pop("km"),
                timeout=execution_timeout,
                startup_timeout=start_timeout,
                kernel_name=kernel_name,
                log_output=log_output,
                stdout_file=stdout_file,
                stderr_file=stderr_file,
                **kwargs,
            )
            client.kc = kc
            return client.execute()

    if "trackreport" not in papermill_engines._engines:
        papermill_engines.register("trackreport", SharedKernelEngine)
    return "trackreport"


def _execute(job: Job, km: Any, kc: Any) -> None:
    import papermill as pm
    from nbformat.v4 import new_code_cell

    t0 = time.perf_counter()
    out_nb = job.staging / "notebooks" / job.chapter.path.name
    try:
        nb = nbformat.read(job.chapter.path, as_version=4)
        nb.cells.insert(0, new_code_cell("%reset -f", metadata={"tags": ["trackreport-reset"]}))
        parameters = {
            "team": job.params.team,
            "quarter": job.params.quarter,
            "data_dir": str(job.data_dir),
            "params_file": str(job.params_file),
            "dataset_cache": str(job.dataset_cache),
        }
        executed = pm.execute_notebook(
            nb,
            str(out_nb),
            parameters=parameters,
            engine_name=_engine(),
            km=km,
            kc=kc,
            progress_bar=False,
            cwd=str(PROJ_ROOT),
            report_mode=False,
            execution_timeout=900,
        )
        job.stderr = _stderr_of(executed)
        job.status = "ok"
    except Exception as exc:
        job.status = "failed"
        job.error = _error_text(exc)
    job.seconds = time.perf_counter() - t0


def _error_text(exc: Exception) -> str:
    name = type(exc).__name__
    if name == "PapermillExecutionError":
        ename, evalue = getattr(exc, "ename", ""), getattr(exc, "evalue", "")
        return f"{ename}: {evalue}".strip(": ") + f" (cell {getattr(exc, 'exec_count', '?')})"
    return f"{name}: {exc}".splitlines()[0]


def _stderr_of(nb: Any) -> list[str]:
    out = []
    for cell in nb.cells:
        for o in cell.get("outputs", []):
            if o.get("output_type") == "stream" and o.get("name") == "stderr":
                out.append(o.get("text", "")[:300])
    return out


# -------------------------------------------------------------------------- render


def render_html(nb: Any, dest: Path, *, nav: dict | None) -> None:
    """Render an executed notebook to one self-contained, offline HTML file.

    Code, prompts and the parameters cells are left out; charts are embedded PNGs;
    no script, style sheet or font is loaded from another host.
    """
    from nbconvert import HTMLExporter
    from nbconvert.preprocessors import TagRemovePreprocessor
    from traitlets.config import Config

    c = Config()
    c.TagRemovePreprocessor.remove_cell_tags = REMOVE_TAGS
    c.TagRemovePreprocessor.enabled = True
    exporter = HTMLExporter(config=c, template_name="trackreport", extra_template_basedirs=[str(TEMPLATE_DIR)])
    exporter.exclude_input = True
    exporter.exclude_input_prompt = True
    exporter.exclude_output_prompt = True
    exporter.register_preprocessor(TagRemovePreprocessor(config=c), enabled=True)
    resources = {"trackreport": nav or {}}
    body, _ = exporter.from_notebook_node(copy.deepcopy(nb), resources=resources)
    body = _strip_css_comments(body)
    dest.parent.mkdir(parents=True, exist_ok=True)
    dest.write_text(body, encoding="utf-8")


_STYLE_RE = re.compile(r"(<style[^>]*>)(.*?)(</style>)", re.S)
_CSS_COMMENT_RE = re.compile(r"/\*.*?\*/", re.S)


def _strip_css_comments(body: str) -> str:
    """Drop comments from inline style sheets (the lab theme's cite URLs of other hosts)."""
    return _STYLE_RE.sub(lambda m: m.group(1) + _CSS_COMMENT_RE.sub("", m.group(2)) + m.group(3), body)


def collect_metrics(nb: Any) -> list[dict]:
    """Headline numbers a chapter recorded (:meth:`trackreport.report.notebook.Chapter.headline`)."""
    out = []
    for cell in nb.cells:
        for o in cell.get("outputs", []):
            data = o.get("data", {})
            if METRIC_MIME in data:
                rec = data[METRIC_MIME]
                out.append(dict(rec) if isinstance(rec, dict) else json.loads(rec))
    return out


# --------------------------------------------------------------------------- index


_CSS = """
body { font: 15px/1.5 system-ui, -apple-system, 'Segoe UI', 'Noto Sans CJK SC', sans-serif; max-width: 1000px;
       margin: 2em auto; padding: 0 1em; color: #1f2328; }
h1 { font-size: 1.6em; } table { border-collapse: collapse; margin: 1em 0; }
th, td { border-bottom: 1px solid #d0d7de; padding: 4px 10px; text-align: left; vertical-align: top; }
th { background: #f6f8fa; } .failed { color: #b5473a; font-weight: bold; } .ok { color: #2f7d4a; }
.meta td:first-child { color: #57606a; } code { font-size: 0.9em; } a { color: #1f5fa8; }
.num { text-align: right; font-variant-numeric: tabular-nums; }
"""


def _page(title: str, body: str) -> str:
    return (
        f"<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'>"
        f"<meta name='viewport' content='width=device-width, initial-scale=1'>"
        f"<title>{html.escape(title)}</title><style>{_CSS}</style></head><body>{body}</body></html>\n"
    )


def _fmt_metric(m: dict) -> str:
    from trackreport.report.notebook import format_value

    v = format_value(m.get("value") if m.get("value") is not None else float("nan"), m.get("unit", ""))
    if m.get("ci_low") is not None and m.get("ci_high") is not None:
        v += (
            f" <span style='color:#57606a'>({format_value(m['ci_low'], m.get('unit', ''))} to "
            f"{format_value(m['ci_high'], m.get('unit', ''))})</span>"
        )
    return v


def _fmt_status(m: dict) -> str:
    from trackreport.report.notebook import format_value

    if m.get("target") is None:
        return ""
    return f"{html.escape(str(m.get('status', '')))} (target {format_value(m['target'], m.get('unit', ''))})"


def _report_index(meta: dict, chapters: list[dict], metrics: list[dict]) -> str:
    rows = []
    for ch in chapters:
        status = (
            "<span class='ok'>ok</span>"
            if ch["status"] == "ok"
            else f"<span class='failed'>failed</span>: {html.escape(ch['error'])}"
        )
        link = (
            f"<a href='{ch['file']}'>{html.escape(ch['title'])}</a>"
            if ch["status"] == "ok"
            else html.escape(ch["title"])
        )
        rows.append(f"<tr><td>{link}</td><td>{status}</td></tr>")
    mrows = "".join(
        f"<tr><td>{html.escape(m['chapter'])}</td><td>{html.escape(m['label'])}</td>"
        f"<td class='num'>{_fmt_metric(m)}</td><td class='num'>{m.get('n', '')}</td>"
        f"<td>{_fmt_status(m)}</td></tr>"
        for m in metrics
    )
    params_html = html.escape(meta["params_yaml"])
    body = f"""
<p><a href='../../index.html'>&#8962; All reports</a></p>
<h1>Training effectiveness: team {html.escape(meta["team"])}, {html.escape(meta["quarter"])}</h1>
<table class='meta'>
<tr><td>Team</td><td>{html.escape(meta["team"])}</td></tr>
<tr><td>Quarter (cohort)</td><td>{html.escape(meta["quarter"])}</td></tr>
<tr><td>Data</td><td><code>{html.escape(meta["data_dir"])}</code>, fingerprint <code>{meta["fingerprint"][:16]}</code></td></tr>
<tr><td>trackreport version</td><td>{html.escape(meta["version"])}</td></tr>
<tr><td>Generated</td><td>{html.escape(meta["generated"])}</td></tr>
<tr><td>Files</td><td><a href='metrics.json'>metrics.json</a> · <a href='params.yaml'>params.yaml</a> ·
executed notebooks in <code>notebooks/</code></td></tr>
</table>
<h2>Chapters</h2>
<table><tr><th>Chapter</th><th>Status</th></tr>{"".join(rows)}</table>
<h2>Headline numbers</h2>
<p>Every estimate with its 95% confidence interval and the number of observations n.</p>
<table><tr><th>Ch.</th><th>Measure</th><th>Value (95% CI)</th><th>n</th><th>Target</th></tr>{mrows}</table>
<h2>Parameters</h2>
<pre>{params_html}</pre>
"""
    return _page(f"{meta['team']} {meta['quarter']}: training effectiveness", body)


def write_top_index(out: Path) -> Path:
    """``<out>/index.html``: every team and quarter published under ``out``."""
    rows = []
    for build in sorted(out.glob("*/*/build.json")):
        info = json.loads(build.read_text(encoding="utf-8"))
        rel = build.parent.relative_to(out).as_posix()
        failed = [c for c in info["chapters"] if c["status"] != "ok"]
        status = (
            f"<span class='failed'>{len(failed)} chapter(s) failed</span>"
            if failed
            else "<span class='ok'>complete</span>"
        )
        rows.append(
            f"<tr><td>{html.escape(info['team'])}</td><td><a href='{rel}/index.html'>"
            f"{html.escape(info['quarter'])}</a></td><td>{status}</td>"
            f"<td>{html.escape(info['generated'])}</td></tr>"
        )
    body = (
        "<h1>Training-effectiveness reports</h1><table><tr><th>Team</th><th>Quarter</th><th>Status</th>"
        f"<th>Generated</th></tr>{''.join(rows)}</table>"
    )
    dest = out / "index.html"
    dest.write_text(_page("Training-effectiveness reports", body), encoding="utf-8")
    return dest


# ---------------------------------------------------------------------------- run


def plan_reports(data: Any, *, team: str | None, quarter: str | None, all_reports: bool) -> list[tuple[str, str]]:
    """The (team, quarter) pairs to build; a missing quarter means the team's latest cohort."""
    from trackreport.data.cohort import cohort_quarters, teams

    known = teams(data)
    if all_reports:
        return [(t, q) for t in known for q in cohort_quarters(data, t)]
    if team is None:
        raise TrackreportError("say which team (--team NAME) or ask for --all")
    if team not in known:
        raise TrackreportError(f"team {team!r} is not in the data (teams: {', '.join(known)})")
    quarters = cohort_quarters(data, team)
    if quarter is None:
        if not quarters:
            raise TrackreportError(f"team {team!r} has no training cohort in the data")
        return [(team, quarters[-1])]
    if quarter not in quarters:
        raise TrackreportError(
            f"team {team!r} has no cohort in {quarter} (quarters with a cohort: {', '.join(quarters) or 'none'})"
        )
    return [(team, quarter)]


def run_reports(
    *,
    team: str | None = None,
    quarter: str | None = None,
    all_reports: bool = False,
    data_dir: Path = SAMPLE_DIR,
    out: Path = REPORTS_DIR,
    overrides: dict[str, Any] | None = None,
    chapters: Sequence[str] | None = None,
    notebooks_dir: Path = NOTEBOOKS_DIR,
    workers: int | None = None,
    force: bool = False,
    log: Callable[[str], None] = print,
    progress: bool = True,
) -> RunResult:
    """Build reports; see the module docstring for the steps.

    Parameters
    ----------
    team, quarter : str, optional
        One report (``quarter`` defaults to the team's latest cohort).
    all_reports : bool
        Every team and every quarter with a cohort.
    data_dir : Path
        Data folder (only read).
    out : Path
        Output root; reports go to ``out/<team>/<quarter>/``.
    overrides : dict
        Dotted parameter overrides (the CLI's ``--set``).
    chapters : sequence of str, optional
        Only these chapter numbers (e.g. ``["01"]``).
    workers : int, optional
        Kernels run in parallel (default: the number of cores, at most the jobs).
    force : bool
        Re-execute even chapters whose inputs did not change.
    """
    t_start = time.perf_counter()
    data_dir, out = Path(data_dir).resolve(), Path(out).resolve()
    if team is not None:
        resolve(team, quarter or "2000Q1", overrides=overrides)  # fail fast on bad team/params
    out.mkdir(parents=True, exist_ok=True)
    cache, data = _dataset_cache(data_dir, out, log)
    data_fp = data.fingerprint
    pairs = plan_reports(data, team=team, quarter=quarter, all_reports=all_reports)
    chs = discover_chapters(notebooks_dir, chapters)
    package_fp = _package_digest()

    jobs: list[Job] = []
    reports: list[dict] = []
    for t, q in pairs:
        params = resolve(t, q, overrides=overrides)
        params_yaml = params.to_yaml()
        final = out / t / q
        staging = out / t / f".{q}.staging-{os.getpid()}"
        if staging.exists():
            shutil.rmtree(staging)
        (staging / "notebooks").mkdir(parents=True)
        (staging / "params.yaml").write_text(params_yaml, encoding="utf-8")
        old = _read_build(final)
        keys, todo, reused = {}, [], []
        for ch in chs:
            key = chapter_key(ch, params_yaml, data_fp, package_fp)
            keys[ch.stem] = key
            prev = old.get("keys", {}).get(ch.stem) if old else None
            prev_ok = old and any(c["stem"] == ch.stem and c["status"] == "ok" for c in old["chapters"])
            if not force and prev == key and prev_ok and (final / "notebooks" / ch.path.name).is_file():
                shutil.copy2(final / "notebooks" / ch.path.name, staging / "notebooks" / ch.path.name)
                reused.append(ch.stem)
            else:
                job = Job(params, ch, staging, cache, data_dir, staging / "params.yaml")
                jobs.append(job)
                todo.append(job)
        reports.append(
            dict(
                params=params,
                params_yaml=params_yaml,
                final=final,
                staging=staging,
                keys=keys,
                todo=todo,
                reused=reused,
                old=old,
            )
        )

    if not jobs:
        for r in reports:
            shutil.rmtree(r["staging"])
        log("Everything is up to date: no notebook, package code, parameter or data changed; nothing re-executed.")
        write_top_index(out)
        return RunResult(
            [
                ReportResult(
                    r["params"].team, r["params"].quarter, r["final"], [], r["reused"], {}, False, "up to date"
                )
                for r in reports
            ],
            time.perf_counter() - t_start,
        )

    _run_jobs(jobs, workers, log, progress)

    results = []
    for r in reports:
        results.append(_publish(r, chs, data_dir, data_fp, log))
    write_top_index(out)
    run = RunResult(results, time.perf_counter() - t_start)
    _summary(run, jobs, log)
    return run


def _run_jobs(jobs: list[Job], workers: int | None, log: Callable[[str], None], progress: bool) -> None:
    n_workers = max(1, min(workers or os.cpu_count() or 1, len(jobs)))
    todo: queue.Queue = queue.Queue()
    for j in jobs:
        todo.put(j)
    done: queue.Queue = queue.Queue()
    log(f"executing {len(jobs)} chapter(s) on {n_workers} kernel(s)")
    sockets = tempfile.mkdtemp(prefix="trackreport-kernels-")
    threads = [_KernelWorker(todo, done, sockets) for _ in range(n_workers)]
    for th in threads:
        th.start()
    bar = None
    if progress:
        from tqdm import tqdm

        bar = tqdm(total=len(jobs), unit="chapter", file=sys.stderr, leave=True, dynamic_ncols=True)
    finished = 0
    while finished < len(jobs):
        try:
            job = done.get(timeout=1.0)
        except queue.Empty:
            if not any(th.is_alive() for th in threads) and done.empty():
                break
            continue
        finished += 1
        mark = "ok" if job.status == "ok" else f"FAILED ({job.error})"
        line = f"{job.params.team} {job.params.quarter} · {job.chapter.title}: {mark} in {job.seconds:.1f} s"
        if bar is not None:
            bar.set_postfix_str(f"{job.params.team} {job.params.quarter} {job.chapter.number}", refresh=False)
            bar.update(1)
            bar.write(line, file=sys.stderr)
        else:
            log(line)
    if bar is not None:
        bar.close()
    for th in threads:
        th.join()
    shutil.rmtree(sockets, ignore_errors=True)
    for j in jobs:
        if j.status == "pending":
            j.status, j.error = "failed", "the kernel running this chapter stopped"


def _read_build(final: Path) -> dict | None:
    path = final / "build.json"
    if not path.is_file():
        return None
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return None


def _publish(
    r: dict, chs: list[ChapterNotebook], data_dir: Path, data_fp: str, log: Callable[[str], None]
) -> ReportResult:
    params, staging, final = r["params"], r["staging"], r["final"]
    by_stem = {j.chapter.stem: j for j in r["todo"]}
    entries, metrics, failed = [], [], {}
    ok_chapters = []
    for ch in chs:
        job = by_stem.get(ch.stem)
        status = "ok" if job is None or job.status == "ok" else "failed"
        error = "" if job is None else job.error
        entry = {
            "stem": ch.stem,
            "number": ch.number,
            "title": ch.title,
            "file": f"{ch.stem}.html",
            "status": status,
            "error": error,
            "executed": job is not None,
            "seconds": round(job.seconds, 2) if job else 0.0,
        }
        entries.append(entry)
        if status == "ok":
            ok_chapters.append(ch)
        else:
            failed[ch.stem] = error
    # final navigation, and metrics, from the executed notebooks
    for i, ch in enumerate(ok_chapters):
        nb_path = staging / "notebooks" / ch.path.name
        nb = nbformat.read(nb_path, as_version=4)
        metrics.extend(collect_metrics(nb))
        nav = {"index": "index.html", "report_title": f"Team {params.team}, {params.quarter}"}
        if i > 0:
            nav["prev"] = {"href": f"{ok_chapters[i - 1].stem}.html", "title": ok_chapters[i - 1].title}
        if i + 1 < len(ok_chapters):
            nav["next"] = {"href": f"{ok_chapters[i + 1].stem}.html", "title": ok_chapters[i + 1].title}
        render_html(nb, staging / f"{ch.stem}.html", nav=nav)
    generated = dt.datetime.now().strftime("%Y-%m-%d %H:%M")
    meta = {
        "team": params.team,
        "quarter": params.quarter,
        "data_dir": str(data_dir),
        "fingerprint": data_fp,
        "version": __version__,
        "generated": generated,
        "params_yaml": r["params_yaml"],
    }
    (staging / "metrics.json").write_text(
        json.dumps(
            {
                "team": params.team,
                "quarter": params.quarter,
                "data_fingerprint": data_fp,
                "version": __version__,
                "generated": generated,
                "metrics": metrics,
            },
            indent=2,
            ensure_ascii=False,
            allow_nan=False,
        ),
        encoding="utf-8",
    )
    (staging / "index.html").write_text(_report_index(meta, entries, metrics), encoding="utf-8")
    (staging / "build.json").write_text(
        json.dumps(
            {
                "team": params.team,
                "quarter": params.quarter,
                "generated": generated,
                "version": __version__,
                "data_fingerprint": data_fp,
                "keys": {e["stem"]: r["keys"][e["stem"]] for e in entries if e["status"] == "ok"},
                "chapters": entries,
            },
            indent=2,
        ),
        encoding="utf-8",
    )

    executed = [j.chapter.stem for j in r["todo"] if j.status == "ok"]
    old_good = r["old"] is not None and all(c["status"] == "ok" for c in r["old"]["chapters"])
    if failed and old_good:
        failed_dir = final.parent / f"{final.name}.failed"
        if failed_dir.exists():
            shutil.rmtree(failed_dir)
        os.replace(staging, failed_dir)
        note = f"kept the earlier good report in {final}; this run's broken report is in {failed_dir}"
        log(f"{params.team} {params.quarter}: {len(failed)} chapter(s) failed; {note}")
        return ReportResult(params.team, params.quarter, final, executed, r["reused"], failed, False, note)
    _swap_in(staging, final)
    return ReportResult(params.team, params.quarter, final, executed, r["reused"], failed, True)


def _swap_in(staging: Path, final: Path) -> None:
    """Replace ``final`` by ``staging``: the old report stays whole until the new one is in place."""
    if final.exists():
        trash = final.parent / f".{final.name}.old-{os.getpid()}"
        os.replace(final, trash)
        os.replace(staging, final)
        shutil.rmtree(trash, ignore_errors=True)
    else:
        os.replace(staging, final)
    failed_dir = final.parent / f"{final.name}.failed"
    if failed_dir.exists():
        shutil.rmtree(failed_dir, ignore_errors=True)


def _summary(run: RunResult, jobs: list[Job], log: Callable[[str], None]) -> None:
    n_ok = sum(j.status == "ok" for j in jobs)
    log(f"\nDone in {run.seconds:.1f} s: {n_ok} of {len(jobs)} chapter(s) executed without error.")
    for r in run.reports:
        state = "published" if r.published else "NOT published"
        extra = f", {len(r.reused)} unchanged" if r.reused else ""
        log(
            f"  {r.team} {r.quarter}: {state} -> {r.path / 'index.html'} "
            f"({len(r.executed)} executed{extra}{', ' + str(len(r.failed)) + ' FAILED' if r.failed else ''})"
        )
        for stem, err in r.failed.items():
            log(f"    failed: {stem}: {err}")
        if r.note:
            log(f"    {r.note}")
    warn = [j for j in jobs if j.stderr]
    for j in warn:
        log(f"  warning: {j.params.team} {j.params.quarter} {j.chapter.stem} wrote to stderr: {j.stderr[0][:200]!r}")
