r"""Meta-regression: mixed-effects models with study-level moderators (metafor ``rma(mods=)``).

``meta_regression`` fits :math:`y_i = x_i'\beta + u_i + e_i`, :math:`u_i \sim N(0, \tau^2)`,
:math:`e_i \sim N(0, v_i)`, with numeric and categorical moderators; ``predict`` gives the
fitted effect at chosen moderator values with its confidence and prediction interval;
``permutation_test`` gives permutation p-values for the coefficients and the omnibus test.

The algorithms, starting values, tolerances and step rules follow metafor 3.8 ``rma.uni``
with ``mods``, as ``evsum.stats.tau2`` does for models without moderators:

* DL: method of moments with :math:`P = W - WX(X'WX)^{-1}X'W`, :math:`W = diag(1/v_i)`,
  :math:`\hat\tau^2 = \max(0, (y'Py - (k-p))/tr P)`.
* REML / ML: Fisher scoring from the Hedges (HE) estimate (truncated at 0), step halving to
  stay >= 0, stop when the change is <= 1e-5, at most 100 iterations, then the check that
  the likelihood at τ² = 0 is not higher (metafor's ``ll0check``).
* PM: root of the generalised Q statistic :math:`y'P(\tau^2)y = k - p` with R's ``uniroot``
  (Brent) on [0, max(100, 10 mad(y)²)]; 0 if :math:`y'P(0)y < k - p`.

As metafor does, τ² is estimated from the mean-centred effects (which matters only for a
model without an intercept).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from math import factorial
from typing import Any, TypeAlias

import numpy as np
import pandas as pd

from evsum.exceptions import EvsumError, EvsumWarning, SmallKWarning
from evsum.stats.results import (
    MetaRegressionResult,
    ModeratorTerm,
    PermutationResult,
    PredictionResult,
)
from evsum.stats.scipy_modules import stats
from evsum.stats.tau2 import MAXITER, TAU2_MAX, THRESHOLD, TOL, Grouped, estimate_tau2, zeroin
from evsum.vocab import METHOD_ALIASES, METHODS, REPORTED_MEASURES

__all__ = ["meta_regression", "permutation_test", "predict", "PermutationResult"]

#: Tests of the coefficients, as metafor ``rma(test=)``.
REGRESSION_TESTS: tuple[str, ...] = ("z", "knha", "adhoc")
#: metafor ``control$evtol``: an eigenvalue of X'X at or below it means "not of full rank".
EVTOL = 1e-7
#: Name of the intercept coefficient, as metafor names it.
INTERCEPT = "intrcpt"
#: Studies per moderator coefficient below which a note is added.
MIN_STUDIES_PER_COEFFICIENT = 10

Moderators: TypeAlias = Mapping[str, Sequence[object] | np.ndarray | pd.Series] | pd.DataFrame


# ---------------------------------------------------------------------------------------------
# Design matrix
# ---------------------------------------------------------------------------------------------


def _level_label(value: object) -> str:
    """A level as R's ``factor()`` prints it (TRUE/FALSE, integral numbers without .0)."""
    if isinstance(value, (bool, np.bool_)):
        return "TRUE" if value else "FALSE"
    if isinstance(value, (float, np.floating)) and float(value).is_integer():
        return str(int(value))
    return str(value)


def _is_categorical(series: pd.Series, forced: bool) -> bool:
    if forced:
        return True
    dtype = series.dtype
    return (
        isinstance(dtype, pd.CategoricalDtype)
        or not pd.api.types.is_numeric_dtype(dtype)
        or pd.api.types.is_bool_dtype(dtype)
    )


def _levels(series: pd.Series) -> list[object]:
    """Levels present in a categorical moderator, in R's ``factor()`` order."""
    present = series.dropna()
    if isinstance(series.dtype, pd.CategoricalDtype):
        used = set(present.astype(object))
        return [c for c in series.cat.categories if c in used]
    values = list(pd.unique(present.astype(object)))
    if all(isinstance(v, (int, float, np.integer, np.floating)) for v in values):
        return sorted(values)  # numbers (and booleans) in numeric order, as factor() does
    return sorted(values, key=str)


def _moderator_frame(
    moderators: Moderators | np.ndarray | Sequence[object], k: int
) -> pd.DataFrame:
    """The moderators as a DataFrame with one row per study (ValueError on a bad shape)."""
    if isinstance(moderators, pd.DataFrame):
        frame = moderators.reset_index(drop=True)
    elif isinstance(moderators, Mapping):
        frame = _mapping_frame(moderators, k)
    else:
        array = np.asarray(moderators)
        if array.ndim == 1:
            array = array[:, None]
        if array.ndim != 2:
            raise ValueError(f"moderators must be 1- or 2-dimensional; got shape {array.shape}")
        names = (
            ["mods"] if array.shape[1] == 1 else [f"mods{j + 1}" for j in range(array.shape[1])]
        )
        frame = pd.DataFrame(array, columns=names)
    if len(frame) != k:
        raise ValueError(f"moderators must have one row per study ({k}); got {len(frame)}")
    if frame.shape[1] == 0:
        raise ValueError("moderators is empty; use evsum.stats.pooling.pool for no moderator")
    if len(set(map(str, frame.columns))) != frame.shape[1]:
        raise ValueError(f"moderator names must be unique; got {list(frame.columns)}")
    frame.columns = [str(c) for c in frame.columns]
    return frame


def _mapping_frame(moderators: Mapping[str, Any], k: int) -> pd.DataFrame:
    """A DataFrame of moderators given as name -> one value per study."""
    if not moderators:
        raise ValueError("moderators is empty; use evsum.stats.pooling.pool for no moderator")
    columns = {}
    for name, values in moderators.items():
        if not isinstance(name, str) or not name:
            raise ValueError(f"moderator names must be non-empty strings; got {name!r}")
        if np.ndim(values) == 0:
            raise ValueError(
                f"moderator {name!r} must have one value per study; got a scalar {values!r}"
            )
        columns[name] = values.reset_index(drop=True) if isinstance(values, pd.Series) else values
    bad = {name: len(values) for name, values in columns.items() if len(values) != k}
    if bad:
        raise ValueError(f"each moderator must have one value per study ({k}); got lengths {bad}")
    return pd.DataFrame(columns)


def _terms(
    frame: pd.DataFrame, categorical: Sequence[str], keep: np.ndarray, intercept: bool
) -> tuple[list[ModeratorTerm], list[np.ndarray]]:
    """Moderator terms and their design columns (rows in ``keep`` only).

    As R's ``model.matrix``: a categorical term is coded against its first level, except
    the first categorical term of a model without an intercept, which gets a column for
    every level.
    """
    unknown = sorted(set(categorical) - set(frame.columns))
    if unknown:
        raise ValueError(
            f"categorical names moderators that are not given: {unknown}; "
            f"the moderators are {list(frame.columns)}"
        )
    terms, blocks = [], []
    full = not intercept  # the next categorical term gets a column per level
    for name in frame.columns:
        column = frame[name][keep].reset_index(drop=True)
        if _is_categorical(column, name in categorical):
            levels = _levels(column)
            labels = [_level_label(v) for v in levels]
            if len(levels) < 2:
                raise ValueError(
                    f"categorical moderator {name!r} has a single level {labels} among the "
                    "studies fitted; it cannot explain any difference between them"
                )
            values = column.astype(object).to_numpy()
            first = 0 if full else 1
            full = False
            dummies = np.column_stack([values == level for level in levels[first:]])
            terms.append(
                ModeratorTerm(
                    name=name,
                    kind="categorical",
                    levels=tuple(labels),
                    columns=tuple(f"{name}{label}" for label in labels[first:]),
                )
            )
            blocks.append(dummies.astype(float))
        else:
            values = column.to_numpy(dtype=float)
            if not np.isfinite(values).all():
                i = int(np.flatnonzero(~np.isfinite(values))[0])
                raise ValueError(f"moderator {name!r} must be finite; got {values[i]!r}")
            terms.append(ModeratorTerm(name=name, kind="numeric", columns=(name,)))
            blocks.append(values[:, None])
    return terms, blocks


def _missing_moderators(frame: pd.DataFrame) -> list[list[str]]:
    """Per row, the names of the moderators with a missing value (a list, maybe empty)."""
    missing = frame.isna().to_numpy()
    names = list(frame.columns)
    return [[n for n, m in zip(names, row, strict=True) if m] for row in missing]


def _check_rank(x: np.ndarray, names: Sequence[str]) -> None:
    """ValueError if the design matrix is not of full column rank, naming a redundant column."""
    norms = np.sqrt((x**2).sum(axis=0))
    scaled = x / np.where(norms > 0, norms, 1.0)
    for j in range(x.shape[1]):
        if norms[j] == 0:
            raise ValueError(
                f"the design matrix is not of full rank: column {names[j]!r} is zero for every "
                "study fitted"
            )
        sv = np.linalg.svd(scaled[:, : j + 1], compute_uv=False)
        if sv[-1] <= EVTOL * sv[0]:
            raise ValueError(
                f"the design matrix is not of full rank: column {names[j]!r} is a linear "
                f"combination of {list(names[:j])} among the studies fitted (collinear "
                "moderators, or a level that only occurs with another moderator's level)"
            )
    eigen = np.linalg.eigvalsh(x.T @ x)
    if eigen.min() <= EVTOL:
        raise ValueError(
            "the design matrix is numerically not of full rank (an eigenvalue of X'X is "
            f"at most {EVTOL:g}; metafor refuses it too): rescale the moderators"
        )


# ---------------------------------------------------------------------------------------------
# The fit
# ---------------------------------------------------------------------------------------------


def _wls(x: np.ndarray, w: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Weighted least squares: coefficients and (X'WX)^-1, by QR of sqrt(W) X."""
    r = np.linalg.qr(np.sqrt(w)[:, None] * x, mode="r")
    rinv = np.linalg.inv(r)  # p x p upper triangular
    xtwx_inv = rinv @ rinv.T
    return xtwx_inv @ (x.T @ (w * y)), xtwx_inv


def _p_matrix(x: np.ndarray, w: np.ndarray) -> np.ndarray:
    """P = W - W X (X'WX)^-1 X' W (symmetric), by QR of sqrt(W) X."""
    sw = np.sqrt(w)
    q, _ = np.linalg.qr(sw[:, None] * x)
    return sw[:, None] * (np.eye(len(w)) - q @ q.T) * sw[None, :]


def _quad(p: np.ndarray, y: np.ndarray) -> float:
    return float(y @ p @ y)


def _loglik(x: np.ndarray, ymc: np.ndarray, v: np.ndarray, tau2: float, reml: bool) -> float:
    """(Restricted) log-likelihood at τ², up to a constant that does not depend on τ²."""
    w = 1.0 / (v + tau2)
    beta, xtwx_inv = _wls(x, w, ymc)
    rss = float((w * (ymc - x @ beta) ** 2).sum())
    ll = -0.5 * float(np.log(v + tau2).sum()) - 0.5 * rss
    if reml:  # -1/2 log det(X'WX) = +1/2 log det((X'WX)^-1)
        ll += 0.5 * float(np.linalg.slogdet(xtwx_inv)[1])
    return ll


@dataclass(frozen=True)
class _Tau2:
    tau2: float
    se: float
    converged: bool
    ll0_reset: bool


def _mad(y: np.ndarray) -> float:
    """R's ``mad()``: 1.4826 times the median absolute deviation from the median."""
    return float(1.4826 * np.median(np.abs(y - np.median(y))))


def _tau2(y: np.ndarray, v: np.ndarray, x: np.ndarray, method: str) -> _Tau2:
    """Residual τ² with its standard error for ``method`` (metafor 3.8 ``rma.uni``)."""
    k, p = x.shape
    ymc = y - y.mean()
    if method == "FE":
        return _Tau2(0.0, np.nan, True, False)
    if method == "DL":
        pm = _p_matrix(x, 1.0 / v)
        tr_p = float(np.trace(pm))
        tau2 = max(0.0, (_quad(pm, ymc) - (k - p)) / tr_p)
        se = np.sqrt(2 * (k - p) + 4 * tau2 * tr_p + 2 * tau2**2 * float((pm * pm).sum())) / tr_p
        return _Tau2(tau2, float(se), True, False)
    if method == "PM":
        return _paule_mandel(ymc, v, x)
    return _fisher_scoring(ymc, v, x, method)


def _paule_mandel(ymc: np.ndarray, v: np.ndarray, x: np.ndarray) -> _Tau2:
    k, p = x.shape
    target = float(k - p)

    def f(t: np.ndarray) -> np.ndarray:
        return np.array([_quad(_p_matrix(x, 1.0 / (v + t[0])), ymc) - target])

    upper = max(TAU2_MAX, 10 * _mad(ymc) ** 2)
    lo, hi = np.array([0.0]), np.array([upper])
    f_lo, f_hi = f(lo), f(hi)
    if f_lo[0] < 0:
        tau2 = 0.0
    elif f_hi[0] > 0:
        return _Tau2(np.nan, np.nan, False, False)
    else:
        root, found = zeroin(f, lo, hi, f_lo, f_hi, np.array([True]))
        if not found[0]:
            return _Tau2(np.nan, np.nan, False, False)
        tau2 = max(0.0, float(root[0]))
    w = 1.0 / (v + tau2)
    se = np.sqrt(2 * k**2 / (k - p)) / w.sum()
    return _Tau2(tau2, float(se), True, False)


def _fisher_scoring(ymc: np.ndarray, v: np.ndarray, x: np.ndarray, method: str) -> _Tau2:
    k, p = x.shape
    p_ols = _p_matrix(x, np.ones(k))
    he = (_quad(p_ols, ymc) - float((np.diag(p_ols) * v).sum())) / (k - p)
    tau2 = max(0.0, he)
    converged = False
    for iteration in range(1, MAXITER + 2):
        w = 1.0 / (v + tau2)
        pm = _p_matrix(x, w)
        ppy = pm @ (pm @ ymc)
        if method == "REML":
            adj = (float(ymc @ ppy) - float(np.trace(pm))) / float((pm * pm).sum())
        else:
            adj = (float(ymc @ ppy) - float(w.sum())) / float((w**2).sum())
        if not np.isfinite(adj):
            adj = 0.0
        while tau2 + adj < 0:
            adj /= 2
        old, tau2 = tau2, tau2 + adj
        if abs(old - tau2) <= THRESHOLD:
            converged = True
            break
        if iteration > MAXITER:
            break
    if not converged:
        return _Tau2(np.nan, np.nan, False, False)
    reml = method == "REML"
    reset = False
    if tau2 > THRESHOLD and _loglik(x, ymc, v, 0.0, reml) - _loglik(x, ymc, v, tau2, reml) > TOL:
        tau2, reset = 0.0, True
    w = 1.0 / (v + tau2)
    if reml:
        pm = _p_matrix(x, w)
        se = np.sqrt(2 / float((pm * pm).sum()))
    else:
        se = np.sqrt(2 / float((w**2).sum()))
    return _Tau2(tau2, float(se), True, reset)


def _r2(
    y: np.ndarray, v: np.ndarray, x: np.ndarray, method: str, tau2: float
) -> tuple[float, str | None]:
    """metafor's pseudo R² (percent) and a note when it cannot be computed."""
    k, p = x.shape
    if method == "FE":
        if np.var(y) == 0:
            return 0.0, None
        w = 1.0 / v
        beta, _ = _wls(x, w, y)
        fitted = x @ beta
        mean = (w * fitted).sum() / w.sum()
        mss = float((w * (fitted - mean) ** 2).sum())
        rss = float((w * (y - fitted) ** 2).sum())
        if k - p <= 0:
            return np.nan, None
        adj = 1 - (1 - mss / (mss + rss)) * (k - 1) / (k - p)
        return max(0.0, 100 * adj), None
    fit0 = estimate_tau2(Grouped(y, v, np.zeros(k, dtype=np.intp), 1), method)
    if not fit0.converged[0]:
        return np.nan, (
            "R² is not available: the τ² of the model without moderators could not be estimated."
        )
    tau2_re = float(fit0.tau2[0])
    if tau2_re == 0:
        return 0.0, None
    return max(0.0, 100 * (tau2_re - tau2) / tau2_re), None


def _btt(
    btt: Sequence[str | int] | str | int | None,
    names: list[str],
    terms: Sequence[ModeratorTerm],
    intercept: bool,
) -> tuple[int, ...]:
    """0-based positions of the coefficients the omnibus test covers."""
    p = len(names)
    if btt is None:
        return tuple(range(1 if intercept and p > 1 else 0, p))
    items = [btt] if isinstance(btt, (str, int)) else list(btt)
    by_term = {t.name: t.columns for t in terms}
    out: set[int] = set()
    for item in items:
        if isinstance(item, (int, np.integer)) and not isinstance(item, bool):
            if not 0 <= item < p:
                raise ValueError(f"btt position {item} is out of range 0..{p - 1}")
            out.add(int(item))
        elif item in names:
            out.add(names.index(item))
        elif item in by_term:
            out.update(names.index(c) for c in by_term[item])
        else:
            raise ValueError(
                f"btt names no coefficient or moderator: {item!r}; coefficients are {names}"
            )
    return tuple(sorted(out))


@dataclass(frozen=True)
class _Coefficients:
    """Coefficients of a fit at a given τ², their covariance and the omnibus statistic."""

    beta: np.ndarray
    vb: np.ndarray
    zval: np.ndarray
    qm: float  # χ², or F (= QM / m) under Knapp-Hartung
    df: float  # k - p under Knapp-Hartung, else NaN
    w: np.ndarray  # 1 / (v + τ²)


def _coefficients(
    y: np.ndarray, v: np.ndarray, x: np.ndarray, tau2: float, test: str, btt: tuple[int, ...]
) -> _Coefficients:
    """Weighted least squares at τ², with metafor's Knapp-Hartung factor, and QM."""
    k, p = x.shape
    w = 1.0 / (v + tau2)
    beta, vb = _wls(x, w, y)
    knha = test in ("knha", "adhoc")
    if knha:
        rss = float((w * (y - x @ beta) ** 2).sum())
        s2w = 0.0 if rss <= np.finfo(float).eps else rss / (k - p) if k > p else np.nan
        if test == "adhoc":
            s2w = max(1.0, s2w)
        vb = s2w * vb
    with np.errstate(divide="ignore", invalid="ignore"):
        zval = beta / np.sqrt(np.diag(vb))
    idx = np.array(btt, dtype=np.intp)
    try:
        qm = float(beta[idx] @ np.linalg.solve(vb[np.ix_(idx, idx)], beta[idx]))
    except np.linalg.LinAlgError:
        qm = np.nan
    return _Coefficients(
        beta=beta,
        vb=vb,
        zval=zval,
        qm=qm / len(btt) if knha else qm,
        df=float(k - p) if knha else np.nan,
        w=w,
    )


@dataclass(frozen=True)
class _Heterogeneity:
    q: float
    q_pval: float
    i2: float
    h2: float


def _heterogeneity(
    y: np.ndarray, v: np.ndarray, x: np.ndarray, method: str, tau2: float
) -> _Heterogeneity:
    """QE (weights 1/v), its p-value, and the residual I² and H² as metafor computes them."""
    k, p = x.shape
    if k <= p:
        return _Heterogeneity(0.0, 1.0, 0.0, 1.0)
    pm = _p_matrix(x, 1.0 / v)
    q = max(0.0, _quad(pm, y - y.mean()))
    if method == "FE":
        i2 = max(0.0, 100 * (q - (k - p)) / q) if q > 0 else 0.0
        h2 = q / (k - p)
    else:
        vt = (k - p) / float(np.trace(pm))  # typical within-study variance
        i2 = 100 * tau2 / (vt + tau2)
        h2 = tau2 / vt + 1
    return _Heterogeneity(q, float(stats.chi2.sf(q, k - p)), float(i2), float(h2))


def _fit_arrays(
    y: np.ndarray,
    v: np.ndarray,
    x: np.ndarray,
    method: str,
    test: str,
    btt: tuple[int, ...],
) -> tuple[_Tau2, _Coefficients] | None:
    """τ² and the coefficients of one design; None if τ² could not be estimated."""
    t2 = _tau2(y, v, x, method)
    if not t2.converged:
        return None
    return t2, _coefficients(y, v, x, t2.tau2, test, btt)


def _inference(
    coefs: _Coefficients, alpha: float, m: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
    """Two-sided p-values, confidence limits and the omnibus p-value (z/χ², or t/F)."""
    se = np.sqrt(np.diag(coefs.vb))
    df = coefs.df
    if np.isnan(df):  # z tests
        pval = 2 * stats.norm.sf(np.abs(coefs.zval))
        crit = stats.norm.isf(alpha / 2)
        qm_pval = float(stats.chi2.sf(coefs.qm, m))
    elif df > 0:
        pval = 2 * stats.t.sf(np.abs(coefs.zval), df)
        crit = stats.t.isf(alpha / 2, df)
        qm_pval = float(stats.f.sf(coefs.qm, m, df))
    else:  # no residual df: metafor gives NA
        pval = np.full(len(se), np.nan)
        crit = qm_pval = np.nan
    return np.asarray(pval, dtype=float), coefs.beta - crit * se, coefs.beta + crit * se, qm_pval


def _check_args(method: str, test: str, alpha: float, measure: str | None) -> str:
    method = METHOD_ALIASES.get(method, method)
    if method not in METHODS:
        raise ValueError(f"method must be one of {sorted(METHODS + ('EE',))}; got {method!r}")
    if test not in REGRESSION_TESTS:
        raise ValueError(f"test must be one of {sorted(REGRESSION_TESTS)}; got {test!r}")
    if not 0 < alpha < 1:
        raise ValueError(f"alpha must be between 0 and 1; got {alpha!r}")
    if measure is not None and measure not in REPORTED_MEASURES:
        raise ValueError(
            f"measure must be one of {sorted(REPORTED_MEASURES)} or None; got {measure!r}"
        )
    return method


def meta_regression(
    yi: Sequence[float] | np.ndarray,
    vi: Sequence[float] | np.ndarray,
    moderators: Moderators | np.ndarray | Sequence[float],
    *,
    method: str = "REML",
    test: str = "z",
    categorical: Sequence[str] = (),
    intercept: bool = True,
    btt: Sequence[str | int] | str | int | None = None,
    measure: str | None = None,
    labels: Sequence[str] | None = None,
    alpha: float = 0.05,
    warn: bool = True,
) -> MetaRegressionResult:
    r"""Fit a (mixed-effects) meta-regression of effect sizes on study-level moderators.

    Parameters
    ----------
    yi, vi : array_like
        Study effect sizes (log scale for ratio measures) and sampling variances (> 0).
    moderators : mapping, DataFrame or array_like
        One value per study for each moderator: a mapping or DataFrame of named columns, or
        a numeric array (columns named ``mods``, ``mods1``, ``mods2``...). A column of
        strings, booleans or a pandas ``Categorical`` is categorical: dummy-coded against
        its first level, as R's ``factor()`` (levels sorted: numbers numerically, strings by
        code point, where R uses the locale's collation; a ``Categorical`` keeps its
        categories' order; levels absent from the studies fitted are dropped). Without an
        intercept the first categorical moderator gets a column for every level, as in R.
        Studies with a missing moderator, effect or variance are left out (``excluded``).
    method : {"REML", "DL", "PM", "ML", "FE"}
        Residual τ² estimator (``"EE"`` is an alias of ``"FE"``).
    test : {"z", "knha", "adhoc"}
        ``"z"``: normal tests of the coefficients and a χ² omnibus test; ``"knha"``:
        Knapp-Hartung, t on k - p df and an F test; ``"adhoc"``: the same with the
        variance factor never below 1.
    categorical : sequence of str
        Moderators to treat as categorical although numeric (e.g. coded 1, 2, 3).
    intercept : bool
        Include an intercept (default, as metafor).
    btt : str, int or sequence, optional
        Coefficients of the omnibus test QM: names, 0-based positions, or moderator names
        (all columns of the term). Default: every coefficient but the intercept.
    measure : str, optional
        Effect measure code, recorded in the result.
    labels : sequence of str, optional
        Study labels; default ``"Study 1"``, ``"Study 2"``, ...
    alpha : float
        1 - confidence level.
    warn : bool
        Issue each caveat as a warning too (default); they are always in ``notes``.

    Returns
    -------
    MetaRegressionResult
        Coefficients (estimate, se, z or t, p, CI), τ² and its SE, QM (χ² or F) with df
        and p, QE with df and p, R², residual I² and H², weights and the design.

    Raises
    ------
    ValueError
        Unknown method or test, mismatched lengths, ``vi <= 0``, a categorical moderator
        with one level, a design matrix not of full rank (collinear moderators), or too few
        studies: at least p (FE) or p + 1 (other methods) studies for p coefficients.
    EvsumError
        The τ² algorithm did not converge (metafor stops with an error too).

    Warns
    -----
    EvsumWarning
        Studies left out for missing values; τ² truncated at 0; Knapp-Hartung with FE.
    SmallKWarning
        Fewer than 10 studies per moderator coefficient.

    Notes
    -----
    With :math:`W = diag(1/(v_i + \hat\tau^2))`,
    :math:`\hat\beta = (X'WX)^{-1}X'Wy` with variance :math:`(X'WX)^{-1}`, multiplied
    under Knapp-Hartung by :math:`s^2 = \sum w_i (y_i - x_i'\hat\beta)^2/(k - p)`.
    :math:`Q_M = \hat\beta_b' V_b^{-1} \hat\beta_b` (χ² on m df; F = Q_M/m on m and
    k - p df under Knapp-Hartung); :math:`Q_E = y'P_0y` with :math:`W_0 = diag(1/v_i)` on
    k - p df. Residual :math:`I^2 = 100\hat\tau^2/(\hat\tau^2 + s^2)`, :math:`H^2 =
    \hat\tau^2/s^2 + 1`, :math:`s^2 = (k - p)/tr(P_0)`; for FE
    :math:`I^2 = 100 (Q_E - (k - p))/Q_E`, :math:`H^2 = Q_E/(k - p)`.
    :math:`R^2 = 100 \max(0, (\hat\tau^2_0 - \hat\tau^2)/\hat\tau^2_0)` with
    :math:`\hat\tau^2_0` from the model without moderators (0 if
    :math:`\hat\tau^2_0 = 0`). The τ² algorithms are described in the module docstring.

    Checked against metafor 3.8 ``rma(yi, vi, mods = ~ ..., method=, test=)`` for every
    method and test on ``dat.bcg`` (absolute latitude, allocation, both) and generated data
    with numeric and categorical moderators, missing values, ``btt`` and models without an
    intercept (tests/reference/regression.json).

    References
    ----------
    Viechtbauer W (2010). Conducting meta-analyses in R with the metafor package. Journal of
    Statistical Software 36(3). Knapp G, Hartung J (2003). Improved tests for a random
    effects meta-regression with a single covariate. Statistics in Medicine 22:2693-2710.
    Raudenbush SW (2009). Analyzing effect sizes: random-effects models. In: The Handbook of
    Research Synthesis and Meta-Analysis, 2nd ed.

    Examples
    --------
    >>> res = meta_regression([0.1, 0.3, 0.35, 0.6, 0.8], [0.01, 0.02, 0.015, 0.01, 0.02],
    ...                       {"dose": [1, 2, 3, 4, 5]}, method="FE", warn=False)
    >>> res.names
    ('intrcpt', 'dose')
    >>> round(res.estimate[1], 4)  # metafor: rma(yi, vi, mods = ~ dose, method="FE")
    0.1685
    """
    method = _check_args(method, test, alpha, measure)
    data = _prepare(yi, vi, moderators, labels, categorical, intercept)
    y, v, x, coef_names, terms = data.y, data.v, data.x, data.names, data.terms
    k, p = x.shape
    needed = p if method == "FE" else p + 1
    if k < needed:
        raise ValueError(
            f"a meta-regression with {p} coefficients ({', '.join(coef_names)}) needs at "
            f"least {needed} studies with method={method!r}"
            + ("" if method == "FE" else " (τ² is estimated too)")
            + f"; got {k}"
            + (f" ({len(data.excluded)} left out for missing values)" if data.excluded else "")
        )
    _check_rank(x, coef_names)
    tested = _btt(btt, coef_names, terms, intercept)
    fit = _fit_arrays(y, v, x, method, test, tested)
    if fit is None:
        raise EvsumError(
            f"{method} estimation of the residual τ² did not converge in 100 Fisher scoring "
            "steps (metafor 3.8 stops with the same error); use method='PM' or 'DL'"
            if method in ("REML", "ML")
            else f"{method} estimation of the residual τ² found no root in [0, tau2_max] "
            "(metafor stops too)"
        )
    t2, coefs = fit
    pval, ci_low, ci_high, qm_pval = _inference(coefs, alpha, len(tested))
    het = _heterogeneity(y, v, x, method, t2.tau2)
    r2, r2_note = _r2(y, v, x, method, t2.tau2) if intercept and p > 1 else (np.nan, None)
    notes = _notes(method, test, k, p, intercept, t2, data.excluded, r2_note)
    for category, note in notes if warn else ():
        warnings.warn(note, category, stacklevel=2)
    return MetaRegressionResult(
        measure=measure,
        method=method,
        test=test,
        alpha=alpha,
        k=k,
        p=p,
        intercept=intercept,
        terms=tuple(terms),
        names=tuple(coef_names),
        estimate=_tuple(coefs.beta),
        se=_tuple(np.sqrt(np.diag(coefs.vb))),
        zval=_tuple(coefs.zval),
        pval=_tuple(pval),
        ci_low=_tuple(ci_low),
        ci_high=_tuple(ci_high),
        vcov=tuple(_tuple(row) for row in coefs.vb),
        df=coefs.df,
        tau2=float(t2.tau2),
        tau2_se=float(t2.se),
        i2=het.i2,
        h2=het.h2,
        r2=float(r2),
        qm=coefs.qm,
        qm_df=len(tested),
        qm_df2=coefs.df,
        qm_pval=qm_pval,
        btt=tested,
        q=het.q,
        q_df=k - p,
        q_pval=het.q_pval,
        yi=_tuple(y),
        vi=_tuple(v),
        x=tuple(_tuple(row) for row in x),
        weights=_tuple(100 * coefs.w / coefs.w.sum()),
        labels=tuple(data.labels),
        excluded=tuple(data.excluded),
        notes=tuple(note for _, note in notes),
    )


@dataclass(frozen=True)
class _Data:
    """The studies fitted: effects, variances, design, names; the studies left out."""

    y: np.ndarray
    v: np.ndarray
    x: np.ndarray
    names: list[str]
    terms: list[ModeratorTerm]
    labels: list[str]
    excluded: list[tuple[str, str]]


def _prepare(
    yi: Sequence[float] | np.ndarray,
    vi: Sequence[float] | np.ndarray,
    moderators: Moderators | np.ndarray | Sequence[float],
    labels: Sequence[str] | None,
    categorical: Sequence[str],
    intercept: bool,
) -> _Data:
    """Check the inputs, leave out studies with a missing value, build the design matrix."""
    y = np.asarray(yi, dtype=float).ravel()
    v = np.asarray(vi, dtype=float).ravel()
    if len(y) != len(v):
        raise ValueError(f"yi and vi must have the same length; got {len(y)} and {len(v)}")
    k_all = len(y)
    names = [f"Study {i + 1}" for i in range(k_all)] if labels is None else list(labels)
    if len(names) != k_all:
        raise ValueError(f"labels must have one entry per study; got {len(names)} for {k_all}")
    names = [str(n) for n in names]
    frame = _moderator_frame(moderators, k_all)
    missing_yv = np.isnan(y) | np.isnan(v)
    bad = np.flatnonzero(~missing_yv & ~(v > 0))
    if len(bad):
        raise ValueError(f"vi must be > 0 and finite; got vi[{bad[0]}] = {v[bad[0]]!r}")
    if not np.isfinite(y[~missing_yv]).all():
        i = np.flatnonzero(~missing_yv & ~np.isfinite(y))[0]
        raise ValueError(f"yi must be finite; got yi[{i}] = {y[i]!r}")
    missing_mods = _missing_moderators(frame)
    keep = ~missing_yv & np.array([not m for m in missing_mods], dtype=bool)
    excluded = []
    for i in np.flatnonzero(~keep):
        what = (["effect size or variance"] if missing_yv[i] else []) + [
            f"moderator {m!r}" for m in missing_mods[i]
        ]
        excluded.append((names[i], "missing " + " and ".join(what)))
    if not keep.any():
        raise ValueError("no study with an effect size, a variance and every moderator")
    terms, blocks = _terms(frame, categorical, keep, intercept)
    k = int(keep.sum())
    x = np.hstack(([np.ones((k, 1))] if intercept else []) + blocks)
    coef_names = ([INTERCEPT] if intercept else []) + [c for t in terms for c in t.columns]
    return _Data(
        y=y[keep],
        v=v[keep],
        x=x,
        names=coef_names,
        terms=terms,
        labels=[n for n, kept in zip(names, keep, strict=True) if kept],
        excluded=excluded,
    )


def _tuple(a: np.ndarray) -> tuple[float, ...]:
    return tuple(float(x) for x in np.asarray(a, dtype=float).ravel())


def _notes(
    method: str,
    test: str,
    k: int,
    p: int,
    intercept: bool,
    t2: _Tau2,
    excluded: list[tuple[str, str]],
    r2_note: str | None,
) -> list[tuple[type[EvsumWarning], str]]:
    notes: list[tuple[type[EvsumWarning], str]] = []
    if excluded:
        n = len(excluded)
        notes.append(
            (
                EvsumWarning,
                f"{n} {'study' if n == 1 else 'studies'} with a missing effect size, variance "
                "or moderator left out of the meta-regression.",
            )
        )
    slopes = p - (1 if intercept else 0)
    if slopes and k < MIN_STUDIES_PER_COEFFICIENT * slopes:
        notes.append(
            (
                SmallKWarning,
                f"Only {k} studies for {slopes} moderator "
                f"{'coefficient' if slopes == 1 else 'coefficients'}: with fewer than "
                f"{MIN_STUDIES_PER_COEFFICIENT} studies per coefficient a meta-regression "
                "has little power and can mislead.",
            )
        )
    if method == "FE" and test in ("knha", "adhoc"):
        notes.append(
            (
                EvsumWarning,
                "The Knapp-Hartung adjustment is not meant for common-effect models "
                "(metafor warns the same).",
            )
        )
    if method != "FE" and t2.tau2 == 0:
        why = (
            "metafor's ll0check found a higher likelihood at 0"
            if t2.ll0_reset
            else "the estimate was at or below 0"
        )
        notes.append(
            (
                EvsumWarning,
                f"Residual τ² truncated at 0 ({why}): the moderators account for all the "
                "heterogeneity the model can detect.",
            )
        )
    if r2_note:
        notes.append((EvsumWarning, r2_note))
    return notes


# ---------------------------------------------------------------------------------------------
# Predictions
# ---------------------------------------------------------------------------------------------

NewMods: TypeAlias = Mapping[str, object] | pd.DataFrame | np.ndarray | Sequence[float] | float


def _coded(term: ModeratorTerm) -> tuple[str, ...]:
    """The levels of a categorical term that have a column (all, or all but the first)."""
    return term.levels if len(term.columns) == len(term.levels) else term.levels[1:]


def _new_design(result: MetaRegressionResult, newmods: NewMods) -> np.ndarray:
    """Design rows (with the intercept column) for ``newmods``."""
    if isinstance(newmods, pd.DataFrame):
        x_new = _named_design(result, {str(c): newmods[c].to_numpy() for c in newmods.columns})
    elif isinstance(newmods, Mapping):
        x_new = _named_design(result, newmods)
    else:
        x_new = _array_design(result, newmods)
    if result.intercept:
        x_new = np.hstack([np.ones((x_new.shape[0], 1)), x_new])
    return x_new


def _named_design(result: MetaRegressionResult, newmods: Mapping[str, object]) -> np.ndarray:
    """Design columns (no intercept) from moderator values given by name."""
    known = [t.name for t in result.terms]
    unknown = sorted(set(map(str, newmods)) - set(known))
    absent = [n for n in known if n not in newmods]
    if unknown or absent:
        problems = ([f"unknown {unknown}"] if unknown else []) + (
            [f"missing {absent}"] if absent else []
        )
        raise ValueError(
            f"newmods must give a value for each moderator of the model {known}; "
            + "; ".join(problems)
        )
    values = {n: np.atleast_1d(np.asarray(newmods[n], dtype=object)) for n in known}
    lengths = {n: len(a) for n, a in values.items()}
    n_new = max(lengths.values())
    if any(length not in (1, n_new) for length in lengths.values()):
        raise ValueError(f"newmods values must have one length (or be scalars); got {lengths}")
    blocks = []
    for term in result.terms:
        vals = values[term.name]
        vals = np.repeat(vals, n_new) if len(vals) == 1 else vals
        blocks.append(_term_columns(term, vals))
    return np.hstack(blocks)


def _term_columns(term: ModeratorTerm, vals: np.ndarray) -> np.ndarray:
    """The design columns of one term at new values (ValueError on a bad value)."""
    if term.kind == "numeric":
        try:
            col = vals.astype(float)
        except (TypeError, ValueError) as err:
            raise ValueError(f"newmods[{term.name!r}] must be numeric; got {list(vals)}") from err
        if not np.isfinite(col).all():
            raise ValueError(f"newmods[{term.name!r}] must be finite; got {list(vals)}")
        return col[:, None]
    labels = [_level_label(val) for val in vals]
    bad = [lab for lab in labels if lab not in term.levels]
    if bad:
        raise ValueError(
            f"newmods[{term.name!r}]: unknown level(s) {bad}; the levels are {list(term.levels)}"
        )
    return np.column_stack([[lab == level for lab in labels] for level in _coded(term)]).astype(
        float
    )


def _array_design(result: MetaRegressionResult, newmods: object) -> np.ndarray:
    """Design columns (no intercept) from an array, as metafor's ``newmods``."""
    p_mods = result.p - (1 if result.intercept else 0)
    array = np.asarray(newmods, dtype=float)
    if array.ndim == 0:
        array = array.reshape(1, 1)
    elif array.ndim == 1:
        array = array[:, None] if p_mods == 1 else array[None, :]
    if array.ndim != 2 or array.shape[1] != p_mods:
        columns = list(result.names[1:] if result.intercept else result.names)
        raise ValueError(
            f"newmods must have {p_mods} columns (the coefficients {columns}); got shape "
            f"{np.asarray(newmods).shape}"
        )
    return array


def predict(
    result: MetaRegressionResult,
    newmods: NewMods | None = None,
    *,
    transf: str | Callable[[np.ndarray], np.ndarray] | None = None,
) -> PredictionResult:
    r"""Predicted effect at given moderator values, with confidence and prediction intervals.

    Parameters
    ----------
    result : MetaRegressionResult
        A fit of :func:`meta_regression`.
    newmods : mapping, DataFrame or array_like, optional
        Moderator values to predict at. A mapping or DataFrame gives each moderator of the
        model by name (numbers for numeric moderators, level labels for categorical ones;
        scalars are repeated). An array gives the design columns without the intercept, as
        metafor's ``newmods`` (one column per non-intercept coefficient; a 1-D array is one
        value per prediction when the model has one such coefficient, otherwise one row).
        None: the fitted values of the studies.
    transf : "exp" or callable, optional
        Transformation of the estimate and the interval bounds (``"exp"`` for ratio
        measures); ``se`` is then NaN and each interval's bounds are put in increasing order,
        as metafor's ``transf``.

    Returns
    -------
    PredictionResult
        Estimate, se, confidence and prediction intervals (NaN for FE, as metafor).

    Raises
    ------
    ValueError
        A moderator is missing or unknown, an unknown level, or a wrong number of columns.

    Notes
    -----
    :math:`\hat y = x'\hat\beta`, :math:`SE = \sqrt{x'Vx}`, CI :math:`\hat y \pm c\,SE` and
    prediction interval :math:`\hat y \pm c\sqrt{SE^2 + \hat\tau^2}`, with c the normal
    quantile, or the t quantile on k - p df under Knapp-Hartung.

    Checked against metafor 3.8 ``predict(fit, newmods=)`` (tests/reference/regression.json).

    Examples
    --------
    >>> res = meta_regression([0.1, 0.3, 0.35, 0.6, 0.8], [0.01, 0.02, 0.015, 0.01, 0.02],
    ...                       {"dose": [1, 2, 3, 4, 5]}, method="FE", warn=False)
    >>> round(predict(res, {"dose": 3}).estimate[0], 4)
    0.4275
    """
    if not isinstance(result, MetaRegressionResult):
        raise TypeError(f"result must be a MetaRegressionResult; got {type(result).__name__}")
    x_new = np.asarray(result.x) if newmods is None else _new_design(result, newmods)
    beta = np.asarray(result.estimate)
    vb = np.asarray(result.vcov)
    pred = x_new @ beta
    vpred = np.einsum("ij,jk,ik->i", x_new, vb, x_new)
    vpred = np.where(vpred < 0, np.nan, vpred)
    se = np.sqrt(vpred)
    if result.test in ("knha", "adhoc"):
        crit = stats.t.isf(result.alpha / 2, result.df) if result.df > 0 else np.nan
    else:
        crit = stats.norm.isf(result.alpha / 2)
    ci_low, ci_high = pred - crit * se, pred + crit * se
    if result.method == "FE":
        pi_low = pi_high = np.full(len(pred), np.nan)
    else:
        half = crit * np.sqrt(vpred + result.tau2)
        pi_low, pi_high = pred - half, pred + half
    transformed = transf is not None
    if transformed:
        if callable(transf):
            func: Callable[[np.ndarray], np.ndarray] = transf
        elif transf == "exp":
            func = np.exp
        else:
            raise ValueError(f"transf must be 'exp' or a callable; got {transf!r}")
        pred = np.asarray(func(pred), dtype=float)
        se = np.full(len(pred), np.nan)
        lo, hi = np.asarray(func(ci_low), dtype=float), np.asarray(func(ci_high), dtype=float)
        ci_low, ci_high = np.fmin(lo, hi), np.fmax(lo, hi)
        lo, hi = np.asarray(func(pi_low), dtype=float), np.asarray(func(pi_high), dtype=float)
        pi_low, pi_high = np.fmin(lo, hi), np.fmax(lo, hi)
        if result.method == "FE":
            pi_low = pi_high = np.full(len(pred), np.nan)
    return PredictionResult(
        x=tuple(_tuple(row) for row in x_new),
        estimate=_tuple(pred),
        se=_tuple(se),
        ci_low=_tuple(ci_low),
        ci_high=_tuple(ci_high),
        pi_low=_tuple(pi_low),
        pi_high=_tuple(pi_high),
        df=result.df,
        alpha=result.alpha,
        transformed=transformed,
    )


# ---------------------------------------------------------------------------------------------
# Permutation test
# ---------------------------------------------------------------------------------------------


def permutation_test(
    result: MetaRegressionResult,
    *,
    n_iter: int = 1000,
    seed: int | None = None,
    exact: bool = False,
) -> PermutationResult:
    r"""Permutation p-values for the coefficients and the omnibus test (metafor ``permutest``).

    The rows of the design matrix (the moderators) are permuted against the effects and
    their variances and the model is refitted; a p-value is the share of permutations whose
    statistic is at least as extreme as the observed one.

    Parameters
    ----------
    result : MetaRegressionResult
        The fit to test.
    n_iter : int
        Number of random permutations, the observed data counted as the first, when the
        exact test is not used. The exact test (every distinct arrangement of the design
        rows once) is used when their number is at most ``n_iter``, or when ``exact``.
    seed : int, optional
        Seed of the random permutations (for reproducible p-values).
    exact : bool
        Use every distinct permutation whatever their number (as metafor ``exact=TRUE``).

    Returns
    -------
    PermutationResult

    Raises
    ------
    ValueError
        ``n_iter`` below 2, or an exact test with more than 10 million permutations.

    Notes
    -----
    As metafor 3.8, the p-value of coefficient j is the share of permutations with
    :math:`|z_j^*| \ge |z_j| - \epsilon` and that of the omnibus test the share with
    :math:`Q_M^* \ge Q_M - \epsilon`, :math:`\epsilon = \sqrt{\text{machine eps}}`.
    Permutations in which τ² cannot be estimated are left out (exact test) or drawn again
    (random permutations). Random permutations come from NumPy's generator, so their
    p-values differ from metafor's by Monte Carlo error only; the exact test equals
    metafor's.

    Checked against metafor 3.8 ``permutest(fit, exact=TRUE)`` (tests/reference/regression.json).

    References
    ----------
    Higgins JPT, Thompson SG (2004). Controlling the risk of spurious findings from
    meta-regression. Statistics in Medicine 23:1663-1682.
    """
    if not isinstance(result, MetaRegressionResult):
        raise TypeError(f"result must be a MetaRegressionResult; got {type(result).__name__}")
    if n_iter < 2:
        raise ValueError(f"n_iter must be at least 2; got {n_iter!r}")
    z_obs = np.abs(np.asarray(result.zval))
    eps = np.sqrt(np.finfo(float).eps)
    n_exact = _n_distinct(np.asarray(result.x))
    use_exact = exact or n_exact <= n_iter
    if use_exact and n_exact > MAX_EXACT:
        raise ValueError(
            f"an exact permutation test needs {n_exact} refits (more than {MAX_EXACT}); "
            "use random permutations (exact=False)"
        )
    count_z = np.zeros(result.p)
    count_qm = 0
    used = 0
    for zval, qm in _permuted_statistics(result, use_exact, n_iter, seed):
        used += 1
        count_z += np.abs(zval) >= z_obs - eps
        count_qm += qm >= result.qm - eps
    return PermutationResult(
        names=result.names,
        pval=_tuple(np.minimum(count_z / used, 1.0)),
        qm_pval=float(count_qm / used),
        n_iter=used,
        exact=use_exact,
        seed=None if use_exact else seed,
    )


def _permuted_statistics(
    result: MetaRegressionResult, exact: bool, n_iter: int, seed: int | None
) -> Iterator[tuple[np.ndarray, float]]:
    """z values and QM of the refits: every distinct permutation, or the observed data and
    ``n_iter - 1`` random ones (a permutation whose τ² cannot be estimated is skipped, or
    drawn again)."""
    y, v, x = np.asarray(result.yi), np.asarray(result.vi), np.asarray(result.x)

    def refit(order: np.ndarray) -> tuple[np.ndarray, float] | None:
        fit = _fit_arrays(y, v, x[order], result.method, result.test, result.btt)
        return None if fit is None else (fit[1].zval, fit[1].qm)

    if exact:
        for order in _distinct_orders(x):
            stat = refit(order)
            if stat is not None:
                yield stat
        return
    rng = np.random.default_rng(seed)
    yield np.asarray(result.zval), result.qm  # the observed data
    done = 1
    while done < n_iter:
        stat = refit(rng.permutation(result.k))
        if stat is not None:
            done += 1
            yield stat


#: Most refits an exact permutation test may take.
MAX_EXACT = 10_000_000


def _n_distinct(x: np.ndarray) -> int:
    """Number of distinct arrangements of the design rows (a multinomial coefficient)."""
    _, counts = np.unique(x, axis=0, return_counts=True)
    n = factorial(x.shape[0])
    for c in counts:
        n //= factorial(int(c))
    return n


def _distinct_orders(x: np.ndarray) -> Iterator[np.ndarray]:
    """Every distinct arrangement of the design rows (multiset permutations), as row orders."""
    _, codes = np.unique(x, axis=0, return_inverse=True)
    codes = codes.ravel()
    k = len(codes)
    rows_of = {int(c): list(np.flatnonzero(codes == c)) for c in np.unique(codes)}
    remaining = {c: len(r) for c, r in rows_of.items()}
    current: list[int] = []

    def place() -> Iterator[np.ndarray]:
        if len(current) == k:
            taken = dict.fromkeys(rows_of, 0)
            order = []
            for c in current:
                order.append(rows_of[c][taken[c]])
                taken[c] += 1
            yield np.array(order)
            return
        for c in rows_of:
            if remaining[c]:
                remaining[c] -= 1
                current.append(c)
                yield from place()
                current.pop()
                remaining[c] += 1

    yield from place()
