"""Benchmark: pool_groups (vectorised) vs a per-group loop of statsmodels combine_effects.

Run with ``python benchmarks/pooling.py``. Not a test. 10,000 meta-analyses of k = 20 studies
each; the statsmodels loop is timed on a subset of groups and scaled linearly (stated in the
output). statsmodels has no REML estimator, so the REML row compares against its iterative
Paule-Mandel estimator (``method_re="iterated"``), the closest iterative τ² estimator it has.
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


def best_of(fn, repeats: int = REPEATS) -> float:
    """Fastest of ``repeats`` wall-clock timings of ``fn()``, in seconds."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def statsmodels_loop(frame: pd.DataFrame, method_re: str, groups: int) -> None:
    """Run statsmodels ``combine_effects`` on the first ``groups`` groups, one by one."""
    from statsmodels.stats.meta_analysis import combine_effects

    y = frame["yi"].to_numpy().reshape(GROUPS, K)
    v = frame["vi"].to_numpy().reshape(GROUPS, K)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for g in range(groups):
            combine_effects(y[g], v[g], method_re=method_re).summary_frame()


def main() -> None:
    """Print absolute times and speed-up ratios."""
    frame = make_frame()
    print(f"{GROUPS:,} groups x k = {K} ({len(frame):,} rows), best of {REPEATS}, one process")
    for method, sm_method in (("DL", "dl"), ("REML", "iterated")):
        ours = best_of(lambda m=method: pool_groups(frame, "group", method=m))
        loop = best_of(lambda s=sm_method: statsmodels_loop(frame, s, LOOP_SUBSET), repeats=1)
        loop_all = loop * GROUPS / LOOP_SUBSET
        print(
            f"{method:>4}: pool_groups {ours:.3f} s | statsmodels combine_effects "
            f"(method_re={sm_method!r}) loop {loop:.2f} s for {LOOP_SUBSET} groups -> "
            f"{loop_all:.1f} s scaled to {GROUPS:,} | ratio {loop_all / ours:.0f}x"
        )


if __name__ == "__main__":
    main()
