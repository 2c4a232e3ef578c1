"""Benchmark: pool_groups (vectorised) against PyMARE's vectorised estimators and statsmodels.

Run with ``python benchmarks/pooling.py`` (``--quick``: the 10,000-group shapes only). Not a
test; asserts nothing. Four shapes, k = 5 and k = 20 studies per meta-analysis times 10,000
and 1,000,000 meta-analyses, DL and REML, all timed in the same run:

* PyMARE (``pip install -e '.[bench]'``) fits all groups at once from a (k, groups) array
  (``DerSimonianLaird`` and ``VarianceBasedLikelihoodEstimator(method="REML")``, both with
  ``small_sample_correction="wald"``, i.e. z tests as pool_groups' default); it is skipped,
  with a message, if it is not installed.
* statsmodels ``combine_effects`` has no vectorised form, so a per-group loop is timed on a
  subset of groups and scaled linearly (stated in the output), for the 10,000 x 20 shape. It
  has no REML estimator, so the REML row compares against its iterative Paule-Mandel
  estimator (``method_re="iterated"``), the closest iterative τ² estimator it has.

PyMARE is given ready-made arrays and its ``fit`` returns τ², the pooled coefficient and
its covariance; pool_groups starts from the long table and returns the whole result table
(tests, intervals, Q and its p-value, I², H², the SE of τ², prediction interval). So evsum is
timed three ways, each printed:

* arrays in: ``fit_sorted`` on the ready arrays (the kernel pool_groups runs), the
  like-for-like comparison with PyMARE;
* ``pool_groups`` on the table sorted by group (as simulated, and as tables usually are):
  arrays in plus reading the columns, checking the key and building the output frame;
* ``pool_groups`` on the same rows shuffled: the key is factorised and the rows sorted.

Each time is the best of a few runs; wall time and the CPU time of this process are both
printed (on a shared machine the wall time includes waiting for a core). The largest τ²
difference to PyMARE is printed as a check that both fitted the same model (PyMARE's REML
optimiser stops at a looser tolerance).

Memory: pool_groups fits blocks of about 131,000 studies at a time, so beyond its input
its memory is the result table (18 numbers per group, 152 bytes) and a few bytes per row of
bookkeeping: the stated ceiling is ``CEILING_BYTES_PER_GROUP`` bytes per group plus
``CEILING_BYTES_PER_ROW`` per row plus 64 MB. For 1,000,000 groups a fresh process builds
the table, resets its peak resident set (Linux: VmHWM) and pools it; that peak is printed
beside the resident set before the call and the ceiling.
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import time
import warnings

import numpy as np
import pandas as pd

from evsum import pool_groups
from evsum.stats.inverse_variance import fit_sorted

#: (groups, k) shapes, and best-of repeats for each
SHAPES = ((10_000, 5), (10_000, 20), (1_000_000, 5), (1_000_000, 20))
LOOP_SUBSET = 500
CEILING_BYTES_PER_GROUP = 250
CEILING_BYTES_PER_ROW = 8


def repeats(groups: int) -> int:
    """Best of 7 on the small shapes, of 2 on the large (PyMARE's REML takes a minute)."""
    return 7 if groups <= 100_000 else 2


def make_frame(groups: int, k: int, seed: int = 2024) -> pd.DataFrame:
    """Simulate ``groups`` meta-analyses of ``k`` studies with τ in {0, 0.2, 0.5}."""
    rng = np.random.default_rng(seed)
    gid = np.repeat(np.arange(groups), k)
    tau = rng.choice([0.0, 0.2, 0.5], size=groups)[gid]
    vi = rng.uniform(0.01, 0.3, size=groups * k)
    yi = rng.normal(rng.normal(0, 0.5, size=groups)[gid], np.sqrt(vi + tau**2))
    return pd.DataFrame({"group": gid, "yi": yi, "vi": vi})


def best_of(fn, times: int) -> tuple[float, float, object]:
    """Fastest wall and CPU times (s) of ``times`` calls of ``fn()``, and its result."""
    wall, cpu, result = [], [], None
    for _ in range(times):
        start, start_cpu = time.perf_counter(), time.process_time()
        result = fn()
        wall.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    return min(wall), min(cpu), result


def statsmodels_loop(frame: pd.DataFrame, k: int, method_re: str, groups: int) -> None:
    """Run statsmodels ``combine_effects`` on the first ``groups`` groups, one by one."""
    from statsmodels.stats.meta_analysis import combine_effects

    y = frame["yi"].to_numpy().reshape(-1, k)
    v = frame["vi"].to_numpy().reshape(-1, k)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for g in range(groups):
            combine_effects(y[g], v[g], method_re=method_re).summary_frame()


def pymare_fit(y: np.ndarray, v: np.ndarray, method: str):
    """Fit every group at once with PyMARE from (k, groups) arrays; the fitted estimator."""
    from pymare import estimators

    if method == "DL":
        est = estimators.DerSimonianLaird(small_sample_correction="wald")
    else:
        est = estimators.VarianceBasedLikelihoodEstimator(
            method="REML", small_sample_correction="wald"
        )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return est.fit(y=y, v=v, X=np.ones((y.shape[0], 1)))


def arrays_fit(frame: pd.DataFrame, groups: int, k: int, method: str) -> dict:
    """pool_groups' kernel on ready arrays (rows sorted by group), as PyMARE is given them."""
    counts = np.full(groups, k, dtype=np.intp)
    with np.errstate(divide="ignore", invalid="ignore"):
        return fit_sorted(
            frame["yi"].to_numpy(), frame["vi"].to_numpy(), counts, method, "z", 0.05
        )


def machine() -> str:
    """What the numbers were measured on."""
    model = platform.machine()
    try:
        for line in open("/proc/cpuinfo", encoding="utf-8"):
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    load = "load average {:.1f} {:.1f} {:.1f}".format(*os.getloadavg())
    return f"{platform.system()} {platform.release()}, {model}, {os.cpu_count()} cores, {load}"


def peak_memory(groups: int, k: int, method: str) -> str:
    """Peak RSS of a fresh process that builds the table and pools it (one line of output)."""
    code = (
        "import gc, resource, sys; sys.path.insert(0, sys.argv[1]);"
        "from pooling import make_frame; from evsum import pool_groups;"
        "f = make_frame(int(sys.argv[2]), int(sys.argv[3])); gc.collect();"
        # the resident set now (the table and the interpreter), in kB: statm is in pages
        "pages = int(open('/proc/self/statm').read().split()[1]);"
        "before = pages * resource.getpagesize() // 1024;"
        # reset the peak (Linux: VmHWM) so that building the table does not count
        "open('/proc/self/clear_refs', 'w').write('5');"
        "out = pool_groups(f, 'group', method=sys.argv[4]);"
        "status = open('/proc/self/status').read().split('VmHWM:')[1].split()[0];"
        "print(before, int(status), len(out))"
    )
    here = os.path.dirname(os.path.abspath(__file__))
    done = subprocess.run(
        [sys.executable, "-c", code, here, str(groups), str(k), method],
        capture_output=True,
        text=True,
        check=True,
    )
    before, after, _ = (int(x) for x in done.stdout.split())
    rows = groups * k
    ceiling = CEILING_BYTES_PER_GROUP * groups + CEILING_BYTES_PER_ROW * rows + 64 * 2**20
    added = (after - before) * 1024  # kB
    verdict = "within" if added <= ceiling else "OVER"
    return (
        f"  peak RSS {after / 1024:.0f} MB ({before / 1024:.0f} MB resident with the table built, "
        f"+{added / 2**20:.0f} MB by pool_groups; ceiling +{ceiling / 2**20:.0f} MB: {verdict})"
    )


def bench_shape(groups: int, k: int, have_pymare: bool, statsmodels: bool) -> list[float]:
    """Print one shape's rows; return the PyMARE / pool_groups (sorted) CPU ratios."""
    frame = make_frame(groups, k)
    shuffled = frame.sample(frac=1.0, random_state=1).reset_index(drop=True)
    y = frame["yi"].to_numpy().reshape(groups, k).T.copy()
    v = frame["vi"].to_numpy().reshape(groups, k).T.copy()
    times = repeats(groups)
    print(f"\n{groups:,} groups x k = {k} ({len(frame):,} rows), best of {times}:", flush=True)
    ratios = []
    for method, sm_method in (("DL", "dl"), ("REML", "iterated")):
        rows = [
            (
                "evsum, arrays in (fit_sorted)",
                best_of(lambda m=method: arrays_fit(frame, groups, k, m), times),
            ),
            (
                "pool_groups, table sorted by group",
                best_of(lambda m=method: pool_groups(frame, "group", method=m), times),
            ),
            (
                "pool_groups, shuffled table",
                best_of(lambda m=method: pool_groups(shuffled, "group", method=m), times),
            ),
        ]
        print(f" {method}:")
        if have_pymare:
            wall, cpu, est = best_of(lambda m=method: pymare_fit(y, v, m), times)
            ours = rows[1][1][2]
            diff = np.nanmax(np.abs(np.ravel(est.params_["tau2"]) - ours["tau2"].to_numpy()))
            print(
                f"  {'PyMARE, arrays in':<35} {wall:8.4f} s wall {cpu:8.4f} s CPU"
                f"  (max |Δτ²| {diff:.1e})"
            )
        for label, (w, c, _) in rows:
            line = f"  {label:<35} {w:8.4f} s wall {c:8.4f} s CPU"
            if have_pymare:
                line += f"  PyMARE / this: {wall / w:4.1f}x wall, {cpu / c:4.1f}x CPU"
            print(line, flush=True)
        if have_pymare:
            ratios.append(cpu / rows[1][1][1])
        if statsmodels:
            loop, _, _ = best_of(lambda s=sm_method: statsmodels_loop(frame, k, s, LOOP_SUBSET), 1)
            loop_all = loop * groups / LOOP_SUBSET
            print(
                f"  statsmodels combine_effects (method_re={sm_method!r}) loop {loop:.2f} s for "
                f"{LOOP_SUBSET} groups -> {loop_all:.1f} s scaled, "
                f"ratio to pool_groups (sorted table) {loop_all / rows[1][1][0]:.0f}x"
            )
        if groups >= 1_000_000:
            print(peak_memory(groups, k, method), flush=True)
    return ratios


def main() -> None:
    """Print absolute times and speed-up ratios (above 1: evsum is faster)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="the 10,000-group shapes only")
    args = parser.parse_args()
    try:
        import pymare  # noqa: F401

        have_pymare = True
    except ImportError:
        have_pymare = False
        print("PyMARE is not installed (pip install -e '.[bench]'): its rows are skipped.")
    print(f"machine: {machine()}")
    print(
        "PyMARE gets ready (k, groups) arrays and fit() returns tau2, the coefficient and its\n"
        "covariance; pool_groups starts from the long table and returns every statistic, so\n"
        "evsum is timed from arrays (like for like), from the sorted table and a shuffled one."
    )
    shapes = [s for s in SHAPES if not args.quick or s[0] <= 100_000]
    ratios = []
    for groups, k in shapes:
        ratios += bench_shape(groups, k, have_pymare, statsmodels=(groups, k) == (10_000, 20))
    if ratios:
        print(
            f"\nPyMARE / pool_groups (sorted table), CPU: lowest {min(ratios):.1f}x, "
            f"highest {max(ratios):.1f}x over {len(ratios)} shape x method pairs"
        )


if __name__ == "__main__":
    main()
