"""An analysis's effect as every block shows it: pooled, or a single study's own numbers."""

from __future__ import annotations

from evsum.present import text
from evsum.review.analysis import OutcomeAnalysis


def single_study_effect(analysis: OutcomeAnalysis) -> tuple[str, str]:
    """The effect of a one-study analysis as every block shows it, and the note that goes
    with it.

    A study that reports its own effect and CI (a contrast row) is shown with the paper's
    numbers and digits; an effect evsum computed from the arm data says so in the note.
    """
    row = analysis.rows[analysis.rows["excluded_reason"] == ""].iloc[0]
    if row["data_level"] == "contrast" and text.reported_effect(row):
        return (
            text.reported_effect(row),
            "As reported by the paper; evsum's forest plot recomputes the interval from "
            "its width (generic inverse variance), which can differ in the last digit.",
        )
    return (
        text.pooled_effect(analysis.pooled),
        "Computed by evsum from the arm data (not reported as such by the paper).",
    )


def analysis_effect(analysis: OutcomeAnalysis) -> str:
    """The effect of an analysis as every block shows it (see :func:`single_study_effect`)."""
    if analysis.pooled.k == 1:
        return single_study_effect(analysis)[0]
    return text.pooled_effect(analysis.pooled)
