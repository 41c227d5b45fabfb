"""Fixtures of the report tests: the system's headless Chromium (PDF and browser tests)."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def chromium() -> str:
    """Debian's Chromium executable; the test is skipped, saying what to install, when there is none.

    Nothing downloads a browser (no ``playwright install``): the PDF and the browser tests
    drive the system's ``/usr/bin/chromium``.
    """
    from trackreport.report.pdf import INSTALL_HINT, find_chromium

    exe = find_chromium()
    if exe is None:
        pytest.skip(f"headless Chromium not found: {INSTALL_HINT} (as root) to run the PDF and browser tests")
    return exe
