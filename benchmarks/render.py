"""Benchmark: `evsum render` against the loop a user would otherwise write.

The naive loop runs, one report after the other, the papermill CLI and then
`jupyter nbconvert --to html --no-input`. Both render the same reports from the repository's
notebooks and data into temporary folders, in this one script; then a no-op `evsum render`
(nothing changed) is timed. Prints times and ratios, and the size of every page evsum wrote
against its limit (a condition report 400 KB, the gallery 1 MB); asserts nothing.

Run from the repository root: `.venv/bin/python benchmarks/render.py`.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def naive_loop(out: Path) -> float:
    """papermill CLI then nbconvert CLI for every report, sequentially."""
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
    return time.perf_counter() - start


def evsum_render(out: Path, *extra: str) -> float:
    """`evsum render` into ``out`` (a fresh process, as a user runs it)."""
    start = time.perf_counter()
    done = subprocess.run(
        [BIN / "evsum", "render", "--quiet", "--out", out, *extra],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    if done.returncode:
        raise SystemExit(f"evsum render failed ({done.returncode}):\n{done.stderr}")
    return time.perf_counter() - start


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
    with tempfile.TemporaryDirectory() as naive_dir, tempfile.TemporaryDirectory() as ours:
        naive = naive_loop(Path(naive_dir))
        full = evsum_render(Path(ours), "--force")
        noop = evsum_render(Path(ours))
        page_sizes(Path(ours))
    print(f"naive loop (papermill CLI + nbconvert CLI): {naive:6.2f} s")
    print(
        f"evsum render --force (parallel, in-process): {full:6.2f} s  "
        f"ratio naive/evsum = {naive / full:.2f}x (target >= 3x on 2 cores)"
    )
    print(f"evsum render, nothing changed:               {noop:6.2f} s  (target < 1 s)")


if __name__ == "__main__":
    main()
