r"""Trim-and-fill (Duval and Tweedie): a sensitivity analysis for funnel-plot asymmetry."""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

from evsum.stats.inverse_variance import check_method
from evsum.stats.pooling import pool
from evsum.stats.results import PoolResult
from evsum.stats.scipy_modules import optimize, special
from evsum.stats.tau2 import TAU2_MAX

ESTIMATORS: tuple[str, ...] = ("L0", "R0")
SIDES: tuple[str, ...] = ("left", "right")
#: metafor ``trimfill(maxiter = 100)``.
MAXITER = 100


@dataclass(frozen=True)
class TrimFillResult:
    """Trim-and-fill: the number of studies estimated missing and the filled-in analysis.

    A sensitivity analysis, never the main result: the filled studies are mirror images of
    the most extreme ones, not data.

    Attributes
    ----------
    estimator : str
        ``"L0"`` or ``"R0"``.
    side : str
        Side of the funnel plot the missing studies were imputed on (``"left"``:
        smaller effects).
    k0, k0_se : int, float
        Estimated number of missing studies and its standard error.
    p_k0 : float
        R0 only: p-value of the test that no study is missing (NaN for L0).
    filled : PoolResult
        The meta-analysis of the observed and filled studies (the filled ones are labelled
        ``"Filled 1"``, ...; the fit's method, z test).
    is_filled : tuple of bool
        Aligned with ``filled.yi``: True for an imputed study.
    notes : tuple of str
        Caveats.
    """

    estimator: str
    side: str
    k0: int
    k0_se: float
    p_k0: float
    filled: PoolResult
    is_filled: tuple[bool, ...]
    notes: tuple[str, ...] = ()

    def to_frame(self) -> pd.DataFrame:
        """The filled analysis (:meth:`PoolResult.to_frame`) with a ``filled`` column."""
        frame = self.filled.to_frame(exp=False)
        frame["filled"] = list(self.is_filled) + [False]
        return frame


def _tau2_regression(y: np.ndarray, v: np.ndarray, x: np.ndarray, method: str) -> float:
    """τ² of the meta-regression of y on (1, x) by ``method`` (FE, DL, REML, ML, PM)."""
    k, p = len(y), 2
    design = np.column_stack([np.ones(k), x])

    def parts(tau2: float) -> tuple[np.ndarray, float, float]:
        w = 1 / (v + tau2)
        xtwx_inv = np.linalg.inv(design.T @ (w[:, None] * design))
        pmat = np.diag(w) - (w[:, None] * design) @ xtwx_inv @ (design.T * w)
        return (
            pmat,
            float(y @ pmat @ y),
            float(np.linalg.slogdet(design.T @ (w[:, None] * design))[1]),
        )

    if method == "FE":
        return 0.0
    if method == "DL":
        pmat, q, _ = parts(0.0)
        return max(0.0, (q - (k - p)) / float(np.trace(pmat)))
    upper = max(TAU2_MAX, 10 * float(np.var(y)))
    if method == "PM":

        def gap(t: float) -> float:
            return parts(t)[1] - (k - p)

        if gap(0.0) <= 0:
            return 0.0
        return float(optimize.brentq(gap, 0.0, upper)) if gap(upper) < 0 else upper

    def minus_ll(t: float) -> float:
        _, q, logdet = parts(t)
        ll = float(-0.5 * np.log(v + t).sum() - 0.5 * q)
        return -(ll - 0.5 * logdet if method == "REML" else ll)

    found = optimize.minimize_scalar(
        minus_ll, bounds=(0.0, upper), method="bounded", options={"xatol": 1e-10}
    )
    best = float(found.x)
    return best if minus_ll(best) < minus_ll(0.0) else 0.0


def _slope(y: np.ndarray, v: np.ndarray, method: str) -> float:
    """Slope of the regression of y on sqrt(v), weights 1/(v + τ²) (metafor's side rule)."""
    x = np.sqrt(v)
    w = 1 / (v + _tau2_regression(y, v, x, method))
    design = np.column_stack([np.ones(len(y)), x])
    beta = np.linalg.solve(design.T @ (w[:, None] * design), design.T @ (w * y))
    return float(beta[1])


def _quiet_pool(
    y: np.ndarray,
    v: np.ndarray,
    method: str,
    labels: list[str] | None = None,
    measure: str | None = None,
    alpha: float = 0.05,
) -> PoolResult:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return pool(y, v, method=method, labels=labels, measure=measure, alpha=alpha, warn=False)


def trim_and_fill(
    result: PoolResult, *, estimator: str = "L0", side: str | None = None
) -> TrimFillResult:
    r"""Trim-and-fill analysis of a fit (metafor ``trimfill``), as a sensitivity analysis.

    Parameters
    ----------
    result : PoolResult
        A fit of :func:`evsum.pool` (inverse-variance method); its studies, ``method``,
        ``measure`` and ``alpha`` are used again.
    estimator : {"L0", "R0"}
        Duval and Tweedie's estimator of the number of missing studies.
    side : {"left", "right"}, optional
        Side on which studies are missing. Default: chosen as metafor does, from the sign
        of the slope of the regression of the effects on their standard errors (with the
        fit's τ² estimator): missing on the left if the slope is positive, else right.

    Returns
    -------
    TrimFillResult
        k0, its SE (and p-value for R0), and the meta-analysis with the filled studies.

    Raises
    ------
    ValueError
        Unknown estimator or side, fewer than 3 studies, or not an inverse-variance fit.

    Notes
    -----
    The effects are oriented so that the missing side is the left, sorted, and the
    iteration trims the k0 largest, re-estimates the centre :math:`\hat\mu` from the rest
    (the fit's method), ranks :math:`|y_i - \hat\mu|` (ties by order) and updates k0 until it
    stops changing: :math:`L_0 = (4 S_r - k(k+1))/(2k - 1)` with :math:`S_r` the sum of the
    positive signed ranks, or :math:`R_0 = k - r^* - 1` with :math:`r^*` the largest rank of
    a negative deviation; k0 is rounded and kept >= 0. The k0 most extreme studies are
    mirrored around :math:`\hat\mu` (:math:`2\hat\mu - y_i`, same variance) and all studies
    pooled again (z test). SE of k0 and the R0 p-value as metafor 3.8.

    Checked against metafor 3.8 ``trimfill(rma(yi, vi, method=), estimator=)`` on
    ``dat.hackshaw1998``, ``dat.egger2001``, ``dat.bcg`` and generated data
    (tests/reference/sensitivity.json).

    References
    ----------
    Duval S, Tweedie R (2000). Trim and fill: a simple funnel-plot-based method of testing
    and adjusting for publication bias in meta-analysis. Biometrics 56:455-463.
    Duval S, Tweedie R (2000). A nonparametric "trim and fill" method of accounting for
    publication bias in meta-analysis. JASA 95:89-98.
    """
    if estimator not in ESTIMATORS:
        raise ValueError(f"estimator must be one of {list(ESTIMATORS)}; got {estimator!r}")
    if side is not None and side not in SIDES:
        raise ValueError(f"side must be one of {list(SIDES)} or None; got {side!r}")
    if result.method in ("MH", "PETO"):
        raise ValueError(f"trim-and-fill needs an inverse-variance fit; got {result.method!r}")
    method = check_method(result.method, "z")
    y0 = np.asarray(result.yi, dtype=float)
    v0 = np.asarray(result.vi, dtype=float)
    k = len(y0)
    if k < 3:
        raise ValueError(f"trim-and-fill needs at least 3 studies; got {k}")
    if side is None:
        side = "right" if _slope(y0, v0, method) < 0 else "left"
    sign = -1.0 if side == "right" else 1.0
    order = np.argsort(sign * y0, kind="stable")
    y, v = sign * y0[order], v0[order]
    k0, previous, k0_se = 0, -1, 0.0
    for _ in range(MAXITER):
        if k0 == previous:
            break
        previous = k0
        mu = _quiet_pool(y[: k - k0], v[: k - k0], method).estimate
        dev = y - mu
        ranks = np.empty(k)
        ranks[np.argsort(np.abs(dev), kind="stable")] = np.arange(1, k + 1)
        signed = np.sign(dev) * ranks
        if estimator == "R0":
            raw = k - np.max(-signed[signed < 0], initial=0.0) - 1
            k0_se = float(np.sqrt(2 * max(0.0, raw) + 2))
        else:
            sr = signed[signed > 0].sum()
            raw = (4 * sr - k * (k + 1)) / (2 * k - 1)
            var_sr = (
                k * (k + 1) * (2 * k + 1)
                + 10 * raw**3
                + 27 * raw**2
                + 17 * raw
                - 18 * k * raw**2
                - 18 * k * raw
                + 6 * k**2 * raw
            ) / 24
            k0_se = float(4 * np.sqrt(var_sr) / (2 * k - 1))
        k0 = int(max(0.0, np.round(raw)))  # R's round(): halves to even, as np.round
        k0_se = max(0.0, k0_se)
    else:
        raise ValueError(f"trim-and-fill did not converge in {MAXITER} iterations")
    notes = ["Trim-and-fill is a sensitivity analysis: the filled studies are imputed, not data."]
    if k0 > 0:
        mirrored = sign * (2 * mu - y[k - k0 :])
        yf = np.concatenate([y0, mirrored])
        vf = np.concatenate([v0, v[k - k0 :]])
        labels = list(result.labels) + [f"Filled {i + 1}" for i in range(k0)]
        filled = _quiet_pool(yf, vf, method, labels, result.measure, result.alpha)
    else:
        filled = result
    p_k0 = np.nan
    if estimator == "R0":
        m = np.arange(-1, k0)
        p_k0 = float(1 - (special.comb(m + 1, m + 1) * 0.5 ** (m + 2)).sum())
    return TrimFillResult(
        estimator=estimator,
        side=side,
        k0=k0,
        k0_se=k0_se,
        p_k0=p_k0,
        filled=filled,
        is_filled=(False,) * k + (True,) * k0,
        notes=tuple(notes),
    )
