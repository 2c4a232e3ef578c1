r"""Mantel-Haenszel common-effect meta-analysis of 2x2 tables (odds ratio, risk ratio)."""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import numpy as np
from scipy import stats

from evsum.exceptions import EvsumWarning, ZeroCellWarning
from evsum.stats.effects import effect_size
from evsum.stats.results import PoolResult

MH_MEASURES: tuple[str, ...] = ("OR", "RR")


def _mh_estimate(measure: str, a, b, c, d) -> tuple[float, float, np.ndarray]:
    """Log MH estimate, its SE (RBG for OR, Greenland-Robins for RR) and raw weights."""
    n1, n2 = a + b, c + d
    n = n1 + n2
    if measure == "OR":
        r_i, s_i = a * d / n, b * c / n
        p_i, q_i = (a + d) / n, (b + c) / n
        r, s = r_i.sum(), s_i.sum()
        weights = b * c / n
        if r == 0 or s == 0:
            return np.nan, np.nan, weights
        var = 0.5 * (
            (p_i * r_i).sum() / r**2
            + (p_i * s_i + q_i * r_i).sum() / (r * s)
            + (q_i * s_i).sum() / s**2
        )
    else:
        r, s = (a * n2 / n).sum(), (c * n1 / n).sum()
        weights = c * n1 / n
        if a.sum() == 0 or c.sum() == 0:
            return np.nan, np.nan, weights
        var = (n1 * n2 * (a + c) / n**2 - a * c / n).sum() / (r * s)
    return float(np.log(r / s)), float(np.sqrt(var)), weights


def pool_mh(
    ai: Sequence[float] | np.ndarray,
    bi: Sequence[float] | np.ndarray,
    ci: Sequence[float] | np.ndarray,
    di: Sequence[float] | np.ndarray,
    measure: str = "OR",
    labels: Sequence[str] | None = None,
    add: float = 0.5,
    to: str = "only0",
    alpha: float = 0.05,
) -> PoolResult:
    r"""Mantel-Haenszel pooled odds ratio or risk ratio, as metafor ``rma.mh``.

    Parameters
    ----------
    ai, bi, ci, di : array_like
        2x2 tables: events and non-events in group 1 (``ai``, ``bi``) and group 2 (``ci``,
        ``di``).
    measure : {"OR", "RR"}
        Odds ratio or risk ratio (pooled on the log scale).
    labels : sequence of str, optional
        Study labels.
    add, to : float, str
        Continuity correction for the per-study ``yi``/``vi`` used by Q and I² only (as
        metafor's ``add=c(add, 0)``); the MH estimate itself uses the uncorrected tables.
    alpha : float
        1 - confidence level.

    Returns
    -------
    PoolResult
        ``method="MH"``, ``tau2 = 0``; ``yi``/``vi`` are the per-study log effects (NaN for
        tables with no events or no non-events in both groups, which metafor drops from Q);
        weights are metafor's MH weights (OR: b c / n; RR: c n1 / n) in percent.

    Raises
    ------
    ValueError
        Unknown measure, invalid tables (see :func:`evsum.effect_size`).

    Notes
    -----
    OR: :math:`\hat\theta = \sum R_i / \sum S_i`, :math:`R_i = a_i d_i/n_i`,
    :math:`S_i = b_i c_i / n_i`, variance of the log by Robins, Breslow and Greenland (1986).
    RR: :math:`\hat\theta = \sum a_i n_{2i}/n_i \big/ \sum c_i n_{1i}/n_i`, variance by
    Greenland and Robins (1985). Q uses the per-study escalc effects around the MH estimate
    with weights 1/v_i; I² = max(0, 100 (Q - (k-1))/Q), H² = Q/(k-1), where k counts the
    tables with a defined effect.

    Checked against metafor 3.8 ``rma.mh()`` on ``dat.bcg`` and on zero-cell tables
    (tests/reference/mh.json, zero_cells.json).

    References
    ----------
    Robins J, Breslow N, Greenland S (1986). Estimators of the Mantel-Haenszel variance
    consistent in both sparse data and large-strata limiting models. Biometrics 42:311-323.
    Greenland S, Robins JM (1985). Estimation of a common effect parameter from sparse
    follow-up data. Biometrics 41:55-68.

    Examples
    --------
    >>> res = pool_mh([4, 6, 3], [119, 300, 228], [11, 29, 11], [128, 274, 209])
    >>> round(res.estimate, 4)
    -1.4135
    """
    if measure not in MH_MEASURES:
        raise ValueError(f"measure must be one of {sorted(MH_MEASURES)}; got {measure!r}")
    if not 0 < alpha < 1:
        raise ValueError(f"alpha must be between 0 and 1; got {alpha!r}")
    notes: list[tuple] = []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        yi, vi = effect_size(measure, ai=ai, bi=bi, ci=ci, di=di, add=add, to=to)
    a, b, c, d = (np.atleast_1d(np.asarray(x, dtype=float)) for x in (ai, bi, ci, di))
    k = len(a)
    names = [f"Study {i + 1}" for i in range(k)] if labels is None else [str(x) for x in labels]
    if len(names) != k:
        raise ValueError(f"labels must have one entry per study; got {len(names)} for {k}")
    double0 = ((a == 0) & (c == 0)) | ((b == 0) & (d == 0))
    yi[double0], vi[double0] = np.nan, np.nan  # metafor's drop00=TRUE for the yi/vi
    if any(issubclass(w.category, ZeroCellWarning) for w in caught):
        notes.append(
            (
                ZeroCellWarning,
                f"Continuity correction ({add:g}) applied to study "
                "effects with zero cells for Q and I² only; the MH estimate uses the "
                "uncorrected tables.",
            )
        )
    if double0.any():
        notes.append(
            (
                EvsumWarning,
                f"{int(double0.sum())} table(s) with no events (or no "
                "non-events) in both groups add nothing to the estimate and are left "
                "out of Q: " + ", ".join(np.asarray(names)[double0]) + ".",
            )
        )
    est, se, raw_w = _mh_estimate(measure, a, b, c, d)
    if np.isnan(est):
        notes.append((EvsumWarning, "The MH estimate is not defined (no events in one group)."))
    crit = stats.norm.isf(alpha / 2)
    zval = est / se
    ok = ~np.isnan(yi)
    k_yi = int(ok.sum())
    if k_yi > 1:
        q = max(0.0, float((((yi[ok] - est) ** 2) / vi[ok]).sum()))
        q_pval = float(stats.chi2.sf(q, k_yi - 1))
        i2 = max(0.0, 100 * (q - (k_yi - 1)) / q) if q > 0 else 0.0
        h2 = q / (k_yi - 1)
    else:
        q, q_pval, i2, h2 = 0.0, 1.0, 0.0, 1.0
    for category, note in notes:
        warnings.warn(note, category, stacklevel=2)
    return PoolResult(
        measure=measure,
        method="MH",
        test="z",
        alpha=alpha,
        k=k,
        estimate=est,
        se=se,
        ci_low=est - crit * se,
        ci_high=est + crit * se,
        zval=zval,
        pval=float(2 * stats.norm.sf(abs(zval))),
        tau2=0.0,
        tau2_se=np.nan,
        i2=i2,
        h2=h2,
        q=q,
        q_df=max(k_yi - 1, 0),
        q_pval=q_pval,
        pi_low=np.nan,
        pi_high=np.nan,
        yi=tuple(yi.tolist()),
        vi=tuple(vi.tolist()),
        weights=tuple((100 * raw_w / raw_w.sum()).tolist()),
        labels=tuple(names),
        excluded=(),
        notes=tuple(n for _, n in notes),
    )
