"""pool_groups equals pool group by group (to 1e-12) however its fit is laid out: groups of
one size at a time, in blocks of groups, or all groups in one flat layout."""

import warnings

import numpy as np
import pandas as pd
import pytest

import evsum.stats.inverse_variance as inverse_variance
from evsum import EvsumError, EvsumWarning, pool, pool_groups
from evsum.stats.inverse_variance import GROUP_COLUMNS

FIELDS = [c for c in GROUP_COLUMNS if c not in ("k", "converged", "n_excluded")]


def _random_set(seed: int, groups: int = 120) -> pd.DataFrame:
    """Groups of 1 to 12 studies, τ in {0, 0.1, 0.5}, variances over two decades, sorted."""
    rng = np.random.default_rng(seed)
    frames = []
    for g in range(groups):
        k = int(rng.integers(1, 13))
        tau = rng.choice([0.0, 0.1, 0.5])
        vi = 10 ** rng.uniform(-2.5, -0.5, size=k)
        yi = rng.normal(rng.normal(0, 0.5), np.sqrt(vi + tau**2))
        frames.append(pd.DataFrame({"g": g, "yi": yi, "vi": vi}))
    return pd.concat(frames, ignore_index=True)


@pytest.mark.parametrize(
    "block, max_sizes",
    [(1 << 17, 64), (7, 64), (40, 3), (1 << 17, 3)],
    ids=["by size", "small blocks", "small blocks, few sizes", "flat layout"],
)
@pytest.mark.parametrize("method, test", [("DL", "z"), ("REML", "knha"), ("PM", "z")])
def test_equals_pool_per_group(monkeypatch, block, max_sizes, method, test):
    monkeypatch.setattr(inverse_variance, "BLOCK_STUDIES", block)
    monkeypatch.setattr(inverse_variance, "MAX_SIZES", max_sizes)
    frame = _random_set(seed=block + max_sizes)
    out = pool_groups(frame, "g", method=method, test=test).set_index("g")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", EvsumWarning)
        for g, rows in frame.groupby("g"):
            try:
                ref = pool(rows["yi"], rows["vi"], method=method, test=test)
            except EvsumError:  # τ² did not converge (as metafor): a row of NaN, not an error
                assert not out.loc[g, "converged"] and np.isnan(out.loc[g, "estimate"])
                continue
            assert out.loc[g, "converged"] and out.loc[g, "k"] == ref.k
            for name in FIELDS:
                np.testing.assert_allclose(
                    out.loc[g, name], getattr(ref, name), rtol=1e-12, atol=1e-14, err_msg=name
                )
