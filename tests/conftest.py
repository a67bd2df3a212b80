"""Fixtures shared by every test package."""
from __future__ import annotations

import os
import shutil

import pytest


MAX_XDIST_WORKERS = 4
"""``-n auto`` (the README's test command) starts at most this many workers: the suite is some
1,400 tests whose heaviest files take a minute; more workers mostly add start-up and memory."""


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_auto_num_workers(config):
    """Workers for ``-n auto``: the usable cores, at most :data:`MAX_XDIST_WORKERS` (CI: 2).
    ``--dist loadfile`` (in the same command) keeps each test file in one worker: the PostgreSQL
    tests share one database, and module fixtures are built once."""
    return max(1, min(MAX_XDIST_WORKERS, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity")
                      else (os.cpu_count() or 1)))


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
