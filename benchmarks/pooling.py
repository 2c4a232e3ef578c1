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

PyMARE is given ready-made arrays; pool_groups starts from the long table (factorising the
group key is part of its time). The largest τ² difference to PyMARE is printed as a check
that both fitted the same model (PyMARE's REML optimiser stops at a looser tolerance).
"""

from __future__ import annotations

import time
import warnings

import numpy as np
import pandas as pd

from evsum import pool_groups

GROUPS, K, LOOP_SUBSET, REPEATS = 10_000, 20, 500, 3


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


def main() -> None:
    """Print absolute times and speed-up ratios."""
    frame = make_frame()
    try:
        import pymare  # noqa: F401

        have_pymare = True
    except ImportError:
        have_pymare = False
        print("PyMARE is not installed (pip install -e '.[bench]'): its rows are skipped.")
    print(f"{GROUPS:,} groups x k = {K} ({len(frame):,} rows), best of {REPEATS}, one process")
    for method, sm_method in (("DL", "dl"), ("REML", "iterated")):
        ours, out = best_of(lambda m=method: pool_groups(frame, "group", method=m))
        line = f"{method:>4}: pool_groups {ours:.3f} s"
        if have_pymare:
            theirs, est = best_of(lambda m=method: pymare_fit(frame, m))
            diff = np.nanmax(np.abs(np.ravel(est.params_["tau2"]) - out["tau2"].to_numpy()))
            line += (
                f" | PyMARE {theirs:.3f} s, ratio {theirs / ours:.1f}x"
                f" (max |Δτ²| {diff:.1e})"
            )
        loop, _ = best_of(lambda s=sm_method: statsmodels_loop(frame, s, LOOP_SUBSET), 1)
        loop_all = loop * GROUPS / LOOP_SUBSET
        line += (
            f" | statsmodels combine_effects (method_re={sm_method!r}) loop {loop:.2f} s for "
            f"{LOOP_SUBSET} groups -> {loop_all:.1f} s scaled, ratio {loop_all / ours:.0f}x"
        )
        print(line)


if __name__ == "__main__":
    main()
