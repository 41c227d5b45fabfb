"""The kernels' environment (trackreport/report/execute.py)."""

from __future__ import annotations

import subprocess
import sys

from trackreport.report.execute import ARROW_POOL, _kernel_env


def test_kernels_allocate_arrow_memory_with_malloc_unless_the_user_chose(monkeypatch):
    monkeypatch.delenv(ARROW_POOL[0], raising=False)
    env = _kernel_env()
    assert env[ARROW_POOL[0]] == "system"
    probe = "import pyarrow; print(pyarrow.default_memory_pool().backend_name)"
    out = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "system"
    monkeypatch.setenv(ARROW_POOL[0], "jemalloc")
    assert _kernel_env()[ARROW_POOL[0]] == "jemalloc"
