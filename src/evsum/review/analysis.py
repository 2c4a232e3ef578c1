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
from typing import TypeVar

import numpy as np
import pandas as pd

from evsum.ingest.evidence import Evidence
from evsum.ingest.plan import DEFAULT_ZERO_CELLS, AnalysisSpec, Synthesis, ZeroCells
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
#: Both classes in one analysis, when the plan pools designs together (``designs =
#: "together"``: randomised and quasi-randomised allocation pooled in one analysis).
ALL_DESIGNS = "all designs"
#: The GRADE starting level of each class (data/README.md, grade.csv ``start``).
GRADE_START = {RANDOMISED: "high", NON_RANDOMISED: "low", ALL_DESIGNS: "low"}

#: Fewest studies for which Egger's test is computed (Cochrane Handbook 13.3.5.4: "tests for
#: funnel plot asymmetry should be used only when there are at least 10 studies").
EGGER_MIN_K: int = 10


_A = TypeVar("_A", bound="OutcomeAnalysis")


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
    plan_key: str = ""
    plan_label: str = ""
    main: bool = False
    zero_cells: ZeroCells = field(default_factory=ZeroCells, repr=False)
    subgroup: str = ""
    moderators: tuple[str, ...] = ()
    planned_sensitivity: tuple[str, ...] = ()
    sensitivity_results: tuple = field(default=(), repr=False)
    subgroup_result: object = field(default=None, repr=False)
    regression_result: object = field(default=None, repr=False)

    @functools.cached_property
    def sensitivity(self) -> Sensitivity:
        """Influence, cumulative, rank-correlation and trim-and-fill analyses of the pooled
        studies (:func:`evsum.review.sensitivity.sensitivity_analyses`), on first use."""
        return sensitivity_analyses(self)

    def with_method(self: _A, method: str, test: str = "z", pi: str = "z") -> _A:
        """The same analysis pooled again: same rows, another τ² method, test or prediction
        interval rule (the arguments of :func:`evsum.pool`), or Mantel-Haenszel (``"MH"``)
        or Peto (``"Peto"``) for 2x2 tables (:func:`evsum.review.plan.pool_tables`).

        Returns an object of the same class (an :class:`~evsum.present.analyses.Analysis`
        stays one); leave-one-out and Egger's test are recomputed with the new method.

        Examples
        --------
        >>> from evsum.review.examples import example_evidence
        >>> analysis = analyse_outcomes(example_evidence(), "condition_a")[0]
        >>> analysis.with_method("DL", test="knha").result.test
        'knha'
        """
        from evsum.review.plan import method_code

        method = method_code(method)
        if method in ("MH", "PETO") and test != "z":
            raise ValueError(
                f"test must be 'z' for {method} (a common-effect method, as metafor's rma.mh "
                f"and rma.peto); got {test!r}"
            )
        used = self.rows[self.rows["excluded_reason"] == ""]
        result, loo, egger = _pool_rows(used, self.measure, method, test, pi, self.zero_cells)
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

    def with_measure(self: _A, measure: str) -> _A:
        """The same rows with another effect measure (``"SMD"`` for ``"MD"``, ``"RR"`` for
        ``"OR"``), pooled with the same method: arm rows are computed again, a reported
        contrast of another measure stays visible, not pooled.

        Examples
        --------
        >>> from evsum.review.examples import example_evidence
        >>> a = analyse_outcomes(example_evidence(), "condition_a")[0]
        >>> a.with_measure("OR").measure
        'OR'
        """
        from evsum.review.plan import remeasure

        rows = remeasure(self.rows, measure, self.zero_cells)
        again = dataclasses.replace(self, rows=rows, measure=measure)
        return again.with_method(self.method, self.test, self.pi)

    def sensitivity_analysis(self, name: str, high_risk: Sequence[str] = ()) -> OutcomeAnalysis:
        """The sensitivity analysis ``name`` of this analysis (``randomised_only``,
        ``exclude_high_risk_of_bias`` with the studies at high risk given, ``fixed_effect``,
        ``random_effects``, ``exclude_secondary``, ``drop_double_zero``): a full analysis."""
        from evsum.review.plan import sensitivity_analysis

        return sensitivity_analysis(self, name, high_risk=set(high_risk))

    def subgroups(self, name: str):
        """The test for subgroup differences by ``name`` (``design``, ``blinding``,
        ``source_kind`` or a categorical covariate of the protocol): a
        :class:`~evsum.stats.results.SubgroupResult` with both tests (separate τ², as
        RevMan; common τ², as metafor ``rma(mods = ~ factor(g))``)."""
        from evsum.review.plan import subgroup_analysis

        return subgroup_analysis(self, name)

    def meta_regression(self, moderators: Sequence[str] | str, categorical: Sequence[str] = ()):
        """The meta-regression on ``moderators`` (covariates of the protocol or study
        columns): a :class:`~evsum.stats.results.MetaRegressionResult`."""
        from evsum.review.plan import regression_analysis

        return regression_analysis(self, moderators, tuple(categorical))

    @property
    def pooled(self) -> PoolResult:
        """``result``, for code that shows an analysis with one (a ValueError when no row has
        usable numbers)."""
        if self.result is None:
            raise ValueError(f"{self.title}: no study row has usable numbers; there is no result")
        return self.result

    @property
    def title(self) -> str:
        """Heading such as ``Abstinence, 5 weeks — <intervention> vs active placebo (RR)``, the
        outcome in its protocol label; an
        analysis of one study with its own ``[study_comparisons]`` words uses them
        (``abstinence, 12 months — 3 sessions vs 1 session of … (RR)``)."""
        studies = {
            NON_RANDOMISED: "; non-randomised studies",
            ALL_DESIGNS: "; randomised and non-randomised studies",
        }.get(self.design_class, "")
        if self.plan_label:
            outcome = self.outcome.replace("_", " ")
            return f"{self.plan_label}: {outcome}, {self.timepoint} ({self.measure}{studies})"
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
        ids = rows["study_id"].unique() if "study_id" in rows else []
        if self.protocol is None or len(ids) != 1:
            return None
        return self.protocol.study_comparisons.get(ids[0]) or None

    @property
    def anchor(self) -> str:
        """Stable id of the analysis in its condition report, e.g.
        ``analysis-abstinence-5-weeks-active-placebo-rr``."""
        words = f"{self.outcome} {self.timepoint} {self.comparator_type} {self.measure}"
        if self.design_class in (NON_RANDOMISED, ALL_DESIGNS):
            words += f" {self.design_class}"
        if self.plan_key:
            words = f"{self.plan_key} {words}"
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
    used: pd.DataFrame,
    measure: str,
    method: str,
    test: str,
    pi: str,
    zero_cells: ZeroCells = DEFAULT_ZERO_CELLS,
) -> tuple[PoolResult | None, pd.DataFrame | None, EggerResult | None]:
    """Pool the usable rows of one group: the result (FE for a single study), leave-one-out
    where k ≥ 3 and Egger's test where k ≥ :data:`EGGER_MIN_K`. Mantel-Haenszel and Peto
    pool the rows' 2x2 tables (no leave-one-out: it is an inverse-variance table)."""
    result = loo = egger = None
    if not len(used):
        return result, loo, egger
    if method in ("MH", "PETO") and len(used) > 1:
        from evsum.review.plan import pool_tables

        result = pool_tables(used, measure, method, zero_cells)
        if len(used) >= EGGER_MIN_K:  # Egger's regression of the rows' own effects
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                fit = pool(used["yi"].to_numpy(float), used["vi"].to_numpy(float), method="FE")
            egger = egger_test(fit)
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


def _outcome_rows(evidence: Evidence, condition: str, outcomes: str | list) -> pd.DataFrame:
    """The condition's rows of the outcomes asked for; ValueError naming an unknown
    condition or outcome."""
    rows = evidence.studies.for_condition(condition)
    if rows.empty:
        raise ValueError(
            f"condition must be one of {evidence.studies.conditions}; got {condition!r}"
        )
    if outcomes == "all":
        return rows
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
    return rows[rows["outcome"].isin(wanted)]


def _condition_effects(evidence: Evidence, rows: pd.DataFrame) -> pd.DataFrame:
    """The rows' effects (each caveat a note, in words), with design class and label."""
    effects = compute_effects(
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
    return effects


def analyse_outcomes(
    evidence: Evidence,
    condition: str,
    *,
    outcomes: str | list = "all",
    method: str = "",
    test: str = "",
    pi: str = "",
    bayes_tau_prior: Sequence = DEFAULT_TAU_PRIOR,
    multi_arm: str = "",
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
        Pooling method for :func:`evsum.pool`, or ``"MH"`` / ``"PETO"`` for 2x2 tables;
        empty (default): the protocol's ``[synthesis]`` (REML when it says nothing).
    test : {"z", "knha", "adhoc"}
        Test and CI of the main result (:func:`evsum.pool`); the few-studies results always
        show Hartung-Knapp with the ad hoc correction as well. Empty: the protocol's.
    pi : {"z", "t"}
        Prediction interval of the main result (:func:`evsum.pool`); the few-studies results
        always show the t(k - 2) interval as well. Empty: the protocol's.

    The protocol's ``[analyses.KEY]`` come after the automatic analyses of their outcomes:
    each is pooled with its own measure and method, and carries its sensitivity analyses
    (``sensitivity_results``).
    bayes_tau_prior : tuple
        Prior for τ of the few-studies Bayesian fit (:func:`evsum.pool_bayes`), default
        half-normal with scale 0.5.
    multi_arm : {"first", "combine", "split"}
        Comparisons of one trial against the same comparator arm: keep the first, combine
        the intervention arms or split the comparator
        (:func:`evsum.review.multiarm.apply_multi_arm`). Empty (default): the protocol's
        ``[synthesis] multi_arm`` ("first" when it says nothing).

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
    plan = evidence.protocol.plan if evidence.protocol is not None else None
    synthesis = plan.synthesis if plan is not None else Synthesis()
    from evsum.review.plan import method_code

    method = method_code(method or synthesis.pooling_method)
    test, pi = test or synthesis.test, pi or synthesis.prediction
    _check_plan_method(method, test, pi)
    multi_arm = multi_arm or synthesis.multi_arm
    if multi_arm not in MULTI_ARM_RULES:
        raise ValueError(f"multi_arm must be one of {list(MULTI_ARM_RULES)}; got {multi_arm!r}")
    bayes_tau_prior = check_tau_prior(bayes_tau_prior)
    effects = _condition_effects(evidence, _outcome_rows(evidence, condition, outcomes))
    declared = _declared(plan, condition, set(effects["outcome"]))
    if plan is not None and plan.declared and len(evidence.covariates.columns) > 1:
        effects = effects.merge(evidence.covariates, on="study_id", how="left")
    settings = {"bayes_tau_prior": tuple(bayes_tau_prior), "zero_cells": synthesis.zero_cells}
    grouping = {"multi_arm": multi_arm}
    analyses = _grouped(
        evidence, condition, effects, synthesis.designs, method, test, pi, settings, None, grouping
    )
    for spec in declared:
        analyses += _declared_analyses(evidence, condition, effects, spec, settings, grouping)
    # randomised evidence before non-randomised evidence of the same outcome; the declared
    # analyses after the automatic ones of their outcome, in the protocol's order
    order = {key: i for i, key in enumerate(plan.analyses)} if plan is not None else {}
    return tuple(
        sorted(
            analyses,
            key=lambda a: (
                a.outcome,
                order.get(a.plan_key, -1),
                a.comparator_type,
                a.timepoint,
                a.measure,
                a.design_class != RANDOMISED,
            ),
        )
    )


def _check_plan_method(method: str, test: str, pi: str) -> None:
    """``check_method`` that also knows Mantel-Haenszel and Peto (common-effect, z test)."""
    if method in ("MH", "PETO"):
        check_method("FE", test, pi)
    else:
        check_method(method, test, pi)


def _declared(plan, condition: str, outcomes: set[str]) -> list[AnalysisSpec]:
    """The plan's analyses of this condition (those naming no condition apply to all)."""
    if plan is None:
        return []
    return [
        a
        for a in plan.analyses.values()
        if a.outcome in outcomes and a.condition in ("", condition)
    ]


def _design_classes(effects: pd.DataFrame, designs: str, by: list[str]) -> pd.DataFrame:
    """With ``designs = "together"``: one class per group, :data:`ALL_DESIGNS` where both
    randomised and non-randomised rows are in it."""
    if designs != "together" or effects.empty:
        return effects
    effects = effects.copy()
    mixed = effects.groupby(by)["design_class"].transform("nunique") > 1
    effects.loc[mixed, "design_class"] = ALL_DESIGNS
    return effects


def _table_method(method: str, group: pd.DataFrame, measure: str) -> tuple[str, list[str]]:
    """MH and Peto where the group's rows are 2x2 tables of a measure they pool; else the
    common-effect inverse-variance method, with a note saying so."""
    if method not in ("MH", "PETO"):
        return method, []
    used = group[group["excluded_reason"] == ""]
    fits = measure == "OR" or (method == "MH" and measure in ("RR", "RD"))
    arms = (used["data_level"] == "arm").all() and (used["outcome_type"] == "binary").all()
    if fits and arms:
        return method, []
    name = "Mantel-Haenszel" if method == "MH" else "Peto"
    return "FE", [
        f"{name} pools 2x2 tables of {('OR' if method == 'PETO' else 'OR, RR or RD')}: "
        "this analysis is pooled by inverse variance (common effect) instead."
    ]


def _grouped(
    evidence, condition, effects, designs, method, test, pi, settings, spec=None, grouping=None
):
    """One analysis per group of :data:`GROUP_KEY` of ``effects`` (multi-arm trials as
    ``grouping["multi_arm"]`` says: :func:`evsum.review.multiarm.apply_multi_arm`)."""
    multi_arm = (grouping or {}).get("multi_arm", "first")
    effects = _design_classes(effects, designs, list(GROUP_KEY[:4]))
    analyses = []
    for key, group in effects.groupby(list(GROUP_KEY), sort=True):
        group = apply_multi_arm(group.reset_index(drop=True), multi_arm)
        group = (
            keep_one_comparator(group, SHARED_REASON)  # split comparisons pooled side by side
            if multi_arm == "split"
            else _mark_shared_comparators(group)
        )
        analyses.append(
            _one_analysis(evidence, condition, key, group, method, test, pi, settings, spec)
        )
    return analyses


def _one_analysis(evidence, condition, key, group, method, test, pi, settings, spec=None):
    """The analysis of one group of rows."""
    from evsum.review.plan import LEFT_OUT, double_zero

    zero_cells = settings["zero_cells"]
    if zero_cells != DEFAULT_ZERO_CELLS and key[3] in ("OR", "RR", "RD"):
        from evsum.review.plan import remeasure  # the plan's correction of zero cells

        group = remeasure(group, key[3], zero_cells)
    if zero_cells.drop_double_zero:
        hit = double_zero(group) & (group["excluded_reason"] == "")
        group.loc[hit, "excluded_reason"] = LEFT_OUT["drop_double_zero"]
    used = group[group["excluded_reason"] == ""]
    method, notes = _table_method(method, group, key[3])
    if method in ("MH", "PETO", "FE"):
        test = "z"
    result, loo, egger = _pool_rows(used, key[3], method, test, pi, zero_cells)
    small = _few(used, key[3], settings["bayes_tau_prior"])
    notes += [f"{r['label']}: {r['caveat']}." for _, r in used.iterrows() if r["caveat"]]
    if len(used) <= 1:
        notes.append(
            "Single study: no pooling."
            if len(used) == 1
            else "No study reports usable numbers for this comparison."
        )
    if np.any(group["design"] == "crossover_rct"):
        notes.append("Includes crossover trials: the same participants received both conditions.")
    planned = {}
    if spec is not None:
        planned = {
            "plan_key": spec.key,
            "plan_label": spec.label or spec.key.replace("_", " "),
            "main": spec.main,
            "subgroup": spec.subgroup,
            "moderators": spec.moderators,
            "planned_sensitivity": spec.sensitivity,
        }
    return OutcomeAnalysis(
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
        design_class=key[4],
        **settings,
        **planned,
        **_words(evidence, key),
    )


def _declared_analyses(evidence, condition, effects, spec: AnalysisSpec, settings, grouping):
    """The analyses of one declared analysis (one per comparator type and time point of its
    rows), each with its sensitivity analyses."""
    from evsum.ingest.plan import analysis_rows
    from evsum.review.plan import SensitivityResult, high_risk_studies, remeasure

    rows = analysis_rows(effects, spec)
    settings = {**settings, "zero_cells": spec.zero_cells}
    if spec.measure:
        rows = remeasure(rows, spec.measure, spec.zero_cells)
    method = spec.pooling_method
    made = _grouped(
        evidence,
        condition,
        rows,
        spec.designs,
        method,
        spec.test,
        spec.prediction,
        settings,
        spec,
        grouping,
    )
    high_risk = high_risk_studies(evidence.risk_of_bias, spec.outcome)
    covariates = evidence.protocol.plan.covariates
    from evsum.ingest.plan import SENSITIVITY

    done = []
    for analysis in made:
        results = tuple(
            SensitivityResult(
                name, SENSITIVITY[name], analysis.sensitivity_analysis(name, sorted(high_risk))
            )
            for name in spec.sensitivity
        )
        extra = {}
        if spec.subgroup and analysis.result is not None:
            extra["subgroup_result"] = analysis.subgroups(spec.subgroup)
        if spec.moderators and analysis.result is not None:
            categorical = [
                m
                for m in spec.moderators
                if getattr(covariates.get(m), "type", "") == "categorical"
            ]
            extra["regression_result"] = analysis.meta_regression(spec.moderators, categorical)
        done.append(dataclasses.replace(analysis, sensitivity_results=results, **extra))
    return done
