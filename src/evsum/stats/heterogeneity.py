r"""Confidence intervals for the between-study variance τ² (and τ, I², H²): the Q-profile."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from evsum.stats.results import PoolResult
from evsum.stats.scipy_modules import stats
from evsum.stats.tau2 import TAU2_MAX, TOL, Grouped, weighted_fit, zeroin

#: metafor 3.8 ``confint.rma.uni`` control: ``uniroot(maxiter = 1000)``.
CONFINT_MAXITER = 1000


@dataclass(frozen=True)
class ConfintResult:
    """Q-profile confidence intervals for τ², τ, I² and H² (metafor ``confint(rma)``).

    Attributes
    ----------
    method : str
        τ² estimator of the fit the intervals belong to (the estimates come from it).
    k : int
        Number of studies.
    alpha : float
        1 - confidence level.
    tau2, tau2_low, tau2_high : float
        Estimate of τ² and its confidence interval.
    tau, tau_low, tau_high : float
        The same for τ (square roots).
    i2, i2_low, i2_high : float
        I² (percent) and its interval, ``100 τ² / (τ² + s²)`` at the τ² bounds with the
        typical within-study variance s².
    h2, h2_low, h2_high : float
        H² = τ²/s² + 1 and its interval.
    notes : tuple of str
        Caveats (a bound at the edge of the search range, an empty interval at 0).
    """

    method: str
    k: int
    alpha: float
    tau2: float
    tau2_low: float
    tau2_high: float
    tau: float
    tau_low: float
    tau_high: float
    i2: float
    i2_low: float
    i2_high: float
    h2: float
    h2_low: float
    h2_high: float
    notes: tuple[str, ...] = ()

    def to_frame(self) -> pd.DataFrame:
        """One row per quantity (``tau2``, ``tau``, ``i2``, ``h2``): estimate, ci_low, ci_high."""
        rows = [
            {
                "quantity": q,
                "estimate": getattr(self, q),
                "ci_low": getattr(self, f"{q}_low"),
                "ci_high": getattr(self, f"{q}_high"),
            }
            for q in ("tau2", "tau", "i2", "h2")
        ]
        return pd.DataFrame(rows)


def _q_of(g: Grouped) -> Callable[[np.ndarray], np.ndarray]:
    def q(tau2: np.ndarray) -> np.ndarray:
        return weighted_fit(g, tau2).rss

    return q


def confint(result: PoolResult) -> ConfintResult:
    r"""Q-profile confidence intervals for τ², τ, I² and H² of a random-effects fit.

    Parameters
    ----------
    result : PoolResult
        A random-effects result of :func:`evsum.pool` (``method`` DL, REML, PM or ML) with at
        least 2 studies. Its ``alpha`` sets the confidence level.

    Returns
    -------
    ConfintResult
        Estimates (from ``result``) and interval bounds for τ², τ, I² (percent) and H².

    Raises
    ------
    ValueError
        Common-effect (FE, MH, Peto) result, or fewer than 2 studies.

    Notes
    -----
    The bounds are the τ² values where the generalised Q statistic
    :math:`Q(\tau^2) = \sum_i (y_i - \hat\mu(\tau^2))^2 / (v_i + \tau^2)` equals the
    :math:`1 - \alpha/2` and :math:`\alpha/2` quantiles of :math:`\chi^2_{k-1}` (Viechtbauer
    2007). A bound is 0 when :math:`Q(0)` is already below its quantile; both are 0 when
    :math:`Q(0)` is below the lower quantile (the interval is then "empty", noted). As
    metafor 3.8 ``confint.rma.uni``, the roots are searched in
    :math:`[0, \max(100, 10\hat\tau^2)]` with R's ``uniroot`` (a port of its Brent search,
    ``tol = .Machine$double.eps^0.25``, 1000 iterations), so the bounds agree with metafor's
    digit for digit; they are accurate to about 1e-4 in τ², as metafor's are. I² and H²
    bounds use the typical within-study variance
    :math:`s^2 = (k-1)\sum w_i / ((\sum w_i)^2 - \sum w_i^2)`, :math:`w_i = 1/v_i`.

    Checked against metafor 3.8 ``confint(rma(yi, vi, method=))`` on the first 4 and all 13
    trials of ``dat.bcg`` and on ``dat.normand1999`` (tests/reference/small_k.json).

    References
    ----------
    Viechtbauer W (2007). Confidence intervals for the amount of heterogeneity in
    meta-analysis. Statistics in Medicine 26(1):37-52.

    Examples
    --------
    >>> import warnings
    >>> from evsum import pool
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")
    ...     res = pool([-0.889, -1.585, -1.348, -1.442], [0.326, 0.195, 0.415, 0.020])
    >>> ci = confint(res)
    >>> ci.tau2_low, round(ci.tau2_high, 2)
    (0.0, 0.99)
    """
    if result.method not in ("DL", "REML", "PM", "ML"):
        raise ValueError(
            "confint needs a random-effects result (method DL, REML, PM or ML); got "
            f"method={result.method!r}"
        )
    y = np.asarray(result.yi, dtype=float)
    v = np.asarray(result.vi, dtype=float)
    k = len(y)
    if k < 2:
        raise ValueError(f"a confidence interval for τ² needs at least 2 studies; got {k}")
    g = Grouped(yi=y, vi=v, gid=np.zeros(k, dtype=np.intp), n=1)
    q = _q_of(g)
    tau2_min = min(0.0, result.tau2)
    tau2_max = max(TAU2_MAX, 10 * result.tau2, 10 * tau2_min)
    lo, hi = np.array([tau2_min]), np.array([tau2_max])
    q_min, q_max = q(lo)[0], q(hi)[0]
    crit_upper = stats.chi2.isf(result.alpha / 2, k - 1)  # for the lower bound
    crit_lower = stats.chi2.ppf(result.alpha / 2, k - 1)  # for the upper bound
    notes = []

    def root(target: float) -> float:
        def f(t: np.ndarray) -> np.ndarray:
            return q(t) - target

        found, ok = zeroin(
            f, lo, hi, f(lo), f(hi), np.array([True]), tol=TOL, maxit=CONFINT_MAXITER
        )
        return float(found[0]) if ok[0] else np.nan

    if q_min < crit_lower:
        low = high = tau2_min
        notes.append(
            "Q is below the lower χ² quantile even at τ² = 0: the interval for τ² is {0}."
        )
    else:
        if q_max > crit_lower:
            high = tau2_max
            notes.append(f"The upper bound of τ² is beyond the search range ({tau2_max:g}).")
        else:
            high = root(crit_lower)
    if q_max > crit_upper:
        low = high = tau2_max
        notes.append(f"Both bounds of τ² are beyond the search range ({tau2_max:g}).")
    elif q_min < crit_upper:
        low = tau2_min
    else:
        low = root(crit_upper)
    vt = float((k - 1) / weighted_fit(g, None).tr_p[0])  # tr(P) without cancellation

    def sqrt_or_nan(x: float) -> float:
        return float(np.sqrt(x)) if x >= 0 else np.nan

    return ConfintResult(
        method=result.method,
        k=k,
        alpha=result.alpha,
        tau2=result.tau2,
        tau2_low=float(low),
        tau2_high=float(high),
        tau=sqrt_or_nan(result.tau2),
        tau_low=sqrt_or_nan(low),
        tau_high=sqrt_or_nan(high),
        i2=result.i2,
        i2_low=float(100 * low / (vt + low)),
        i2_high=float(100 * high / (vt + high)),
        h2=result.h2,
        h2_low=float(low / vt + 1),
        h2_high=float(high / vt + 1),
        notes=tuple(notes),
    )
