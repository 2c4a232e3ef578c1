"""Cross-condition summaries: every analysis of every condition, and study-selection counts."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import pandas as pd

from evsum.ingest.evidence import Evidence
from evsum.review.analysis import GRADE_START, OutcomeAnalysis, analyse_outcomes
from evsum.review.statements import grade_statement, in_sentence
from evsum.stats.grade import grade_certainty
from evsum.vocab import NOT_ASSESSED, RATIO_MEASURES

#: Short design words of a headline row and a summary-of-findings participants cell, with the
#: plural (GRADEpro's "No. of participants (studies)" column: "40 (1 RCT)").
DESIGN_WORDS: dict[str, tuple[str, str]] = {
    "parallel_rct": ("RCT", "RCTs"),
    "crossover_rct": ("crossover RCT", "crossover RCTs"),
    "cluster_rct": ("cluster-randomised trial", "cluster-randomised trials"),
    "quasi_randomised": ("quasi-randomised trial", "quasi-randomised trials"),
    "nonrandomised_controlled": ("non-randomised study", "non-randomised studies"),
    "cohort": ("cohort study", "cohort studies"),
    "case_control": ("case-control study", "case-control studies"),
    "uncontrolled": ("uncontrolled study", "uncontrolled studies"),
}
#: GRADE's statement for very low certainty (Santesso et al. 2020), which needs no size.
_VERY_UNCERTAIN = "The evidence is very uncertain about the effect of {x} on {y}"
#: Statement category when the size cannot be judged (and, :data:`~evsum.vocab.NOT_ASSESSED`,
#: when no certainty was assessed).
SIZE_NOT_JUDGED = "size not judged"


def analyse_all(evidence: Evidence, *, method: str = "REML") -> tuple[OutcomeAnalysis, ...]:
    """:func:`~evsum.review.analysis.analyse_outcomes` for every condition in the data, in
    condition order."""
    return tuple(
        a
        for condition in evidence.studies.conditions
        for a in analyse_outcomes(evidence, condition, method=method)
    )


def grade_row(
    grade_df: pd.DataFrame | None,
    condition: str | None,
    outcome: str,
    comparator_type: str | None,
    timepoint: str | None,
    start: str | None = None,
) -> dict[str, Any] | None:
    """The ``grade.csv`` row of one analysis, or ``None``.

    A row for the analysis's time point wins; a blank time point covers the others. With
    ``start`` (``high`` for randomised evidence, ``low`` for non-randomised: the analysis's
    design class) only a row rating evidence of that design matches: randomised and
    non-randomised evidence are rated apart, as they are analysed apart.

    Raises
    ------
    ValueError
        Several rows match (give condition and comparator_type to pick one).
    """
    if grade_df is None or grade_df.empty:
        return None
    match = grade_df["outcome"] == outcome
    for col, value in (("condition", condition), ("comparator_type", comparator_type)):
        if value is not None and col in grade_df.columns:
            match &= grade_df[col] == value
    if start is not None and "start" in grade_df.columns:
        match &= grade_df["start"].fillna("").astype(str).str.strip() == start
    rows = grade_df[match]
    if "timepoint" in rows.columns and len(rows):
        when = rows["timepoint"].fillna("").astype(str).str.strip()
        exact = rows[when == (timepoint or "")]
        rows = exact if len(exact) else rows[when == ""]
    if len(rows) > 1:
        raise ValueError(
            f"grade_df has {len(rows)} rows for outcome {outcome!r}; give the condition "
            "and comparator_type (keys (condition, outcome, comparator_type, timepoint)) to "
            "pick one"
        )
    return None if rows.empty else rows.iloc[0].to_dict()


def analysis_grade(analysis: Any, grade_df: pd.DataFrame | None) -> dict[str, Any] | None:
    """The ``grade.csv`` row rating one analysis's evidence (:func:`grade_row` with the
    starting level of its design class), or ``None``."""
    design = getattr(analysis, "design_class", None)
    return grade_row(
        grade_df,
        getattr(analysis, "condition", None),
        analysis.outcome,
        getattr(analysis, "comparator_type", None),
        getattr(analysis, "timepoint", None),
        GRADE_START.get(design) if design else None,
    )


def design_count(rows: pd.DataFrame) -> str:
    """Studies by design in GRADEpro's words: ``"1 RCT"``, ``"2 RCTs, 1 crossover RCT"``."""
    if rows.empty:
        return "0 studies"
    per_study = rows.drop_duplicates("study_id")["design"].value_counts(sort=False)
    parts = []
    for design, (one, many) in DESIGN_WORDS.items():
        n = int(per_study.get(design, 0))
        if n:
            parts.append(f"{n} {one if n == 1 else many}")
    return ", ".join(parts)


def _designs(a: OutcomeAnalysis, used: pd.DataFrame) -> str:
    words = [DESIGN_WORDS[d][0] for d in DESIGN_WORDS if d in set(used["design"])]
    design = ", ".join(words)
    return f"{design} (dose comparison)" if a.comparator_type == "dose comparison" else design


def analysis_comparison(a: OutcomeAnalysis, used: pd.DataFrame) -> str:
    """The comparison of an analysis in its own words: the study's own
    (``[study_comparisons]``) when ``used``, the rows it rests on, are one study's, else the
    protocol's words for its comparator type."""
    if a.protocol is None:
        return a.comparison or a.comparator_type
    return a.own_comparison(used) or a.protocol.comparison_label(a.comparator_type)


def own_arms(analysis: OutcomeAnalysis) -> tuple[str, str] | None:
    """The two arms of an analysis resting on one study with its own ``"A vs B"`` words
    (``[study_comparisons]``), so a statement names what was compared (GRADE guidelines 26:
    "3 sessions … when compared with 1 session"); ``None`` otherwise. Text after a comma in B
    is what both arms shared and stays with B."""
    rows = analysis.rows
    if "excluded_reason" in rows:
        used = rows[rows["excluded_reason"] == ""]
        rows = used if len(used) else rows
    own = analysis.own_comparison(rows)
    if not own or " vs " not in own:
        return None
    first, second = own.split(" vs ", 1)
    return first.strip(), second.strip()


#: GRADE's verbs of certainty (Santesso et al. 2020, table 2): "X increases", "X probably
#: increases", "X may increase".
_HEDGE = {"high": "", "moderate": "probably ", "low": "may "}


def _unsized(res: Any, certainty: str, x: str, y: str, comparator: str) -> str:
    """A difference with no minimal important difference: GRADE's verb of its certainty for
    the direction when the interval excludes no difference, and the words that its importance
    cannot be judged; else that neither direction nor size can be judged."""
    shown = res.back_transform()
    null = 1.0 if res.measure in RATIO_MEASURES else 0.0
    why = "no minimal important difference is set for this outcome"
    if shown.ci_low > null or shown.ci_high < null:
        hedge = _HEDGE.get(certainty, "")
        up = shown.estimate > null
        verb = (
            ("increases" if up else "reduces")
            if not hedge
            else hedge + ("increase" if up else "reduce")
        )
        return (
            f"{x[:1].upper()}{x[1:]} {verb} {y} when compared with {comparator}; whether "
            f"the difference is important cannot be judged ({why})."
        )
    return (
        f"{certainty.capitalize()} certainty evidence about the effect of {x} on {y} when "
        f"compared with {comparator}; the interval includes no difference, and whether "
        f"any difference is important cannot be judged ({why})."
    )


def _source_kinds(rows: pd.DataFrame) -> tuple[str, ...]:
    if "source_kind" not in rows:
        return ("",) if len(rows) else ()
    return tuple(dict.fromkeys(rows["source_kind"].fillna("").astype(str).str.strip()))


def analysis_statement(
    analysis: OutcomeAnalysis, grade: Mapping[str, Any] | None
) -> tuple[str, str, str]:
    """An analysis's result in GRADE's plain-language words.

    Parameters
    ----------
    analysis : OutcomeAnalysis
        One analysis with a result.
    grade : mapping or None
        Its ``grade.csv`` row (:func:`grade_row`).

    Returns
    -------
    tuple of str
        ``(certainty, category, sentence)``: the GRADE certainty (or ``not assessed``), the
        statement category (:data:`evsum.review.statements.STATEMENT_CATEGORIES`,
        ``not assessed`` or ``size not judged``) and the statement. The minimal important
        difference is the protocol's ``mid`` of the outcome, else the documented default
        (ratio measures 1.25, SMD 0.2); a mean or risk difference without one is not sized
        ("its size cannot be judged"), never given an invented threshold.
    """
    res = analysis.result
    if res is None:
        return "", "", ""
    protocol = analysis.protocol
    x = protocol.intervention if protocol else analysis.intervention
    y = (
        in_sentence(protocol.outcome_label(analysis.outcome))
        if protocol
        else analysis.outcome.replace("_", " ")
    )
    comparator = (
        protocol.comparison_label(analysis.comparator_type)
        if protocol
        else analysis.comparison or analysis.comparator_type
    )
    x, comparator = own_arms(analysis) or (x, comparator)
    if grade is None:
        return (
            NOT_ASSESSED,
            NOT_ASSESSED,
            f"Certainty not assessed: no GRADE statement about the effect of {x} on {y}.",
        )
    certainty = grade_certainty(grade)
    if certainty == "very low":
        return (
            certainty,
            "very uncertain",
            _VERY_UNCERTAIN.format(x=x, y=y) + f" when compared with {comparator}.",
        )
    mid = protocol.outcome_mid(analysis.outcome) if protocol else None
    if mid is None and res.measure not in RATIO_MEASURES and res.measure != "SMD":
        return certainty, SIZE_NOT_JUDGED, _unsized(res, certainty, x, y, comparator)
    shown = res.back_transform()
    statement = grade_statement(
        shown.estimate,
        shown.ci_low,
        shown.ci_high,
        measure=res.measure,
        certainty=certainty,
        intervention=x,
        outcome=y,
        higher_is_better=analysis.higher_is_better,
        mid=mid,
        comparator=comparator,
    )
    return certainty, statement.category, statement.sentence


def headline_frame(
    analyses: tuple[OutcomeAnalysis, ...], *, grade: pd.DataFrame | None = None
) -> pd.DataFrame:
    """One row per analysis: condition, outcome, comparator, time point, k, participants,
    estimate and CI on the display scale (ratios back-transformed), p and direction; and what
    the result rests on: design, comparison, source kind, certainty and its GRADE statement.

    ``direction`` is ``favours intervention``, ``favours comparator`` (CI excludes no effect)
    or ``uncertain``; empty when nothing was pooled. Which way is better for an outcome is the
    protocol's ``higher_is_better`` (carried by each analysis).

    Parameters
    ----------
    analyses : tuple of OutcomeAnalysis
        From :func:`analyse_all`.
    grade : pandas.DataFrame, optional
        ``grade.csv`` (``evidence.grade``): gives ``certainty``, ``category`` and
        ``statement`` (:func:`analysis_statement`); without it they read ``not assessed``.

    Returns
    -------
    pandas.DataFrame
        Besides the columns above: ``design`` (``"RCT"``, ``"crossover RCT"``,
        ``"non-randomised study"``, …, ``"(dose comparison)"`` added for dose comparisons),
        ``comparison`` (the protocol's words, a study's own when the result rests on one),
        ``source_type`` and ``source_kind`` (the distinct ``source_type`` and
        ``source_kind`` values of the rows the result rests on, in row order, as tuples: an
        empty kind is not recorded; :func:`evsum.present.text.source_kinds` words them:
        ``"abstract only"``, ``"full paper"``, …), ``certainty``, ``category`` and
        ``statement``.
    """
    records = []
    for a in analyses:
        used = a.rows[a.rows["excluded_reason"] == ""]
        shown_rows = used if len(used) else a.rows
        certainty, category, statement = (
            analysis_statement(a, analysis_grade(a, grade))
            if a.result is not None
            else ("", "", "")
        )
        record = {
            "condition": a.condition,
            "outcome": a.outcome,
            "comparator_type": a.comparator_type,
            "timepoint": a.timepoint,
            "measure": a.measure,
            "k": 0,
            "participants": 0,
            "estimate": math.nan,
            "ci_low": math.nan,
            "ci_high": math.nan,
            "pval": math.nan,
            "direction": "",
            "studies": a.rows["study_id"].nunique(),
            "design": _designs(a, shown_rows),
            "comparison": analysis_comparison(a, shown_rows),
            "source_type": tuple(dict.fromkeys(shown_rows["source_type"])),
            "source_kind": _source_kinds(shown_rows),
            "certainty": certainty,
            "category": category,
            "statement": statement,
        }
        if a.result is not None:
            shown = a.result.back_transform()
            null = 1.0 if shown.transformed else 0.0
            better_up = a.higher_is_better
            if shown.ci_low > null:
                direction = "favours intervention" if better_up else "favours comparator"
            elif shown.ci_high < null:
                direction = "favours comparator" if better_up else "favours intervention"
            else:
                direction = "uncertain"
            record.update(
                k=a.result.k,
                participants=a.participants,
                estimate=shown.estimate,
                ci_low=shown.ci_low,
                ci_high=shown.ci_high,
                pval=a.result.pval,
                direction=direction,
            )
        records.append(record)
    return pd.DataFrame.from_records(records)


def prisma_counts(search_log: pd.DataFrame) -> dict[str, int]:
    """PRISMA-style counts from the search log: sources, candidates, excluded, ongoing, awaiting
    classification and included (each candidate counted once)."""
    decisions = search_log["decision"] if len(search_log) else pd.Series(dtype=object)
    candidates = search_log[decisions != "source"] if len(search_log) else search_log
    unique = candidates.drop_duplicates("candidate_id") if len(candidates) else candidates

    def count(decision: str) -> int:
        return int((unique["decision"] == decision).sum()) if len(unique) else 0

    return {
        "sources of records": int((decisions == "source").sum()),
        "candidate studies screened": len(unique),
        "excluded": count("excluded"),
        "ongoing (no results yet)": count("ongoing"),
        "awaiting classification": count("awaiting classification"),
        "included": count("included"),
    }
