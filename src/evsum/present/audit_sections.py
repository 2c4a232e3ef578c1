"""HTML blocks of the claims and citation audit report.

The markup comes from ``templates/audit*.html.j2``: every value that came from data is
escaped; links are made only to DOIs that the citation audit verified (or that the curated
record holds and validation accepted) and to the anchors that the condition reports emit
(``<condition>.html#study-<study_id>`` and ``#row-...``).
"""

from __future__ import annotations

import pandas as pd

from evsum import vocab
from evsum.ingest.claims import VERDICTS, ClaimTable
from evsum.ingest.evidence import Evidence
from evsum.ingest.protocol import Protocol
from evsum.present import text
from evsum.present.anchors import row_anchor
from evsum.present.html import HtmlBlock, page_link, render
from evsum.present.review_kind import kind_line, source_text_html
from evsum.review.analysis import row_results
from evsum.review.citations import CitationAudit, CitationCheck
from evsum.review.claims import claim_gaps, claim_rows
from evsum.review.participants import StudyParticipants, participants_of


def study_summary(
    rows: pd.DataFrame,
    characteristics: pd.DataFrame | None = None,
    study: StudyParticipants | None = None,
    label=text.outcome_words,
) -> str:
    """One study's mapped rows: design, comparator type, its one participant count
    (:func:`evsum.present.text.study_participants` of ``study``, else of these rows with
    ``characteristics``), then each outcome's result, the outcome worded by ``label`` (the
    protocol's ``outcome_label``)."""
    first = rows.iloc[0]
    design = vocab.DESIGNS.get(first["design"], first["design"]).lower()
    if study is None:
        study = participants_of(rows, characteristics)[str(first["study_id"])]
    n = text.study_participants(study)
    results = text.join_values(
        (
            f"{label(r['outcome'])} at {r['timepoint']}: {text.row_result(r, res)}"
            for (_, r), res in zip(rows.iterrows(), row_results(rows), strict=True)
        ),
        "; ",
    )
    label = text.close_bidi(text.study_label(first["first_author"], first["year"]))
    return (
        f"{label} ({first['condition']}; "
        f"{design}; comparator: {first['comparator_type']}; participants {n}): {results}"
    )


def claim_data_summary(
    claim: pd.Series,
    studies: pd.DataFrame,
    characteristics: pd.DataFrame | None = None,
    label=text.outcome_words,
) -> str:
    """What the mapped study rows say, in one string (the numbers shown beside a claim); an
    outcome is worded by ``label`` (the protocol's ``outcome_label``).

    Examples
    --------
    >>> from evsum.review.examples import example_evidence
    >>> ev = example_evidence()
    >>> claim = pd.Series({"study_ids": "aalto2001", "outcomes": "abstinence"})
    >>> claim_data_summary(claim, ev.studies.data).startswith("Aalto 2001 (")
    True
    """
    rows = claim_rows(claim, studies)
    # each study's count from all its rows, as every page words it, not from the mapped ones
    counts = participants_of(studies[studies["study_id"].isin(rows["study_id"])], characteristics)
    parts = [
        study_summary(group, study=counts[str(study_id)], label=label)
        for study_id, group in rows.groupby("study_id", sort=False)
    ]
    return text.join_values(parts + claim_gaps(claim, studies, label=label), ". ") + "."


def claims_frame(claims: ClaimTable, evidence: Evidence) -> pd.DataFrame:
    """The claims with ``data_summary`` (from :func:`claim_data_summary`) added."""
    data = claims.data.copy()
    studies = evidence.studies.data
    label = evidence.protocol.outcome_label if evidence.protocol else text.outcome_words
    data["data_summary"] = [
        claim_data_summary(row, studies, evidence.characteristics, label=label)
        for _, row in data.iterrows()
    ]
    return data


def audit_title_html(
    claims: ClaimTable, audit: CitationAudit, *, protocol: Protocol | None = None
) -> HtmlBlock:
    """Heading of the audit report with the numbers of claims and references checked; with
    the ``protocol``, the kind of review on the title line and the audited text identified
    (title, publisher, address, date read)."""
    return render(
        "title.html.j2",
        heading="Claims and citation audit",
        kind=kind_line(protocol),
        source_text=source_text_html(protocol) if protocol is not None else "",
        subtitle=(
            f"{text.plural(len(claims.data), 'claim')} of the audited text checked against "
            f"the evidence base; {text.plural(len(audit.checks), 'entry', 'entries')} of its "
            "reference list checked against the curated references."
        ),
    )


def _verdict_points(claims: ClaimTable) -> list[str]:
    """How many claims are supported, partly supported, overstated or not supported."""
    counts = claims.verdict_counts()
    supported = counts["supported"]
    return [
        f"Of the {len(claims.data)} claims checked, "
        + ("none is" if supported == 0 else f"{supported} {'is' if supported == 1 else 'are'}")
        + " fully supported by the evidence the text cites or by the studies in this "
        "evidence base.",
        f"{counts['partly supported']} are partly supported, {counts['overstated']} overstate "
        f"what the studies show and {counts['not supported']} are not supported.",
    ]


def _unassessable_point(claims: ClaimTable) -> str:
    """How many claims cannot be checked, naming the patient stories among them."""
    data = claims.data
    unassessable = claims.verdict_counts()["not assessable from the cited evidence"]
    story_claims = data[data["claim_type"] == "case story"]
    stories = int(story_claims["section"].nunique())  # one story per section of the text
    if not stories:
        return f"{unassessable} cannot be checked against the cited evidence."
    claims_from = (
        f"{text.plural(len(story_claims), 'claim')} from " if len(story_claims) != stories else ""
    )
    return (
        f"{unassessable} cannot be checked against the cited evidence, including "
        + claims_from
        + f"{text.plural(stories, 'patient story', 'patient stories')}, which are "
        "anecdotes and not evidence."
    )


def _cited_point(claims: ClaimTable) -> str:
    """How many claims cite a reference, and how many of those it fully supports."""
    data = claims.data
    cited = data[data["cited_reference"] != ""]
    cited_good = int((cited["verdict"] == "supported").sum())
    cited_counts = cited["verdict"].value_counts()
    return (
        f"{text.plural(len(cited), 'claim')} cite a reference; "
        + (
            "none of them is"
            if cited_good == 0
            else f"{cited_good} of them {'is' if cited_good == 1 else 'are'}"
        )
        + " fully supported by it ("
        + ", ".join(f"{cited_counts[v]} {v}" for v in VERDICTS if cited_counts.get(v, 0))
        + ")."
    )


def _entry_name(check: CitationCheck) -> str:
    entry = check.entry
    return text.close_bidi(entry.key or f"entry {entry.index}")


def _reference_point(audit: CitationAudit) -> str:
    """How many entries of the reference list match the curated records, which match in
    part and which are wrong (and how)."""
    clean = sum(check.ok and not check.notes for check in audit.checks)
    partial = [check for check in audit.checks if check.ok and check.notes]
    wrong = [check for check in audit.checks if not check.ok]
    line = (
        f"{clean} of the {len(audit.checks)} entries in the reference list match the "
        "record curated from the journals"
    )
    if partial:
        line += "; " + text.join_values(
            (
                _entry_name(check)
                + " matches in what could be checked ("
                + ", ".join(dict.fromkeys(n.kind for n in check.notes))
                + ")"
                for check in partial
            ),
            "; ",
        )
    if wrong:
        line += "; the others are wrong: " + text.join_values(
            (_entry_name(check) + " (" + ", ".join(check.kinds) + ")" for check in wrong),
            "; ",
        )
    return line + "."


def audit_summary_html(claims: ClaimTable, audit: CitationAudit) -> HtmlBlock:
    """Plain-language summary derived from the verdict counts and the citation audit."""
    points = [
        *_verdict_points(claims),
        _unassessable_point(claims),
        _cited_point(claims),
        _reference_point(audit),
    ]
    return render("bullets.html.j2", points=points)


def verdict_scale_html(claims: ClaimTable | None = None) -> HtmlBlock:
    """The verdict scale with its meanings (and the count of each verdict, given claims)."""
    counts = claims.verdict_counts() if claims is not None else {}
    return render("audit_verdicts.html.j2", rows=list(VERDICTS.items()), counts=counts)


def _claim(claim: pd.Series, evidence: Evidence, studies: pd.DataFrame) -> dict:
    key = claim["reference_id"]
    ref = (evidence.reference(key) or {}) if key else {}
    cited = studies[studies["study_id"] == key] if key else studies.iloc[0:0]
    mapped = claim_rows(claim, studies)
    protocol = evidence.protocol
    rows = [
        {
            "study_link": page_link(row["condition"], f"study-{row['study_id']}"),
            "row_link": page_link(row["condition"], row_anchor(row)),
            "first_author": row["first_author"],
            "year": row["year"],
            "comparison": text.versus(
                protocol.study_comparison(row["study_id"], row["comparator_type"])
                if protocol is not None
                else row["comparator_type"]
            ),
            "outcome": (
                protocol.outcome_label(row["outcome"])
                if protocol is not None
                else text.outcome_words(row["outcome"])
            ),
            "timepoint": row["timepoint"],
            "result": text.row_result(row, result),
            "quote": row["source_quote"] if row["data_level"] == "narrative" else "",
        }
        for (_, row), result in zip(mapped.iterrows(), row_results(mapped), strict=True)
    ]
    return {
        "claim_id": claim["claim_id"],
        "quote": claim["quote"],
        "section": claim["section"],
        "claim_type": claim["claim_type"],
        "cited": claim["cited_reference"],
        "reference_id": key,
        "reference_page": (
            page_link(cited.iloc[0]["condition"], f"study-{key}") if len(cited) else ""
        ),
        "reference_doi": ref.get("DOI", ""),
        "verdict": claim["verdict"],
        "rationale": claim["rationale"],
        "rows": rows,
        "gaps": claim_gaps(
            claim,
            studies,
            label=protocol.outcome_label if protocol is not None else text.outcome_words,
        ),
    }


def claims_html(claims: ClaimTable, evidence: Evidence) -> HtmlBlock:
    """Every claim with its verdict, the reasons, and the mapped study rows (linked).

    The numbers come from the study rows (:func:`evsum.present.text.row_result`, the paper's
    digits); each row links to its line in the condition report.
    """
    studies = evidence.studies.data
    return render(
        "audit_claims.html.j2",
        claims=[_claim(c, evidence, studies) for _, c in claims.data.iterrows()],
    )


def citation_audit_html(audit: CitationAudit) -> HtmlBlock:
    """The reference list entry by entry: matched record and every discrepancy.

    A cited DOI is a link only when it equals the matched record's DOI.
    """
    entries = [
        {
            "index": check.entry.index,
            "key": check.entry.key,
            "style": check.entry.style,
            "text": check.entry.text,
            "doi": check.entry.doi,
            "doi_verified": check.doi_verified,
            "matched": check.reference_id,
            "matched_by": check.matched_by,
            "related": list(check.related_ids or ()),
            "ok": check.ok,
            "checked": not check.notes,  # a field not verified: no ✔
            "findings": (
                [(d.kind, d.detail, True) for d in check.discrepancies]
                + [(n.kind, n.detail, False) for n in check.notes]
            ),
        }
        for check in audit.checks
    ]
    return render("audit_citations.html.j2", entries=entries, summary=audit.summary())
