"""Inverse-variance fits of many meta-analyses at once (the kernel of ``pool``).

``fit_groups`` takes a :class:`evsum.stats.tau2.Grouped` set of studies and returns, per group, the
pooled estimate, its test and interval, τ², I², H², Q and the prediction interval, with
metafor 3.8 ``rma.uni`` / ``predict`` conventions.
"""

from __future__ import annotations

import numpy as np

from evsum.stats.scipy_modules import special, stats
from evsum.stats.tau2 import Balanced, Grouped, Studies, estimate_tau2
from evsum.vocab import METHOD_ALIASES, METHODS, PI_TYPES, TESTS

#: The statistics of one fit that the leave-one-out and cumulative analyses report per
#: step, in metafor's column order (``leave1out``, ``cumul``).
STEP_STATISTICS: tuple[str, ...] = (
    "estimate",
    "se",
    "zval",
    "pval",
    "ci_low",
    "ci_high",
    "q",
    "q_pval",
    "tau2",
    "i2",
    "h2",
)

#: Columns of ``pool_groups`` after the group key(s), in order.
GROUP_COLUMNS: tuple[str, ...] = (
    "k",
    "estimate",
    "se",
    "ci_low",
    "ci_high",
    "zval",
    "pval",
    "tau2",
    "tau2_se",
    "i2",
    "h2",
    "q",
    "q_df",
    "q_pval",
    "pi_low",
    "pi_high",
    "converged",
    "n_excluded",
)


def _t_isf(p: float, df: np.ndarray) -> np.ndarray:
    """t quantiles for many groups, computed once per distinct df."""
    values, inverse = np.unique(df, return_inverse=True)
    return stats.t.isf(p, values)[inverse.reshape(np.shape(df))]


def check_method(method: str, test: str, pi: str = "z") -> str:
    """Canonical method code (``"EE"`` -> ``"FE"``); ValueError for unknown method/test/pi."""
    method = METHOD_ALIASES.get(method, method)
    if method not in METHODS:
        raise ValueError(f"method must be one of {sorted(METHODS + ('EE',))}; got {method!r}")
    if test not in TESTS:
        raise ValueError(f"test must be one of {sorted(TESTS)}; got {test!r}")
    if pi not in PI_TYPES:
        raise ValueError(f"pi must be one of {sorted(PI_TYPES)}; got {pi!r}")
    return method


def fit_groups(
    g: Studies, method: str, test: str, alpha: float, pi: str = "z", *, weights: bool = False
) -> dict[str, np.ndarray]:
    """Fit every group; returns per-group arrays named as in ``GROUP_COLUMNS`` plus extras.

    ``test="adhoc"`` is Hartung-Knapp with the variance factor never below 1 (metafor
    ``test="adhoc"``); ``pi="t"`` gives the prediction interval with t on k - 2 df
    (Higgins, Thompson & Spiegelhalter 2009), NaN where k < 3. ``weights=True`` adds
    ``"_weights"``, each study's weight in percent of its group's (one value per study).
    """
    k = g.k
    t2 = estimate_tau2(g, method)
    fit, fe = t2.fit, t2.fe  # at τ² and at 0, each computed once
    with np.errstate(divide="ignore", invalid="ignore"):
        vb = 1.0 / fit.sw
        knha = (test in ("knha", "adhoc")) & (k > 1)  # metafor switches to z when k = 1
        if np.any(knha):  # the residual sum at τ² only where Hartung-Knapp needs it
            s2w = np.where(fit.rss <= np.finfo(float).eps, 0.0, fit.rss / (k - 1))
            if test == "adhoc":
                s2w = np.maximum(s2w, 1.0)
            vb = np.where(knha, s2w * vb, vb)
        se = np.sqrt(vb)
        zval = fit.beta / se
        df = np.maximum(k - 1, 1)
        # scipy.special's functions are what stats.norm.sf, t.sf and chi2.sf evaluate, without
        # the distribution objects' per-call argument checks
        pval = 2 * special.ndtr(-np.abs(zval))
        crit = np.full(g.n, -special.ndtri(alpha / 2))  # stats.norm.isf
        if np.any(knha):  # t only where needed: the t distribution is slow on many groups
            pval = np.where(knha, 2 * special.stdtr(df, -np.abs(zval)), pval)
            crit = np.where(knha, _t_isf(alpha / 2, df), crit)

        many = k > 1
        q = np.where(many, np.maximum(0.0, fe.rss), 0.0)
        q_pval = np.where(many, special.chdtrc(df, q), 1.0)
        if method == "FE":
            i2 = np.maximum(0.0, 100 * (q - (k - 1)) / q)
            h2 = q / (k - 1)
        else:
            vt = (k - 1) / fe.tr_p
            i2 = 100 * t2.tau2 / (vt + t2.tau2)
            h2 = t2.tau2 / vt + 1
        i2 = np.where(many, np.nan_to_num(i2, nan=0.0), 0.0)
        h2 = np.where(many, h2, 1.0)
        if pi == "t":
            pi_crit = np.where(k > 2, _t_isf(alpha / 2, np.maximum(k - 2, 1)), np.nan)
        else:
            pi_crit = crit
        half_pi = pi_crit * np.sqrt(vb + t2.tau2)
        no_pi = np.full(g.n, np.nan) if method == "FE" else None
    bad = ~t2.converged
    out = {
        "k": k,
        "estimate": fit.beta,
        "se": se,
        "ci_low": fit.beta - crit * se,
        "ci_high": fit.beta + crit * se,
        "zval": zval,
        "pval": pval,
        "tau2": t2.tau2,
        "tau2_se": t2.se,
        "i2": i2,
        "h2": h2,
        "q": q,
        "q_df": k - 1,
        "q_pval": q_pval,
        "pi_low": no_pi if no_pi is not None else fit.beta - half_pi,
        "pi_high": no_pi.copy() if no_pi is not None else fit.beta + half_pi,
        "converged": t2.converged,
    }
    # a group whose τ² did not converge has no statistics at all (as metafor's leave1out
    # leaves the whole row NA), not an I² of 0 or a finite SE of τ²
    if bad.any():
        for name in (
            "estimate",
            "se",
            "ci_low",
            "ci_high",
            "zval",
            "pval",
            "tau2",
            "tau2_se",
            "i2",
            "h2",
            "q",
            "q_pval",
            "pi_low",
            "pi_high",
        ):
            out[name] = np.where(bad, np.nan, out[name])
    if weights:
        share = 100 * fit.w / g.spread(fit.sw)
        out["_weights"] = g.rows(np.where(g.spread(bad), np.nan, share))
    out["_raw_tau2"] = t2.raw
    out["_ll0_reset"] = t2.ll0_reset
    out["_knha"] = knha
    return out


#: Above this many sizes of group, ``fit_sorted`` fits all groups in one flat layout.
MAX_SIZES = 64

#: Studies fitted at once by ``fit_sorted`` (1 MB per per-study array): the memory of a fit
#: stays bounded however many groups there are, and each block's iterations (REML, PM) run
#: over few enough arrays that the per-call overhead of numpy stays small.
BLOCK_STUDIES = 1 << 17


def fit_sorted(
    yi: np.ndarray,
    vi: np.ndarray,
    counts: np.ndarray,
    method: str,
    test: str,
    alpha: float,
    pi: str = "z",
) -> dict[str, np.ndarray]:
    """``fit_groups`` of groups whose rows come one group after another.

    ``counts[j]`` is the number of rows of group j (0 for a group without a row). The
    groups of each size are fitted together in the :class:`evsum.stats.tau2.Balanced`
    layout (one vector operation per study position instead of a loop over groups), in
    blocks of about ``BLOCK_STUDIES`` studies, and their statistics put back in group
    order; with more than ``MAX_SIZES`` sizes, every group is fitted in one
    :class:`evsum.stats.tau2.Grouped` layout summing in the same order. Either way each
    group's statistics are those :func:`evsum.pool` gives it.
    """
    n = len(counts)
    sizes = np.unique(counts)
    if len(sizes) > MAX_SIZES:
        gid = np.repeat(np.arange(n, dtype=np.intp), counts)
        return fit_groups(Grouped(yi, vi, gid, n, in_order=True), method, test, alpha, pi)
    if len(sizes) <= 1:
        parts = [(np.arange(n), yi, vi)]
    else:
        size_of_row = np.repeat(counts, counts)
        parts = []
        for size in sizes:
            rows = size_of_row == size
            parts.append((np.flatnonzero(counts == size), yi[rows], vi[rows]))
    out: dict[str, np.ndarray] = {}
    for groups, y, v in parts:
        size = len(y) // len(groups) if len(groups) else 0
        step = max(1, BLOCK_STUDIES // max(size, 1))
        for start in range(0, len(groups), step):
            stop = min(start + step, len(groups))
            block = Balanced.from_rows(
                y[start * size : stop * size], v[start * size : stop * size], stop - start
            )
            part = fit_groups(block, method, test, alpha, pi)
            if not out:
                out = {name: np.empty(n, dtype=col.dtype) for name, col in part.items()}
            at = groups[start:stop] if len(parts) > 1 else slice(start, stop)
            for name, col in part.items():
                out[name][at] = col
    if not out:  # no group at all
        return fit_groups(Balanced.from_rows(yi, vi, 0), method, test, alpha, pi)
    return out
