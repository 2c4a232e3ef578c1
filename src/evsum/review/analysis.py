"""Group a condition's rows into analyses and pool each: the step between data and display.

An analysis is one outcome × comparator type × time point × effect measure × design class
(randomised or not). Comparator types are never mixed (a dose comparison is not the
intervention versus nothing), nor randomised with non-randomised evidence, and rows that
cannot be pooled stay visible with the reason. The words (intervention, comparison, outcome
direction) come from the evidence base's protocol.
"""

from __future__ import annotations

import dataclasses
import functools
import re
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from evsum.ingest.evidence import Evidence
from evsum.ingest.protocol import Protocol
from evsum.review.few_studies import (
    DEFAULT_TAU_PRIOR,
    FEW_STUDIES_MAX_K,
    FewStudies,
    check_tau_prior,
    few_studies,
)
from evsum.review.multiarm import apply_multi_arm, keep_one_comparator
from evsum.review.participants import comparison_participants
from evsum.review.sensitivity import Sensitivity, sensitivity_analyses
from evsum.stats.diagnostics import egger_test, leave_one_out
from evsum.stats.effects import compute_effects
from evsum.stats.inverse_variance import check_method
from evsum.stats.multiarm import MULTI_ARM_RULES
from evsum.stats.pooling import pool
from evsum.stats.results import EggerResult, PoolResult

GROUP_KEY = ("outcome", "comparator_type", "timepoint", "effect_measure", "design_class")

#: Evidence never pooled together (Cochrane Handbook 24.6.1: results of randomised trials and
#: of non-randomised studies are analysed separately): ``design_class`` of a row.
RANDOMISED, NON_RANDOMISED = "randomised", "non-randomised"
#: The GRADE starting level of each class (data/README.md, grade.csv ``start``).
GRADE_START = {RANDOMISED: "high", NON_RANDOMISED: "low"}

#: Fewest studies for which Egger's test is computed (Cochrane Handbook 13.3.5.4: "tests for
#: funnel plot asymmetry should be used only when there are at least 10 studies").
EGGER_MIN_K: int = 10


@dataclass(frozen=True)
class OutcomeAnalysis:
    """One pooled (or single-study) comparison within a condition.

    ``rows`` are the study rows of the group with ``label``, ``yi``, ``vi`` and
    ``excluded_reason`` (empty when the row is pooled); ``result`` is ``None`` when no row
    has usable numbers. ``higher_is_better``, ``intervention`` and ``comparison`` are the
    protocol's direction of the outcome and its words for the two arms; ``protocol`` is the
    evidence base's protocol (its wording). ``egger`` is Egger's test of the pooled studies
    when there are at least :data:`EGGER_MIN_K`. ``few_studies`` holds the few-studies
    results (:func:`evsum.review.few_studies.few_studies`) of an analysis of 1 to
    :data:`~evsum.review.few_studies.FEW_STUDIES_MAX_K` studies. ``method``, ``test`` and
    ``pi`` are the arguments of :func:`evsum.pool` the analysis was pooled with;
    :meth:`with_method` pools the same rows again with others.

    In a notebook :func:`evsum.analyse_condition` returns these as
    :class:`evsum.present.analyses.Analysis` (the same fields, plus its HTML display and
    ``forest_plot``): the review layer computes, the present layer shows.
    """

    condition: str
    outcome: str
    comparator_type: str
    timepoint: str
    measure: str
    rows: pd.DataFrame = field(repr=False)
    result: PoolResult | None = field(repr=False)
    leave_one_out: pd.DataFrame | None = field(repr=False)
    notes: tuple[str, ...] = ()
    higher_is_better: bool = False
    intervention: str = "intervention"
    comparison: str = ""
    egger: EggerResult | None = field(default=None, repr=False)
    protocol: Protocol | None = field(default=None, repr=False)
    method: str = "REML"
    test: str = "z"
    pi: str = "z"
    few_studies: FewStudies | None = field(default=None, repr=False)
    bayes_tau_prior: tuple = field(default=tuple(DEFAULT_TAU_PRIOR), repr=False)
    design_class: str = RANDOMISED

    @functools.cached_property
    def sensitivity(self) -> Sensitivity:
        """Influence, cumulative, rank-correlation and trim-and-fill analyses of the pooled
        studies (:func:`evsum.review.sensitivity.sensitivity_analyses`), on first use."""
        return sensitivity_analyses(self)

    def with_method(self, method: str, test: str = "z", pi: str = "z") -> OutcomeAnalysis:
        """The same analysis pooled again: same rows, another τ² method, test or prediction
        interval rule (the arguments of :func:`evsum.pool`).

        Returns an object of the same class (an :class:`~evsum.present.analyses.Analysis`
        stays one); leave-one-out and Egger's test are recomputed with the new method.

        Examples
        --------
        >>> from evsum.review.examples import example_evidence
        >>> analysis = analyse_outcomes(example_evidence(), "condition_a")[0]
        >>> analysis.with_method("DL", test="knha").result.test
        'knha'
        """
        used = self.rows[self.rows["excluded_reason"] == ""]
        result, loo, egger = _pool_rows(used, self.measure, method, test, pi)
        return dataclasses.replace(
            self,
            result=result,
            leave_one_out=loo,
            egger=egger,
            method=method,
            test=test,
            pi=pi,
            few_studies=_few(used, self.measure, self.bayes_tau_prior),
        )

    @property
    def title(self) -> str:
        """Heading such as ``Abstinence, 5 weeks — <intervention> vs active placebo (RR)``, the
        outcome in its protocol label; an
        analysis of one study with its own ``[study_comparisons]`` words uses them
        (``abstinence, 12 months — 3 sessions vs 1 session of … (RR)``)."""
        studies = "; non-randomised studies" if self.design_class == NON_RANDOMISED else ""
        rows = self.rows
        used = rows[rows["excluded_reason"] == ""] if "excluded_reason" in rows else rows
        comparison = (
            self.own_comparison(used if len(used) else rows)
            or f"{self.intervention} vs {self.comparison or self.comparator_type}"
        )
        outcome = (
            self.protocol.outcome_label(self.outcome)
            if self.protocol is not None
            else self.outcome.replace("_", " ")
        )
        return f"{outcome}, {self.timepoint} — {comparison} ({self.measure}{studies})"

    def own_comparison(self, rows: pd.DataFrame) -> str | None:
        """The ``[study_comparisons]`` words of the one study of ``rows`` (e.g. "3 sessions vs
        1 session"), or None when the rows are not one study's or it has none."""
        ids = rows["study_id"].unique() if "study_id" in rows else ()
        if self.protocol is None or len(ids) != 1:
            return None
        return self.protocol.study_comparisons.get(ids[0]) or None

    @property
    def anchor(self) -> str:
        """Stable id of the analysis in its condition report, e.g.
        ``analysis-abstinence-5-weeks-active-placebo-rr``."""
        words = f"{self.outcome} {self.timepoint} {self.comparator_type} {self.measure}"
        if self.design_class == NON_RANDOMISED:
            words += " non-randomised"
        return "analysis-" + re.sub(r"[^a-z0-9]+", "-", words.lower()).strip("-")

    @property
    def participants(self) -> int | None:
        """Participants in the pooled rows (crossover trials counted once); None when no
        pooled study reports a count."""
        used = self.rows[self.rows["excluded_reason"] == ""]
        return comparison_participants(used)


def study_label(rows: pd.DataFrame) -> pd.Series:
    """``First author year`` for each row."""
    return rows["first_author"].astype(str) + " " + rows["year"].astype(str)


#: Why a second comparison of a study in one analysis is not pooled.
SHARED_REASON = (
    "another comparison of a study already in this analysis: one comparison per study is "
    "pooled, so no participant counts twice; shown, not pooled"
)


def _mark_shared_comparators(rows: pd.DataFrame) -> pd.DataFrame:
    """Keep one comparison per study in a group: a second comparison of the same trial
    (another dose, another factorial contrast) would count participants twice."""
    rows = rows.copy()
    usable = rows["excluded_reason"] == ""
    repeat = usable & rows[usable].duplicated("study_id", keep="first").reindex(
        rows.index, fill_value=False
    )
    rows.loc[repeat, "excluded_reason"] = SHARED_REASON
    return rows


def reanalysis(protocol: Protocol | None) -> bool:
    """Whether the base re-analyses a published review's data (``[review] reanalysis_of``),
    so that its secondary rows are pooled."""
    return protocol is not None and protocol.wording.reanalysis


def _words(evidence: Evidence, key: tuple) -> dict:
    """The protocol's direction of the outcome and its words for the two arms."""
    protocol = evidence.protocol
    if protocol is None:
        return {}
    return {
        "higher_is_better": protocol.higher_is_better(key[0]),
        "intervention": protocol.intervention or "intervention",
        "comparison": protocol.comparison_label(key[1]),
    }


def choose_condition(evidence: Evidence, condition: str = "") -> str:
    """The condition a report is about: ``condition`` checked against the data, or the first
    condition of the data (in the protocol's order) when it is empty.

    Raises
    ------
    ValueError
        ``condition`` is not a condition of the data (the message lists them).

    Examples
    --------
    >>> from evsum.review.examples import example_evidence
    >>> choose_condition(example_evidence())
    'condition_a'
    """
    present = evidence.studies.conditions
    order = list(evidence.protocol.conditions) if evidence.protocol is not None else []
    ordered = sorted(present, key=lambda c: (order.index(c) if c in order else len(order), c))
    if not condition:
        return ordered[0]
    if condition not in present:
        raise ValueError(
            f"condition must be one of the conditions of the data "
            f"({', '.join(ordered)}); got {condition!r}"
        )
    return condition


def _pool_rows(
    used: pd.DataFrame, measure: str, method: str, test: str, pi: str
) -> tuple[PoolResult | None, pd.DataFrame | None, EggerResult | None]:
    """Pool the usable rows of one group: the result (FE for a single study), leave-one-out
    where k ≥ 3 and Egger's test where k ≥ :data:`EGGER_MIN_K`."""
    result = loo = egger = None
    if not len(used):
        return result, loo, egger
    yi, vi = used["yi"].to_numpy(float), used["vi"].to_numpy(float)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = pool(
            yi,
            vi,
            method=method if len(used) > 1 else "FE",
            test=test if len(used) > 1 else "z",
            pi=pi,
            measure=measure if measure != "—" else None,
            labels=list(used["label"]),
        )
        if len(used) >= 3:
            loo = leave_one_out(result)
    if len(used) >= EGGER_MIN_K:
        egger = egger_test(result)
    return result, loo, egger


def row_results(rows: pd.DataFrame, *, pool_secondary: bool = False) -> list[PoolResult | None]:
    """Each row's own result, as its one-study analysis gives it (FE on the row's effect
    size): None for a row without usable numbers or from a secondary source (never pooled,
    unless ``pool_secondary``: a re-analysis of a published review's data).

    Examples
    --------
    >>> from evsum.review.examples import example_evidence
    >>> rows = example_evidence().studies.data.head(1)
    >>> [type(r).__name__ for r in row_results(rows)]
    ['PoolResult']
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        effects = compute_effects(rows, pool_secondary=pool_secondary)
    results: list[PoolResult | None] = []
    for _, row in effects.iterrows():
        usable = not row["excluded_reason"] and np.isfinite(row["yi"])
        results.append(
            pool([row["yi"]], [row["vi"]], method="FE", measure=row["effect_measure"])
            if usable
            else None
        )
    return results


def _few(used: pd.DataFrame, measure: str, tau_prior) -> FewStudies | None:
    """The few-studies results of an analysis of 1 to FEW_STUDIES_MAX_K usable rows."""
    if not 1 <= len(used) <= FEW_STUDIES_MAX_K:
        return None
    return few_studies(used, measure if measure != "—" else None, tau_prior=tau_prior)


def analyse_outcomes(
    evidence: Evidence,
    condition: str,
    *,
    outcomes: str | list = "all",
    method: str = "REML",
    test: str = "z",
    pi: str = "z",
    bayes_tau_prior: Sequence = DEFAULT_TAU_PRIOR,
    multi_arm: str = "first",
) -> tuple[OutcomeAnalysis, ...]:
    """Pool every outcome of one condition, one analysis per comparator type and time point.

    Parameters
    ----------
    evidence : Evidence
        Validated data (see :func:`evsum.load_evidence`).
    condition : str
        Condition key of the protocol (as ``studies.csv`` writes it).
    outcomes : "all" or list of str
        Outcomes to analyse.
    method : str
        Pooling method for :func:`evsum.pool`.
    test : {"z", "knha", "adhoc"}
        Test and CI of the main result (:func:`evsum.pool`); the few-studies results always
        show Hartung-Knapp with the ad hoc correction as well.
    pi : {"z", "t"}
        Prediction interval of the main result (:func:`evsum.pool`); the few-studies results
        always show the t(k - 2) interval as well.
    bayes_tau_prior : tuple
        Prior for τ of the few-studies Bayesian fit (:func:`evsum.pool_bayes`), default
        half-normal with scale 0.5.
    multi_arm : {"first", "combine", "split"}
        Comparisons of one trial against the same comparator arm: keep the first (default),
        combine the intervention arms or split the comparator
        (:func:`evsum.review.multiarm.apply_multi_arm`).

    Returns
    -------
    tuple of OutcomeAnalysis
        Sorted by outcome, comparator type, time point. Narrative-only groups have
        ``result=None``; analyses of 1 to 4 studies carry ``few_studies``.

    Raises
    ------
    ValueError
        Unknown condition, outcomes, method, test, pi, multi_arm or a bad
        ``bayes_tau_prior``.
    """
    check_method(method, test, pi)
    if multi_arm not in MULTI_ARM_RULES:
        raise ValueError(f"multi_arm must be one of {list(MULTI_ARM_RULES)}; got {multi_arm!r}")
    bayes_tau_prior = check_tau_prior(bayes_tau_prior)
    rows = evidence.studies.for_condition(condition)
    if rows.empty:
        raise ValueError(
            f"condition must be one of {evidence.studies.conditions}; got {condition!r}"
        )
    if outcomes != "all":
        wanted = [outcomes] if isinstance(outcomes, str) else list(outcomes)
        protocol = evidence.protocol
        known = (
            list(protocol.outcomes)
            if protocol is not None
            else sorted(evidence.studies.data["outcome"].unique())
        )
        unknown = [o for o in wanted if o not in known]
        if unknown:
            raise ValueError(
                f"outcomes must be 'all' or outcomes of the evidence base "
                f"({', '.join(known)}); got {', '.join(map(repr, unknown))}"
            )
        rows = rows[rows["outcome"].isin(wanted)]
    effects = compute_effects(  # each caveat becomes a note, in words
        rows,
        warn=False,
        pool_secondary=reanalysis(evidence.protocol),
        medians=evidence.protocol.wording.medians if evidence.protocol is not None else "",
    )
    effects["design_class"] = np.where(
        effects["randomised"].astype(bool), RANDOMISED, NON_RANDOMISED
    )
    effects["label"] = study_label(effects)
    effects["excluded_reason"] = effects["excluded_reason"].fillna("").astype(str)
    effects["effect_measure"] = effects["effect_measure"].replace("", "—")
    analyses = []
    for key, group in effects.groupby(list(GROUP_KEY), sort=True):
        group = apply_multi_arm(group.reset_index(drop=True), multi_arm)
        group = (
            keep_one_comparator(group, SHARED_REASON)  # split comparisons pooled side by side
            if multi_arm == "split"
            else _mark_shared_comparators(group)
        )
        used = group[group["excluded_reason"] == ""]
        notes: list[str] = []
        result, loo, egger = _pool_rows(used, key[3], method, test, pi)
        small = _few(used, key[3], bayes_tau_prior)
        notes += [f"{r['label']}: {r['caveat']}." for _, r in used.iterrows() if r["caveat"]]
        if len(used) <= 1:
            notes.append(
                "Single study: no pooling."
                if len(used) == 1
                else "No study reports usable numbers for this comparison."
            )
        if np.any(group["design"] == "crossover_rct"):
            notes.append(
                "Includes crossover trials: the same participants received both conditions."
            )
        analyses.append(
            OutcomeAnalysis(
                condition,
                key[0],
                key[1],
                key[2],
                key[3],
                group,
                result,
                loo,
                tuple(notes),
                egger=egger,
                protocol=evidence.protocol,
                method=method,
                test=test,
                pi=pi,
                few_studies=small,
                bayes_tau_prior=tuple(bayes_tau_prior),
                design_class=key[4],
                **_words(evidence, key),
            )
        )
    # randomised evidence before non-randomised evidence of the same outcome
    return tuple(
        sorted(
            analyses,
            key=lambda a: (
                a.outcome,
                a.comparator_type,
                a.timepoint,
                a.measure,
                a.design_class != RANDOMISED,
            ),
        )
    )
