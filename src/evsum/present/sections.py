"""HTML blocks that the report notebooks display: tables and figures built from the data.

The markup comes from the templates in ``present/templates`` (see :mod:`evsum.present.html`):
every value that came from data is escaped, and links are made only for DOIs that passed
validation and for https URLs. The words of the review (its intervention, conditions,
outcomes) come from the evidence base's protocol (``evsum.toml``).
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pandas as pd

from evsum import vocab
from evsum.ingest.evidence import Evidence
from evsum.ingest.protocol import Protocol
from evsum.present import evidence_profile as _profile
from evsum.present import text
from evsum.present.basis import ResultBasis, result_basis
from evsum.present.declarations import study_declarations
from evsum.present.html import HtmlBlock, figure_html, render
from evsum.present.review_kind import kind_line as _kind_line
from evsum.present.review_kind import review_process_limitations
from evsum.present.sensitivity import sensitivity_tables
from evsum.present.sof_comparisons import comparison_of, sof_comparisons, sof_title
from evsum.review.analysis import ALL_DESIGNS, NON_RANDOMISED, OutcomeAnalysis, study_label
from evsum.review.participants import study_participants

#: GRADE importance of outcomes left out of a summary of findings (shown in the profile).
LEFT_OUT = "not important"

__all__ = [
    "HtmlBlock",
    "analyses_html",
    "data_version_html",
    "evidence_map_alt",
    "evidence_map_html",
    "figure_html",
    "headline_html",
    "heterogeneity_html",
    "limitations_html",
    "outcome_rows_html",
    "overview_title_html",
    "pico_html",
    "prisma_html",
    "protocol_of",
    "references_html",
    "risk_of_bias_html",
    "row_anchor",
    "single_study_effect",
    "studies_html",
    "summary_of_findings_html",
    "title_html",
]

#: Wording used when an evidence base has no protocol file.
GENERIC_PROTOCOL = Protocol(
    title="Evidence summary", question="", intervention="intervention", comparator="comparator"
)


def protocol_of(
    source: Evidence | tuple[OutcomeAnalysis, ...] | None, protocol: Protocol | None = None
) -> Protocol:
    """The protocol to word a block with: the one given, else the evidence's (or the
    analyses'), else :data:`GENERIC_PROTOCOL`."""
    if protocol is not None:
        return protocol
    if isinstance(source, Evidence):
        return source.protocol or GENERIC_PROTOCOL
    for analysis in source or ():
        found = getattr(analysis, "protocol", None)
        if found is not None:
            return found
    return GENERIC_PROTOCOL


def row_anchor(row: pd.Series) -> str:
    """Stable anchor id of a data row: its study and CSV line."""
    return f"row-{re.sub(r'[^a-z0-9]+', '-', str(row['study_id']).lower())}-{int(row['line'])}"


def _capital(words: str) -> str:
    return words[:1].upper() + words[1:]


def pico_html(evidence: Evidence, condition: str) -> HtmlBlock:
    """The review question (PICO) and what the data hold for one condition."""
    protocol = protocol_of(evidence)
    rows = evidence.studies.for_condition(condition)
    spec = protocol.conditions.get(condition)
    label = protocol.condition_label(condition)
    designs = rows.drop_duplicates("study_id")["design"].value_counts()
    design_text = ", ".join(f"{n} {vocab.DESIGNS.get(d, d).lower()}" for d, n in designs.items())
    question = spec.question if spec and spec.question else protocol.question
    items = [("Question", question)] if question else []
    items += [
        (
            "Population",
            (spec.population if spec and spec.population else f"People with {label.lower()}"),
        ),
        ("Intervention", _capital(protocol.intervention)),
        (
            "Comparators",
            text.join_values(
                protocol.comparison_label(c) for c in sorted(rows["comparator_type"].unique())
            )
            + " (analysed separately, never mixed)",
        ),
        (
            "Outcomes",
            text.join_values(protocol.outcome_label(o) for o in sorted(rows["outcome"].unique())),
        ),
        (
            "Studies",
            f"{rows['study_id'].nunique()} ({design_text}); {text.plural(len(rows), 'data row')}",
        ),
    ]
    return render("pico.html.j2", items=items)


def _study_source_kinds(evidence: Evidence, condition: str, study_id: str) -> str:
    """What one study's rows of a condition were read from, in words."""
    rows = evidence.studies.for_condition(condition)
    return text.source_kinds(rows.loc[rows["study_id"] == study_id, "source_kind"])


def studies_html(evidence: Evidence, condition: str) -> HtmlBlock:
    """Included studies: design, n, intervention, comparator, co-therapy, follow-up, source
    (what the study's rows were read from, :func:`evsum.present.text.source_kinds`, and the
    paper's DOI or the first row's locator)."""
    protocol = protocol_of(evidence)
    rows = evidence.studies.for_condition(condition).drop_duplicates("study_id")
    chars = (
        evidence.characteristics.set_index("study_id")
        if len(evidence.characteristics)
        else pd.DataFrame()
    )
    studies = []
    counts = study_participants(evidence, condition)
    for _, row in rows.iterrows():
        info = chars.loc[row["study_id"]] if row["study_id"] in chars.index else pd.Series()
        studies.append(
            {
                "study_id": row["study_id"],
                "first_author": row["first_author"],
                "year": row["year"],
                "design": text.design_blinding(
                    vocab.DESIGNS.get(row["design"], row["design"]), row["blinding"]
                ),
                "n": text.study_participants(counts[row["study_id"]]),
                "intervention": row["intervention"],
                "comparator": (
                    row["comparator"]  # an untreated control: its words say so
                    if row["comparator_type"] in ("", "none")
                    else f"{row['comparator']} ({row['comparator_type']})"
                ),
                "co_therapy": info.get("co_therapy", "") or "not recorded",
                "follow_up": info.get("follow_up", "") or row["timepoint"],
                "doi": row["doi"],
                "locator": row["source_locator"],
                "source_kind": _study_source_kinds(evidence, condition, row["study_id"]),
                "declarations": study_declarations(info),
            }
        )
    headers = [
        "Study",
        "Design",
        f"Participants ({protocol.intervention} / {protocol.comparator})",
        "Intervention",
        "Comparator (type)",
        "Co-therapy (both arms)",
        "Follow-up",
        "Funding, interests, registration",
        "Source",
    ]
    return render("studies.html.j2", headers=headers, studies=studies)


def outcome_rows_html(evidence: Evidence, condition: str) -> HtmlBlock:
    """Every data row of the condition with its numbers, the quote, and where it came from:
    what it was read in (:func:`evsum.present.text.source_words`: ``abstract only``, ``press
    report, secondary source``, …) and the locator.

    The curators' notes on a row are not reader text: they are on the curation log page
    (:func:`evsum.present.curation.curation_log_html`).

    A reported effect is shown with the paper's digits (:func:`evsum.present.text.reported`).
    """
    protocol = protocol_of(evidence)
    rows = [
        {
            "anchor": row_anchor(row),
            "first_author": row["first_author"],
            "year": row["year"],
            "outcome": protocol.outcome_label(row["outcome"]),
            "timepoint": row["timepoint"],
            "comparator_type": protocol.comparison_label(row["comparator_type"]),
            "arm_intervention": text.arm_data(row, "intervention"),
            "arm_comparator": text.arm_data(row, "comparator"),
            "effect": text.reported_effect(row),
            "data_level": row["data_level"],
            "quote": row["source_quote"],
            "derivation": row["derivation"],
            "conversion": text.conversion(row),
            "source_kind": text.source_words(row["source_kind"], row["source_type"]),
            "locator": row["source_locator"],
            "doi": row["doi"],
        }
        for _, row in evidence.studies.for_condition(condition).iterrows()
    ]
    headers = [
        "Study",
        "Outcome",
        "Time point",
        "Comparison",
        _capital(protocol.intervention),
        "Comparator",
        "Effect (95% CI)",
        "Data",
        "Quote",
        "Source",
    ]
    return render("outcome_rows.html.j2", headers=headers, rows=rows)


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


def _leave_one_out_table(analysis: OutcomeAnalysis) -> dict:
    """Leave-one-out rows for people: the study left out, the pooled effect without it on
    the reader's scale (ratios back-transformed), its CI and p, and the heterogeneity left."""
    result = analysis.pooled
    measure = result.measure or "effect"
    f = np.exp if result.is_ratio else (lambda x: x)
    if analysis.leave_one_out is None:
        raise ValueError(f"{analysis.title}: no leave-one-out table")
    rows = []
    for r in analysis.leave_one_out.itertuples(index=False):
        if not r.converged:
            rows.append([r.label, "did not converge", "", "", "", ""])
            continue
        rows.append(
            [
                r.label,
                text.number(float(f(r.estimate))),
                text.interval(float(f(r.ci_low)), float(f(r.ci_high))),
                text.p_value(r.pval),
                text.number(r.tau2, 4),
                text.percentage(r.i2),
            ]
        )
    headers = [
        "Study left out",
        f"Pooled {measure} without it",
        "95% CI",
        "p",
        "τ²" + (" (log scale)" if result.is_ratio else ""),
        "I²",
    ]
    scale = f"{measure} back-transformed from the log scale." if result.is_ratio else ""
    return {
        "title": analysis.title,
        "headers": headers,
        "rows": rows,
        "scale": scale,
        "method": vocab.METHOD_LABELS.get(result.method, result.method),
        "k": result.k,
    }


#: Confidence levels (percent) of the contour-enhanced funnel plots of the reports (Peters
#: et al. 2008; Cochrane Handbook 13.3.5.3).
FUNNEL_CONTOURS: tuple[float, ...] = (90, 95, 99)


def funnel_figure(analysis: OutcomeAnalysis) -> Any:
    """The report's funnel plot of an analysis: contour-enhanced at :data:`FUNNEL_CONTOURS`,
    with the analysis's Egger test."""
    from evsum.present.figures.funnel import funnel_plot

    return funnel_plot(analysis.result, egger=analysis.egger, contours=FUNNEL_CONTOURS)


def funnel_alt(analysis: OutcomeAnalysis) -> str:
    """The text alternative of a contour-enhanced funnel plot, from its data."""
    result = analysis.pooled
    scale = f"log {result.measure}" if result.is_ratio else (result.measure or "effect")
    null = "1" if result.is_ratio else "0"
    levels = [text.number(c, 0) for c in FUNNEL_CONTOURS]
    p_values = [text.number(1 - c / 100, 2) for c in FUNNEL_CONTOURS]
    alt = (
        f"Contour-enhanced funnel plot of {text.plural(result.k, 'study', 'studies')} "
        f"({analysis.title}): each study's {scale} against its standard error, around the "
        f"pooled estimate. Shaded bands centred on the null effect ({null}) at the "
        f"{', '.join(levels[:-1])} and {levels[-1]}% levels mark where a study's own two-sided "
        f"p-value is below {', '.join(p_values[:-1])} and {p_values[-1]}; the white area "
        "holds studies that are not statistically significant."
    )
    if analysis.egger is not None:
        alt += f" Egger's test for funnel asymmetry: {text.p_value(analysis.egger.pval)}."
    return alt


def rob_alt(part: pd.DataFrame, tool: str, labels: dict, kind: str) -> str:
    """The text alternative of a risk-of-bias plot: how many studies and domains, and each
    study's overall judgement (traffic light) or the judgements' counts (summary)."""
    studies = list(dict.fromkeys(part["study_id"]))
    domains = [d for d in dict.fromkeys(part["domain"]) if str(d).lower() != "overall"]
    head = (
        f"{tool} {kind} plot of {text.plural(len(studies), 'study', 'studies')} and "
        f"{text.plural(len(domains), 'domain')}"
    )
    is_overall = part["domain"].astype(str).str.lower() == "overall"
    if kind == "traffic-light" and is_overall.any():
        said = []
        for _, r in part[is_overall].iterrows():
            outcome = "" if text.is_missing(r.get("outcome")) else str(r.get("outcome") or "")
            what = f" ({text.outcome_words(outcome)})" if outcome else ""
            said.append(f"{labels.get(r['study_id'], r['study_id'])}{what} {r['judgement']}")
        return head + ". Overall: " + "; ".join(dict.fromkeys(said)) + "."
    counts = part.loc[~is_overall, "judgement"].value_counts()
    return (
        head
        + ". Judgements over all domains: "
        + ", ".join(f"{judgement} {n}" for judgement, n in counts.items())
        + "."
    )


def heterogeneity_html(analyses: tuple[OutcomeAnalysis, ...]) -> HtmlBlock:
    """Heterogeneity of every pooled analysis, and leave-one-out results where k ≥ 3; funnel
    plots (contour-enhanced) with Egger's test (computed by the review) for analyses of 10 or
    more studies."""
    rows, loo = [], []
    for analysis in analyses:
        result = analysis.result
        if result is None or result.k < 2:
            continue
        rows.append(
            [
                analysis.title,
                str(result.k),
                text.number(result.tau2, 4),
                text.percentage(result.i2),
                f"{text.number(result.q)} (df {result.q_df})",
                text.p_value(result.q_pval),
            ]
        )
        if analysis.leave_one_out is not None:
            loo.append(_leave_one_out_table(analysis))
    funnels = [
        (a.title, figure_html(funnel_figure(a), funnel_alt(a)))
        for a in analyses
        if a.result is not None and a.result.k >= 10
    ]
    sensitivity = [t for a in analyses if a.result is not None if (t := sensitivity_tables(a))]
    levels = [text.number(c, 0) for c in FUNNEL_CONTOURS]
    return render(
        "heterogeneity.html.j2",
        rows=rows,
        loo=loo,
        funnels=funnels,
        sensitivity=sensitivity,
        funnel_levels=f"{', '.join(levels[:-1])} and {levels[-1]}%",
    )


def references_html(evidence: Evidence, condition: str | None = None) -> HtmlBlock:
    """Reference list (from references.json) of the condition's studies, with DOI links (or the
    record's URL, for registry results without a DOI). Each author is one value, so a bidi
    override in one name never reorders the co-authors after it."""
    ids = (
        evidence.studies.data["study_id"]
        if condition is None
        else evidence.studies.for_condition(condition)["study_id"]
    ).unique()
    references = []
    for key in ids:
        ref = evidence.reference(key)
        if ref is None:
            references.append({"missing": True, "key": key})
            continue
        authors = ref.get("author", [])
        references.append(
            {
                "missing": False,
                "authors": [
                    f"{a.get('family', '')} {a.get('given', '')}".strip() for a in authors[:6]
                ],
                "et_al": len(authors) > 6,
                "year": (ref.get("issued", {}).get("date-parts") or [[""]])[0][0],
                "title": ref.get("title", ""),
                "journal": ref.get("container-title", ""),
                "where": text.join_values(
                    ref[k] for k in ("volume", "issue", "page") if ref.get(k)
                ),
                "doi": ref.get("DOI"),
                "url": ref.get("URL", ""),
            }
        )
    return render("references.html.j2", references=references)


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
    rows_shown = [kept for _, chosen, _ in _sof_groups(analyses, protocol) for kept in chosen]
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


def title_html(
    condition: str,
    method: str,
    *,
    protocol: Protocol | None = None,
    analyses: tuple[OutcomeAnalysis, ...] | None = None,
) -> HtmlBlock:
    """The report's heading: ``<Intervention> for <condition label>`` with the protocol's
    words (without a protocol, ``Evidence summary: <condition>``).

    The subtitle names the pooling method only where something is pooled: given the
    condition's ``analyses`` and none of them pools two or more studies, it says so instead.
    """
    if not method:  # the plan's method (REML when the protocol has no [synthesis])
        method = protocol.plan.synthesis.pooling_method if protocol is not None else "REML"
    method = {"Peto": "PETO", "EE": "FE"}.get(method, method)
    if protocol is None:
        heading = f"Evidence summary: {condition}"
    else:
        label = protocol.condition_label(condition)
        heading = text.close_bidi(protocol.wording.title(protocol.intervention, label) or "") or (
            f"{text.close_bidi(_capital(protocol.intervention))} for "
            f"{text.close_bidi(label.lower())}"
        )
    pooled = analyses is None or any(a.result is not None and a.result.k >= 2 for a in analyses)
    subtitle = (
        f"Evidence summary; pooling method: {vocab.METHOD_LABELS.get(method, method)}."
        if pooled
        else "Evidence summary; no analysis pools two or more studies, so each result is "
        "a single study's."
    )
    return render(
        "title.html.j2",
        heading=heading,
        subtitle=subtitle,
        kind=_kind_line(protocol),
        note=text.reanalysis_note(protocol),
    )


def risk_of_bias_html(evidence: Evidence, condition: str) -> HtmlBlock:
    """Traffic-light and summary plots of the condition's studies, one pair per tool."""
    from evsum.present.figures.rob import rob_summary, rob_traffic_light

    ids = set(evidence.studies.for_condition(condition)["study_id"])
    rob = evidence.risk_of_bias
    rob = rob[rob["study_id"].isin(ids)] if len(rob) else rob
    labels = dict(
        zip(evidence.studies.data["study_id"], study_label(evidence.studies.data), strict=False)
    )
    tools = []
    for tool in vocab.ROB_TOOLS:
        part = rob[rob["tool"] == tool] if len(rob) else rob
        if not len(part):
            continue
        tools.append(
            {
                "name": tool,
                "traffic_light": figure_html(
                    rob_traffic_light(part, tool, labels=labels),
                    rob_alt(part, tool, labels, "traffic-light"),
                ),
                "summary": figure_html(
                    rob_summary(part, tool), rob_alt(part, tool, labels, "summary")
                ),
                "rows": [
                    [
                        labels.get(r["study_id"], r["study_id"]),
                        r["domain"],
                        r["judgement"],
                        r["support"],
                    ]
                    for _, r in part.iterrows()
                ],
            }
        )
    missing = sorted(ids - set(rob["study_id"]) if len(rob) else ids)
    return render("risk_of_bias.html.j2", tools=tools, missing=missing)


def overview_title_html(evidence: Evidence) -> HtmlBlock:
    """Heading of the overview report with the size of the evidence base."""
    data = evidence.studies.data
    return render(
        "title.html.j2",
        heading=f"{text.close_bidi(protocol_of(evidence).title)}: overview",
        kind=_kind_line(evidence.protocol),
        subtitle=(
            f"{text.plural(data['study_id'].nunique(), 'study', 'studies')}, "
            f"{text.plural(len(data), 'data row')}, "
            f"{text.plural(len(evidence.studies.conditions), 'condition')}."
        ),
        note=text.reanalysis_note(evidence.protocol),
    )


def evidence_map_html(
    analyses: tuple[OutcomeAnalysis, ...],
    *,
    protocol: Protocol | None = None,
    grade: pd.DataFrame | None = None,
) -> HtmlBlock:
    """The evidence map figure (condition × outcome bubbles), labelled with ``protocol``'s
    words (default: the analyses' own protocol) and coloured by GRADE certainty (from
    ``grade``, ``evidence.grade``; without it every bubble is "not assessed"), never by
    direction alone. Narrative-only analyses are left out (nothing was estimated)."""
    from evsum.present.figures.evidence_map import evidence_map
    from evsum.review.overview import headline_frame

    frame = headline_frame(analyses, grade=grade)
    frame = frame[frame["k"] > 0].reset_index(drop=True)
    frame["certainty"] = frame["certainty"].replace("", "not assessed")
    protocol = protocol_of(analyses, protocol)
    alt, bubbles = evidence_map_alt(frame, protocol)
    return figure_html(
        evidence_map(frame, outcomes_down=True, colour="certainty", protocol=protocol),
        alt,
        description=bubbles,
        description_id="evidence-map-description",
    )


def evidence_map_alt(frame: pd.DataFrame, protocol: Protocol) -> tuple[str, list[str]]:
    """The text alternative of the evidence map, from its data: a short summary (how many
    analyses and conditions, what position, size and colour mean, how many bubbles of each
    certainty) and one sentence per bubble (condition, outcome and time point, the
    comparison in its own words, design, studies, participants, certainty), for the
    figure's long description.

    ``frame`` is the map's data (:func:`~evsum.review.overview.headline_frame`, analyses with
    numbers)."""
    levels = [*vocab.GRADE_CERTAINTY, vocab.NOT_ASSESSED]
    found = frame["certainty"].value_counts()
    certainties = {level: int(found[level]) for level in levels if level in found}
    alt = text.evidence_map_alt(len(frame), frame["condition"].nunique(), certainties)
    bubbles = [
        text.bubble_words(
            protocol.condition_label(r["condition"]),
            text.outcome_at(protocol.outcome_label(r["outcome"]), r["timepoint"]),
            text.comparison_words(
                r["comparison"],
                protocol.intervention,
                dose_comparison=r["comparator_type"] == "dose comparison",
            ),
            r["design"],
            r["k"],
            r["participants"],
            r["certainty"],
        )
        for _, r in frame.iterrows()
    ]
    return alt, bubbles


def headline_html(
    analyses: tuple[OutcomeAnalysis, ...], *, grade: pd.DataFrame | None = None
) -> HtmlBlock:
    """Per-condition headline table of every analysis with numbers, then a count per
    condition of the outcomes reported only in words. Each row names what the result rests
    on (design, the comparison in its own words, source kind), its GRADE certainty (from
    ``grade``, ``evidence.grade``) and GRADE's plain-language statement; each effect links
    to its analysis in the condition report, each study to its data row (quote and source)."""
    from evsum.review.overview import headline_frame

    frame = headline_frame(analyses, grade=grade)
    protocol = protocol_of(analyses)
    rows = []
    for analysis, (_, r) in zip(analyses, frame.iterrows(), strict=True):
        if r["k"] == 0:
            continue
        used = analysis.rows[analysis.rows["excluded_reason"] == ""]
        certainty = r["certainty"] or "not assessed"
        rows.append(
            {
                "condition": r["condition"],
                "condition_label": protocol.condition_label(r["condition"]),
                "outcome": protocol.outcome_label(r["outcome"]),
                "comparison": r["comparison"],
                "design": r["design"],
                "source": text.source_kinds(r["source_kind"]),
                "timepoint": r["timepoint"],
                "k": r["k"],
                "studies": r["studies"],
                "used": [(row_anchor(u), u["label"]) for _, u in used.iterrows()],
                "participants": text.participants(r["participants"]),
                "anchor": analysis.anchor,
                "effect": analysis_effect(analysis),
                "statement": r["statement"],
                "certainty": certainty,
                "symbols": (
                    text.certainty_symbols(certainty) if certainty in vocab.GRADE_CERTAINTY else ""
                ),
                "css": "sof-certainty-" + re.sub(r"[^a-z0-9]+", "-", certainty),
            }
        )
    # Counted as the summary of findings shows them: one row per outcome × time point ×
    # comparator type, and none where another group of the same row has numbers.
    key = ["condition", "outcome", "timepoint", "comparator_type"]
    with_numbers = set(map(tuple, frame.loc[frame["k"] > 0, key].to_numpy().tolist()))
    only_words = frame[frame["k"] == 0].drop_duplicates(key)
    keep = [tuple(r) not in with_numbers for r in only_words[key].to_numpy().tolist()]
    only_words = only_words.loc[pd.Series(keep, index=only_words.index, dtype=bool)]
    words = [
        (c, protocol.condition_label(c), n)
        for c, n in only_words.groupby("condition").size().items()
    ]
    return render("headline.html.j2", rows=rows, words=words)


def prisma_html(evidence: Evidence) -> HtmlBlock:
    """Study-selection counts; excluded, ongoing and unclassified candidates with reasons."""
    from evsum.review.overview import prisma_counts

    recorded = len(evidence.search_log) > 0
    counts = [  # no search log, or its header only: not recorded, never "included 0"
        [k, v if recorded else "not recorded"]
        for k, v in prisma_counts(evidence.search_log).items()
    ]
    log = evidence.search_log
    groups = []
    for decision, heading in (
        ("excluded", "Excluded candidates"),
        ("ongoing", "Ongoing studies (no results yet)"),
        ("awaiting classification", "Studies awaiting classification"),
    ):
        chosen = log[log["decision"] == decision] if len(log) else log
        if decision != "excluded" and not len(chosen):
            continue
        groups.append((heading, [r for _, r in chosen.iterrows()]))
    return render("prisma.html.j2", counts=counts, groups=groups)


def data_version_html(evidence: Evidence) -> HtmlBlock:
    """The data version: the date the data were last curated (the protocol's ``data_date``)
    and the study table's SHA-256, and the optional files the reports did not find."""
    return render(
        "data_version.html.j2",
        sha256=evidence.studies.sha256,
        date=protocol_of(evidence).data_date,
        missing=[m for m in evidence.missing if m not in evidence.empty],
        empty=list(evidence.empty),
        note=text.reanalysis_note(evidence.protocol),
    )


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


def _sof_groups(
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


def summary_of_findings_html(
    evidence: Evidence, analyses: tuple[OutcomeAnalysis, ...]
) -> HtmlBlock:
    """GRADE summary of findings as GRADEpro lays it out, one table per comparator type
    (a second one past :data:`~evsum.present.sof.MAX_SOF_OUTCOMES` outcomes), from
    ``grade.csv``: the header (population, setting, intervention, comparison from the
    protocol), critical outcomes first, participants with design, statements as comments."""
    from evsum.present.plan import summary_analyses
    from evsum.present.sof import MAX_SOF_OUTCOMES, sof_html, summary_of_findings

    protocol = protocol_of(evidence)
    analyses = tuple(summary_analyses(analyses))  # a declared main analysis, if any
    if not analyses:
        return render("blocks.html.j2", blocks=[], notes=["No outcome data for this condition."])
    blocks = []
    summary: list[str] = []
    for (comparator, words), chosen, everything in _sof_groups(analyses, protocol):
        frame = summary_of_findings(
            chosen, evidence.grade, characteristics=evidence.characteristics
        )
        frame["relative_effect"] = [
            single_study_effect(a)[0] if a.result is not None and a.result.k == 1 else shown
            for a, shown in zip(chosen, frame["relative_effect"], strict=True)
        ]
        summary += [
            f"{protocol.outcome_label(r['outcome'])} ({r['timepoint']}"
            f"{'; non-randomised studies' if a.design_class == NON_RANDOMISED else ''}"
            f"): {r['comment']}"
            for a, r in zip(chosen, frame.to_dict("records"), strict=True)
            if r["comment"] and r["k"] and r["relative_effect"] != "not pooled"
        ]
        condition = chosen[0].condition
        spec = protocol.conditions.get(condition)
        title, header = sof_title(protocol, condition, comparator, words)
        comparison = header["Comparison"]
        header = {
            "Patient or population": spec.population if spec else "",
            "Setting": spec.setting if spec else "",
            **header,
        }
        kept = {id(a) for a in chosen}  # by identity: analyses hold data frames
        left_out = [a for a in everything if id(a) not in kept]
        if left_out:
            notes_after = [
                "Not in this summary of findings (rated not important in the protocol; in the "
                "evidence profile below): "
                + "; ".join(
                    f"{protocol.outcome_label(a.outcome)} ({a.timepoint})" for a in left_out
                )
                + "."
            ]
        else:
            notes_after = []
        for start in range(0, len(frame), MAX_SOF_OUTCOMES):
            part = frame.iloc[start : start + MAX_SOF_OUTCOMES].reset_index(drop=True)
            blocks.append(
                sof_html(
                    part,
                    title=title if start == 0 else f"{title} (continued)",
                    intervention=header["Intervention"],
                    comparator=comparison,
                    link_analyses=True,
                    protocol=protocol,
                    header=header,
                )
            )
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
                comparator=comparison,
            )
        )
    notes = (
        []
        if len(evidence.grade)
        else [f"No GRADE assessment recorded (data/{evidence.absence('grade.csv')})."]
    )
    if summary:
        # The report's summary in GRADE's words (Santesso et al. 2020), before the tables.
        blocks.insert(0, render("bullets.html.j2", points=summary))
    return render("blocks.html.j2", blocks=blocks, notes=notes)
