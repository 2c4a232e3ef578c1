r"""Subgroup analysis: separate meta-analyses per subgroup and the test for differences."""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from evsum.stats.pooling import pool
from evsum.stats.results import PoolResult, SubgroupResult


def _pool_quietly(*args: Any, **kwargs: Any) -> tuple[PoolResult, list[warnings.WarningMessage]]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = pool(*args, **kwargs)
    return result, list(caught)


def pool_subgroups(
    yi: Sequence[float] | np.ndarray,
    vi: Sequence[float] | np.ndarray,
    groups: Sequence[str] | np.ndarray,
    *,
    method: str = "REML",
    test: str = "z",
    measure: str | None = None,
    labels: Sequence[str] | None = None,
    alpha: float = 0.05,
    warn: bool = True,
) -> SubgroupResult:
    r"""Meta-analyse each subgroup separately and test for subgroup differences.

    Parameters
    ----------
    yi, vi : array_like
        Effect sizes and sampling variances.
    groups : sequence
        Subgroup of each study (same length as ``yi``); order of first appearance is kept.
    method, test, measure, alpha
        As in :func:`evsum.pool`; each subgroup gets its own τ².
    labels : sequence of str, optional
        Study labels.
    warn : bool
        Issue each caveat as a warning too (default); with ``False`` they are only in
        ``SubgroupResult.notes`` (and each subgroup's ``notes``), as in :func:`evsum.pool`.

    Returns
    -------
    SubgroupResult
        Per-subgroup results, the overall result, and Q between subgroups.

    Raises
    ------
    ValueError
        Lengths differ, a group is missing, or fewer than 2 subgroups.

    Warns
    -----
    EvsumWarning
        The caveats of each subgroup fit, prefixed with the subgroup name.

    Notes
    -----
    .. math:: Q_b = \sum_g (\hat\mu_g - \bar\mu)^2 / SE_g^2,\quad
              \bar\mu = \frac{\sum_g \hat\mu_g / SE_g^2}{\sum_g 1/SE_g^2}

    on G - 1 df, as RevMan and R ``meta`` (random-effects model, separate τ² per subgroup).

    Checked against metafor 3.8: ``rma(yi, vi, subset=alloc==g)`` per subgroup of
    ``dat.bcg``, then ``rma(estimates, sei=ses, method="FE")$QE``
    (tests/reference/diagnostics.json).

    Examples
    --------
    >>> res = pool_subgroups([0.1, 0.2, 0.6, 0.7], [0.01, 0.02, 0.01, 0.02],
    ...                      ["a", "a", "b", "b"], method="FE")
    >>> res.q_between_df
    1
    """
    y = np.asarray(yi, dtype=float).ravel()
    v = np.asarray(vi, dtype=float).ravel()
    grp = pd.Series(list(groups), dtype=object)
    if not len(y) == len(v) == len(grp):
        raise ValueError(
            f"yi, vi and groups must have the same length; got {len(y)}, {len(v)}, {len(grp)}"
        )
    if grp.isna().any():
        raise ValueError(f"groups is missing at index {int(np.flatnonzero(grp.isna())[0])}")
    names = [f"Study {i + 1}" for i in range(len(y))] if labels is None else list(labels)
    levels = [str(g) for g in pd.unique(grp)]
    if len(levels) < 2:
        raise ValueError(f"subgroup analysis needs at least 2 subgroups; got {levels}")
    results, notes = [], []
    for level in levels:
        mask = (grp.astype(str) == level).to_numpy()
        members = [n for n, m in zip(names, mask, strict=True) if m]
        res, caught = _pool_quietly(
            y[mask],
            v[mask],
            method=method,
            test=test,
            measure=measure,
            labels=members,
            alpha=alpha,
        )
        results.append(res)
        for caught_warning in caught:
            notes.append((caught_warning.category, f"Subgroup {level}: {caught_warning.message}"))
    overall, _ = _pool_quietly(
        y, v, method=method, test=test, measure=measure, labels=names, alpha=alpha
    )
    est = np.array([r.estimate for r in results])
    w = 1 / np.array([r.se for r in results]) ** 2
    q_between = float((w * (est - (w * est).sum() / w.sum()) ** 2).sum())
    df = len(levels) - 1
    for category, note in notes if warn else ():
        warnings.warn(note, category, stacklevel=2)
    return SubgroupResult(
        groups=tuple(levels),
        results=tuple(results),
        overall=overall,
        q_between=q_between,
        q_between_df=df,
        q_between_pval=float(stats.chi2.sf(q_between, df)),
        notes=tuple(n for _, n in notes),
    )
