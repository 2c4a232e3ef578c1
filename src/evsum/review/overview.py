"""Cross-condition summaries: every analysis of every condition, and study-selection counts."""

from __future__ import annotations

import math

import pandas as pd

from evsum.ingest.evidence import Evidence
from evsum.review.analysis import OutcomeAnalysis, analyse_condition


def analyse_all(evidence: Evidence, *, method: str = "REML") -> tuple[OutcomeAnalysis, ...]:
    """:func:`evsum.analyse_condition` for every condition in the data, in condition order."""
    return tuple(a for condition in evidence.studies.conditions
                 for a in analyse_condition(evidence, condition, method=method))


def headline_frame(analyses: tuple[OutcomeAnalysis, ...]) -> pd.DataFrame:
    """One row per analysis: condition, outcome, comparator, time point, k, participants,
    estimate and CI on the display scale (ratios back-transformed), p and direction.

    ``direction`` is ``favours intervention``, ``favours comparator`` (CI excludes no effect)
    or ``uncertain``; empty when nothing was pooled. Which way is better for an outcome is the
    protocol's ``higher_is_better`` (carried by each analysis).
    """
    records = []
    for a in analyses:
        record = {"condition": a.condition, "outcome": a.outcome,
                  "comparator_type": a.comparator_type, "timepoint": a.timepoint,
                  "measure": a.measure, "k": 0, "participants": 0, "estimate": math.nan,
                  "ci_low": math.nan, "ci_high": math.nan, "pval": math.nan, "direction": "",
                  "studies": a.rows["study_id"].nunique()}
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
            record.update(k=a.result.k, participants=a.participants, estimate=shown.estimate,
                          ci_low=shown.ci_low, ci_high=shown.ci_high, pval=a.result.pval,
                          direction=direction)
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
