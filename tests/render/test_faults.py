"""Faults during a render: the main process killed alone, a stale lock, an output folder that
cannot be written, a full build folder. Nothing outlives the render, nothing is half written.
"""

import concurrent.futures
import errno
import fcntl
import hashlib
import json
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
from evsum.exceptions import StudyDataError
from evsum.render import run
from evsum.render.batch import LOCK_FILE, plan_reports, render_all

from conftest import ROOT, SMALL, SMALL_PROTOCOL

pytestmark = pytest.mark.notebook

EVSUM = [sys.executable, "-m", "evsum"]


@pytest.fixture
def workspace(tmp_path):
    """An evidence base: the fixture's protocol and table, and the report template."""
    shutil.copy(SMALL_PROTOCOL, tmp_path / "evsum.toml")
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
    from evsum.render import report, state

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

    monkeypatch.setattr(state, "open", guarded_open, raising=False)
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


# --- hostile inputs and faults (reports lost, stamped wrongly, or stopped uncleanly) -------


@pytest.fixture
def base(workspace):
    """The workspace (an evidence base of its own)."""
    return workspace


def _render(root: Path, *extra: str, notebooks: Path | None = None):
    return CliRunner().invoke(
        main,
        [
            "render",
            "--base",
            str(root),
            "--notebooks",
            str(notebooks or root / "notebooks"),
            "--out",
            str(root / "reports"),
            "--build",
            str(root / "build"),
            "--quiet",
            *extra,
        ],
    )


def test_a_notebook_named_like_the_index_is_refused_before_anything_is_written(base):
    shutil.copy(base / "notebooks" / "condition_report.ipynb", base / "notebooks" / "index.ipynb")
    with pytest.raises(StudyDataError, match=r"index\.ipynb.*the index page"):
        plan_reports(base / "data" / "studies.csv", base / "notebooks", base / "reports")
    result = _render(base)
    assert result.exit_code == 1, result.output
    assert "index.ipynb" in result.output and "Traceback" not in result.output
    assert not (base / "reports").exists()


def test_a_condition_named_like_a_report_is_refused_in_validate_and_planning(base):
    shutil.copy(ROOT / "notebooks" / "methods.ipynb", base / "notebooks")
    protocol = base / "evsum.toml"
    protocol.write_text(
        protocol.read_text().replace("[conditions.cocaine]", "[conditions.methods]")
    )
    table = base / "data" / "studies.csv"
    table.write_text(table.read_text().replace(",cocaine,", ",methods,"))
    result = CliRunner().invoke(main, ["validate", "--base", str(base)])
    assert result.exit_code == 1, result.output
    assert f"{protocol}:12 conditions.methods: got 'methods'; expected a condition key" in (
        result.output
    )
    with pytest.raises(StudyDataError, match="the notebook methods.ipynb"):
        plan_reports(table, base / "notebooks", base / "reports")


@pytest.mark.parametrize(
    "content", [b"", b"<<<<<<< HEAD\n{}\n=======\n{}\n>>>>>>> other\n", b"\xff\xfe{"]
)
def test_an_unreadable_notebook_fails_only_its_report_in_one_line(base, content):
    (base / "notebooks" / "broken.ipynb").write_bytes(content)
    jobs = plan_reports(base / "data" / "studies.csv", base / "notebooks", base / "reports")
    assert [j.name for j in jobs] == ["alcohol", "cocaine", "broken"]  # the others planned
    result = _render(base, "--only", "broken")
    assert result.exit_code == 3, result.output
    [line] = [x for x in result.output.splitlines() if x.strip()]
    assert (
        line.startswith("failed: broken: EvsumError: ") and "broken.ipynb: not a notebook" in line
    )
    assert (base / "reports" / "index.html").exists()
    params = CliRunner().invoke(main, ["params", str(base / "notebooks" / "broken.ipynb")])
    assert params.exit_code == 1 and "Traceback" not in params.output
    assert "broken.ipynb: not a notebook" in params.output


def test_every_report_reads_the_data_its_footer_is_stamped_with(base):
    """An edit during the run reaches no report of the run: each reads the run's copy."""
    table = base / "data" / "studies.csv"
    before = table.read_bytes()
    jobs = plan_reports(table, base / "notebooks", base / "reports", build_dir=base / "build")
    table.write_bytes(before.replace(b"alpha2001", b"edited2001"))  # mid-run edit
    (base / "evsum.toml").write_text("broken = \n")
    jobs, folders = run.write_snapshots(jobs)  # as render_all does, under the lock
    assert len(folders) == 1
    for job in jobs:
        read = Path(job.reads["base"])
        assert read != base and read.is_relative_to(base / "build")
        assert job.parameters["base"] == str(base.resolve())  # hashed and shown: the base
        copy = (read / "data" / "studies.csv").read_bytes()
        assert copy == before
        assert hashlib.sha256(copy).hexdigest() == job.data_sha256
        assert (read / "evsum.toml").read_bytes() == SMALL_PROTOCOL.read_bytes()


def test_a_stale_traceback_beside_a_current_report_is_removed(base):
    out = base / "reports"
    [job] = plan_reports(base / "data" / "studies.csv", base / "notebooks", out, only="alcohol")
    out.mkdir(exist_ok=True)
    job.html_path.write_text("last good report\n")
    job.error_path.write_text("KeyboardInterrupt (a render stopped by Ctrl-C)\n")
    (out / ".evsum-state.json").write_text(
        json.dumps({"alcohol": {"status": "rendered", "inputs_hash": job.inputs_hash}})
    )
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        summary = render_all([job], out, quiet=True, executor=pool)
    assert [r.status for r in summary.results] == ["current"]
    assert not job.error_path.exists()
    assert job.html_path.read_text() == "last good report\n"


def test_a_cell_timeout_is_a_render_option_and_is_summarised_in_one_line(base):
    slow = _with_extra_cell(base, "import time\ntime.sleep(60)")
    result = _render(base, "--only", "alcohol", "--cell-timeout", "2", notebooks=slow)
    assert result.exit_code == 3, result.output
    [line] = [x for x in result.output.splitlines() if x.strip()]
    assert "CellTimeoutError: A cell timed out while it was being executed, after 2 seconds" in (
        line
    )
    error = (base / "reports" / "alcohol.error.txt").read_text()
    assert "\x1b" not in error and "CellTimeoutError" in error


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc (Linux)")
@pytest.mark.parametrize("signal_number", [signal.SIGINT, signal.SIGTERM])
def test_ctrl_c_stops_cleanly_keeping_the_last_good_reports_and_the_index(base, signal_number):
    out = base / "reports"
    out.mkdir()
    for name in ("alcohol", "cocaine"):
        (out / f"{name}.html").write_text(f"last good {name}\n")
    slow = _with_extra_cell(base, "import time\ntime.sleep(120)")
    command = [*_render_command(base, slow, "--workers", "2")]
    command[command.index("--quiet")] = "--force"
    render = subprocess.Popen(
        command,
        cwd=base,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # a terminal's foreground process group of its own
    )
    family: set[int] = set()
    try:
        deadline = time.monotonic() + 180
        while len(_descendants(render.pid)) < 4 and time.monotonic() < deadline:
            assert render.poll() is None, render.communicate()
            time.sleep(0.5)
        family = _descendants(render.pid)
        time.sleep(3)  # the cells are running
        if signal_number == signal.SIGINT:
            os.killpg(render.pid, signal.SIGINT)  # Ctrl-C: the whole process group
        else:
            os.kill(render.pid, signal.SIGTERM)
        stdout, stderr = render.communicate(timeout=120)
    finally:
        if render.poll() is None:
            os.killpg(render.pid, signal.SIGKILL)
        for pid in _alive(family):
            os.kill(pid, signal.SIGKILL)
    assert render.returncode == 128 + signal_number, stderr
    assert "Traceback" not in stderr and "stopped:" in stderr, stderr
    assert not _alive(family)
    for name in ("alcohol", "cocaine"):
        assert (out / f"{name}.html").read_text() == f"last good {name}\n"
        assert not (out / f"{name}.error.txt").exists()
    assert (out / "index.html").exists()


def test_a_notebook_output_cannot_navigate_away_from_the_page():
    """A refresh, a form or a base URL in an output is dropped; the page's policy forbids
    form submission and base URLs as well."""
    from evsum.render.report import export_html

    book = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("x")
    cell.outputs = [
        nbformat.v4.new_output(
            "display_data",
            data={
                "text/html": '<meta http-equiv="refresh" content="0;url=https://example.org">'
                '<META HTTP-EQUIV=Refresh CONTENT="1; URL=https://example.org/2">'
                '<base href="https://example.org/">'
                '<form action="https://example.org/steal" method="post">'
                '<button formaction="https://example.org/x">Send</button></form><p>kept</p>'
            },
        )
    ]
    book.cells.append(cell)
    page = export_html(book, footer="f", title="t")
    lowered = page.lower()
    assert "refresh" not in lowered and "<form" not in lowered and "<base" not in lowered
    assert "<p>kept</p>" in page
    assert "form-action 'none'" in page and "base-uri 'none'" in page


@pytest.mark.parametrize("notebook", ["methods", "overview"])
def test_hostile_pages_close_every_bidi_override_title_included(tmp_path, notebook):
    """One template environment: on a rendered page, every override a value opens is closed
    before the next value, in the body and in the <title> (the PDF's running footer)."""
    import re

    import hostile

    hostile.write_hostile_data(tmp_path / "data")
    hostile.write_hostile_protocol(tmp_path)
    (tmp_path / "notebooks").mkdir()
    shutil.copy(ROOT / "notebooks" / f"{notebook}.ipynb", tmp_path / "notebooks")
    result = _render(tmp_path, "--only", notebook)
    assert result.exit_code == 0, result.output
    page = (tmp_path / "reports" / f"{notebook}.html").read_text(encoding="utf-8")
    issues, text = hostile.markup_issues(page)
    # elements and attributes as a parser reads them (nbconvert writes the quotes of escaped
    # text unescaped, so the raw-text heuristics would flag inert text such as '&lt;a href="')
    assert [i for i in issues if not i.startswith("raw ")] == []
    [title] = re.findall(r"<title>(.*?)</title>", page, re.S)
    for where in (title, text):
        for chunk in where.split("\u202c"):
            assert chunk.count("\u202e") <= 1, chunk[:200]
        assert where.count("\u202c") >= where.count("\u202e") + where.count("\u202d")
