"""The report runner: chapter notebooks -> executed notebooks, offline HTML, metrics.json.

The runner only orchestrates; each concern has its module: :mod:`.catalog` (which
chapters, their cache keys), :mod:`.execute` (kernels and papermill), :mod:`.render`
(nbconvert, metrics, index pages), :mod:`.publish` (atomic swap-in) and :mod:`.store`
(results shared by a report's chapters). One run:

1. resolves and validates the parameters of every (team, quarter) asked for;
2. loads and validates the data folder **once** and caches the validated tables outside
   the data folder (``<out>/.cache/``, Parquet: reading it cannot run code); chapters
   read that cache instead of parsing the files again;
3. works out which chapters are stale: a chapter's key hashes its notebook, the package
   source, the effective parameters and the data fingerprint; a re-run with nothing
   changed executes nothing;
4. executes the stale chapters with papermill's Python API on a few long-lived kernels
   (one per core), resetting the namespace between notebooks so the heavy imports are
   paid once per kernel (when the data must be validated, the kernels start and import
   meanwhile: :func:`~.execute.warm_up_code`), longest chapters first (their time in
   the previous build), the summary last; each chapter is rendered with nbconvert's
   Python API through the offline ``trackreport`` template (no code, no parameters
   cell, no external URL) as soon as it finishes, while the kernels go on;
5. publishes each report atomically into ``<out>/<team>/<quarter>/``: a report with a
   failed chapter never replaces an earlier good one.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from trackreport.data.source import resolve_source
from trackreport.errors import TrackreportError
from trackreport.i18n import language_of
from trackreport.paths import NOTEBOOKS_DIR, REPORTS_DIR, SAMPLE_DIR
from trackreport.report.catalog import (
    RUNNER_PARAMETERS,
    SUMMARY_NUMBER,
    ChapterNotebook,
    chapter_key,
    discover_chapters,
)
from trackreport.report.execute import Job, Kernels, longest_first, run_jobs, warm_up_code
from trackreport.report.params import resolve
from trackreport.report.publish import ReportResult, output_lock, prerender, publish, read_build, recover
from trackreport.report.render import collect_metrics, record_chapter_metrics, render_html, write_top_index
from trackreport.report.store import package_digest, prune_results, store_key

__all__ = [
    "ChapterNotebook",
    "DataFacts",
    "Job",
    "RunResult",
    "RUNNER_PARAMETERS",
    "discover_chapters",
    "run_reports",
    "plan_chapters",
    "plan_reports",
    "collect_metrics",
    "render_html",
]


BASE = "base"
"""Key of :attr:`DataFacts.missing` for the tables every report needs."""


@dataclass
class RunResult:
    """What a run did, report by report."""

    reports: list[ReportResult]
    seconds: float

    @property
    def ok(self) -> bool:
        return all(not r.failed for r in self.reports)


@dataclass(frozen=True)
class DataFacts:
    """What the runner needs to know of the data to plan a run: no table is kept.

    ``missing`` maps ``"base"`` (what every report needs) and each chapter number the
    contract names to the tables it needs that the data lack (:func:`~trackreport.data.schema.missing_tables`), so planning a re-run
    needs neither the tables nor the schemas (nor pandas).
    """

    fingerprint: str
    present: tuple[str, ...]
    cohorts: dict[str, list[str]]  # team -> quarters with a training cohort, teams in order
    missing: dict[str, list[str]] = field(default_factory=dict)

    @classmethod
    def of(cls, data: Any) -> DataFacts:
        from trackreport.data.cohort import cohort_quarters, teams
        from trackreport.data.schema import BASE_TABLES, TABLES, missing_tables

        numbers = sorted({c.rstrip("?") for t in TABLES.values() for c in t.chapters} | {SUMMARY_NUMBER})
        missing = {BASE: [t for t in BASE_TABLES if t not in data.present]}
        missing.update({n: missing_tables(n, data.present) for n in numbers})
        return cls(data.fingerprint, tuple(data.present), {t: cohort_quarters(data, t) for t in teams(data)}, missing)


def _dataset_cache(
    data_dir: str | Path,
    out: Path,
    log: Callable[[str], None],
    *,
    isolate: bool | None = None,
    before_validate: Callable[[], None] | None = None,
) -> tuple[Path, DataFacts]:
    """Validate the data folder once; return the validated cache's folder and the facts to plan with.

    The cache is Parquet (:mod:`trackreport.data.cache`), so reading it cannot run code.
    The facts (tables present, teams and their cohorts, chapters' missing tables) are kept
    beside it as JSON, keyed by the data fingerprint and the package code (the schemas
    decide what a chapter needs), so a re-run on unchanged data reads no table, and a
    folder's fingerprint is taken from its file stats when none changed.

    Hashing and validating import pandas and hold the tables. When this process has not
    imported pandas (the command line; ``isolate``), a child process does both, so the
    runner stays small while the kernels run. A process that has pandas already (a
    notebook, the tests) does them itself.

    ``before_validate`` is called when the data must be validated (not when the cache
    holds them), just before: the runner starts its kernels then, so that they start
    and import while the data are validated.
    """
    from trackreport.data.source import remembered_fingerprint, source_fingerprint, source_label

    cache_dir = out / ".cache"
    memo = cache_dir / "fingerprint.json"
    if isolate is None:
        isolate = "pandas" not in sys.modules
    fp = remembered_fingerprint(data_dir, memo)
    if fp is None and isolate:
        import multiprocessing

        if before_validate is not None:
            before_validate()

        with multiprocessing.get_context("spawn").Pool(1) as pool:  # leaving it kills the child, if still running
            outcome = pool.apply(_validate_in_child, (data_dir, memo, cache_dir))
        if outcome[0] == "error":
            raise _rebuild_error(*outcome[1:])
        _, fp, line, facts = outcome
    else:
        fp = fp or source_fingerprint(data_dir, memo=memo)
        if before_validate is not None and not (cache_dir / f"dataset-{fp[:20]}" / "meta.json").is_file():
            before_validate()
        line, facts = _validate_unless_cached(data_dir, fp, cache_dir)
    cache = cache_dir / f"dataset-{fp[:20]}"
    facts_file = cache_dir / f"facts-{fp[:20]}-{package_digest()[:12]}.json"
    if facts is not None:
        log(line)
    else:
        log(f"data: {source_label(data_dir)} unchanged since last validated (fingerprint {fp[:12]})")
        try:
            facts = DataFacts(**json.loads(facts_file.read_text(encoding="utf-8")))
            if facts.fingerprint == fp:
                return cache, DataFacts(fp, tuple(facts.present), dict(facts.cohorts), dict(facts.missing))
        except (OSError, ValueError, TypeError):
            pass
        from trackreport.data.cache import read_dataset

        facts = DataFacts.of(read_dataset(cache))
        for old in cache_dir.glob(f"facts-{fp[:20]}-*.json"):  # facts of older package code
            old.unlink(missing_ok=True)
    facts_file.write_text(json.dumps(asdict(facts)), encoding="utf-8")
    return cache, facts


def _validate_unless_cached(data_dir: str | Path, fp: str, cache_dir: Path) -> tuple[str, DataFacts | None]:
    """Validate into ``cache_dir/dataset-<fp>`` unless it is there: the log line and facts, or ("", None)."""
    cache = cache_dir / f"dataset-{fp[:20]}"
    if (cache / "meta.json").is_file():
        return "", None
    return _validate_and_cache(data_dir, fp, cache)


def _validate_in_child(data_dir: str | Path, memo: Path, cache_dir: Path) -> tuple:
    """Fingerprint and (unless cached) validate in a child process; errors come back as their parts.

    (An exception is pickled from its message alone, which would lose a
    :class:`~trackreport.errors.DataValidationError`'s problems.)
    """
    from trackreport.data.source import source_fingerprint
    from trackreport.errors import DataValidationError

    try:
        fp = source_fingerprint(data_dir, memo=memo)
        return ("ok", fp, *_validate_unless_cached(data_dir, fp, cache_dir))
    except DataValidationError as exc:
        return ("error", "DataValidationError", (exc.problems, exc.folder))
    except TrackreportError as exc:
        return ("error", type(exc).__name__, (str(exc),))


def _rebuild_error(name: str, args: tuple) -> TrackreportError:
    from trackreport import errors

    cls = getattr(errors, name, None)
    if not (isinstance(cls, type) and issubclass(cls, TrackreportError)):
        cls = TrackreportError
    return cls(*args)


def _validate_and_cache(data_dir: str | Path, fp: str, cache: Path) -> tuple[str, DataFacts]:
    from trackreport.data.cache import release_memory, write_dataset
    from trackreport.data.source import load_source

    t0 = time.perf_counter()
    ds = load_source(data_dir, fingerprint=fp)
    if cache.parent.is_dir():
        for old in [*cache.parent.glob("dataset-*"), *cache.parent.glob("facts-*")]:
            shutil.rmtree(old) if old.is_dir() else old.unlink()
    write_dataset(ds, cache)
    line = (
        f"data: validated {len(ds)} tables, {ds.n_rows:,} rows in {time.perf_counter() - t0:.1f} s "
        f"(fingerprint {ds.fingerprint[:12]})"
    )
    facts = DataFacts.of(ds)
    del ds  # the kernels read the validated cache: the runner holds no table while they run
    release_memory()
    return line, facts


def plan_chapters(
    chs: Sequence[ChapterNotebook],
    present: Sequence[str],
    *,
    requested: bool,
    missing: Mapping[str, Sequence[str]] | None = None,
) -> dict[str, list[str]]:
    """The chapters the data cannot support, each with the tables it needs and the data lack.

    ``missing`` is :attr:`DataFacts.missing` when known (``"base"`` and chapter numbers ->
    the tables needed that ``present`` lacks); what it does not cover is worked out from
    the schemas.

    Raises when the data lack what every report needs (:data:`~trackreport.data.schema.BASE_TABLES`),
    or when chapters asked for by name (``requested``) cannot be built.
    """
    missing = dict(missing or {})
    if BASE not in missing or any(ch.number not in missing for ch in chs):
        from trackreport.data.schema import BASE_TABLES, missing_tables

        missing.setdefault(BASE, [t for t in BASE_TABLES if t not in present])
        missing.update({ch.number: missing_tables(ch.number, present) for ch in chs if ch.number not in missing})
    if missing[BASE]:
        from trackreport.data.schema import BASE_TABLES

        raise TrackreportError(
            f"the data lack {', '.join(missing[BASE])}: every report needs at least {', '.join(BASE_TABLES)} "
            "(the people and who was trained when); `python -m trackreport init DIR` writes templates to fill"
        )
    out = {ch.stem: list(missing[ch.number]) for ch in chs}
    out = {stem: needs for stem, needs in out.items() if needs}
    if requested and out:
        raise TrackreportError(
            "; ".join(f"chapter {stem} needs {', '.join(needs)}, which the data lack" for stem, needs in out.items())
        )
    return out


def plan_reports(
    cohorts: Mapping[str, Sequence[str]], *, team: str | None, quarter: str | None, all_reports: bool
) -> list[tuple[str, str]]:
    """The (team, quarter) pairs to build; a missing quarter means the team's latest cohort.

    ``cohorts`` maps each team of the data to its quarters with a training cohort
    (:attr:`DataFacts.cohorts`).

    >>> plan_reports({"east": ["2025Q2", "2025Q3"]}, team="east", quarter=None, all_reports=False)
    [('east', '2025Q3')]
    """
    known = list(cohorts)
    if all_reports:
        return [(t, q) for t in known for q in cohorts[t]]
    if team is None:
        raise TrackreportError("say which team (--team NAME) or ask for --all")
    if team not in known:
        raise TrackreportError(f"team {team!r} is not in the data (teams: {', '.join(known)})")
    quarters = list(cohorts[team])
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
    pdf: bool = False,
    cluster: str | None = None,
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
    pdf : bool
        Also print each published report to ``<team>-<quarter>.pdf`` beside its HTML
        (:mod:`.pdf`, headless Chromium; checked before anything runs).
    cluster : str, optional
        Address of a Dask scheduler (``tcp://host:8786``): the chapters run on its
        workers (:mod:`.cluster`) instead of local kernels; publishing stays here.
    """
    t_start = time.perf_counter()
    if pdf:
        from trackreport.report.pdf import INSTALL_HINT, ChromiumMissing, find_chromium

        if find_chromium() is None:
            raise ChromiumMissing(f"--pdf needs headless Chromium and CJK fonts: {INSTALL_HINT} (Debian)")
    data_dir, out = resolve_source(data_dir), Path(out).resolve()
    if team is not None:
        resolve(team, quarter or "2000Q1", overrides=overrides)  # fail fast on bad team/params
    out.mkdir(parents=True, exist_ok=True)
    client = None
    if cluster is not None:  # an unreachable scheduler is said before any work is done
        from trackreport.report.cluster import connect

        client = connect(cluster)
    try:
        with output_lock(out):  # one run per output folder; it first clears what a killed run left
            recover(out, log)
            staged: list[Path] = []
            try:
                run = _run_locked(
                    t_start, team, quarter, all_reports, data_dir, out, overrides, chapters, notebooks_dir,
                    workers, force, log, progress, staged, client,
                )  # fmt: skip
                if pdf:
                    _write_pdfs(run, log)
                return run
            finally:  # an interrupted or failed run leaves no staging folder behind
                for path in staged:
                    shutil.rmtree(path, ignore_errors=True)
    finally:
        if client is not None:
            client.close()


def _run_locked(
    t_start, team, quarter, all_reports, data_dir, out, overrides, chapters, notebooks_dir,
    workers, force, log, progress, staged, client,
) -> RunResult:  # fmt: skip
    chs = discover_chapters(notebooks_dir, chapters)
    kernels: list[Kernels] = []

    def start_kernels() -> None:  # when the data must be validated: the kernels start and import meanwhile
        if client is None and not kernels:
            n = max(1, min(workers or os.cpu_count() or 1, len(chs)))
            kernels.append(Kernels(n, warm_up=warm_up_code(ch.path for ch in chs)))

    try:
        return _plan_and_run(
            t_start, team, quarter, all_reports, data_dir, out, overrides, chapters, chs, workers, force, log,
            progress, staged, client, kernels, start_kernels,
        )  # fmt: skip
    finally:
        for k in kernels:  # not handed to run_jobs (an error, nothing to execute): stopped now
            k.kill()


def _plan_and_run(
    t_start, team, quarter, all_reports, data_dir, out, overrides, chapters, chs, workers, force, log,
    progress, staged, client, kernels, start_kernels,
) -> RunResult:  # fmt: skip
    cache, facts = _dataset_cache(data_dir, out, log, before_validate=start_kernels)
    data_fp = facts.fingerprint
    unavailable = plan_chapters(chs, facts.present, requested=chapters is not None, missing=facts.missing)
    pairs = plan_reports(facts.cohorts, team=team, quarter=quarter, all_reports=all_reports)
    for stem, needs in unavailable.items():
        log(f"not available: {stem} needs {', '.join(needs)}, which the data lack")
    package_fp = package_digest()

    jobs: list[Job] = []
    reports: list[dict] = []
    store_keys: set[str] = set()
    for t, q in pairs:
        params = resolve(t, q, overrides=overrides)
        params_yaml = params.to_yaml()
        store_keys.add(store_key(fingerprint=data_fp, team=t, quarter=q, params_yaml=params_yaml, package=package_fp))
        final = out / t / q
        staging = out / t / f".{q}.staging-{os.getpid()}"
        if staging.exists():
            shutil.rmtree(staging)
        staged.append(staging)
        (staging / "notebooks").mkdir(parents=True)
        (staging / "params.yaml").write_text(params_yaml, encoding="utf-8")
        old = read_build(final)
        keys, todo, reused = {}, [], []
        for ch in chs:
            if ch.stem in unavailable:
                continue
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
                unavailable=unavailable,
                todo=todo,
                reused=reused,
                old=old,
            )
        )

    if not jobs:
        for r in reports:
            shutil.rmtree(r["staging"])
        log("Everything is up to date: no notebook, package code, parameter or data changed; nothing re-executed.")
        with language_of(reports[0]["params"].lang if reports else "en"):  # the reports' language
            write_top_index(out, fingerprint=data_fp)
        return RunResult(
            [
                ReportResult(
                    r["params"].team, r["params"].quarter, r["final"], [], r["reused"], {}, False, "up to date"
                )
                for r in reports
            ],
            time.perf_counter() - t_start,
        )

    prune_results(cache.parent / "results", keep=store_keys)
    # the summary (chapter 00) runs last, on the recorded headlines of the other chapters; the
    # others start longest first (their time in the report's previous run), unknown ones in chapter order
    previous = {
        (r["params"].team, r["params"].quarter, c["stem"]): c.get("seconds") or None
        for r in reports
        if r["old"]
        for c in r["old"].get("chapters", [])
        if c.get("executed") and c.get("status") == "ok"
    }
    first = longest_first(
        [j for j in jobs if not j.chapter.is_summary],
        lambda j: previous.get((j.params.team, j.params.quarter, j.chapter.stem)),
    )
    last = [j for j in jobs if j.chapter.is_summary]
    by_staging = {r["staging"]: r for r in reports}

    def page_now(job: Job) -> None:  # as each chapter finishes, its page is rendered while the kernels go on
        prerender(by_staging[job.staging], chs, job)

    def record_then_summaries() -> list[Job]:
        for r in reports:
            done = {j.chapter.stem: j.metrics for j in r["todo"] if j.metrics is not None}
            record_chapter_metrics(r["staging"], chs, known=done)
        return last

    if client is not None:
        from trackreport.report.cluster import run_on_cluster

        if first:
            run_on_cluster(client, first, data_fp, log, progress)
        if last:
            run_on_cluster(client, record_then_summaries(), data_fp, log, progress)
    else:
        started = kernels.pop() if kernels else None  # run_jobs closes them
        if first:  # the summaries run after the other chapters, on the same warm kernels
            run_jobs(
                first, workers, log, progress, then=record_then_summaries if last else None,
                kernels=started, on_done=page_now,
            )  # fmt: skip
        else:
            run_jobs(record_then_summaries(), workers, log, progress, kernels=started, on_done=page_now)

    results = []
    for r in reports:
        results.append(publish(r, chs, data_dir, data_fp, log))
    with language_of(reports[0]["params"].lang if reports else "en"):  # the reports' language
        write_top_index(out, fingerprint=data_fp)
    run = RunResult(results, time.perf_counter() - t_start)
    _summary(run, jobs, log)
    return run


def _write_pdfs(run: RunResult, log: Callable[[str], None]) -> None:
    """Print every report that is published (or up to date) to a PDF beside its HTML."""
    from trackreport.report.pdf import write_pdf

    for r in run.reports:
        if (r.path / "build.json").is_file() and not r.failed:
            log(f"  {r.team} {r.quarter}: PDF -> {write_pdf(r.path)}")


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
        if r.unavailable:
            log(f"    {len(r.unavailable)} chapter(s) not available for lack of data (listed on the contents page)")
    warn = [j for j in jobs if j.stderr]
    for j in warn:
        log(f"  warning: {j.params.team} {j.params.quarter} {j.chapter.stem} wrote to stderr: {j.stderr[0][:200]!r}")
