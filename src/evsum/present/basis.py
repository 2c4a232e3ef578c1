"""What an analysis's figure rests on: its design, its comparison in its own words, its
GRADE certainty, and the words of its two arms (the forest plot's "Favours …" labels).

The words come from the protocol (``[comparisons]``, ``[study_comparisons]``) and
:mod:`evsum.present.text`; the certainty from ``grade.csv``.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from evsum.present import text
from evsum.review.analysis import OutcomeAnalysis
from evsum.review.overview import analysis_comparison, analysis_grade, design_count
from evsum.stats.grade import grade_certainty
from evsum.vocab import NOT_ASSESSED

__all__ = ["ResultBasis", "result_basis"]

DOSE_COMPARISON = "dose comparison"


@dataclass(frozen=True)
class ResultBasis:
    """What one analysis rests on, in words.

    Attributes
    ----------
    design : str
        Studies by design, GRADEpro's words (``"1 RCT"``), a dose comparison said so.
    comparison : str
        ``A vs B`` in the comparison's own words (a study's own when the result rests on
        one study).
    certainty : str
        ``high`` … ``very low``, or ``not assessed``.
    intervention_arm, comparator_arm : str
        The words of the two arms (column headers, "Favours …" labels).
    """

    design: str
    comparison: str
    certainty: str
    intervention_arm: str
    comparator_arm: str

    @property
    def caption(self) -> str:
        """``1 RCT: A vs B. Certainty of the evidence (GRADE): ⊕⊕◯◯ Low.``"""
        return text.basis_caption(self.design, self.comparison, self.certainty)

    @property
    def subtitle(self) -> str:
        """The caption in two lines (design and comparison; certainty), for a figure."""
        return text.basis_caption(self.design, self.comparison, self.certainty, sep="\n")


def result_basis(analysis: OutcomeAnalysis, grade: pd.DataFrame | None = None) -> ResultBasis:
    """Design, comparison, certainty and arm words of one analysis.

    Parameters
    ----------
    analysis : OutcomeAnalysis
        One analysis (its pooled rows are what the result rests on; with none, all rows).
    grade : pandas.DataFrame, optional
        ``grade.csv`` (``evidence.grade``); an analysis without a row (or without the
        table) is ``not assessed``.

    Returns
    -------
    ResultBasis

    Examples
    --------
    >>> from evsum.review.examples import example_evidence
    >>> from evsum.review.analysis import analyse_outcomes
    >>> evidence = example_evidence()
    >>> basis = result_basis(analyse_outcomes(evidence, "condition_a")[0], evidence.grade)
    >>> basis.design
    '3 RCTs'
    """
    rows = analysis.rows
    used = rows[rows["excluded_reason"] == ""]
    used = used if len(used) else rows
    protocol = analysis.protocol
    intervention = protocol.intervention if protocol else analysis.intervention
    dose = analysis.comparator_type == DOSE_COMPARISON
    own = analysis_comparison(analysis, used)
    found = analysis_grade(analysis, grade)
    first, second = text.comparison_arms(own, intervention, dose_comparison=dose)
    return ResultBasis(
        design=text.design_words(design_count(used), intervention, dose_comparison=dose),
        comparison=text.comparison_words(own, intervention, dose_comparison=dose),
        certainty=grade_certainty(found) if found is not None else NOT_ASSESSED,
        intervention_arm=first,
        comparator_arm=second,
    )
