"""The condition report's summary of findings: one GRADE table per comparison (critical and
important outcomes), then its evidence profile."""

from __future__ import annotations

import pandas as pd

from evsum.ingest.evidence import Evidence
from evsum.ingest.protocol import Protocol
from evsum.present import evidence_profile as _profile
from evsum.present.effect_words import single_study_effect
from evsum.present.html import HtmlBlock, render
from evsum.present.sof_comparisons import comparison_of, sof_comparisons, sof_title
from evsum.present.wording import protocol_of
from evsum.review.analysis import NON_RANDOMISED, OutcomeAnalysis

#: GRADE importance of outcomes left out of a summary of findings (shown in the profile).
LEFT_OUT = "not important"


def _one_per_outcome(analyses: list[OutcomeAnalysis]) -> list[OutcomeAnalysis]:
    """One analysis per outcome × time point × design class (randomised evidence and
    non-randomised evidence are rated and shown apart): the one with numbers if there is one,
    holding the rows of the other groups of the same outcome too (narrative or secondary rows,
    which the summary of findings shows beside the estimate and never pools)."""
    import dataclasses

    groups: dict[tuple[str, str, str], list[OutcomeAnalysis]] = {}
    for analysis in analyses:
        groups.setdefault(
            (analysis.outcome, analysis.timepoint, analysis.design_class), []
        ).append(analysis)
    kept = []
    for group in groups.values():
        main = next((a for a in group if a.result is not None), group[0])
        others = [
            a.rows.assign(
                excluded_reason=a.rows["excluded_reason"].replace(
                    "", "another group of this outcome"
                )
            )
            if main.result is not None
            else a.rows
            for a in group
            if a is not main
        ]
        if others:
            main = dataclasses.replace(
                main, rows=pd.concat([main.rows, *others], ignore_index=True)
            )
        kept.append(main)
    return kept


def _sof_order(analyses: list[OutcomeAnalysis], protocol: Protocol) -> list[OutcomeAnalysis]:
    """Critical outcomes first, then important, then the rest (GRADE handbook 5.1), each in
    the protocol's outcome order."""
    from evsum.ingest.protocol import IMPORTANCE

    order = {key: i for i, key in enumerate(protocol.outcomes)}
    return sorted(
        analyses,
        key=lambda a: (
            IMPORTANCE.index(protocol.outcome_importance(a.outcome)),
            order.get(a.outcome, len(order)),
        ),
    )


def sof_groups(
    analyses: tuple[OutcomeAnalysis, ...], protocol: Protocol
) -> list[tuple[tuple[str, str], list[OutcomeAnalysis], list[OutcomeAnalysis]]]:
    """Per comparison (:func:`~evsum.present.sof_comparisons.sof_comparisons`): the rows of
    its summary of findings (critical and important outcomes only, GRADE handbook 5.1) and
    every outcome row (for the evidence profile), critical first."""
    groups = []
    for comparator, words in sof_comparisons(analyses):
        everything = _sof_order(
            _one_per_outcome(
                [
                    a
                    for a in analyses
                    if (a.comparator_type, comparison_of(a)) == (comparator, words)
                ]
            ),
            protocol,
        )
        chosen = [a for a in everything if protocol.outcome_importance(a.outcome) != LEFT_OUT]
        groups.append(((comparator, words), chosen or everything, everything))
    return groups


def _summary_lines(
    chosen: list[OutcomeAnalysis], frame: pd.DataFrame, protocol: Protocol
) -> list[str]:
    """GRADE's statement of each outcome with a pooled or single-study result."""
    return [
        f"{protocol.outcome_label(r['outcome'])} ({r['timepoint']}"
        f"{'; non-randomised studies' if a.design_class == NON_RANDOMISED else ''}"
        f"): {r['comment']}"
        for a, r in zip(chosen, frame.to_dict("records"), strict=True)
        if r["comment"] and r["k"] and r["relative_effect"] != "not pooled"
    ]


def _left_out_notes(
    chosen: list[OutcomeAnalysis], everything: list[OutcomeAnalysis], protocol: Protocol
) -> list[str]:
    """The note naming the outcomes left out of the summary of findings, if any."""
    kept = {id(a) for a in chosen}  # by identity: analyses hold data frames
    left_out = [a for a in everything if id(a) not in kept]
    if not left_out:
        return []
    return [
        "Not in this summary of findings (rated not important in the protocol; in the "
        "evidence profile below): "
        + "; ".join(f"{protocol.outcome_label(a.outcome)} ({a.timepoint})" for a in left_out)
        + "."
    ]


def _sof_header(
    protocol: Protocol, condition: str, comparator: str, words: str
) -> tuple[str, dict[str, str]]:
    """The table's title and header: population and setting, then the comparison's rows."""
    spec = protocol.conditions.get(condition)
    title, header = sof_title(protocol, condition, comparator, words)
    return title, {
        "Patient or population": spec.population if spec else "",
        "Setting": spec.setting if spec else "",
        **header,
    }


def _comparison_blocks(
    evidence: Evidence,
    protocol: Protocol,
    comparison: tuple[str, str],
    chosen: list[OutcomeAnalysis],
    everything: list[OutcomeAnalysis],
) -> tuple[list[HtmlBlock], list[str]]:
    """One comparison's summary of findings tables (split past ``MAX_SOF_OUTCOMES``), its
    note on the outcomes left out and its evidence profile; and its outcomes' statements."""
    from evsum.present.sof import MAX_SOF_OUTCOMES, sof_html, summary_of_findings

    frame = summary_of_findings(chosen, evidence.grade, characteristics=evidence.characteristics)
    frame["relative_effect"] = [
        single_study_effect(a)[0] if a.result is not None and a.result.k == 1 else shown
        for a, shown in zip(chosen, frame["relative_effect"], strict=True)
    ]
    title, header = _sof_header(protocol, chosen[0].condition, *comparison)
    blocks = []
    for start in range(0, len(frame), MAX_SOF_OUTCOMES):
        part = frame.iloc[start : start + MAX_SOF_OUTCOMES].reset_index(drop=True)
        blocks.append(
            sof_html(
                part,
                title=title if start == 0 else f"{title} (continued)",
                intervention=header["Intervention"],
                comparator=header["Comparison"],
                link_analyses=True,
                protocol=protocol,
                header=header,
            )
        )
    notes_after = _left_out_notes(chosen, everything, protocol)
    blocks += [render("bullets.html.j2", points=notes_after)] if notes_after else []
    profile = summary_of_findings(
        everything, evidence.grade, characteristics=evidence.characteristics
    )
    blocks.append(
        _profile.evidence_profile_html(
            everything,
            profile,
            evidence.grade,
            protocol=protocol,
            title=title,
            intervention=header["Intervention"],
            comparator=header["Comparison"],
        )
    )
    return blocks, _summary_lines(chosen, frame, protocol)


def summary_of_findings_html(
    evidence: Evidence, analyses: tuple[OutcomeAnalysis, ...]
) -> HtmlBlock:
    """GRADE summary of findings as GRADEpro lays it out, one table per comparator type
    (a second one past :data:`~evsum.present.sof.MAX_SOF_OUTCOMES` outcomes), from
    ``grade.csv``: the header (population, setting, intervention, comparison from the
    protocol), critical outcomes first, participants with design, statements as comments."""
    from evsum.present.plan import summary_analyses

    protocol = protocol_of(evidence)
    analyses = tuple(summary_analyses(analyses))  # a declared main analysis, if any
    if not analyses:
        return render("blocks.html.j2", blocks=[], notes=["No outcome data for this condition."])
    blocks: list[HtmlBlock] = []
    summary: list[str] = []
    for comparison, chosen, everything in sof_groups(analyses, protocol):
        more, said = _comparison_blocks(evidence, protocol, comparison, chosen, everything)
        blocks += more
        summary += said
    notes = (
        []
        if len(evidence.grade)
        else [f"No GRADE assessment recorded (data/{evidence.absence('grade.csv')})."]
    )
    if summary:
        # The report's summary in GRADE's words (Santesso et al. 2020), before the tables.
        blocks.insert(0, render("bullets.html.j2", points=summary))
    return render("blocks.html.j2", blocks=blocks, notes=notes)
