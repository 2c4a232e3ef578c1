r"""Small-study tests for funnel-plot asymmetry beyond Egger's: Harbord's and Peters'
regression tests for 2x2 tables and Begg's rank correlation test."""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass, fields

import numpy as np
import numpy.typing as npt
import pandas as pd

from evsum.exceptions import EvsumWarning, SmallKWarning
from evsum.stats.results import PoolResult
from evsum.stats.scipy_modules import stats

#: Cochrane Handbook 13.3.5.4: tests for funnel-plot asymmetry need at least 10 studies.
MIN_K_POWER = 10


@dataclass(frozen=True)
class RegressionTestResult:
    """A weighted regression test for funnel-plot asymmetry (metafor ``regtest``, ``lm``).

    Attributes
    ----------
    test : str
        ``"Harbord"`` or ``"Peters"``.
    predictor : str
        What the effects are regressed on: ``"sei"`` (the standard error of Harbord's
        score-based effect) or ``"ninv"`` (1 / total sample size).
    k : int
        Number of studies in the regression.
    slope, slope_se : float
        The coefficient tested (asymmetry) and its standard error.
    tval, df, pval : float, int, float
        t statistic for slope = 0, residual degrees of freedom (k - 2), two-sided p-value.
    intercept, intercept_se : float
        The intercept and its standard error.
    alpha : float
        1 - confidence level of the fit the test was made from.
    excluded : tuple of (str, str)
        Studies left out, each with the reason.
    notes : tuple of str
        Caveats (fewer than 10 studies, studies left out).
    """

    test: str
    predictor: str
    k: int
    slope: float
    slope_se: float
    tval: float
    df: int
    pval: float
    intercept: float
    intercept_se: float
    alpha: float = 0.05
    excluded: tuple[tuple[str, str], ...] = ()
    notes: tuple[str, ...] = ()

    def to_frame(self) -> pd.DataFrame:
        """Return the result as a one-row DataFrame with the field names as columns."""
        skip = {"excluded", "notes"}
        return pd.DataFrame(
            [{f.name: getattr(self, f.name) for f in fields(self) if f.name not in skip}]
        )


@dataclass(frozen=True)
class RankTestResult:
    """Begg and Mazumdar's rank correlation test (metafor ``ranktest``).

    Attributes
    ----------
    k : int
        Number of studies.
    tau : float
        Kendall's τ (τ-b) between the standardised effects and the sampling variances.
    pval : float
        Two-sided p-value: exact when there are no ties, else the normal approximation with
        the ties correction (R ``cor.test(method = "kendall", exact = TRUE)``).
    exact : bool
        Whether the p-value is exact.
    notes : tuple of str
        Caveats.
    """

    k: int
    tau: float
    pval: float
    exact: bool
    notes: tuple[str, ...] = ()

    def to_frame(self) -> pd.DataFrame:
        """Return the result as a one-row DataFrame with the field names as columns."""
        return pd.DataFrame(
            [{f.name: getattr(self, f.name) for f in fields(self) if f.name != "notes"}]
        )


def _few(k: int, name: str, notes: list[str]) -> None:
    if k < MIN_K_POWER:
        note = f"{name} with only {k} studies has low power; Cochrane advises at least 10."
        warnings.warn(note, SmallKWarning, stacklevel=3)
        notes.append(note)


def _tables(
    result: PoolResult, ai: npt.ArrayLike, bi: npt.ArrayLike, ci: npt.ArrayLike, di: npt.ArrayLike
) -> tuple[np.ndarray, ...]:
    a, b, c, d = (np.asarray(x, dtype=float).ravel() for x in (ai, bi, ci, di))
    if not len(a) == len(b) == len(c) == len(d) == len(result.yi):
        raise ValueError(
            "ai, bi, ci and di must have one table per study of the fit "
            f"({len(result.yi)}); got {len(a)}, {len(b)}, {len(c)}, {len(d)}"
        )
    if not all(np.isfinite(x).all() and (x >= 0).all() for x in (a, b, c, d)):
        raise ValueError("ai, bi, ci and di must be finite counts >= 0")
    return a, b, c, d


def _wls_slope_test(
    test: str,
    predictor: str,
    y: np.ndarray,
    x: np.ndarray,
    w: np.ndarray,
    labels: Sequence[str],
    keep: np.ndarray,
    alpha: float,
    notes: list[str],
) -> RegressionTestResult:
    """Weighted least squares of y on (1, x) with weights w and a multiplicative dispersion
    (R ``lm(y ~ x, weights = w)``), the t test of the slope."""
    excluded = tuple(
        (labels[int(i)], "no events or no non-events in either group")
        for i in np.flatnonzero(~keep)
    )
    if excluded:
        note = f"{len(excluded)} table(s) without a {test} weight left out: " + ", ".join(
            label for label, _ in excluded
        )
        warnings.warn(note + ".", EvsumWarning, stacklevel=3)
        notes.append(note + ".")
    y, x, w = y[keep], x[keep], w[keep]
    k = len(y)
    if k < 3:
        raise ValueError(f"{test}'s test needs at least 3 studies; got {k}")
    _few(k, f"{test}' test" if test.endswith("s") else f"{test}'s test", notes)
    design = np.column_stack([np.ones(k), x])
    if np.linalg.matrix_rank(np.sqrt(w)[:, None] * design) < 2:
        raise ValueError(f"{test}'s test needs studies with different values of the predictor")
    xtwx_inv = np.linalg.inv(design.T @ (w[:, None] * design))
    beta = xtwx_inv @ (design.T @ (w * y))
    df = k - 2
    sigma2 = float((w * (y - design @ beta) ** 2).sum()) / df
    se = np.sqrt(np.diag(sigma2 * xtwx_inv))
    tval = float(beta[1] / se[1])
    return RegressionTestResult(
        test=test,
        predictor=predictor,
        k=k,
        slope=float(beta[1]),
        slope_se=float(se[1]),
        tval=tval,
        df=df,
        pval=float(2 * stats.t.sf(abs(tval), df)),
        intercept=float(beta[0]),
        intercept_se=float(se[0]),
        alpha=alpha,
        excluded=excluded,
        notes=tuple(notes),
    )


def harbord_test(
    result: PoolResult,
    ai: Sequence[float] | np.ndarray,
    bi: Sequence[float] | np.ndarray,
    ci: Sequence[float] | np.ndarray,
    di: Sequence[float] | np.ndarray,
) -> RegressionTestResult:
    r"""Harbord's score-based test for small-study effects of an odds-ratio meta-analysis.

    Parameters
    ----------
    result : PoolResult
        The fit whose studies are tested (any method on the 2x2 tables below; its
        ``labels`` and ``alpha`` are used).
    ai, bi, ci, di : array_like
        The 2x2 tables of the fit's studies, in its order: events and non-events in group 1
        and group 2.

    Returns
    -------
    RegressionTestResult
        ``test="Harbord"``, ``predictor="sei"``; ``slope`` is the asymmetry coefficient.

    Raises
    ------
    ValueError
        Tables not aligned with the fit, fewer than 3 tables with a score variance.

    Warns
    -----
    SmallKWarning
        Fewer than 10 studies.
    EvsumWarning
        Tables with no events or only events in both groups (score variance 0) left out.

    Notes
    -----
    With the efficient score :math:`Z_i = a_i - (a_i + c_i) n_{1i}/n_i` and its variance
    :math:`V_i = n_{1i} n_{2i} (a_i + c_i)(b_i + d_i) / (n_i^2 (n_i - 1))`, Harbord et al.
    regress :math:`Z_i/\sqrt{V_i}` on :math:`\sqrt{V_i}` and test the intercept; this equals
    Egger's weighted regression of :math:`Z_i/V_i` on :math:`1/\sqrt{V_i}` with weights
    :math:`V_i`, whose slope is tested here (R meta ``metabias(method.bias = "Harbord")``).
    Unlike Egger's test, the score and its variance are (nearly) uncorrelated under the
    null, so the test keeps its size when the odds ratio is far from 1.

    Checked against metafor 3.8 ``regtest(rma(yi = Z/V, vi = 1/V, method = "FE"),
    model = "lm", predictor = "sei")`` (the regression R meta runs) on ``dat.bcg``,
    ``dat.egger2001`` and ``dat.collins1985a`` (tests/reference/sensitivity.json).

    References
    ----------
    Harbord RM, Egger M, Sterne JAC (2006). A modified test for small-study effects in
    meta-analyses of controlled trials with binary endpoints. Statistics in Medicine
    25:3443-3457.

    Examples
    --------
    >>> import warnings
    >>> from evsum.stats.mh import pool_mh
    >>> tables = ([4, 6, 3, 62], [119, 300, 228, 13536], [11, 29, 11, 248],
    ...           [128, 274, 209, 12619])
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")  # fewer than 10 studies
    ...     res = harbord_test(pool_mh(*tables), *tables)
    >>> res.df
    2
    """
    a, b, c, d = _tables(result, ai, bi, ci, di)
    n1, n2 = a + b, c + d
    n = n1 + n2
    with np.errstate(divide="ignore", invalid="ignore"):
        score = a - (a + c) * n1 / n
        var = n1 * n2 * (a + c) * (b + d) / (n**2 * (n - 1))
    keep = np.isfinite(var) & (var > 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        y, x = score / var, 1 / np.sqrt(var)
    return _wls_slope_test(
        "Harbord", "sei", y, x, np.where(keep, var, 0.0), result.labels, keep, result.alpha, []
    )


def peters_test(
    result: PoolResult,
    ai: Sequence[float] | np.ndarray,
    bi: Sequence[float] | np.ndarray,
    ci: Sequence[float] | np.ndarray,
    di: Sequence[float] | np.ndarray,
) -> RegressionTestResult:
    r"""Peters' regression test for small-study effects of an odds-ratio meta-analysis.

    Parameters
    ----------
    result : PoolResult
        A fit with ``measure="OR"`` whose log odds ratios (``yi``) are tested; its
        ``labels`` and ``alpha`` are used.
    ai, bi, ci, di : array_like
        The 2x2 tables of the fit's studies, in its order.

    Returns
    -------
    RegressionTestResult
        ``test="Peters"``, ``predictor="ninv"``; ``slope`` is the coefficient of 1/n.

    Raises
    ------
    ValueError
        Not an odds-ratio fit, tables not aligned with the fit, fewer than 3 usable tables.

    Warns
    -----
    SmallKWarning
        Fewer than 10 studies.
    EvsumWarning
        Tables with no events or only events in both groups left out.

    Notes
    -----
    Weighted regression of the log odds ratio :math:`y_i` on :math:`1/n_i` (total sample
    size) with weights :math:`1/(1/(a_i + c_i) + 1/(b_i + d_i))` and a multiplicative
    dispersion, and the t test of the slope (k - 2 df), as R meta
    ``metabias(method.bias = "Peters")``. The log odds ratios are the fit's, with whatever
    continuity correction the fit used.

    Checked against metafor 3.8 ``regtest(rma(yi, sei = sqrt(1/(a + c) + 1/(b + d)),
    ni = 1/n, method = "FE"), model = "lm", predictor = "ni")`` (the regression R meta
    runs) on ``dat.bcg``, ``dat.egger2001`` and ``dat.collins1985a``
    (tests/reference/sensitivity.json).

    References
    ----------
    Peters JL, Sutton AJ, Jones DR, Abrams KR, Rushton L (2006). Comparison of two methods
    to detect publication bias in meta-analysis. JAMA 295(6):676-680.
    """
    if result.measure != "OR":
        raise ValueError(f"Peters' test is for odds ratios; got measure={result.measure!r}")
    a, b, c, d = _tables(result, ai, bi, ci, di)
    with np.errstate(divide="ignore"):
        w = 1 / (1 / (a + c) + 1 / (b + d))
    y = np.asarray(result.yi, dtype=float)
    keep = np.isfinite(w) & (w > 0) & np.isfinite(y)
    return _wls_slope_test(
        "Peters",
        "ninv",
        y,
        1 / (a + b + c + d),
        np.where(keep, w, 0.0),
        result.labels,
        keep,
        result.alpha,
        [],
    )


def rank_test(result: PoolResult) -> RankTestResult:
    r"""Begg and Mazumdar's rank correlation test for funnel-plot asymmetry of a fit.

    Parameters
    ----------
    result : PoolResult
        A fit with at least 3 studies (its ``yi`` and ``vi``).

    Returns
    -------
    RankTestResult
        Kendall's τ and its two-sided p-value.

    Raises
    ------
    ValueError
        Fewer than 3 studies.

    Warns
    -----
    SmallKWarning
        Fewer than 10 studies.

    Notes
    -----
    Standardised effects :math:`(y_i - \hat\theta)/\sqrt{v_i - v_\theta}` with the
    common-effect estimate :math:`\hat\theta` and its variance :math:`v_\theta = 1/\sum 1/v_i`
    are correlated with :math:`v_i` by Kendall's τ. The p-value is exact without ties and
    from the normal approximation with ties, as metafor 3.8 ``ranktest`` (``exact = TRUE``
    in R's ``cor.test``).

    Checked against metafor 3.8 ``ranktest(fit)`` on ``dat.bcg``, ``dat.hackshaw1998`` and
    generated data (tests/reference/sensitivity.json).

    References
    ----------
    Begg CB, Mazumdar M (1994). Operating characteristics of a rank correlation test for
    publication bias. Biometrics 50:1088-1101.

    Examples
    --------
    >>> import warnings
    >>> from evsum.stats.pooling import pool
    >>> fit = pool([0.1, 0.3, 0.5, 0.2], [0.01, 0.02, 0.04, 0.03], method="FE")
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")  # fewer than 10 studies
    ...     res = rank_test(fit)
    >>> round(res.tau, 4), round(res.pval, 4)
    (0.6667, 0.3333)
    """
    y = np.asarray(result.yi, dtype=float)
    v = np.asarray(result.vi, dtype=float)
    k = len(y)
    if k < 3:
        raise ValueError(f"the rank correlation test needs at least 3 studies; got {k}")
    notes: list[str] = []
    _few(k, "The rank correlation test", notes)
    w = 1 / v
    theta = (w * y).sum() / w.sum()
    ystar = (y - theta) / np.sqrt(v - 1 / w.sum())
    ties = len(np.unique(ystar)) < k or len(np.unique(v)) < k
    res = stats.kendalltau(ystar, v, method="asymptotic" if ties else "exact")
    return RankTestResult(
        k=k, tau=float(res.statistic), pval=float(res.pvalue), exact=not ties, notes=tuple(notes)
    )
