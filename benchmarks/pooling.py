"""Benchmark: pool_groups (vectorised) against PyMARE's vectorised estimators and statsmodels.

Run with ``python benchmarks/pooling.py``. Not a test. 10,000 meta-analyses of k = 20 studies
each, all timed in the same run:

* PyMARE (``pip install -e '.[bench]'``) fits all groups at once from a (k, groups) array
  (``DerSimonianLaird`` and ``VarianceBasedLikelihoodEstimator(method="REML")`` with
  ``small_sample_correction="wald"``, i.e. z tests as pool_groups' default); it is skipped,
  with a message, if it is not installed.
* statsmodels ``combine_effects`` has no vectorised form, so a per-group loop is timed on a
  subset of groups and scaled linearly (stated in the output). It has no REML estimator,
  so the REML row compares against its iterative Paule-Mandel estimator
  (``method_re="iterated"``), the closest iterative τ² estimator it has.

PyMARE is given ready-made arrays and its ``fit`` returns τ² and the pooled coefficient;
pool_groups starts from the long table and returns the whole result table (tests, intervals,
Q, I², H², prediction interval). So evsum is timed three ways, each printed:

* arrays in: ``fit_groups`` on a ready :class:`evsum.stats.tau2.Grouped` (the kernel
  pool_groups runs), the like-for-like comparison with PyMARE;
* ``pool_groups`` on the table sorted by group (as simulated, and as tables usually are):
  arrays in plus reading the columns, coding the key and building the output frame;
* ``pool_groups`` on the same rows shuffled: the key is factorised and the rows sorted.

The largest τ² difference to PyMARE is printed as a check that both fitted the same model
(PyMARE's REML optimiser stops at a looser tolerance).
"""

from __future__ import annotations

import time
import warnings

import numpy as np
import pandas as pd

from evsum import pool_groups
from evsum.stats.inverse_variance import fit_groups
from evsum.stats.tau2 import Grouped

GROUPS, K, LOOP_SUBSET, REPEATS = 10_000, 20, 500, 5


def make_frame(seed: int = 2024) -> pd.DataFrame:
    """Simulate GROUPS meta-analyses of K studies with τ in {0, 0.2, 0.5}."""
    rng = np.random.default_rng(seed)
    gid = np.repeat(np.arange(GROUPS), K)
    tau = rng.choice([0.0, 0.2, 0.5], size=GROUPS)[gid]
    vi = rng.uniform(0.01, 0.3, size=GROUPS * K)
    yi = rng.normal(rng.normal(0, 0.5, size=GROUPS)[gid], np.sqrt(vi + tau**2))
    return pd.DataFrame({"group": gid, "yi": yi, "vi": vi})


def best_of(fn, repeats: int = REPEATS) -> tuple[float, object]:
    """Fastest of ``repeats`` wall-clock timings of ``fn()`` in seconds, and its result."""
    times, result = [], None
    for _ in range(repeats):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return min(times), result


def statsmodels_loop(frame: pd.DataFrame, method_re: str, groups: int) -> None:
    """Run statsmodels ``combine_effects`` on the first ``groups`` groups, one by one."""
    from statsmodels.stats.meta_analysis import combine_effects

    y = frame["yi"].to_numpy().reshape(GROUPS, K)
    v = frame["vi"].to_numpy().reshape(GROUPS, K)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for g in range(groups):
            combine_effects(y[g], v[g], method_re=method_re).summary_frame()


def pymare_fit(frame: pd.DataFrame, method: str):
    """Fit every group at once with PyMARE; returns the fitted estimator."""
    from pymare import estimators

    y = frame["yi"].to_numpy().reshape(GROUPS, K).T
    v = frame["vi"].to_numpy().reshape(GROUPS, K).T
    if method == "DL":
        est = estimators.DerSimonianLaird()
    else:
        est = estimators.VarianceBasedLikelihoodEstimator(
            method="REML", small_sample_correction="wald"
        )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return est.fit(y=y, v=v, X=np.ones((K, 1)))


def arrays_fit(frame: pd.DataFrame, method: str) -> dict[str, np.ndarray]:
    """pool_groups' kernel on ready arrays (rows sorted by group), as PyMARE is given them."""
    grouped = Grouped(
        yi=frame["yi"].to_numpy(),
        vi=frame["vi"].to_numpy(),
        gid=frame["group"].to_numpy().astype(np.intp),
        n=GROUPS,
    )
    with np.errstate(divide="ignore", invalid="ignore"):
        return fit_groups(grouped, method, "z", 0.05)


def main() -> None:
    """Print absolute times and speed-up ratios (above 1: evsum is faster)."""
    frame = make_frame()
    shuffled = frame.sample(frac=1.0, random_state=1).reset_index(drop=True)
    try:
        import pymare  # noqa: F401

        have_pymare = True
    except ImportError:
        have_pymare = False
        print("PyMARE is not installed (pip install -e '.[bench]'): its rows are skipped.")
    print(f"{GROUPS:,} groups x k = {K} ({len(frame):,} rows), best of {REPEATS}, one process")
    print(
        "PyMARE gets ready (k, groups) arrays and fit() returns tau2 and the coefficient;\n"
        "pool_groups starts from the long table and returns every statistic, so evsum is\n"
        "timed from arrays (like for like), from the sorted table and from a shuffled one."
    )
    for method, sm_method in (("DL", "dl"), ("REML", "iterated")):
        ours_arrays, _ = best_of(lambda m=method: arrays_fit(frame, m))
        ours, out = best_of(lambda m=method: pool_groups(frame, "group", method=m))
        ours_shuffled, _ = best_of(lambda m=method: pool_groups(shuffled, "group", method=m))
        evsum_rows = (
            ("evsum, arrays in (fit_groups)", ours_arrays),
            ("pool_groups, table sorted by group", ours),
            ("pool_groups, shuffled table", ours_shuffled),
        )
        print(f"{method}:")
        if have_pymare:
            theirs, est = best_of(lambda m=method: pymare_fit(frame, m))
            diff = np.nanmax(np.abs(np.ravel(est.params_["tau2"]) - out["tau2"].to_numpy()))
            print(f"  PyMARE {method}, arrays in{'':<16} {theirs:.4f} s (max |Δτ²| {diff:.1e})")
        for label, seconds in evsum_rows:
            line = f"  {label:<35} {seconds:.4f} s"
            if have_pymare:
                line += f"  PyMARE / this {theirs / seconds:.1f}x"
            print(line)
        loop, _ = best_of(lambda s=sm_method: statsmodels_loop(frame, s, LOOP_SUBSET), 1)
        loop_all = loop * GROUPS / LOOP_SUBSET
        print(
            f"  statsmodels combine_effects (method_re={sm_method!r}) loop {loop:.2f} s for "
            f"{LOOP_SUBSET} groups -> {loop_all:.1f} s scaled, "
            f"ratio to pool_groups (sorted table) {loop_all / ours:.0f}x"
        )


if __name__ == "__main__":
    main()
