r"""Subgroup analysis: separate meta-analyses per subgroup and the test for differences."""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from evsum.exceptions import EvsumError, EvsumWarning
from evsum.stats.pooling import pool, unfitted_result
from evsum.stats.regression import meta_regression
from evsum.stats.results import PoolResult, SubgroupDifference, SubgroupResult

#: Models of τ² for the test for subgroup differences.
TAU2_MODELS: tuple[str, ...] = ("separate", "common")


def _pool_quietly(*args: Any, **kwargs: Any) -> tuple[PoolResult, list[warnings.WarningMessage]]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = pool(*args, **kwargs)
    return result, list(caught)


def pool_subgroups(
    yi: Sequence[float] | np.ndarray,
    vi: Sequence[float] | np.ndarray,
    groups: Sequence[str] | np.ndarray,
    *,
    method: str = "REML",
    test: str = "z",
    measure: str | None = None,
    labels: Sequence[str] | None = None,
    alpha: float = 0.05,
    warn: bool = True,
    tau2: str | Sequence[str] = "separate",
) -> SubgroupResult:
    r"""Meta-analyse each subgroup separately and test for subgroup differences.

    Parameters
    ----------
    yi, vi : array_like
        Effect sizes and sampling variances.
    groups : sequence
        Subgroup of each study (same length as ``yi``); order of first appearance is kept.
    method, test, measure, alpha
        As in :func:`evsum.pool`; each subgroup gets its own τ².
    labels : sequence of str, optional
        Study labels.
    warn : bool
        Issue each caveat as a warning too (default); with ``False`` they are only in
        ``SubgroupResult.notes`` (and each subgroup's ``notes``), as in :func:`evsum.pool`.
    tau2 : {"separate", "common", "both"} or sequence of them
        Tests for subgroup differences to compute, each kept in
        ``SubgroupResult.differences`` labelled with its model. ``"separate"`` (always
        computed, also in ``q_between``): Q of the subgroup estimates, each subgroup with its
        own τ² (RevMan, R ``meta``). ``"common"``: the QM test of a mixed-effects
        meta-regression on the subgroup with one residual τ² (metafor
        ``rma(yi, vi, mods = ~ factor(g), method=, test=)``; an F test under Knapp-Hartung).
        A common-τ² model that cannot be fitted (too few studies) gives a NaN test and a
        note.

    Returns
    -------
    SubgroupResult
        Per-subgroup results, the overall result, and Q between subgroups.

    Raises
    ------
    ValueError
        Lengths differ, a group is missing, or fewer than 2 subgroups.

    Warns
    -----
    EvsumWarning
        The caveats of each subgroup fit, prefixed with the subgroup name; the reason when
        the model of all studies cannot be fitted (its τ² did not converge): ``overall``
        then holds the studies with NaN statistics, and the subgroup fits and the test for
        subgroup differences are reported as usual.

    Notes
    -----
    Kept in one piece (a statistical entry point): it follows the subgroup analysis of the
    Cochrane Handbook and RevMan step by step (one fit per subgroup, the overall
    fit, the test between subgroups under each τ² model), so each step can be read against
    it; each fit is :func:`evsum.pool`.

    .. math:: Q_b = \sum_g (\hat\mu_g - \bar\mu)^2 / SE_g^2,\quad
              \bar\mu = \frac{\sum_g \hat\mu_g / SE_g^2}{\sum_g 1/SE_g^2}

    on G - 1 df, as RevMan and R ``meta`` (random-effects model, separate τ² per subgroup).
    With a common τ² the test is metafor's :math:`Q_M` of the subgroup dummies (see
    :func:`evsum.stats.regression.meta_regression`).

    Checked against metafor 3.8: ``rma(yi, vi, subset=alloc==g)`` per subgroup of
    ``dat.bcg``, then ``rma(estimates, sei=ses, method="FE")$QE``
    (tests/reference/diagnostics.json); the common-τ² test against
    ``rma(yi, vi, mods = ~ factor(alloc))`` (tests/reference/regression.json).

    Examples
    --------
    >>> res = pool_subgroups([0.1, 0.2, 0.6, 0.7], [0.01, 0.02, 0.01, 0.02],
    ...                      ["a", "a", "b", "b"], method="FE")
    >>> res.q_between_df
    1
    """
    models = _tau2_models(tau2)
    y = np.asarray(yi, dtype=float).ravel()
    v = np.asarray(vi, dtype=float).ravel()
    grp = pd.Series(list(groups), dtype=object)
    if not len(y) == len(v) == len(grp):
        raise ValueError(
            f"yi, vi and groups must have the same length; got {len(y)}, {len(v)}, {len(grp)}"
        )
    if grp.isna().any():
        raise ValueError(f"groups is missing at index {int(np.flatnonzero(grp.isna())[0])}")
    names = [f"Study {i + 1}" for i in range(len(y))] if labels is None else list(labels)
    levels = [str(g) for g in pd.unique(grp)]
    if len(levels) < 2:
        raise ValueError(f"subgroup analysis needs at least 2 subgroups; got {levels}")
    results, notes = [], []
    for level in levels:
        mask = (grp.astype(str) == level).to_numpy()
        members = [n for n, m in zip(names, mask, strict=True) if m]
        res, caught = _pool_quietly(
            y[mask],
            v[mask],
            method=method,
            test=test,
            measure=measure,
            labels=members,
            alpha=alpha,
        )
        results.append(res)
        for caught_warning in caught:
            notes.append((caught_warning.category, f"Subgroup {level}: {caught_warning.message}"))
    try:
        overall, _ = _pool_quietly(
            y, v, method=method, test=test, measure=measure, labels=names, alpha=alpha
        )
    except EvsumError as error:  # the subgroup fits and the test between them still stand
        notes.append((EvsumWarning, f"All studies: {error}"))
        overall = unfitted_result(
            y, v, names, method=method, measure=measure, alpha=alpha, note=notes[-1][1]
        )
    est = np.array([r.estimate for r in results])
    w = 1 / np.array([r.se for r in results]) ** 2
    q_between = float((w * (est - (w * est).sum() / w.sum()) ** 2).sum())
    df = len(levels) - 1
    separate = SubgroupDifference(
        tau2_model="separate",
        statistic=q_between,
        df=df,
        df2=np.nan,
        pval=float(stats.chi2.sf(q_between, df)),
        distribution="chisq",
        tau2=tuple(r.tau2 for r in results),
    )
    differences = []
    for model in models:
        if model == "separate":
            differences.append(separate)
        else:
            common, note = _common_tau2(y, v, grp, levels, method, test, measure, names, alpha)
            differences.append(common)
            if note:  # the model's own caveats stay in common.model.notes
                notes.append((EvsumWarning, note))
    for category, note in notes if warn else ():
        warnings.warn(note, category, stacklevel=2)
    return SubgroupResult(
        groups=tuple(levels),
        results=tuple(results),
        overall=overall,
        q_between=q_between,
        q_between_df=df,
        q_between_pval=float(stats.chi2.sf(q_between, df)),
        notes=tuple(n for _, n in notes),
        differences=tuple(differences),
    )


def _tau2_models(tau2: str | Sequence[str]) -> list[str]:
    """The τ² models asked for, separate first, without repeats (ValueError if unknown)."""
    asked = (
        ["separate", "common"]
        if tau2 == "both"
        else [tau2]
        if isinstance(tau2, str)
        else list(tau2)
    )
    unknown = [m for m in asked if m not in TAU2_MODELS]
    if unknown or not asked:
        raise ValueError(
            f"tau2 must be 'separate', 'common', 'both' or a sequence of {list(TAU2_MODELS)}; "
            f"got {tau2!r}"
        )
    return [m for m in TAU2_MODELS if m in asked]


def _common_tau2(
    y: np.ndarray,
    v: np.ndarray,
    grp: pd.Series,
    levels: list[str],
    method: str,
    test: str,
    measure: str | None,
    names: list[str],
    alpha: float,
) -> tuple[SubgroupDifference, str | None]:
    """The QM test of a meta-regression on the subgroup, one τ² (NaN and a note if unfit)."""
    subgroup = pd.Categorical(grp.astype(str), categories=levels)
    try:
        model = meta_regression(
            y,
            v,
            {"subgroup": subgroup},
            method=method,
            test=test,
            measure=measure,
            labels=names,
            alpha=alpha,
            warn=False,
        )
    except (ValueError, EvsumError) as err:
        nan = float("nan")
        knha = test in ("knha", "adhoc")
        return SubgroupDifference(
            tau2_model="common",
            statistic=nan,
            df=len(levels) - 1,
            df2=nan,
            pval=nan,
            distribution="F" if knha else "chisq",
            tau2=(nan,),
        ), f"The test for subgroup differences with a common τ² could not be computed: {err}"
    return SubgroupDifference(
        tau2_model="common",
        statistic=model.qm,
        df=model.qm_df,
        df2=model.qm_df2,
        pval=model.qm_pval,
        distribution="F" if model.test in ("knha", "adhoc") else "chisq",
        tau2=(model.tau2,),
        model=model,
    ), None
