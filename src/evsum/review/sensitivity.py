"""Sensitivity material of one analysis: influence diagnostics, cumulative meta-analysis,
and, from :data:`~evsum.review.analysis.EGGER_MIN_K` studies, the rank correlation test
and trim-and-fill. Computed here, shown by ``evsum.present``; never the main result."""

from __future__ import annotations

import dataclasses
import warnings
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from evsum.stats.bias import (
    RankTestResult,
    RegressionTestResult,
    harbord_test,
    peters_test,
    rank_test,
)
from evsum.stats.cumulative import CumulativeResult, cumulative
from evsum.stats.influence import BaujatResult, InfluenceResult, baujat, influence_diagnostics
from evsum.stats.trimfill import TrimFillResult, trim_and_fill

if TYPE_CHECKING:
    from evsum.review.analysis import OutcomeAnalysis

#: Fewest pooled studies for influence diagnostics and the cumulative analysis (as the
#: leave-one-out analysis).
SENSITIVITY_MIN_K: int = 3


@dataclass(frozen=True)
class Sensitivity:
    """Sensitivity analyses of one pooled analysis (None where too few studies).

    Attributes
    ----------
    influence : InfluenceResult or None
        Influence diagnostics (k >= 3).
    cumulative : CumulativeResult or None
        Cumulative meta-analysis in order of publication year (k >= 3).
    rank_test : RankTestResult or None
        Begg's rank correlation test (k >= 10).
    trim_and_fill : TrimFillResult or None
        Trim-and-fill, L0 (k >= 10): a sensitivity analysis only.
    harbord, peters : RegressionTestResult or None
        Harbord's and Peters' tests (k >= 10, odds ratios from 2x2 tables in every row).
    baujat : BaujatResult or None
        Coordinates of the Baujat plot (k >= 3).
    """

    influence: InfluenceResult | None = None
    cumulative: CumulativeResult | None = None
    rank_test: RankTestResult | None = None
    trim_and_fill: TrimFillResult | None = None
    harbord: RegressionTestResult | None = None
    peters: RegressionTestResult | None = None
    baujat: BaujatResult | None = None


def sensitivity_analyses(analysis: OutcomeAnalysis) -> Sensitivity:
    """The sensitivity analyses of ``analysis`` for the studies it pooled.

    Examples
    --------
    >>> from evsum.review.analysis import analyse_outcomes
    >>> from evsum.review.examples import example_evidence
    >>> analysis = analyse_outcomes(example_evidence(), "condition_a")[0]
    >>> type(sensitivity_analyses(analysis)).__name__
    'Sensitivity'
    """
    from evsum.review.analysis import EGGER_MIN_K

    result = analysis.result
    if result is None or result.k < SENSITIVITY_MIN_K:
        return Sensitivity()
    rows, order = analysis.rows, None
    if {"excluded_reason", "year"} <= set(rows.columns):  # else: the order of the fit
        years = pd.to_numeric(rows.loc[rows["excluded_reason"] == "", "year"], errors="coerce")
        if len(years) == result.k and not years.isna().any():
            order = years.to_numpy()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        base = Sensitivity(
            influence_diagnostics(result), cumulative(result, order=order), baujat=baujat(result)
        )
        if result.k < EGGER_MIN_K:
            return base
        base = dataclasses.replace(
            base, rank_test=rank_test(result), trim_and_fill=trim_and_fill(result)
        )
        tables = _tables(rows, result.k)
        if result.measure == "OR" and tables is not None:
            base = dataclasses.replace(
                base,
                harbord=harbord_test(result, *tables),
                peters=peters_test(result, *tables),
            )
    return base


def _tables(rows: pd.DataFrame, k: int) -> tuple[np.ndarray, ...] | None:
    """The 2x2 tables (events and non-events per arm) of the pooled rows, or None if a row
    has none (a contrast-level row, a continuous outcome)."""
    columns = ["events_intervention", "n_intervention", "events_comparator", "n_comparator"]
    if "excluded_reason" not in rows or not set(columns) <= set(rows.columns):
        return None
    used = rows.loc[rows["excluded_reason"] == "", columns].apply(pd.to_numeric, errors="coerce")
    if len(used) != k or used.isna().any().any():
        return None
    a, n1, c, n2 = (used[col].to_numpy(float) for col in columns)
    return a, n1 - a, c, n2 - c
