"""Fixtures shared by every test package."""
from __future__ import annotations

import os
import shutil

import pytest


@pytest.fixture(scope="session")
def chromium():
    """Path of a Chromium executable for the real-browser tests.

    In CI (``CI`` set) a missing browser is a failure, not a skip: `.ci/run` installs Debian's
    ``chromium``. Elsewhere the browser tests are skipped without it.
    """
    for name in ("chromium", "chromium-browser", "google-chrome"):
        exe = shutil.which(name)
        if exe:
            return exe
    if os.environ.get("CI"):
        pytest.fail("CI is set but no chromium is installed: apt-get install -y chromium")
    pytest.skip("no chromium on this machine (apt-get install chromium)")


@pytest.fixture(scope="session")
def playwright_api():
    """``playwright.sync_api`` (drives the system Chromium; no ``playwright install``). Required in CI."""
    if os.environ.get("CI"):
        from playwright import sync_api

        return sync_api
    return pytest.importorskip("playwright.sync_api")
