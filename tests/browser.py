"""The browser the report and JupyterLab tests drive: Debian's chromium through Playwright."""

import importlib
import os

import pytest

from evsum.render.pdf import CHROMIUM


def need_browser(*modules: str) -> None:
    """Skip the test where chromium or a browser package is missing; in CI, fail instead.

    ``modules`` are the packages the test needs besides Playwright (``axe_playwright_python``,
    ``pypdf``).
    """
    problem = None
    if not CHROMIUM.exists():
        problem = f"{CHROMIUM} is missing (make test installs it: apt-get install chromium)"
    else:
        for module in ("playwright.sync_api", *modules):
            try:
                importlib.import_module(module)
            except ImportError:
                problem = f"{module.split('.')[0]} is not installed (pip install -e '.[dev]')"
                break
    if problem and os.environ.get("CI"):
        pytest.fail(f"browser tests must run in CI: {problem}")
    if problem:
        pytest.skip(problem)
