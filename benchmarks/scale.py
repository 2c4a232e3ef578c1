"""Benchmark: evsum on a large synthetic evidence base (not a test; asserts nothing).

Run from the repository root: ``.venv/bin/python benchmarks/scale.py`` (about ten minutes
on two cores; ``--sizes 20,200`` for a quick look). For each size (default 200 and 2,000
studies x 10 conditions x 20 outcomes, written by ``benchmarks/make_base.py`` into a
temporary folder) it times, each in a fresh process as a user runs it:

* ``evsum validate``;
* ``evsum render --force``: every report (one per condition, the overview, the methods,
  the curation log) and the index;
* a one-row edit (one arm-level count of one condition's study is changed, as a curator
  corrects a number) followed by ``evsum render``: only the reports that read that row
  re-run (its condition's report and the reports of the whole table), counted from the
  render's own log.

Each step prints its wall time, the CPU time of the processes it ran, and the peak memory:
the largest resident set of one process (the kernel of the busiest report, as the system
reports it after the run) and the peak of the sum over every process of the run, sampled
every 0.1 s. The growth from the smallest to the largest size is printed as a ratio of
times next to the ratio of sizes (linear growth: equal ratios). With ``--dask`` (on by
default when dask.distributed is installed) the full render of the largest size is also
timed on a ``LocalCluster`` of 2 single-threaded worker processes (``evsum render
--scheduler ADDRESS``), against the local pool's time measured above.

Targets (issue 29): validate < 5 s, full render < 3 min, one-row edit < 15 s, growth close
to linear. The machine and its load are printed first: on a shared machine the wall times
include waiting for a core, the CPU times do not.
"""

from __future__ import annotations

import argparse
import csv
import os
import platform
import re
import resource
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from make_base import write_base

BIN = Path(sys.executable).parent
TARGETS = {"validate": 5.0, "render": 180.0, "edit": 15.0}


@dataclass
class Step:
    """One timed command."""

    wall: float
    cpu: float
    peak_one: float  # MB, largest resident set of one process
    peak_all: float  # MB, peak of the summed resident sets, sampled
    output: str

    def line(self, label: str, target: float | None = None) -> str:
        """The step as one printed line."""
        text = (
            f"  {label:<34} {self.wall:7.1f} s wall  {self.cpu:7.1f} s CPU  "
            f"peak {self.peak_one:6.0f} MB one process, {self.peak_all:6.0f} MB all"
        )
        if target is not None:
            verdict = "within" if self.wall < target else "OVER"
            text += f"  [{verdict} target {target:g} s]"
        return text


def _tree(pid: int, cpu: dict[int, float]) -> float:
    """Summed resident set (MB) of a process and its descendants (psutil, if installed);
    records each one's CPU time so far in ``cpu`` (by pid)."""
    try:
        import psutil
    except ImportError:
        return 0.0
    try:
        root = psutil.Process(pid)
        procs = [root, *root.children(recursive=True)]
    except psutil.Error:
        return 0.0
    total = 0
    for proc in procs:
        try:
            with proc.oneshot():
                total += proc.memory_info().rss
                times = proc.cpu_times()
            cpu[proc.pid] = max(cpu.get(proc.pid, 0.0), times.user + times.system)
        except psutil.Error:
            pass
    return total / 1e6


def run(args: list[str], cwd: Path | None = None, *, check: bool = True) -> Step:
    """Run one command, timing it and sampling the memory of its process tree."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.Popen(
        args, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    peak = [0.0]
    seen: dict[int, float] = {}
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            peak[0] = max(peak[0], _tree(proc.pid, seen))
            done.wait(0.1)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    output, _ = proc.communicate()
    wall = time.perf_counter() - start
    done.set()
    sampler.join()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if check and proc.returncode:
        raise SystemExit(f"{' '.join(map(str, args))} failed ({proc.returncode}):\n{output}")
    # the processes waited for (the command itself), or the sampled CPU times of every
    # process of the tree (the kernels too, which their parents may never wait for)
    cpu = max(
        (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime),
        sum(seen.values()),
    )
    # ru_maxrss (kB on Linux) is the largest of any child waited for so far, so it is read
    # only as "at least this much"
    return Step(wall, cpu, after.ru_maxrss / 1e3, peak[0], output)


def machine() -> str:
    """What the numbers were measured on."""
    model = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = ""
    try:
        pages = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
        memory = f", {pages / 2**30:.0f} GiB memory"
    except (ValueError, OSError):
        pass
    load = ", load average {:.1f} {:.1f} {:.1f}".format(*os.getloadavg())
    return (
        f"{platform.system()} {platform.release()}, {model}, {os.cpu_count()} cores{memory}"
        f"{load}; Python {platform.python_version()}"
    )


def edit_one_row(table: Path, condition: str) -> str:
    """Add 1 to the comparator's events of the first arm-level binary row of ``condition``."""
    with table.open(newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
        header = list(rows[0])
    for row in rows:
        if (
            row["condition"] == condition
            and row["data_level"] == "arm"
            and row["events_comparator"]
            and int(row["events_comparator"]) < int(row["n_comparator"])
        ):
            row["events_comparator"] = str(int(row["events_comparator"]) + 1)
            row["source_quote"] = (
                f"{row['events_intervention']} of {row['n_intervention']} vs "
                f"{row['events_comparator']} of {row['n_comparator']}"
            )
            break
    else:
        raise SystemExit(f"no arm-level binary row of {condition} to edit")
    with table.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, header, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return row["study_id"]


def rendered(output: str) -> list[str]:
    """The reports a render's log says it rendered."""
    return re.findall(r"^\s*(?:rendered|failed)\s+(\S+)", output, flags=re.M)


def bench_size(folder: Path, studies: int) -> dict[str, Step]:
    """Validate, render everything, edit one row and re-render one base."""
    table = write_base(folder, studies)
    rows = sum(1 for _ in table.open(encoding="utf-8")) - 1
    print(f"{studies:,} studies, {rows:,} rows ({folder}):", flush=True)
    evsum = str(BIN / "evsum")
    steps: dict[str, Step] = {}
    steps["validate"] = run([evsum, "validate", "--base", str(folder)])
    print(steps["validate"].line("evsum validate", TARGETS["validate"]), flush=True)
    steps["render"] = run([evsum, "render", "--base", str(folder), "--force"])
    count = len(rendered(steps["render"].output))
    print(
        steps["render"].line(f"evsum render --force ({count} reports)", TARGETS["render"]),
        flush=True,
    )
    study = edit_one_row(table, "cond03")
    steps["edit"] = run([evsum, "render", "--base", str(folder)])
    again = rendered(steps["edit"].output)
    print(
        steps["edit"].line(f"one-row edit + render ({len(again)} re-run)", TARGETS["edit"]),
        flush=True,
    )
    print(f"    edited a row of {study} (cond03); re-rendered: {', '.join(again)}")
    return steps


def bench_dask(folder: Path, local: Step) -> None:
    """The full render of ``folder`` on a LocalCluster of 2 workers, against ``local``."""
    try:
        from dask.distributed import LocalCluster
    except ImportError:
        print("dask.distributed is not installed (pip install -e '.[dask]'): skipped")
        return
    with LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster:
        out = folder / "reports-dask"
        step = run(
            [
                str(BIN / "evsum"),
                "render",
                "--base",
                str(folder),
                "--force",
                "--out",
                str(out),
                "--scheduler",
                cluster.scheduler_address,
            ]
        )
    print(step.line("render --force on LocalCluster(2)"))
    print(
        "    (the cluster's workers are this script's children: their memory is in 'all',"
        " their CPU time is not)"
    )
    print(f"    local pool / LocalCluster: {local.wall / step.wall:.2f}x (above 1: dask faster)")


def main() -> None:
    """Print the table of times, memory and ratios."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="200,2000", help="studies per base, comma-separated")
    parser.add_argument("--no-dask", action="store_true", help="skip the LocalCluster render")
    parser.add_argument("--keep", help="write the bases here instead of a temporary folder")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    print(f"machine: {machine()}")
    print("bases: benchmarks/make_base.py, 10 conditions x 20 outcomes\n", flush=True)
    with tempfile.TemporaryDirectory(prefix="evsum-scale-") as tmp:
        root = Path(args.keep) if args.keep else Path(tmp)
        results = {n: bench_size(root / f"base{n}", n) for n in sizes}
        if len(sizes) > 1:
            small, large = min(sizes), max(sizes)
            print(f"\ngrowth from {small:,} to {large:,} studies ({large / small:.0f}x):")
            for name in ("validate", "render", "edit"):
                a, b = results[small][name], results[large][name]
                print(
                    f"  {name:<9} wall {b.wall / a.wall:5.2f}x  CPU {b.cpu / a.cpu:5.2f}x"
                    f"  peak memory (all) {b.peak_all / max(a.peak_all, 1):5.2f}x"
                )
        if not args.no_dask:
            large = max(sizes)
            print(f"\ndask.distributed, {large:,} studies:")
            bench_dask(root / f"base{large}", results[large]["render"])


if __name__ == "__main__":
    main()
