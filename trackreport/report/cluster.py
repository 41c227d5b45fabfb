"""Running chapters on a Dask distributed cluster (``report --cluster tcp://host:8786``).

Each chapter of each report is one task. A worker runs its tasks on warm kernels that
it keeps between tasks (and between runs): the :class:`KernelPool` worker plugin owns
one long-lived kernel per worker thread, fed from a queue exactly as the local runner's
kernels are (:mod:`.execute`). What a task needs travels with it: the chapter notebook,
the report's ``params.yaml`` (and, for the summary, the other chapters' recorded
headlines), the data source's name and fingerprint. What it makes comes back to the
client: the executed notebook, its status and timing; the client renders and publishes
the reports atomically as in a local run (:mod:`.publish`).

The data are read by the worker from the shared source:

- the run's validated Parquet cache (``<out>/.cache/dataset-*``), when the worker sees
  the client's output folder (a shared file system) and the cache's fingerprint is the
  client's;
- otherwise the data folder at the same path, or the database URL, which the worker
  validates once into a cache of its own (in its ``local_directory``), refusing data
  whose fingerprint is not the client's.

Without ``--cluster`` nothing here is imported: local kernels stay the default.
"""

from __future__ import annotations

import fcntl
import json
import queue
import shutil
import sys
import tempfile
import threading
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from distributed import WorkerPlugin

from trackreport.errors import TrackreportError
from trackreport.report.catalog import ChapterNotebook
from trackreport.report.execute import Job, _error_text, _KernelWorker, finished_line, socket_folder
from trackreport.report.params import ReportParams

__all__ = ["ChapterTask", "ChapterOutcome", "KernelPool", "connect", "run_on_cluster"]

PLUGIN_NAME = "trackreport-kernels"
CONNECT_TIMEOUT = "10s"
SHIPPED_FILES = ("params.yaml", "chapter_metrics.json")
"""Files of a report's staging folder a chapter reads: its parameters, the summary's recorded headlines."""


@dataclass(frozen=True)
class ChapterTask:
    """Everything a worker needs to execute one chapter of one report."""

    params: ReportParams
    number: str
    slug: str
    title: str
    name: str  # notebook file name, e.g. 06_sales.ipynb
    notebook: str  # the chapter template's JSON text
    data: str  # folder path or database URL (without password)
    fingerprint: str
    dataset_cache: str  # the client's validated cache, used when the worker sees it
    package: str  # the client's package digest
    files: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class ChapterOutcome:
    """What a worker sends back: the executed notebook (JSON text) and how the chapter ended."""

    status: str
    error: str = ""
    timed_out: bool = False
    seconds: float = 0.0
    stderr: list[str] = field(default_factory=list)
    notebook: str | None = None
    worker: str = ""


# ------------------------------------------------------------------------------ worker


class KernelPool(WorkerPlugin):
    """A worker's warm kernels: one per worker thread, started at the first chapter, kept until the worker stops.

    Registered by the client with ``idempotent = True``, so a later run finds the
    kernels of the earlier one still warm.
    """

    name = PLUGIN_NAME
    idempotent = True

    def setup(self, worker: Any) -> None:
        self.address = str(worker.address)
        self.root = Path(worker.local_directory) / "trackreport"
        self.root.mkdir(parents=True, exist_ok=True)
        self.n_kernels = max(1, int(worker.state.nthreads))
        self._lock = threading.Lock()
        self._jobs: queue.Queue = queue.Queue()
        self._events: dict[int, threading.Event] = {}
        self._threads: list[_KernelWorker] = []
        self._sockets = ""

    def teardown(self, worker: Any) -> None:
        for _ in self._threads:
            self._jobs.put(None)
        for th in self._threads:
            th.join(timeout=10)
            th.kill_kernel()
        if self._sockets:
            shutil.rmtree(self._sockets, ignore_errors=True)

    def put(self, job: Job) -> None:
        """The kernels' "done" queue: wake the task waiting for ``job``."""
        self._events.pop(id(job)).set()

    def _start(self) -> None:
        with self._lock:
            if self._threads:
                return
            self._sockets = socket_folder()
            self._threads = [
                _KernelWorker(self._jobs, self, self._sockets, persistent=True) for _ in range(self.n_kernels)
            ]
            for th in self._threads:
                th.start()

    def run(self, task: ChapterTask) -> ChapterOutcome:
        """Execute one chapter on a warm kernel; the executed notebook comes back as text."""
        from trackreport.report.store import package_digest

        if task.package != package_digest():
            return ChapterOutcome(
                "failed",
                f"worker {self.address} runs other trackreport code than the client: "
                "install the same trackreport on every worker",
                worker=self.address,
            )
        try:
            cache = self._dataset(task)
        except (TrackreportError, OSError) as exc:
            return ChapterOutcome("failed", f"worker {self.address} cannot read the data: {exc}", worker=self.address)
        self._start()
        staging = Path(tempfile.mkdtemp(dir=self.root, prefix="chapter-"))
        try:
            (staging / "notebooks").mkdir()
            (staging / "template").mkdir()
            for name, text in task.files.items():
                (staging / name).write_text(text, encoding="utf-8")
            template = staging / "template" / task.name
            template.write_text(task.notebook, encoding="utf-8")
            chapter = ChapterNotebook(task.number, task.slug, task.title, template)
            job = Job(task.params, chapter, staging, cache, task.data, staging / "params.yaml")
            done = threading.Event()
            self._events[id(job)] = done
            self._jobs.put(job)
            done.wait()
            executed = staging / "notebooks" / task.name
            return ChapterOutcome(
                job.status,
                job.error,
                job.timed_out,
                job.seconds,
                list(job.stderr),
                executed.read_text(encoding="utf-8") if executed.is_file() else None,
                self.address,
            )
        finally:
            shutil.rmtree(staging, ignore_errors=True)

    def _dataset(self, task: ChapterTask) -> Path:
        """The validated cache to read: the client's when visible here, else one of this worker's own."""
        shared = Path(task.dataset_cache)
        if _cache_fingerprint(shared) == task.fingerprint:
            return shared
        from trackreport.data.cache import write_dataset
        from trackreport.data.source import load_source, source_label

        own = self.root / f"dataset-{task.fingerprint[:20]}"
        with _file_lock(self.root / "dataset.lock"):  # one validation per worker, however many threads ask
            if _cache_fingerprint(own) != task.fingerprint:
                ds = load_source(task.data)
                if ds.fingerprint != task.fingerprint:
                    raise TrackreportError(
                        f"it sees other data at {source_label(task.data)} than the client (fingerprint "
                        f"{ds.fingerprint[:12]}, not {task.fingerprint[:12]}): every worker needs the same data "
                        "folder at the same path (a shared file system) or the same database"
                    )
                write_dataset(ds, own)
        return own


def _cache_fingerprint(cache: Path) -> str | None:
    try:
        return json.loads((cache / "meta.json").read_text(encoding="utf-8")).get("fingerprint")
    except (OSError, ValueError):
        return None


@contextmanager
def _file_lock(path: Path) -> Iterator[None]:
    with open(path, "w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def run_chapter(task: ChapterTask) -> ChapterOutcome:
    """The task a worker runs: hand the chapter to the worker's :class:`KernelPool`."""
    from distributed import get_worker

    worker = get_worker()
    pool = worker.plugins.get(PLUGIN_NAME)
    if pool is None:
        raise TrackreportError(f"worker {worker.address} has no trackreport kernel pool")
    try:
        return pool.run(task)
    except Exception as exc:  # a broken worker fails its chapter, not the run
        return ChapterOutcome("failed", f"worker {worker.address}: {_error_text(exc)}", worker=str(worker.address))


# ------------------------------------------------------------------------------ client


def connect(address: str) -> Any:
    """A client of the scheduler at ``address`` with the kernel pool registered; a clear error if unreachable."""
    import logging

    from distributed import Client

    for name in ("distributed", "distributed.client", "distributed.comm"):
        logging.getLogger(name).setLevel(logging.CRITICAL)  # the error below says it once, plainly
    try:
        client = Client(address, timeout=CONNECT_TIMEOUT, set_as_default=False)
    except (OSError, TimeoutError, ValueError, TypeError) as exc:
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise TrackreportError(
            f"cannot reach a Dask scheduler at {address} ({reason}); start one with `dask scheduler` "
            "and workers with `dask worker ADDRESS`, or leave out --cluster to run on this machine"
        ) from None
    client.register_plugin(KernelPool(), name=PLUGIN_NAME)
    return client


def _task(job: Job, package: str, fingerprint: str) -> ChapterTask:
    files = {}
    for name in SHIPPED_FILES:
        path = job.staging / name
        if path.is_file():
            files[name] = path.read_text(encoding="utf-8")
    return ChapterTask(
        params=job.params,
        number=job.chapter.number,
        slug=job.chapter.slug,
        title=job.chapter.title,
        name=job.chapter.path.name,
        notebook=job.chapter.path.read_text(encoding="utf-8"),
        data=str(job.data_dir),
        fingerprint=fingerprint,
        dataset_cache=str(job.dataset_cache),
        package=package,
        files=files,
    )


def run_on_cluster(client: Any, jobs: list[Job], fingerprint: str, log: Callable[[str], None], progress: bool) -> None:
    """Execute ``jobs`` on the cluster; each executed notebook is written into its job's staging folder."""
    from distributed import as_completed

    from trackreport.report.store import package_digest

    package = package_digest()
    n_workers = len(client.scheduler_info().get("workers", {}))
    log(f"executing {len(jobs)} chapter(s) on the Dask cluster at {client.scheduler.address} ({n_workers} worker(s))")
    futures = {}
    run = uuid.uuid4().hex[:8]
    for job in jobs:
        key = f"trackreport-{job.params.team}-{job.params.quarter}-{job.chapter.stem}-{run}"
        futures[client.submit(run_chapter, _task(job, package, fingerprint), key=key, pure=False)] = job
    bar = None
    if progress:
        from tqdm import tqdm

        bar = tqdm(total=len(jobs), unit="chapter", file=sys.stderr, leave=True, dynamic_ncols=True)
    try:
        for future in as_completed(futures, loop=client.loop):
            job = futures[future]
            try:
                outcome = future.result()
            except Exception as exc:  # the worker died (KilledWorker) or the task was lost
                outcome = ChapterOutcome("failed", f"on the cluster: {_error_text(exc)}")
            _apply(job, outcome)
            if bar is not None:
                bar.update(1)
                bar.write(finished_line(job), file=sys.stderr)
            else:
                log(finished_line(job))
    except BaseException:  # Ctrl-C, SIGTERM: no new chapter starts
        client.cancel(list(futures))
        raise
    finally:
        if bar is not None:
            bar.close()


def _apply(job: Job, outcome: ChapterOutcome) -> None:
    job.status, job.error, job.timed_out = outcome.status, outcome.error, outcome.timed_out
    job.seconds, job.stderr = outcome.seconds, list(outcome.stderr)
    if outcome.notebook is not None:
        (job.staging / "notebooks" / job.chapter.path.name).write_text(outcome.notebook, encoding="utf-8")
