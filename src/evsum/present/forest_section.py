"""The condition report's analyses: a forest plot and summary per analysis with numbers,
the outcomes reported only in words, and each forest plot's text alternative."""

from __future__ import annotations

import pandas as pd

from evsum import vocab
from evsum.ingest.protocol import Protocol
from evsum.present import text
from evsum.present.anchors import row_anchor
from evsum.present.basis import ResultBasis, result_basis
from evsum.present.effect_words import single_study_effect
from evsum.present.html import HtmlBlock, figure_html, render
from evsum.present.wording import protocol_of
from evsum.review.analysis import ALL_DESIGNS, NON_RANDOMISED, OutcomeAnalysis


def _effect_sentence(analysis: OutcomeAnalysis) -> str:
    result = analysis.pooled
    if result.k > 1:
        return text.describe(result)
    effect, note = single_study_effect(analysis)
    return f"Single study, not pooled: {effect}, {text.p_value(result.pval)}. {note}"


def _ci(low: object, high: object) -> str:
    return f"95 % CI {text.interval(low, high)}"


def forest_alt(analysis: OutcomeAnalysis, basis: ResultBasis | None = None) -> str:
    """The text alternative of an analysis's forest plot, from its data: each study's effect
    and CI and the pooled result ("Forest plot of 1 study: Krupitsky 2007, RR 2.25, 95 % CI
    1.01 to 5.03"), then, given its ``basis``, its design, comparison and certainty."""
    after = f" {basis.caption}" if basis is not None else ""
    result = analysis.pooled
    measure = result.measure or "effect"
    head = f"Forest plot of {text.plural(result.k, 'study', 'studies')} ({analysis.title})"
    if result.k == 1:
        row = analysis.rows[analysis.rows["excluded_reason"] == ""].iloc[0]
        if row["data_level"] == "contrast" and text.reported_effect(row):
            shown = text.reported(row, "effect")
            low, high = text.reported(row, "ci_low"), text.reported(row, "ci_high")
            ci = f", 95 % CI {low} to {high}" if low and high else ""
            return f"{head}: {row['label']}, {measure} {shown}{ci}.{after}"
    frame = result.to_frame()
    studies = frame[frame["label"] != "pooled"]
    parts = [
        f"{r.label}, {measure} {text.number(r.effect)}, {_ci(r.ci_low, r.ci_high)}"
        for r in studies.itertuples(index=False)
    ]
    alt = f"{head}: " + "; ".join(parts) + "."
    if result.k > 1:
        back = result.back_transform()
        alt += (
            f" Pooled ({vocab.METHOD_LABELS.get(result.method, result.method)}): "
            f"{measure} {text.number(back.estimate)}, {_ci(back.ci_low, back.ci_high)}."
        )
    return alt + after


def analyses_html(
    analyses: tuple[OutcomeAnalysis, ...],
    *,
    protocol: Protocol | None = None,
    grade: pd.DataFrame | None = None,
) -> HtmlBlock:
    """A forest plot and summary per analysis with numbers; then, in one table, the outcomes
    reported only in words. Rows left out of an analysis are listed with the reason; an
    analysis of 1 to 4 studies has its few-studies panel beside the main result
    (:func:`evsum.present.few_studies.few_studies_html`).

    ``protocol`` (default: the analyses' own) words the forest plots' "Favours …" labels and
    gives each outcome's direction. Each forest plot is titled with its outcome and time
    point and captioned with what it rests on (:func:`evsum.present.basis.result_basis`):
    design, the comparison in its own words (its arms label the "Favours …" sides) and
    the GRADE certainty from ``grade`` (``evidence.grade``; "not assessed" without a row).
    """
    from evsum.present.few_studies import few_studies_html
    from evsum.present.figures.forest import forest_plot

    protocol = protocol_of(analyses, protocol)
    pooled, narrative = [], []
    for analysis in analyses:
        rows = analysis.rows
        left = rows[rows["excluded_reason"] != ""]
        if analysis.result is None:
            narrative += [
                {
                    "outcome": protocol.outcome_label(analysis.outcome),
                    "timepoint": analysis.timepoint,
                    "comparator_type": protocol.comparison_label(analysis.comparator_type),
                    "anchor": row_anchor(r),
                    "label": r["label"],
                    "intervention": r["intervention"],
                    "reason": r["excluded_reason"],
                }
                for _, r in left.iterrows()
            ]
            continue
        used = rows[rows["excluded_reason"] == ""]
        basis = result_basis(analysis, grade)
        title = text.outcome_at(protocol.outcome_label(analysis.outcome), analysis.timepoint)
        fig = forest_plot(
            used,
            analysis.result,
            title=title,
            subtitle=basis.subtitle,
            higher_is_better=protocol.higher_is_better(analysis.outcome),
            intervention=basis.intervention_arm,
            comparator=basis.comparator_arm,
            favours=text.favours_labels(protocol),
        )
        pooled.append(
            {
                "anchor": analysis.anchor,
                "title": text.analysis_heading(
                    title,
                    basis.comparison,
                    analysis.measure,
                    analysis.design_class == NON_RANDOMISED,
                    all_designs=analysis.design_class == ALL_DESIGNS,
                    label=analysis.plan_label,
                ),
                "figure": figure_html(fig, forest_alt(analysis, basis), caption=basis.caption),
                "sentence": _effect_sentence(analysis),
                "few_studies": few_studies_html(analysis),
                "sources": [(row_anchor(r), r["label"]) for _, r in used.iterrows()],
                "notes": [n for n in analysis.notes if not n.startswith("Single study")],
                "left": [
                    (row_anchor(r), r["label"], r["excluded_reason"]) for _, r in left.iterrows()
                ],
            }
        )
    return render("analyses.html.j2", pooled=pooled, narrative=narrative)
