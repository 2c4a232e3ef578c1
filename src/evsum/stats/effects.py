r"""Per-study effect sizes (log RR, log OR, RD, MD, SMD/Hedges' g), as metafor ``escalc``.

``effect_size`` works on arrays; ``compute_effects`` applies it to the rows of a study table.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import numpy as np
import pandas as pd

from evsum.exceptions import EvsumWarning, ZeroCellWarning
from evsum.stats.reported import (
    design_effect,
    log_if,
    mean_sd_from_iqr,
    mean_sd_from_range,
    paired_mean_difference,
    se_from_ci,
    se_from_p,
)
from evsum.stats.scipy_modules import special, stats
from evsum.vocab import (
    BINARY_MEASURES,
    CONTINUOUS_MEASURES,
    MEASURES,
    RATIO_MEASURES,
    ZERO_CELL_RULES,
)

ArrayLike = Sequence[float] | np.ndarray | float | None


def _arr(name: str, x: ArrayLike) -> np.ndarray | None:
    if x is None:
        return None
    a = np.atleast_1d(np.asarray(x, dtype=float))
    if a.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional; got shape {a.shape}")
    return a


def _first_bad(name: str, values: np.ndarray, bad: np.ndarray | bool, expected: str) -> None:
    """Raise ValueError naming the argument and index of the first bad value."""
    idx = np.flatnonzero(bad)
    if len(idx):
        i = idx[0]
        more = f" (and {len(idx) - 1} more)" if len(idx) > 1 else ""
        raise ValueError(f"{name}[{i}]: got {values[i]:g}; expected {expected}{more}")


def _same_length(**arrays: np.ndarray | None) -> int:
    lengths = {name: len(a) for name, a in arrays.items() if a is not None}
    if len(set(lengths.values())) > 1:
        raise ValueError(f"arguments must have the same length; got {lengths}")
    return next(iter(lengths.values()))


def _tables(
    ai: np.ndarray | None,
    bi: np.ndarray | None,
    ci: np.ndarray | None,
    di: np.ndarray | None,
    n1i: np.ndarray | None,
    n2i: np.ndarray | None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Complete 2x2 tables from (ai, bi, ci, di) or (ai, n1i, ci, n2i); validate them."""
    if ai is None or ci is None:
        raise ValueError("binary measures need ai and ci (events in each group)")
    if (bi is None and n1i is None) or (di is None and n2i is None):
        raise ValueError("binary measures need bi/di (non-events) or n1i/n2i (group sizes)")
    _same_length(ai=ai, bi=bi, ci=ci, di=di, n1i=n1i, n2i=n2i)
    for name, events, n in (("ai", ai, n1i), ("ci", ci, n2i)):
        _first_bad(name, events, events < 0, "a count >= 0")
        if n is not None:
            nname = "n1i" if name == "ai" else "n2i"
            _first_bad(nname, n, n < 1, "a group size >= 1")
            _first_bad(name, events, events > n, f"a count <= {nname} (events cannot exceed n)")
    for name, x in (("bi", bi), ("di", di)):
        if x is not None:
            _first_bad(name, x, x < 0, "a count >= 0")
    if bi is not None and n1i is not None:
        _first_bad("n1i", n1i, np.abs(n1i - ai - bi) > 0, "n1i = ai + bi")
    if di is not None and n2i is not None:
        _first_bad("n2i", n2i, np.abs(n2i - ci - di) > 0, "n2i = ci + di")
    bi = n1i - ai if bi is None else bi
    di = n2i - ci if di is None else di
    for name, a, b in (("ai", ai, bi), ("ci", ci, di)):
        n = a + b
        _first_bad(f"{name} + {'bi' if name == 'ai' else 'di'}", n, n < 1, "a group size >= 1")
    return ai, bi, ci, di


def _continuity(
    ai: np.ndarray, bi: np.ndarray, ci: np.ndarray, di: np.ndarray, add: float, to: str
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Add ``add`` to the cells of tables as metafor's ``to`` rule says."""
    with np.errstate(invalid="ignore"):
        has0 = (ai == 0) | (bi == 0) | (ci == 0) | (di == 0)
    if to == "all":
        fix = np.ones_like(has0)
    elif to == "only0":
        fix = has0
    elif to == "if0all":
        fix = np.full_like(has0, has0.any())
    else:
        fix = np.zeros_like(has0)
    if add == 0:
        fix = np.zeros_like(has0)
    if fix.any():
        idx = np.flatnonzero(fix).tolist()
        warnings.warn(
            f"Continuity correction: {add:g} added to every cell of the 2x2 table of studies "
            f"at index {idx} (to={to!r}).",
            ZeroCellWarning,
            stacklevel=3,
        )
    corr = np.where(fix, add, 0.0)
    return ai + corr, bi + corr, ci + corr, di + corr


def _binary(
    measure: str, ai: np.ndarray, bi: np.ndarray, ci: np.ndarray, di: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    n1, n2 = ai + bi, ci + di
    p1, p2 = ai / n1, ci / n2
    if measure == "RR":
        return np.log(p1) - np.log(p2), 1 / ai - 1 / n1 + 1 / ci - 1 / n2
    if measure == "OR":
        return np.log(p1 / (1 - p1)) - np.log(p2 / (1 - p2)), 1 / ai + 1 / bi + 1 / ci + 1 / di
    return p1 - p2, p1 * (1 - p1) / n1 + p2 * (1 - p2) / n2


def _hedges_correction(m: np.ndarray) -> np.ndarray:
    """Exact small-sample correction c(m) = Γ(m/2) / (sqrt(m/2) Γ((m-1)/2)); NaN for m <= 1."""
    with np.errstate(invalid="ignore"):
        c = np.exp(special.gammaln(m / 2) - np.log(np.sqrt(m / 2)) - special.gammaln((m - 1) / 2))
    return np.where(m <= 1, np.nan, c)


def _continuous(
    measure: str,
    m1i: np.ndarray | None,
    sd1i: np.ndarray | None,
    n1i: np.ndarray | None,
    m2i: np.ndarray | None,
    sd2i: np.ndarray | None,
    n2i: np.ndarray | None,
) -> tuple[np.ndarray, np.ndarray]:
    arrays = {"m1i": m1i, "sd1i": sd1i, "n1i": n1i, "m2i": m2i, "sd2i": sd2i, "n2i": n2i}
    if m1i is None or sd1i is None or n1i is None or m2i is None or sd2i is None or n2i is None:
        missing = [name for name, a in arrays.items() if a is None]
        raise ValueError(f"measure {measure!r} needs {', '.join(missing)}")
    _same_length(**arrays)
    for name, sd in (("sd1i", sd1i), ("sd2i", sd2i)):
        _first_bad(name, sd, sd < 0, "a standard deviation >= 0")
    for name, n in (("n1i", n1i), ("n2i", n2i)):
        _first_bad(name, n, n < 1, "a group size >= 1")
    if measure == "MD":
        return m1i - m2i, sd1i**2 / n1i + sd2i**2 / n2i
    m = n1i + n2i - 2
    sd_pooled = np.sqrt(((n1i - 1) * sd1i**2 + (n2i - 1) * sd2i**2) / m)
    g = _hedges_correction(m) * (m1i - m2i) / sd_pooled
    return g, 1 / n1i + 1 / n2i + g**2 / (2 * (n1i + n2i))


def effect_size(
    measure: str,
    *,
    ai: ArrayLike = None,
    bi: ArrayLike = None,
    ci: ArrayLike = None,
    di: ArrayLike = None,
    n1i: ArrayLike = None,
    n2i: ArrayLike = None,
    m1i: ArrayLike = None,
    sd1i: ArrayLike = None,
    m2i: ArrayLike = None,
    sd2i: ArrayLike = None,
    add: float = 0.5,
    to: str = "only0",
) -> tuple[np.ndarray, np.ndarray]:
    r"""Effect sizes and sampling variances of two-group studies, as metafor ``escalc``.

    Parameters
    ----------
    measure : {"RR", "OR", "RD", "MD", "SMD"}
        Log risk ratio, log odds ratio, risk difference, mean difference, or standardised mean
        difference (Hedges' g).
    ai, bi, ci, di : array_like, optional
        2x2 tables: events (``ai``) and non-events (``bi``) in group 1, events (``ci``) and
        non-events (``di``) in group 2. Instead of ``bi``/``di`` the group sizes ``n1i``/``n2i``
        may be given.
    n1i, n2i : array_like, optional
        Group sizes (binary measures without ``bi``/``di``; always for MD and SMD).
    m1i, sd1i, m2i, sd2i : array_like, optional
        Means and standard deviations (MD, SMD).
    add : float
        Continuity correction added to the cells of 2x2 tables (binary measures).
    to : {"only0", "all", "if0all", "none"}
        Which tables get ``add``: those with a zero cell, all, all if any has a zero cell,
        none.

    Returns
    -------
    yi, vi : numpy.ndarray
        Effect sizes (log scale for RR and OR) and sampling variances. Values that are not
        finite (e.g. log of 0 with ``to="none"``, SMD with n1i + n2i <= 3) are NaN, as metafor
        recodes them to NA. Missing inputs (NaN) give NaN.

    Raises
    ------
    ValueError
        Unknown measure or rule; missing arguments; negative counts or SDs; events larger than
        the group size; group sizes below 1; ``n1i != ai + bi``. The message names the
        argument and the index of the first offending value.

    Warns
    -----
    ZeroCellWarning
        A continuity correction was added to at least one table.

    Notes
    -----
    For tables with :math:`n_1 = a + b`, :math:`n_2 = c + d`, :math:`p_1 = a/n_1`,
    :math:`p_2 = c/n_2`:

    .. math::

        \log RR = \log p_1 - \log p_2,\quad v = 1/a - 1/n_1 + 1/c - 1/n_2 \\
        \log OR = \log\frac{ad}{bc},\quad v = 1/a + 1/b + 1/c + 1/d \\
        RD = p_1 - p_2,\quad v = p_1(1-p_1)/n_1 + p_2(1-p_2)/n_2

    For SMD, :math:`m = n_1 + n_2 - 2`, :math:`g = c(m)\,(\bar x_1 - \bar x_2)/s_p` with
    :math:`c(m) = \Gamma(m/2) / (\sqrt{m/2}\,\Gamma((m-1)/2))` and
    :math:`v = 1/n_1 + 1/n_2 + g^2/(2(n_1+n_2))` (escalc's default ``vtype="LS"``).

    Checked against metafor 3.8 ``escalc()`` on ``dat.bcg`` (RR, OR, RD),
    ``dat.normand1999`` (MD, SMD) and zero-cell tables with every ``add``/``to`` rule
    (tests/reference/grid.json, zero_cells.json).

    References
    ----------
    Hedges LV (1981). Distribution theory for Glass's estimator of effect size and related
    estimators. J Educ Stat 6(2):107-128. Viechtbauer W (2010), J Stat Softw 36(3).

    Examples
    --------
    >>> yi, vi = effect_size("RR", ai=[4, 6, 3], n1i=[123, 306, 231],
    ...                      ci=[11, 29, 11], n2i=[139, 303, 220])
    >>> yi.round(4).tolist()
    [-0.8893, -1.5854, -1.3481]
    """
    if measure not in MEASURES:
        raise ValueError(f"measure must be one of {sorted(MEASURES)}; got {measure!r}")
    if to not in ZERO_CELL_RULES:
        raise ValueError(f"to must be one of {sorted(ZERO_CELL_RULES)}; got {to!r}")
    if not (np.isfinite(add) and add >= 0):
        raise ValueError(f"add must be a number >= 0; got {add!r}")
    given = {
        "ai": ai,
        "bi": bi,
        "ci": ci,
        "di": di,
        "n1i": n1i,
        "n2i": n2i,
        "m1i": m1i,
        "sd1i": sd1i,
        "m2i": m2i,
        "sd2i": sd2i,
    }
    a = {name: _arr(name, x) for name, x in given.items()}
    with np.errstate(divide="ignore", invalid="ignore"):
        if measure in BINARY_MEASURES:
            tables = _tables(a["ai"], a["bi"], a["ci"], a["di"], a["n1i"], a["n2i"])
            yi, vi = _binary(measure, *_continuity(*tables, add=add, to=to))
        else:
            yi, vi = _continuous(
                measure, a["m1i"], a["sd1i"], a["n1i"], a["m2i"], a["sd2i"], a["n2i"]
            )
    bad = ~(np.isfinite(yi) & np.isfinite(vi))
    return np.where(bad, np.nan, yi), np.where(bad, np.nan, vi)


#: The rule a reported contrast's confidence interval must meet, in words (validator and
#: :func:`compute_effects` both apply :func:`usable_confidence_interval`).
CI_RULE = "ci_low ≤ effect ≤ ci_high with ci_low < ci_high"


def usable_confidence_interval(
    effect: ArrayLike, ci_low: ArrayLike, ci_high: ArrayLike
) -> np.ndarray:
    """Where an estimate and its confidence interval give a standard error.

    The interval must contain the estimate and have a width: with ``ci_low == ci_high`` the
    standard error, (ci_high - ci_low) / (2 z), is zero and the study would get infinite
    weight. NaN anywhere gives ``False``.

    Parameters
    ----------
    effect, ci_low, ci_high : array_like
        Estimates and interval bounds (same length).

    Returns
    -------
    numpy.ndarray
        Boolean, true where ``ci_low <= effect <= ci_high`` and ``ci_low < ci_high``.
    """
    est, lo, hi = (np.atleast_1d(np.asarray(x, dtype=float)) for x in (effect, ci_low, ci_high))
    with np.errstate(invalid="ignore"):
        return (lo <= est) & (est <= hi) & (lo < hi)


#: The arm columns an effect of each kind of outcome is computed from.
ARM_COLUMNS = {
    "binary": ("events_intervention", "n_intervention", "events_comparator", "n_comparator"),
    "continuous": (
        "mean_intervention",
        "sd_intervention",
        "n_intervention",
        "mean_comparator",
        "sd_comparator",
        "n_comparator",
    ),
}


def _row_effect(
    row: pd.Series, z: float, pool_secondary: bool = False, medians: str = ""
) -> tuple[float, float, str | None]:
    """(yi, vi, excluded_reason) of one study-table row."""
    if row.get("source_type") == "secondary" and not pool_secondary:
        return np.nan, np.nan, "secondary source: never pooled"
    level, measure = row.get("data_level"), row.get("effect_measure")
    if level == "narrative":
        return np.nan, np.nan, "narrative row: no usable numbers"
    if level == "contrast":
        return _contrast_effect(row, measure, z)
    if level != "arm":
        return np.nan, np.nan, f"unknown data_level {level!r}"
    return _arm_effect(row, measure, medians)


def _arm_kind(measure: object) -> str | None:
    """``"binary"`` or ``"continuous"``: the arm data ``measure`` is computed from."""
    if measure in BINARY_MEASURES:
        return "binary"
    if measure in CONTINUOUS_MEASURES:
        return "continuous"
    return None


def _arm_row(row: pd.Series, kind: str, medians: str) -> pd.Series | None:
    """The row as its arm data are read: means estimated from medians (``medians="wan2014"``,
    else None when only medians are given) and a crossover trial's one group as both arms."""
    if kind == "continuous" and _missing(row.get("mean_intervention")):
        if not _missing(row.get("median_intervention")):
            if medians != "wan2014":
                return None
            row = _means_from_medians(row)
    if row.get("design") == "crossover_rct" and _missing(row.get("n_comparator")):
        row = row.copy()
        row["n_comparator"] = row.get("n_intervention")  # one group had both conditions
    return row


def _cluster_adjusted(row: pd.Series, r: dict[str, float]) -> dict[str, float] | None:
    """A cluster-randomised trial's participants and events divided by its design effect
    (warned), or None without one."""
    factor = _cluster_design_effect(row)
    if factor is None:
        return None
    for c in ("events_intervention", "n_intervention", "events_comparator", "n_comparator"):
        if c in r:
            r[c] = r[c] / factor
    # stacklevel: the caller of _row_effect (through _arm_effect)
    warnings.warn(CLUSTER_CAVEAT.format(factor=factor), EvsumWarning, stacklevel=4)
    return r


def _crossover_effect(
    row: pd.Series, r: dict[str, float], kind: str, measure: object
) -> tuple[float, float, str | None] | None:
    """A crossover trial's paired mean difference given its within-participant correlation;
    otherwise None, warned that it is analysed as parallel groups."""
    correlation = row.get("correlation")
    if kind == "continuous" and measure == "MD" and not _missing(correlation):
        return paired_mean_difference(
            r["mean_intervention"],
            r["sd_intervention"],
            r["mean_comparator"],
            r["sd_comparator"],
            r["n_intervention"],
            float(correlation),
        ) + (None,)
    warnings.warn(CROSSOVER_UNPAIRED, EvsumWarning, stacklevel=4)
    return None


def arm_effect_size(
    kind: str, measure: str, arms: dict[str, float], *, add: float = 0.5, to: str = "only0"
) -> tuple[np.ndarray, np.ndarray]:
    """:func:`effect_size` of one row's arm data (:data:`ARM_COLUMNS` of ``kind``,
    ``"binary"`` or ``"continuous"``); ``add`` and ``to`` are the zero-cell correction.

    Examples
    --------
    >>> yi, vi = arm_effect_size("binary", "RR", {"events_intervention": 10,
    ...     "n_intervention": 20, "events_comparator": 5, "n_comparator": 20})
    >>> round(float(yi[0]), 4)  # ln(0.5 / 0.25)
    0.6931
    """
    if kind == "binary":
        return effect_size(
            measure,
            ai=arms["events_intervention"],
            n1i=arms["n_intervention"],
            ci=arms["events_comparator"],
            n2i=arms["n_comparator"],
            add=add,
            to=to,
        )
    return effect_size(
        measure,
        m1i=arms["mean_intervention"],
        sd1i=arms["sd_intervention"],
        n1i=arms["n_intervention"],
        m2i=arms["mean_comparator"],
        sd2i=arms["sd_comparator"],
        n2i=arms["n_comparator"],
    )


def _arm_effect(row: pd.Series, measure: object, medians: str) -> tuple[float, float, str | None]:
    """(yi, vi, excluded_reason) of an arm-level row."""
    kind = _arm_kind(measure)
    if kind is None:
        return np.nan, np.nan, f"effect_measure {measure!r} cannot be computed from arm data"
    arm_row = _arm_row(row, kind, medians)
    if arm_row is None:
        return np.nan, np.nan, MEDIANS_NOT_ALLOWED
    gaps = [c for c in ARM_COLUMNS[kind] if pd.isna(arm_row.get(c))]
    if gaps:
        return np.nan, np.nan, f"arm-level {measure} needs {', '.join(gaps)}"
    r = {c: float(arm_row[c]) for c in ARM_COLUMNS[kind]}
    design = arm_row.get("design")
    if design == "cluster_rct":
        adjusted = _cluster_adjusted(arm_row, r)
        if adjusted is None:
            return np.nan, np.nan, CLUSTER_UNADJUSTED
        r = adjusted
    if design == "crossover_rct":
        paired = _crossover_effect(arm_row, r, kind, measure)
        if paired is not None:
            return paired
    yi, vi = arm_effect_size(kind, str(measure), r)
    if np.isnan(yi[0]):
        return np.nan, np.nan, f"{measure} is not defined for these arm data"
    return float(yi[0]), float(vi[0]), None


#: Why a cluster-randomised trial's arm data are not pooled without a design effect.
CLUSTER_UNADJUSTED = (
    "cluster-randomised trial without an ICC and mean cluster size or a design effect: its arm "
    "data are not adjusted for clustering (Cochrane Handbook 23.1.4), so it is not pooled"
)
#: A cluster-randomised trial's caveat: its arms brought to their effective sample size.
CLUSTER_CAVEAT = (
    "cluster-randomised: participants and events divided by the design effect {factor:g} "
    "(effective sample size, Cochrane Handbook 23.1.4)"
)
#: A crossover trial's caveat when its paired analysis cannot be made.
CROSSOVER_UNPAIRED = (
    "crossover trial analysed as if its conditions were parallel groups (no within-participant "
    "correlation given): its interval is wider than a paired analysis's (Cochrane Handbook "
    "23.2.6)"
)


#: Why a row of medians is not pooled when the protocol does not allow their conversion.
MEDIANS_NOT_ALLOWED = (
    "medians with quartiles or range: not converted to means (the protocol's [review] "
    "medians does not allow it), so not pooled"
)
#: The caveat of a row whose means and SDs were estimated from medians.
MEDIANS_CAVEAT = (
    "means and SDs estimated from medians with their {spread} (Wan et al. 2014): an "
    "approximation that assumes roughly normal data"
)


def _means_from_medians(row: pd.Series) -> pd.Series:
    """The row with means and SDs estimated from its medians (Wan et al. 2014)."""
    row = row.copy()
    spread = row.get("spread")
    convert = mean_sd_from_iqr if spread == "iqr" else mean_sd_from_range
    for arm in ("intervention", "comparator"):
        n = row.get(f"n_{arm}")
        if _missing(n):
            n = row.get("n_intervention")
        mean, sd = convert(
            float(row[f"spread_low_{arm}"]),
            float(row[f"median_{arm}"]),
            float(row[f"spread_high_{arm}"]),
            float(n),
        )
        row[f"mean_{arm}"], row[f"sd_{arm}"] = mean, sd
    words = "quartiles" if spread == "iqr" else "range"
    warnings.warn(MEDIANS_CAVEAT.format(spread=words), EvsumWarning, stacklevel=3)
    return row


def _missing(value: object) -> bool:
    if value is None or value is pd.NA:  # a nullable integer column's empty cell
        return True
    return (isinstance(value, float) and np.isnan(value)) or value == ""


def _cluster_design_effect(row: pd.Series) -> float | None:
    given = row.get("design_effect")
    if not _missing(given):
        return float(given)
    icc, size = row.get("icc"), row.get("cluster_size")
    if _missing(icc) or _missing(size):
        return None
    return design_effect(float(icc), float(size))


def _contrast_effect(row: pd.Series, measure: str, z: float) -> tuple[float, float, str | None]:
    """(yi, vi, excluded_reason) of a reported contrast: its estimate with a standard error
    (``se``), a confidence interval of ``ci_level`` % (95 when empty) or a two-sided
    p-value, on the natural scale or, with ``scale`` = ``log``, as a ratio's logarithm."""
    if _missing(measure) or _missing(row.get("effect")):
        gaps = [c for c in ("effect_measure", "effect") if _missing(row.get(c))]
        return np.nan, np.nan, f"contrast row without {', '.join(gaps)}"
    logged = measure in RATIO_MEASURES and row.get("scale") != "log"
    est = float(row["effect"])
    if logged and est <= 0:
        raise ValueError(f"effect: got {est:g}; expected > 0 for ratio measure {measure}")
    (yi,) = log_if(logged, est)
    se, p = row.get("se"), row.get("p_value")
    lo, hi = row.get("ci_low"), row.get("ci_high")
    if not _missing(se):
        return yi, float(se) ** 2, None
    if not _missing(lo) and not _missing(hi):
        lo, hi = float(lo), float(hi)
        if not usable_confidence_interval(est, lo, hi)[0]:
            raise ValueError(f"{CI_RULE} expected; got {lo:g}, {est:g}, {hi:g}")
        if logged and lo <= 0:
            raise ValueError(f"ci_low: got {lo:g}; expected > 0 for ratio measure {measure}")
        level = row.get("ci_level")
        low, high = log_if(logged, lo, hi)
        if _missing(level):
            return yi, ((high - low) / (2 * z)) ** 2, None
        return yi, se_from_ci(low, high, float(level)) ** 2, None
    if not _missing(p):
        return yi, se_from_p(yi, float(p)) ** 2, None
    return np.nan, np.nan, "contrast row without ci_low, ci_high (or se or p_value)"


#: A row's caveat when a continuity correction was applied (compute_effects' rule).
CONTINUITY_CAVEAT = (
    "continuity correction: 0.5 added to every cell of its 2×2 table (a cell was zero)"
)


def compute_effects(
    rows: pd.DataFrame, *, warn: bool = True, pool_secondary: bool = False, medians: str = ""
) -> pd.DataFrame:
    r"""Add effect sizes ``yi`` and variances ``vi`` to the rows of a study table.

    Parameters
    ----------
    rows : pandas.DataFrame
        Study-table rows with the columns of ``data/README.md`` (``data_level``,
        ``source_type``, ``effect_measure``, arm-level counts/means/SDs, ``effect``,
        ``ci_low``, ``ci_high``).
    warn : bool
        Issue each row's caveat (a continuity correction) as a warning too (default). With
        ``False`` it is only in the ``caveat`` column, for a caller that shows it as text
        (:func:`evsum.forest_plot` prints it under the plot).
    pool_secondary : bool
        Compute the rows of secondary sources too: a re-analysis of a published review's
        data (the protocol's ``[review] reanalysis_of``), whose rows are all that review's.
        Default False: a review's or press report's numbers are shown, never pooled.
    medians : str
        ``"wan2014"``: a continuous arm-level row given as medians with quartiles or range
        gets means and SDs estimated by Wan et al. 2014 (the protocol's ``[review]
        medians``); default '': such rows are not pooled.

    Returns
    -------
    pandas.DataFrame
        A copy of ``rows`` (same index and order) with four more columns:

        =============== =========================================================
        yi              effect size (log scale for ratio measures) or NaN
        vi              sampling variance or NaN
        excluded_reason why ``yi`` is NaN (None for rows that can be pooled)
        caveat          what was done to compute ``yi`` in words
                        (:data:`CONTINUITY_CAVEAT`), "" when nothing
        =============== =========================================================

    Raises
    ------
    ValueError
        Impossible numbers (events > n, negative SD, CI not containing the effect, ratio
        CI <= 0); the message names the row's ``study_id``.

    Notes
    -----
    Arm-level rows use the row's ``effect_measure`` through :func:`effect_size` (binary:
    RR, OR, RD with ``add=0.5, to="only0"``; continuous: MD, SMD). Contrast-level rows use
    :math:`y = \log(\text{effect})` for ratio measures (the effect otherwise) and
    :math:`v = ((t(\text{ci\_high}) - t(\text{ci\_low})) / (2 z_{0.975}))^2` with
    t = log for ratios. Narrative rows and ``source_type == "secondary"`` rows are kept with
    NaN and a reason, never dropped.

    Checked against :func:`effect_size` and hand calculation (tests/stats/test_effects.py).

    Examples
    --------
    >>> rows = pd.DataFrame({"study_id": ["a", "b", "c"],
    ...     "data_level": ["contrast", "narrative", "contrast"],
    ...     "source_type": ["primary", "primary", "secondary"],
    ...     "effect_measure": ["OR", None, "OR"], "effect": [2.0, None, 1.5],
    ...     "ci_low": [1.0, None, 1.0], "ci_high": [4.0, None, 2.25]})
    >>> compute_effects(rows)["excluded_reason"].tolist()[1:]
    ['narrative row: no usable numbers', 'secondary source: never pooled']
    """
    z = stats.norm.isf(0.025)
    out = rows.copy()
    results, caveats = [], []
    for index, row in rows.iterrows():
        who = f"row {index} (study_id={row.get('study_id', '?')})"
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                results.append(_row_effect(row, z, pool_secondary, medians))
            except ValueError as err:
                raise ValueError(f"{who}: {err}") from err
        caveats.append(
            "; ".join(
                CONTINUITY_CAVEAT if issubclass(w.category, ZeroCellWarning) else str(w.message)
                for w in caught
            )
        )
        for w in caught if warn else ():
            warnings.warn(f"{who}: {w.message}", w.category, stacklevel=2)
    out["yi"] = [r[0] for r in results]
    out["vi"] = [r[1] for r in results]
    out["excluded_reason"] = pd.Series([r[2] for r in results], index=out.index, dtype=object)
    out["caveat"] = pd.Series(caveats, index=out.index, dtype=object)
    return out
