"""The kernels' environment (trackreport/report/execute.py)."""

from __future__ import annotations

import subprocess
import sys

from trackreport.report.execute import ARROW_POOL, MALLOC_MMAP, RESET_CELL, _kernel_env


def test_kernels_allocate_arrow_memory_with_malloc_unless_the_user_chose(monkeypatch):
    monkeypatch.delenv(ARROW_POOL[0], raising=False)
    env = _kernel_env()
    assert env[ARROW_POOL[0]] == "system"
    probe = "import pyarrow; print(pyarrow.default_memory_pool().backend_name)"
    out = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "system"
    monkeypatch.setenv(ARROW_POOL[0], "jemalloc")
    assert _kernel_env()[ARROW_POOL[0]] == "jemalloc"


def test_kernels_hand_freed_heap_blocks_back_unless_the_user_chose(monkeypatch):
    monkeypatch.delenv(MALLOC_MMAP[0], raising=False)
    assert _kernel_env()[MALLOC_MMAP[0]] == str(4 * 2**20)
    monkeypatch.setenv(MALLOC_MMAP[0], "65536")
    assert _kernel_env()[MALLOC_MMAP[0]] == "65536"


def test_the_runner_imports_papermill_without_pyarrow():
    probe = (
        "import sys\n"
        "from trackreport.report.execute import import_papermill\n"
        "import_papermill()\n"
        "print('papermill.engines' in sys.modules, 'pyarrow' in sys.modules)\n"
        "import pyarrow.parquet\n"  # still importable afterwards
        "print('pyarrow' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["True", "False", "True"]


def test_the_reset_cell_releases_memory_after_every_cell_once_per_kernel():
    # in a child process: an IPython shell takes over sys.modules["__main__"], which %reset empties
    probe = f"""
from IPython.core.interactiveshell import InteractiveShell
import trackreport.data.cache as cache
calls = []
cache.release_memory = lambda **kw: calls.append(kw)
shell = InteractiveShell.instance()
for _ in range(2):  # two chapters on one kernel
    assert shell.run_cell({RESET_CELL!r}).success
    assert "_release" not in shell.user_ns
print(sum(f is cache._release_after_cell for f in shell.events.callbacks["post_run_cell"]))
calls.clear()
shell.run_cell("x = 1")
print(calls)
"""
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert out.stdout.splitlines() == ["1", "[{'collect': False}]"]
