"""Blocks of the condition report about its studies: the question (PICO), the included
studies, every data row with its quote and source, and the reference list."""

from __future__ import annotations

import pandas as pd

from evsum import vocab
from evsum.ingest.evidence import Evidence
from evsum.present import text
from evsum.present.anchors import row_anchor
from evsum.present.declarations import study_declarations
from evsum.present.html import HtmlBlock, render
from evsum.present.wording import capital, protocol_of
from evsum.review.participants import study_participants


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
        ("Intervention", capital(protocol.intervention)),
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
        capital(protocol.intervention),
        "Comparator",
        "Effect (95% CI)",
        "Data",
        "Quote",
        "Source",
    ]
    return render("outcome_rows.html.j2", headers=headers, rows=rows)


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
