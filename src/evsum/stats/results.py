"""Immutable result objects passed between the steps of the pipeline.

This module must not import matplotlib and formats nothing: results are data; words, tables
and notebook display come from ``evsum.present`` (:func:`evsum.describe`).
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np
import pandas as pd

from evsum.vocab import RATIO_MEASURES


@dataclass(frozen=True)
class BackTransformed:
    """Pooled estimate, confidence and prediction interval on the display scale.

    For ratio measures (``RR``, ``OR``, ``HR``, ``IRR``) the values are ``exp`` of the log-scale
    results; for other measures they are the results unchanged (``transformed`` is False).
    """

    measure: str | None
    transformed: bool
    estimate: float
    ci_low: float
    ci_high: float
    pi_low: float
    pi_high: float


@dataclass(frozen=True)
class PoolResult:
    """Result of a meta-analysis of one set of studies.

    Ratio measures are stored on the log scale (``estimate``, ``ci_low``, ``yi``...); use
    ``back_transform()`` or ``to_frame(exp=True)`` for display. ``i2`` is a percentage, as
    metafor prints it. Fields without a value for the method (``tau2_se`` for ``"FE"``, the
    prediction interval for common-effect models, as in metafor's ``predict()``) are NaN.

    Attributes
    ----------
    measure : str or None
        Effect measure code (``schema.MEASURES``) or None if unknown.
    method : str
        ``"FE"``, ``"DL"``, ``"REML"``, ``"PM"``, ``"ML"``, ``"MH"`` or ``"PETO"``.
    test : str
        ``"z"``, ``"knha"`` (Hartung-Knapp-Sidik-Jonkman, t with k - 1 df) or ``"adhoc"``
        (Hartung-Knapp with the variance factor never below 1).
    alpha : float
        1 - confidence level of ``ci_*`` and ``pi_*``.
    k : int
        Number of studies pooled.
    estimate, se, ci_low, ci_high, zval, pval : float
        Pooled effect, its standard error, confidence interval, test statistic (z or t) and
        two-sided p-value.
    tau2, tau2_se : float
        Between-study variance and its standard error (NaN where metafor reports none).
    i2, h2 : float
        I² (percent) and H², computed as metafor does for the method.
    q, q_df, q_pval : float, int, float
        Cochran's Q test of heterogeneity.
    pi_low, pi_high : float
        Prediction interval (NaN for common-effect models).
    pi : str
        How the prediction interval was made: ``"z"`` (metafor ``predict()``: normal, or
        t(k - 1) under Hartung-Knapp) or ``"t"`` (t on k - 2 df, Higgins et al. 2009).
    yi, vi : tuple of float
        Study effects and sampling variances that were pooled.
    weights : tuple of float
        Study weights in percent (sum to 100).
    labels : tuple of str
        Study labels, aligned with ``yi``.
    excluded : tuple of (str, str)
        Studies left out, each with the reason.
    notes : tuple of str
        Caveats for the report (also issued as ``EvsumWarning``).
    """

    measure: str | None
    method: str
    test: str
    alpha: float
    k: int
    estimate: float
    se: float
    ci_low: float
    ci_high: float
    zval: float
    pval: float
    tau2: float
    tau2_se: float
    i2: float
    h2: float
    q: float
    q_df: int
    q_pval: float
    pi_low: float
    pi_high: float
    yi: tuple[float, ...]
    vi: tuple[float, ...]
    weights: tuple[float, ...]
    labels: tuple[str, ...]
    excluded: tuple[tuple[str, str], ...] = ()
    notes: tuple[str, ...] = ()
    pi: str = "z"

    @property
    def is_ratio(self) -> bool:
        """True if the measure is a ratio measure pooled on the log scale."""
        return self.measure in RATIO_MEASURES

    def back_transform(self) -> BackTransformed:
        """Estimate, CI and PI on the display scale (``exp`` for ratio measures)."""
        f = np.exp if self.is_ratio else (lambda x: x)
        return BackTransformed(
            measure=self.measure,
            transformed=self.is_ratio,
            estimate=float(f(self.estimate)),
            ci_low=float(f(self.ci_low)),
            ci_high=float(f(self.ci_high)),
            pi_low=float(f(self.pi_low)),
            pi_high=float(f(self.pi_high)),
        )

    def to_frame(self, exp: bool | None = None) -> pd.DataFrame:
        """One row per study plus a ``"pooled"`` row.

        Parameters
        ----------
        exp : bool or None
            Back-transform ``effect``, ``ci_low`` and ``ci_high`` with ``exp``. None (default)
            does so for ratio measures only. ``variance`` and ``se`` stay on the analysis
            (log) scale.

        Returns
        -------
        pandas.DataFrame
            ========== =====================================================
            label      study label, or ``"pooled"``
            effect     study effect / pooled estimate
            variance   sampling variance (pooled: se²)
            se         standard error
            ci_low     lower confidence limit (level 1 - alpha)
            ci_high    upper confidence limit
            weight     weight in percent (pooled: 100)
            ========== =====================================================
        """
        from scipy import stats

        exp = self.is_ratio if exp is None else exp
        yi = np.asarray(self.yi, dtype=float)
        vi = np.asarray(self.vi, dtype=float)
        se = np.sqrt(vi)
        crit = stats.norm.isf(self.alpha / 2)
        frame = pd.DataFrame(
            {
                "label": list(self.labels) + ["pooled"],
                "effect": np.append(yi, self.estimate),
                "variance": np.append(vi, self.se**2),
                "se": np.append(se, self.se),
                "ci_low": np.append(yi - crit * se, self.ci_low),
                "ci_high": np.append(yi + crit * se, self.ci_high),
                "weight": np.append(np.asarray(self.weights, dtype=float), 100.0),
            }
        )
        if exp:
            for col in ("effect", "ci_low", "ci_high"):
                frame[col] = np.exp(frame[col])
        return frame


@dataclass(frozen=True)
class SubgroupResult:
    """Separate meta-analyses per subgroup and the test for subgroup differences.

    Attributes
    ----------
    groups : tuple of str
        Subgroup names, in order of first appearance.
    results : tuple of PoolResult
        One result per subgroup, aligned with ``groups``.
    overall : PoolResult
        All studies pooled together.
    q_between, q_between_df, q_between_pval : float, int, float
        Test for subgroup differences: Cochran's Q of the subgroup estimates with weights
        1/se² from the separate fits (as RevMan and R ``meta`` with separate τ²).
    notes : tuple of str
        Caveats.
    """

    groups: tuple[str, ...]
    results: tuple[PoolResult, ...]
    overall: PoolResult
    q_between: float
    q_between_df: int
    q_between_pval: float
    notes: tuple[str, ...] = ()

    def __getitem__(self, group: str) -> PoolResult:
        """Return the result of one subgroup, by name."""
        return self.results[self.groups.index(group)]

    def to_frame(self) -> pd.DataFrame:
        """One row per subgroup plus an ``"overall"`` row.

        Returns
        -------
        pandas.DataFrame
            Columns ``group``, ``k``, ``estimate``, ``se``, ``ci_low``, ``ci_high``, ``pval``,
            ``tau2``, ``i2``, ``q`` (analysis scale).
        """
        cols = ("k", "estimate", "se", "ci_low", "ci_high", "pval", "tau2", "i2", "q")
        rows = [
            {"group": g, **{c: getattr(r, c) for c in cols}}
            for g, r in zip(
                self.groups + ("overall",), self.results + (self.overall,), strict=True
            )
        ]
        return pd.DataFrame(rows)


@dataclass(frozen=True)
class EggerResult:
    """Egger's regression test for funnel-plot asymmetry.

    Weighted regression of ``yi`` on ``sqrt(vi)`` with weights 1/vi and multiplicative
    dispersion (metafor ``regtest(x, model="lm", predictor="sei")``); the coefficient of the
    standard error equals the intercept of Egger et al.'s (1997) regression of yi/sei on 1/sei.

    Attributes
    ----------
    k : int
        Number of studies.
    bias, bias_se : float
        Coefficient of the standard error (Egger's intercept) and its standard error.
    tval, df, pval : float, int, float
        t statistic for ``bias`` = 0, residual degrees of freedom (k - 2), two-sided p-value.
    limit_estimate, limit_ci_low, limit_ci_high : float
        Intercept (effect as the standard error goes to 0) with its t-based CI.
    alpha : float
        1 - confidence level.
    notes : tuple of str
        Caveats (fewer than 10 studies).
    """

    k: int
    bias: float
    bias_se: float
    tval: float
    df: int
    pval: float
    limit_estimate: float
    limit_ci_low: float
    limit_ci_high: float
    alpha: float = 0.05
    notes: tuple[str, ...] = ()

    def to_frame(self) -> pd.DataFrame:
        """Return the result as a one-row DataFrame with the field names as columns."""
        data = {f.name: getattr(self, f.name) for f in fields(self) if f.name != "notes"}
        return pd.DataFrame([data])
