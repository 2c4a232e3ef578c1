r"""Cumulative meta-analysis: the pooled result as studies are added one at a time."""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np
import numpy.typing as npt
import pandas as pd

from evsum.stats.inverse_variance import STEP_STATISTICS, check_method, fit_groups
from evsum.stats.results import PoolResult
from evsum.stats.tau2 import Grouped

#: Per-step statistics of :class:`CumulativeResult`, in column order.
CUMULATIVE_COLUMNS: tuple[str, ...] = STEP_STATISTICS


@dataclass(frozen=True)
class CumulativeResult:
    """A cumulative meta-analysis (metafor ``cumul``): one fit per step.

    Step i pools the first i studies in the chosen order, with the method, test and alpha
    of the fit it was made from. Ratio measures stay on the log scale.

    Attributes
    ----------
    measure, method, test : str or None, str, str
        From the fit.
    alpha : float
        1 - confidence level.
    labels : tuple of str
        The study added at each step, in order.
    k : tuple of int
        Studies pooled at each step (1, 2, ..., k).
    estimate, se, zval, pval, ci_low, ci_high : tuple of float
        Pooled estimate and its test and interval at each step.
    q, q_pval, tau2, i2, h2 : tuple of float
        Heterogeneity at each step (I² in percent); NaN where τ² did not converge.
    converged : tuple of bool
        False where the step's τ² did not converge.
    notes : tuple of str
        Caveats.
    """

    measure: str | None
    method: str
    test: str
    alpha: float
    labels: tuple[str, ...]
    k: tuple[int, ...]
    estimate: tuple[float, ...]
    se: tuple[float, ...]
    zval: tuple[float, ...]
    pval: tuple[float, ...]
    ci_low: tuple[float, ...]
    ci_high: tuple[float, ...]
    q: tuple[float, ...]
    q_pval: tuple[float, ...]
    tau2: tuple[float, ...]
    i2: tuple[float, ...]
    h2: tuple[float, ...]
    converged: tuple[bool, ...]
    notes: tuple[str, ...] = ()

    def to_frame(self) -> pd.DataFrame:
        """One row per step; columns are the per-step field names (``label`` for labels)."""
        skip = {"measure", "method", "test", "alpha", "notes"}
        data = {
            ("label" if f.name == "labels" else f.name): list(getattr(self, f.name))
            for f in fields(self)
            if f.name not in skip
        }
        return pd.DataFrame(data)


def cumulative(result: PoolResult, order: npt.ArrayLike | None = None) -> CumulativeResult:
    r"""Cumulative meta-analysis of a fit, adding one study at a time (metafor ``cumul``).

    Parameters
    ----------
    result : PoolResult
        A fit of :func:`evsum.pool` (inverse-variance method): its studies, ``method``,
        ``test`` and ``alpha`` are used again.
    order : sequence, optional
        One sort key per study of the fit (for example the year of publication); studies
        are added in increasing order of the key, ties in the fit's order (metafor's
        ``order``). Default: the fit's order.

    Returns
    -------
    CumulativeResult
        The pooled estimate, test, interval and heterogeneity after each added study.

    Raises
    ------
    ValueError
        Not an inverse-variance fit, or ``order`` of the wrong length.

    Notes
    -----
    All k fits run at once through the vectorised kernel of :func:`evsum.pool_groups`;
    step 1 is a single study (τ² = 0, Q = 0, I² = 0, H² = 1; the z test under
    Hartung-Knapp, as metafor).

    Checked against metafor 3.8 ``cumul(rma(yi, vi, method=, test=), order=year)`` on
    ``dat.bcg`` and ``dat.hackshaw1998`` (tests/reference/sensitivity.json).

    Examples
    --------
    >>> from evsum.stats.pooling import pool
    >>> fit = pool([0.1, 0.3, 0.5], [0.01, 0.02, 0.04], method="FE")
    >>> cumulative(fit, order=[2003, 2001, 2002]).labels
    ('Study 2', 'Study 3', 'Study 1')
    """
    method = check_method(result.method, result.test)
    y = np.asarray(result.yi, dtype=float)
    v = np.asarray(result.vi, dtype=float)
    k = len(y)
    if order is None:
        idx = np.arange(k)
    else:
        keys = np.asarray(order)
        if len(keys) != k:
            raise ValueError(f"order must have one key per study ({k}); got {len(keys)}")
        idx = np.argsort(keys, kind="stable")
    y, v = y[idx], v[idx]
    labels = tuple(result.labels[i] for i in idx)
    step, pos = np.nonzero(np.tri(k, dtype=bool))  # step i holds studies 0..i (sorted)
    fit = fit_groups(
        Grouped(yi=y[pos], vi=v[pos], gid=step, n=k), method, result.test, result.alpha
    )

    def col(name: str) -> tuple[float, ...]:
        return tuple(float(x) for x in fit[name])

    return CumulativeResult(
        measure=result.measure,
        method=method,
        test=result.test,
        alpha=result.alpha,
        labels=labels,
        k=tuple(int(x) for x in fit["k"]),
        estimate=col("estimate"),
        se=col("se"),
        zval=col("zval"),
        pval=col("pval"),
        ci_low=col("ci_low"),
        ci_high=col("ci_high"),
        q=col("q"),
        q_pval=col("q_pval"),
        tau2=col("tau2"),
        i2=col("i2"),
        h2=col("h2"),
        converged=tuple(bool(x) for x in fit["converged"]),
    )
