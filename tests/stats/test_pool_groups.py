"""pool_groups() must equal pool() group by group."""

import warnings

import numpy as np
import pandas as pd
import pytest
from refdata import load

from evsum import EvsumWarning, pool, pool_groups
from evsum.stats.inverse_variance import GROUP_COLUMNS
from evsum.vocab import METHODS, TESTS

FIELDS = [c for c in GROUP_COLUMNS if c not in ("converged", "n_excluded")]


def _frame(seed: int = 1, groups: int = 40) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    sizes = rng.integers(1, 12, size=groups)
    sizes[:3] = [1, 2, 3]  # k = 1 and k = 2 groups are the edge cases
    rows = []
    for g, k in enumerate(sizes):
        tau = rng.choice([0.0, 0.1, 0.5])
        vi = rng.uniform(0.01, 0.3, size=k)
        yi = rng.normal(rng.normal(0, 0.5), np.sqrt(vi + tau**2))
        rows += [{"grp": f"g{g:02d}", "yi": y, "vi": v} for y, v in zip(yi, vi, strict=True)]
    bcg = load("grid.json")["cases"][0]  # one real data set with large heterogeneity
    rows += [{"grp": "bcg", "yi": y, "vi": v} for y, v in zip(bcg["yi"], bcg["vi"], strict=True)]
    # homogeneous group: τ² truncated at 0 by every estimator
    rows += [{"grp": "flat", "yi": y, "vi": 0.05} for y in (0.1, 0.11, 0.12, 0.1)]
    return pd.DataFrame(rows).sample(frac=1, random_state=seed)  # groups interleaved


@pytest.mark.parametrize("test", TESTS)
@pytest.mark.parametrize("method", METHODS)
def test_equals_pool_per_group(method, test):
    frame = _frame()
    out = pool_groups(frame, "grp", method=method, test=test)
    assert list(out.columns) == ["grp", *GROUP_COLUMNS]
    assert out["converged"].all()
    for _, row in out.iterrows():
        sub = frame[frame["grp"] == row["grp"]]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", EvsumWarning)
            ref = pool(sub["yi"], sub["vi"], method=method, test=test)
        assert row["k"] == ref.k
        for name in FIELDS[1:]:
            np.testing.assert_allclose(
                row[name],
                getattr(ref, name),
                rtol=1e-12,
                atol=1e-14,
                err_msg=f"{row['grp']} {name}",
            )


def test_several_keys_and_missing_rows():
    frame = pd.DataFrame(
        {
            "a": ["x", "x", "x", "y", "y", "y"],
            "b": [1, 1, 1, 1, 1, 2],
            "yi": [0.1, 0.2, np.nan, 0.3, 0.5, 0.4],
            "vi": [0.01, 0.02, 0.03, 0.02, 0.04, 0.05],
        }
    )
    out = pool_groups(frame, ["a", "b"], method="DL")
    assert out[["a", "b"]].values.tolist() == [["x", 1], ["y", 1], ["y", 2]]
    assert out["k"].tolist() == [2, 2, 1]
    assert out["n_excluded"].tolist() == [1, 0, 0]


@pytest.mark.parametrize("method", ["DL", "REML", "PM"])
@pytest.mark.parametrize("dtype", ["int64", "uint8", "float64"])
def test_sorted_numeric_key_equals_shuffled_table(method, dtype):
    # a table sorted by a numeric key is coded without pandas.factorize and not re-sorted;
    # it must give exactly the table the shuffled rows give (same groups, keys, statistics),
    # including a group emptied by missing rows and a single-study group
    frame = _frame(seed=3)
    frame["g"] = pd.factorize(frame["grp"], sort=True)[0].astype(dtype) * 3
    frame.loc[frame["g"] == frame["g"].max(), "yi"] = np.nan  # this group has no study left
    ordered = frame.sort_values("g", kind="stable").reset_index(drop=True)
    out = pool_groups(ordered, "g", method=method)
    shuffled = pool_groups(frame, "g", method=method)
    assert out["g"].dtype == np.dtype(dtype)
    assert out["k"].iloc[-1] == 0 and out["n_excluded"].iloc[-1] > 0
    pd.testing.assert_frame_equal(out, shuffled, check_exact=True)


def test_bad_input():
    frame = pd.DataFrame({"g": ["a", None], "yi": [0.1, 0.2], "vi": [0.1, 0.1]})
    with pytest.raises(ValueError, match="missing"):
        pool_groups(frame, "g")
    frame = pd.DataFrame({"g": ["a", "a"], "yi": [0.1, 0.2], "vi": [0.1, -0.1]})
    with pytest.raises(ValueError, match="> 0"):
        pool_groups(frame, "g")
    with pytest.raises(ValueError, match="method"):
        pool_groups(frame, "g", method="HS")


def test_non_converged_group_is_nan_not_error(monkeypatch):
    import evsum.stats.tau2 as tau2

    monkeypatch.setattr(tau2, "MAXITER", 0)
    out = pool_groups(_frame(groups=5), "grp", method="REML")
    big = out[out["grp"] == "bcg"].iloc[0]
    assert not big["converged"] and np.isnan(big["estimate"])
