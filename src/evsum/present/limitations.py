"""The condition report's limitations, derived from the data."""

from __future__ import annotations

from evsum.ingest.evidence import Evidence
from evsum.present import text
from evsum.present.html import HtmlBlock, render
from evsum.present.review_kind import review_process_limitations
from evsum.present.sof_section import (
    sof_groups,
)
from evsum.present.wording import protocol_of
from evsum.review.analysis import OutcomeAnalysis, study_label
from evsum.review.participants import study_participants


def limitations_html(
    evidence: Evidence, condition: str, analyses: tuple[OutcomeAnalysis, ...]
) -> HtmlBlock:
    """Limitations derived from the data: what could and could not be analysed, and how
    numbers are reported."""
    protocol = protocol_of(evidence)
    rows = evidence.studies.for_condition(condition)
    studies = rows.drop_duplicates("study_id")
    points = list(review_process_limitations(evidence.protocol))
    narrative = rows["data_level"].eq("narrative").sum()
    if narrative:
        points.append(
            f"{narrative} of {len(rows)} data rows give no usable numbers "
            "(narrative only) and are not pooled."
        )
    secondary = rows["source_type"].eq("secondary").sum()
    if secondary and text.reanalysis_note(protocol):
        points.append(text.reanalysis_note(protocol))
    elif secondary:
        points.append(
            f"{text.plural(secondary, 'row')} come only from secondary sources "
            "(reviews or press) and are shown but never pooled."
        )
    # Counted as the summary of findings shows them: one row per outcome × time point ×
    # comparator type.
    rows_shown = [kept for _, chosen, _ in sof_groups(analyses, protocol) for kept in chosen]
    pooled = [a for a in rows_shown if a.result is not None and a.result.k >= 2]
    points.append(text.rows_pooled(len(pooled), len(rows_shown)))
    totals = [c.total for c in study_participants(evidence, condition).values()]
    small = sum(n is not None and n < 50 for n in totals)
    unknown = sum(n is None for n in totals)
    if small:
        points.append(f"{small} of {len(totals)} studies have fewer than 50 participants.")
    if unknown:
        points.append(f"{unknown} of {len(totals)} studies report no number of participants.")
    nonrandom = studies[~studies["randomised"]]
    if len(nonrandom):
        points.append(
            f"{text.plural(len(nonrandom), 'study', 'studies')} not randomised: "
            + text.join_values(study_label(nonrandom))
            + "."
        )
    crossover = studies[studies["design"] == "crossover_rct"]
    if len(crossover):
        points.append(
            "Crossover trials ("
            + text.join_values(study_label(crossover))
            + ") measured short-term laboratory or symptom outcomes in the same "
            "participants."
        )
    active = rows[rows["comparator_type"].isin(["dose comparison"])]["study_id"].nunique()
    if active:
        points.append(
            f"{text.plural(active, 'study', 'studies')} compared doses or schedules "
            f"of {protocol.intervention} with each other: they do not show "
            f"{protocol.intervention} against no {protocol.intervention}."
        )
    points.append(
        "A single study's result is shown with the paper's own numbers and digits; "
        f"pooled results are given to 2 decimals, and {text.P_VALUE_RULE}."
    )
    return render("bullets.html.j2", points=points)
