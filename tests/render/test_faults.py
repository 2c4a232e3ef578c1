"""Faults during a render: the main process killed alone, a stale lock, an output folder that
cannot be written, a full build folder. Nothing outlives the render, nothing is half written.
"""

import concurrent.futures
import errno
import fcntl
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest
from click.testing import CliRunner

from evsum.cli import main
from evsum.render.batch import LOCK_FILE, plan_reports, render_all

from conftest import ROOT, SMALL

pytestmark = pytest.mark.notebook

EVSUM = [sys.executable, "-m", "evsum"]


@pytest.fixture
def workspace(tmp_path):
    """A data folder with the fixture table and the report template."""
    (tmp_path / "data").mkdir()
    shutil.copy(SMALL, tmp_path / "data" / "studies.csv")
    (tmp_path / "notebooks").mkdir()
    shutil.copy(ROOT / "notebooks" / "condition_report.ipynb", tmp_path / "notebooks")
    return tmp_path


def _render_command(root: Path, notebooks: Path, *extra: str) -> list[str]:
    return [
        *EVSUM,
        "render",
        "--data",
        str(root / "data" / "studies.csv"),
        "--notebooks",
        str(notebooks),
        "--out",
        str(root / "reports"),
        "--build",
        str(root / "build"),
        "--quiet",
        *extra,
    ]


def _with_extra_cell(workspace: Path, source: str) -> Path:
    """A notebooks folder whose template runs ``source`` after its parameters."""
    folder = workspace / "slow_notebooks"
    folder.mkdir()
    book = nbformat.read(workspace / "notebooks" / "condition_report.ipynb", as_version=4)
    book.cells.insert(2, nbformat.v4.new_code_cell(source))
    nbformat.write(book, folder / "condition_report.ipynb")
    return folder


def _processes() -> dict[int, tuple[int, str]]:
    """Running processes: pid -> (parent pid, state), from /proc."""
    found = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rpartition(")")[2].split()
            except OSError:
                continue
            found[int(entry.name)] = (int(fields[1]), fields[0])
    return found


def _descendants(pid: int) -> set[int]:
    table = _processes()
    found, frontier = set(), {pid}
    while frontier:
        frontier = {p for p, (parent, _) in table.items() if parent in frontier} - found
        found |= frontier
    return found


def _alive(pids: set[int]) -> set[int]:
    table = _processes()
    return {p for p in pids if p in table and table[p][1] != "Z"}


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc (Linux)")
def test_killing_the_main_process_alone_leaves_no_orphan_and_the_next_render_works(workspace):
    slow = _with_extra_cell(workspace, "import time\ntime.sleep(120)")
    render = subprocess.Popen(
        _render_command(workspace, slow, "--workers", "2"),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    family: set[int] = set()
    try:
        # wait for both workers and their kernels (4 descendants: 2 workers, 2 kernels)
        deadline = time.monotonic() + 180
        while len(_descendants(render.pid)) < 4 and time.monotonic() < deadline:
            assert render.poll() is None, render.communicate()
            time.sleep(0.5)
        family = _descendants(render.pid)
        assert len(family) >= 4, family
        os.kill(render.pid, signal.SIGKILL)  # the main process only, not its group
        render.wait()
        deadline = time.monotonic() + 30
        while _alive(family) and time.monotonic() < deadline:
            time.sleep(0.5)
        assert not _alive(family), "workers or kernels outlived the render"
    finally:
        if render.poll() is None:
            render.kill()
        for pid in _alive(family):  # only if the test failed: no orphan left behind
            os.kill(pid, signal.SIGKILL)
    assert (workspace / "reports" / LOCK_FILE).read_text().split() == [str(render.pid)]
    after = subprocess.run(
        _render_command(workspace, workspace / "notebooks"),
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert after.returncode == 0, after.stderr
    assert (workspace / "reports" / "alcohol.html").exists()


def test_a_lock_whose_holder_died_is_taken_over(workspace):
    out = workspace / "reports"
    out.mkdir()
    dead = subprocess.Popen(["true"])
    dead.wait()
    with open(out / LOCK_FILE, "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        handle.write(f"{dead.pid}\n")
        handle.flush()
        # an orphan that inherited the lock, as a pool worker of a killed render would
        orphan = subprocess.Popen(["sleep", "60"], pass_fds=(handle.fileno(),))
    try:
        with open(out / LOCK_FILE) as probe, pytest.raises(BlockingIOError):
            fcntl.flock(probe, fcntl.LOCK_EX | fcntl.LOCK_NB)  # still held by the orphan
        jobs = plan_reports(
            workspace / "data" / "studies.csv", workspace / "notebooks", out, only="cocaine"
        )
        with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
            summary = render_all(jobs, out, quiet=True, executor=pool)
        assert [r.status for r in summary.results] == ["rendered"]
    finally:
        orphan.kill()
        orphan.wait()
    assert (out / LOCK_FILE).read_text().split() == [str(os.getpid())]


def test_a_lock_held_by_a_running_render_is_respected(workspace):
    out = workspace / "reports"
    out.mkdir()
    with open(out / LOCK_FILE, "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        handle.write(f"{os.getpid()}\n")
        handle.flush()
        result = CliRunner().invoke(
            main,
            [
                "render",
                "--data",
                str(workspace / "data" / "studies.csv"),
                "--notebooks",
                str(workspace / "notebooks"),
                "--out",
                str(out),
                "--quiet",
            ],
        )
    assert result.exit_code == 3, result.output  # the reports could not be written
    assert f"(process {os.getpid()}) is writing to {out}" in result.output


def test_a_read_only_output_folder_exits_3_with_one_line(workspace, monkeypatch):
    from evsum.render import batch, report

    out = workspace / "reports"
    out.mkdir()
    (out / "alcohol.html").write_text("last good report\n")
    before = sorted(p.name for p in out.iterdir())
    out.chmod(0o555)
    # root ignores permissions: refuse writes under out/ as a read-only mount would
    real_open, real_mkstemp = open, report.tempfile.mkstemp

    def refuse(path):
        if Path(path).resolve().is_relative_to(out.resolve()):
            raise PermissionError(errno.EROFS, os.strerror(errno.EROFS), str(path))

    def guarded_open(path, *args, **kwargs):
        if any(m in (args[0] if args else kwargs.get("mode", "r")) for m in "wax+"):
            refuse(path)
        return real_open(path, *args, **kwargs)

    def guarded_mkstemp(*args, dir=None, **kwargs):
        if dir is not None:
            refuse(Path(dir) / "x")
        return real_mkstemp(*args, dir=dir, **kwargs)

    monkeypatch.setattr(batch, "open", guarded_open, raising=False)
    monkeypatch.setattr(report.tempfile, "mkstemp", guarded_mkstemp)
    try:
        result = CliRunner().invoke(
            main,
            [
                "render",
                "--data",
                str(workspace / "data" / "studies.csv"),
                "--notebooks",
                str(workspace / "notebooks"),
                "--out",
                str(out),
                "--quiet",
            ],
        )
    finally:
        out.chmod(0o755)
    assert result.exit_code == 3, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    [line] = result.output.strip().splitlines()
    assert line.startswith(f"error: cannot write to {out}") and "Traceback" not in line
    assert sorted(p.name for p in out.iterdir()) == before
    assert (out / "alcohol.html").read_text() == "last good report\n"


def test_a_full_build_folder_leaves_no_half_written_notebook(workspace, monkeypatch):
    from evsum.render import report

    out, build = workspace / "reports", workspace / "build"
    build.mkdir()
    (build / "cocaine.ipynb").write_text("previous notebook\n")
    real_fdopen, real_mkstemp = report.os.fdopen, report.tempfile.mkstemp
    in_build: set[int] = set()

    def mkstemp(*args, dir=None, **kwargs):
        fd, name = real_mkstemp(*args, dir=dir, **kwargs)
        if dir is not None and Path(dir) == build:
            in_build.add(fd)
        return fd, name

    class FullDisk:
        """A stream that takes half of what is written, then reports ENOSPC."""

        def __init__(self, stream):
            self.stream = stream

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.stream.close()

        def write(self, text):
            self.stream.write(text[: len(text) // 2])
            self.stream.flush()
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

        def __getattr__(self, name):
            return getattr(self.stream, name)

    def fdopen(fd, *args, **kwargs):
        stream = real_fdopen(fd, *args, **kwargs)
        if fd in in_build:
            in_build.discard(fd)
            return FullDisk(stream)
        return stream

    monkeypatch.setattr(report.tempfile, "mkstemp", mkstemp)
    monkeypatch.setattr(report.os, "fdopen", fdopen)
    jobs = plan_reports(
        workspace / "data" / "studies.csv",
        workspace / "notebooks",
        out,
        only="cocaine",
        build_dir=build,
    )
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:  # sees the patch
        summary = render_all(jobs, out, quiet=True, executor=pool)
    [result] = summary.results
    assert result.status == "failed" and "No space left on device" in result.error
    assert sorted(p.name for p in build.iterdir()) == ["cocaine.ipynb"]
    assert (build / "cocaine.ipynb").read_text() == "previous notebook\n"
    assert not (out / "cocaine.html").exists()
