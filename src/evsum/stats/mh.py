r"""Common-effect meta-analysis of 2x2 tables: Mantel-Haenszel (OR, RR, RD) and Peto's OR."""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import numpy as np

from evsum.exceptions import EvsumWarning, ZeroCellWarning
from evsum.stats.effects import effect_size
from evsum.stats.results import PoolResult
from evsum.stats.scipy_modules import stats

MH_MEASURES: tuple[str, ...] = ("OR", "RR", "RD")

#: Tables left out, as (label, reason); caveats, as (warning class, text).
_Excluded = tuple[tuple[str, str], ...]
_Notes = list[tuple[type[Warning], str]]


def _mh_estimate(
    measure: str, a: np.ndarray, b: np.ndarray, c: np.ndarray, d: np.ndarray
) -> tuple[float, float, np.ndarray]:
    """MH estimate (log scale for OR, RR), its SE and the raw MH weights.

    SE: Robins-Breslow-Greenland for OR, Greenland-Robins for RR, Sato-Greenland-Robins
    (1989) for RD, each as metafor 3.8 ``rma.mh`` computes it.
    """
    n1, n2 = a + b, c + d
    n = n1 + n2
    if measure == "RD":
        weights = n1 * n2 / n
        sw = weights.sum()
        est = float((a * (n2 / n) - c * (n1 / n)).sum() / sw)
        p_sum = (c * (n1 / n) ** 2 - a * (n2 / n) ** 2 + (n1 / n) * (n2 / n) * (n2 - n1) / 2).sum()
        q_sum = (a * (n2 - c) / n + c * (n1 - a) / n).sum() / 2
        return est, float(np.sqrt((est * p_sum + q_sum) / sw**2)), weights
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


def _drop00(drop00: bool | tuple[bool, bool]) -> tuple[bool, bool]:
    """metafor's ``drop00``: one value means (value, False); two mean (for Q, for the estimate)."""
    pair = (drop00, False) if isinstance(drop00, bool) else tuple(drop00)
    if len(pair) != 2 or not all(isinstance(x, (bool, np.bool_)) for x in pair):
        raise ValueError(f"drop00 must be a bool or a pair of bools; got {drop00!r}")
    return bool(pair[0]), bool(pair[1])


def _prepare_tables(
    ai: Sequence[float] | np.ndarray,
    bi: Sequence[float] | np.ndarray,
    ci: Sequence[float] | np.ndarray,
    di: Sequence[float] | np.ndarray,
    labels: Sequence[str] | None,
    drop00_tables: bool,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, list[str], _Excluded]:
    """Arrays, labels and exclusions: NA tables (and double-zero ones if asked) left out."""
    a, b, c, d = (np.atleast_1d(np.asarray(x, dtype=float)) for x in (ai, bi, ci, di))
    if not len(a) == len(b) == len(c) == len(d):
        raise ValueError(
            f"ai, bi, ci and di must have the same length; got {len(a)}, {len(b)}, "
            f"{len(c)}, {len(d)}"
        )
    k_all = len(a)
    names = (
        [f"Study {i + 1}" for i in range(k_all)] if labels is None else [str(x) for x in labels]
    )
    if len(names) != k_all:
        raise ValueError(f"labels must have one entry per study; got {len(names)} for {k_all}")
    missing = np.isnan(a) | np.isnan(b) | np.isnan(c) | np.isnan(d)
    with np.errstate(invalid="ignore"):
        double0 = ~missing & (((a == 0) & (c == 0)) | ((b == 0) & (d == 0)))
    drop = missing | (double0 & drop00_tables)
    excluded = tuple(
        (
            names[i],
            "missing cell counts"
            if missing[i]
            else "no events (or only events) in both groups; left out with drop00",
        )
        for i in np.flatnonzero(drop)
    )
    keep = ~drop
    if not keep.any():
        raise ValueError("no 2x2 table left to pool (every table has a missing cell count)")
    names = [n for n, kept in zip(names, keep, strict=True) if kept]
    return a[keep], b[keep], c[keep], d[keep], names, excluded


def _heterogeneity(q: float, k_yi: int) -> tuple[float, float, float, float]:
    """Q, its p-value, I² and H² as metafor's rma.mh / rma.peto (NaN if Q is NaN)."""
    if q != q:  # no heterogeneity statistics without an estimate (see pool_mh, Returns)
        return np.nan, np.nan, np.nan, np.nan
    if k_yi > 1:
        q = max(0.0, q)
        if np.isinf(q):  # I² is inf/inf: NaN, as R's max(0, NaN) (Python's max gives 0)
            i2 = np.nan
        else:
            i2 = max(0.0, 100 * (q - (k_yi - 1)) / q) if q > 0 else 0.0
        return q, float(stats.chi2.sf(q, k_yi - 1)), i2, q / (k_yi - 1)
    return 0.0, 1.0, 0.0, 1.0


def _excluded_note(excluded: _Excluded) -> _Notes:
    if not excluded:
        return []
    return [
        (
            EvsumWarning,
            f"{len(excluded)} table(s) left out: "
            + "; ".join(f"{label} ({reason})" for label, reason in excluded)
            + ".",
        )
    ]


def pool_mh(
    ai: Sequence[float] | np.ndarray,
    bi: Sequence[float] | np.ndarray,
    ci: Sequence[float] | np.ndarray,
    di: Sequence[float] | np.ndarray,
    *,
    measure: str = "OR",
    labels: Sequence[str] | None = None,
    add: float = 0.5,
    to: str = "only0",
    alpha: float = 0.05,
    drop00: bool | tuple[bool, bool] = True,
    warn: bool = True,
) -> PoolResult:
    r"""Mantel-Haenszel pooled odds ratio, risk ratio or risk difference, as metafor ``rma.mh``.

    Parameters
    ----------
    ai, bi, ci, di : array_like
        2x2 tables: events and non-events in group 1 (``ai``, ``bi``) and group 2 (``ci``,
        ``di``). Tables with a missing count (NaN) are left out and listed in ``excluded``
        (metafor's ``na.omit``).
    measure : {"OR", "RR", "RD"}
        Odds ratio or risk ratio (pooled on the log scale), or risk difference.
    labels : sequence of str, optional
        Study labels.
    add, to : float, str
        Continuity correction for the per-study ``yi``/``vi`` used by Q and I² only (as
        metafor's ``add=c(add, 0)``); the MH estimate itself uses the uncorrected tables.
    alpha : float
        1 - confidence level.
    drop00 : bool or (bool, bool)
        metafor's ``drop00``. The first value drops tables with no events (or only events)
        in both groups from the per-study effects, so from Q and I² (default True); the
        second drops them from the estimate as well (default False; then they are listed in
        ``excluded``). A single bool sets the first value only, as in metafor. Such tables
        add nothing to the MH odds or risk ratio, but they pull the MH risk difference
        towards 0.
    warn : bool
        Issue each caveat as a warning too (default); with ``False`` only in ``notes``
        (as in :func:`evsum.pool`).

    Returns
    -------
    PoolResult
        ``method="MH"``, ``tau2 = 0``; ``k`` counts the tables pooled; ``yi``/``vi`` are the
        per-study effects (NaN for tables left out of Q); weights are metafor's MH weights
        (OR: b c / n; RR: c n1 / n; RD: n1 n2 / n) in percent. If the MH estimate is not
        defined (OR, RR: no events in one group), the estimate, its SE, Q, its p-value, I²
        and H² are NaN: there is no estimate to measure heterogeneity around. metafor 3.8
        also gives NA when two or more tables have a study effect, but Q = 0, I² = 0 and
        H² = 1 when at most one has; evsum gives NaN in both cases. When every table has no
        events (RD) or only events (RR, RD) the estimate and its SE are 0 and z and p are
        NaN, as in metafor.

    Raises
    ------
    ValueError
        Unknown measure, invalid tables (see :func:`evsum.effect_size`), no table left.

    Notes
    -----
    OR: :math:`\hat\theta = \sum R_i / \sum S_i`, :math:`R_i = a_i d_i/n_i`,
    :math:`S_i = b_i c_i / n_i`, variance of the log by Robins, Breslow and Greenland (1986).
    RR: :math:`\hat\theta = \sum a_i n_{2i}/n_i \big/ \sum c_i n_{1i}/n_i`, variance by
    Greenland and Robins (1985). RD: :math:`\hat\theta = \sum (a_i n_{2i} - c_i n_{1i})/n_i
    \big/ \sum n_{1i} n_{2i}/n_i`, variance by Sato, Greenland and Robins (1989). Q uses the
    per-study escalc effects around the MH estimate with weights 1/v_i;
    I² = max(0, 100 (Q - (k-1))/Q), H² = Q/(k-1), where k counts the tables with an effect.

    Checked against metafor 3.8 ``rma.mh()`` on ``dat.bcg``, on zero-cell tables, on
    ``dat.collins1985a`` (tables with NA) and with ``measure="RD"`` on ``dat.hine1989``
    (tests/reference/mh.json, zero_cells.json, small_k.json).

    References
    ----------
    Robins J, Breslow N, Greenland S (1986). Estimators of the Mantel-Haenszel variance
    consistent in both sparse data and large-strata limiting models. Biometrics 42:311-323.
    Greenland S, Robins JM (1985). Estimation of a common effect parameter from sparse
    follow-up data. Biometrics 41:55-68. Sato T, Greenland S, Robins JM (1989). On the
    variance estimator for the Mantel-Haenszel risk difference. Biometrics 45:1323-1324.

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
    drop_q, drop_tables = _drop00(drop00)
    a, b, c, d, names, excluded = _prepare_tables(ai, bi, ci, di, labels, drop_tables)
    notes: _Notes = _excluded_note(excluded)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        yi, vi = effect_size(measure, ai=a, bi=b, ci=c, di=d, add=add, to=to)
    k = len(a)
    double0 = ((a == 0) & (c == 0)) | ((b == 0) & (d == 0))
    if drop_q:
        yi[double0], vi[double0] = np.nan, np.nan  # metafor's drop00[1] for the yi/vi
    if any(issubclass(w.category, ZeroCellWarning) for w in caught):
        notes.append(
            (
                ZeroCellWarning,
                f"Continuity correction ({add:g}) applied to study "
                "effects with zero cells for Q and I² only; the MH estimate uses the "
                "uncorrected tables.",
            )
        )
    if drop_q and double0.any():
        notes.append(
            (
                EvsumWarning,
                f"{int(double0.sum())} table(s) with no events (or no "
                "non-events) in both groups left out of Q: "
                + ", ".join(np.asarray(names)[double0])
                + ".",
            )
        )
    est, se, raw_w = _mh_estimate(measure, a, b, c, d)
    if np.isnan(est):
        notes.append(
            (
                EvsumWarning,
                "The MH estimate is not defined (no events in one group); so are Q, I² and H² "
                "(NaN; metafor 3.8 reports Q = 0 and I² = 0 instead when at most one table "
                "has a study effect).",
            )
        )
    crit = stats.norm.isf(alpha / 2)
    with np.errstate(divide="ignore", invalid="ignore"):
        # est = se = 0 when every table has no events (RD) or only events (RR, RD): z and p
        # are NaN, as metafor's 0/0, not a ZeroDivisionError
        zval = float(np.float64(est) / np.float64(se))
    ok = ~np.isnan(yi)
    k_yi = int(ok.sum())
    q_raw = float((((yi[ok] - est) ** 2) / vi[ok]).sum()) if k_yi > 1 else 0.0
    q, q_pval, i2, h2 = _heterogeneity(np.nan if np.isnan(est) else q_raw, k_yi)
    for category, note in notes if warn else ():
        warnings.warn(note, category, stacklevel=2)
    return _common_effect_result(
        measure,
        "MH",
        alpha,
        k,
        est,
        se,
        crit,
        zval,
        (q, q_pval, i2, h2),
        k_yi,
        yi,
        vi,
        raw_w,
        names,
        excluded,
        notes,
    )


def pool_peto(
    ai: Sequence[float] | np.ndarray,
    bi: Sequence[float] | np.ndarray,
    ci: Sequence[float] | np.ndarray,
    di: Sequence[float] | np.ndarray,
    *,
    labels: Sequence[str] | None = None,
    add: float = 0.5,
    to: str = "only0",
    alpha: float = 0.05,
    drop00: bool | tuple[bool, bool] = True,
    warn: bool = True,
) -> PoolResult:
    r"""Peto's one-step pooled odds ratio of 2x2 tables, as metafor ``rma.peto``.

    Parameters
    ----------
    ai, bi, ci, di : array_like
        2x2 tables: events and non-events in group 1 and group 2. Tables with a missing
        count are left out and listed in ``excluded``.
    labels : sequence of str, optional
        Study labels.
    add, to : float, str
        Only decide, as in metafor, whether a double-zero table counts towards the degrees
        of freedom of Q when ``drop00`` keeps it (``add > 0`` and ``to != "none"``); Peto's
        method itself needs no continuity correction.
    alpha : float
        1 - confidence level.
    drop00 : bool or (bool, bool)
        As in :func:`pool_mh`: the first value leaves tables without events (or with only
        events) in both groups out of Q's degrees of freedom, the second out of the table
        count ``k`` (they never change the estimate: their O - E and V are 0).
    warn : bool
        Issue each caveat as a warning too (default); with ``False`` only in ``notes``
        (as in :func:`evsum.pool`).

    Returns
    -------
    PoolResult
        ``method="PETO"``, ``measure="OR"`` (log scale), ``tau2 = 0``. ``yi``/``vi`` are the
        per-study Peto log odds ratios :math:`(O_i - E_i)/V_i` and :math:`1/V_i` of the
        uncorrected tables (NaN where :math:`V_i = 0`); weights are :math:`V_i` in percent.

    Raises
    ------
    ValueError
        Invalid tables, no table left, or no table with both events and non-events (metafor
        stops: "Peto's method cannot be used").

    Notes
    -----
    With :math:`O_i = a_i`, :math:`E_i = (a_i + c_i) n_{1i}/n_i` and
    :math:`V_i = (a_i + c_i)(b_i + d_i) n_{1i} n_{2i} / (n_i^2 (n_i - 1))`:
    :math:`\log\hat\theta = \sum (O_i - E_i) / \sum V_i`, SE :math:`1/\sqrt{\sum V_i}`,
    :math:`Q = \sum (O_i - E_i)^2/V_i - (\sum (O_i - E_i))^2 / \sum V_i`.

    Checked against metafor 3.8 ``rma.peto()`` on ``dat.bcg``, on zero-cell tables and on
    ``dat.collins1985a`` (tests/reference/small_k.json).

    References
    ----------
    Yusuf S, Peto R, Lewis J, Collins R, Sleight P (1985). Beta blockade during and after
    myocardial infarction: an overview of the randomized trials. Prog Cardiovasc Dis
    27(5):335-371.

    Examples
    --------
    >>> res = pool_peto([4, 6, 3], [119, 300, 228], [11, 29, 11], [128, 274, 209])
    >>> res.method, res.k
    ('PETO', 3)
    """
    if not 0 < alpha < 1:
        raise ValueError(f"alpha must be between 0 and 1; got {alpha!r}")
    drop_q, drop_tables = _drop00(drop00)
    a, b, c, d, names, excluded = _prepare_tables(ai, bi, ci, di, labels, drop_tables)
    # validate the tables as escalc would (negative counts, empty groups), quietly
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        effect_size("OR", ai=a, bi=b, ci=c, di=d, add=add, to=to)
    notes: _Notes = _excluded_note(excluded)
    n1, n2 = a + b, c + d
    n = n1 + n2
    xt, yt = a + c, b + d
    e = xt * n1 / n
    with np.errstate(divide="ignore", invalid="ignore"):
        v = xt * yt * (n1 / n) * (n2 / n) / (n - 1)
    v = np.where(np.isfinite(v), v, 0.0)  # n = 1 has no variance
    if v.sum() == 0:
        raise ValueError(
            "every table has only events or no events at all; Peto's method cannot be used"
        )
    est = float((a - e).sum() / v.sum())
    se = float(np.sqrt(1 / v.sum()))
    pos = v > 0
    k = len(a)
    k_yi = k if (not drop_q and add > 0 and to != "none") else int(pos.sum())
    if pos.sum() > 1:
        q_raw = float(((a - e)[pos] ** 2 / v[pos]).sum() - (a - e).sum() ** 2 / v[pos].sum())
        q, q_pval, i2, h2 = _heterogeneity(q_raw, k_yi)
    else:
        q, q_pval, i2, h2 = 0.0, 1.0, 0.0, 1.0
    if (~pos).any():
        notes.append(
            (
                EvsumWarning,
                f"{int((~pos).sum())} table(s) with no events (or only events) in both groups "
                "add nothing to Peto's estimate: " + ", ".join(np.asarray(names)[~pos]) + ".",
            )
        )
    with np.errstate(divide="ignore", invalid="ignore"):
        yi = np.where(pos, (a - e) / v, np.nan)
        vi = np.where(pos, 1 / v, np.nan)
    crit = stats.norm.isf(alpha / 2)
    zval = est / se
    for category, note in notes if warn else ():
        warnings.warn(note, category, stacklevel=2)
    return _common_effect_result(
        "OR",
        "PETO",
        alpha,
        k,
        est,
        se,
        crit,
        zval,
        (q, q_pval, i2, h2),
        k_yi,
        yi,
        vi,
        v,
        names,
        excluded,
        notes,
    )


def _common_effect_result(
    measure: str,
    method: str,
    alpha: float,
    k: int,
    est: float,
    se: float,
    crit: float,
    zval: float,
    heterogeneity: tuple[float, float, float, float],
    k_yi: int,
    yi: np.ndarray,
    vi: np.ndarray,
    raw_weights: np.ndarray,
    names: list[str],
    excluded: _Excluded,
    notes: _Notes,
) -> PoolResult:
    """The :class:`PoolResult` of a common-effect method on 2x2 tables (MH, Peto): z test,
    no τ², no prediction interval; ``heterogeneity`` is (Q, its p-value, I², H²) over the
    ``k_yi`` studies with a study effect; weights in percent of ``raw_weights``."""
    q, q_pval, i2, h2 = heterogeneity
    return PoolResult(
        measure=measure,
        method=method,
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
        weights=tuple((100 * raw_weights / raw_weights.sum()).tolist()),
        labels=tuple(names),
        excluded=excluded,
        notes=tuple(n for _, n in notes),
    )
