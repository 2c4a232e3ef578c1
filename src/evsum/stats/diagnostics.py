r"""Influence and small-study diagnostics: leave-one-out analysis and Egger's test."""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import numpy as np
import pandas as pd

from evsum.exceptions import EvsumWarning, SmallKWarning
from evsum.stats.inverse_variance import STEP_STATISTICS, check_method, fit_groups
from evsum.stats.results import EggerResult, PoolResult
from evsum.stats.scipy_modules import stats
from evsum.stats.tau2 import Grouped

#: Columns of ``leave_one_out``.
LEAVE_ONE_OUT_COLUMNS: tuple[str, ...] = ("label", *STEP_STATISTICS, "converged")


def _clean(
    yi: Sequence[float] | np.ndarray, vi: Sequence[float] | np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    y = np.asarray(yi, dtype=float).ravel()
    v = np.asarray(vi, dtype=float).ravel()
    if len(y) != len(v):
        raise ValueError(f"yi and vi must have the same length; got {len(y)} and {len(v)}")
    if not (np.isfinite(y).all() and np.isfinite(v).all() and (v > 0).all()):
        raise ValueError("yi must be finite and vi finite and > 0 for every study")
    return y, v


def leave_one_out(result: PoolResult) -> pd.DataFrame:
    r"""Re-run a meta-analysis leaving out each study in turn (metafor ``leave1out(fit)``).

    Parameters
    ----------
    result : PoolResult
        A fit of :func:`evsum.pool`: its studies (``yi``, ``vi``, ``labels``), ``method``,
        ``test`` and ``alpha`` are used again.

    Returns
    -------
    pandas.DataFrame
        One row per omitted study:

        =========== ===============================================================
        label       the study left out
        estimate    pooled estimate without it (with ``se``, ``zval``, ``pval``,
                    ``ci_low``, ``ci_high``)
        q, q_pval   Cochran's Q of the remaining studies
        tau2        τ² (0 for ``"FE"``), ``i2`` (percent), ``h2``
        converged   False where τ² did not converge: the row's statistics are NaN
        =========== ===============================================================

    Raises
    ------
    ValueError
        Fewer than 2 studies, incomplete data, unknown method or test.

    Notes
    -----
    All k fits run at once through the vectorised kernel of :func:`evsum.pool_groups`
    (``evsum.stats.inverse_variance.fit_groups``).
    Fits that do not converge give NaN throughout and ``converged`` False (metafor leaves
    the row NA).

    Checked against metafor 3.8 ``leave1out(rma(yi, vi, method=, test=))`` on ``dat.bcg``
    (tests/reference/diagnostics.json).

    Examples
    --------
    >>> from evsum.stats.pooling import pool
    >>> fit = pool([0.1, 0.3, 0.5], [0.01, 0.02, 0.04], method="FE")
    >>> leave_one_out(fit)["k"].tolist()
    [2, 2, 2]
    """
    method = check_method(result.method, result.test)
    test, alpha, labels = result.test, result.alpha, result.labels
    y, v = _clean(result.yi, result.vi)
    k = len(y)
    if k < 2:
        raise ValueError(f"leave-one-out needs at least 2 studies; got {k}")
    names = [f"Study {i + 1}" for i in range(k)] if labels is None else [str(x) for x in labels]
    if len(names) != k:
        raise ValueError(f"labels must have one entry per study; got {len(names)} for {k}")
    keep = ~np.eye(k, dtype=bool)  # row i: every study except i
    gid, idx = np.nonzero(keep)
    fit = fit_groups(Grouped(yi=y[idx], vi=v[idx], gid=gid, n=k), method, test, alpha)
    out = pd.DataFrame({"label": names, "k": fit["k"]})
    for name in LEAVE_ONE_OUT_COLUMNS[1:]:
        out[name] = fit[name]
    return out


def egger_test(result: PoolResult) -> EggerResult:
    r"""Egger's regression test for funnel-plot asymmetry (classic weighted-regression form)
    of a fit, as metafor ``regtest(fit, model="lm", predictor="sei")``.

    Parameters
    ----------
    result : PoolResult
        A fit of :func:`evsum.pool` with at least 3 studies: its effect sizes and sampling
        variances (``yi``, ``vi``) are tested; its ``alpha`` sets the confidence level of the
        limit estimate's CI.

    Returns
    -------
    EggerResult
        ``bias`` (Egger's intercept), its ``tval``, ``df`` = k - 2, ``pval``, and the limit
        estimate (effect as the standard error goes to 0) with its CI.

    Raises
    ------
    ValueError
        Fewer than 3 studies, incomplete data, or every study with the same sampling
        variance (the regression on the standard error has no slope to estimate).

    Warns
    -----
    SmallKWarning
        Fewer than 10 studies (the test has little power; Cochrane Handbook 10.4.3.1).
    EvsumWarning
        The effects fit the regression exactly (e.g. identical effects): ``bias_se``,
        ``tval``, ``pval`` and the limit CI are NaN instead of rounding noise.

    Notes
    -----
    Weighted least squares of :math:`y_i = \beta_0 + \beta_1 \sqrt{v_i} + e_i` with weights
    :math:`1/v_i` and a multiplicative dispersion parameter; the test is the t test of
    :math:`\beta_1`, identical to testing the intercept of Egger et al. (1997)'s regression of
    :math:`y_i/\sqrt{v_i}` on :math:`1/\sqrt{v_i}`.

    Checked against metafor 3.8 ``regtest(rma(yi, vi, method="FE"), model="lm",
    predictor="sei")`` on ``dat.bcg`` (tests/reference/diagnostics.json).

    References
    ----------
    Egger M, Davey Smith G, Schneider M, Minder C (1997). Bias in meta-analysis detected by
    a simple, graphical test. BMJ 315:629-634.

    Examples
    --------
    >>> import warnings
    >>> from evsum.stats.pooling import pool
    >>> fit = pool([0.1, 0.3, 0.5, 0.2], [0.01, 0.02, 0.04, 0.03], method="FE")
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")  # fewer than 10 studies
    ...     res = egger_test(fit)
    >>> res.df
    2
    """
    alpha = result.alpha
    y, v = _clean(result.yi, result.vi)
    k = len(y)
    if k < 3:
        raise ValueError(f"Egger's test needs at least 3 studies; got {k}")
    notes = []
    if k < 10:
        note = f"Egger's test with only {k} studies has low power; Cochrane advises at least 10."
        warnings.warn(note, SmallKWarning, stacklevel=2)
        notes.append(note)
    x = np.column_stack([np.ones(k), np.sqrt(v)])
    w = 1 / v
    if np.linalg.matrix_rank(np.sqrt(w)[:, None] * x) < 2:
        raise ValueError(
            "Egger's test needs studies with different standard errors; all "
            f"{k} have the same sampling variance"
        )
    xtwx_inv = np.linalg.inv(x.T @ (w[:, None] * x))
    beta = xtwx_inv @ (x.T @ (w * y))
    df = k - 2
    resid = y - x @ beta
    if np.abs(resid).max() <= 1e-10 * max(np.abs(y).max(), np.finfo(float).tiny):
        # an exact fit (identical effects, or effects exactly linear in the SE): the residual
        # variance is rounding noise, so any t statistic computed from it is meaningless
        note = (
            "The effects lie exactly on the regression line (for example, identical "
            "effects): Egger's test is not defined."
        )
        warnings.warn(note, EvsumWarning, stacklevel=2)
        notes.append(note)
        sigma2 = np.nan
    else:
        sigma2 = float((w * resid**2).sum()) / df
    se = np.sqrt(np.diag(sigma2 * xtwx_inv))
    tval = float(beta[1] / se[1])
    crit = stats.t.isf(alpha / 2, df)
    return EggerResult(
        k=k,
        bias=float(beta[1]),
        bias_se=float(se[1]),
        tval=tval,
        df=df,
        pval=float(2 * stats.t.sf(abs(tval), df)),
        limit_estimate=float(beta[0]),
        limit_ci_low=float(beta[0] - crit * se[0]),
        limit_ci_high=float(beta[0] + crit * se[0]),
        alpha=alpha,
        notes=tuple(notes),
    )
