"""Benchmark: `evsum render` against the loop a user would otherwise write, and the commands of
an edit loop against the interpreter's own start, each measured in this one run.

- Per report: `evsum render --force` (parallel, warm kernels, nbconvert in-process) against
  the naive loop, which runs, one report after the other, the papermill CLI and then
  `jupyter nbconvert --to html --no-input` (target: evsum >= 6x faster).
- No-op: `evsum render` with nothing changed (target < 0.3 s), against `python -c pass` (the
  floor of any command) and against the same command made to validate and plan (its stamp
  removed: what every no-op cost before it was decided from file hashes).
- `evsum validate` of the base (target < 1 s), against `python -c pass`.

Every time is the best of a few runs (the no-op and validate) or one run (the renders); the
machine (cores, Python, platform, load) is printed first, since a loaded machine slows every
number but less their ratios. The size of every page evsum wrote is printed against its
limit (a condition report 400 KB, the gallery 1 MB). Asserts nothing.

Run from the repository root: `.venv/bin/python benchmarks/render.py` (add `--skip-naive`
to leave out the slow naive loop).
"""

from __future__ import annotations

import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
#: Runs of the quick commands; the best is kept.
REPEATS = 5


def machine() -> str:
    """The machine in one line: cores usable, Python, platform, load average."""
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else "?"
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg()) if hasattr(os, "getloadavg") else "?"
    return (
        f"machine: {os.cpu_count()} CPUs ({usable} usable), Python {platform.python_version()} "
        f"({platform.python_implementation()}), {platform.platform()}, load average {load}"
    )


def naive_loop(out: Path) -> tuple[float, int]:
    """papermill CLI then nbconvert CLI for every report, sequentially: (seconds, reports)."""
    from evsum.render.batch import plan_reports

    jobs = plan_reports(ROOT / "data" / "studies.csv", ROOT / "notebooks", out)
    start = time.perf_counter()
    for job in jobs:
        executed = out / f"{job.name}.ipynb"
        params = [a for k, v in job.parameters.items() for a in ("-p", k, str(v))]
        subprocess.run(
            [
                BIN / "papermill",
                job.notebook,
                executed,
                *params,
                "--cwd",
                ROOT / "notebooks",
                "-k",
                "evsum",
                "--no-progress-bar",
            ],
            check=True,
            capture_output=True,
        )
        subprocess.run(
            [
                BIN / "jupyter",
                "nbconvert",
                "--to",
                "html",
                "--no-input",
                executed,
                "--output",
                job.name,
            ],
            check=True,
            capture_output=True,
        )
    return time.perf_counter() - start, len(jobs)


def timed(*command: object) -> float:
    """Seconds ``command`` takes from the repository root (it must succeed)."""
    start = time.perf_counter()
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if done.returncode:
        raise SystemExit(f"{command} failed ({done.returncode}):\n{done.stderr}")
    return seconds


def best(*command: object, before=None) -> float:
    """The best of :data:`REPEATS` runs of ``command`` (``before()`` run before each)."""
    times = []
    for _ in range(REPEATS):
        if before is not None:
            before()
        times.append(timed(*command))
    return min(times)


def evsum_render(out: Path, *extra: str) -> float:
    """`evsum render` into ``out`` (a fresh process, as a user runs it)."""
    return timed(
        BIN / "evsum", "render", "--quiet", "--out", out, "--build", out / "build", *extra
    )


#: Page weight limits in bytes (issue 15): the gallery, and every other page.
GALLERY_LIMIT = 1_000_000
PAGE_LIMIT = 400_000


def page_sizes(out: Path) -> None:
    """Print the size of every HTML page in ``out`` and its limit."""
    print("page sizes:")
    for page in sorted(out.glob("*.html")):
        limit = GALLERY_LIMIT if page.stem == "gallery" else PAGE_LIMIT
        size = page.stat().st_size
        print(
            f"  {page.name:<22} {size / 1000:8.1f} KB  (limit {limit / 1000:.0f} KB"
            f"{', OVER' if size > limit else ''})"
        )


def main() -> None:
    from evsum.render.unchanged import STAMP_FILE

    print(machine(), flush=True)
    skip_naive = "--skip-naive" in sys.argv[1:]
    with tempfile.TemporaryDirectory() as naive_dir, tempfile.TemporaryDirectory() as ours:
        out = Path(ours)
        naive, reports = (0.0, 0) if skip_naive else naive_loop(Path(naive_dir))
        full = evsum_render(out, "--force")
        floor = best(sys.executable, "-c", "pass")
        noop = best(BIN / "evsum", "render", "--quiet", "--out", out, "--build", out / "build")
        planned = best(
            BIN / "evsum",
            "render",
            "--quiet",
            "--out",
            out,
            "--build",
            out / "build",
            before=lambda: (out / STAMP_FILE).unlink(missing_ok=True),
        )
        validate = best(BIN / "evsum", "validate")
        page_sizes(out)
        count = len(
            [p for p in out.glob("*.html") if p.name not in ("index.html", "glossary.html")]
        )
    print(f"python -c pass (floor of every command):      {floor:6.2f} s")
    if not skip_naive:
        print(
            f"naive loop (papermill CLI + nbconvert CLI):    {naive:6.2f} s  "
            f"({naive / reports:.2f} s per report, {reports} reports)"
        )
    print(
        f"evsum render --force (parallel, in-process):   {full:6.2f} s  "
        f"({full / count:.2f} s per report)"
        + ("" if skip_naive else f"  naive/evsum = {naive / full:.2f}x (target >= 6x)")
    )
    print(
        f"evsum render, nothing changed:                 {noop:6.2f} s  (target < 0.3 s)  "
        f"{noop / floor:.1f}x python -c pass; validated and planned: {planned:.2f} s, "
        f"{planned / noop:.1f}x the no-op"
    )
    print(
        f"evsum validate:                                {validate:6.2f} s  (target < 1 s)  "
        f"{validate / floor:.1f}x python -c pass"
    )


if __name__ == "__main__":
    main()
