"""The curation log: the curators' working notes, on a page of their own.

What the curators note while extracting a row (what they could and could not read, what is
still to fill in, how a column was coded) is for the next curator and for an auditor, not the
reader of a report: the reports show the data, the paper's words and where they are found,
and link to this page for the rest.
"""

from __future__ import annotations

from evsum.ingest.evidence import Evidence
from evsum.present import text
from evsum.present.anchors import row_anchor
from evsum.present.html import HtmlBlock, render
from evsum.present.review_kind import kind_line
from evsum.present.wording import protocol_of

__all__ = ["curation_log_html", "search_log_notes"]


def search_log_notes(evidence: Evidence) -> list[dict[str, object]]:
    """The curators' notes on the search log (``search_log.csv`` column ``curation_note``),
    each with the candidate it is about and its line in the file; the reports show the
    candidates' decisions and reasons, never these notes."""
    log = evidence.search_log
    if not len(log) or "curation_note" not in log.columns:
        return []
    return [
        {
            "candidate": str(row["candidate_id"]),
            "title": str(row["title"]) if isinstance(row["title"], str) else "",
            "line": int(row["line"]) if "line" in log.columns else None,
            "note": row["curation_note"],
        }
        for _, row in log.iterrows()
        if isinstance(row["curation_note"], str) and row["curation_note"].strip()
    ]


def curation_log_html(evidence: Evidence) -> HtmlBlock:
    """Every data row's curator note (``studies.csv`` column ``notes``), by condition, each
    under the row's anchor, with the study, outcome and time point it is about."""
    protocol = protocol_of(evidence)
    data = evidence.studies.data
    conditions = []
    for condition in evidence.studies.conditions:
        rows = evidence.studies.for_condition(condition)
        notes = [
            {
                "anchor": row_anchor(row),
                "study": f"{row['first_author']} {row['year']}",
                "outcome": protocol.outcome_label(row["outcome"]),
                "timepoint": row["timepoint"],
                "comparator_type": protocol.comparison_label(row["comparator_type"]),
                "line": int(row["line"]),
                "note": row["notes"],
            }
            for _, row in rows.iterrows()
            if isinstance(row["notes"], str) and row["notes"].strip()
        ]
        if notes:
            conditions.append(
                {
                    "key": condition,
                    "label": protocol.condition_label(condition),
                    "page": condition,
                    "notes": notes,
                }
            )
    return render(
        "curation_log.html.j2",
        conditions=conditions,
        search_notes=search_log_notes(evidence),
        source=evidence.studies.source.rsplit("/", 1)[-1],
        rows=len(data),
        reanalysis=text.reanalysis_note(evidence.protocol),
        kind=kind_line(evidence.protocol),
    )
