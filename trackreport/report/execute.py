"""Executing chapter notebooks: long-lived kernels (one per core) run papermill on each job.

The heavy imports are paid once per kernel: a worker thread owns one kernel and its
client and runs job after job on it, resetting the namespace between notebooks through
a small papermill engine that reuses the client. A kernel that dies or fails to start
fails its chapter, not the run.
"""

from __future__ import annotations

import os
import queue
import shutil
import signal
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import nbformat

from trackreport.i18n import translate_notebook
from trackreport.paths import PROJ_ROOT
from trackreport.report.catalog import ChapterNotebook
from trackreport.report.params import ReportParams


@dataclass
class Job:
    """One chapter of one report to execute."""

    params: ReportParams
    chapter: ChapterNotebook
    staging: Path
    dataset_cache: Path
    data_dir: str | Path
    params_file: Path
    status: str = "pending"
    error: str = ""
    timed_out: bool = False
    seconds: float = 0.0
    stderr: list[str] = field(default_factory=list)
    metrics: list[dict] | None = None  # its headlines, read once it has run (runner.prerender)
    page_nav: dict | None = None  # the navigation its page was rendered with, if it was

    @property
    def timeout(self) -> int:
        """Seconds the chapter may run (``chapter_timeout_seconds`` of its parameters)."""
        return self.params.chapter_timeout_seconds


def _kill(km: Any) -> None:
    """SIGKILL a kernel's process, if it runs (the worker then sees a dead kernel)."""
    process = getattr(getattr(km, "provisioner", None), "process", None)
    pid = getattr(process, "pid", None)
    if pid:
        try:
            os.kill(pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass


class _KernelWorker(threading.Thread):
    """A thread owning one kernel; runs jobs from a queue, one notebook after another.

    It stops when the queue is empty, or, when ``persistent`` (a cluster worker's kernel,
    :mod:`.cluster`), waits for more jobs until it takes ``None`` from the queue.
    """

    def __init__(
        self,
        jobs: queue.Queue,
        done: Any,
        sockets: str,
        kernel_name: str = "python3",
        *,
        persistent: bool = False,
        warm_up: str = "",
        eager: bool = False,
    ) -> None:
        super().__init__(daemon=True)
        self.jobs, self.done, self.kernel_name = jobs, done, kernel_name
        self.sockets, self.starts, self.persistent = sockets, 0, persistent
        self.warm_up, self.eager = warm_up, eager
        self.km: Any = None  # the kernel manager in use, for kill_kernel()

    def kill_kernel(self) -> None:
        """Kill this worker's kernel process now (timeout, or the run is stopping)."""
        _kill(self.km)

    def run(self) -> None:
        import asyncio

        from jupyter_client.manager import AsyncKernelManager

        asyncio.set_event_loop(asyncio.new_event_loop())
        loop = asyncio.get_event_loop()
        km = kc = None

        def start() -> None:
            nonlocal km, kc
            self._shutdown(loop, km, kc)
            km = kc = None
            # IPC sockets in a private folder: no TCP port, one path per kernel
            km = AsyncKernelManager(
                kernel_name=self.kernel_name,
                transport="ipc",
                ip=str(Path(self.sockets) / f"kernel-{id(self)}-{self.starts}"),
            )
            self.starts += 1
            self.km = km
            loop.run_until_complete(km.start_kernel(cwd=str(PROJ_ROOT), env=_kernel_env()))
            kc = km.client()
            kc.start_channels()
            loop.run_until_complete(kc.wait_for_ready(timeout=120))
            if self.warm_up:
                _warm(loop, km, kc, self.warm_up)

        try:
            if self.eager:  # start (and warm) the kernel before the first job is there
                try:
                    start()
                except Exception:
                    pass  # started again, and its error reported, when a job comes
            while True:
                try:
                    job = self.jobs.get() if self.persistent else self.jobs.get_nowait()
                except queue.Empty:
                    return
                if job is None:
                    return
                try:
                    if km is None or not loop.run_until_complete(km.is_alive()):
                        start()
                except Exception as exc:
                    job.status, job.error = "failed", f"the kernel did not start: {_error_text(exc)}"
                else:
                    timer = threading.Timer(job.timeout, self._time_out, args=(job,))
                    timer.daemon = True
                    timer.start()
                    try:
                        _execute(job, km, kc)
                    finally:
                        timer.cancel()
                    if job.timed_out:
                        job.status = "failed"
                        job.error = (
                            f"stopped after {job.timeout} s (chapter_timeout_seconds in params/); its kernel was killed"
                        )
                self.done.put(job)
        finally:
            self._shutdown(loop, km, kc)
            self.km = None
            loop.close()

    def _time_out(self, job: Job) -> None:
        job.timed_out = True
        self.kill_kernel()

    @staticmethod
    def _shutdown(loop: Any, km: Any, kc: Any) -> None:
        if kc is not None:
            kc.stop_channels()
        if km is not None:
            try:
                loop.run_until_complete(km.shutdown_kernel(now=True))
            except Exception:
                pass


#: pyarrow's allocator in the runner and its kernels: the C library's (``malloc``), which hands
#: freed memory back (``malloc_trim`` in :func:`trackreport.data.cache.release_memory`);
#: mimalloc, pyarrow's default, keeps it. At 10x the sample a chapter's peak is ~120 MB
#: lower and nothing else changes (a user's own ``ARROW_DEFAULT_MEMORY_POOL`` wins).
ARROW_POOL = ("ARROW_DEFAULT_MEMORY_POOL", "system")

#: glibc's threshold above which an allocation gets its own mapping, returned to the system
#: when freed. Left alone, glibc raises it as large blocks are freed (up to 32 MB), so the
#: buffers of an aggregation over a large table end up in the heap and stay resident after
#: it (a "plateau" of ~300 MB per kernel at 10x the sample, until the cell ends). Fixed at
#: 4 MB, they are handed back as they are freed (a user's own setting wins).
MALLOC_MMAP = ("MALLOC_MMAP_THRESHOLD_", str(4 * 2**20))


#: The hidden first cell of every chapter run on a kernel: a clean namespace, and freed memory
#: handed back after each cell (:func:`trackreport.data.cache.release_after_cells`), so a kernel
#: between two heavy cells does not sit on the last one's garbage while the others peak.
RESET_CELL = (
    "%reset -f\n"
    "from trackreport.data.cache import release_after_cells as _release\n"
    "_release(get_ipython())\n"
    "del _release"
)


def warm_up_code(notebooks: Iterable[Path]) -> str:
    """Code that a new kernel runs before its first chapter: the chapters' imports, then ``gc.freeze()``.

    The imports are the ``import`` statements at the top level of the notebooks' code
    cells, run inside a function (the user namespace stays empty), so the kernel pays for
    them while the runner validates the data. ``gc.freeze()`` then moves every object
    they made (modules, functions, classes: ~140,000 objects, none of them garbage) out of
    the cyclic garbage collector's sight: the ``%reset -f`` before each chapter collects
    twice, and each full collection scanned them all (0.2-0.5 s a reset on the sample).
    Nothing a chapter computes is frozen.

    >>> import nbformat, tempfile
    >>> nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("import math\\nx = 1\\nfrom os import path as p")])
    >>> path = Path(tempfile.mkdtemp()) / "01_x.ipynb"
    >>> nbformat.write(nb, path)
    >>> print(warm_up_code([path, path]))
    def _trackreport_warm_up():
        import gc
        import math
        from os import path as p
        gc.collect()
        gc.freeze()
    _trackreport_warm_up()
    del _trackreport_warm_up
    """
    import ast
    import json

    statements: list[str] = []
    for path in notebooks:
        try:  # plain JSON: nbformat's schema validation costs ~50 ms a notebook
            cells = json.loads(Path(path).read_text(encoding="utf-8")).get("cells", [])
        except (OSError, ValueError, AttributeError):
            continue
        for cell in cells:
            if cell.get("cell_type") != "code":
                continue
            source = cell.get("source", "")
            try:
                tree = ast.parse("".join(source) if isinstance(source, list) else source)
            except SyntaxError:  # IPython syntax (magics): no imports taken from this cell
                continue
            for node in tree.body:
                if isinstance(node, ast.Import | ast.ImportFrom) and ast.unparse(node) not in statements:
                    statements.append(ast.unparse(node))
    body = ["import gc", *statements, "gc.collect()", "gc.freeze()"]
    return "\n".join(
        [
            "def _trackreport_warm_up():",
            *("    " + line for line in body),
            "_trackreport_warm_up()",
            "del _trackreport_warm_up",
        ]
    )


def _warm(loop: Any, km: Any, kc: Any, code: str, *, timeout: float = 300.0) -> None:
    """Run ``code`` on a new kernel silently (no history, no output kept) and wait for its reply.

    Only the shell reply is awaited: a new kernel's first IOPub messages can be published
    before the client's subscription is connected (waiting for them hung a restarted
    kernel); nbclient skips the leftovers, which name another request. An error in the
    code is ignored: the chapters then import what the warm-up could not, and report
    their own errors. A kernel that dies meanwhile is started again by the next job.
    """
    import queue as _queue

    async def run() -> None:
        msg_id = kc.execute(code, silent=True, store_history=False)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                reply = await kc.get_shell_msg(timeout=1.0)
            except _queue.Empty:
                if not await km.is_alive():
                    return
                continue
            if reply.get("parent_header", {}).get("msg_id") == msg_id:
                return

    try:
        loop.run_until_complete(run())
    except Exception:
        pass


def _kernel_env() -> dict[str, str]:
    env = dict(os.environ)
    env["MPLBACKEND"] = "module://matplotlib_inline.backend_inline"
    env["PYDEVD_DISABLE_FILE_VALIDATION"] = "1"
    env["PYTHONWARNINGS"] = "default"
    env.setdefault(*ARROW_POOL)
    env.setdefault(*MALLOC_MMAP)
    return env


def import_papermill() -> None:
    """Import papermill in the runner without loading pyarrow (and numpy) with it.

    ``papermill.iorw`` imports ``pyarrow.fs`` for ``hdfs://`` notebook paths, which the
    runner never uses (it passes notebooks and local paths); papermill catches the
    ImportError. That import alone kept ~75 MB resident in the runner while the kernels
    run. Call it from the main thread before the kernel threads start: pyarrow is
    hidden from imports only while papermill loads, and only if nothing loaded it yet.
    """
    if "papermill" in sys.modules or "pyarrow" in sys.modules:
        import papermill

        return
    sys.modules["pyarrow"] = None  # type: ignore[assignment]  # `import pyarrow...` raises ImportError
    try:
        import papermill.engines  # noqa: F401  (imports papermill.iorw)
    finally:
        if "pyarrow" in sys.modules and sys.modules["pyarrow"] is None:
            del sys.modules["pyarrow"]


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
        translate_notebook(nb, job.params.lang)  # the narrative in the report's language (never the global one:
        # kernel threads run side by side)
        nb.cells.insert(0, new_code_cell(RESET_CELL, metadata={"tags": ["trackreport-reset"]}))
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
            execution_timeout=job.timeout + 60,
        )
        job.stderr = _stderr_of(executed)
        job.status = "ok"
    except Exception as exc:
        job.status = "failed"
        job.error = _error_text(exc)
    job.seconds = time.perf_counter() - t0


def _error_text(exc: Exception) -> str:
    name = type(exc).__name__
    if name == "DeadKernelError":
        return "the kernel died while running this chapter (it crashed or was killed); the next chapter gets a new one"
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


def socket_folder() -> str:
    """A new private folder for kernels' IPC sockets (the caller removes it)."""
    sockets = tempfile.mkdtemp(prefix="trackreport-kernels-")
    if len(sockets) > 60:  # a Unix socket path holds at most ~107 bytes: a long TMPDIR would stop kernels
        os.rmdir(sockets)
        sockets = tempfile.mkdtemp(prefix="trackreport-kernels-", dir="/tmp")
    return sockets


def finished_line(job: Job) -> str:
    """One line saying how a job ended, for the log or the progress bar."""
    mark = "ok" if job.status == "ok" else f"FAILED ({job.error})"
    return f"{job.params.team} {job.params.quarter} · {job.chapter.title}: {mark} in {job.seconds:.1f} s"


class Kernels:
    """Long-lived kernels, each owned by a thread that takes jobs from :attr:`todo` until it takes ``None``.

    The runner starts them (``eager``) as soon as it knows it will execute chapters, while
    it validates the data: the kernels then start and import in parallel with it.
    :meth:`close` stops them (idempotent).
    """

    def __init__(self, n: int, *, warm_up: str = "", eager: bool = True) -> None:
        import_papermill()  # before the threads: it hides pyarrow from imports for a moment
        self.todo: queue.Queue = queue.Queue()
        self.done: queue.Queue = queue.Queue()
        self.sockets = socket_folder()
        self.threads = [
            _KernelWorker(self.todo, self.done, self.sockets, persistent=True, warm_up=warm_up, eager=eager)
            for _ in range(max(1, n))
        ]
        for th in self.threads:
            th.start()
        self.closed = False

    def __len__(self) -> int:
        return len(self.threads)

    def kill(self) -> None:
        """No new chapter starts; every kernel is killed (Ctrl-C, SIGTERM)."""
        while True:
            try:
                self.todo.get_nowait()
            except queue.Empty:
                break
        for th in self.threads:
            th.kill_kernel()
        self.close()
        for th in self.threads:
            th.kill_kernel()

    def close(self) -> None:
        """Stop every kernel's thread at its next ``None``, shutting its kernel down; wait for them."""
        if self.closed:
            return
        self.closed = True
        for _ in self.threads:
            self.todo.put(None)
        for th in self.threads:
            if th.is_alive():
                th.join(timeout=30)
        shutil.rmtree(self.sockets, ignore_errors=True)


def longest_first(jobs: list[Job], seconds: Callable[[Job], float | None]) -> list[Job]:
    """The jobs in the order to start them: longest expected first (LPT), the unknown ones before all.

    ``seconds(job)`` is a job's expected time (e.g. its chapter's time in the previous
    run) or ``None`` when unknown. Starting the longest first keeps a long chapter from
    starting last while the other kernels idle. Ties and unknown ones keep their order.

    >>> class J:
    ...     def __init__(self, name, s): self.name, self.s = name, s
    >>> order = longest_first([J("01", 1.0), J("02", None), J("03", 3.0), J("04", 2.0)], lambda j: j.s)
    >>> [j.name for j in order]
    ['02', '03', '04', '01']
    """
    expected = [seconds(j) for j in jobs]
    ranked = sorted(range(len(jobs)), key=lambda i: (expected[i] is not None, -(expected[i] or 0.0), i))
    return [jobs[i] for i in ranked]


def run_jobs(
    jobs: list[Job],
    workers: int | None,
    log: Callable[[str], None],
    progress: bool,
    *,
    then: Callable[[], list[Job]] | None = None,
    kernels: Kernels | None = None,
    on_done: Callable[[Job], None] | None = None,
) -> None:
    """Execute ``jobs``, in their order, on long-lived kernels (``workers`` of them, default one per core).

    ``then``, when given, is called once every job has finished and returns more jobs,
    which run on the same, still warm kernels (the summary after the other chapters).
    ``kernels`` are kernels started earlier (:class:`Kernels`); they are closed here.
    ``on_done(job)`` is called in this thread as each job finishes, while the kernels
    carry on with the next ones (the runner renders the chapter's page there).
    """
    if kernels is None:
        n = max(1, min(workers or os.cpu_count() or 1, len(jobs)))
        kernels = Kernels(n, warm_up=warm_up_code(dict.fromkeys(j.chapter.path for j in jobs)), eager=False)
    n_workers = len(kernels)
    log(f"executing {len(jobs)} chapter(s) on {n_workers} kernel(s)")
    every = list(jobs)
    try:
        for j in jobs:
            kernels.todo.put(j)
        last = _collect(jobs, kernels.threads, kernels.done, log, progress, on_done, defer_last=then is not None)
        more = then() if then is not None else []
        if more:
            every += more
            log(f"executing {len(more)} chapter(s) on the same {n_workers} kernel(s)")
            for j in more:
                kernels.todo.put(j)
        if last is not None and on_done is not None:  # while the summaries run
            on_done(last)
        if more:
            _collect(more, kernels.threads, kernels.done, log, progress, on_done)
    except BaseException:  # Ctrl-C, SIGTERM: no new chapter starts, every kernel is killed
        kernels.kill()
        raise
    finally:
        kernels.close()  # each kernel's thread stops at its None, shutting its kernel down
    for j in every:
        if j.status == "pending":
            j.status, j.error = "failed", "the kernel running this chapter stopped"


def _collect(
    jobs: list[Job],
    threads: list,
    done: queue.Queue,
    log: Callable[[str], None],
    progress: bool,
    on_done: Callable[[Job], None] | None = None,
    *,
    defer_last: bool = False,
) -> Job | None:
    """Wait for every job, reporting each as it finishes (and handing it to ``on_done``).

    With ``defer_last``, the last job to finish is returned instead of handed to ``on_done``,
    so that the caller can start the next jobs first.
    """
    bar = None
    if progress:
        from tqdm import tqdm

        bar = tqdm(total=len(jobs), unit="chapter", file=sys.stderr, leave=True, dynamic_ncols=True)
    finished = 0
    try:
        while finished < len(jobs):
            try:
                job = done.get(timeout=1.0)
            except queue.Empty:
                if not any(th.is_alive() for th in threads) and done.empty():
                    break
                continue
            finished += 1
            line = finished_line(job)
            if bar is not None:
                bar.set_postfix_str(f"{job.params.team} {job.params.quarter} {job.chapter.number}", refresh=False)
                bar.update(1)
                bar.write(line, file=sys.stderr)
            else:
                log(line)
            if defer_last and finished == len(jobs):
                return job
            if on_done is not None:
                on_done(job)
    finally:
        if bar is not None:
            bar.close()
    return None
