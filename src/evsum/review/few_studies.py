"""The few-studies bundle: what else to look at when an analysis rests on 1 to 4 trials.

With few small trials the usual random-effects defaults mislead: τ² is estimated as 0 with no
sign of how uncertain that is, the z interval ignores that τ² is unknown, and the normal
prediction interval is too narrow. For an analysis of at most :data:`FEW_STUDIES_MAX_K`
studies the review computes, beside its main result, the REML fit with the Q-profile
interval for τ² (``evsum.confint``), Hartung-Knapp with the ad hoc correction, the prediction
interval on t(k - 2) df, a Bayesian fit with a weakly informative half-normal(0.5) prior on
τ, and for a single two-arm trial with binary arm data its fragility index.
"""

from __future__ import annotations

import functools
import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from evsum.stats.bayes import BayesResult, pool_bayes
from evsum.stats.fragility import FragilityResult, fragility_index
from evsum.stats.heterogeneity import ConfintResult, confint
from evsum.stats.pooling import pool
from evsum.stats.results import PoolResult
from evsum.vocab import BINARY_MEASURES, RATIO_MEASURES

__all__ = [
    "DEFAULT_TAU_PRIOR",
    "FEW_STUDIES_MAX_K",
    "FewStudies",
    "check_tau_prior",
    "few_studies",
]

#: Designs whose comparison is not randomised (no fragility index).
NOT_RANDOMISED_DESIGNS = frozenset({"nonrandomised_controlled", "uncontrolled"})
#: Largest number of studies for which the bundle is computed (issue 17: "k ≤ 4").
FEW_STUDIES_MAX_K: int = 4
#: Prior for τ of the Bayesian fit (issue 17): half-normal with scale 0.5, weakly informative
#: for log ratio measures (τ < 0.98 with 95 % probability; see :func:`evsum.pool_bayes`).
DEFAULT_TAU_PRIOR: tuple[str, float] = ("halfnormal", 0.5)
#: Measures whose scale the default prior fits: log ratios and the SMD (Röver et al. 2021:
#: half-normal priors for τ on these scales); a mean or risk difference has its own units.
SCALE_FREE = frozenset(RATIO_MEASURES) | {"SMD"}


@dataclass(frozen=True)
class FewStudies:
    """The few-studies results of one analysis (see :func:`few_studies`).

    Attributes
    ----------
    k : int
        Studies in the analysis.
    measure : str or None
        Effect measure code (ratio measures are on the log scale in every result).
    reml : PoolResult or None
        REML random-effects fit with the t(k - 2) prediction interval (``pi="t"``; the
        interval is defined from 3 studies). None for a single study.
    tau2_ci : ConfintResult or None
        Q-profile confidence intervals for τ², τ, I² and H² of ``reml``. None for a single
        study.
    hartung_knapp : PoolResult or None
        REML with Hartung-Knapp and the ad hoc correction (``test="adhoc"``: t on k - 1 df,
        the variance factor never below 1). None for a single study.
    bayes : BayesResult or None
        Normal-normal random-effects posterior with the prior ``bayes.tau_prior`` for τ and a
        uniform prior for the effect. None for a single study (no random-effects model: its
        τ would be the prior's), and for a mean or risk difference under the default prior,
        which is set for log ratios and standardised differences (a note says so).
    fragility : FragilityResult or None
        Fragility index (or reverse fragility index) of a single randomised two-arm trial
        with binary arm data; None otherwise (never for a non-randomised comparison).
    notes : tuple of str
        What could not be computed, and why.
    """

    k: int
    measure: str | None
    reml: PoolResult | None
    tau2_ci: ConfintResult | None
    hartung_knapp: PoolResult | None
    bayes: BayesResult | None
    fragility: FragilityResult | None = None
    notes: tuple[str, ...] = ()

    @property
    def has_prediction_interval(self) -> bool:
        """True when the t(k - 2) prediction interval is defined (3 or more studies)."""
        return self.reml is not None and bool(np.isfinite(self.reml.pi_low))


@functools.lru_cache(maxsize=256)
def _bayes(
    yi: bytes, vi: bytes, tau_prior: tuple, measure: str | None, labels: tuple | None, alpha: float
) -> BayesResult:
    """:func:`evsum.pool_bayes` of the effects and variances (float64 bytes), warnings
    silenced, remembered: a pure function of its inputs that the condition, overview and
    methods reports of one kernel would otherwise compute again for the same rows."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return pool_bayes(
            np.frombuffer(yi),
            np.frombuffer(vi),
            tau_prior=tau_prior,
            measure=measure,
            labels=None if labels is None else list(labels),
            alpha=alpha,
        )


def _bayes_fit(
    yi: np.ndarray,
    vi: np.ndarray,
    tau_prior: tuple,
    measure: str | None,
    labels: list[str] | None,
    alpha: float,
) -> BayesResult:
    """:func:`_bayes`, or :func:`evsum.pool_bayes` itself for a prior that cannot be a key."""
    key_labels = None if labels is None else tuple(labels)
    try:
        hash((tau_prior, measure, key_labels, alpha))
    except TypeError:
        return pool_bayes(yi, vi, tau_prior=tau_prior, measure=measure, labels=labels, alpha=alpha)
    y = np.ascontiguousarray(yi, dtype=float).tobytes()
    v = np.ascontiguousarray(vi, dtype=float).tobytes()
    return _bayes(y, v, tau_prior, measure, key_labels, alpha)


@functools.lru_cache(maxsize=64)
def _checked_prior(spec: tuple) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        pool_bayes([0.0], [1.0], tau_prior=spec)


def check_tau_prior(tau_prior: Sequence) -> tuple:
    """``tau_prior`` as a tuple, checked by :func:`evsum.pool_bayes` before any analysis runs.

    Raises
    ------
    ValueError
        The prior is not one :func:`evsum.pool_bayes` takes (its message, naming
        ``bayes_tau_prior``).

    Examples
    --------
    >>> check_tau_prior(["halfcauchy", 1])
    ('halfcauchy', 1)
    """
    spec = (tau_prior,) if isinstance(tau_prior, str) else tuple(tau_prior)
    try:
        try:
            hash(spec)
        except TypeError:  # not a key of the remembered checks: checked each time
            _checked_prior.__wrapped__(spec)
        else:
            _checked_prior(spec)
    except (TypeError, ValueError) as err:
        raise ValueError(f"bayes_tau_prior: {err}") from None
    return spec


def _arm_counts(row: pd.Series) -> tuple[int, int, int, int] | None:
    """Events and n of both arms of a binary arm-data row, or None when one is missing."""
    cells = [
        row.get(c)
        for c in ("events_intervention", "n_intervention", "events_comparator", "n_comparator")
    ]
    if any(c is None or pd.isna(c) for c in cells):
        return None
    return tuple(int(c) for c in cells)  # type: ignore[return-value]


def few_studies(
    used: pd.DataFrame,
    measure: str | None,
    *,
    tau_prior: Sequence = DEFAULT_TAU_PRIOR,
    alpha: float = 0.05,
) -> FewStudies:
    """Compute the few-studies bundle of the pooled rows of one analysis.

    Parameters
    ----------
    used : pandas.DataFrame
        The analysis's pooled rows: ``yi``, ``vi`` (log scale for ratio measures), ``label``,
        and for the fragility index ``data_level``, ``design``, ``events_intervention``,
        ``n_intervention``, ``events_comparator``, ``n_comparator``.
    measure : str or None
        Effect measure code.
    tau_prior : tuple
        Prior for τ of the Bayesian fit (see :func:`evsum.pool_bayes`), default half-normal
        with scale 0.5.
    alpha : float
        1 - level of every interval.

    Returns
    -------
    FewStudies
        The REML fit with its τ² interval, Hartung-Knapp (ad hoc) and the t(k - 2)
        prediction interval (from 2, 2 and 3 studies), the Bayesian fit, and for a single
        binary two-arm trial with arm data its fragility index.

    Raises
    ------
    ValueError
        No rows, or a bad ``tau_prior`` (the message of :func:`evsum.pool_bayes`).

    Examples
    --------
    >>> import pandas as pd
    >>> rows = pd.DataFrame({"yi": [-0.889, -1.585, -1.348, -1.442],
    ...                      "vi": [0.326, 0.195, 0.415, 0.020], "label": list("ABCD")})
    >>> bundle = few_studies(rows, "RR")
    >>> bundle.tau2_ci.tau2_low, round(bundle.tau2_ci.tau2_high, 2)
    (0.0, 0.99)
    """
    k = len(used)
    if k == 0:
        raise ValueError("the few-studies bundle needs at least 1 study; got none")
    yi = used["yi"].to_numpy(float)
    vi = used["vi"].to_numpy(float)
    labels = [str(x) for x in used["label"]] if "label" in used else None
    notes: list[str] = []
    reml = ci = hk = None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the notes of each result say what the warnings say
        bayes = None
        if k == 1:
            # one study: no random-effects model; its posterior τ would be the prior's, and
            # so would the width of its intervals (issue 25, finding 8)
            notes.append(
                "With one study the panel shows the study's own result: a random-effects "
                "model, Bayesian or not, and a prediction interval need two or more studies."
            )
        elif measure in SCALE_FREE or tuple(tau_prior) != tuple(DEFAULT_TAU_PRIOR):
            bayes = _bayes_fit(yi, vi, tuple(tau_prior), measure, labels, alpha)
        else:
            notes.append(
                "No Bayesian result: the default prior for τ (half-normal, scale "
                "0.5) is set for log ratios and standardised mean differences; a "
                f"{'mean' if measure == 'MD' else 'risk'} difference in its own "
                "units needs a prior on its own scale (the bayes_tau_prior "
                "parameter)."
            )
        if k >= 2:
            reml = pool(yi, vi, method="REML", pi="t", measure=measure, labels=labels, alpha=alpha)
            ci = confint(reml)
            hk = pool(
                yi, vi, method="REML", test="adhoc", measure=measure, labels=labels, alpha=alpha
            )
    if k == 2:
        notes.append("The t(k - 2) prediction interval needs at least 3 studies.")
    fragility = None
    if k == 1 and measure in BINARY_MEASURES:
        row = used.iloc[0]
        counts = _arm_counts(row) if row.get("data_level", "arm") == "arm" else None
        if row.get("design", "") == "crossover_rct":
            counts = None
        if row.get("design", "") in NOT_RANDOMISED_DESIGNS:
            notes.append(
                "No fragility index: it counts the changes of outcome that would overturn a "
                "randomised comparison, and has no meaning for a non-randomised one."
            )
        elif counts is None:
            notes.append(
                "No fragility index: the trial's arm-level event counts are not "
                "available (or it is a crossover trial)."
            )
        else:
            fragility = fragility_index(*counts, alpha=alpha)
    return FewStudies(
        k=k,
        measure=measure,
        reml=reml,
        tau2_ci=ci,
        hartung_knapp=hk,
        bayes=bayes,
        fragility=fragility,
        notes=tuple(notes),
    )
