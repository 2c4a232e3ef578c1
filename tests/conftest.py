"""Shared fixtures: the small study table, a way to write altered copies of it, and the renders
of the repository's review that the report tests share."""

import concurrent.futures
import csv
import functools
import os
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import matplotlib
import pytest

matplotlib.use("Agg")

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(__file__).parent / "data"
SMALL = DATA / "studies_small.csv"
#: The protocol of the small fixture; copy it beside data/ to make a folder an evidence base.
SMALL_PROTOCOL = DATA / "evsum.toml"


@pytest.fixture
def small_rows() -> list[dict]:
    """Records of tests/data/studies_small.csv as dicts of strings."""
    with open(SMALL, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture
def write_csv(tmp_path):
    """Write records (dicts) to a CSV in tmp_path and return its path."""

    def write(rows: list[dict], name: str = "studies.csv", fields: list[str] | None = None):
        path = tmp_path / name
        fields = fields or list(rows[0].keys())
        with open(path, "w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(
                handle, fieldnames=fields, lineterminator="\n", extrasaction="ignore"
            )
            writer.writeheader()
            writer.writerows(rows)
        return path

    return write


@pytest.fixture(autouse=True)
def _no_ci_progress(monkeypatch):
    monkeypatch.setenv("MPLBACKEND", "Agg")
    os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")


# --- renders shared by the whole session -----------------------------------------------------
# Rendering the repository's review takes a minute or more; every test that only reads its
# pages uses one render (and one PDF per page) per session instead of one per module. Tests
# that change inputs render a small base of their own. Under pytest-xdist (pyproject's addopts)
# the modules that share the render run on one worker (pytest_xdist_make_scheduler below), so
# it is rendered once per run.


@dataclass(frozen=True)
class Site:
    """An evidence base rendered into a folder: the base's root, its reports and the jobs."""

    root: Path
    out: Path
    jobs: list

    def job(self, name: str):
        """The job of the report ``name`` (``alcohol``, ``methods``, …)."""
        return next(job for job in self.jobs if job.name == name)


def copy_base(source: Path, target: Path) -> Path:
    """Copy an evidence base (protocol, data and the notebooks' files) to ``target``."""
    target.mkdir(parents=True)
    shutil.copy(source / "evsum.toml", target / "evsum.toml")
    shutil.copytree(source / "data", target / "data")
    shutil.copytree(source / "notebooks", target / "notebooks")  # the symlinks' targets
    return target


@pytest.fixture(scope="session")
def review_site(tmp_path_factory) -> Site:
    """The repository's review rendered with every report notebook, from a copy of the base.

    Read-only: a test that would change a page or an input makes its own base."""
    from evsum.render.batch import plan_reports, render_all

    root = copy_base(ROOT, tmp_path_factory.mktemp("review") / "base")
    out = root / "reports"
    jobs = plan_reports(root / "data" / "studies.csv", root / "notebooks", out)
    summary = render_all(jobs, out, quiet=True, workers=2)
    assert not summary.failed, [(r.job.name, r.error) for r in summary.failed]
    return Site(root, out, jobs)


@pytest.fixture(scope="session")
def review_pdfs(review_site) -> list[Path]:
    """A PDF of each page of ``review_site`` (``evsum render --pdf``), in the jobs' order."""
    from evsum.render.pdf import write_pdfs

    from browser import need_browser

    need_browser("pypdf")
    # in a thread of its own: a module's browser (Playwright's sync API, an asyncio loop) may
    # be open in this one when the first test asks for the PDFs
    with concurrent.futures.ThreadPoolExecutor(1) as thread:
        return thread.submit(write_pdfs, [job.html_path for job in review_site.jobs]).result()


#: Fixtures shared by the session: the modules that use one run on one xdist worker.
SHARED_RENDERS = ("review_site", "review_pdfs")
_MODULE_SCOPES = ('scope="module"', 'scope="session"')


@functools.cache
def _work_unit(root: Path, module: str) -> str | None:
    """The xdist work unit of the tests of ``module`` (a path from the root): one unit for
    every module that uses a shared render, the module itself if it sets up a module- or
    session-scoped fixture of its own (once per worker that runs it), else none (each test
    goes to whichever worker is free)."""
    path = root / module
    if path.suffix != ".py" or not path.is_file():
        return None
    source = path.read_text(encoding="utf-8")
    if any(re.search(rf"\b{name}\b", source) for name in SHARED_RENDERS):
        return "shared-renders"
    if any(scope in source for scope in _MODULE_SCOPES):
        return module
    return None


def pytest_xdist_make_scheduler(config, log):
    """Send the tests to the workers by work unit (``_work_unit``).

    xdist's own ``--dist loadgroup`` would do this with markers, but it renames the tests'
    node ids in a way pytest 9 ignores, so the units are told to the scheduler here."""
    from xdist.scheduler import LoadScopeScheduling

    class ByWorkUnit(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return _work_unit(config.rootpath, nodeid.split("::")[0]) or nodeid

    return ByWorkUnit(config, log)
