"""Immutable result objects passed between the steps of the pipeline.

This module must not import matplotlib and formats nothing: results are data; words, tables
and notebook display come from ``evsum.present`` (:func:`evsum.describe`).
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields

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
    differences : tuple of SubgroupDifference
        The tests for subgroup differences that were asked for, each labelled with its
        model of τ² (``"separate"`` is the test in ``q_between``; ``"common"`` the
        mixed-effects model with one τ²).
    """

    groups: tuple[str, ...]
    results: tuple[PoolResult, ...]
    overall: PoolResult
    q_between: float
    q_between_df: int
    q_between_pval: float
    notes: tuple[str, ...] = ()
    differences: tuple[SubgroupDifference, ...] = ()

    def __getitem__(self, group: str) -> PoolResult:
        """Return the result of one subgroup, by name."""
        return self.results[self.groups.index(group)]

    def difference(self, tau2_model: str = "separate") -> SubgroupDifference:
        """The test for subgroup differences under ``tau2_model`` ("separate" or "common")."""
        for d in self.differences:
            if d.tau2_model == tau2_model:
                return d
        raise KeyError(
            f"no {tau2_model!r} test for subgroup differences; computed: "
            f"{[d.tau2_model for d in self.differences]} (pool_subgroups(tau2=...))"
        )

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
class ModeratorTerm:
    """One moderator of a meta-regression and the design-matrix columns it produced.

    Attributes
    ----------
    name : str
        The moderator's name (a covariate of the studies).
    kind : str
        ``"numeric"`` (one column, the values) or ``"categorical"`` (one 0/1 column per level
        but the first, the reference level, as R's ``factor()`` with treatment contrasts).
    levels : tuple of str
        Categorical: every level, the reference level first. Numeric: empty.
    columns : tuple of str
        Names of the coefficients of this term (``name`` for a numeric moderator,
        ``name + level`` for each non-reference level, as R names them).
    """

    name: str
    kind: str
    levels: tuple[str, ...] = ()
    columns: tuple[str, ...] = ()


@dataclass(frozen=True)
class MetaRegressionResult:
    """Mixed-effects meta-regression (metafor ``rma(yi, vi, mods = ~ ..., method=, test=)``).

    Coefficients are on the analysis scale (log scale for ratio measures). Per-coefficient
    fields are tuples aligned with ``names``. ``i2`` and ``r2`` are percentages, as metafor
    prints them.

    Attributes
    ----------
    measure : str or None
        Effect measure code, or None.
    method : str
        τ² estimator: ``"FE"``, ``"DL"``, ``"REML"``, ``"PM"`` or ``"ML"``.
    test : str
        ``"z"`` (normal and χ² tests), ``"knha"`` (Knapp-Hartung: t and F tests on k - p df)
        or ``"adhoc"`` (the same with the variance factor never below 1).
    alpha : float
        1 - confidence level of the intervals.
    k, p : int
        Number of studies fitted and number of coefficients.
    intercept : bool
        Whether the model has an intercept (coefficient ``"intrcpt"``, first).
    terms : tuple of ModeratorTerm
        The moderators, in model order (used by :func:`evsum.stats.regression.predict`).
    names : tuple of str
        Coefficient names, as metafor names them (``"intrcpt"``, ``"ablat"``,
        ``"allocrandom"``, ...).
    estimate, se, zval, pval, ci_low, ci_high : tuple of float
        Coefficients, standard errors, test statistics (z, or t with ``df`` df), two-sided
        p-values and confidence limits.
    vcov : tuple of tuple of float
        Variance-covariance matrix of the coefficients (metafor ``vcov(fit)``).
    df : float
        Degrees of freedom of the t and F tests (k - p); NaN for ``test="z"``.
    tau2, tau2_se : float
        Residual between-study variance and its standard error (NaN for ``"FE"``).
    i2, h2 : float
        Residual I² (percent) and H².
    r2 : float
        Pseudo R² in percent: the proportional reduction of τ² against the model without
        moderators (same method and test), truncated at 0 (metafor); for ``"FE"`` the
        adjusted R² of the weighted least-squares fit (metafor). NaN without an intercept.
    qm, qm_df, qm_df2, qm_pval : float, int, float, float
        Omnibus test of the coefficients in ``btt``: χ² on ``qm_df`` df (``test="z"``,
        ``qm_df2`` NaN), or F on (``qm_df``, ``qm_df2``) df (Knapp-Hartung).
    btt : tuple of int
        Positions (0-based) of the coefficients tested by ``qm`` (default: all but the
        intercept).
    q, q_df, q_pval : float, int, float
        Test for residual heterogeneity (metafor ``QE``) on k - p df.
    yi, vi : tuple of float
        Effects and sampling variances of the studies fitted.
    x : tuple of tuple of float
        Design matrix, one row per study (intercept column first when present).
    weights : tuple of float
        Study weights in percent, 100 w_i / Σ w, w_i = 1/(v_i + τ²) (metafor ``weights()``).
    labels : tuple of str
        Study labels aligned with ``yi``.
    excluded : tuple of (str, str)
        Studies left out, each with the reason (a missing effect, variance or moderator).
    notes : tuple of str
        Caveats for the report (also issued as ``EvsumWarning`` unless ``warn=False``).
    """

    measure: str | None
    method: str
    test: str
    alpha: float
    k: int
    p: int
    intercept: bool
    terms: tuple[ModeratorTerm, ...]
    names: tuple[str, ...]
    estimate: tuple[float, ...]
    se: tuple[float, ...]
    zval: tuple[float, ...]
    pval: tuple[float, ...]
    ci_low: tuple[float, ...]
    ci_high: tuple[float, ...]
    vcov: tuple[tuple[float, ...], ...] = field(repr=False)
    df: float
    tau2: float
    tau2_se: float
    i2: float
    h2: float
    r2: float
    qm: float
    qm_df: int
    qm_df2: float
    qm_pval: float
    btt: tuple[int, ...]
    q: float
    q_df: int
    q_pval: float
    yi: tuple[float, ...] = field(repr=False)
    vi: tuple[float, ...] = field(repr=False)
    x: tuple[tuple[float, ...], ...] = field(repr=False)
    weights: tuple[float, ...] = field(repr=False)
    labels: tuple[str, ...] = field(repr=False)
    excluded: tuple[tuple[str, str], ...] = ()
    notes: tuple[str, ...] = ()

    @property
    def is_ratio(self) -> bool:
        """True if the measure is a ratio measure analysed on the log scale."""
        return self.measure in RATIO_MEASURES

    @property
    def fitted(self) -> tuple[float, ...]:
        """Fitted values X b, one per study (metafor ``fitted(fit)``)."""
        return tuple((np.asarray(self.x) @ np.asarray(self.estimate)).tolist())

    def coefficient(self, name: str) -> dict[str, float]:
        """One coefficient's estimate, se, zval, pval, ci_low and ci_high, by name."""
        if name not in self.names:
            raise KeyError(f"no coefficient {name!r}; the model has {list(self.names)}")
        i = self.names.index(name)
        return {c: getattr(self, c)[i] for c in _COEF_COLUMNS}

    def to_frame(self) -> pd.DataFrame:
        """One row per coefficient (metafor ``coef(summary(fit))``).

        Returns
        -------
        pandas.DataFrame
            ========== =====================================================
            term       coefficient name
            estimate   coefficient (analysis scale)
            se         standard error
            zval       z, or t on ``df`` df for Knapp-Hartung
            pval       two-sided p-value
            ci_low     lower confidence limit (level 1 - alpha)
            ci_high    upper confidence limit
            ========== =====================================================
        """
        data = {"term": list(self.names)}
        data.update({c: list(getattr(self, c)) for c in _COEF_COLUMNS})
        return pd.DataFrame(data)


_COEF_COLUMNS = ("estimate", "se", "zval", "pval", "ci_low", "ci_high")


@dataclass(frozen=True)
class PredictionResult:
    """Predicted effects of a meta-regression at given moderator values (metafor ``predict``).

    Attributes
    ----------
    x : tuple of tuple of float
        Design rows the predictions are for (intercept column first when the model has one).
    estimate, se, ci_low, ci_high, pi_low, pi_high : tuple of float
        Predicted effect, its standard error, confidence interval and prediction interval
        (NaN for common-effect models, as metafor gives none). After ``transf`` the values
        are transformed, ``se`` is NaN and each interval's bounds are in increasing order.
    df : float
        Degrees of freedom of the t quantile (Knapp-Hartung, k - p); NaN for z.
    alpha : float
        1 - confidence level.
    transformed : bool
        True if a transformation was applied.
    """

    x: tuple[tuple[float, ...], ...]
    estimate: tuple[float, ...]
    se: tuple[float, ...]
    ci_low: tuple[float, ...]
    ci_high: tuple[float, ...]
    pi_low: tuple[float, ...]
    pi_high: tuple[float, ...]
    df: float
    alpha: float
    transformed: bool = False

    def to_frame(self) -> pd.DataFrame:
        """One row per prediction: estimate, se, ci_low, ci_high, pi_low, pi_high."""
        cols = ("estimate", "se", "ci_low", "ci_high", "pi_low", "pi_high")
        return pd.DataFrame({c: list(getattr(self, c)) for c in cols})


@dataclass(frozen=True)
class PermutationResult:
    """Permutation p-values of a meta-regression (metafor ``permutest``).

    Attributes
    ----------
    names : tuple of str
        Coefficient names.
    pval : tuple of float
        Permutation p-value of each coefficient (two-sided, from the z or t statistics).
    qm_pval : float
        Permutation p-value of the omnibus test.
    n_iter : int
        Number of permutations used (all of them when ``exact``).
    exact : bool
        True if every distinct permutation was used.
    seed : int or None
        Seed of the random permutations (None when exact).
    """

    names: tuple[str, ...]
    pval: tuple[float, ...]
    qm_pval: float
    n_iter: int
    exact: bool
    seed: int | None

    def to_frame(self) -> pd.DataFrame:
        """One row per coefficient: term, pval."""
        return pd.DataFrame({"term": list(self.names), "pval": list(self.pval)})


@dataclass(frozen=True)
class SubgroupDifference:
    """A test for subgroup differences, labelled with the model of τ² it assumes.

    Attributes
    ----------
    tau2_model : str
        ``"separate"``: each subgroup meta-analysed with its own τ², Cochran's Q of the
        subgroup estimates (RevMan, R ``meta``); ``"common"``: one mixed-effects model with
        the subgroup as a categorical moderator and one τ² (metafor
        ``rma(yi, vi, mods = ~ factor(g))``, its QM test).
    statistic : float
        Q (χ²) or, for a common-τ² model with Knapp-Hartung, F.
    df, df2 : int, float
        Degrees of freedom (``df2`` NaN for χ²).
    pval : float
        p-value.
    distribution : str
        ``"chisq"`` or ``"F"``.
    tau2 : tuple of float
        τ² per subgroup (separate) or the one residual τ² (common).
    model : MetaRegressionResult or None
        The common-τ² model (None for the separate test).
    """

    tau2_model: str
    statistic: float
    df: int
    df2: float
    pval: float
    distribution: str
    tau2: tuple[float, ...]
    model: MetaRegressionResult | None = None


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
