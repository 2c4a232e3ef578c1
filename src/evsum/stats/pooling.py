"""Inverse-variance meta-analysis: common effect and random effects (DL, REML, PM, ML).

``pool`` analyses one set of studies; ``pool_groups`` analyses many sets at once with the
same vectorised code (``evsum.stats.inverse_variance``), so the two agree to the last digit.
``leave_one_out`` and ``egger_test`` (``evsum.stats.diagnostics``) are re-exported here.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from evsum.exceptions import EvsumError, EvsumWarning, SmallKWarning
from evsum.stats.diagnostics import egger_test, leave_one_out
from evsum.stats.inverse_variance import GROUP_COLUMNS, check_method, fit_groups, fit_sorted
from evsum.stats.results import PoolResult
from evsum.stats.tau2 import VI_RATIO_WARN, Balanced, interior_peak
from evsum.vocab import REPORTED_MEASURES

__all__ = ["egger_test", "leave_one_out", "pool", "pool_groups"]


def _caveats(
    method: str, test: str, k: int, fit: dict[str, np.ndarray], pi: str = "z"
) -> list[tuple[type[EvsumWarning], str]]:
    """List the notes of a fit, each with the warning class it is issued with."""
    notes: list[tuple[type[EvsumWarning], str]] = []
    if method != "FE" and k < 3:
        notes.append(
            (
                SmallKWarning,
                f"Only {k} {'study' if k == 1 else 'studies'}: the "
                "between-study variance τ² cannot be estimated reliably.",
            )
        )
    if k == 1 and test in ("knha", "adhoc"):
        notes.append(
            (
                SmallKWarning,
                "Hartung-Knapp needs at least 2 studies; the z test "
                "was used instead (as metafor does).",
            )
        )
    if method == "FE" and test in ("knha", "adhoc"):
        notes.append(
            (
                EvsumWarning,
                "The Hartung-Knapp adjustment is not meant for "
                "common-effect models (metafor warns the same).",
            )
        )
    if method != "FE" and pi == "t" and k < 3:
        notes.append(
            (
                SmallKWarning,
                f"The t(k - 2) prediction interval needs at least 3 studies; with {k} it is "
                "not defined.",
            )
        )
    if method != "FE" and k > 1 and fit["tau2"][0] == 0:
        why = (
            "metafor's ll0check found a higher likelihood at 0"
            if fit["_ll0_reset"][0]
            else "the estimate was at or below 0"
        )
        notes.append(
            (
                EvsumWarning,
                f"τ² truncated at 0 ({why}); the random-effects result "
                "equals the common-effect result.",
            )
        )
    return notes


def _numerical_caveats(
    method: str, y: np.ndarray, v: np.ndarray, fit: dict[str, np.ndarray]
) -> list[tuple[type[EvsumWarning], str]]:
    """Notes on the data's conditioning and on a REML/ML estimate at a local maximum."""
    notes: list[tuple[type[EvsumWarning], str]] = []
    ratio = v.max() / v.min()
    if np.isfinite(ratio) and ratio >= VI_RATIO_WARN:
        notes.append(
            (
                EvsumWarning,
                f"The largest sampling variance is {ratio:.2g} times the smallest (metafor "
                "warns from 1e7): results may be unstable; check the SDs or SEs for a typo.",
            )
        )
    if method in ("REML", "ML") and len(y) > 1 and fit["tau2"][0] == 0:
        peak = interior_peak(y, v, method)
        if peak is not None:
            notes.append(
                (
                    EvsumWarning,
                    f"The {method} likelihood has two peaks: it is higher at τ² = {peak[0]:.3g}"
                    f" (log-likelihood + {peak[1]:.3g}) than at the estimate τ² = 0, where "
                    "Fisher scoring stops, as in metafor; the estimate is kept. Compare with "
                    "method='PM' or 'DL'.",
                )
            )
    return notes


def pool(
    yi: Sequence[float] | np.ndarray,
    vi: Sequence[float] | np.ndarray,
    *,
    method: str = "REML",
    test: str = "z",
    measure: str | None = None,
    labels: Sequence[str] | None = None,
    alpha: float = 0.05,
    pi: str = "z",
    warn: bool = True,
) -> PoolResult:
    r"""Meta-analyse effect sizes with inverse-variance weights.

    Parameters
    ----------
    yi, vi : array_like
        Study effect sizes (log scale for ratio measures) and sampling variances (> 0).
        Studies with a missing ``yi`` or ``vi`` are left out and listed in ``excluded``.
    method : {"REML", "DL", "PM", "ML", "FE"}
        τ² estimator, as metafor ``rma(method=)``; ``"EE"`` is an alias of ``"FE"``.
    test : {"z", "knha", "adhoc"}
        ``"knha"``: Hartung-Knapp-Sidik-Jonkman, t distribution with k - 1 df;
        ``"adhoc"``: the same with the ad hoc correction, the variance factor never below 1,
        so the interval is never narrower than the z interval's SE (metafor
        ``test="adhoc"``; Knapp & Hartung 2003).
    measure : str, optional
        Effect measure code, recorded in the result (drives back-transformation).
    labels : sequence of str, optional
        Study labels; default ``"Study 1"``, ``"Study 2"``, ...
    alpha : float
        1 - confidence level of the confidence and prediction intervals.
    pi : {"z", "t"}
        Prediction interval. ``"z"`` (default): as metafor ``predict()``, normal quantile
        (t(k - 1) under Hartung-Knapp). ``"t"``: t on k - 2 degrees of freedom (Higgins,
        Thompson & Spiegelhalter 2009; RevMan's and R meta's "HTS"), NaN for k < 3. The
        choice is recorded in ``PoolResult.pi``.
    warn : bool
        Issue each statistical caveat as a warning too (default). With ``False`` the caveats
        are only in ``PoolResult.notes``, for a caller that shows them as text (a forest plot
        prints them under the plot; a report says them in words).

    Returns
    -------
    PoolResult
        Estimate, CI, test, τ² (with SE), I² (percent), H², Q, prediction interval, weights;
        ``notes`` holds every caveat, warned or not.

    Raises
    ------
    ValueError
        Unknown method/test/measure, mismatched lengths, ``vi <= 0``, or no study left.
    EvsumError
        The τ² algorithm did not converge (metafor stops with an error too).

    Warns
    -----
    SmallKWarning
        Random effects with fewer than 3 studies.
    EvsumWarning
        τ² truncated at 0; Hartung-Knapp with a common-effect model; largest / smallest
        sampling variance at least 1e7 (metafor's threshold); a REML or ML estimate of
        τ² = 0 at a local maximum of a likelihood with a higher peak inside (0, ∞) (see Notes).

    Notes
    -----
    Kept in one piece (a statistical entry point): it follows metafor's ``rma.uni`` step by
    step (check the arguments, leave out studies without ``yi``/``vi``, fit, collect the
    caveats in metafor's order, build the result), so each line can be read against it; the
    fit itself is :func:`evsum.stats.inverse_variance.fit_groups`.

    Weights are :math:`w_i = 1/(v_i + \hat\tau^2)`, the estimate
    :math:`\hat\mu = \sum w_i y_i / \sum w_i` with variance :math:`1/\sum w_i`; with
    ``test="knha"`` the variance is multiplied by
    :math:`\sum w_i (y_i - \hat\mu)^2 / (k - 1)`. For random-effects methods
    :math:`I^2 = 100\,\hat\tau^2 / (\hat\tau^2 + s^2)` with the typical within-study
    variance :math:`s^2 = (k-1)\sum w / ((\sum w)^2 - \sum w^2)` (weights 1/v), and
    :math:`H^2 = \hat\tau^2/s^2 + 1`; for ``"FE"``, :math:`I^2 = 100 (Q - (k-1))/Q`. The
    prediction interval is :math:`\hat\mu \pm c \sqrt{SE^2 + \hat\tau^2}` with c the
    model's z or t(k - 1) quantile, as metafor ``predict()`` (none for ``"FE"``).

    The REML (or ML) log-likelihood of τ² can have two peaks, one at τ² = 0 and a higher
    one inside (0, ∞). Fisher scoring from metafor's starting value can then stop at 0, and
    so does metafor. evsum keeps metafor's answer, and when the estimate is 0 it searches
    a grid of τ² values up to max(100, 10 var(y)) for a higher peak; if one beats τ² = 0
    by more than 1.2e-4 in log-likelihood (metafor's ``ll0check`` tolerance), a note gives
    its location and height (``evsum.stats.tau2.interior_peak``).

    Checked against metafor 3.8 ``rma(yi, vi, method=, test=)`` and ``predict()`` for every
    measure × method × test on ``dat.bcg`` and ``dat.normand1999`` (tests/reference), and
    against statsmodels ``combine_effects`` (FE, DL).

    References
    ----------
    Viechtbauer W (2010). Conducting meta-analyses in R with the metafor package. Journal of
    Statistical Software 36(3). Viechtbauer W (2005). Bias and efficiency of meta-analytic
    variance estimators in the random-effects model. J Educ Behav Stat 30(3):261-293.

    Examples
    --------
    >>> import warnings
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")  # τ² is truncated at 0 here
    ...     res = pool([-0.89, -1.59, -1.35], [0.33, 0.19, 0.42], method="DL")
    >>> round(res.estimate, 4), res.k, res.tau2
    (-1.3377, 3, 0.0)
    """
    method = check_method(method, test, pi)
    if measure is not None and measure not in REPORTED_MEASURES:
        raise ValueError(
            f"measure must be one of {sorted(REPORTED_MEASURES)} or None; got {measure!r}"
        )
    if not 0 < alpha < 1:
        raise ValueError(f"alpha must be between 0 and 1; got {alpha!r}")
    y = np.asarray(yi, dtype=float).ravel()
    v = np.asarray(vi, dtype=float).ravel()
    if len(y) != len(v):
        raise ValueError(f"yi and vi must have the same length; got {len(y)} and {len(v)}")
    names = [f"Study {i + 1}" for i in range(len(y))] if labels is None else list(labels)
    if len(names) != len(y):
        raise ValueError(f"labels must have one entry per study; got {len(names)} for {len(y)}")
    names = [str(n) for n in names]
    missing = np.isnan(y) | np.isnan(v)
    bad = np.flatnonzero(~missing & ~(v > 0))
    if len(bad):
        raise ValueError(f"vi must be > 0 and finite; got vi[{bad[0]}] = {v[bad[0]]!r}")
    if not np.isfinite(y[~missing]).all():
        i = np.flatnonzero(~missing & ~np.isfinite(y))[0]
        raise ValueError(f"yi must be finite; got yi[{i}] = {y[i]!r}")
    reason = "missing effect size or variance"
    excluded = tuple((names[i], reason) for i in np.flatnonzero(missing))
    keep = ~missing
    y, v = y[keep], v[keep]
    names = [n for n, kept in zip(names, keep, strict=True) if kept]
    k = len(y)
    if k == 0:
        raise ValueError("no study with both yi and vi to pool")

    # the layout pool_groups fits a group in, so both give a group the same numbers
    fit = fit_groups(
        Balanced(y[:, np.newaxis], v[:, np.newaxis]), method, test, alpha, pi, weights=True
    )
    if not fit["converged"][0]:
        raise EvsumError(
            f"{method} estimation of τ² did not converge in 100 Fisher scoring steps (metafor "
            "3.8 stops with the same error); use method='PM' or 'DL' for these data"
            if method in ("REML", "ML")
            else f"{method} estimation of τ² found no root in [0, tau2_max] (metafor stops too)"
        )
    caveats = _caveats(method, test, k, fit, pi) + _numerical_caveats(method, y, v, fit)
    if excluded:
        caveats.insert(
            0,
            (
                EvsumWarning,
                f"{len(excluded)} "
                f"{'study' if len(excluded) == 1 else 'studies'} without effect size "
                "or variance left out.",
            ),
        )
    for category, note in caveats if warn else ():
        warnings.warn(note, category, stacklevel=2)
    scalar = {name: fit[name][0].item() for name in GROUP_COLUMNS if name != "n_excluded"}
    del scalar["converged"]
    return PoolResult(
        measure=measure,
        method=method,
        test=test if fit["_knha"][0] else "z",
        alpha=alpha,
        **scalar,
        yi=tuple(y.tolist()),
        vi=tuple(v.tolist()),
        weights=tuple(fit["_weights"].tolist()),
        labels=tuple(names),
        excluded=excluded,
        notes=tuple(note for _, note in caveats),
        pi=pi,
    )


def pool_groups(
    frame: pd.DataFrame,
    by: str | Sequence[str],
    *,
    yi: str = "yi",
    vi: str = "vi",
    method: str = "REML",
    test: str = "z",
    alpha: float = 0.05,
    pi: str = "z",
    warn: bool = True,
) -> pd.DataFrame:
    """Meta-analyse every group of a table at once (vectorised; equals ``pool`` per group).

    Parameters
    ----------
    frame : pandas.DataFrame
        One row per study.
    by : str or sequence of str
        Column(s) defining the groups.
    yi, vi : str
        Columns holding effect sizes and sampling variances.
    method, test, alpha, pi
        As in :func:`pool`.
    warn : bool
        As in :func:`pool`, for one signature across the pooling functions: no warnings are
        issued per group either way (see Notes).

    Returns
    -------
    pandas.DataFrame
        One row per group (sorted by the key), the ``by`` columns followed by:

        ============ ==============================================================
        k            studies pooled (rows with missing yi/vi are not counted)
        estimate..   ``estimate``, ``se``, ``ci_low``, ``ci_high``, ``zval``, ``pval``
        tau2..       ``tau2``, ``tau2_se``, ``i2`` (percent), ``h2``
        q..          ``q``, ``q_df``, ``q_pval``
        pi_low/high  prediction interval (NaN for FE)
        converged    False where the τ² algorithm failed (every statistic of the row,
                     τ², its SE, I², H² and Q included, is NaN)
        n_excluded   rows left out for a missing yi or vi
        ============ ==============================================================

    Notes
    -----
    Rows are sorted by group once (a table already sorted by one numeric key is neither
    factorised nor re-sorted); group sums are ``np.add.reduceat`` over the sorted rows
    (``np.bincount`` if a group has no row), and the common-effect fit is computed once and
    shared by τ², Q and I². REML/ML Fisher scoring and the Paule-Mandel search
    iterate all groups at once with per-group convergence masks. No warnings are issued per
    group; check ``k`` and ``converged``.

    Checked against :func:`pool` group by group (tests/stats/test_pool_groups.py).

    Examples
    --------
    >>> df = pd.DataFrame({"g": ["a", "a", "b", "b"], "yi": [0.1, 0.3, -0.2, 0.4],
    ...                    "vi": [0.04, 0.05, 0.03, 0.06]})
    >>> pool_groups(df, "g", method="FE")["k"].tolist()
    [2, 2]
    """
    method = check_method(method, test, pi)
    keys = [by] if isinstance(by, str) else list(by)
    codes, key_columns = _factorize(frame, keys)
    if (codes < 0).any():
        raise ValueError(f"group key {keys} is missing in {int((codes < 0).sum())} rows")
    y = frame[yi].to_numpy(dtype=float)
    v = frame[vi].to_numpy(dtype=float)
    if frame[yi].dtype == np.float64 and frame[vi].dtype == np.float64:
        missing = np.isnan(y) | np.isnan(v)  # what isna() finds in a float64 column
    else:
        missing = frame[yi].isna().to_numpy() | frame[vi].isna().to_numpy()
    gid = codes
    any_missing = bool(missing.any())
    if any_missing:
        y, v, gid = y[~missing], v[~missing], gid[~missing]
    if not (v > 0).all() or not np.isfinite(y).all():
        raise ValueError(f"{vi} must be > 0 and {yi} finite in every row that has both")
    n = len(key_columns[keys[0]])
    if len(gid) > 1 and not (gid[1:] >= gid[:-1]).all():
        order = np.argsort(gid, kind="stable")  # rows of a group together, in table order
        y, v, gid = y[order], v[order], gid[order]
    with np.errstate(divide="ignore", invalid="ignore"):
        fit = fit_sorted(y, v, np.bincount(gid, minlength=n), method, test, alpha, pi)
    fit["n_excluded"] = (
        np.bincount(codes[missing], minlength=n) if any_missing else np.zeros(n, dtype=np.intp)
    )
    empty = fit["k"] == 0
    columns = dict(key_columns)
    for name in GROUP_COLUMNS:
        col = fit[name]
        if col.dtype.kind == "f" and empty.any():
            col = np.where(empty, np.nan, col)
        columns[name] = col
    return pd.DataFrame(columns)


def _factorize(
    frame: pd.DataFrame, keys: list[str]
) -> tuple[np.ndarray, dict[str, np.ndarray | pd.Index | pd.Series]]:
    """Group codes of the rows (-1 where a key is missing) and the sorted key columns.

    As ``pandas.factorize(sort=True)``; a single numeric key already sorted in the table
    (the usual layout, one group after another) is coded in one pass without hashing.
    """
    if len(keys) == 1:
        column = frame[keys[0]]
        values = column.to_numpy()
        if isinstance(column.dtype, np.dtype) and column.dtype.kind in "iuf" and len(values):
            # sorted if each key is >= the one before (never true next to a NaN key)
            if (values[1:] >= values[:-1]).all() and values[0] == values[0]:
                starts = np.concatenate(([0], np.flatnonzero(values[1:] != values[:-1]) + 1))
                counts = np.diff(starts, append=len(values))
                codes = np.repeat(np.arange(len(starts), dtype=np.intp), counts)
                return codes, {keys[0]: values[starts]}
        codes, uniques = pd.factorize(column, sort=True)
        return codes.astype(np.intp, copy=False), {keys[0]: uniques}
    codes, uniques = pd.MultiIndex.from_frame(frame[keys]).factorize(sort=True)
    key_frame = pd.DataFrame(list(uniques), columns=keys)
    return codes.astype(np.intp, copy=False), {key: key_frame[key] for key in keys}


def unfitted_result(
    y: np.ndarray,
    v: np.ndarray,
    labels: Sequence[str],
    *,
    method: str,
    measure: str | None = None,
    alpha: float = 0.05,
    note: str = "",
) -> PoolResult:
    """A :class:`PoolResult` for studies whose model could not be fitted: NaN statistics.

    Used where one fit of several fails (the all-studies model of a subgroup analysis) and
    the others still stand; ``yi``, ``vi`` and ``labels`` keep the studies, every statistic
    and weight is NaN (as metafor leaves a failed fit NA in ``leave1out``).
    """
    k = len(y)
    nan = float("nan")
    statistics: dict[str, Any] = {
        name: nan for name in GROUP_COLUMNS if name not in ("k", "q_df", "converged", "n_excluded")
    }
    return PoolResult(
        measure=measure,
        method=check_method(method, "z"),
        test="z",
        alpha=alpha,
        k=k,
        **statistics,
        q_df=max(k - 1, 0),
        yi=tuple(np.asarray(y, dtype=float).tolist()),
        vi=tuple(np.asarray(v, dtype=float).tolist()),
        weights=(nan,) * k,
        labels=tuple(str(x) for x in labels),
        notes=(note,) if note else (),
    )
