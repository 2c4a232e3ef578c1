"""The analysis plan at work: pooling methods of 2x2 tables, other measures of the same rows,
sensitivity analyses and the declared analyses of the protocol.

:mod:`evsum.ingest.plan` reads and validates the plan; this module turns it into
:class:`~evsum.review.analysis.OutcomeAnalysis` objects. Every sensitivity analysis is a full
analysis of the main one's rows, with the rows it leaves out kept visible and the reason.
"""

from __future__ import annotations

import dataclasses
import warnings
from collections.abc import Set as AbstractSet
from dataclasses import dataclass

import numpy as np
import pandas as pd

from evsum.ingest.plan import DEFAULT_ZERO_CELLS, SENSITIVITY, ZeroCells
from evsum.stats.effects import ARM_COLUMNS, arm_effect_size
from evsum.stats.inverse_variance import check_method
from evsum.stats.mh import MH_MEASURES, pool_mh, pool_peto
from evsum.stats.results import PoolResult
from evsum.vocab import BINARY_MEASURES, CONTINUOUS_MEASURES

#: Pooling methods of 2x2 tables (common effect), as :class:`PoolResult` names them.
TABLE_METHODS: tuple[str, ...] = ("MH", "PETO")
#: The reason a row is left out of a sensitivity analysis, per analysis.
LEFT_OUT: dict[str, str] = {
    "randomised_only": "non-randomised study: left out of this sensitivity analysis",
    "exclude_high_risk_of_bias": "high risk of bias (overall): left out of this sensitivity "
    "analysis",
    "exclude_secondary": "numbers read only in an abstract or a registry: left out of this "
    "sensitivity analysis",
    "drop_double_zero": "no events in either arm: not estimable, left out",
}
#: Reason of a table without events (or with only events) in both arms.
NOT_ESTIMABLE = "no events in either arm: not estimable, left out"
_ARM = ARM_COLUMNS["binary"]


def method_code(method: str) -> str:
    """A method as the pooling functions name it: ``"Peto"`` -> ``"PETO"``, ``"EE"`` ->
    ``"FE"``; ``"MH"`` and the τ² estimators as they are.

    Raises
    ------
    ValueError
        An unknown method (the message lists the known ones).

    Examples
    --------
    >>> method_code("Peto"), method_code("MH"), method_code("DL")
    ('PETO', 'MH', 'DL')
    """
    upper = str(method).upper()
    if upper in TABLE_METHODS:
        return upper
    try:
        return check_method(method, "z")
    except ValueError:
        raise ValueError(
            f"method must be one of ['DL', 'EE', 'FE', 'MH', 'ML', 'PETO', 'PM', 'REML']; "
            f"got {method!r}"
        ) from None


def tables(rows: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The 2x2 tables of binary arm rows: events and non-events per arm (ai, bi, ci, di).

    Raises
    ------
    ValueError
        A row has no arm counts (a reported contrast, or continuous data): MH and Peto need
        the 2x2 table of every study.
    """
    lacking = rows[(rows.get("data_level") != "arm") | rows[list(_ARM)].isna().any(axis=1)]
    if len(lacking):
        who = ", ".join(lacking["label"] if "label" in lacking else lacking["study_id"])
        raise ValueError(
            "Mantel-Haenszel and Peto pool 2x2 tables: every row needs events and n in both "
            f"arms; not given for {who}"
        )
    a = rows["events_intervention"].to_numpy(float)
    c = rows["events_comparator"].to_numpy(float)
    return (
        a,
        rows["n_intervention"].to_numpy(float) - a,
        c,
        rows["n_comparator"].to_numpy(float) - c,
    )


def double_zero(rows: pd.DataFrame) -> pd.Series:
    """Whether each row is a 2x2 table without events (or with only events) in both arms."""
    if not set(_ARM) <= set(rows.columns):
        return pd.Series(False, index=rows.index)
    e1, n1 = rows["events_intervention"], rows["n_intervention"]
    e2, n2 = rows["events_comparator"], rows["n_comparator"]
    both = ((e1 == 0) & (e2 == 0)) | ((e1 == n1) & (e2 == n2))
    return both.fillna(False).astype(bool) & (rows.get("data_level") == "arm")


def pool_tables(
    used: pd.DataFrame, measure: str, method: str, zero_cells: ZeroCells = DEFAULT_ZERO_CELLS
) -> PoolResult:
    """Mantel-Haenszel or Peto pooling of the rows' 2x2 tables (metafor ``rma.mh``,
    ``rma.peto``), double-zero tables kept in the estimate and left out of Q (metafor's
    default ``drop00``): they show as "not estimable".

    Raises
    ------
    ValueError
        The measure does not fit the method (Peto: OR only; MH: OR, RR, RD) or a row has
        no 2x2 table.
    """
    a, b, c, d = tables(used)
    labels = list(used["label"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if method == "PETO":
            if measure != "OR":
                raise ValueError(f"Peto's method pools odds ratios (measure OR); got {measure!r}")
            return pool_peto(
                a, b, c, d, labels=labels, add=zero_cells.correction, to=zero_cells.to, warn=False
            )
        if measure not in MH_MEASURES:
            raise ValueError(
                f"Mantel-Haenszel pools {', '.join(MH_MEASURES)} of 2x2 tables; got {measure!r}"
            )
        return pool_mh(
            a,
            b,
            c,
            d,
            measure=measure,
            labels=labels,
            add=zero_cells.correction,
            to=zero_cells.to,
            warn=False,
        )


def remeasure(
    rows: pd.DataFrame, measure: str, zero_cells: ZeroCells = DEFAULT_ZERO_CELLS
) -> pd.DataFrame:
    """The same rows with their effect as ``measure`` (metafor ``escalc``) and the zero-cell
    correction of ``zero_cells``: arm rows are computed again; a reported contrast of
    another measure is kept, not pooled, with the reason.

    Raises
    ------
    ValueError
        ``measure`` is not one of the measures of arm data.
    """
    if measure not in BINARY_MEASURES | CONTINUOUS_MEASURES:
        raise ValueError(
            f"measure must be one of {sorted(BINARY_MEASURES | CONTINUOUS_MEASURES)}; "
            f"got {measure!r}"
        )
    rows = rows.copy()
    kind = "binary" if measure in BINARY_MEASURES else "continuous"
    for i, row in rows.iterrows():
        if row.get("source_type") == "secondary" or row.get("data_level") == "narrative":
            continue
        if row.get("data_level") == "contrast":
            if row.get("effect_measure") != measure:
                rows.loc[i, ["yi", "vi"]] = np.nan
                rows.loc[i, "excluded_reason"] = (
                    f"reported as {row.get('effect_measure')}: cannot be re-expressed as {measure}"
                )
            continue
        yi, vi, reason, caveat = _arm_effect(row, measure, kind, zero_cells)
        rows.loc[i, ["yi", "vi"]] = yi, vi
        previous = str(rows.loc[i, "excluded_reason"] or "")
        if reason:
            rows.loc[i, "excluded_reason"] = reason
        elif "needs" in previous or "not defined" in previous or "cannot be" in previous:
            rows.loc[i, "excluded_reason"] = ""
        if "caveat" in rows:
            rows.loc[i, "caveat"] = caveat
    rows["effect_measure"] = rows["effect_measure"].where(rows.get("data_level") != "arm", measure)
    return rows


def _arm_effect(row: pd.Series, measure: str, kind: str, zero_cells: ZeroCells):
    cols = ARM_COLUMNS[kind]
    if any(pd.isna(row.get(c)) for c in cols):
        return np.nan, np.nan, f"arm-level {measure} needs the {kind} arm data", ""
    r = {c: float(row[c]) for c in cols}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        yi, vi = arm_effect_size(kind, measure, r, add=zero_cells.correction, to=zero_cells.to)
    caveat = (
        f"continuity correction: {zero_cells.correction:g} added to every cell of its 2×2 "
        "table (a cell was zero)"
        if caught and kind == "binary"
        else ""
    )
    if not np.isfinite(yi[0]):
        return np.nan, np.nan, f"{measure} is not defined for these arm data", caveat
    return float(yi[0]), float(vi[0]), "", caveat


def leave_out(rows: pd.DataFrame, mask: pd.Series, reason: str) -> pd.DataFrame:
    """``rows`` with the usable rows where ``mask`` holds marked as left out for ``reason``."""
    rows = rows.copy()
    hit = mask.reindex(rows.index, fill_value=False).astype(bool) & (rows["excluded_reason"] == "")
    rows.loc[hit, "excluded_reason"] = reason
    return rows


def high_risk_studies(risk_of_bias: pd.DataFrame | None, outcome: str) -> set[str]:
    """Studies judged at high risk of bias overall (for ``outcome``, or for every outcome)."""
    if risk_of_bias is None or risk_of_bias.empty:
        return set()
    rob = risk_of_bias
    overall = rob[(rob["domain"] == "overall") & (rob["judgement"].str.lower() == "high")]
    if "outcome" in overall:
        overall = overall[overall["outcome"].isin(["", outcome])]
    return set(overall["study_id"])


def sensitivity_rows(
    rows: pd.DataFrame, name: str, *, high_risk: AbstractSet[str] = frozenset()
) -> pd.DataFrame:
    """The rows of a sensitivity analysis: those of the main analysis with some left out.

    Raises
    ------
    ValueError
        An unknown sensitivity analysis (the message lists them).
    """
    if name not in SENSITIVITY:
        raise ValueError(f"sensitivity must be one of {sorted(SENSITIVITY)}; got {name!r}")
    if name == "randomised_only":
        return leave_out(rows, ~rows["randomised"].astype(bool), LEFT_OUT[name])
    if name == "exclude_high_risk_of_bias":
        return leave_out(rows, rows["study_id"].isin(high_risk), LEFT_OUT[name])
    if name == "exclude_secondary":
        kinds = rows["source_kind"] if "source_kind" in rows else pd.Series("", index=rows.index)
        return leave_out(rows, kinds.isin(["abstract", "registry results"]), LEFT_OUT[name])
    if name == "drop_double_zero":
        return leave_out(rows, double_zero(rows), LEFT_OUT[name])
    return rows


def sensitivity_method(name: str, method: str) -> str:
    """The pooling method of a sensitivity analysis (``fixed_effect``: FE, unless the main
    analysis is already a common-effect method; ``random_effects``: REML)."""
    if name == "fixed_effect":
        return method if method in (*TABLE_METHODS, "FE") else "FE"
    if name == "random_effects":
        return "REML" if method in (*TABLE_METHODS, "FE") else method
    return method


@dataclass(frozen=True)
class SensitivityResult:
    """One sensitivity analysis beside its main analysis: ``name`` (a key of
    :data:`evsum.ingest.plan.SENSITIVITY`), ``label`` in words and ``analysis`` (a full
    analysis, its rows left out marked with the reason)."""

    name: str
    label: str
    analysis: object


def sensitivity_analysis(analysis, name: str, *, high_risk: AbstractSet[str] = frozenset()):
    """``analysis`` again as the sensitivity analysis ``name``: the same class, with the
    rows it leaves out marked and the method it asks for.

    Examples
    --------
    >>> from evsum.review.examples import example_evidence
    >>> from evsum.review.analysis import analyse_outcomes
    >>> a = analyse_outcomes(example_evidence(), "condition_a")[0]
    >>> sensitivity_analysis(a, "fixed_effect").method
    'FE'
    """
    rows = sensitivity_rows(analysis.rows, name, high_risk=high_risk)
    method = sensitivity_method(name, analysis.method)
    test = analysis.test if method not in (*TABLE_METHODS, "FE") else "z"
    again = dataclasses.replace(
        analysis, rows=rows, planned_sensitivity=(), sensitivity_results=()
    )
    return again.with_method(method, test, analysis.pi)


def _regression_method(method: str) -> str:
    """The τ² estimator of a meta-regression or a common-τ² subgroup test of an analysis
    pooled with ``method`` (a common-effect method gives a common-effect model)."""
    return "FE" if method in (*TABLE_METHODS, "FE") else method


def _study_values(rows: pd.DataFrame, name: str) -> pd.Series:
    """One value per row of a subgroup variable or moderator (a study column or a
    covariate merged into the rows)."""
    if name not in rows.columns:
        raise ValueError(
            f"{name!r} is neither a study column (design, blinding, source_kind) nor a "
            "covariate of the protocol ([covariates.KEY], with its values in data/)"
        )
    return rows[name]


def subgroup_analysis(analysis, name: str):
    """The test for subgroup differences of ``analysis`` by ``name``: each subgroup pooled
    with its own τ² (RevMan) and the mixed-effects model with a common τ² (metafor
    ``rma(mods = ~ factor(g))``), both in the result (``differences``).

    Returns
    -------
    SubgroupResult
        From :func:`evsum.stats.subgroups.pool_subgroups` with ``tau2="both"``; the groups
        are named in words (a design by its label).

    Raises
    ------
    ValueError
        Unknown variable, fewer than two subgroups among the pooled rows, or no pooled rows.
    """
    from evsum.stats.subgroups import pool_subgroups
    from evsum.vocab import DESIGNS

    used = analysis.rows[analysis.rows["excluded_reason"] == ""]
    if used.empty:
        raise ValueError(f"{analysis.title}: no pooled rows to split into subgroups")
    values = _study_values(used, name)
    if name == "design":
        values = values.map(lambda d: DESIGNS.get(d, d))
    method = _regression_method(analysis.method)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return pool_subgroups(
            used["yi"].to_numpy(float),
            used["vi"].to_numpy(float),
            values.astype(str).tolist(),
            method=method,
            test=analysis.test if method != "FE" else "z",
            measure=analysis.measure if analysis.measure != "—" else None,
            labels=list(used["label"]),
            warn=False,
            tau2="both",
        )


def regression_analysis(analysis, moderators, categorical: tuple[str, ...] = ()):
    """The meta-regression of ``analysis`` on ``moderators`` (metafor ``rma(yi, vi, mods =
    ~ ...)``), with the analysis's τ² estimator and test.

    Returns
    -------
    MetaRegressionResult
        From :func:`evsum.stats.regression.meta_regression`.
    """
    from evsum.stats.regression import meta_regression

    names = [moderators] if isinstance(moderators, str) else list(moderators)
    used = analysis.rows[analysis.rows["excluded_reason"] == ""]
    frame = {name: _study_values(used, name).tolist() for name in names}
    method = _regression_method(analysis.method)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return meta_regression(
            used["yi"].to_numpy(float),
            used["vi"].to_numpy(float),
            frame,
            method=method,
            test=analysis.test if method != "FE" else "z",
            categorical=categorical,
            measure=analysis.measure if analysis.measure != "—" else None,
            labels=list(used["label"]),
            warn=False,
        )
