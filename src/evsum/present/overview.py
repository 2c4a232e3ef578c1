"""Blocks of the overview: the evidence map, the headline table and the study selection."""

from __future__ import annotations

import re

import pandas as pd

from evsum import vocab
from evsum.ingest.evidence import Evidence
from evsum.ingest.protocol import Protocol
from evsum.present import text
from evsum.present.anchors import row_anchor
from evsum.present.effect_words import analysis_effect
from evsum.present.html import HtmlBlock, figure_html, render
from evsum.present.wording import protocol_of
from evsum.review.analysis import OutcomeAnalysis


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
