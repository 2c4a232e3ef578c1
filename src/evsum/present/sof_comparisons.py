"""One summary of findings per comparison (Cochrane Handbook 14.1): the analyses of a
condition grouped by what was actually compared, each table titled "[intervention] compared
with [comparator] for [population]" in that comparison's own words.

A comparator type can hold comparisons that differ in kind: two dose comparisons (3 sessions
vs 1 session; 2.0 mg/kg vs 0.2 mg/kg) are not one comparison, so an analysis resting on one
study with its own ``[study_comparisons]`` words forms its own table.
"""

from __future__ import annotations

from evsum.ingest.protocol import Protocol
from evsum.present import text
from evsum.review.analysis import OutcomeAnalysis
from evsum.review.overview import analysis_comparison

__all__ = ["comparison_of", "sof_comparisons", "sof_title"]


def comparison_of(analysis: OutcomeAnalysis) -> str:
    """The words of the comparison an analysis rests on (its study's own, else the
    protocol's for its comparator type)."""
    rows = analysis.rows
    if "excluded_reason" in rows:
        used = rows[rows["excluded_reason"] == ""]
        rows = used if len(used) else rows
    return analysis_comparison(analysis, rows)


def sof_comparisons(analyses: tuple[OutcomeAnalysis, ...]) -> list[tuple[str, str]]:
    """The comparisons of a condition's analyses as ``(comparator_type, words)``, one per
    summary of findings, in comparator-type order and then in the order met."""
    seen: dict[tuple[str, str], None] = {}
    for analysis in sorted(analyses, key=lambda a: a.comparator_type):
        seen.setdefault((analysis.comparator_type, comparison_of(analysis)), None)
    return list(seen)


def sof_title(
    protocol: Protocol, condition: str, comparator_type: str, words: str
) -> tuple[str, dict[str, str]]:
    """The table's title and its Intervention and Comparison header lines, in the
    comparison's own words ("3 sessions compared with 1 session of … for condition A"); a
    comparison without its own words uses the protocol's intervention and the comparator
    type's wording."""
    dose = comparator_type == "dose comparison"
    first, second = text.comparison_arms(words, protocol.intervention, dose_comparison=dose)
    if " vs " in words:
        second = words.split(" vs ", 1)[1].strip()  # with what both arms shared
    label = protocol.condition_label(condition)
    population = label[:1].lower() + label[1:] if label[1:2].islower() else label
    title = f"{first[:1].upper()}{first[1:]} compared with {second} for {population}"
    return title, {"Intervention": first, "Comparison": second}
