r"""Influence diagnostics of a random- or common-effect meta-analysis (metafor ``influence``)."""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np
import pandas as pd

from evsum.stats.inverse_variance import check_method, fit_groups
from evsum.stats.results import PoolResult
from evsum.stats.scipy_modules import stats
from evsum.stats.tau2 import Grouped


@dataclass(frozen=True)
class InfluenceResult:
    r"""Case-deletion diagnostics, one value per study (metafor ``influence.rma.uni``).

    Attributes
    ----------
    method, test : str
        Of the fit diagnosed.
    k : int
        Number of studies.
    labels : tuple of str
        Study labels.
    rstudent : tuple of float
        Externally studentised residual: :math:`(y_i - \hat\mu_{(-i)})` over its SE
        :math:`\sqrt{s^2_{(-i)} (v_i + \hat\tau^2_{(-i)}) + \mathrm{Var}(\hat\mu_{(-i)})}`.
    dffits : tuple of float
        :math:`(\hat\mu - \hat\mu_{(-i)})` over
        :math:`\sqrt{s^2_{(-i)} h_i (\hat\tau^2_{(-i)} + v_i)}`.
    cook_d : tuple of float
        Cook's distance :math:`(\hat\mu - \hat\mu_{(-i)})^2 / \mathrm{Var}(\hat\mu)`.
    cov_r : tuple of float
        Covariance ratio :math:`\mathrm{Var}(\hat\mu_{(-i)}) / \mathrm{Var}(\hat\mu)`.
    tau2_del, q_del : tuple of float
        τ² and Cochran's Q without the study.
    hat : tuple of float
        Hat value :math:`h_i = w_i / \sum w` (weights of the fit).
    weight : tuple of float
        Weight in percent.
    dfbetas : tuple of float
        :math:`(\hat\mu - \hat\mu_{(-i)}) / \sqrt{s^2_{(-i)} / \sum_j 1/(v_j +
        \hat\tau^2_{(-i)})}`, the sum over all k studies.
    influential : tuple of bool
        metafor's flag (its ``*``): |dffits| > 3 √(1/(k - 1)), or the χ²(1) probability of
        Cook's distance > 0.5, or hat > 3/k, or |dfbetas| > 1.
    notes : tuple of str
        Caveats.
    """

    method: str
    test: str
    k: int
    labels: tuple[str, ...]
    rstudent: tuple[float, ...]
    dffits: tuple[float, ...]
    cook_d: tuple[float, ...]
    cov_r: tuple[float, ...]
    tau2_del: tuple[float, ...]
    q_del: tuple[float, ...]
    hat: tuple[float, ...]
    weight: tuple[float, ...]
    dfbetas: tuple[float, ...]
    influential: tuple[bool, ...]
    notes: tuple[str, ...] = ()

    def to_frame(self) -> pd.DataFrame:
        """One row per study: ``label`` and the per-study fields, named as the fields."""
        skip = {"method", "test", "k", "notes"}
        data = {
            ("label" if f.name == "labels" else f.name): list(getattr(self, f.name))
            for f in fields(self)
            if f.name not in skip
        }
        return pd.DataFrame(data)


def influence_diagnostics(result: PoolResult) -> InfluenceResult:
    r"""Influence diagnostics of each study in a fit, as metafor ``influence(fit)``.

    Parameters
    ----------
    result : PoolResult
        A fit of :func:`evsum.pool` (inverse-variance method) with at least 2 studies; its
        studies, ``method``, ``test`` and ``alpha`` are used again.

    Returns
    -------
    InfluenceResult
        Studentised deleted residuals, DFFITS, Cook's distance, covariance ratio, τ² and Q
        without each study, hat values, weights, DFBETAS and the "influential" flag.

    Raises
    ------
    ValueError
        Fewer than 2 studies, or not an inverse-variance fit (MH, Peto).

    Notes
    -----
    The k leave-one-out fits run at once through the kernel of :func:`evsum.pool_groups`.
    :math:`s^2_{(-i)}` is the Hartung-Knapp variance factor of the fit without study i (1 for
    the z test). A leave-one-out fit whose τ² does not converge gives NaN for that study
    (metafor skips it). Formulas of Viechtbauer & Cheung (2010).

    Checked against metafor 3.8 ``influence(rma(yi, vi, method=, test=))`` on ``dat.bcg``,
    ``dat.hackshaw1998`` and generated data (tests/reference/sensitivity.json).

    References
    ----------
    Viechtbauer W, Cheung MW-L (2010). Outlier and influence diagnostics for
    meta-analysis. Research Synthesis Methods 1(2):112-125.

    Examples
    --------
    >>> from evsum.stats.pooling import pool
    >>> fit = pool([0.1, 0.3, 0.5, 0.2], [0.01, 0.02, 0.04, 0.03], method="FE")
    >>> [round(h, 3) for h in influence_diagnostics(fit).hat]
    [0.48, 0.24, 0.12, 0.16]
    """
    if result.method in ("MH", "PETO"):
        raise ValueError(
            f"influence diagnostics need an inverse-variance fit; got method={result.method!r}"
        )
    method = check_method(result.method, result.test)
    y = np.asarray(result.yi, dtype=float)
    v = np.asarray(result.vi, dtype=float)
    k = len(y)
    if k < 2:
        raise ValueError(f"influence diagnostics need at least 2 studies; got {k}")
    gid, pos = np.nonzero(~np.eye(k, dtype=bool))  # fit i: every study except i
    loo = fit_groups(
        Grouped(yi=y[pos], vi=v[pos], gid=gid, n=k), method, result.test, result.alpha
    )
    tau2_del, mu_del, vb_del = loo["tau2"], loo["estimate"], loo["se"] ** 2
    w_del = 1 / (v[pos] + tau2_del[gid])
    s2w = vb_del * np.bincount(gid, weights=w_del, minlength=k)  # 1 for the z test
    w = 1 / (v + result.tau2)
    hat = w / w.sum()
    vb = result.se**2
    diff = result.estimate - mu_del
    resid = y - mu_del
    resid = np.where(np.abs(resid) < 100 * np.finfo(float).eps, 0.0, resid)
    rstudent = resid / np.sqrt(v * s2w + vb_del + tau2_del * s2w)
    dffits = diff / np.sqrt(s2w * hat * (tau2_del + v))
    cook_d = diff**2 / vb
    cov_r = vb_del / vb
    vb_all = 1 / (1 / (v[None, :] + tau2_del[:, None])).sum(axis=1)
    dfbetas = diff / np.sqrt(s2w * vb_all)
    with np.errstate(invalid="ignore"):
        influential = (
            (np.abs(dffits) > 3 * np.sqrt(1 / (k - 1)))
            | (stats.chi2.cdf(cook_d, 1) > 0.5)
            | (hat > 3 / k)
            | (np.abs(dfbetas) > 1)
        )
    notes = []
    if not loo["converged"].all():
        notes.append(
            f"{int((~loo['converged']).sum())} leave-one-out fit(s) did not converge; their "
            "diagnostics are NaN."
        )

    def floats(x: np.ndarray) -> tuple[float, ...]:
        return tuple(float(a) for a in x)

    return InfluenceResult(
        method=method,
        test=result.test,
        k=k,
        labels=tuple(result.labels),
        rstudent=floats(rstudent),
        dffits=floats(dffits),
        cook_d=floats(cook_d),
        cov_r=floats(cov_r),
        tau2_del=floats(tau2_del),
        q_del=floats(loo["q"]),
        hat=floats(hat),
        weight=floats(100 * hat),
        dfbetas=floats(dfbetas),
        influential=tuple(
            bool(x) and bool(c) for x, c in zip(influential, loo["converged"], strict=True)
        ),
        notes=tuple(notes),
    )


@dataclass(frozen=True)
class BaujatResult:
    r"""The coordinates of a Baujat plot (metafor ``baujat``), one point per study.

    Attributes
    ----------
    labels : tuple of str
        Study labels.
    heterogeneity : tuple of float
        x: the study's contribution to Q, :math:`(y_i - \hat\mu)^2 / (v_i + \hat\tau^2)`.
    influence : tuple of float
        y: its influence on the pooled estimate,
        :math:`(\hat\mu_{(-i)} - \hat\mu)^2 / \mathrm{Var}(\hat\mu_{(-i)})`.
    method : str
        Of the fit.
    """

    labels: tuple[str, ...]
    heterogeneity: tuple[float, ...]
    influence: tuple[float, ...]
    method: str

    def to_frame(self) -> pd.DataFrame:
        """One row per study: ``label``, ``heterogeneity``, ``influence``."""
        return pd.DataFrame(
            {
                "label": list(self.labels),
                "heterogeneity": list(self.heterogeneity),
                "influence": list(self.influence),
            }
        )


def baujat(result: PoolResult) -> BaujatResult:
    r"""Coordinates of the Baujat plot of a fit (metafor ``baujat``).

    Parameters
    ----------
    result : PoolResult
        A fit of :func:`evsum.pool` (inverse-variance method) with at least 2 studies.

    Returns
    -------
    BaujatResult
        Per study, its contribution to heterogeneity (x) and its influence on the pooled
        estimate (y); studies far to the right or at the top deserve a look.

    Raises
    ------
    ValueError
        Fewer than 2 studies, or not an inverse-variance fit.

    Notes
    -----
    x is :math:`(y_i - \hat\mu)^2 / (v_i + \hat\tau^2)` (for a common-effect fit, the study's
    term of Cochran's Q); y is :math:`(\hat\mu_{(-i)} - \hat\mu)^2 / \mathrm{Var}(\hat\mu_{(-i)})`
    from the fit without study i, with the fit's method and test (Baujat et al. 2002).

    Checked against metafor 3.8 ``baujat(rma(yi, vi, method=, test=))`` on ``dat.bcg``,
    ``dat.hackshaw1998`` and generated data (tests/reference/sensitivity.json).

    References
    ----------
    Baujat B, Mahé C, Pignon J-P, Hill C (2002). A graphical method for exploring
    heterogeneity in meta-analyses: application to a meta-analysis of 65 trials.
    Statistics in Medicine 21:2641-2652.

    Examples
    --------
    >>> from evsum.stats.pooling import pool
    >>> fit = pool([0.1, 0.3, 0.5, 0.2], [0.01, 0.02, 0.04, 0.03], method="FE")
    >>> [round(x, 3) for x in baujat(fit).heterogeneity]
    [1.254, 0.387, 2.074, 0.005]
    """
    if result.method in ("MH", "PETO"):
        raise ValueError(f"a Baujat plot needs an inverse-variance fit; got {result.method!r}")
    method = check_method(result.method, result.test)
    y = np.asarray(result.yi, dtype=float)
    v = np.asarray(result.vi, dtype=float)
    k = len(y)
    if k < 2:
        raise ValueError(f"a Baujat plot needs at least 2 studies; got {k}")
    gid, pos = np.nonzero(~np.eye(k, dtype=bool))
    loo = fit_groups(
        Grouped(yi=y[pos], vi=v[pos], gid=gid, n=k), method, result.test, result.alpha
    )
    x = (y - result.estimate) ** 2 / (v + result.tau2)
    infl = (loo["estimate"] - result.estimate) ** 2 / loo["se"] ** 2
    return BaujatResult(
        labels=tuple(result.labels),
        heterogeneity=tuple(float(a) for a in x),
        influence=tuple(float(a) for a in infl),
        method=method,
    )
