"""Analyses an analyst can use: the review's analyses with their display and forest plot.

:func:`evsum.review.analysis.analyse_outcomes` computes (the review layer never imports this
one); :func:`analyse_condition` here returns the same analyses as :class:`Analysis` objects,
subclasses of :class:`~evsum.review.analysis.OutcomeAnalysis` with the same fields, which
add what the present layer knows:

- ``_repr_html_``: the analysis as its section of the condition report;
- :meth:`Analysis.forest_plot`: a matplotlib ``Figure`` to restyle.

``with_method`` (from the review layer) pools again and returns an :class:`Analysis` too.
The analyses of one condition come in a :class:`ConditionAnalyses`, a tuple (every function
taking a tuple of analyses takes it) that also knows its evidence and condition; displayed,
it is the report's forest-plot section. The other sections are the blocks of
:mod:`evsum.blocks.condition` (``heterogeneity(analyses)``, ``summary_of_findings(evidence,
analyses)``, ``limitations(evidence, condition, analyses)``).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any

import pandas as pd

from evsum.ingest.evidence import Evidence
from evsum.present import text
from evsum.present.html import HtmlBlock, styled
from evsum.review import analysis as review
from evsum.review.few_studies import DEFAULT_TAU_PRIOR

__all__ = ["Analysis", "ConditionAnalyses", "analyse_condition"]


@dataclasses.dataclass(frozen=True)
class Analysis(review.OutcomeAnalysis):
    """One analysis of a condition (see :class:`~evsum.review.analysis.OutcomeAnalysis` for
    its fields: ``rows`` with the quotes, ``result``, ``leave_one_out``, ...) that displays
    as its section of the report and draws its forest plot.

    ``grade`` is the evidence base's ``grade.csv`` table (``evidence.grade``), from which
    its figures state the certainty (``None``: "not assessed")."""

    grade: pd.DataFrame | None = dataclasses.field(default=None, repr=False, compare=False)

    @classmethod
    def of(cls, analysis: review.OutcomeAnalysis, grade: pd.DataFrame | None = None) -> Analysis:
        """The same analysis as an :class:`Analysis` (with ``grade``, else its own)."""
        if isinstance(analysis, cls):
            return analysis if grade is None else dataclasses.replace(analysis, grade=grade)
        return cls(
            **{f.name: getattr(analysis, f.name) for f in dataclasses.fields(analysis)},
            grade=grade,
        )

    def html(self) -> HtmlBlock:
        """The analysis as in the condition report: forest plot, sentence, rows not pooled."""
        from evsum.present.forest_section import analyses_html

        return analyses_html((self,), grade=self.grade)

    def _repr_html_(self) -> str:
        return styled(self.html())

    def forest_plot(self, **style: Any) -> Any:
        """The forest plot of the pooled rows, as in the report, as a matplotlib ``Figure``.

        Parameters
        ----------
        **style
            Keyword arguments of :func:`evsum.forest_plot` (``title``, ``exp``,
            ``higher_is_better``, ``intervention``, ``comparator``, ``show_design``, ``ax``);
            the defaults are the report's (the protocol's words and direction).

        Raises
        ------
        ValueError
            The analysis has no usable numbers (``result`` is ``None``).
        """
        from evsum.present.basis import result_basis
        from evsum.present.figures.forest import forest_plot

        if self.result is None:
            raise ValueError(
                f"{self.title}: no study reports usable numbers, so there is "
                "no forest plot; see .rows for what the sources say"
            )
        used = self.rows[self.rows["excluded_reason"] == ""]
        basis = result_basis(self, self.grade)
        options: dict[str, Any] = {
            "title": None,
            "subtitle": basis.subtitle,
            "higher_is_better": self.higher_is_better,
            "intervention": basis.intervention_arm,
            "comparator": basis.comparator_arm,
            "favours": text.favours_labels(self.protocol),
        }
        options.update(style)
        return forest_plot(used, self.result, **options)


class ConditionAnalyses(tuple):
    """The analyses of one condition (a tuple of :class:`Analysis`) with the evidence they
    came from; displays as the report's forest-plot section."""

    evidence: Evidence
    condition: str

    def __new__(cls, analyses: Any, evidence: Evidence, condition: str) -> ConditionAnalyses:
        grade = evidence.grade if evidence is not None else None
        made = super().__new__(cls, (Analysis.of(a, grade) for a in analyses))
        made.evidence, made.condition = evidence, condition
        return made

    def __getnewargs__(self) -> tuple:  # pickling (render workers) keeps the evidence
        return tuple(self), self.evidence, self.condition

    def html(self) -> HtmlBlock:
        """Forest plot and summary of every analysis (:func:`evsum.blocks.condition.analyses`)."""
        from evsum.present.forest_section import analyses_html

        return analyses_html(self, grade=self.evidence.grade)

    def _repr_html_(self) -> str:
        return styled(self.html())

    def with_method(self, method: str, test: str = "z", pi: str = "z") -> ConditionAnalyses:
        """Every analysis pooled again with ``method``, ``test`` and ``pi``
        (see :meth:`~evsum.review.analysis.OutcomeAnalysis.with_method`)."""
        return ConditionAnalyses(
            (a.with_method(method, test, pi) for a in self), self.evidence, self.condition
        )


def analyse_condition(
    evidence: Evidence,
    condition: str,
    *,
    outcomes: str | list = "all",
    method: str = "REML",
    test: str = "z",
    pi: str = "z",
    bayes_tau_prior: Sequence = DEFAULT_TAU_PRIOR,
) -> ConditionAnalyses:
    """Pool every outcome of one condition (:func:`evsum.review.analysis.analyse_outcomes`)
    and return the analyses as objects an analyst can display, plot and re-pool.

    Parameters
    ----------
    evidence : Evidence
        Validated data (see :func:`evsum.load_evidence`).
    condition : str
        Condition key of the protocol; empty: the first condition of the data, in the
        protocol's order (``.condition`` of the result says which).
    outcomes : "all" or list of str
        Outcomes to analyse.
    method, test, pi : str
        Pooling method, test and prediction-interval rule for :func:`evsum.pool`.
    bayes_tau_prior : sequence
        Prior for τ of the few-studies Bayesian fit (default half-normal, scale 0.5).

    Returns
    -------
    ConditionAnalyses
        A tuple of :class:`Analysis`, sorted as the review sorts them.

    Examples
    --------
    >>> from evsum.review.examples import example_evidence
    >>> analyses = analyse_condition(example_evidence(), "condition_a")
    >>> first = analyses[0]
    >>> first.with_method("DL", test="knha").result.method
    'DL'
    """
    condition = condition or review.choose_condition(evidence)
    return ConditionAnalyses(
        review.analyse_outcomes(
            evidence,
            condition,
            outcomes=outcomes,
            method=method,
            test=test,
            pi=pi,
            bayes_tau_prior=bayes_tau_prior,
        ),
        evidence,
        condition,
    )
